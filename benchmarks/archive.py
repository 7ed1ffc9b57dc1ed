"""The archive at scale: a year of ledgers for five shops, archived into SQLite and into PostgreSQL.

    python benchmarks/archive.py [--rows 100000] [--shops 5] [--runs 3] [--postgres URL]

Five team workbooks of `--rows` rows (benchmarks/run.py's generator, a year of
nearly all closed rows, each shop its own random seed) are archived with
`--before` 30 days ago: the first shop's workbook, in `--runs` interleaved
rounds, each a fresh process on a fresh copy, beside the python-calamine read of
the same workbook and `validate` of the workbook before and after archiving;
then every shop once into SQLite and into PostgreSQL (`--postgres`, else a
throwaway cluster as the tests start one, when Debian's postgresql is there).
Targets (issue 16 §3): archiving ≤ 3× the calamine read, validate ≥ 5× faster
after archiving, peak memory ≤ 1 GiB. The table is appended to
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


def _postgres(stack: ExitStack, folder: Path, given: str | None) -> str | None:
    if given:
        return given
    sys.path.insert(0, str(ROOT / "tests"))
    from postgres import binaries, cluster

    found = binaries()
    return stack.enter_context(cluster(found, folder / "postgres")) if found else None


def _archive(path: Path, before: date, db: str | None) -> Sample:
    return measure(COMMAND, ["archive", str(path), "--before", before.isoformat(), *(["--db", db] if db else [])])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--shops", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", help="a PostgreSQL URL; default: a throwaway cluster")
    options = parser.parse_args()
    today = date.today()
    before = today - timedelta(days=30)
    with tempfile.TemporaryDirectory() as name, ExitStack() as stack:
        folder = Path(name)
        shops = []
        for shop in range(options.shops):
            path = folder / f"shop{shop + 1}.xlsx"
            team_workbook(path, options.rows + shop, today)  # another seed per shop
            shops.append(path)
        postgres = _postgres(stack, folder, options.postgres)
        seen: dict[str, list[Sample]] = {}
        for n in range(options.runs):
            copy = folder / f"round{n}.xlsx"
            shutil.copyfile(shops[0], copy)
            seen.setdefault("calamine read", []).append(measure(CALAMINE, [str(copy)]))
            seen.setdefault("validate before", []).append(measure(COMMAND, ["validate", str(copy)]))
            seen.setdefault("archive (SQLite)", []).append(_archive(copy, before, None))
            seen.setdefault("validate after", []).append(measure(COMMAND, ["validate", str(copy)]))
            print({k: round(v[-1].wall, 2) for k, v in seen.items()}, flush=True)
        for path in shops:
            sqlite_copy, pg_copy = path.with_name("s-" + path.name), path.with_name("p-" + path.name)
            shutil.copyfile(path, sqlite_copy)
            seen.setdefault("archive every shop (SQLite)", []).append(_archive(sqlite_copy, before, None))
            if postgres:
                shutil.copyfile(path, pg_copy)
                seen.setdefault("archive every shop (PostgreSQL)", []).append(_archive(pg_copy, before, postgres))
            print({k: round(v[-1].wall, 2) for k, v in seen.items()}, flush=True)

    def median(name: str) -> float:
        return statistics.median(s.wall for s in seen[name])

    base = seen["calamine read"]
    ratio = statistics.median(a.wall / b.wall for a, b in zip(seen["archive (SQLite)"], base, strict=True))
    speedup = statistics.median(
        b.wall / a.wall for b, a in zip(seen["validate before"], seen["validate after"], strict=True)
    )
    peak = max(s.peak for samples in seen.values() for s in samples)
    lines = [
        *heading(),
        f"`python benchmarks/archive.py --rows {options.rows} --shops {options.shops} --runs {options.runs}`: "
        f"{options.shops} team workbooks of {options.rows:,} rows (a year, nearly all closed), `--before` "
        f"{before} (30 days back); the first shop in {options.runs} interleaved rounds on a fresh copy, each "
        "command a fresh process; then every shop once into SQLite and into PostgreSQL (a throwaway local cluster "
        "unless --postgres). Ratios are medians of the per-round ratios.",
        "",
        "| measure | median s | runs | peak MiB |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {name} | {median(name):.2f} | {len(samples)} | {max(s.peak for s in samples):.0f} |"
            for name, samples in seen.items()
        ),
        "",
        f"- archiving one workbook ÷ calamine read: {ratio:.2f}× (target ≤ {TARGETS['archive']:.0f}×) "
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
