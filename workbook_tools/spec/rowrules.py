"""Rules over one row of a sheet, declared beside it as data: when it is an open item, what it needs.

A `FollowUp` says when a row is still open, which platform rule its deadline
follows and from which column, and the two texts the next shift reads. The
texts are templates over the sheet's own column keys, checked against the
sheet when it is declared, so a renamed or removed column fails at import.

Template fields, in braces:
- `{key}`: the row's value of that column (as a message shows it);
- `{a|b|文字}`: the first of the alternatives that is filled: a column key, or
  text (the last alternative, which may be empty);
- `{key?文字}`: the text followed by the value, only when the value is filled;
- `{key.header}`: the column's header; `{sheet}`: the sheet's title;
- `{rules.key}`: the value of that rule in force (from 设置);
- `{until}`: in a `Quota`'s text only, when the quota allows a row again.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass
from datetime import timedelta
from typing import Any

from workbook_tools.spec.codes import Code
from workbook_tools.spec.types import Column, Rule, RuleBook, Sheet

Get = Callable[[Column], Any]  # a row's clean value of a column (None when blank)


class Condition:
    """A test on one row, evaluated by the core with the row's `get`."""

    def holds(self, get: Get) -> bool:
        raise NotImplementedError

    def columns(self) -> tuple[Column, ...]:
        raise NotImplementedError


class Always(Condition):
    def holds(self, get: Get) -> bool:
        return True

    def columns(self) -> tuple[Column, ...]:
        return ()


@dataclass(frozen=True)
class Is(Condition):
    """The column holds one of `values` (None stands for a blank cell)."""

    column: Column
    values: tuple[str | None, ...]

    def holds(self, get: Get) -> bool:
        return get(self.column) in self.values

    def columns(self) -> tuple[Column, ...]:
        return (self.column,)


@dataclass(frozen=True)
class Filled(Condition):
    column: Column

    def holds(self, get: Get) -> bool:
        return get(self.column) is not None

    def columns(self) -> tuple[Column, ...]:
        return (self.column,)


@dataclass(frozen=True)
class Not(Condition):
    condition: Condition

    def holds(self, get: Get) -> bool:
        return not self.condition.holds(get)

    def columns(self) -> tuple[Column, ...]:
        return self.condition.columns()


@dataclass(frozen=True)
class All(Condition):
    conditions: tuple[Condition, ...]

    def holds(self, get: Get) -> bool:
        return all(c.holds(get) for c in self.conditions)

    def columns(self) -> tuple[Column, ...]:
        return tuple(column for c in self.conditions for column in c.columns())


@dataclass(frozen=True)
class AnyOf(Condition):
    conditions: tuple[Condition, ...]

    def holds(self, get: Get) -> bool:
        return any(c.holds(get) for c in self.conditions)

    def columns(self) -> tuple[Column, ...]:
        return tuple(column for c in self.conditions for column in c.columns())


FIELD = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class Template:
    """Text with fields (see the module docstring); `check` proves every field names something declared."""

    text: str

    def fields(self) -> list[str]:
        return FIELD.findall(self.text)

    def check(self, sheet: Sheet, rules: RuleBook, extra: tuple[str, ...] = ()) -> None:
        keys = {c.key for c in sheet.columns}
        for spec in self.fields():
            if spec == "sheet" or spec in extra:
                continue
            if spec.startswith("rules."):
                if not any(rule.key == spec[6:] for rule in rules.all):
                    raise TypeError(f"{type(sheet).__name__}: template names an unknown rule {spec!r}")
                continue
            named = spec.split("|")[:-1] if "|" in spec else [re.split(r"[?.]", spec, maxsplit=1)[0]]
            for key in named:
                if key not in keys:
                    raise TypeError(f"{type(sheet).__name__}: template names an unknown column {key!r}")


@dataclass(frozen=True)
class Evidence:
    """Rows where `when` holds need at least `rule`'s number of photos in `photos` (a damaged parcel)."""

    when: Is
    photos: Column
    rule: Rule


@dataclass(frozen=True)
class ListedBy:
    """`column` holds one of the values that `by`'s value lists beside its choice list on 设置 (the 接听情况 a
    催款方式 can have); a value of `by` that lists nothing (or nothing `column`'s own list offers) allows any."""

    column: Column
    by: Column

    def check(self, sheet: Sheet) -> None:
        if not (sheet.owns(self.column) and sheet.owns(self.by)):
            raise TypeError(f"{type(sheet).__name__}: listed_by names another sheet's column")
        if self.column.choices is None or self.by.choices is None or self.by.choices.attribute is None:
            raise TypeError(f"{type(sheet).__name__}: {self.by.header} has no list with an attribute to list values")


@dataclass(frozen=True)
class AtMost:
    """A row's `column` may not exceed its `limit` column (a refund above the amount asked for): `code` if it does."""

    column: Column
    limit: Column
    code: Code

    def broken(self, value: Any, limit: Any) -> bool:
        return bool(value > limit)


@dataclass(frozen=True)
class AtLeast(AtMost):
    """A row's `column` may not come before its `limit` column (a return shipped before it was asked for)."""

    def broken(self, value: Any, limit: Any) -> bool:
        return bool(value < limit)


@dataclass(frozen=True)
class Approval:
    """Money in `amount` above a line needs the lead's approval (002 任务一: 退换货、退款金额、补偿需要售后主管审批):
    until `state` holds `approved`, the row is a finding `code`, a handover item for the lead due `within` after
    `since`, and its amount is left out of the money 日汇总 shows.

    The line is `above`: a rule's value on 设置 (补偿超过多少元需主管审批), another column of the row (a refund above
    the amount the buyer asked for), or None: any amount at all (a compensation beside a review)."""

    amount: Column
    state: Column
    approved: str
    since: Column
    above: Rule | Column | None
    within: Rule
    prefix: str  # 事项编号 prefix of the lead's items
    item_type: str
    describe: Template
    action: Template
    code: Code = "needs_approval"

    def check(self, sheet: Sheet, rules: RuleBook) -> None:
        line = (self.above,) if isinstance(self.above, Column) else ()
        for column in (self.amount, self.state, self.since, *line):
            if not sheet.owns(column):
                raise TypeError(f"{type(sheet).__name__}: approval names {column.header}, not one of its columns")
        if self.state.choices is None or self.approved not in self.state.choices.values:
            raise TypeError(f"{type(sheet).__name__}: {self.approved} is not a value of {self.state.header}")
        self.describe.check(sheet, rules)
        self.action.check(sheet, rules)


@dataclass(frozen=True)
class References:
    """`column` names a row of `sheet` as the handover's 来源 does (回访表!12, or the row number alone): `code` when
    no such row holds anything (a spot check of a 回访 call nobody recorded)."""

    column: Column
    sheet: Sheet
    code: Code


@dataclass(frozen=True)
class SumsTo:
    """Once any of `parts` is filled, they add up to `total` (良品数 + 次品数 = 数量): `code` if they do not."""

    parts: tuple[Column, ...]
    total: Column
    code: Code


@dataclass(frozen=True)
class Forbidden:
    """A row where `when` holds is a finding `code` at its `column` (a case closed while its claim is still open)."""

    when: Condition
    column: Column
    code: Code


@dataclass(frozen=True)
class Deadline:
    """`rule`'s time limit counted from the row's `start` column: each limit runs from its own event."""

    start: Column
    rule: Rule
    # when `start` is blank: the column holding the earliest moment the event can have been (its deadline is the
    # latest it can be, never none)
    otherwise: Column | None = None


@dataclass(frozen=True)
class Archive:
    """A sheet's closed rows may leave for the archive database once `by` (the day that dates a row) is old."""

    by: Column


ARCHIVED_MARK = "（已归档）"  # after a row named by its number that left for the archive: 退件表!12（已归档）


@dataclass(frozen=True)
class Case:
    """One kind of open row of a sheet: its deadline, its 事项类型 and the next step the SOP gives for it."""

    when: Condition
    deadline: Deadline
    item_type: str
    action: Template


@dataclass(frozen=True)
class Quota:
    """At most `limit`'s number of rows per `per` value within `window` (a buyer is chased at most 3 times in 24
    hours): once an item's quota is used up at the handover, the next shift reads `used_up` instead of the action,
    with `{until}`, the moment the quota allows a row again. A row whose `moment` is a day alone counts for that
    day."""

    per: Column
    moment: Column
    limit: Rule
    window: timedelta
    used_up: Template


@dataclass(frozen=True)
class FollowUp:
    """Which rows of a sheet are open items, their deadline, and what the next shift reads."""

    prefix: str  # 事项编号 prefix, ASCII, two letters
    item_type: str  # a value of the 事项类型 list
    _: KW_ONLY
    open_when: Condition
    deadline: Deadline
    key: tuple[Column, ...]  # identifies the item from shift to shift
    buyer: Column | None  # None: the item is no buyer's (a spot check of an agent's work)
    order: Column | None
    describe: Template
    action: Template
    price: Column | None = None
    order_status: tuple[tuple[Condition, str], ...] = ()  # first that holds gives 订单状态
    notes: tuple[tuple[Condition, str], ...] = ()  # texts appended to the description when they hold
    one_per: Column | None = None  # rows sharing this value are one item (an order chased on several days)
    latest_by: Column | None = None  # orders those rows: the item is the latest row that settles it, else the latest
    lapses: bool = False  # past its deadline the platform closes the item itself: no longer handed over
    cases: tuple[Case, ...] = ()  # the first that holds gives deadline, type and action instead of the above
    given_deadline: Column | None = None  # a deadline copied from the platform's backend: it always wins
    platform: Column | None = None  # whose rule values apply (设置 keeps one column per platform)
    # the key names one thing in the world (a platform's request number): rows sharing it are one item; otherwise
    # rows alike in every key column are each an item (two parcels alike), numbered apart
    unique: bool = False
    quota: Quota | None = None  # rows allowed per buyer (or other column) in a window: the action says when it is full

    def case(self, get: Get) -> Case:
        """What the row is: the first case that holds, else the follow-up's own deadline, type and action."""
        return next(
            (c for c in self.cases if c.when.holds(get)), Case(Always(), self.deadline, self.item_type, self.action)
        )

    def check(self, sheet: Sheet, rules: RuleBook) -> None:
        used = [self.deadline.start, *self.key, *self.open_when.columns()]
        optional = (self.buyer, self.order, self.price, self.one_per, self.latest_by, self.given_deadline)
        used += [c for c in (*optional, self.platform) if c]
        used += [c for condition, _ in (*self.order_status, *self.notes) for c in condition.columns()]
        used += [c for case in self.cases for c in (case.deadline.start, *case.when.columns())]
        used += [d.otherwise for d in (self.deadline, *(case.deadline for case in self.cases)) if d.otherwise]
        used += [self.quota.per, self.quota.moment] if self.quota else []
        for column in used:
            if not sheet.owns(column):
                raise TypeError(f"{type(sheet).__name__}: follow-up names {column.header}, not one of its columns")
        self.describe.check(sheet, rules)
        for template in (self.action, *(case.action for case in self.cases)):
            template.check(sheet, rules)
        if self.quota:
            self.quota.used_up.check(sheet, rules, extra=("until",))
