"""Every command's output on the demo workbook, as one JSON document, for before/after comparisons.

    python tools/golden.py OUT.json

Every command runs through the installed CLI, in a fresh process, as a user
runs it: run this before a change and after it, and diff the two files. The
demo workbook is generated for a fixed day.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from datetime import date, datetime, time
from pathlib import Path

from python_calamine import CalamineWorkbook

from workbook_tools.cli.demo import AGENTS, make_demo
from workbook_tools.spec.lists import AGENTS as AGENT_LIST
from workbook_tools.spec.sheets import LEDGERS
from workbook_tools.xlsx.templates import build_workbook

DAY = "2026-11-22"
AT = f"{DAY} 18:00"


def _cli(*args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "workbook_tools", *args], capture_output=True, check=False, text=True, encoding="utf-8"
    )
    return {"args": list(args[:1]), "exit": done.returncode, "stdout": done.stdout, "stderr": done.stderr}


def _sheets(path: Path) -> dict[str, list[list[object]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {
        name: [
            [v.isoformat() if isinstance(v, (date, datetime, time)) else v for v in row]
            for row in book.get_sheet_by_name(name).to_python()
        ]
        for name in book.sheet_names
    }


def golden(folder: Path) -> dict:
    """The demo workbook for DAY, then every command on it in the order a shift uses them."""
    path = folder / "demo.xlsx"
    rows = make_demo(date.fromisoformat(DAY)).rows
    path.write_bytes(build_workbook(LEDGERS, rows, {AGENT_LIST.name: AGENTS}))
    steps = [
        ("validate", ["validate", "--json", str(path)]),
        ("handover", ["handover", str(path), "--from", "小美", "--to", "阿强", "--at", AT, "--json"]),
        ("handover_again", ["handover", str(path), "--from", "小美", "--to", "阿强", "--at", AT]),
        ("acknowledge", ["acknowledge", str(path), "--agent", "阿强", "--at", f"{DAY} 18:10"]),
        ("chase_summary", ["chase-summary", str(path), "--at", AT, "--json"]),
        ("chase_summary_text", ["chase-summary", str(path), "--at", AT]),
        ("daily_totals", ["daily-totals", str(path), "--date", DAY, "--at", AT, "--json"]),
        ("daily_totals_text", ["daily-totals", str(path), "--date", DAY, "--at", AT]),
        ("validate_after", ["validate", str(path)]),
    ]
    result: dict = {}
    for name, args in steps:
        outcome = _cli(*args)
        outcome["stdout"] = outcome["stdout"].replace(str(path), "DEMO").replace(str(folder), "DIR")
        outcome["stderr"] = outcome["stderr"].replace(str(path), "DEMO").replace(str(folder), "DIR")
        result[name] = outcome
    result["sheets"] = _sheets(path)
    return result


def main() -> None:
    out = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as folder:
        out.write_text(json.dumps(golden(Path(folder)), ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
