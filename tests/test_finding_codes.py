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
    "unmatched_parcel": ([returns(("订单编码", None))], "C2"),
    "unknown_header": ([returns(header=[*RETURNS[:5], "解决放案"])], "F1"),
    "formula_not_calculated": ([returns(("数量", UNCALCULATED))], "E2"),
}


def test_every_code_in_the_table_has_its_minimal_workbook():
    assert sorted(CASES) == sorted(CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_each_minimal_workbook_gives_exactly_its_finding(code):
    grids, cell = CASES[code]
    findings = check_workbook(grids, TODAY).findings
    assert flatten(findings, "cell", "code") == [(cell, code)]
    assert findings[0].severity is CODES[code][0]
    assert findings[0].message.startswith(f"{findings[0].sheet}!{cell}：") and "{" not in findings[0].message


def test_the_readme_code_table_is_the_code_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \| (错误|警告) \|", readme, flags=re.M)
    assert dict(rows) == {code: severity.label for code, (severity, _) in CODES.items()}
