"""Money the lead approves (Sheet.approval): which rows wait for it, as validation, the handover and 日汇总 see them."""

from __future__ import annotations

from decimal import Decimal

from workbook_tools.core.records import Record
from workbook_tools.core.settings import Settings
from workbook_tools.spec.rowrules import Approval, Get
from workbook_tools.spec.types import Column


def awaiting(get: Get, approval: Approval, settings: Settings) -> bool:
    """The row's amount is above the team's approval line and the lead has not approved it."""
    amount = get(approval.amount)
    return (
        amount is not None
        and amount > Decimal(str(settings.rule(approval.rule)))
        and get(approval.state) != approval.approved
    )


def counted(record: Record, column: Column, settings: Settings) -> object:
    """A row's money as a figure counts it: an amount waiting for the lead's approval counts as nothing yet."""
    approval = record.spec.approval
    if approval is not None and column is approval.amount and awaiting(record.__getitem__, approval, settings):
        return None
    return record[column]
