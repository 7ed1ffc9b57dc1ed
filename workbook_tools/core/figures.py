"""The figures sheets declare for 日汇总 (spec/figures.py), computed the same way for every sheet.

Rows with validation errors are left out, as for every figure of 日汇总: they
are listed among the rows not counted instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from workbook_tools.core.deadlines import OpenItem
from workbook_tools.core.records import Record, WorkbookCheck
from workbook_tools.spec.figures import Count, Figure, Open, Total
from workbook_tools.spec.sheets import LEDGERS
from workbook_tools.spec.types import Sheet

Value = int | float


def day_of(value: object) -> date | None:
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None


def money_sum(values: Iterable[object]) -> Decimal:
    return sum((v for v in values if isinstance(v, Decimal)), Decimal("0"))


@dataclass(frozen=True)
class DeclaredFigure:
    """One declared figure's value on the day and over the trend window (an `Open` figure: now, in both)."""

    sheet: Sheet
    figure: Figure
    day: Value
    window: Value


def _measure(figure: Count, rows: list[Record]) -> Value:
    if isinstance(figure, Total):
        return float(money_sum(r[figure.amount] for r in rows))
    return len(rows)


def _counted(figure: Count, rows: list[Record], days: list[date]) -> tuple[Value, Value]:
    window = set(days)
    held = [r for r in rows if day_of(r[figure.on]) in window and figure.when.holds(r.__getitem__)]
    return _measure(figure, [r for r in held if day_of(r[figure.on]) == days[-1]]), _measure(figure, held)


def declared_figures(
    check: WorkbookCheck, days: list[date], items: list[OpenItem], at: datetime, specs: tuple[Sheet, ...] = LEDGERS
) -> list[DeclaredFigure]:
    """Every figure of every declared sheet the workbook holds; `days` is the trend window, the day itself last."""
    found = []
    for spec in specs:
        tables = check.of(spec)
        if not spec.figures or not tables:
            continue
        rows = check.rows(spec)
        sheets = {t.table.sheet for t in tables}
        mine = [i for i in items if i.sheet in sheets]
        for figure in spec.figures:
            if isinstance(figure, Open):
                kept = [
                    i for i in mine if figure.item_type in (None, i.item_type) and (i.overdue(at) or not figure.overdue)
                ]
                now: Value = float(money_sum(i.price for i in kept)) if figure.amount else len(kept)
                found.append(DeclaredFigure(spec, figure, now, now))
            elif isinstance(figure, Count):
                found.append(DeclaredFigure(spec, figure, *_counted(figure, rows, days)))
    return found


def figures_json(figures: list[DeclaredFigure]) -> dict[str, dict[str, Value]]:
    """daily-totals --json's `registers`: the day's value of each figure, by sheet key and figure key."""
    result: dict[str, dict[str, Value]] = {}
    for f in figures:
        result.setdefault(f.sheet.key, {})[f.figure.key] = f.day
    return result


def figure_sheets() -> tuple[Sheet, ...]:
    return tuple(spec for spec in LEDGERS if spec.figures)
