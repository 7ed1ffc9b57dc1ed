"""Lists and words as teams use them (issue 15 §7): wider lists, plainer labels, and workbooks kept in the old words.

A team's workbook written before the renames keeps working: its 设置 rule titles, 事项类型 names, 责任方 我司 and
column headers are read as the new ones, with the same deadlines and no new findings.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

import pytest
from python_calamine import CalamineWorkbook

from workbook_tools.core.deadlines import open_items
from workbook_tools.core.findings import flatten
from workbook_tools.core.tables import Grid
from workbook_tools.core.totals import daily_totals
from workbook_tools.core.validate import check_workbook
from workbook_tools.spec.lists import AFTER_SALES_TYPE, RETURN_TYPE
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.sheets import QUALITY

from conftest import ROOT, TODAY, run, write_xlsx

AT = datetime(2026, 11, 22, 9, 0)


def grid(name: str, *rows: tuple[object, ...]) -> Grid:
    return Grid(name, [list(r) for r in rows])


# A 设置 as a team kept it before issue 15: old rule titles, the old 事项类型 name, 责任方 with 我司.
OLD_SETTINGS = grid(
    "设置",
    ("规则", "数值", "单位", "依据", None, "事项类型", "时限规则", "责任方"),
    ("拒绝退款后电话联系买家", 24, "小时", "000 §九.2", None, "拒绝退款回访", "拒绝退款后电话联系买家", "我司"),
    ("仅退款队列查看间隔", 15, "分钟", "000 §3.5", None, "其他", None, "快递"),
    ("疑难件联系不上买家", 3, "天", "003 第一章 Ⅱ", None, "疑难件", "疑难件联系不上买家", None),
    (None, None, None, None, None, None, None, "厂家"),
    (None, None, None, None, None, None, None, "客户"),
)
HANDOVER_HEADER = ("买家ID", "交接处理", "交接人", "承接人", "时间", "状态", "事项类型")
REQUEST_HEADER = ("平台", "售后单号", "订单编号", "买家ID", "售后类型", "发货状态", "申请时间", "状态", "处理时间")
QUALITY_HEADER = ("日期", "登记人", "客户ID", "订单编码", "问题类型", "责任方", "处理方案", "状态")


def test_an_old_settings_sheet_is_read_with_its_rule_titles_of_before():
    row = ("一只猫咪喵", "联系买家改地址", "阿强", "小美", "2026-11-22 09:00", "待处理", "疑难件")
    check = check_workbook([grid("交接表", HANDOVER_HEADER, row), OLD_SETTINGS], TODAY)
    assert check.settings.rule(RULES.refund_only_check) == 15
    assert check.settings.rule(RULES.problem_parcel) == 3
    assert check.settings.rule(RULES.refused_refund_call) == 24
    assert check.findings == ()
    # its 时限规则 cell names the rule by its old title: the team's 3 days apply
    assert [item.due_at for item in open_items(check, AT)] == [datetime(2026, 11, 25, 9, 0)]


@pytest.mark.parametrize("typed", ["拒绝退款回访", "拒绝退款后电联"])
def test_a_refused_refund_call_is_due_by_the_teams_own_rule_under_its_old_name_or_its_new(typed):
    book = [
        grid(
            "交接表",
            HANDOVER_HEADER,
            ("一只猫咪喵", "电话联系买家", "阿强", "小美", "2026-11-22 09:00", "待处理", typed),
        ),
        grid(
            "售后单",
            REQUEST_HEADER,
            ("淘宝", "R1", "41001", "阿杰", "仅退款", "已发货", "2026-11-21 10:00", "已拒绝", "2026-11-22 08:00"),
        ),
        OLD_SETTINGS,
    ]
    check = check_workbook(book, TODAY)
    assert check.findings == ()
    items = {item.sheet: item for item in open_items(check, AT)}
    # the team's 24 hours, not the declared 48: both the typed row and the refused request follow their 设置
    assert (items["交接表"].item_type, items["交接表"].due_at) == ("拒绝退款后电联", datetime(2026, 11, 23, 9, 0))
    assert (items["售后单"].item_type, items["售后单"].due_at) == ("拒绝退款后电联", datetime(2026, 11, 23, 8, 0))


def quality_rows(*responsible: str) -> Grid:
    return grid(
        "质量问题表",
        QUALITY_HEADER,
        *(
            (f"2026-11-2{n}", "小美", "jenny王", f"S{n}", "错发", who, "补发", "处理中")
            for n, who in enumerate(responsible)
        ),
    )


@pytest.mark.parametrize("settings", [(), (OLD_SETTINGS,)], ids=["no 设置", "设置 of before"])
def test_the_shop_as_one_party_stays_a_valid_responsible_party_after_the_split(settings):
    check = check_workbook([quality_rows("我司", "快递"), *settings], TODAY)
    assert check.findings == ()
    assert [r[QUALITY.responsible] for r in check.rows(QUALITY)] == ["我司", "快递"]


def test_the_split_responsible_parties_are_offered_and_a_word_off_the_list_is_still_wrong():
    check = check_workbook([quality_rows("仓库", "客服", "我们")], TODAY)
    assert flatten(check.findings, "cell", "code") == [("F4", "bad_choice")]
    assert "仓库、客服、快递、厂家、客户" in check.findings[0].message
    assert "我司" not in check.findings[0].message  # kept valid, never offered


@pytest.mark.parametrize(
    "sheet, header, row",
    [
        *(
            (
                "退件表",
                ("日期", "物流单号", "订单编码", "产品名称", "数量", "退回类型"),
                ("2026-11-20", "SF1", "S1", "眼霜", 1, v),
            )
            for v in ("拒收", "缺货/发货慢", "错发", "漏发", "破损", "丢件")
        ),
        *(
            ("质量问题表", QUALITY_HEADER, ("2026-11-20", "小美", "jenny王", "S1", v, "仓库", None, "处理中"))
            for v in ("少件", "真伪质疑")
        ),
        *(
            ("质量问题表", QUALITY_HEADER, ("2026-11-20", "小美", "jenny王", "S1", "过敏", "客户", v, "处理中"))
            for v in ("寄空瓶/容器", "不予处理（过敏）")
        ),
    ],
)
def test_each_new_value_of_a_strict_list_is_accepted(sheet, header, row):
    assert check_workbook([grid(sheet, header, row)], TODAY).findings == ()


@pytest.mark.parametrize(
    "return_type, payer",
    [("拒收", "客户"), ("缺货/发货慢", "我司"), ("错发", "我司"), ("漏发", "我司"), ("破损", "快递"), ("丢件", "快递")],
)
def test_each_new_return_type_says_who_pays_the_postage(return_type, payer):
    settings = check_workbook([grid("退件表", ("日期", "物流单号", "产品名称", "数量"))], TODAY).settings
    assert settings.attribute(RETURN_TYPE, return_type) == payer


def test_the_old_header_of_the_claim_column_is_still_read():
    header = (*QUALITY_HEADER, "索赔状态", "已追回金额")
    row = ("2026-11-20", "小美", "jenny王", "S1", "丢件", "快递", "补发", "处理中", "已赔付", 89)
    check = check_workbook([grid("质量问题表", header, row)], TODAY)
    assert check.findings == ()
    assert [r[QUALITY.recovered] for r in check.rows(QUALITY)] == [89]


def _settings_of(template: str) -> list[list[str]]:
    return [
        [str(v) for v in row]
        for row in CalamineWorkbook.from_path(ROOT / "templates_xlsx" / template).get_sheet_by_name("设置").to_python()
    ]


def test_settings_names_each_rule_and_where_it_comes_from_as_a_reader_finds_it():
    rows = _settings_of("team.xlsx")
    header = rows[0]
    rules = {row[0]: row[header.index("依据")] for row in rows[1:] if row[0] and row[header.index("单位")]}
    assert rules["仅退款多久查一次"] == "客服岗位规范 三.5、九.2"
    assert rules["已发货退款：卖家不处理自动同意"] == "售后服务手册 第四章 退款"
    assert rules["24 小时内同一买家最多催款次数"] == "催付常见做法"
    assert "仅退款队列查看间隔" not in rules
    file_like = re.compile(r"\b\d{3}\b|\.md|\.txt|§|seed", re.IGNORECASE)
    assert [r.source for r in RULES.all if file_like.search(r.source)] == []  # what the templates are built from
    item_types = [row[header.index("事项类型")] for row in rows[1:] if row[header.index("事项类型")]]
    assert "拒绝退款后电联" in item_types and "拒绝退款回访" not in item_types
    assert {"缺货", "拦截件", "中差评", "投诉"} <= set(item_types)
    responsible = [row[header.index("责任方")] for row in rows[1:] if row[header.index("责任方")]]
    assert responsible == ["仓库", "客服", "快递", "厂家", "客户"]


def test_a_teams_list_is_read_through_the_synonyms_its_cells_are_read_through():
    settings = grid("设置", ("规则", "售后类型"), ("未付款订单自动关闭", "退款"), (None, "退货退款"))
    row = ("淘宝", "R1", "41001", "阿杰", "退款", "已发货", "2026-11-21 10:00", "待处理", None)
    check = check_workbook([grid("售后单", REQUEST_HEADER, row), settings], TODAY)
    assert check.findings == ()  # 退款 on their list and in the cell: both read as 仅退款
    assert check.settings.choices(AFTER_SALES_TYPE) == ("仅退款", "退货退款")


def test_the_command_line_counts_returns_in_the_words_of_the_tab(tmp_path):
    book = write_xlsx(
        tmp_path / "team.xlsx",
        {
            "退件表": [
                ["日期", "物流单号", "订单编码", "产品名称", "数量", "退回类型"],
                ["2026-11-22", "SF1", "S1", "眼霜", 2, "拒收"],
                ["2026-11-22", "SF1", "S1", "面霜", 1, "拒收"],
            ]
        },
    )
    result = run("daily-totals", book, "--date", "2026-11-22", "--at", "2026-11-22 18:00")
    assert result.exit_code == 0, result.output
    assert "\n2026-11-22：退件 2 单 1 件 3 个；重发 0 单（未发出 0）；" in result.output


def test_a_new_item_type_typed_into_an_old_workbook_is_due_by_its_declared_rule():
    row = ("一只猫咪喵", "缺货，联系买家等到货还是退款", "阿强", "小美", "2026-11-22 09:00", "待处理", "缺货")
    check = check_workbook([grid("交接表", HANDOVER_HEADER, row), OLD_SETTINGS], TODAY)
    assert check.findings == ()
    # 缺货 is not on this team's 事项类型 list: it follows the shift's length, as in a new template
    assert [item.due_at for item in open_items(check, AT)] == [datetime(2026, 11, 22, 17, 0)]


def test_a_team_workbook_in_the_old_words_validates_and_hands_over_as_before(tmp_path):
    book = write_xlsx(
        tmp_path / "old.xlsx",
        {
            "交接表": [
                list(HANDOVER_HEADER),
                [
                    "一只猫咪喵",
                    "电话联系买家说明拒绝原因",
                    "阿强",
                    "小美",
                    "2026-11-22 09:00",
                    "待处理",
                    "拒绝退款回访",
                ],
            ],
            "质量问题表": [
                [*QUALITY_HEADER, "已追回金额"],
                ["2026-11-20", "小美", "jenny王", "S1", "丢件", "我司", "补发", "处理中", 89],
            ],
            "设置": [list(row) for row in OLD_SETTINGS.rows],
        },
    )
    validated = run("validate", book, "--json")
    assert (validated.exit_code, json.loads(validated.output)) == (0, [])
    handed = run("handover", book, "--from", "小美", "--to", "阿强", "--at", "2026-11-22 10:00", "--json")
    assert handed.exit_code == 0, handed.output
    due = {item["source"]: item["due_at"] for item in json.loads(handed.output[handed.output.index("{") :])["items"]}
    assert due["交接表!2"] == "2026-11-23T09:00"  # the team's 24 hours under the type's old name and old 设置


def test_a_postage_payer_typed_over_the_formula_is_counted_as_typed():
    header = ("日期", "物流单号", "订单编码", "产品名称", "数量", "退回类型", "邮费承担方")
    returns = grid(
        "退件表",
        header,
        ("2026-11-22", "SF1", "S1", "眼霜", 1, "客户原因", "运费险"),  # the buyer's shipping insurance pays
        ("2026-11-22", "SF2", "S2", "面霜", 1, "客户原因", "客户"),  # as the formula shows it
        ("2026-11-22", "SF3", "S3", "精华", 1, "错发", None),  # no cached result: 设置's word for the type
    )
    _, sheet = daily_totals(check_workbook([returns], TODAY), TODAY, AT)
    blocks = [b.rows for b in sheet.blocks]
    payers = blocks[blocks.index((("承担方", "当天", "近 7 天"),)) + 1]
    assert sorted(payers) == sorted([("运费险", 1, 1), ("客户", 1, 1), ("我司", 1, 1)])
