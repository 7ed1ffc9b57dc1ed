"""Time what an agent waits for per click: the fresh Python import, then the button's work.

    python benchmarks/click_time.py [ROWS]

Runs each button on a workbook with ROWS extra 退件表 rows (default 1,000) through
xlwings' remote engine (xlwings PRO: noncommercial licence, for measuring only;
the Excel round trips themselves are not in these numbers). Medians of 5 runs.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from workbook_tools import excel
from workbook_tools.cli.demo import AGENTS, make_demo
from workbook_tools.spec.sheets import LEDGERS, RETURNS
from workbook_tools.xlsx.templates import build_workbook

import xlwings_remote

RUNS = 5


def workbook(path: Path, rows: int) -> Path:
    data = make_demo(date.today()).rows
    base = data[RETURNS.title][0]
    data[RETURNS.title] += [
        {**base, "物流单号": f"SF9{n:012d}", "订单编码": f"SO9{n:08d}", "处理结果": "已退款"} for n in range(rows)
    ]
    path.write_bytes(build_workbook(LEDGERS, data, {"Agents": AGENTS}))
    return path


def import_seconds(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return statistics.median(
        float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
        for _ in range(RUNS)
    )


def main(rows: int) -> None:
    print(f"import workbook_tools.excel: {import_seconds('workbook_tools.excel'):.3f} s (median of {RUNS})")
    print(f"import xlwings:              {import_seconds('xlwings'):.3f} s")
    with tempfile.TemporaryDirectory() as folder:
        path = workbook(Path(folder) / "book.xlsx", rows)
        buttons = {
            "validate": (excel.validate, {}),
            "shift_handover": (excel.shift_handover, {"from_agent": "小美", "to_agent": "阿强"}),
            "daily_totals": (excel.daily_totals, {}),
            "chase_summary": (excel.chase_summary, {}),
        }
        for name, (button, kwargs) in buttons.items():
            times = []
            for _ in range(RUNS):
                book = xlwings_remote.remote_book(path)
                start = time.perf_counter()
                button(book, **kwargs)
                times.append(time.perf_counter() - start)
            print(
                f"{name:15s} {statistics.median(times):.3f} s on {rows:,} extra rows, "
                f"{len(book.json()['actions'])} Excel calls"
            )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
