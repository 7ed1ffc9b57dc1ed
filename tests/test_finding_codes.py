"""One minimal workbook per finding code: each gives exactly its finding, and the code table and README agree."""

from __future__ import annotations

import re

import pytest

from workbook_tools.core.findings import flatten
from workbook_tools.core.tables import Grid
from workbook_tools.core.validate import check_workbook
from workbook_tools.core.values import UNCALCULATED
from workbook_tools.spec.codes import CODES

from conftest import ROOT, TODAY

RETURNS = ["日期", "物流单号", "订单编码", "产品名称", "数量", "解决方案"]
OK_RETURN = ["2026-11-20", "SF1", "SO1", "紧致眼霜 15g", 1, "退款"]
QUALITY = ["日期", "登记人", "客户ID", "订单编码", "问题类型", "凭证张数", "补偿金额", "状态", "结案日期"]
HANDOVER = ["买家ID", "交接处理", "交接人", "承接人", "时间", "状态"]
AFTER_SALES = ["平台", "售后单号", "订单编号", "买家ID", "售后类型", "发货状态", "申请时间", "状态"]
OK_REQUEST = ["淘宝", "RF1", "SO1", "jenny王", "仅退款", "未发货", "2026-11-21 09:00", "已退款"]
CHASE = ["拍下时间", "买家ID", "订单编号", "订单金额", "联系电话", "催款日期", "催款人", "催款方式"]
OK_CHASE = ["2026-11-21 20:00", "jenny王", "4100000000000000001", 89, "13800138000", "2026-11-22", "小美", "电话"]


def returns(*changes: tuple[str, object], header: list[str] = RETURNS) -> Grid:
    row = dict(zip(RETURNS, OK_RETURN, strict=True))
    row.update(changes)
    return Grid("退件表", [header, [row.get(h) for h in RETURNS]])


def chases(*rows: dict[str, object]) -> Grid:
    return Grid(
        "催款明细表", [CHASE, *[[{**dict(zip(CHASE, OK_CHASE, strict=True)), **r}[h] for h in CHASE] for r in rows]]
    )


CASES = {
    "missing_required": ([returns(("数量", None))], "E2"),
    "bad_date": ([returns(("日期", "2026/02/30"))], "A2"),
    "unlikely_date": ([returns(("日期", "1999-12-31"))], "A2"),
    "bad_number": ([returns(("数量", "两瓶"))], "E2"),
    "bad_choice": ([returns(("解决方案", "退钱"))], "F2"),
    "order_no_precision_lost": ([chases({"订单编号": 4.1e18})], "C2"),
    "bad_phone": ([chases({"联系电话": "12345"})], "E2"),
    "duplicate_row": ([Grid("退件表", [RETURNS, OK_RETURN, OK_RETURN])], "B3"),
    "missing_evidence": (
        [Grid("质量问题表", [QUALITY, ["2026-11-20", "小美", "c", "SO9", "破损", 1, 0, "处理中", None]])],
        "F2",
    ),
    "double_compensation": (
        [returns(), Grid("质量问题表", [QUALITY, ["2026-11-20", "小美", "c", "SO1", "漏液", 2, 20, "处理中", None]])],
        "G2",
    ),
    "over_chased": ([chases(*({"订单编号": f"41{n}"} for n in range(4)))], "B5"),
    "answer_mismatch": (
        [Grid("催款明细表", [[*CHASE, "接听情况"], [*OK_CHASE, "已读未回"]])],
        "I2",
    ),
    "unmatched_parcel": ([returns(("订单编码", None))], "C2"),
    "unknown_header": ([returns(header=[*RETURNS[:5], "解决放案"])], "F1"),
    "paid_before_chase": (
        [Grid("催款明细表", [[*CHASE, "催款结果", "付款时间"], [*OK_CHASE, "已付款", "2026-11-21 14:40"]])],
        "C2",
    ),
    "unrecognised_sheet": ([returns(), Grid("重发单", [["日期", "内容"], ["2026-11-20", "补发眼霜"]])], "A1"),
    "archive_copy": ([returns(), Grid("退件表 备份", [RETURNS, OK_RETURN])], "A1"),
    "formula_not_calculated": ([returns(("数量", UNCALCULATED))], "E2"),
    "cell_error": ([returns(("数量", "#DIV/0!"))], "E2"),
    "refund_exceeds_request": (
        [
            Grid(
                "售后单",
                [
                    [*AFTER_SALES, "申请金额", "退款金额", "退款时间"],
                    [*OK_REQUEST, 89, 98, "2026-11-21 10:00"],
                ],
            )
        ],
        "J2",
    ),
    "before_request": (
        [
            Grid(
                "售后单",
                [[*AFTER_SALES[:-1], "状态", "平台超时时间"], [*OK_REQUEST[:-1], "待处理", "2026-11-20 09:00"]],
            )
        ],
        "I2",
    ),
    "missing_column": (
        [
            Grid(
                "退件表",
                [
                    [h for h in RETURNS if h != "数量"],
                    [v for h, v in zip(RETURNS, OK_RETURN, strict=True) if h != "数量"],
                ],
            )
        ],
        "A1",
    ),
    "needs_approval": (
        [
            Grid(
                "质量问题表",
                [
                    [*QUALITY, "审批状态"],
                    ["2026-11-20", "小美", "jenny王", "SO1", "质量问题", None, 88, "处理中", None, "待审批"],
                ],
            )
        ],
        "G2",
    ),
    "inspection_mismatch": ([Grid("退件表", [[*RETURNS, "良品数", "次品数"], [*OK_RETURN, 1, 1]])], "G2"),
    "closed_with_open_claim": (
        [
            Grid(
                "物流异常表",
                [
                    ["发现日期", "物流单号", "订单编号", "买家ID", "异常类型", "索赔状态", "状态", "结案日期"],
                    ["2026-11-20", "SF100", "SO1", "jenny王", "丢件", "索赔中", "已结案", "2026-11-21"],
                ],
            )
        ],
        "F2",
    ),
    "several_ledgers": (
        [
            Grid(name, [HANDOVER, ["jenny王", "查物流", "小美", "阿强", "2026-11-22 09:00", "待处理"]])
            for name in ("交接表 11月", "交接表")
        ],
        "A1",
    ),
}


MESSAGES = {  # the whole sentence each minimal workbook gets: what, where and what to do
    "archive_copy": (
        "「退件表 备份」看起来是退件表的存档副本（表名里有“备份”），没有检查也不会改动；如果它"
        "是在用的表，请把表名里的“备份”去掉。"
    ),
    "bad_choice": (
        "「解决方案」的「退钱」不是可选项，请从下拉列表选择（退款、换货、重发、补发、退差价、赠品"
        "补偿），或先在「设置」表的「解决方案」列加上它。"
    ),
    "bad_date": "「日期」的「2026/02/30」不是有效日期（日期不存在），请写成 2026-11-03 这样的日期。",
    "bad_number": "「数量」的「两瓶」不是整数，请填写不小于 1 的整数。",
    "bad_phone": "「联系电话」的「*****」不是有效的手机或座机号码，请对照订单详情改正。",
    "double_compensation": "订单「SO1」已在退件表第 2 行退款，这里又补偿了 20.00 元，可能重复补偿，请核对。",
    "formula_not_calculated": (
        "「数量」是公式，但文件里没有保存计算结果（多半是程序生成、没在表格软件里打开过的文件），"
        "请用 Excel 或 WPS 打开、保存一次后再运行。"
    ),
    "cell_error": (
        "「数量」显示错误值 #DIV/0!（公式出错，或粘贴进来的就是错误值），值未知、不计入汇总；请改正这一格后再运行。"
    ),
    "refund_exceeds_request": (
        "「退款金额」98.00 元比「申请金额」89.00 元还多，退款不能超过买家申请的金额，请核对后改正。"
    ),
    "before_request": (
        "「平台超时时间」2026-11-20 09:00 早于「申请时间」2026-11-21 09:00，不会发生在买家申请之前，"
        "请对照后台改正其中一个时间。"
    ),
    "missing_column": (
        "这张表没有「数量」列，需要它的检查、截止时间和汇总都缺了它；请在表头加上这一列，或把写法不同的列名改成「数量」。"
    ),
    "needs_approval": (
        "「补偿金额」88.00 元超过 50 元，需要主管审批，还没批准（现在是「待审批」），先不计入日汇总的金额；"
        "请主管审批后把「审批状态」改为「已批准」。"
    ),
    "inspection_mismatch": "「良品数」＋「次品数」合计 2，与「数量」1 对不上，请仓库重新清点后改正。",
    "closed_with_open_claim": (
        "已经结案，但「索赔状态」还是「索赔中」：理赔款没到账前不能结案，请继续跟进到账，"
        "到账后再结案（或按实际情况改正「索赔状态」）。"
    ),
    "duplicate_row": "与第 2 行重复登记（「物流单号」、「订单编码」、「产品名称」相同），请删除多余的一行。",
    "missing_evidence": "破损件只有 1 张凭证照片，至少要 2 张，请让客户补拍后更新「凭证张数」。",
    "missing_required": "「数量」没有填写，请补上。",
    "order_no_precision_lost": (
        "「订单编号」已被 Excel 存成数字 4.10000000000000E+18，末几位"
        "已变成 0，请把该列设为文本格式后从订单后台重新复制粘贴。"
    ),
    "over_chased": (
        "买家「jenny王」2026-11-22 已被催款 4 次，超过 24 小时内最多 3 次，请从第一次催款起满 24 小时后再联系。"
    ),
    "answer_mismatch": (
        "「接听情况」的「已读未回」与催款方式「电话」对不上（电话的接听情况是本人接听、非本人接听、未接通），"
        "请改正其中一项；各催款方式可选的接听情况在「设置」表的「可选接听情况」列。"
    ),
    "paid_before_chase": (
        "订单「4100000000000000001」2026-11-21 已付款，早于这次催款（2026-11-22），不算催回；请核对催款时间或付款时间。"
    ),
    "several_ledgers": (
        "工作簿里有 2 张交接表（「交接表 11月」、「交接表」），写入时只用「交接表」，这张只"
        "读取；如果要写入这张，请把它改名为「交接表」。"
    ),
    "unknown_header": "表头「解决放案」不是已知列名，是否应为「解决方案」？请改正表头，否则这一列不会被校验。",
    "unlikely_date": "「日期」的日期 1999-12-31 早于 2000 年或晚于明年，请核对年份。",
    "unmatched_parcel": "这件退件没有订单编码（无主件），请按物流单号在后台找到订单后补填。",
    "unrecognised_sheet": (
        "「重发单」像是重发单，但前 60 行里没有找到它的表头（至少要有「日期」「填写人」「客户"
        "ID」「原订单编码」「产品名称」「数量」「发件原因」等列名中的 3 个），这张表没有被检"
        "查；请把表头改成这些列名。"
    ),
}


def test_every_code_in_the_table_has_its_minimal_workbook():
    assert sorted(CASES) == sorted(CODES) == sorted(MESSAGES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_minimal_workbook_gives_exactly_its_finding(code):
    grids, cell = CASES[code]
    findings = check_workbook(grids, TODAY).findings
    assert flatten(findings, "cell", "code") == [(cell, code)]
    assert findings[0].severity is CODES[code][0]
    assert findings[0].message == f"{findings[0].sheet}!{cell}：{MESSAGES[code]}"


def test_the_readme_code_table_is_the_code_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (错误|警告) \|", readme, flags=re.M)
    assert dict(rows) == {code: severity.label for code, (severity, _) in CODES.items()}
