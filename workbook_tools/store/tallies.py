"""The archive's part of a report's tallies (core/tallies.py), made by the database with GROUP BY.

One statement per tally: the rows of one workbook whose dated column falls in
the asked periods are grouped by the period that holds them (a CASE over the
periods' bounds) and by the tally's columns, inside the database; only the
groups come back. The same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, func, null, select

from workbook_tools.core.tallies import Asked, Group, Period, zero
from workbook_tools.spec.types import Column, Kind
from workbook_tools.store.schema import TABLES


def _bounds(column: Column, period: Period) -> tuple[date | datetime, date | datetime]:
    if column.kind is Kind.DATETIME:
        return datetime.combine(period.first, time()), datetime.combine(period.last, time.max)
    return period.first, period.last


def _total(column: Column, value: Any) -> Any:
    """A sum as the core makes it: Decimal for money (PostgreSQL sums whole numbers as numeric too)."""
    if value is None:
        return zero(column)
    return Decimal(value) if column.kind is Kind.MONEY else int(value)


def tallied(connection: Connection, mine: Any, asked: Asked, held: Container[str]) -> dict[tuple[Any, ...], Group]:
    """`asked` over the archived rows `mine` selects (a condition on the tally's sheet's table); a column the
    table does not hold (declared after the archive was made, and no run since) reads as blank."""
    t = asked.tally
    table = TABLES[t.sheet]

    def column(declared: Column) -> ColumnElement[Any]:
        return table.c[declared.key] if declared.key in held else null()

    dated = column(t.dated)
    spans = [_bounds(t.dated, p) for p in asked.periods]
    conditions: list[ColumnElement[bool]] = [mine, dated.between(spans[0][0], spans[-1][1])]
    if t.only is not None:
        only = column(t.only.column)
        conditions.append(only.in_(t.only.values) if t.only.values else only.is_not(None))
    period = case(*((dated.between(low, high), i) for i, (low, high) in enumerate(spans)))
    inner = (
        select(
            period.label("period"),
            *(column(c).label(f"by_{i}") for i, c in enumerate(t.by)),
            *(column(c).label(f"summed_{j}") for j, c in enumerate(t.summed)),
        )
        .where(and_(*conditions))
        .subquery()
    )
    keys = [inner.c.period, *(inner.c[f"by_{i}"] for i in range(len(t.by)))]
    summed = [inner.c[f"summed_{j}"] for j in range(len(t.summed))]
    query = select(*keys, func.count(), *map(func.sum, summed), *map(func.count, summed)).group_by(*keys)
    width, groups = len(t.summed), {}
    for row in connection.execute(query):
        key, rows, rest = tuple(row[: len(keys)]), row[len(keys)], row[len(keys) + 1 :]
        totals = tuple(_total(c, v) for c, v in zip(t.summed, rest[:width], strict=True))
        groups[key] = Group(int(rows), totals, tuple(int(n) for n in rest[width:]))
    return groups
