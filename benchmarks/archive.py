"""The archive at scale: a year of ledgers for five shops, archived into SQLite and into PostgreSQL.

    python benchmarks/archive.py [--rows 100000] [--shops 5] [--runs 3] [--postgres URL] [--before SRC]

Five team workbooks of `--rows` rows (benchmarks/run.py's generator, a year of
nearly all closed rows, each shop its own random seed) are archived with
`--before` 30 days ago: the first shop's workbook, in `--runs` interleaved
rounds, each a fresh process on a fresh copy, beside the python-calamine read of
the same workbook and `validate` of the workbook before and after archiving;
then every shop once into SQLite and into PostgreSQL (`--postgres`, else a
throwaway cluster as the tests start one, when Debian's postgresql is there).
`--before SRC` times another version's source tree (`git archive REV | tar -x -C SRC`) archiving its own
fresh copy in the same rounds. Every copy is in a folder of its own (the SQLite archive is one file per
folder). Targets (issue 16 §3): archiving ≤ 3× the calamine read, validate ≥ 5× faster
after archiving, peak memory ≤ 1 GiB. A second table splits the archive's time into its phases, as the
command reports them with WORKBOOK_TOOLS_TIMES=1. The table is appended to
benchmarks/RESULTS.md. Not part of CI.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

from run import CALAMINE, COMMAND, Sample, heading, measure, publish, team_workbook

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"archive": 3.0, "speedup": 5.0, "peak": 1024.0}
OTHER = ", --before version"  # the other version's rows: beside, not measured against the targets


def postgres_url(stack: ExitStack, given: str | None) -> str | None:
    """`given`, else a throwaway cluster as the tests start one (when Debian's postgresql is installed), else None."""
    if given:
        return given
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres import binaries, cluster

    found = binaries()
    return stack.enter_context(cluster(found)) if found else None


def _archive(
    path: Path,
    before: date,
    db: str | None,
    source: Path | None = None,
    phases: list[list[tuple[str, float]]] | None = None,
) -> Sample:
    args = ["archive", str(path), "--before", before.isoformat(), *(["--db", db] if db else [])]
    return measure(COMMAND, args, source, phases)


def phases_table(phases: list[list[tuple[str, float]]], base: list[Sample]) -> list[str]:
    """Where the archive's time goes, as the command tells it (WORKBOOK_TOOLS_TIMES): each phase's median seconds
    and its median share of the same round's calamine read; what is left is starting Python and the imports."""
    lines = ["| phase of the archive | median s | × calamine |", "| --- | ---: | ---: |"]
    rounds = [dict(run) for run in phases]
    for name in dict.fromkeys(name for run in phases for name, _ in run):  # in order; a round may lack one
        pairs = [(run[name], b.wall) for run, b in zip(rounds, base, strict=True) if name in run]
        seconds = statistics.median(s for s, _ in pairs)
        lines.append(f"| {name} | {seconds:.2f} | {statistics.median(s / b for s, b in pairs):.2f} |")
    return lines


def _copy(source: Path, folder: Path) -> Path:
    """`source` in a folder of its own: its SQLite archive is its alone."""
    folder.mkdir()
    return Path(shutil.copyfile(source, folder / source.name))


def scale_options(runs: int) -> argparse.Namespace:
    """What the scale benchmarks (this one and report.py) are told: the rows of a year, the shops, the rounds, a
    PostgreSQL server and another version's source tree (`source`, resolved); with the day the year ends (`today`)
    and the archive's cut-off, 30 days back (`cutoff`)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--postgres", help="a PostgreSQL URL; default: a throwaway cluster")
    parser.add_argument("--before", type=Path, help="source tree of another version, timed in the same rounds")
    options = parser.parse_args()
    options.source = options.before.resolve() if options.before else None
    options.today = date.today()
    options.cutoff = options.today - timedelta(days=30)
    return options


def samples_table(seen: dict[str, list[Sample]]) -> list[str]:
    """Each measure's median wall and CPU seconds, its runs and its largest peak memory, as a Markdown table."""
    return [
        "| measure | median s | median CPU s | runs | peak MiB |",
        "| --- | ---: | ---: | ---: | ---: |",
        *(
            f"| {name} | {statistics.median(s.wall for s in samples):.2f} "
            f"| {statistics.median(s.cpu for s in samples):.2f} | {len(samples)} | {max(s.peak for s in samples):.0f} |"
            for name, samples in seen.items()
        ),
    ]


def main() -> None:
    options = scale_options(runs=3)
    source, today, before = options.source, options.today, options.cutoff
    with tempfile.TemporaryDirectory() as name, ExitStack() as stack:
        folder = Path(name)
        shops = []
        for shop in range(options.shops):
            path = folder / f"shop{shop + 1}.xlsx"
            team_workbook(path, options.rows + shop, today)  # another seed per shop
            shops.append(path)
        postgres = postgres_url(stack, options.postgres)
        seen: dict[str, list[Sample]] = {}
        phases: list[list[tuple[str, float]]] = []
        for n in range(options.runs):
            copy = _copy(shops[0], folder / f"round{n}")
            seen.setdefault("calamine read", []).append(measure(CALAMINE, [str(copy)]))
            seen.setdefault("validate before", []).append(measure(COMMAND, ["validate", str(copy)]))
            if source:
                other = _copy(shops[0], folder / f"round{n}-before")
                seen.setdefault(f"archive (SQLite){OTHER}", []).append(_archive(other, before, None, source))
            seen.setdefault("archive (SQLite)", []).append(_archive(copy, before, None, phases=phases))
            seen.setdefault("validate after", []).append(measure(COMMAND, ["validate", str(copy)]))
            print({k: round(v[-1].wall, 2) for k, v in seen.items()}, flush=True)
        for n, path in enumerate(shops):
            sqlite_copy = _copy(path, folder / f"sqlite{n}")
            seen.setdefault("archive every shop (SQLite)", []).append(_archive(sqlite_copy, before, None))
            if postgres:
                pg_copy = _copy(path, folder / f"postgres{n}")
                seen.setdefault("archive every shop (PostgreSQL)", []).append(_archive(pg_copy, before, postgres))
            print({k: round(v[-1].wall, 2) for k, v in seen.items()}, flush=True)

    base = seen["calamine read"]
    ratio = statistics.median(a.wall / b.wall for a, b in zip(seen["archive (SQLite)"], base, strict=True))
    cpu_ratio = statistics.median(a.cpu / b.cpu for a, b in zip(seen["archive (SQLite)"], base, strict=True))
    speedup = statistics.median(
        b.wall / a.wall for b, a in zip(seen["validate before"], seen["validate after"], strict=True)
    )
    peak = max(s.peak for name, samples in seen.items() if OTHER not in name for s in samples)
    lines = [
        *heading(),
        f"`python benchmarks/archive.py --rows {options.rows} --shops {options.shops} --runs {options.runs}"
        + (" --before SRC" if source else "")
        + "`: "
        f"{options.shops} team workbooks of {options.rows:,} rows (a year, nearly all closed), `--before` "
        f"{before} (30 days back); the first shop in {options.runs} interleaved rounds on a fresh copy, each "
        "command a fresh process; then every shop once into SQLite and into PostgreSQL (a throwaway local cluster "
        "unless --postgres). Ratios are medians of the per-round ratios.",
        "",
        *samples_table(seen),
        "",
        *phases_table(phases, base),
        "",
        f"- archiving one workbook ÷ calamine read: {ratio:.2f}× ({cpu_ratio:.2f}× by CPU time; target ≤ "
        f"{TARGETS['archive']:.0f}×) "
        f"{'✓' if ratio <= TARGETS['archive'] else '✗'}",
        f"- validate before ÷ after archiving: {speedup:.1f}× faster (target ≥ {TARGETS['speedup']:.0f}×) "
        f"{'✓' if speedup >= TARGETS['speedup'] else '✗'}",
        f"- peak memory of any command: {peak:.0f} MiB (target ≤ {TARGETS['peak']:.0f}) "
        f"{'✓' if peak <= TARGETS['peak'] else '✗'}",
    ]
    if postgres is None:
        lines.append("- PostgreSQL: not installed here, not measured.")
    publish(lines)


if __name__ == "__main__":
    main()
