"""The finding codes: a stable code, its severity, and the template its message is made from.

The README's code table and one minimal workbook per code in the tests are
checked against this table.
"""

from __future__ import annotations

import enum
from typing import Literal

from workbook_tools.spec.settings_sheet import SETTINGS


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.ERROR else "警告"


Code = Literal[
    "missing_required",
    "bad_date",
    "unlikely_date",
    "bad_number",
    "bad_choice",
    "order_no_precision_lost",
    "bad_phone",
    "duplicate_row",
    "missing_evidence",
    "double_compensation",
    "over_chased",
    "unmatched_parcel",
    "unknown_header",
    "paid_before_chase",
    "unrecognised_sheet",
    "archive_copy",
    "several_ledgers",
    "formula_not_calculated",
    "cell_error",
    "answer_mismatch",
    "refund_exceeds_request",
    "before_request",
    "missing_column",
    "closed_with_open_claim",
    "inspection_mismatch",
    "needs_approval",
]
E, W = Severity.ERROR, Severity.WARNING
CODES: dict[Code, tuple[Severity, str]] = {
    "missing_required": (E, "{where}：「{column}」没有填写{detail}，请补上。"),
    "bad_date": (E, "{where}：「{column}」的「{value}」不是有效日期{detail}，请写成 {example}。"),
    "unlikely_date": (W, "{where}：「{column}」的日期 {value} 早于 {earliest} 年或晚于明年，请核对年份。"),
    "bad_number": (E, "{where}：「{column}」的「{value}」{detail}，{fix}。"),
    "bad_choice": (
        E,
        "{where}：「{column}」的「{value}」不是可选项，请从下拉列表选择（{choices}），"
        f"或先在「{SETTINGS.title}」表的「{{list}}」列加上它。",
    ),
    "order_no_precision_lost": (
        E,
        "{where}：「{column}」已被 Excel 存成数字 {value}，末几位已变成 0，"
        "请把该列设为文本格式后从订单后台重新复制粘贴。",
    ),
    "bad_phone": (E, "{where}：「{column}」的「{value}」不是有效的手机或座机号码，请对照订单详情改正。"),
    "duplicate_row": (E, "{where}：与第 {other} 行重复登记（{keys}相同），请删除多余的一行。"),
    "missing_evidence": (
        E,
        "{where}：{case}件只有 {value} 张凭证照片，至少要 {minimum:g} 张，请让客户补拍后更新「{column}」。",
    ),
    "double_compensation": (W, "{where}：订单「{value}」已在{other}{refund}，这里又{what}，可能重复补偿，请核对。"),
    "over_chased": (
        W,
        "{where}：买家「{value}」{when} 已被催款 {count} 次，超过 24 小时内最多 {limit:g} 次，"
        "请从第一次催款起满 24 小时后再联系。",
    ),
    "unmatched_parcel": (W, "{where}：这件退件没有{missing}（无主件），请按{tracking}在后台找到订单后补填。"),
    "unknown_header": (
        W,
        "{where}：表头「{value}」不是已知列名，是否应为「{suggestion}」？请改正表头，否则这一列不会被校验。",
    ),
    "paid_before_chase": (
        W,
        "{where}：订单「{value}」{paid} 已付款，早于这次催款（{day}），不算催回；请核对催款时间或付款时间。",
    ),
    "unrecognised_sheet": (
        W,
        "{where}：「{name}」像是{title}，但前 {rows} 行里没有找到它的表头（至少要有{examples}等列名中的 3 个），"
        "这张表没有被检查；请把表头改成这些列名。",
    ),
    "archive_copy": (
        W,
        "{where}：「{name}」看起来是{title}的存档副本（表名里有“{word}”），没有检查也不会改动；"
        "如果它是在用的表，请把表名里的“{word}”去掉。",
    ),
    "several_ledgers": (
        W,
        "{where}：工作簿里有 {count} 张{title}（{names}），写入时只用「{chosen}」，这张只读取；"
        "如果要写入这张，请把它改名为「{title}」。",
    ),
    "formula_not_calculated": (
        E,
        "{where}：「{column}」是公式，但文件里没有保存计算结果（多半是程序生成、没在表格软件里打开过的文件），"
        "请用 Excel 或 WPS 打开、保存一次后再运行。",
    ),
    "answer_mismatch": (
        W,
        "{where}：「{column}」的「{value}」与{by}「{by_value}」对不上（{by_value}的{column}是{choices}），"
        f"请改正其中一项；各{{by}}可选的{{column}}在「{SETTINGS.title}」表的「{{attribute}}」列。",
    ),
    "cell_error": (
        E,
        "{where}：「{column}」显示错误值 {value}（公式出错，或粘贴进来的就是错误值），值未知、不计入汇总；"
        "请改正这一格后再运行。",
    ),
    "refund_exceeds_request": (
        E,
        "{where}：「{column}」{value} 元比「{other}」{limit} 元还多，退款不能超过买家申请的金额，请核对后改正。",
    ),
    "missing_column": (
        W,
        "{where}：这张表没有「{value}」列，需要它的检查、截止时间和汇总都缺了它；请在表头加上这一列，"
        "或把写法不同的列名改成「{value}」。",
    ),
    "before_request": (
        W,
        "{where}：「{column}」{value} 早于「{other}」{limit}，不会发生在买家申请之前，请对照后台改正其中一个时间。",
    ),
    "needs_approval": (
        W,
        "{where}：「{column}」{value} 元超过 {limit} 元，需要主管审批，还没批准（现在是「{state}」），"
        "先不计入日汇总的金额；请主管审批后把「{state_column}」改为「{approved}」。",
    ),
    "inspection_mismatch": (
        E,
        "{where}：{parts}合计 {value}，与「{other}」{limit} 对不上，请仓库重新清点后改正。",
    ),
    "closed_with_open_claim": (
        W,
        "{where}：已经结案，但「{column}」还是「{value}」：理赔款没到账前不能结案，请继续跟进到账，"
        "到账后再结案（或按实际情况改正「{column}」）。",
    ),
}
