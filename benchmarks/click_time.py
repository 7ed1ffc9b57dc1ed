"""What one ribbon click costs the agent: a fresh Python, the imports of RunPython's command, the button's work.

    python benchmarks/click_time.py [--rows 1000,100000] [--runs 5] [--python PATH]

Start-up, measured from outside in fresh processes started as xlwings' RunPython starts
them (`python -B -c "import xlwings.utils; ...; import workbook_tools.excel as x; ..."`):
wall-clock seconds until the button's function could run, split with `-X importtime`
into xlwings and our package, next to a bare `python -B -c pass`; and the check the
add-in makes on the first click of each Excel session (SelfTest.PythonProblem's command).
`--python` measures these with another interpreter, e.g. a virtual environment holding
only `pip install workbook-tools`: xlwings imports pandas, numpy, matplotlib and Pillow
whenever they are installed, which a click pays for without using them.

Work: each button on a workbook of ROWS ledger rows (benchmarks/run.py's year of
ledgers) through xlwings' remote engine (xlwings PRO, noncommercial licence, for
measuring only): reading the sheets, the same core as the CLI, writing the change. The
round trips to a real Excel are not in these numbers (there is none here); the number of
Excel calls each button makes is shown instead. Medians of RUNS runs; the machine is shared.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from run import team_workbook

from workbook_tools import excel

import xlwings_remote

CLICK = "import xlwings.utils; import workbook_tools.excel as x"  # RunPython's prefix, then our command's import
READY = "import importlib.util as u, workbook_tools; raise SystemExit(u.find_spec('xlwings') is None)"  # SelfTest.bas
OPTIONAL = ("pandas", "numpy", "matplotlib", "PIL")


def _wall(python: str, code: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([python, "-B", "-c", code], check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _import_split(python: str, runs: int) -> dict[str, float]:
    """Cumulative import seconds of the top-level packages RunPython's command loads (median over runs)."""
    found: dict[str, list[float]] = {}
    for _ in range(runs):
        command = [python, "-B", "-X", "importtime", "-c", CLICK]
        log = subprocess.run(command, check=True, capture_output=True, text=True).stderr
        for line in log.splitlines():
            match = re.match(r"import time:\s+\d+ \|\s+(\d+) \|\s+(\S+)$", line)
            if match and match[2] in ("xlwings", "workbook_tools.excel", *OPTIONAL):
                found.setdefault(match[2], []).append(int(match[1]) / 1e6)
    return {name: statistics.median(times) for name, times in found.items()}


def start_up(python: str, runs: int) -> None:
    bare, click, ready = _wall(python, "pass", runs), _wall(python, CLICK, runs), _wall(python, READY, runs)
    split = _import_split(python, runs)
    extras = ", ".join(f"{n} {split[n]:.2f} s" for n in OPTIONAL if split.get(n, 0) >= 0.005) or "none installed"
    print(f"Python: {python}")
    print(f"  python -B -c pass:                      {bare:.2f} s")
    print(f"  start + imports of a click:             {click:.2f} s")
    print(f"    of which xlwings {split.get('xlwings', 0):.2f} s (with its optional imports: {extras}),")
    print(f"    workbook_tools.excel {split.get('workbook_tools.excel', 0):.2f} s")
    print(f"  first click of an Excel session, check: {ready:.2f} s")


def work(rows: int, runs: int) -> None:
    buttons = {
        "validate": (excel.validate, {}),
        "shift_handover": (excel.shift_handover, {"from_agent": "小美", "to_agent": "阿强"}),
        "daily_totals": (excel.daily_totals, {}),
        "chase_summary": (excel.chase_summary, {}),
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "book.xlsx"
        team_workbook(path, rows, date.today())
        for name, (button, kwargs) in buttons.items():
            times, calls = [], 0
            for _ in range(runs):
                book = xlwings_remote.remote_book(path)
                start = time.perf_counter()
                button(book, **kwargs)
                times.append(time.perf_counter() - start)
                calls = len(book.json()["actions"])
            print(f"  {name:15s} {statistics.median(times):6.2f} s on {rows:,} rows, {calls} Excel calls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--python", default=sys.executable)
    args = parser.parse_args()
    print(f"Medians of {args.runs} runs.")
    start_up(args.python, args.runs)
    for rows in (int(n) for n in args.rows.split(",")):
        print(f"Button work, {rows:,} rows:")
        work(rows, args.runs)


if __name__ == "__main__":
    main()
