"""Checks across sheets (warnings): money paid out twice, buyers chased too often, parcels with no order."""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from workbook_tools.core.findings import Finding, finding
from workbook_tools.core.settings import Settings
from workbook_tools.spec.sheets import CHASE_DETAIL, QUALITY, RESENDS, RETURNS, RULES_BY_KEY, SheetSpec

if TYPE_CHECKING:
    from workbook_tools.core.validate import TableCheck


def _of(checks: tuple[TableCheck, ...], spec: SheetSpec) -> list[TableCheck]:
    return [c for c in checks if c.table.spec is spec]


def _refunds(checks: tuple[TableCheck, ...]) -> dict[str, str]:
    """Order code → where it was refunded (「退件表第 7 行」)."""
    refunded = {}
    for check in _of(checks, RETURNS):
        for r in check.records:
            order = r.values.get("订单编码")
            if order and (r.values.get("解决方案") == "退款" or r.values.get("处理结果") == "已退款"):
                refunded.setdefault(order, f"{check.table.sheet}第 {r.row} 行")
    return refunded


def double_compensation(checks: tuple[TableCheck, ...]) -> list[Finding]:
    """A refund and a resend, or a refund and a cash compensation, for one order (domain.md)."""
    refunded = _refunds(checks)
    found = []
    for check in _of(checks, RESENDS):
        if not check.table.has("原订单编码"):
            continue
        for r in check.records:
            order = r.values.get("原订单编码")
            if order in refunded:
                found.append(finding(check.table.sheet, r.row, check.table.columns["原订单编码"], "原订单编码",
                                     "double_compensation", value=order, other=refunded[order], what="重发"))
    for check in _of(checks, QUALITY):
        if not check.table.has("补偿金额"):
            continue
        for r in check.records:
            order, amount = r.values.get("订单编码"), r.values.get("补偿金额")
            if order in refunded and isinstance(amount, Decimal) and amount > 0:
                found.append(finding(check.table.sheet, r.row, check.table.columns["补偿金额"], "补偿金额",
                                     "double_compensation", value=order, other=refunded[order],
                                     what=f"补偿了 {amount} 元"))
    return found


def over_chased(checks: tuple[TableCheck, ...], settings: Settings) -> list[Finding]:
    """More chases of one buyer in a day than the rule allows (the ledger records the day, not the hour)."""
    limit = settings.rule(RULES_BY_KEY["max_chases"])
    found = []
    for check in _of(checks, CHASE_DETAIL):
        counts: dict[tuple, int] = defaultdict(int)
        for r in check.records:
            buyer, day = r.values.get("买家ID"), r.values.get("催款日期")
            if buyer and day:
                counts[(buyer, day)] += 1
                if counts[(buyer, day)] == int(limit) + 1:
                    found.append(finding(check.table.sheet, r.row, check.table.columns["买家ID"], "买家ID",
                                         "over_chased", value=buyer, day=day.isoformat(),
                                         count=counts[(buyer, day)], limit=limit))
    return found


def unmatched_parcels(checks: tuple[TableCheck, ...]) -> list[Finding]:
    """Returned parcels with no order code: 无主件, to be matched by tracking number."""
    found = []
    for check in _of(checks, RETURNS):
        column = "订单编码" if check.table.has("订单编码") else "物流单号"
        for r in check.records:
            if not r.values.get("订单编码") and "订单编码" not in r.bad:
                found.append(finding(check.table.sheet, r.row, check.table.columns[column], column,
                                     "unmatched_parcel"))
    return found


def cross_findings(checks: tuple[TableCheck, ...], settings: Settings) -> list[Finding]:
    return double_compensation(checks) + over_chased(checks, settings) + unmatched_parcels(checks)
