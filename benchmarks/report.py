"""A monthly report over a year of five shops' archived rows, beside reading those rows into pandas with read_sql.

    python benchmarks/report.py [--rows 100000] [--shops 5] [--runs 5] [--postgres URL] [--before SRC]

Five team workbooks of `--rows` rows (benchmarks/run.py's generator, a year of
nearly all closed rows, each shop its own seed) are archived, everything
closed before 30 days ago, into one SQLite file and into one PostgreSQL
database (`--postgres`, else a throwaway cluster as the tests start one) —
about 450k archived rows in each. Then, in `--runs` interleaved rounds, each a
fresh process: `report` of the first shop for this month (its trend reaches
eight months back) against each database, and the naive way: pandas'
`read_sql` of every archive table, all shops' rows, which a report built on
dataframes would start from (the baseline does not even group them or read the
workbook). Target (issue 16 §3): the report takes less time than that read;
peak memory ≤ 1 GiB. `--before SRC` times another version's source tree
(`git archive REV | tar -x -C SRC`) making the same report in the same rounds.
The table is appended to benchmarks/RESULTS.md. Not part of CI.
"""

from __future__ import annotations

import shutil
import statistics
import tempfile
from contextlib import ExitStack
from pathlib import Path

from archive import postgres_url, samples_table, scale_options
from run import COMMAND, Sample, heading, measure, publish, team_workbook
from sqlalchemy import create_engine, func, inspect, select, table

TARGET_PEAK = 1024.0
READ_SQL = """import pandas, sqlalchemy
    engine = sqlalchemy.create_engine(sys.argv[1])
    with engine.connect() as connection:
        names = [n for n in sqlalchemy.inspect(connection).get_table_names() if n.startswith("archive_")]
        frames = [pandas.read_sql(f"SELECT * FROM {n}", connection) for n in names if n != "archive_runs"]
    sys.stderr.write(f"ROWS {sum(len(f) for f in frames)}")"""


def _driver(url: str) -> str:
    """The URL as SQLAlchemy takes it with the driver we install (psycopg 3, not psycopg2)."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _archived_rows(url: str) -> int:
    engine = create_engine(_driver(url))
    with engine.connect() as connection:
        names = [n for n in inspect(connection).get_table_names() if n.startswith("archive_") and n != "archive_runs"]
        total = sum(connection.execute(select(func.count()).select_from(table(n))).scalar_one() for n in names)
    engine.dispose()
    return total


def main() -> None:
    options = scale_options(runs=5)
    source, today, before = options.source, options.today, options.cutoff
    with tempfile.TemporaryDirectory() as name, ExitStack() as stack:
        folder = Path(name)
        postgres = postgres_url(stack, options.postgres)
        databases = {"SQLite": f"sqlite:///{folder / 'group.sqlite'}", **({"PostgreSQL": postgres} if postgres else {})}
        copies: dict[str, Path] = {}
        for shop in range(options.shops):
            path = folder / f"shop{shop + 1}.xlsx"
            team_workbook(path, options.rows + shop, today)  # another seed per shop
            for kind, url in databases.items():
                copy = folder / kind / path.name
                copy.parent.mkdir(exist_ok=True)
                shutil.copyfile(path, copy)
                measure(COMMAND, ["archive", str(copy), "--before", before.isoformat(), "--db", url])
                copies.setdefault(kind, copy)
            print(f"shop {shop + 1} archived", flush=True)
        archived = {kind: _archived_rows(url) for kind, url in databases.items()}
        seen: dict[str, list[Sample]] = {}
        for _ in range(options.runs):
            for kind, url in databases.items():
                report = ["report", str(copies[kind]), "--period", "month", "--db", url, "--json"]
                out = ["--out", str(folder / f"report-{kind}.xlsx"), "--force"]
                seen.setdefault(f"read_sql ({kind})", []).append(measure(READ_SQL, [_driver(url)]))
                seen.setdefault(f"report ({kind})", []).append(measure(COMMAND, report + out))
                if source:
                    seen.setdefault(f"report ({kind}), --before version", []).append(
                        measure(COMMAND, report + out, source)
                    )
            print({k: round(v[-1].wall, 2) for k, v in seen.items()}, flush=True)

    lines = [
        *heading(),
        f"`python benchmarks/report.py --rows {options.rows} --shops {options.shops} --runs {options.runs}"
        + (" --before SRC" if source else "")
        + "`: "
        f"{options.shops} team workbooks of {options.rows:,} rows archived (closed before {before}) into one SQLite "
        f"file ({archived['SQLite']:,} archived rows)"
        + (f" and one PostgreSQL database ({archived['PostgreSQL']:,})" if postgres else "")
        + f"; then {options.runs} interleaved rounds, each a fresh process: the monthly report of the first shop "
        "(8 months of trend) against read_sql of every archived row into pandas. Ratios are medians of the "
        "per-round ratios.",
        "",
        *samples_table(seen),
        "",
    ]
    for kind in databases:
        pairs = zip(seen[f"report ({kind})"], seen[f"read_sql ({kind})"], strict=True)
        ratio = statistics.median(a.wall / b.wall for a, b in pairs)
        lines.append(
            f"- {kind}: the monthly report ÷ read_sql of the archived rows: {ratio:.2f}× (target < 1) "
            f"{'✓' if ratio < 1 else '✗'}"
        )
    peak = max(s.peak for name, samples in seen.items() if name.startswith("report") for s in samples)
    met = "✓" if peak <= TARGET_PEAK else "✗"
    lines.append(f"- peak memory of the report, either version: {peak:.0f} MiB (target ≤ {TARGET_PEAK:.0f}) {met}")
    if postgres is None:
        lines.append("- PostgreSQL: not installed here, not measured.")
    publish(lines)


if __name__ == "__main__":
    main()
