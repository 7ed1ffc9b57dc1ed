"""The 设置 sheet as the team keeps it: their choice lists, rule values and shift roster.

A workbook without 设置, or a list left empty, falls back to the declared
defaults, so validation never depends on a sheet the team may have deleted.
The layout is the one declared in spec/settings_sheet.py; the reader finds
each part by its header, so a team may move things around.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from workbook_tools.core.tables import Grid, cell_name, normalize_header
from workbook_tools.core.values import EXCEL_EPOCH, UNCALCULATED, BadValue, is_blank, parse_rate, read_date_time
from workbook_tools.errors import UnusableSetting
from workbook_tools.spec.lists import PLATFORM
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.settings_sheet import SETTINGS
from workbook_tools.spec.types import ChoiceList, Rule, Unit

_MIDNIGHT = re.compile(r"24[:：]00(?:[:：]00)?")  # a shift ending at midnight, as leads type it
_TIME_FIX = "请写成 08:00 这样的时间（半夜 12 点写 24:00）"
_LISTED = re.compile(r"[、,，;；/\s]+")  # between the values one 设置 cell lists, as teams separate them

# The largest value a rule may hold. The platforms' longest limit is weeks (domain.md); past these a
# value is a slip of the keyboard, and a deadline computed from it may not even be a date.
LARGEST = {
    Unit.DAYS: 366,
    Unit.HOURS: 366 * 24,
    Unit.MINUTES: 366 * 24 * 60,
    Unit.TIMES: 1000,
    Unit.PHOTOS: 100,
    Unit.SWITCH: 1,
    Unit.YUAN: 1_000_000,
}
COUNTS = {Unit.TIMES: 1, Unit.PHOTOS: 0}  # units that count things: whole numbers from this one up


@dataclass(frozen=True)
class BadSetting:
    row: int
    col: int
    column: str
    value: object
    error: BadValue
    fix: str = "请填写数字"

    @property
    def shown(self) -> str:
        """The value as the cell shows it: 99999999, not 99999999.0."""
        if isinstance(self.value, float) and self.value.is_integer():
            return str(int(self.value))
        return str(self.value).strip()[:30]


@dataclass(frozen=True)
class Shift:
    name: str
    start: time
    end: time  # 24:00 reads as midnight
    agent: str


def _clock(value: object) -> time | None:
    """A time of day as typed on 设置: 08:00 or 8点 as text (seconds too), an Excel time, a duration (Excel stores
    a typed 24:00 as one day), or 24:00 for midnight."""
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, timedelta):
        value = value / timedelta(days=1)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if not 0 <= value <= 1:
            return None
        seconds = round(value * 24 * 60 * 60) % (24 * 60 * 60)
        return time(seconds // 3600, seconds // 60 % 60, seconds % 60)
    text = str(value).strip()
    if _MIDNIGHT.fullmatch(text):
        return time(0)
    try:
        day, clock = read_date_time(text, EXCEL_EPOCH.date())
    except BadValue:
        return None
    return clock if day is None else None


@dataclass(frozen=True)
class Turn:
    """One working of a shift, on the calendar: a shift ending at or before its start ends the next day."""

    shift: Shift
    start: datetime
    end: datetime


def _turns(roster: tuple[Shift, ...], around: datetime) -> list[Turn]:
    """The roster's workings from two days before `around` to two days after, in time order whatever the order
    of its rows (row order only between shifts that start together)."""
    turns = []
    for offset in range(-2, 3):
        day = around.date() + timedelta(days=offset)
        for shift in roster:
            start, end = datetime.combine(day, shift.start), datetime.combine(day, shift.end)
            turns.append(Turn(shift, start, end if end > start else end + timedelta(days=1)))
    return sorted(turns, key=lambda turn: turn.start)


def handing_over(roster: tuple[Shift, ...], at: datetime) -> tuple[Turn, Turn] | None:
    """The working that hands over at `at` and the one it hands to; None without a roster.

    A handover closes a shift: at the very moment a shift ends it is still that shift's, of shifts that
    overlap the one leaving first hands over, and outside every shift the one that ended last does (a late
    handover). It hands to the working that starts next after its own and is not over at `at`.
    """
    turns = _turns(roster, at)
    if not turns:
        return None
    on_duty = [turn for turn in turns if turn.start < at <= turn.end]
    if on_duty:
        handing = min(on_duty, key=lambda turn: turn.end)
    else:
        handing = max((turn for turn in turns if turn.end < at), key=lambda turn: turn.end)
    return handing, next(turn for turn in turns if turn.start > handing.start and turn.end > at)


def taking_over(roster: tuple[Shift, ...], at: datetime) -> Turn | None:
    """The working whose agent takes over at `at`: of the shifts on duty the one begun last; between shifts the
    one starting next, whose agent confirms before the shift begins. None without a roster."""
    turns = _turns(roster, at)
    on_duty = [turn for turn in turns if turn.start <= at < turn.end]
    if on_duty:
        return max(on_duty, key=lambda turn: turn.start)
    return next((turn for turn in turns if turn.start > at), None)


def _roster(grid: Grid) -> tuple[tuple[Shift, ...], list[BadSetting]]:
    """The shifts listed under 班次, and the time cells of those that cannot be read: such a shift is left out, and
    validation says which cell to correct rather than handing over by a roster short of a shift."""
    names = SETTINGS.roster_columns
    width = len(names.all())
    for r, row in enumerate(grid.rows):
        if row and normalize_header(row[0]) == names.shift:
            shifts, bad = [], []
            for offset, below in enumerate(grid.rows[r + 1 :], start=r + 1):
                cells = list(below[:width]) + [None] * (width - len(below[:width]))
                if is_blank(cells[0]):
                    break
                start, end = _clock(cells[1]), _clock(cells[2])
                for col, (header, read) in enumerate(((names.start, start), (names.end, end)), start=1):
                    if read is None:
                        row_number, col_number = grid.first_row + offset, grid.first_col + col
                        not_a_time = BadValue("bad_number", "不是时间")
                        bad.append(BadSetting(row_number, col_number, header, cells[col], not_a_time, _TIME_FIX))
                if start is not None and end is not None:
                    shifts.append(
                        Shift(str(cells[0]).strip(), start, end, "" if is_blank(cells[3]) else str(cells[3]).strip())
                    )
            return tuple(shifts), bad
    return (), []


@dataclass(frozen=True)
class Settings:
    """What 设置 says. Rule values are keyed by rule key, and by (platform, rule key) for a platform's own column."""

    rule_values: dict[str, float] = field(default_factory=dict)
    lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    bad_cells: tuple[BadSetting, ...] = ()
    roster: tuple[Shift, ...] = ()
    unusable: dict[str, BadSetting] = field(default_factory=dict)  # rule key -> the 设置 cell it cannot be read from
    platform_values: dict[tuple[str, str], float] = field(default_factory=dict)  # filled cells of platform columns
    platform_columns: frozenset[str] = frozenset()  # platforms with a column of their own on this 设置
    platform_unusable: dict[tuple[str, str], BadSetting] = field(default_factory=dict)

    def choices(self, choice_list: ChoiceList) -> tuple[str, ...]:
        return self.lists.get(choice_list.name) or choice_list.values

    def accepted(self, choice_list: ChoiceList) -> tuple[str, ...]:
        """What a cell may hold: the team's list, and the values a split retired (their old rows keep them)."""
        return (*self.choices(choice_list), *choice_list.retired)

    def attribute(self, choice_list: ChoiceList, value: str) -> str | None:
        """The team's attribute of `value`; the declared one for a value their list does not hold (a value added
        to the declaration after their 设置 was made, typed into an open list such as 事项类型)."""
        mapping = self.attributes.get(choice_list.name)
        if mapping is None or value not in self.choices(choice_list):
            return choice_list.default_attributes().get(value)
        return mapping.get(value)

    def listed(self, choice_list: ChoiceList, value: str) -> tuple[str, ...]:
        """The values `value`'s attribute cell lists (「本人接听、非本人接听、未接通」); none when it lists nothing."""
        return tuple(v for v in _LISTED.split(self.attribute(choice_list, value) or "") if v)

    def rule(self, rule: Rule, platform: str | None = None) -> float:
        """The team's value of `rule`, for `platform` when given; a value on 设置 that cannot be used refuses the
        computation that needs it.

        A platform with a column of its own on 设置 takes its cell there (blank:
        the 数值 column); one without takes its declared default, else 数值.
        Falling back to a default when the cell is unusable would compute with a
        number the team did not choose, without a word; validation reports the
        cell as a finding.
        """
        name = (platform or "").strip()
        if name in self.platform_columns:
            self._refuse(rule, self.platform_unusable.get((name, rule.key)))
            if (name, rule.key) in self.platform_values:
                return self.platform_values[(name, rule.key)]
        else:
            own = dict(PLATFORM.own_rules.get(name, ())).get(rule)
            if own is not None:
                return own
        self._refuse(rule, self.unusable.get(rule.key))
        return self.rule_values.get(rule.key, rule.value)

    def usable(self, rule: Rule) -> bool:
        """Whether the team's value of `rule` can be used: validation skips the check that needs one that cannot,
        and reports the 设置 cell instead (the other commands refuse)."""
        return rule.key not in self.unusable

    @staticmethod
    def _refuse(rule: Rule, bad: BadSetting | None) -> None:
        if bad is not None:
            raise UnusableSetting(
                f"「{SETTINGS.title}」表 {cell_name(bad.row, bad.col)} 的规则「{rule.title}」填的是「{bad.shown}」，"
                f"{bad.error.detail or '无法读取'}，无法按它计算；请改正后再试（可运行 workbook-tools validate 查看）。"
            )

    def duration(self, rule: Rule, platform: str | None = None) -> timedelta:
        return rule.duration(self.rule(rule, platform))

    def shift_ends(self, at: datetime) -> datetime:
        """Until when an item handed over at `at` is the receiving shift's to do (「本班到期」): until the shift
        after it starts work — so what falls due overnight, while nobody works, is theirs too.

        Who hands over to whom is `handing_over`'s; the receiving shift may already be at work (shifts that
        overlap). Without a roster: one shift's length (RULES.shift) from `at`.
        """
        turns = handing_over(self.roster, at)
        if turns is None:
            return at + self.duration(RULES.shift)
        receiving = turns[1]
        return next(turn.start for turn in _turns(self.roster, at) if turn.start > max(receiving.start, at))


def _rule_value(raw: object, rule: Rule) -> float:
    largest = LARGEST[rule.unit]
    try:
        value = parse_rate(raw)
    except BadValue as error:
        raise BadValue(error.code, "不是数字" if error.code == "bad_number" else error.detail) from None
    if value < 0:
        raise BadValue("bad_number", "不能为负数")
    if rule.unit is Unit.SWITCH and value not in (0, 1):
        raise BadValue("bad_number", f"不是开关值（{rule.unit.value}）")
    if rule.unit in COUNTS and (not value.is_integer() or value < COUNTS[rule.unit]):
        raise BadValue("bad_number", f"不是 {COUNTS[rule.unit]} 或更大的整数")
    if value > largest:
        raise BadValue("bad_number", f"超出合理范围（最多 {largest:g} {rule.unit.value}）")
    return value


def _fix(rule: Rule) -> str:
    if rule.unit is Unit.SWITCH:
        return "请填写 1 或 0"
    if rule.unit in COUNTS:
        return f"请填写 {COUNTS[rule.unit]} 到 {LARGEST[rule.unit]:g} 之间的整数"
    return f"请填写 0 到 {LARGEST[rule.unit]:g} 之间的数"


def _list_entries(grid: Grid, header_row: int, col: int | None) -> list[str]:
    return [] if col is None else [str(v).strip() for _, v in _column_values(grid, header_row, col)]


def _column_values(grid: Grid, header_row: int, col: int) -> list[tuple[int, object]]:
    cells = []
    for row in range(header_row + 1, header_row + 1 + SETTINGS.list_rows):
        value = grid.value(row, col)
        if not is_blank(value):
            cells.append((row, value))
    return cells


def read_settings(grids: list[Grid]) -> Settings:
    grid = next((g for g in grids if g.name.strip() == SETTINGS.title), None)
    if grid is None:
        return Settings()
    names = SETTINGS.rule_columns
    for r in range(len(grid.rows[: SETTINGS.header_rows])):
        header_row = grid.first_row + r
        headers = {h: grid.first_col + i for i, v in enumerate(grid.rows[r]) if (h := normalize_header(v))}
        if names.rule in headers or any(cl.title in headers for cl in SETTINGS.lists):
            break
    else:
        roster, bad_times = _roster(grid)
        return Settings(bad_cells=tuple(bad_times), roster=roster)  # a 设置 with only a roster on it
    rule_values: dict[str, float] = {}
    bad: list[BadSetting] = []
    unusable: dict[str, BadSetting] = {}
    platform_values: dict[tuple[str, str], float] = {}
    platform_unusable: dict[tuple[str, str], BadSetting] = {}
    platform_columns: dict[str, int] = {}
    if names.rule in headers and names.value in headers:
        value_col = headers[names.value]
        listed = set(_list_entries(grid, header_row, headers.get(PLATFORM.title))) | set(PLATFORM.values)
        platform_columns = {h: col for h, col in headers.items() if h in listed}
        for row, title in _column_values(grid, header_row, headers[names.rule]):
            rule = SETTINGS.rules.by_title(str(title).strip())
            if rule is None:
                continue
            for platform, value_cell in [(None, value_col), *platform_columns.items()]:
                raw = grid.value(row, value_cell)
                if is_blank(raw) and platform is not None:
                    continue  # the same as 数值
                try:
                    value = _rule_value(raw, rule) if not is_blank(raw) else rule.value
                except BadValue as error:
                    cell = BadSetting(row, value_cell, platform or names.value, raw, error, _fix(rule))
                    bad.append(cell)
                    if platform is None:
                        unusable[rule.key] = cell
                    else:
                        platform_unusable[(platform, rule.key)] = cell
                    continue
                if platform is None:
                    rule_values[rule.key] = value
                else:
                    platform_values[(platform, rule.key)] = value
    lists, attributes = {}, {}
    for choice_list in SETTINGS.lists:
        col = headers.get(choice_list.title)
        if col is None:
            continue
        values = []
        for row, v in _column_values(grid, header_row, col):
            if v is UNCALCULATED:
                bad.append(BadSetting(row, col, choice_list.title, v, BadValue("formula_not_calculated")))
            else:  # read as cells are: a word the team wrote for a value (a former name too) is that value
                values.append((row, choice_list.read(str(v).strip())))
        lists[choice_list.name] = tuple(v for _, v in values)
        attr_col = headers.get(choice_list.attribute or "")
        if attr_col is not None:
            attributes[choice_list.name] = {
                v: str(grid.value(row, attr_col)).strip()
                for row, v in values
                if not is_blank(grid.value(row, attr_col))
            }
    roster, bad_times = _roster(grid)
    return Settings(
        rule_values,
        lists,
        attributes,
        (*bad, *bad_times),
        roster,
        unusable,
        platform_values,
        frozenset(platform_columns),
        platform_unusable,
    )
