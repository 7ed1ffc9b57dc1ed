"""Validation reads ledgers as the SOPs describe them and reports every problem once."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import openpyxl
import pytest

from workbook_tools.core.findings import flatten
from workbook_tools.core.tables import Grid
from workbook_tools.core.validate import check_workbook
from workbook_tools.errors import NoKnownSheet
from workbook_tools.spec.sheets import CHASE_DETAIL, HANDOVER, RETURNS
from workbook_tools.xlsx.reader import read_grids

from conftest import TODAY, write_xlsx

TITLE = "2026年11月 退换件登记表"
HEADER = ["快递单号", "日期", "旺旺ID", "仓库位置", "订单号", "产品名称", "数量", "退货原因", "解决放案", "处理结果"]
#          A          B       C        D (team's) E         F          G       H          I (typo)    J
MESSY_ROWS = [
    [
        "SF1000000000001",
        datetime(2026, 11, 2),
        "小鱼儿爱吃糖",
        "A-01",
        "SO202611011001",
        "紧致眼霜 15g",
        1,
        "过敏",
        "退款",
        "已退款",
    ],
    [
        "SF1000000000002",
        "2026/11/3",
        "tb3728_2011",
        "A-02",
        "SO202611011002",
        "温和卸妆水 500ml",
        2,
        "客户原因",
        "退款",
        None,
    ],
    [
        "SF1000000000003",
        "2026.11.3",
        "晴天娃娃88",
        "B-01",
        "SO202611011003",
        "紧致眼霜 15g",
        1,
        "快递原因",
        "重发",
        "待处理",
    ],
    [None] * 10,
    [
        "SF1000000000004",
        "11月3日",
        "cherry_lin",
        "B-02",
        "SO202611011004",
        "氨基酸洗面奶 100g",
        3,
        "发货问题",
        "重发",
        None,
    ],
    [
        "SF1000000000005",
        "2026年11月4日",
        "jenny王",
        None,
        1.23456789012346e18,
        "清透防晒霜 SPF50 50ml",
        1,
        "产品质量问题",
        "换货",
        None,
    ],
    ["SF1000000000006", 46330, "快乐的胖子", "C-03", "SO202611011006", "紧致眼霜 15g", 2, "过敏", "退款", None],
    [None] * 10,
    [None] * 10,
    [
        "SF1000000000002",
        "2026/11/3",
        "tb3728_2011",
        "A-02",
        "SO202611011002",
        "温和卸妆水 500ml",
        2,
        "客户原因",
        "退款",
        None,
    ],
    ["SF1000000000007", "2026/02/30", "风吹麦浪kk", "C-04", "SO202611011007", "紧致眼霜 15g", 1, "过敏", "退款", None],
]


@pytest.fixture
def messy_workbook(tmp_path):
    """An existing ledger: title row, renamed and reordered headers, a team column, blank rows."""
    return write_xlsx(tmp_path / "退货登记.xlsx", {"退货登记": [[TITLE], HEADER, *MESSY_ROWS]})


def test_a_messy_existing_ledger_gives_exactly_its_problems(messy_workbook):
    check = check_workbook(read_grids(messy_workbook), TODAY)
    assert flatten(check.findings, "sheet", "cell", "column", "code") == [
        ("退货登记", "I2", "解决放案", "unknown_header"),
        ("退货登记", "E8", "订单编码", "order_no_precision_lost"),
        ("退货登记", "A12", "物流单号", "duplicate_row"),
        ("退货登记", "B13", "日期", "bad_date"),
    ]
    assert "是否应为「解决方案」" in check.findings[0].message
    assert "与第 4 行重复登记" in check.findings[2].message


def test_the_messy_ledger_is_read_by_its_header_and_every_spelling_of_a_date(messy_workbook):
    (table_check,) = check_workbook(read_grids(messy_workbook), TODAY).tables
    table = table_check.table
    assert (table.spec.title, table.header_row) == ("退件表", 2)
    assert {c.header: col for c, col in table.columns.items()} == {
        "物流单号": 1,
        "日期": 2,
        "ID号": 3,
        "订单编码": 5,
        "产品名称": 6,
        "数量": 7,
        "退回类型": 8,
        "处理结果": 10,
    }
    assert [r.row for r in table_check.records] == [3, 4, 5, 7, 8, 9, 12, 13]  # blank rows skipped
    assert [r[RETURNS.date] for r in table_check.records[:6]] == [
        date(2026, 11, 2),
        date(2026, 11, 3),
        date(2026, 11, 3),
        date(2026, 11, 3),
        date(2026, 11, 4),
        date(2026, 11, 4),
    ]


def test_validation_leaves_the_file_and_the_teams_own_column_untouched(messy_workbook):
    before = hashlib.sha256(messy_workbook.read_bytes()).hexdigest()
    check_workbook(read_grids(messy_workbook), TODAY)
    assert hashlib.sha256(messy_workbook.read_bytes()).hexdigest() == before
    sheet = openpyxl.load_workbook(messy_workbook)["退货登记"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        HEADER,
        *[list(row) for row in MESSY_ROWS],
    ]


def grid(name, *rows):
    return Grid(name, [list(r) for r in rows])


QUALITY_HEADER = ("日期", "登记人", "客户ID", "订单编码", "问题类型", "凭证张数", "状态", "结案日期")


@pytest.mark.parametrize("photos, reported", [(None, True), (1, True), (2, False), (3, False)])
def test_a_damaged_parcel_needs_two_photos(photos, reported):
    book = [
        grid("质量问题表", QUALITY_HEADER, ("2026-11-20", "小美", "jenny王", "SO1", "破损", photos, "处理中", None))
    ]
    expected = [("F2", "missing_evidence")] if reported else []
    assert flatten(check_workbook(book, TODAY).findings, "cell", "code") == expected


def test_a_closed_issue_needs_its_closing_date():
    book = [
        grid(
            "质量问题表",
            QUALITY_HEADER,
            ("2026-11-20", "小美", "jenny王", "SO1", "漏液", 2, "已结案", None),
            ("2026-11-20", "小美", "jenny王", "SO2", "漏液", 2, "已结案", "2026-11-21"),
            ("2026-11-20", "小美", "jenny王", "SO3", "漏液", 2, "处理中", None),
        )
    ]
    findings = check_workbook(book, TODAY).findings
    assert flatten(findings, "cell", "code") == [("H2", "missing_required")]
    assert "状态为「已结案」时必填" in findings[0].message


CHASE_HEADER = ("拍下时间", "买家ID", "订单编号", "订单金额", "联系电话", "催款日期", "催款人", "催款方式", "催款结果")


@pytest.mark.parametrize(
    "cell_values, expected",
    [
        ({"订单金额": "¥-5"}, [("D2", "bad_number")]),
        ({"订单金额": "八十九"}, [("D2", "bad_number")]),
        ({"催款方式": "微信"}, [("H2", "bad_choice")]),
        ({"联系电话": "12345"}, [("E2", "bad_phone")]),
        ({"订单编号": None}, [("C2", "missing_required")]),
        ({"催款日期": "2062-11-20"}, [("F2", "unlikely_date")]),
        ({"拍下时间": "昨天晚上"}, [("A2", "bad_date")]),
        ({}, []),
    ],
)
def test_chase_detail_cells(cell_values, expected):
    row = dict(
        zip(
            CHASE_HEADER,
            (
                "2026-11-19 23:59",
                "jenny王",
                "4123456789012345678",
                "¥89.00",
                "13800138000",
                "2026-11-20",
                "阿强",
                "电话",
                "未付款",
            ),
            strict=True,
        )
    )
    row.update(cell_values)
    book = [grid("催款明细表", CHASE_HEADER, tuple(row.values()))]
    assert flatten(check_workbook(book, TODAY).findings, "cell", "code") == expected


def test_unpaid_reasons_come_from_the_list_or_the_teams_own_words():
    header = (*CHASE_HEADER, "未付款原因")
    rows = [
        ("2026-11-19", "jenny王", f"4123{n}", 89, None, "2026-11-20", "阿强", "电话", "未付款", why)
        for n, why in enumerate(("等优惠或比价", "快递太慢不想等"))
    ]
    (table,) = check_workbook([grid("催款明细表", header, *rows)], TODAY).tables
    assert table.findings == ()
    assert [r[CHASE_DETAIL.unpaid_reason] for r in table.records] == ["等优惠或比价", "快递太慢不想等"]


def test_no_message_shows_a_whole_phone_number():
    row = ("2026-11-19", "jenny王", "41234", 89, "138001380001", "2026-11-20", "阿强", "电话", "未付款")
    (found,) = check_workbook([grid("催款明细表", CHASE_HEADER, row)], TODAY).findings
    assert "138001380001" not in found.message and "138****0001" in found.message


def test_a_teams_own_choices_on_the_settings_sheet_are_accepted():
    ledger = grid(
        "退件表",
        ("日期", "物流单号", "订单编码", "产品名称", "数量", "退回类型"),
        ("2026-11-20", "SF1", "SO1", "紧致眼霜 15g", 1, "地址有误退回"),
    )
    assert flatten(check_workbook([ledger], TODAY).findings, "cell", "code") == [("F2", "bad_choice")]
    settings = grid(
        "设置",
        ("规则", "数值", "单位", "依据", None, "退回类型"),
        ("未付款订单自动关闭", 3, "天", "", None, "过敏"),
        (None, None, None, None, None, "地址有误退回"),
    )
    assert check_workbook([ledger, settings], TODAY).findings == ()


def test_a_rule_value_that_is_not_a_number_is_reported_on_settings():
    ledger = grid(
        "退件表", ("日期", "物流单号", "订单编码", "产品名称", "数量"), ("2026-11-20", "SF1", "SO1", "眼霜", 1)
    )
    settings = grid("设置", ("规则", "数值", "单位"), ("未付款订单自动关闭", "三天", "天"))
    check = check_workbook([ledger, settings], TODAY)
    assert flatten(check.findings) == [("设置", "B2", "bad_number")]
    assert check.settings.rule_values == {}


def test_the_header_may_sit_under_title_rows_and_headers_may_be_spelt_with_marks():
    ledger = grid(
        "Sheet1",
        ("客服工作交接表",),
        (),
        ("买家ID*", "订单\n号", "交接 处理", "交接人", "承接人", "时间", "状态"),
        ("jenny王", "41234", "查物流", "小美", "阿强", "2026-11-21 18:00", "待处理"),
    )
    (table_check,) = check_workbook([ledger], TODAY).tables
    assert (table_check.table.spec.title, table_check.table.header_row) == ("交接表", 3)
    assert table_check.records[0][HANDOVER.order_no] == "41234"


@pytest.mark.parametrize(
    "book",
    [
        [],
        [grid("Sheet1")],
        [grid("Sheet1", ("姓名", "年龄", "城市"), ("张三", 30, "杭州"))],
        [grid("设置", ("规则", "数值"), ("未付款订单自动关闭", 3))],
    ],
)
def test_a_workbook_without_any_known_sheet_is_refused(book):
    with pytest.raises(NoKnownSheet, match="没有找到可识别的表"):
        check_workbook(book, TODAY)


def test_the_items_inspected_add_up_to_the_items_returned_once_either_count_is_filled():
    header = ["日期", "物流单号", "订单编码", "产品名称", "数量", "良品数", "次品数"]
    rows = [
        ["2026-11-20", "SF1", "SO1", "眼霜", 3, 2, 1],  # adds up
        ["2026-11-20", "SF2", "SO2", "眼霜", 2, None, None],  # not inspected yet
        ["2026-11-20", "SF3", "SO3", "眼霜", 2, 2, None],  # all good: 次品数 left blank
        ["2026-11-20", "SF4", "SO4", "眼霜", 2, None, 1],  # one item not counted
        ["2026-11-20", "SF5", "SO5", "眼霜", 1, 1, 1],  # one more counted than came back
        ["2026-11-20", "SF6", "SO6", "眼霜", 2, "两个", 0],  # the count itself is wrong: said once
    ]
    check = check_workbook([Grid("退件表", [header, *rows])], date(2026, 11, 22))
    assert [(f.cell, f.code) for f in check.findings] == [
        ("G5", "inspection_mismatch"),
        ("F6", "inspection_mismatch"),
        ("F7", "bad_number"),
    ]
    assert check.findings[0].message.endswith(
        "「良品数」＋「次品数」合计 1，与「数量」2 对不上，请仓库重新清点后改正。"
    )
