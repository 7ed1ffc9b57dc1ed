"""Checks across sheets (warnings): money paid out twice, buyers chased too often, parcels with no order."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from workbook_tools.core.findings import Finding, finding
from workbook_tools.core.records import TableCheck
from workbook_tools.core.settings import Settings
from workbook_tools.spec.codes import Code
from workbook_tools.spec.lists import RETURN_RESULT, RETURN_SOLUTION
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.sheets import CHASE_DETAIL, QUALITY, RESENDS, RETURNS
from workbook_tools.spec.types import Column, Sheet


def _of(checks: tuple[TableCheck, ...], spec: Sheet) -> list[TableCheck]:
    return [c for c in checks if c.table.spec is spec]


def _refunds(checks: tuple[TableCheck, ...]) -> dict[str, str]:
    """Order code → where it was refunded (「退件表第 7 行」)."""
    refunded: dict[str, str] = {}
    for check in _of(checks, RETURNS):
        for r in check.records:
            order = r[RETURNS.order_no]
            if order and (r[RETURNS.solution] == RETURN_SOLUTION.REFUND or r[RETURNS.result] == RETURN_RESULT.REFUNDED):
                refunded.setdefault(order, f"{check.table.sheet}第 {r.row} 行")
    return refunded


def double_compensation(checks: tuple[TableCheck, ...]) -> list[Finding]:
    """A refund and a resend, or a refund and a cash compensation, for one order (domain.md)."""
    refunded = _refunds(checks)
    refund = RETURN_SOLUTION.REFUND
    found = []
    for check in _of(checks, RESENDS):
        if not check.table.has(RESENDS.order_no):
            continue
        for r in check.records:
            order = r[RESENDS.order_no]
            if order in refunded:
                found.append(
                    _flag(
                        check,
                        r.row,
                        RESENDS.order_no,
                        "double_compensation",
                        value=order,
                        other=refunded[order],
                        refund=refund,
                        what=RETURN_SOLUTION.RESEND,
                    )
                )
    for check in _of(checks, QUALITY):
        if not check.table.has(QUALITY.compensation):
            continue
        for r in check.records:
            order, amount = r[QUALITY.order_no], r[QUALITY.compensation]
            if order in refunded and isinstance(amount, Decimal) and amount > 0:
                found.append(
                    _flag(
                        check,
                        r.row,
                        QUALITY.compensation,
                        "double_compensation",
                        value=order,
                        other=refunded[order],
                        refund=refund,
                        what=f"补偿了 {amount} 元",
                    )
                )
    return found


def _flag(check: TableCheck, row: int, column: Column, code: Code, **fields: object) -> Finding:
    return finding(check.table.sheet, row, check.table.columns[column], column.header, code, **fields)


def over_chased(checks: tuple[TableCheck, ...], settings: Settings) -> list[Finding]:
    """More chases of one buyer in a day than the rule allows (the ledger records the day, not the hour)."""
    limit = settings.rule(RULES.max_chases)
    found = []
    for check in _of(checks, CHASE_DETAIL):
        counts: dict[tuple[object, object], int] = defaultdict(int)
        for r in check.records:
            buyer, day = r[CHASE_DETAIL.buyer_id], r[CHASE_DETAIL.chased_on]
            if buyer and day:
                counts[(buyer, day)] += 1
                if counts[(buyer, day)] == int(limit) + 1:
                    found.append(
                        _flag(
                            check,
                            r.row,
                            CHASE_DETAIL.buyer_id,
                            "over_chased",
                            value=buyer,
                            day=day.isoformat(),
                            count=counts[(buyer, day)],
                            limit=limit,
                        )
                    )
    return found


def unmatched_parcels(checks: tuple[TableCheck, ...]) -> list[Finding]:
    """Returned parcels with no order code: 无主件, to be matched by tracking number."""
    found = []
    names = {"missing": RETURNS.order_no.header, "tracking": RETURNS.tracking_no.header}
    for check in _of(checks, RETURNS):
        column = RETURNS.order_no if check.table.has(RETURNS.order_no) else RETURNS.tracking_no
        found += [
            _flag(check, r.row, column, "unmatched_parcel", **names)
            for r in check.records
            if not r[RETURNS.order_no] and RETURNS.order_no not in r.bad
        ]
    return found


def cross_findings(checks: tuple[TableCheck, ...], settings: Settings) -> list[Finding]:
    return double_compensation(checks) + over_chased(checks, settings) + unmatched_parcels(checks)
