"""Money the lead approves (Sheet.approval): which rows wait for it, as validation, the handover and 日汇总 see them."""

from __future__ import annotations

from decimal import Decimal

from workbook_tools.core.records import Record
from workbook_tools.core.settings import Settings
from workbook_tools.spec.rowrules import Approval, Get
from workbook_tools.spec.types import Column


def line(get: Get, approval: Approval, settings: Settings) -> Decimal | None:
    """The amount above which the row's money needs approval: the team's rule, the row's own column (None when
    blank: nothing to compare with), or nothing (any amount)."""
    if isinstance(approval.above, Column):
        value = get(approval.above)
        return value if isinstance(value, Decimal) else None
    return Decimal(str(settings.rule(approval.above))) if approval.above is not None else Decimal("0")


def awaiting(get: Get, approval: Approval, settings: Settings) -> bool:
    """The row's amount is above its approval line and the lead has not approved it."""
    amount, most = get(approval.amount), line(get, approval, settings)
    return amount is not None and most is not None and amount > most and get(approval.state) != approval.approved


def counted(record: Record, column: Column, settings: Settings) -> object:
    """A row's money as a figure counts it: an amount waiting for the lead's approval counts as nothing yet."""
    approval = record.spec.approval
    if approval is not None and column is approval.amount and awaiting(record.__getitem__, approval, settings):
        return None
    return record[column]
