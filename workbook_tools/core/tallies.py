"""Groupings of ledger rows by period, made alike from a workbook's rows here and from the archive in its database.

A long view (周报, 月报) needs counts and sums of many months of rows. The
rows still in the workbook are tallied by `tally` below; the archived ones are
tallied by the database itself (store/tallies.py answers the same `Asked`
with GROUP BY), so a report never reads the archive row by row for a figure
that is a count or a sum. Both sides key a group by the index of the period
that holds the row and the values of the `by` columns, as the core reads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NamedTuple

from workbook_tools.core.figures import day_of
from workbook_tools.core.records import Record, WorkbookCheck
from workbook_tools.spec.types import Column, Kind, Sheet


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def holds(self, value: object) -> bool:
        day = day_of(value)
        return day is not None and self.first <= day <= self.last


@dataclass(frozen=True)
class Only:
    """Rows whose `column` holds one of `values`; with no values, rows where it is filled at all."""

    column: Column
    values: tuple[str, ...] = ()

    def admits(self, value: object) -> bool:
        return value in self.values if self.values else value is not None


@dataclass(frozen=True)
class Tally:
    """Rows of `sheet` counted by the period `dated` falls in and by the values of `by`; `summed` columns added up."""

    sheet: Sheet
    dated: Column
    by: tuple[Column, ...] = ()
    summed: tuple[Column, ...] = ()
    only: Only | None = None


@dataclass(frozen=True)
class Asked:
    """A tally over `periods`: consecutive, not overlapping, oldest first."""

    tally: Tally
    periods: tuple[Period, ...]


class Group(NamedTuple):
    rows: int
    totals: tuple[Any, ...]  # per summed column: the sum of its numbers (Decimal for money)
    filled: tuple[int, ...]  # per summed column: how many rows have a number there

    def plus(self, other: Group) -> Group:
        return Group(
            self.rows + other.rows,
            tuple(a + b for a, b in zip(self.totals, other.totals, strict=True)),
            tuple(a + b for a, b in zip(self.filled, other.filled, strict=True)),
        )


Counts = Mapping[tuple[Any, ...], Group]  # (period index, *by values) -> group


def zero(column: Column) -> Any:
    return Decimal("0") if column.kind is Kind.MONEY else 0


def tally(records: Iterable[Record], asked: Asked) -> dict[tuple[Any, ...], Group]:
    """`asked` over `records`, as the database answers it over archived rows."""
    t, periods = asked.tally, asked.periods
    first, last = periods[0].first, periods[-1].last
    sums: dict[tuple[Any, ...], list[Any]] = {}
    width = len(t.summed)
    for record in records:
        day = day_of(record[t.dated])
        if day is None or not first <= day <= last:
            continue
        if t.only is not None and not t.only.admits(record[t.only.column]):
            continue
        index = next(i for i, p in enumerate(periods) if day <= p.last)
        key = (index, *(record[c] for c in t.by))
        acc = sums.get(key)
        if acc is None:
            acc = sums[key] = [0, *map(zero, t.summed), *([0] * width)]
        acc[0] += 1
        for j, column in enumerate(t.summed):
            value = record[column]
            if isinstance(value, (int, Decimal, float)) and not isinstance(value, bool):
                acc[1 + j] += value
                acc[1 + width + j] += 1
    return {key: Group(a[0], tuple(a[1 : 1 + width]), tuple(a[1 + width :])) for key, a in sums.items()}


def counted(check: WorkbookCheck, asked: Asked) -> dict[tuple[Any, ...], Group]:
    """`asked` over the workbook's rows (and archived rows read one by one) plus what the archive tallied."""
    counts = tally(check.rows(asked.tally.sheet), asked)
    for key, group in check.archived_counts.get(asked, {}).items():
        counts[key] = counts[key].plus(group) if key in counts else group
    return counts


@dataclass(frozen=True)
class Reading:
    """What a command for one day (日汇总, 周报, 月报) reads of the archive: the rows of `sheets` from `first` to `last`
    one by one (and the other rows of their items), and `asked` tallied by the database."""

    first: date
    last: date
    sheets: tuple[Sheet, ...]
    asked: tuple[Asked, ...] = ()
