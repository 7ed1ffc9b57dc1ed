"""Chased orders: each unpaid order counted once, however many chase rows it took and in whatever order they stand.

A chase row records one contact; the figures leads read are about orders: was
it recovered, by which chase, or did it close unpaid. Everything here is
decided by the rows' contents (dates, then the row's values), never by where a
row stands, so sorting the ledger never changes a figure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from workbook_tools.core.deadlines import Content, content, lapsed
from workbook_tools.core.records import Record
from workbook_tools.core.settings import Settings
from workbook_tools.spec.lists import CHASE_RESULT
from workbook_tools.spec.sheets import CHASE_DETAIL

C = CHASE_DETAIL


def chase_day(record: Record) -> date:
    """The day of a chase: figures are per day, whether or not the row says the hour."""
    moment = record[C.chased_at]
    return moment.date() if isinstance(moment, datetime) else date.min


def chase_order(record: Record) -> tuple[datetime, Content]:
    """The order in which chases happened: by 催款时间 (a day alone is its midnight), then by what the row holds."""
    return record[C.chased_at] or datetime.min, content(record)


@dataclass(frozen=True)
class ChasedOrder:
    order_no: str
    rows: tuple[Record, ...]  # its chase rows, in chase order
    paid_on: date | None  # the day it was paid, when it was
    recovered: Record | None  # the chase credited with the payment
    closed: Record | None  # its last chase, when it closed unpaid (marked closed, or the platform closed it)

    @property
    def paid_before_chase(self) -> bool:
        return self.paid_on is not None and self.recovered is None

    def chased_after_payment(self) -> list[Record]:
        """Chase rows dated after the payment: the buyer had paid already."""
        if self.paid_on is None:
            return []
        return [r for r in self.rows if chase_day(r) > self.paid_on]


def _outcome(order_no: str, rows: list[Record], settings: Settings, at: datetime | None) -> ChasedOrder:
    rows.sort(key=chase_order)
    paid_rows = [r for r in rows if r[C.result] == CHASE_RESULT.PAID]
    paid_times = [r[C.paid_at] for r in rows if isinstance(r[C.paid_at], datetime)]
    paid_on = None
    if paid_times:
        paid_on = min(paid_times).date()
    elif paid_rows:
        paid_on = min(map(chase_day, paid_rows))
    recovered = closed = None
    if paid_on is not None:
        before = [r for r in rows if chase_day(r) <= paid_on]
        if before:
            recovered = max(before, key=lambda r: (chase_day(r), r[C.result] == CHASE_RESULT.PAID, content(r)))
    elif at is not None and any(r[C.result] == CHASE_RESULT.CLOSED or lapsed(r, settings, at) for r in rows):
        closed = rows[-1]
    return ChasedOrder(order_no, tuple(rows), paid_on, recovered, closed)


def chased_orders(records: Iterable[Record], settings: Settings, at: datetime | None) -> dict[str, ChasedOrder]:
    """Every chased order by its number (rows without a number are not an order); closed as of `at`, if given."""
    rows: dict[str, list[Record]] = {}
    for record in records:
        if record[C.order_no] is not None:
            rows.setdefault(record[C.order_no], []).append(record)
    return {order: _outcome(order, group, settings, at) for order, group in rows.items()}
