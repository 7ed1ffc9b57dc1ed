"""Declaration types: what a sheet, a column, a choice list and a platform rule are.

Everything else (templates, header matching, validation, deadlines, handover
texts, the 设置 sheet) is derived from instances of these. A sheet, a choice
list and the rule book are classes whose attributes are their columns, values
and rules: logic names them as attributes (`RETURNS.tracking_no`,
`RETURN_RESULT.PENDING`, `RULES.unpaid_close`), so a misspelt or removed name
fails at import, under mypy or in the first test that runs it, never as a
silent `None`.
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import KW_ONLY, dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from workbook_tools.spec.figures import Figure
    from workbook_tools.spec.rowrules import (
        Approval,
        Archive,
        AtMost,
        Evidence,
        FollowUp,
        Forbidden,
        ListedBy,
        References,
        SumsTo,
    )


def folded(text: str) -> str:
    """A typed word as choice lists compare it: full-width forms as ASCII, no spaces, any case (「 pdd」 = 「PDD」)."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


def display_width(text: str) -> int:
    """Columns a text takes in Excel: CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class Kind(enum.Enum):
    """How a column's cells are read, checked and formatted."""

    TEXT = "text"
    ID = "id"  # order / tracking numbers: text, never a number
    DATE = "date"
    DATETIME = "datetime"
    INT = "int"
    MONEY = "money"
    RATE = "rate"
    CHOICE = "choice"
    PHONE = "phone"

    @property
    def number_format(self) -> str:
        """Excel number format: identifiers and text stay text, so 1.23E+18 cannot happen."""
        return _NUMBER_FORMATS.get(self, "@")

    @property
    def dated(self) -> bool:
        return self in (Kind.DATE, Kind.DATETIME)


_NUMBER_FORMATS = {
    Kind.DATE: "yyyy-mm-dd",
    Kind.DATETIME: "yyyy-mm-dd hh:mm",
    Kind.INT: "0",
    Kind.MONEY: "#,##0.00",
    Kind.RATE: "0.0%",
}


class Role(enum.Enum):
    """Who fills a column; the header colour follows it (seed 003 ch.2 §三)."""

    SERVICE = "客服"
    WAREHOUSE = "仓库"
    COMPUTED = "自动计算"

    @property
    def fill(self) -> str:
        """Header colour: light blue for customer service, red for the warehouse, grey when generated."""
        return {Role.SERVICE: "#DDEBF7", Role.WAREHOUSE: "#FF8080", Role.COMPUTED: "#D9D9D9"}[self]


class Unit(enum.Enum):
    """What a rule's number counts."""

    DAYS = "天"
    HOURS = "小时"
    MINUTES = "分钟"
    TIMES = "次"
    PHOTOS = "张"
    SWITCH = "1=是，0=否"  # a team's yes/no choice, not a quantity
    YUAN = "元"  # an amount of money

    @property
    def is_time(self) -> bool:
        return self in (Unit.DAYS, Unit.HOURS, Unit.MINUTES)


LIST_SEPARATOR = "、"  # between the values one cell lists (an attribute such as 可选接听情况)


class ChoiceList:
    """A drop-down list kept on the 设置 sheet so a team can edit it.

    A subclass declares its default entries as UPPER_CASE attributes, in order,
    so logic names a value (`ISSUE_STATE.CLOSED`) instead of repeating its text.
    `strict` lists make any other value a `bad_choice` error; open lists (agent
    names, carriers) only suggest. `attribute` is an optional second column kept
    beside the list on 设置, e.g. who pays postage for each 退回类型.
    """

    title: ClassVar[str]
    name: ClassVar[str]  # defined name in the workbook, ASCII
    strict: ClassVar[bool] = True
    attribute: ClassVar[str | None] = None
    attribute_values: ClassVar[tuple[str, ...]] = ()
    synonyms: ClassVar[dict[str, str]] = {}  # other words teams write for a value: read as that value
    retired: ClassVar[tuple[str, ...]] = ()  # values split or dropped: rows that hold them stay valid, never offered
    values: ClassVar[tuple[str, ...]]
    words: ClassVar[dict[str, str]]  # folded value or synonym -> value

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.values = tuple(v for k, v in vars(cls).items() if k.isupper() and isinstance(v, str))
        if cls.attribute and len(cls.attribute_values) != len(cls.values):
            raise TypeError(f"{cls.__name__}: one {cls.attribute} per value")
        if not set(cls.synonyms.values()) <= set(cls.values):
            raise TypeError(f"{cls.__name__}: a synonym must stand for one of the values")
        if set(cls.retired) & (set(cls.values) | set(cls.synonyms)):
            raise TypeError(f"{cls.__name__}: a retired value is neither a value nor a synonym")
        cls.words = {folded(w): v for w, v in (*cls.synonyms.items(), *((v, v) for v in cls.values))}

    @classmethod
    def read(cls, text: str) -> str:
        """The value a typed word stands for (a value or a synonym, whatever its width, spaces and case), else the
        word as typed (a team's own value, or a mistake validation reports)."""
        return cls.words.get(folded(text), text)

    def default_attributes(self) -> dict[str, str]:
        return dict(zip(self.values, self.attribute_values, strict=True))


@dataclass(frozen=True)
class Rule:
    """A platform time rule (domain.md) or a limit; the team may change `value` on 设置."""

    title: str
    value: float
    unit: Unit
    source: str  # the seed chapter as a team can look it up (shown in 设置's 依据 column)
    name: str  # defined name of the value cell, ASCII
    aliases: tuple[str, ...] = ()  # titles it had before: a team's 设置 still written with them is read as this rule
    key: str = field(default="", init=False)  # its attribute name in the rule book

    def __set_name__(self, owner: type, name: str) -> None:
        object.__setattr__(self, "key", name)

    def duration(self, value: float | None = None) -> timedelta:
        """The rule's time limit; `value` is the team's own number from 设置.

        Limits are counted in days, hours and minutes (never months), so a plain
        timedelta is exact, and adding it is cheap on a year of rows.
        """
        amount = self.value if value is None else value
        unit = {Unit.DAYS: "days", Unit.HOURS: "hours", Unit.MINUTES: "minutes"}.get(self.unit)
        if unit is None:
            raise ValueError(f"rule {self.key} counts {self.unit.value}, not time")
        return timedelta(**{unit: amount})


class RuleBook:
    """The rules a team can change on 设置; a subclass declares them as attributes, in order."""

    all: ClassVar[tuple[Rule, ...]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.all = tuple(v for v in vars(cls).values() if isinstance(v, Rule))
        names = [name for rule in cls.all for name in (rule.title, *rule.aliases)]
        if len(names) != len(set(names)):
            raise TypeError(f"{cls.__name__}: a rule title or former title names two rules")

    def by_title(self, title: str) -> Rule | None:
        """The rule a 设置 row (or a 时限规则 cell) names, by its title or a title it had before."""
        return next((rule for rule in self.all if title in (rule.title, *rule.aliases)), None)


@dataclass(frozen=True, eq=False)
class Column:
    """One column of a sheet; its attribute name on the sheet declaration is its `key`."""

    header: str
    kind: Kind = Kind.TEXT
    _: KW_ONLY
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: ChoiceList | None = None
    role: Role = Role.SERVICE
    formula: str | None = None  # Excel formula in table syntax; {t} is the table name
    hint: str = ""  # shown by Excel when a cell of the column is selected
    minimum: float | None = None
    personal: bool = False  # buyer's phone / address: masked in anything we generate
    required_when: tuple[Column, str] | None = None  # (other column, value)
    width: float | None = None
    wrap: bool = False  # long text: shown on several lines within the column's width, never cut off
    key: str = field(default="", init=False)
    sheet_key: str = field(default="", init=False, repr=False)

    def __set_name__(self, owner: type, name: str) -> None:
        if self.key:
            raise TypeError(f"column {self.header} is declared twice ({self.key}, {name})")
        object.__setattr__(self, "key", name)

    @property
    def computed(self) -> bool:
        return self.formula is not None

    @property
    def display_width(self) -> float:
        """A column width that fits the header (with its filter button) and typical values."""
        typical = {
            Kind.DATE: 12,
            Kind.DATETIME: 17,
            Kind.ID: 22,
            Kind.MONEY: 12,
            Kind.INT: 8,
            Kind.RATE: 9,
            Kind.PHONE: 15,
        }.get(self.kind, 12)
        return max(self.width or typical, display_width(self.header) + 4)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


class Sheet:
    """A sheet declaration: a subclass's Column attributes, in order, are its columns.

    Instances are the declarations (`RETURNS = Returns()`); a column belongs to
    exactly one sheet, and `column.sheet_key` says which.
    """

    title: ClassVar[str]  # canonical sheet name
    key: ClassVar[str]  # ASCII: template file name
    table: ClassVar[str]  # Excel table name
    aliases: ClassVar[tuple[str, ...]] = ()
    duplicate_key: ClassVar[tuple[Column, ...]] = ()  # columns that identify one registration
    description: ClassVar[str] = ""
    follow_up: ClassVar[FollowUp | None] = None  # how its rows become handover items
    evidence: ClassVar[Evidence | None] = None  # photos a kind of case needs
    listed_by: ClassVar[tuple[ListedBy, ...]] = ()  # columns whose value must fit another's (接听情况 by 催款方式)
    limits: ClassVar[tuple[AtMost, ...]] = ()  # a column that may not exceed another in its row
    forbidden: ClassVar[tuple[Forbidden, ...]] = ()  # states of a row that are a finding of their own
    sums: ClassVar[tuple[SumsTo, ...]] = ()  # columns that add up to another (良品数 + 次品数 = 数量)
    approval: ClassVar[Approval | None] = None  # money the lead approves above an amount (spec/rowrules.py)
    references: ClassVar[tuple[References, ...]] = ()  # columns that name a row of another sheet (回访表!12)
    names_rows: ClassVar[
        tuple[Column, ...]
    ] = ()  # columns whose text names ledger rows (退件表!12): the archive renames
    one_of: ClassVar[tuple[Column, ...]] = ()  # a row must fill at least one of these (it says who or what)
    figures: ClassVar[tuple[Figure, ...]] = ()  # what 日汇总 shows of it (spec/figures.py), computed for any sheet
    written: ClassVar[bool] = False  # the tool adds or replaces rows in it (so one sheet must be chosen)
    # closed rows (not open by `follow_up`) dated before the day `archive` is given move to the database;
    # a sheet without it is never archived
    archive: ClassVar[Archive | None] = None
    columns: ClassVar[tuple[Column, ...]]
    by_header: ClassVar[dict[str, Column]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.columns = tuple(v for v in vars(cls).values() if isinstance(v, Column))
        for column in cls.columns:
            object.__setattr__(column, "sheet_key", cls.key)
            if column.required_when and column.required_when[0] not in cls.columns:
                raise TypeError(f"{cls.__name__}.{column.key}: required_when names another sheet's column")
        if not set(cls.one_of) <= set(cls.columns):
            raise TypeError(f"{cls.__name__}: one_of names another sheet's column")
        if not {c for limit in cls.limits for c in (limit.column, limit.limit)} <= set(cls.columns):
            raise TypeError(f"{cls.__name__}: a limit names another sheet's column")
        if cls.archive is not None and (cls.archive.by not in cls.columns or not cls.archive.by.kind.dated):
            raise TypeError(f"{cls.__name__}: archive.by must be one of its own date columns")
        if not {c for rule in cls.forbidden for c in (rule.column, *rule.when.columns())} <= set(cls.columns):
            raise TypeError(f"{cls.__name__}: a forbidden state names another sheet's column")
        if not {c for rule in cls.sums for c in (*rule.parts, rule.total)} <= set(cls.columns):
            raise TypeError(f"{cls.__name__}: a sum names another sheet's column")
        if not {r.column for r in cls.references} | set(cls.names_rows) <= set(cls.columns):
            raise TypeError(f"{cls.__name__}: a reference is another sheet's column")
        cls.by_header = {c.header: c for c in cls.columns}

    def owns(self, column: Column) -> bool:
        return column.sheet_key == self.key

    def __repr__(self) -> str:
        return f"<sheet {self.key}>"
