"""The 设置 sheet, declared once: the template writer lays it out and the reader finds it by these names.

It holds the rule table (规则, 数值, 单位, 依据), a legend, the shift roster,
and one column per choice list (with its attribute column beside it).
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook_tools.spec import lists
from workbook_tools.spec.rules import RULES, PlatformRules
from workbook_tools.spec.types import ChoiceList, Role


@dataclass(frozen=True)
class RuleColumns:
    """The rule table's headers; `value` is 淘宝/天猫's (and any platform's without a column of its own)."""

    rule: str
    value: str
    unit: str
    source: str
    platforms: tuple[str, ...]  # one column each, after `value`; a blank cell means the same as `value`

    def all(self) -> tuple[str, ...]:
        return (self.rule, self.value, *self.platforms, self.unit, self.source)


@dataclass(frozen=True)
class RosterColumns:
    shift: str
    start: str
    end: str
    agents: str

    def all(self) -> tuple[str, str, str, str]:
        return (self.shift, self.start, self.end, self.agents)


@dataclass(frozen=True)
class SettingsSheet:
    title: str
    rule_columns: RuleColumns
    rules: PlatformRules
    lists: tuple[ChoiceList, ...]
    list_rows: int  # entries each list may grow to; the drop-downs cover this many rows
    roster_columns: RosterColumns
    roster_defaults: tuple[tuple[str, str, str], ...]  # (班次, 开始, 结束); 人员 left for the team
    header_rows: int = 10  # the header row is looked for in this many rows from the top

    @property
    def legend(self) -> tuple[str, ...]:
        roles = "；".join(
            f"{colour} = {role.value}填写" for colour, role in (("蓝色", Role.SERVICE), ("红色", Role.WAREHOUSE))
        )
        platforms = "、".join(self.rule_columns.platforms)
        others = "、".join(v for v in lists.PLATFORM.values if v not in self.rule_columns.platforms)
        return (
            f"表头颜色：{roles}；灰色 = 自动计算或由按钮生成，一般不用手填。",
            f"「{self.rule_columns.value}」列是{others}的时限；{platforms}按自己那一列，空着就和"
            f"「{self.rule_columns.value}」相同；其他平台可在「{lists.PLATFORM.title}」列加上名字，再加一列同名的数值。",
            f"下拉选项可在右边各列增删（每列最多 {self.list_rows} 项）；规则数值可按平台最新规则修改。",
            "排班：填上每班的人员，点「交接班」时就按当前时间由本班交给下一班，不用再输入姓名。",
        )


SETTINGS = SettingsSheet(
    title="设置",
    rule_columns=RuleColumns("规则", "数值", "单位", "依据", tuple(lists.PLATFORM.own_rules)),
    rules=RULES,
    lists=lists.ALL,
    list_rows=200,
    roster_columns=RosterColumns("班次", "开始", "结束", "人员"),
    roster_defaults=(("早班", "08:00", "16:00"), ("晚班", "16:00", "24:00")),
)
