"""The 设置 sheet as teams fill it, the 校验结果 tab and its record of our marks, and texts filled from rows."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from workbook_tools.core.changes import Style
from workbook_tools.core.results import earlier_marks, results_sheet
from workbook_tools.core.settings import handing_over, read_settings, taking_over
from workbook_tools.core.tables import Grid
from workbook_tools.core.texts import render
from workbook_tools.core.validate import check_workbook
from workbook_tools.spec.lists import RETURN_TYPE
from workbook_tools.spec.rowrules import Template
from workbook_tools.spec.sheets import CHASE_DETAIL

TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    "typed, read",
    [
        ("08:00", time(8)),
        ("8:30", time(8, 30)),
        ("08：00", time(8)),
        (0.5, time(12)),
        (1.0, time(0)),
        ("24:00", time(0)),
        ("24:00:00", time(0)),
        ("08:00:00", time(8)),
        (timedelta(hours=18), time(18)),  # a cell formatted [h]:mm, as Excel keeps a typed 24:00
        (timedelta(days=1), time(0)),
        ("8点", time(8)),
        ("早上八点", time(8)),
        ("下午4点", time(16)),
        (time(16, 15), time(16, 15)),
        (datetime(2026, 1, 1, 22, 0), time(22)),
        (23 / 24, time(23)),
    ],
)
def test_a_shift_time_in_every_way_teams_type_it(typed, read):
    roster = read_settings([Grid("设置", [["班次", "开始", "结束", "人员"], ["早班", typed, "23:59", "小美"]])]).roster
    assert [(s.name, s.start, s.agent) for s in roster] == [("早班", read, "小美")]


@pytest.mark.parametrize("typed", ["早上", "25:00", "8", None, "", 1.5, timedelta(hours=30)])
def test_a_shift_whose_time_cannot_be_read_is_left_out(typed):
    roster = read_settings(
        [
            Grid(
                "设置",
                [["班次", "开始", "结束", "人员"], ["早班", typed, "16:00", "小美"], ["晚班", "16:00", "24:00", None]],
            )
        ]
    ).roster
    assert [(s.name, s.agent) for s in roster] == [("晚班", "")]


def test_a_shift_time_that_cannot_be_read_is_a_finding_on_settings():
    roster = [[], ["班次", "开始", "结束", "人员"], ["早班", "早上", "16:00", "小美"], ["晚班", "16:00", "25:00", None]]
    ledger = Grid(
        "退件表", [["日期", "物流单号", "订单编码", "产品名称", "数量"], ["2026-11-20", "SF1", "SO1", "眼霜", 1]]
    )
    check = check_workbook([ledger, Grid("设置", [["规则", "数值"], *roster])], TODAY)
    assert [(f.sheet, f.cell, f.code) for f in check.findings] == [
        ("设置", "B4", "bad_number"),
        ("设置", "C5", "bad_number"),
    ]
    assert "「开始」的「早上」不是时间，请写成 08:00 这样的时间" in check.findings[0].message
    assert check_workbook([ledger, Grid("设置", roster[1:3])], TODAY).findings[0].cell == "B2"  # only a roster


def test_the_roster_ends_at_its_first_blank_row_and_reads_below_a_rule_table():
    grid = Grid(
        "设置",
        [
            ["规则", "数值"],
            ["未付款订单自动关闭", 2],
            [],
            ["班次", "开始", "结束", "人员"],
            ["早班", "08:00", "16:00", "小美"],
            ["晚班", "16:00", "24:00", "阿强"],
            [None],
            ["夜班", "00:00", "08:00", "莉莉"],
        ],
    )
    settings = read_settings([grid])
    assert [s.name for s in settings.roster] == ["早班", "晚班"] and settings.rule_values == {"unpaid_close": 2}


NIGHT_ROSTER = Grid(
    "设置",
    [
        ["班次", "开始", "结束", "人员"],
        ["晚班", "16:00", "24:00", "b"],
        ["夜班", "00:00", "07:00", "c"],
        ["早班", "08:00", "16:00", "a"],
        ["中班", "12:00", "20:00", "d"],
    ],
)


@pytest.mark.parametrize(
    "moment, names",
    [
        ((7, 30), ("夜班", "早班")),  # outside every shift: the shift that ended last hands over, late
        ((8, 0), ("夜班", "早班")),
        ((9, 0), ("早班", "中班")),
        ((13, 0), ("早班", "中班")),  # overlapping: the one leaving first hands over, to the one at work already
        ((16, 0), ("早班", "中班")),  # the very end of 早班 is still 早班's
        ((17, 0), ("中班", "晚班")),
        ((23, 0), ("晚班", "夜班")),  # in time order, whatever the rows' order
        ((2, 0), ("夜班", "早班")),
    ],
)
def test_who_hands_over_to_whom_including_shifts_that_overlap_or_cross_midnight(moment, names):
    turns = handing_over(read_settings([NIGHT_ROSTER]).roster, datetime(2026, 11, 22, *moment))
    assert turns is not None and (turns[0].shift.name, turns[1].shift.name) == names


def test_of_overlapping_shifts_the_one_leaving_first_hands_over_even_if_it_began_later():
    grid = Grid(
        "设置",
        [
            ["班次", "开始", "结束", "人员"],
            ["全天", "08:00", "20:00", "a"],
            ["午班", "11:00", "15:00", "b"],
            ["晚班", "20:00", "24:00", "c"],
        ],
    )
    turns = handing_over(read_settings([grid]).roster, datetime(2026, 11, 22, 14, 30))
    assert turns is not None and (turns[0].shift.name, turns[1].shift.name) == ("午班", "晚班")


@pytest.mark.parametrize(
    "moment, name", [((7, 30), "早班"), ((8, 0), "早班"), ((13, 0), "中班"), ((16, 0), "晚班"), ((0, 0), "夜班")]
)
def test_who_takes_over_is_the_shift_begun_last_or_the_next_to_begin(moment, name):
    turn = taking_over(read_settings([NIGHT_ROSTER]).roster, datetime(2026, 11, 22, *moment))
    assert turn is not None and turn.shift.name == name


def test_a_shift_across_midnight_is_worked_into_the_next_day():
    roster = read_settings([Grid("设置", [["班次", "开始", "结束", "人员"], ["夜班", "22:00", "06:00", "c"]])]).roster
    turn = taking_over(roster, datetime(2026, 11, 22, 3, 0))
    assert turn is not None and (turn.start, turn.end) == (datetime(2026, 11, 21, 22), datetime(2026, 11, 22, 6))


def test_without_a_roster_nobody_is_on_duty():
    assert handing_over((), datetime(2026, 11, 22, 9)) is None and taking_over((), datetime(2026, 11, 22, 9)) is None


def test_a_list_and_its_attribute_column_as_the_team_edited_them():
    grid = Grid(
        "设置",
        [
            ["规则", "数值", "单位", "依据", None, "退回类型", "邮费承担方"],
            [None, None, None, None, None, "过敏", "客户"],
            [None, None, None, None, None, "拒收", None],
            [None, None, None, None, None, "  破损 ", "快递"],
        ],
    )
    settings = read_settings([grid])
    assert settings.choices(RETURN_TYPE) == ("过敏", "拒收", "破损")
    assert [settings.attribute(RETURN_TYPE, v) for v in ("过敏", "拒收", "破损")] == ["客户", None, "快递"]


def test_results_tab_lists_every_finding_and_records_our_marks():
    ledger = Grid(
        "退件表", [["日期", "物流单号", "订单编码", "产品名称", "数量"], ["2026-13-01", "SF1", "SO1", "眼霜", "两瓶"]]
    )
    check = check_workbook([ledger], TODAY)
    tab = results_sheet(check, ["退件表!A2"], ["退件表"], datetime(2026, 11, 22, 18, 5))
    summary, marks, header, body = tab.blocks
    assert summary.rows == (("校验于 2026-11-22 18:05：2 个错误、0 个警告。改正后再点「校验」，标记会自动更新。",),)
    assert (summary.style, marks.style, header.style, body.style) == (Style.TITLE, Style.NOTE, Style.HEADER, Style.BODY)
    assert [row[:3] + row[5:6] for row in body.rows] == [
        ("退件表!A2", "退件表", "A2", "bad_date"),
        ("退件表!E2", "退件表", "E2", "bad_number"),
    ]
    assert (tab.title, tab.freeze_row, header.row, body.row) == ("校验结果", 4, 4, 5)
    rows = [[summary.rows[0][0]], *[list(r) for r in marks.rows], list(header.rows[0])]
    assert earlier_marks([Grid(tab.title, rows)]) == (["退件表"], ["退件表!A2"])


def test_a_clean_workbook_gets_one_line_saying_so():
    ledger = Grid(
        "退件表", [["日期", "物流单号", "订单编码", "产品名称", "数量"], ["2026-11-20", "SF1", "SO1", "眼霜", 1]]
    )
    tab = results_sheet(check_workbook([ledger], TODAY), [], [], datetime(2026, 11, 22, 18, 5))
    assert tab.blocks[-1].rows == (("", "", "", "", "", "", "没有发现问题。"),)


def test_texts_show_dates_plainly_and_a_buyers_phone_and_name_masked():
    values = {
        CHASE_DETAIL.placed_at: datetime(2026, 11, 21, 9, 5),
        CHASE_DETAIL.chased_at: datetime(2026, 11, 22),
        CHASE_DETAIL.phone: "13800138000",
        CHASE_DETAIL.consignee: "王丽丽",
    }
    text = render(
        Template("{placed_at}/{chased_at}/{phone}/{consignee}/{remarks|无}/{amount?¥}"),
        CHASE_DETAIL,
        values.get,
        read_settings([]),
    )
    assert text == "2026-11-21 09:05/2026-11-22/138****8000/王**/无/"
