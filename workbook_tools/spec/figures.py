"""The 日汇总 figures a sheet declares: what a lead reads about it each day, computed by the core for any sheet.

A sheet lists its figures (`Sheet.figures`); core/figures.py computes each of
them for the day and for the trend window, 日汇总 shows one overview row per
figure (its `label`) and `daily-totals --json` holds them under `registers`,
by the sheet's key and the figure's `key`. A new register needs no code of its
own for its figures: it declares them.

- `Count`: rows dated on the day (by `on`) where `when` holds;
- `Total`: the sum of a money column over those rows (its label says 元);
- `Open`: the sheet's open items now (its `FollowUp`), or those overdue now.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbook_tools.spec.rowrules import Always, Condition
from workbook_tools.spec.types import Column, Kind, Sheet


@dataclass(frozen=True)
class Figure:
    key: str  # ASCII: its key in daily-totals --json
    label: str  # the overview row of 日汇总

    def check(self, sheet: Sheet) -> None:
        if not self.key.isascii() or not self.key.isidentifier():
            raise TypeError(f"{type(sheet).__name__}: figure key {self.key!r} is not an ASCII name")

    @property
    def now(self) -> bool:
        """A figure of the moment 日汇总 is made (the same beside the day and the trend window)."""
        return False


@dataclass(frozen=True)
class Count(Figure):
    """Rows dated on the day by `on` where `when` holds (every row dated then, by default)."""

    on: Column
    when: Condition = field(default_factory=Always)

    def columns(self) -> tuple[Column, ...]:
        return (self.on, *self.when.columns())

    def check(self, sheet: Sheet) -> None:
        super().check(sheet)
        if not self.on.kind.dated:
            raise TypeError(f"{type(sheet).__name__}: figure {self.key} counts by {self.on.header}, not a date")
        for column in self.columns():
            if not sheet.owns(column):
                raise TypeError(f"{type(sheet).__name__}: figure {self.key} names {column.header} of another sheet")


@dataclass(frozen=True)
class Total(Count):
    """The sum of `amount` over the rows a `Count` with the same `on` and `when` counts."""

    amount: Column = field(kw_only=True)

    def columns(self) -> tuple[Column, ...]:
        return (*super().columns(), self.amount)

    def check(self, sheet: Sheet) -> None:
        super().check(sheet)
        if self.amount.kind is not Kind.MONEY:
            raise TypeError(f"{type(sheet).__name__}: figure {self.key} adds up {self.amount.header}, not money")


@dataclass(frozen=True)
class Open(Figure):
    """The sheet's open items when 日汇总 is made (its follow-up's rows), or only those past their deadline; of one
    事项类型 only when `item_type` is given (money waiting for approval); `amount` adds up their amounts instead."""

    overdue: bool = False
    item_type: str | None = None
    amount: bool = False

    @property
    def now(self) -> bool:
        return True

    def check(self, sheet: Sheet) -> None:
        super().check(sheet)
        if sheet.follow_up is None and sheet.approval is None:
            raise TypeError(f"{type(sheet).__name__}: figure {self.key} counts open items, but nothing follows up")


def count_label(subject: str, unit: str) -> str:
    return f"{subject}（{unit}）"


def money_label(subject: str) -> str:
    return f"{subject}（元）"


def open_label(title: str, overdue: bool = False) -> str:
    """As 日汇总 names 售后单's: 「未处理售后单（当前）」, 「已超时售后单（当前）」."""
    return f"{'已超时' if overdue else '未处理'}{title}（当前）"
