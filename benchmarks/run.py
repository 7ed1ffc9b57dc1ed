"""Speed and memory of the headless commands, as ratios to reading the same file with python-calamine.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 3]

Each measurement is a fresh process (so interpreter start-up counts on both
sides); the table shows medians, the ratio to the calamine read of the same
file in the same run, peak memory, and seconds per 1,000 rows (the slope).
The table is printed and appended to benchmarks/RESULTS.md with the machine
and date. Unix only (peak memory comes from `resource`). Not part of CI.
"""
from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from workbook_tools.demo import AGENTS, PRODUCTS, BUYERS, make_demo
from workbook_tools.sheets import CHASE_DETAIL, LEDGERS, QUALITY, RESENDS, RETURNS
from workbook_tools.templates import build_workbook

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGETS = {"validate": 2.0, "handover": 3.0, "daily-totals": 3.0}
MEASURE = """
import resource, sys, time
start = time.perf_counter()
try:
    {body}
finally:
    sys.stderr.write(f"\\nBENCH {{time.perf_counter() - start}} {{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}\\n")
"""
CALAMINE = """from python_calamine import CalamineWorkbook
    book = CalamineWorkbook.from_path(sys.argv[1])
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python(skip_empty_area=False)"""
COMMAND = """from workbook_tools.cli import cli
    cli.main(sys.argv[1:], standalone_mode=False)"""


def team_workbook(path: Path, rows: int, today: date) -> None:
    """A year of ledgers: 60% returns, 10% resends, 10% quality issues, 20% chases; nearly all closed."""
    rnd = random.Random(rows)
    data = make_demo(today).rows
    start = today - timedelta(days=365)
    for n in range(rows * 6 // 10):
        day = start + timedelta(days=n * 365 // max(rows * 6 // 10, 1))
        data[RETURNS.title].append({"日期": day, "物流单号": f"SF{n:013d}", "承运商": "顺丰速运", "ID号": rnd.choice(BUYERS),
                                    "订单编码": f"SO{n:010d}", "退回类型": "客户原因", "产品名称": rnd.choice(PRODUCTS),
                                    "数量": rnd.randint(1, 3), "解决方案": "退款", "处理结果": "已退款"})
    for n in range(rows // 10):
        day = start + timedelta(days=n * 365 // max(rows // 10, 1))
        data[RESENDS.title].append({"日期": day, "填写人": AGENTS[n % 3], "客户ID": rnd.choice(BUYERS),
                                    "原订单编码": f"SR{n:010d}", "产品名称": rnd.choice(PRODUCTS), "数量": 1,
                                    "发件原因": "破损补发", "新物流单号": f"YT{n:013d}", "发出日期": day})
        data[QUALITY.title].append({"日期": day, "登记人": AGENTS[n % 3], "客户ID": rnd.choice(BUYERS),
                                    "订单编码": f"SQ{n:010d}", "问题类型": "漏液", "凭证张数": 2, "状态": "已结案",
                                    "结案日期": day})
    for n in range(rows // 5):
        placed = datetime.combine(start, datetime.min.time()) + timedelta(minutes=n * 525_600 // max(rows // 5, 1))
        data[CHASE_DETAIL.title].append({"拍下时间": placed, "买家ID": f"{rnd.choice(BUYERS)}{n}", "订单编号": f"4{n:018d}",
                                         "订单金额": 89, "催款日期": placed.date() + timedelta(days=1),
                                         "催款人": AGENTS[n % 3], "催款方式": "电话", "接听情况": "本人接听",
                                         "催款结果": "已付款"})
    path.write_bytes(build_workbook(LEDGERS, data, {"Agents": AGENTS}))


def measure(body: str, args: list[str], runs: int) -> tuple[float, float]:
    """Median seconds and peak MiB of `body` in fresh processes."""
    seconds, peaks = [], []
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-c", MEASURE.format(body=body), *args],
                                capture_output=True, text=True)
        line = next(l for l in result.stderr.splitlines() if l.startswith("BENCH "))
        took, peak = line.split()[1:]
        seconds.append(float(took))
        peaks.append(int(peak) / 1024)
    return statistics.median(seconds), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    today = date.today()
    lines = [f"## {datetime.now():%Y-%m-%d %H:%M} — {platform.platform()}, {os.cpu_count()} cores, "
             f"Python {platform.python_version()}", "",
             f"`python benchmarks/run.py --sizes {options.sizes} --runs {options.runs}` (medians of {options.runs}; "
             "each a fresh process; ratio = command ÷ python-calamine reading the same file)", "",
             "| rows | command | seconds | × calamine | target | peak MiB | s per 1k rows |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    with tempfile.TemporaryDirectory() as folder:
        for rows in (int(s) for s in options.sizes.split(",")):
            path = Path(folder) / f"team-{rows}.xlsx"
            team_workbook(path, rows, today)
            base, base_peak = measure(CALAMINE, [str(path)], options.runs)
            lines.append(f"| {rows:,} | calamine read | {base:.2f} | 1.00 | | {base_peak:.0f} | {base / rows * 1000:.3f} |")
            out = Path(folder) / "out.xlsx"
            commands = {"validate": ["validate", str(path)],
                        "handover": ["handover", str(path), "--from", "小美", "--to", "阿强", "--out", str(out)],
                        "daily-totals": ["daily-totals", str(path), "--out", str(out)]}
            for name, args in commands.items():
                took, peak = measure(COMMAND, args, options.runs)
                lines.append(f"| {rows:,} | {name} | {took:.2f} | {took / base:.2f} | ≤ {TARGETS[name]:.0f} "
                             f"| {peak:.0f} | {took / rows * 1000:.3f} |")
                print(lines[-1], flush=True)
    table = "\n".join(lines) + "\n"
    print(table)
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n" + table)


if __name__ == "__main__":
    main()
