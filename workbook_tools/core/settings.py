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
from workbook_tools.core.values import UNCALCULATED, BadValue, is_blank, parse_rate
from workbook_tools.errors import UnusableSetting
from workbook_tools.spec.lists import PLATFORM
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.settings_sheet import SETTINGS
from workbook_tools.spec.types import ChoiceList, Rule, Unit

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
}


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
    """A time of day as typed on 设置: 08:00 as text, an Excel time, or 24:00 for midnight."""
    if isinstance(value, time):
        return value
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, float) and 0 <= value <= 1:
        minutes = round(value * 24 * 60)
        return time(0) if minutes == 24 * 60 else time(minutes // 60, minutes % 60)
    match = re.fullmatch(r"(\d{1,2})[:：](\d{2})", str(value).strip())
    if match and int(match[1]) <= 24:
        return time(0) if int(match[1]) == 24 else time(int(match[1]), int(match[2]))
    return None


def shifts_at(roster: tuple[Shift, ...], moment: datetime) -> tuple[Shift, Shift] | None:
    """The shift on duty at `moment` and the one after it."""
    for index, shift in enumerate(roster):
        now, start, end = moment.time(), shift.start, shift.end
        inside = start <= now < end if start < end else (now >= start or now < end)
        if inside:
            return shift, roster[(index + 1) % len(roster)]
    return None


def next_start(shift: Shift, after: datetime) -> datetime:
    """The first moment after `after` at which `shift` starts."""
    start = datetime.combine(after.date(), shift.start)
    return start if start > after else start + timedelta(days=1)


def _roster(grid: Grid) -> tuple[Shift, ...]:
    width = len(SETTINGS.roster_columns.all())
    for r, row in enumerate(grid.rows):
        if row and normalize_header(row[0]) == SETTINGS.roster_columns.shift:
            shifts = []
            for below in grid.rows[r + 1 :]:
                cells = list(below[:width]) + [None] * (width - len(below[:width]))
                if is_blank(cells[0]):
                    break
                start, end = _clock(cells[1]), _clock(cells[2])
                if start is not None and end is not None:
                    shifts.append(
                        Shift(str(cells[0]).strip(), start, end, "" if is_blank(cells[3]) else str(cells[3]).strip())
                    )
            return tuple(shifts)
    return ()


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

    def attribute(self, choice_list: ChoiceList, value: str) -> str | None:
        mapping = self.attributes.get(choice_list.name) or choice_list.default_attributes()
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

        The shift on duty at `at` hands over to the next one on the roster (outside every shift, the next
        to start receives). Without a roster: one shift's length (RULES.shift) from `at`.
        """
        if not self.roster:
            return at + self.duration(RULES.shift)
        on_duty = shifts_at(self.roster, at)
        receiving = on_duty[1] if on_duty else min(self.roster, key=lambda s: next_start(s, at))
        following = self.roster[(self.roster.index(receiving) + 1) % len(self.roster)]
        return next_start(following, next_start(receiving, at))


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
    if value > largest:
        raise BadValue("bad_number", f"超出合理范围（最多 {largest:g} {rule.unit.value}）")
    return value


def _fix(rule: Rule) -> str:
    if rule.unit is Unit.SWITCH:
        return "请填写 1 或 0"
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
        return Settings(roster=_roster(grid))  # a 设置 with only a roster on it
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
            else:
                values.append((row, str(v).strip()))
        lists[choice_list.name] = tuple(v for _, v in values)
        attr_col = headers.get(choice_list.attribute or "")
        if attr_col is not None:
            attributes[choice_list.name] = {
                v: str(grid.value(row, attr_col)).strip()
                for row, v in values
                if not is_blank(grid.value(row, attr_col))
            }
    return Settings(
        rule_values,
        lists,
        attributes,
        tuple(bad),
        _roster(grid),
        unusable,
        platform_values,
        frozenset(platform_columns),
        platform_unusable,
    )
