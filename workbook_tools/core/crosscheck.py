"""Checks across rows and sheets (warnings): money paid twice, buyers chased too often, chases after payment,
parcels with no order. Which row a finding points at never depends on the order of the rows."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal

from workbook_tools.core.chase import chase_order, chased_orders
from workbook_tools.core.deadlines import content
from workbook_tools.core.findings import Finding, finding
from workbook_tools.core.quota import plus, timed
from workbook_tools.core.records import Record, TableCheck
from workbook_tools.core.row_names import named_row
from workbook_tools.core.settings import Settings
from workbook_tools.core.values import moment_text
from workbook_tools.spec.codes import Code
from workbook_tools.spec.lists import REQUEST_STATE, RETURN_RESULT, RETURN_SOLUTION
from workbook_tools.spec.rowrules import ARCHIVED_MARK
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.sheets import AFTER_SALES, CHASE_DETAIL, QUALITY, RESENDS, RETURNS
from workbook_tools.spec.types import Column, Sheet

C = CHASE_DETAIL
DAY = timedelta(hours=24)  # the over-chase rule counts chases in 24 hours


def _of(checks: tuple[TableCheck, ...], spec: Sheet) -> list[TableCheck]:
    return [c for c in checks if c.table.spec is spec]


def _refunds(checks: tuple[TableCheck, ...]) -> dict[str, str]:
    """Order code → where it was refunded (「退件表第 7 行」): a return refunded, or a refund request refunded."""
    first: dict[str, tuple[tuple[object, ...], str]] = {}

    def refunded(check: TableCheck, r: Record, order: object, when: object) -> None:
        rank = (str(when), content(r))  # the earliest refund, whatever the order of the rows
        if isinstance(order, str) and order and (order not in first or rank < first[order][0]):
            first[order] = (rank, f"{check.table.sheet}第 {r.row} 行")

    for check in _of(checks, RETURNS):
        for r in check.records:
            if r[RETURNS.solution] == RETURN_SOLUTION.REFUND or r[RETURNS.result] == RETURN_RESULT.REFUNDED:
                refunded(check, r, r[RETURNS.order_no], r[RETURNS.date])
    a = AFTER_SALES
    for check in _of(checks, a):
        for r in check.records:
            paid = r[a.state] == REQUEST_STATE.REFUNDED or (isinstance(r[a.refund], Decimal) and r[a.refund] > 0)
            if paid and a.refunds.holds(r.__getitem__):
                refunded(check, r, r[a.order_no], r[a.refunded_at] or r[a.applied_at])
    return {order: where for order, (_, where) in first.items()}


def double_compensation(checks: tuple[TableCheck, ...]) -> list[Finding]:
    """A refund (of a return, or of an after-sales request) and a resend or a cash compensation for one order
    (domain.md)."""
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


def _near(first: Record, later: Record) -> bool:
    """Whether two chases of a buyer fall within the rule's 24 hours: by their times when both say the hour, else
    by their day (a row with a day only could have been any time of it)."""
    a: datetime = first[C.chased_at]
    b: datetime = later[C.chased_at]
    return b - a < DAY if timed(a) and timed(b) else a.date() == b.date()


def _bursts(rows: list[Record], limit: float) -> list[tuple[Record, list[Record]]]:
    """Each time a buyer's chases (in chase order) go over `limit` within 24 hours: the first chase over it, and the
    chases of that burst (the earliest chase within 24 hours of it, and those within 24 hours of that one)."""
    moments = [r[C.chased_at] for r in rows]
    found: list[tuple[Record, list[Record]]] = []
    start: int | None = None
    for i, chase in enumerate(rows):
        if start is not None and _near(rows[start], chase):
            continue  # part of the burst already reported
        earliest = bisect_right(moments, plus(moments[i], -DAY), hi=i)
        window = [j for j in range(earliest, i + 1) if _near(rows[j], chase)]
        if len(window) > limit:
            start = window[0]
            end = bisect_left(moments, plus(moments[start], DAY), lo=start)
            found.append((chase, [r for r in rows[start:end] if _near(rows[start], r)]))
    return found


def _span(chases: list[Record]) -> str:
    """When a burst happened: its day, or from its first to its last chase when they say the hour."""
    first, last = chases[0][C.chased_at], chases[-1][C.chased_at]
    if not (timed(first) and timed(last)):
        return moment_text(first.date())
    until = f"{last:%H:%M}" if first.date() == last.date() else moment_text(last)
    return f"{moment_text(first)} 至 {until}"


def over_chased(checks: tuple[TableCheck, ...], settings: Settings) -> list[Finding]:
    """More chases of one buyer within 24 hours than the rule allows: flagged once a burst, at the first chase over
    the limit. Rows with the hour count in a rolling 24 hours; a row with a day only counts with that day's chases."""
    if not settings.usable(RULES.max_chases):
        return []
    limit = settings.rule(RULES.max_chases)
    found = []
    for check in _of(checks, C):
        by_buyer: dict[str, list[Record]] = defaultdict(list)
        for r in check.records:
            if r[C.buyer_id] and r[C.chased_at]:
                by_buyer[r[C.buyer_id]].append(r)
        for buyer, rows in by_buyer.items():
            rows.sort(key=chase_order)
            found += [
                _flag(
                    check,
                    extra.row,
                    C.buyer_id,
                    "over_chased",
                    value=buyer,
                    when=_span(burst),
                    count=len(burst),
                    limit=limit,
                )
                for extra, burst in _bursts(rows, limit)
            ]
    return sorted(found, key=lambda f: f.row)


def paid_before_chase(checks: tuple[TableCheck, ...], settings: Settings) -> list[Finding]:
    """Chases of an order its buyer had already paid: not a recovery, and the row is probably mistyped."""
    found = []
    for check in _of(checks, C):
        for order in chased_orders(check.records, settings, None).values():
            found += [
                _flag(
                    check,
                    r.row,
                    C.order_no,
                    "paid_before_chase",
                    value=order.order_no,
                    paid=order.paid_on.isoformat() if order.paid_on else "",
                    day=moment_text(r[C.chased_at]),
                )
                for r in order.chased_after_payment()
            ]
    return sorted(found, key=lambda f: f.row)


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


def _named_row(value: object, sheets: set[str], rows: set[tuple[str, int]]) -> bool:
    """Whether a cell names one of `rows` (see row_names.named_row; the number alone when one sheet holds them), or a
    row the archive holds (「回访表!12（已归档）」)."""
    text = str(value).strip()
    found = named_row(text.removesuffix(ARCHIVED_MARK))
    if found is None or not (found[0] or len(sheets) == 1):
        return False
    sheet = found[0] or next(iter(sheets))
    return text.endswith(ARCHIVED_MARK) or (sheet, found[1]) in rows


def broken_references(checks: tuple[TableCheck, ...]) -> list[Finding]:
    """Cells that should name a row of another sheet (Sheet.references) and name none that holds anything, when the
    workbook holds that sheet."""
    found = []
    for check in checks:
        for reference in check.table.spec.references:
            if not check.table.has(reference.column):
                continue
            targets = _of(checks, reference.sheet)
            if not targets:
                continue  # the rows named are in another workbook: nothing here to say they are missing
            sheets = {t.table.sheet for t in targets}
            rows = {(t.table.sheet, r.row) for t in targets for r in t.records}
            found += [
                _flag(
                    check,
                    r.row,
                    reference.column,
                    reference.code,
                    value=r[reference.column],
                    title=min(sheets),  # the sheet as the team named it (an alias: 回访登记表)
                )
                for r in check.records
                if r[reference.column] is not None and not _named_row(r[reference.column], sheets, rows)
            ]
    return found


def cross_findings(checks: tuple[TableCheck, ...], settings: Settings) -> list[Finding]:
    return (
        double_compensation(checks)
        + over_chased(checks, settings)
        + paid_before_chase(checks, settings)
        + unmatched_parcels(checks)
        + broken_references(checks)
    )
