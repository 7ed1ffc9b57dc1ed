"""Time and memory when a sheet's used range is far larger than the cells it holds (issue 13, "Size").

    python benchmarks/size.py [--runs 3] [--before SRC] [--timeout 300] [--memory-limit 4096]

Builds, in a temporary folder, a 100-row return ledger with an empty 交接表
(the baseline) and four files that differ from it only far out on 退件表:

  stray            one value at XFD1048576
  lying dimension  the sheet's <dimension> claims A1:XFD1048576
  million empty    1,048,476 more rows, formatted but empty, and one value at Z1048576 (~8 MB)
  million filled   a formula filled down column L to row 1,048,576, each holding its result 0 (~5 MB)

and runs validate, handover and daily-totals on each, every run a fresh
process under a memory limit (RLIMIT_AS) and a timeout. The table gives the
median wall-clock seconds over the runs, the largest peak memory of the
command's process (VmHWM, Linux) and how the runs ended; "× baseline" is the
median time over the same command's median on the baseline file. With
--before SRC (a source tree of another version, e.g. made with
`git archive <rev> | tar -x -C SRC`), each command also runs with that
version, for a before/after table. The table is printed and appended to
benchmarks/RESULTS.md. Not part of CI.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
import zipfile
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import xlsxwriter
from run import Sample, heading, measured, publish

LAST_ROW = 1_048_576
LEDGER_ROWS = 100
HEADER = ["日期", "物流单号", "订单编码", "ID号", "产品名称", "数量", "解决方案", "处理结果"]
DAY = date(2026, 11, 22)
AT = f"{DAY} 18:00"
CLI = """from workbook_tools.cli import main
    sys.argv = ["workbook-tools", *sys.argv[1:]]
    main()"""
SHEET = "xl/worksheets/sheet1.xml"


def ledger(path: Path) -> None:
    """The baseline: a return ledger of LEDGER_ROWS rows, every tenth still open, and an empty 交接表."""
    book = xlsxwriter.Workbook(path)
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    returns = book.add_worksheet("退件表")
    returns.write_row(0, 0, HEADER)
    returns.write(0, 11, "辅助列")
    for n in range(1, LEDGER_ROWS + 1):
        returns.write_datetime(n, 0, datetime(2026, 11, 1 + n % 20), day)
        result = None if n % 10 == 0 else "已退款"
        returns.write_row(n, 1, [f"SF{n:08d}", f"SO{n:08d}", f"买家{n}", "紧致眼霜 15g", 1, "退款", result])
    book.add_worksheet("交接表").write_row(0, 0, ["买家ID", "订单号", "交接处理", "交接人", "承接人", "时间", "状态"])
    book.close()


def with_sheet(source: Path, target: Path, change: Callable[[bytes], bytes]) -> None:
    """A copy of `source` whose 退件表 XML is changed by `change`."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            new.writestr(info, change(data) if info.filename == SHEET else data, zipfile.ZIP_DEFLATED)


def appended(rows: bytes, dimension: bytes | None = None) -> Callable[[bytes], bytes]:
    def change(xml: bytes) -> bytes:
        if dimension is not None:
            start = xml.index(b'<dimension ref="') + len(b'<dimension ref="')
            xml = xml[:start] + dimension + xml[xml.index(b'"', start) :]
        return xml.replace(b"</sheetData>", rows + b"</sheetData>")

    return change


def empty_rows() -> bytes:
    first = LEDGER_ROWS + 2
    rows = b"".join(
        b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/><c r="L%d" s="1"/></row>' % (n, n, n)
        for n in range(first, LAST_ROW)
    )
    return rows + b'<row r="%d"><c r="Z%d" t="inlineStr"><is><t>x</t></is></c></row>' % (LAST_ROW, LAST_ROW)


def filled_rows() -> bytes:
    first = LEDGER_ROWS + 2
    head = (
        b'<row r="%d"><c r="L%d" s="1"><f t="shared" ref="L%d:L%d" si="0">SUMIF(E:E,E%d,F:F)</f><v>0</v></c></row>'
        % (
            first,
            first,
            first,
            LAST_ROW,
            first,
        )
    )
    return head + b"".join(
        b'<row r="%d"><c r="L%d" s="1"><f t="shared" si="0"/><v>0</v></c></row>' % (n, n)
        for n in range(first + 1, LAST_ROW + 1)
    )


FILES: dict[str, Callable[[bytes], bytes] | None] = {
    "baseline": None,
    "stray": appended(b'<row r="%d"><c r="XFD%d" t="inlineStr"><is><t>x</t></is></c></row>' % (LAST_ROW, LAST_ROW)),
    "lying dimension": appended(b"", b"A1:XFD1048576"),
    "million empty": None,  # built on demand: the rows take a few seconds to write
    "million filled": None,
}
BUILDERS: dict[str, Callable[[], bytes]] = {"million empty": empty_rows, "million filled": filled_rows}


def build(folder: Path) -> dict[str, Path]:
    base = folder / "baseline.xlsx"
    ledger(base)
    paths = {"baseline": base}
    for name, change in FILES.items():
        if name == "baseline":
            continue
        paths[name] = folder / (name.replace(" ", "-") + ".xlsx")
        with_sheet(base, paths[name], change or appended(BUILDERS[name]()))
    return paths


def commands(path: Path, out: Path) -> dict[str, list[str]]:
    return {
        "validate": ["validate", str(path)],
        "handover": ["handover", str(path), "--from", "小美", "--to", "阿强", "--at", AT, "--out", str(out)],
        "daily-totals": ["daily-totals", str(path), "--date", str(DAY), "--at", AT, "--out", str(out)],
    }


def outcome(status: int | None, stderr: str) -> str:
    if status is None:
        return "timeout"
    if status in (0, 1):
        return "ran"
    if status == 2:
        return "refused: " + stderr.strip().splitlines()[-1][:60]
    if status < 0:
        return f"killed by signal {-status}" + (" (allocation failed)" if "memory allocation" in stderr else "")
    last = stderr.strip().splitlines()[-1] if stderr.strip() else ""
    return "crashed: " + last[:60]


def runs_of(args: list[str], runs: int, source: Path | None, timeout: float, limit: int) -> tuple[list[Sample], str]:
    env = dict(os.environ, PYTHONPATH=str(source)) if source else None
    samples, ended = [], ""

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    for _ in range(runs):
        sample, status, stderr = measured(CLI, args, env=env, timeout=timeout, preexec_fn=limited)
        ended = outcome(status, stderr)
        if sample is None or ended != "ran":
            return samples, ended  # a failed run is not repeated
        samples.append(sample)
    return samples, ended


def cell(samples: list[Sample], ended: str) -> tuple[str, str, str]:
    if not samples:
        return "", "", ended
    return f"{statistics.median(s.wall for s in samples):.2f}", f"{max(s.peak for s in samples):.0f}", ended


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", type=Path, help="source tree of another version to run beside this one")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per run")
    parser.add_argument("--memory-limit", type=int, default=4096, help="MiB of address space per run")
    options = parser.parse_args()
    limit = options.memory_limit * 2**20
    versions: list[tuple[str, Path | None]] = [("this version", None)]
    if options.before:
        versions.append(("before", options.before.resolve()))
    lines = [
        *heading(),
        f"`python benchmarks/size.py --runs {options.runs}"
        + (" --before SRC" if options.before else "")
        + f"`: median of {options.runs} runs, each a fresh process limited to {options.memory_limit} MiB of "
        f"address space and {options.timeout:.0f} s; peak = largest VmHWM; × baseline = median time over the "
        "same command's median on the 100-row baseline file.",
        "",
        "| file | MB | command | version | median s | × baseline | peak MiB | ended |",
        "| --- | ---: | --- | --- | ---: | ---: | ---: | --- |",
    ]
    with tempfile.TemporaryDirectory() as folder:
        paths = build(Path(folder))
        baseline: dict[tuple[str, str], float] = {}
        for name, path in paths.items():
            for command, args in commands(path, Path(folder) / "out.xlsx").items():
                for version, source in versions:
                    samples, ended = runs_of(args, options.runs, source, options.timeout, limit)
                    seconds, peak, ended = cell(samples, ended)
                    if name == "baseline" and samples:
                        baseline[(command, version)] = float(seconds)
                    base = baseline.get((command, version))
                    ratio = f"{float(seconds) / base:.1f}" if seconds and base else ""
                    size = f"{path.stat().st_size / 2**20:.1f}"
                    lines.append(
                        f"| {name} | {size} | {command} | {version} | {seconds} | {ratio} | {peak} | {ended} |"
                    )
                    print(lines[-1], flush=True)
    publish(lines)


if __name__ == "__main__":
    main()
