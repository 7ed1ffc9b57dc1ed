"""Open items and their platform deadlines (domain.md, "Platform time rules").

Every ledger row that still needs someone becomes an `OpenItem` with the time by
which it must be done and what happens if it is not. Which rows, which rule and
which texts is declared with each sheet (`Sheet.follow_up`); the rule values
come from the workbook's 设置 sheet when the team changed them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from decimal import Decimal
from functools import total_ordering

from workbook_tools.core.approval import awaiting
from workbook_tools.core.quota import free_again
from workbook_tools.core.records import Record, TableCheck, WorkbookCheck
from workbook_tools.core.settings import Settings
from workbook_tools.core.texts import render
from workbook_tools.core.values import moment_text
from workbook_tools.spec.lists import HANDOVER_STATE, ITEM_TYPE
from workbook_tools.spec.rowrules import Approval, FollowUp
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.sheets import AFTER_SALES, HANDOVER, RETURNS
from workbook_tools.spec.types import Rule


@dataclass(frozen=True, kw_only=True)
class OpenItem:
    key: str  # 事项编号: the same item gets the same key on every run
    sheet: str
    row: int
    item_type: str
    buyer_id: str | None
    order_no: str | None
    order_status: str | None
    price: Decimal | None
    description: str
    action: str  # what the next shift must do, without the deadline
    due_at: datetime | None
    has_errors: bool = False

    @property
    def source(self) -> str:
        return f"{self.sheet}!{self.row}"

    def overdue(self, at: datetime) -> bool:
        return self.due_at is not None and self.due_at <= at


def is_manual(key: str) -> bool:
    """An item that was typed into 交接表 itself: only an agent can close it, never a ledger."""
    return key.startswith(HANDOVER.manual_prefix + "-")


KEY_DIGITS = 10  # 40 bits: a collision is unlikely below a million open items (and resolved if it happens)


def item_key(prefix: str, *parts: object) -> str:
    """事项编号: the same item gets the same number on every run, whatever the order of the rows."""
    digest = hashlib.sha1("|".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}-{digest[:KEY_DIGITS].upper()}"


def is_legacy(key: str) -> bool:
    """A 事项编号 written by the first version (six hex digits), matched by its 来源 instead."""
    digits = key.partition("-")[2]
    return len(digits) == 6 and all(ch in "0123456789ABCDEF" for ch in digits)


@total_ordering
class Content:
    """A row by what it holds, not where it stands: the last key of every ordering of rows, so row order never
    matters. Its text is worked out only when the keys before it tie: it sits in the key of every row of a
    year's ledgers, and most never get that far."""

    __slots__ = ("_record", "_texts")

    def __init__(self, record: Record) -> None:
        self._record = record
        self._texts: tuple[str, ...] | None = None

    def texts(self) -> tuple[str, ...]:
        if self._texts is None:
            held = self._record.values
            self._texts = tuple(["" if (v := held.get(c)) is None else str(v) for c in self._record.spec.columns])
        return self._texts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Content) and self.texts() == other.texts()

    def __lt__(self, other: Content) -> bool:
        return self.texts() < other.texts()

    __hash__ = None  # type: ignore[assignment]  # compared, never a key


def content(record: Record) -> Content:
    return Content(record)


def after(
    start: date | datetime | None, rule: Rule, settings: Settings, platform: str | None = None
) -> datetime | None:
    """The moment `rule`'s limit runs out, counted from `start` (a day counts from its midnight); none when
    that is past the calendar's end (a start like 9999-12-31, which validation reports as unlikely_date)."""
    if start is None:
        return None
    begin = start if isinstance(start, datetime) else datetime.combine(start, time())
    try:
        return begin + settings.duration(rule, platform)
    except OverflowError:
        return None


def due(record: Record, follow_up: FollowUp, settings: Settings) -> datetime | None:
    """The row's deadline: the one copied from the platform's backend when there is one, else its case's rule
    counted from its case's event, with the values of the row's platform."""
    if follow_up.given_deadline is not None and isinstance(record[follow_up.given_deadline], datetime):
        given: datetime = record[follow_up.given_deadline]
        return given
    deadline = follow_up.case(record.__getitem__).deadline
    platform = record[follow_up.platform] if follow_up.platform is not None else None
    start = record[deadline.start]
    if start is None and deadline.otherwise is not None:
        start = record[deadline.otherwise]
    return after(start, deadline.rule, settings, platform)


def lapsed(record: Record, settings: Settings, at: datetime) -> bool:
    """Whether the platform closed the row's item itself: its deadline passed and it lapses (FollowUp.lapses)."""
    follow_up = record.spec.follow_up
    if follow_up is None or not follow_up.lapses:
        return False
    deadline = due(record, follow_up, settings)
    return deadline is not None and deadline <= at


def deciding_rows(records: tuple[Record, ...], follow_up: FollowUp) -> list[Record]:
    """One row per `one_per` value: the latest (by `latest_by`) that settles the item, else the latest."""
    assert follow_up.one_per is not None
    groups: dict[object, list[Record]] = {}
    for record in records:
        if record[follow_up.one_per] is not None:
            groups.setdefault(record[follow_up.one_per], []).append(record)

    def rank(record: Record) -> tuple[bool, str, Content]:
        latest = record[follow_up.latest_by] if follow_up.latest_by is not None else None
        settled = not follow_up.open_when.holds(record.__getitem__)
        return settled, "" if latest is None else str(latest), content(record)

    return [max(group, key=rank) for group in groups.values()]


def _key(record: Record, follow_up: FollowUp) -> str:
    return item_key(follow_up.prefix, *(record[c] for c in follow_up.key))


def _one_per_item(records: Iterable[Record], follow_up: FollowUp, settings: Settings, at: datetime) -> list[Record]:
    """The open rows; one per item where the key is unique (a request registered twice is still one thing to do).
    Rows whose key is incomplete stay apart (validation asks for the missing value)."""
    chosen: dict[str, Record] = {}
    apart = []
    for r in records:
        if not follow_up.open_when.holds(r.__getitem__) or lapsed(r, settings, at):
            continue
        if not follow_up.unique or any(r[c] is None for c in follow_up.key):
            apart.append(r)
            continue
        key = _key(r, follow_up)
        if key not in chosen or content(r) < content(chosen[key]):
            chosen[key] = r
    return sorted([*chosen.values(), *apart], key=lambda r: r.row)


def _followed(check: TableCheck, follow_up: FollowUp, settings: Settings, at: datetime) -> list[OpenItem]:
    spec = check.table.spec
    records = deciding_rows(check.records, follow_up) if follow_up.one_per else check.records
    quota = follow_up.quota
    sharing: dict[object, list[Record]] = {}  # rows by the quota's `per` value (a buyer's chases of every order)
    if quota:
        for r in check.records:
            sharing.setdefault(r[quota.per], []).append(r)
    items = []
    for r in _one_per_item(records, follow_up, settings, at):
        get = r.__getitem__
        deadline = due(r, follow_up, settings)
        case = follow_up.case(get)
        notes = "".join(text for condition, text in follow_up.notes if condition.holds(get))
        action = render(case.action, spec, get, settings)
        if quota and r[quota.per] is not None:
            until = free_again(quota, sharing[r[quota.per]], settings, at)
            if until is not None:
                action = render(quota.used_up, spec, get, settings, {"until": moment_text(until)})
        items.append(
            OpenItem(
                key=_key(r, follow_up),
                sheet=check.table.sheet,
                row=r.row,
                item_type=case.item_type,
                buyer_id=r[follow_up.buyer] if follow_up.buyer else None,
                order_no=r[follow_up.order] if follow_up.order else None,
                order_status=next(
                    (status for condition, status in follow_up.order_status if condition.holds(get)), None
                ),
                price=r[follow_up.price] if follow_up.price else None,
                description=render(follow_up.describe, spec, get, settings) + notes,
                action=action,
                due_at=deadline,
                has_errors=r.has_errors,
            )
        )
    return items


def _approvals(check: TableCheck, approval: Approval, settings: Settings) -> list[OpenItem]:
    """Money waiting for the lead's approval: one item per row, for the lead, from the row's `since`."""
    spec = check.table.spec
    follow_up = spec.follow_up
    items = []
    for r in check.records:
        get = r.__getitem__
        if not awaiting(get, approval, settings):
            continue
        items.append(
            OpenItem(
                key=item_key(approval.prefix, *(r[c] for c in spec.duplicate_key or spec.columns)),
                sheet=check.table.sheet,
                row=r.row,
                item_type=approval.item_type,
                buyer_id=r[follow_up.buyer] if follow_up and follow_up.buyer else None,
                order_no=r[follow_up.order] if follow_up and follow_up.order else None,
                order_status=None,
                price=r[approval.amount],
                description=render(approval.describe, spec, get, settings),
                action=render(approval.action, spec, get, settings),
                due_at=after(r[approval.since], approval.within, settings),
                has_errors=r.has_errors,
            )
        )
    return items


def _item_rule(item_type: str | None, settings: Settings) -> Rule | None:
    title = settings.attribute(ITEM_TYPE, item_type) if item_type else None
    return RULES.by_title(title) if title else None


def _manual(check: TableCheck, settings: Settings) -> list[OpenItem]:
    """Rows an agent typed into 交接表: open while 待处理; the deadline is theirs, or their 事项类型's rule."""
    h = HANDOVER
    items = []
    for r in check.records:
        number = r[h.item_no]
        if r[h.state] in (HANDOVER_STATE.PASSED_ON, HANDOVER_STATE.DONE) or (number and not is_manual(number)):
            continue  # open unless handed on or done; rows handed over from a ledger are that ledger's item
        rule = _item_rule(r[h.item_type], settings)
        deadline = r[h.due_at] or (after(r[h.at], rule, settings) if rule else None)
        items.append(
            OpenItem(
                key=number or item_key(h.manual_prefix, r[h.buyer_id], r[h.order_no], r[h.instruction], r[h.at]),
                sheet=check.table.sheet,
                row=r.row,
                item_type=r[h.item_type] or ITEM_TYPE.OTHER,
                buyer_id=r[h.buyer_id],
                order_no=r[h.order_no],
                order_status=r[h.order_status],
                price=r[h.price],
                description=r[h.details] or "",
                action=r[h.instruction] or "",
                due_at=deadline,
                has_errors=r.has_errors,
            )
        )
    return items


def open_items(check: WorkbookCheck, at: datetime) -> list[OpenItem]:
    """Every open item of the workbook, most urgent first."""
    items: list[OpenItem] = []
    for table_check in check.tables:
        spec = table_check.table.spec
        if spec.follow_up is not None:
            items += _followed(table_check, spec.follow_up, check.settings, at)
        elif spec is HANDOVER:
            items += _manual(table_check, check.settings)
        if spec.approval is not None:
            items += _approvals(table_check, spec.approval, check.settings)
    items = _linked(items, returned_parcels(check))
    far = datetime.max
    return _distinct(sorted(items, key=lambda i: (i.due_at or far, i.key, i.description, i.action)))


def returned_parcels(check: WorkbookCheck) -> dict[str, str]:
    """Each after-sales request (售后单!7) → the row of 退件表 its parcel came back as (退件表!12).

    Only requests that send a parcel back (AfterSales.returns_parcel) are matched, by the return's tracking number,
    else by the order (AfterSales.return_parcel);
    of several rows the earliest registered, whatever the order of the rows.
    """
    a = AFTER_SALES
    returns = [(t.table.sheet, r) for t in check.of(RETURNS) for r in t.records]
    found: dict[str, str] = {}
    for mine, theirs in a.return_parcel:
        index: dict[object, list[tuple[str, Record]]] = {}
        for sheet, parcel in returns:
            if parcel[theirs] is not None:
                index.setdefault(parcel[theirs], []).append((sheet, parcel))
        for table in check.of(a):
            for r in table.records:
                source = f"{table.table.sheet}!{r.row}"
                if source not in found and r[mine] in index and a.returns_parcel.holds(r.__getitem__):
                    sheet, parcel = min(index[r[mine]], key=lambda p: (str(p[1][RETURNS.date]), content(p[1])))
                    found[source] = f"{sheet}!{parcel.row}"
    return found


def _linked(items: list[OpenItem], parcels: dict[str, str]) -> list[OpenItem]:
    """A request and its returned parcel name each other; the parcel's deadline runs from the buyer's shipment
    when the request knows it (退件表 only knows the day the parcel was registered)."""
    requests = {parcel: request for request, parcel in parcels.items()}
    by_source = {item.source: item for item in items}
    linked = []
    for item in items:
        if item.source in parcels:
            note = AFTER_SALES.parcel_note.format(source=parcels[item.source])
            linked.append(replace(item, description=item.description + note))
        elif item.source in requests:
            request = by_source.get(requests[item.source])
            due_at = item.due_at
            if request is not None and request.item_type == ITEM_TYPE.RETURN and request.due_at is not None:
                due_at = min(request.due_at, due_at or request.due_at)
            note = AFTER_SALES.request_note.format(source=requests[item.source])
            linked.append(replace(item, description=item.description + note, due_at=due_at))
        else:
            linked.append(item)
    return linked


def _distinct(items: list[OpenItem]) -> list[OpenItem]:
    """Two items with one 事项编号 (rows alike in every column the number is made of) get -2, -3…: none is lost."""
    seen: dict[str, int] = {}
    distinct = []
    for item in items:
        seen[item.key] = seen.get(item.key, 0) + 1
        distinct.append(item if seen[item.key] == 1 else replace(item, key=f"{item.key}-{seen[item.key]}"))
    return distinct
