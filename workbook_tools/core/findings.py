"""Findings: what validation reports, each with a stable code and a message made from its template."""
from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Iterable

from workbook_tools.core.tables import cell_name


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.ERROR else "警告"


E, W = Severity.ERROR, Severity.WARNING
CODES: dict[str, tuple[Severity, str]] = {
    "missing_required": (E, "{where}：「{column}」没有填写{detail}，请补上。"),
    "bad_date": (E, "{where}：「{column}」的「{value}」不是有效日期{detail}，请写成 2026-11-03 这样的日期。"),
    "unlikely_date": (W, "{where}：「{column}」的日期 {value} 早于 2000 年或晚于明年，请核对年份。"),
    "bad_number": (E, "{where}：「{column}」的「{value}」{detail}，{fix}。"),
    "bad_choice": (E, "{where}：「{column}」的「{value}」不是可选项，请从下拉列表选择（{choices}），"
                      "或先在「设置」表的「{list}」列加上它。"),
    "order_no_precision_lost": (E, "{where}：「{column}」已被 Excel 存成数字 {value}，末几位已变成 0，"
                                   "请把该列设为文本格式后从订单后台重新复制粘贴。"),
    "bad_phone": (E, "{where}：「{column}」的「{value}」不是有效的手机或座机号码，请对照订单详情改正。"),
    "duplicate_row": (E, "{where}：与第 {other} 行重复登记（{keys}相同），请删除多余的一行。"),
    "missing_evidence": (E, "{where}：破损件只有 {value} 张凭证照片，至少要 2 张，请让客户补拍后更新「凭证张数」。"),
    "double_compensation": (W, "{where}：订单「{value}」已在{other}退款，这里又{what}，可能重复补偿，请核对。"),
    "over_chased": (W, "{where}：买家「{value}」{day} 已被催款 {count} 次，超过每天 {limit:g} 次，请隔天再联系。"),
    "unmatched_parcel": (W, "{where}：这件退件没有订单编码（无主件），请按物流单号在后台找到订单后补填。"),
    "unknown_header": (W, "{where}：表头「{value}」不是已知列名，是否应为「{suggestion}」？"
                          "请改正表头，否则这一列不会被校验。"),
}


@dataclass(frozen=True)
class Finding:
    sheet: str
    cell: str
    column: str
    code: str
    severity: Severity
    message: str
    row: int = field(default=0, repr=False)
    col: int = field(default=0, repr=False)

    def as_dict(self) -> dict[str, str]:
        return {"sheet": self.sheet, "cell": self.cell, "column": self.column, "code": self.code,
                "severity": self.severity.value, "message": self.message}


def finding(sheet: str, row: int, col: int, column: str, code: str, **fields: object) -> Finding:
    severity, template = CODES[code]
    cell = cell_name(row, col)
    fields.setdefault("detail", "")
    message = template.format(where=f"{sheet}!{cell}", column=column, **fields)
    return Finding(sheet, cell, column, code, severity, message, row, col)


def flatten(findings: Iterable[Finding], *names: str) -> list[tuple]:
    """Short tuples for tests and summaries: `flatten(fs, "cell", "code")`."""
    names = names or ("sheet", "cell", "code")
    return [tuple(getattr(f, n) for n in names) for f in findings]
