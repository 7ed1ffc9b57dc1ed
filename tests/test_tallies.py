"""A tally made by the database (GROUP BY over archived rows) equals the same tally made in Python over the same rows.

The report adds both parts, so any value that groups, filters or adds up
differently on one side is a wrong figure. Rows are drawn at random (a fixed
seed per case) with the values that tend to differ: blanks, words that differ
only by a space, money that floats cannot add exactly, and dates on the first
and last instant of each period; on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import and_, create_engine, insert

from workbook_tools.core.records import Record
from workbook_tools.core.tallies import Asked, Only, Period, Tally, tally
from workbook_tools.spec.lists import RETURN_TYPE
from workbook_tools.spec.sheets import CHASE_DETAIL, RETURNS
from workbook_tools.spec.types import Sheet
from workbook_tools.store import archive as store
from workbook_tools.store.schema import METADATA, RUNS, TABLES
from workbook_tools.store.tallies import tallied

R, C = RETURNS, CHASE_DETAIL
WEEKS = tuple(
    Period(date(2026, 10, 26) + timedelta(days=7 * n), date(2026, 11, 1) + timedelta(days=7 * n)) for n in range(3)
)
WINDOW = (Period(date(2026, 10, 30), date(2026, 11, 12)),)
WORDS = ("玫瑰喷雾", "玫瑰喷雾 ", "Rose", "rose", "", None)
MONEY = (Decimal("0.10"), Decimal("0.20"), Decimal("19.99"), Decimal("1234567.89"), Decimal("-5.00"), None)
CASES = [
    Asked(Tally(R, R.date, (R.product, R.return_type), (R.quantity,)), WEEKS),
    Asked(Tally(R, R.date, (R.product,), only=Only(R.return_type, (RETURN_TYPE.ALLERGY, RETURN_TYPE.CUSTOMER))), WEEKS),
    Asked(Tally(R, R.date, (R.buyer_id, R.order_no)), WINDOW),
    Asked(Tally(C, C.chased_at, (C.agent,), (C.amount,)), WEEKS),
    Asked(Tally(C, C.chased_at, (), (C.amount,), Only(C.agent)), WINDOW),
]


def _day(rnd: random.Random) -> date | None:
    """Mostly inside the weeks, often on their first or last day, sometimes outside them or blank."""
    edges = [d for p in WEEKS for d in (p.first, p.last)] + [
        WEEKS[0].first - timedelta(days=1),
        WEEKS[-1].last + timedelta(days=1),
    ]
    if rnd.random() < 0.5:
        return rnd.choice(edges)
    return None if rnd.random() < 0.05 else WEEKS[0].first + timedelta(days=rnd.randrange(-3, 25))


def _moment(rnd: random.Random) -> datetime | None:
    day = _day(rnd)
    if day is None:
        return None
    at = rnd.choice((time(), time(23, 59, 59), time(12, 30), time(23, 59, 59, 999_999)))
    return datetime.combine(day, at)


def _rows(spec: Sheet, seed: int, n: int = 400) -> list[dict[Any, Any]]:
    rnd = random.Random(seed)
    types = (RETURN_TYPE.ALLERGY, RETURN_TYPE.CUSTOMER, RETURN_TYPE.SHIPPING, None)
    if spec is R:
        return [
            {
                R.date: _day(rnd),
                R.product: rnd.choice(WORDS),
                R.return_type: rnd.choice(types),
                R.quantity: rnd.choice((1, 2, 3, 0, None)),
                R.buyer_id: rnd.choice(("买家A", "买家B", None)),
                R.order_no: rnd.choice(("SO1", "SO2", "SO3", None)),
            }
            for _ in range(n)
        ]
    return [
        {
            C.chased_at: _moment(rnd),
            C.agent: rnd.choice(WORDS),
            C.amount: rnd.choice(MONEY),
            C.order_no: f"4{rnd.randrange(50)}",
        }
        for _ in range(n)
    ]


@pytest.mark.parametrize("seed", [1, 2])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_database_tallies_archived_rows_as_the_core_tallies_them(tmp_path: Path, archive_db, seed: int, case: int):
    asked = CASES[case]
    spec = asked.tally.sheet
    rows = _rows(spec, seed)
    engine = create_engine(store.database(tmp_path / "book.xlsx", archive_db).url)
    identity = f"test-{tmp_path.name}-{seed}-{case}"  # the PostgreSQL database is the session's: rows of this test only
    with engine.begin() as connection:
        METADATA.create_all(connection)
        run = connection.execute(
            insert(RUNS).values(
                source_workbook=identity,
                source_path="x",
                before_day=date(2026, 12, 1),
                started_at=datetime(2026, 12, 1),
            )
        ).inserted_primary_key[0]
        table = TABLES[spec]
        connection.execute(
            insert(table),
            [
                {
                    "source_workbook": identity,
                    "source_name": "book.xlsx",
                    "source_sheet": spec.title,
                    "source_row": n + 2,
                    "archived_at": datetime(2026, 12, 1),
                    "archive_run": run,
                    "row_checksum": str(n),
                    "copy_no": 1,
                    "team_columns": "[]",
                    **{c.key: row.get(c) for c in spec.columns},
                }
                for n, row in enumerate(rows)
            ],
        )
        mine = and_(table.c.source_workbook == identity, table.c.archive_run <= run)
        in_database = tallied(connection, mine, asked, {c.name for c in table.columns})
    engine.dispose()
    in_python = tally([Record(spec, n + 2, row) for n, row in enumerate(rows)], asked)
    assert in_database == in_python
    assert sum(group.rows for group in in_python.values()) > len(rows) // 5  # not vacuous: most rows are counted
