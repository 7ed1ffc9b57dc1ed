"""Speed and memory of the headless commands, as ratios to reading the same file with python-calamine.

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 5] [--before SRC]

Each measurement is a fresh process (so imports count on both sides). The
runs are interleaved, one round = the calamine read then each command, and
every ratio is taken within a round, so a slow spell of this shared machine
hits both sides of it alike. The table shows median wall-clock seconds, the
median of the per-round ratios by wall-clock time (with their range) and by
CPU time (steadier when other tenants take the cores), the largest peak memory
of the command's own process (VmHWM: the parent's memory is not counted),
seconds per 1,000 rows and the marginal slope from the previous size
(constant = linear). With --before SRC (a source tree of another version, e.g.
from `git archive <rev> | tar -x -C SRC`) each command also runs with that
version in the same rounds, as "<command> (before)". The table is printed and appended to
benchmarks/RESULTS.md with the machine and date. Linux for the memory figure
(macOS falls back to ru_maxrss). Not part of CI.
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
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from workbook_tools.cli.demo import AGENTS, BUYERS, PRODUCTS, make_demo
from workbook_tools.cli.progress import TIMES_VARIABLE, phase_times
from workbook_tools.spec.lists import (
    AGENTS as AGENT_LIST,
)
from workbook_tools.spec.lists import (
    CARRIER,
    CHASE_ANSWER,
    CHASE_METHOD,
    CHASE_RESULT,
    ISSUE_STATE,
    ISSUE_TYPE,
    RESEND_REASON,
    RETURN_RESULT,
    RETURN_SOLUTION,
    RETURN_TYPE,
)
from workbook_tools.spec.sheets import CHASE_DETAIL, LEDGERS, QUALITY, RESENDS, RETURNS
from workbook_tools.xlsx.templates import build_workbook

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
TARGETS = {"validate": 2.0, "handover": 3.0, "daily-totals": 3.0}
BEFORE = " (before)"
MEASURE = """
import resource, sys, time
start = time.perf_counter()
try:
    {body}
finally:
    took, cpu = time.perf_counter() - start, time.process_time()
    try:
        with open("/proc/self/status") as status:
            peak = next(int(l.split()[1]) * 1024 for l in status if l.startswith("VmHWM:"))
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS
    sys.stderr.write(f"\\nBENCH {{took}} {{cpu}} {{peak}}\\n")
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
    r, s, q, c = RETURNS, RESENDS, QUALITY, CHASE_DETAIL
    for n in range(rows * 6 // 10):
        day = start + timedelta(days=n * 365 // max(rows * 6 // 10, 1))
        data[r].append(
            {
                r.date: day,
                r.tracking_no: f"SF{n:013d}",
                r.carrier: CARRIER.SF,
                r.buyer_id: rnd.choice(BUYERS),
                r.order_no: f"SO{n:010d}",
                r.return_type: RETURN_TYPE.CUSTOMER,
                r.product: rnd.choice(PRODUCTS),
                r.quantity: rnd.randint(1, 3),
                r.solution: RETURN_SOLUTION.REFUND,
                r.result: RETURN_RESULT.REFUNDED,
            }
        )
    for n in range(rows // 10):
        day = start + timedelta(days=n * 365 // max(rows // 10, 1))
        data[s].append(
            {
                s.date: day,
                s.filled_by: AGENTS[n % 3],
                s.buyer_id: rnd.choice(BUYERS),
                s.order_no: f"SR{n:010d}",
                s.product: rnd.choice(PRODUCTS),
                s.quantity: 1,
                s.reason: RESEND_REASON.DAMAGED,
                s.new_tracking_no: f"YT{n:013d}",
                s.shipped_on: day,
            }
        )
        data[q].append(
            {
                q.date: day,
                q.registered_by: AGENTS[n % 3],
                q.buyer_id: rnd.choice(BUYERS),
                q.order_no: f"SQ{n:010d}",
                q.issue_type: ISSUE_TYPE.LEAKING,
                q.photos: 2,
                q.state: ISSUE_STATE.CLOSED,
                q.closed_on: day,
            }
        )
    for n in range(rows // 5):
        placed = datetime.combine(start, datetime.min.time()) + timedelta(minutes=n * 525_600 // max(rows // 5, 1))
        data[c].append(
            {
                c.placed_at: placed,
                c.buyer_id: f"{rnd.choice(BUYERS)}{n}",
                c.order_no: f"4{n:018d}",
                c.amount: 89,
                c.chased_at: placed + timedelta(days=1),
                c.agent: AGENTS[n % 3],
                c.method: CHASE_METHOD.PHONE,
                c.answer: CHASE_ANSWER.BUYER,
                c.result: CHASE_RESULT.PAID,
            }
        )
    path.write_bytes(build_workbook(LEDGERS, data, {AGENT_LIST.name: AGENTS}))


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # seconds of user + system time of the whole process
    peak: float  # MiB


def measured(body: str, args: list[str], **options: Any) -> tuple[Sample | None, int | None, str]:
    """One run of `body` in a fresh process: its sample (None when the process died before reporting one),
    its exit status (None when it ran out of time) and its stderr; `options` go to subprocess.run."""
    try:
        result = subprocess.run(
            [sys.executable, "-c", MEASURE.format(body=body), *args],
            capture_output=True,
            text=True,
            check=False,
            **options,
        )
    except subprocess.TimeoutExpired:
        return None, None, ""
    line = next((text for text in result.stderr.splitlines() if text.startswith("BENCH ")), None)
    if line is None:
        return None, result.returncode, result.stderr
    wall, cpu, peak = line.split()[1:]
    return Sample(float(wall), float(cpu), int(peak) / 2**20), result.returncode, result.stderr


def measure(
    body: str, args: list[str], source: Path | None = None, phases: list[list[tuple[str, float]]] | None = None
) -> Sample:
    """One run of `body` in a fresh process, with the package from `source` (a source tree) when given: run from
    there, since `python -c` puts its working directory before PYTHONPATH (this tree's package would win).
    `phases` gets the command's own account of its phases' seconds (WORKBOOK_TOOLS_TIMES)."""
    env = dict(os.environ, **({TIMES_VARIABLE: "1"} if phases is not None else {}))
    options: dict[str, Any] = {"env": dict(env, PYTHONPATH=str(source)), "cwd": source} if source else {"env": env}
    sample, status, stderr = measured(body, args, **options)
    if sample is None or status not in (0, 1):  # 1 = the workbook has findings, still a full run
        raise SystemExit(f"{args[:1]} failed:\n{stderr[-2000:]}")
    if phases is not None:
        phases.append(phase_times(stderr))
    return sample


def rounds(path: Path, out: Path, runs: int, before: Path | None) -> dict[str, list[tuple[Sample, Sample]]]:
    """Per command, every round's sample beside that round's calamine read; `before`: the same commands
    run with another version's source tree in the same rounds, as "<command> (before)"."""
    commands = {
        "validate": ["validate", str(path)],
        "handover": ["handover", str(path), "--from", "小美", "--to", "阿强", "--out", str(out)],
        "daily-totals": ["daily-totals", str(path), "--out", str(out)],
    }
    versions = [("", None)] + ([(BEFORE, before)] if before else [])
    seen: dict[str, list[tuple[Sample, Sample]]] = {"calamine read": []}
    for _ in range(runs):
        base = measure(CALAMINE, [str(path)])
        seen["calamine read"].append((base, base))
        for name, args in commands.items():
            for suffix, source in versions:
                seen.setdefault(name + suffix, []).append((base, measure(COMMAND, args, source)))
    return seen


def row(rows: int, name: str, pairs: list[tuple[Sample, Sample]], previous: dict[str, tuple[int, float]]) -> str:
    wall = statistics.median(s.wall for _, s in pairs)
    ratios = [s.wall / b.wall for b, s in pairs]
    ratio = statistics.median(ratios)
    cpu_ratio = statistics.median(s.cpu / b.cpu for b, s in pairs)
    spread = target = slope = ""
    if name.removesuffix(BEFORE) in TARGETS:
        spread = f"{min(ratios):.2f}–{max(ratios):.2f}"
        if (
            rows >= 100_000 and name in TARGETS
        ):  # the issue sets its targets on 100k rows, where start-up no longer dominates
            met = ratio <= TARGETS[name] and cpu_ratio <= TARGETS[name]
            target = f"≤ {TARGETS[name]:.0f} {'✓' if met else '✗'}"
    if name in previous:
        before_rows, before = previous[name]
        slope = f"{(wall - before) / (rows - before_rows) * 1000:.3f}"
    previous[name] = rows, wall
    peak = max(s.peak for _, s in pairs)
    return (
        f"| {rows:,} | {name} | {wall:.2f} | {ratio:.2f} | {spread} | {cpu_ratio:.2f} | {target} | {peak:.0f} "
        f"| {wall / rows * 1000:.3f} | {slope} |"
    )


def heading() -> list[str]:
    """The first lines of a table in RESULTS.md: when, on what."""
    return [
        f"## {datetime.now():%Y-%m-%d %H:%M} — {platform.platform()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "",
    ]


def publish(lines: list[str]) -> None:
    """Print a finished table and append it to RESULTS.md."""
    table = "\n".join(lines) + "\n"
    print(table)
    with RESULTS.open("a", encoding="utf-8") as results:
        results.write("\n" + table)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--before", type=Path, help="source tree of another version, timed in the same rounds")
    options = parser.parse_args()
    today = date.today()
    lines = [
        *heading(),
        f"`python benchmarks/run.py --sizes {options.sizes} --runs {options.runs}"
        + (" --before SRC" if options.before else "")
        + f"`: {options.runs} interleaved "
        "rounds, each command a fresh process. × calamine = median of the per-round ratios to python-calamine "
        "reading the same file, by wall-clock time (with the range over rounds) and by CPU time; a target is "
        "met (✓) when both medians are within it. Peak = largest VmHWM of the command's own process.",
        "",
        "| rows | command | median s | × calamine | rounds' range | × calamine, CPU | target | peak MiB "
        "| s per 1k rows | marginal s per 1k rows |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    previous: dict[str, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for rows in (int(s) for s in options.sizes.split(",")):
            path = Path(folder) / f"team-{rows}.xlsx"
            team_workbook(path, rows, today)
            before = options.before.resolve() if options.before else None
            for name, pairs in rounds(path, Path(folder) / "out.xlsx", options.runs, before).items():
                lines.append(row(rows, name, pairs, previous))
                print(lines[-1], flush=True)
    publish(lines)


if __name__ == "__main__":
    main()
