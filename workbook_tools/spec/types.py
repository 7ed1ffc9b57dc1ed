"""Declaration types: what a sheet, a column, a choice list and a platform rule are.

Everything else (templates, header matching, validation, the 设置 sheet) is derived
from instances of these, so a new column is one line in `sheets.py`.
"""
from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta


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
        return {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "int": "0", "money": "#,##0.00",
                "rate": "0.0%"}.get(self.value, "@")


class Role(enum.Enum):
    """Who fills a column; the header colour follows it (seed 003 ch.2 §三)."""

    SERVICE = "客服"
    WAREHOUSE = "仓库"
    COMPUTED = "自动计算"

    @property
    def fill(self) -> str:
        """Header colour: light blue for customer service, red for the warehouse, grey when generated."""
        return {"客服": "#DDEBF7", "仓库": "#FF8080", "自动计算": "#D9D9D9"}[self.value]


@dataclass(frozen=True)
class ChoiceList:
    """A drop-down list kept on the 设置 sheet so a team can edit it.

    `strict` lists make any other value a `bad_choice` error; open lists (agent
    names, carriers) only suggest. `attribute` is an optional second column kept
    beside the list, e.g. who pays postage for each 退回类型.
    """

    title: str
    name: str  # defined name in the workbook, ASCII
    values: tuple[str, ...]
    strict: bool = True
    attribute: str | None = None
    attribute_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    """A platform time rule (domain.md); the team may change `value` on 设置."""

    key: str
    title: str
    value: float
    unit: str  # 天 / 小时 / 分钟 / 次
    source: str
    name: str  # defined name of the value cell, ASCII

    def duration(self, value: float | None = None) -> timedelta:
        """The rule's time limit; `value` is the team's own number from 设置.

        Limits are counted in days, hours and minutes (never months), so a plain
        timedelta is exact, and adding it is cheap on a year of rows.
        """
        amount = self.value if value is None else value
        unit = {"天": "days", "小时": "hours", "分钟": "minutes"}.get(self.unit)
        if unit is None:
            raise ValueError(f"rule {self.key} counts {self.unit}, not time")
        return timedelta(**{unit: amount})


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = Kind.TEXT
    aliases: tuple[str, ...] = ()
    required: bool = False
    choices: ChoiceList | None = None
    role: Role = Role.SERVICE
    formula: str | None = None  # Excel formula in table syntax; {t} is the table name
    hint: str = ""  # shown by Excel when a cell of the column is selected
    minimum: float | None = None
    personal: bool = False  # buyer's phone / address: masked in anything we generate
    required_when: tuple[str, str] | None = None  # (other column, value)
    width: float | None = None

    @property
    def computed(self) -> bool:
        return self.formula is not None

    @property
    def display_width(self) -> float:
        """A column width that fits the header (with its filter button) and typical values."""
        typical = {Kind.DATE: 12, Kind.DATETIME: 17, Kind.ID: 22, Kind.MONEY: 12, Kind.INT: 8,
                   Kind.RATE: 9, Kind.PHONE: 15}.get(self.kind, 12)
        return max(self.width or typical, display_width(self.header) + 4)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.header, *self.aliases)


@dataclass(frozen=True)
class SheetSpec:
    title: str  # canonical sheet name
    key: str  # ASCII: template file name, Excel table name
    table: str
    columns: tuple[Column, ...]
    aliases: tuple[str, ...] = ()
    duplicate_key: tuple[str, ...] = ()  # columns that identify one registration
    description: str = ""
    by_header: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_header", {c.header: c for c in self.columns})

    def column(self, header: str) -> Column:
        return self.by_header[header]
