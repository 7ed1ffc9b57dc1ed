"""Shift handover: which items, in which order, with which deadlines and instructions."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime

import openpyxl
import pytest
from lxml import etree
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import absolute_coordinate

from workbook_tools.core.handover import PROGRESS_CUT, acknowledge, carried_progress, handover
from workbook_tools.core.records import Record
from workbook_tools.core.tables import Grid
from workbook_tools.core.validate import check_workbook
from workbook_tools.errors import WorkbookToolsError
from workbook_tools.spec.sheets import HANDOVER as HANDOVER_SHEET

from conftest import demo_workbook, write_xlsx
from conftest import run as run_cli

AT = datetime(2026, 11, 22, 18, 0)

RETURNS = Grid(
    "退件表",
    [
        ["日期", "物流单号", "ID号", "订单编码", "退回类型", "产品名称", "数量", "解决方案", "处理结果"],
        ["2026-11-12", "SF1", "小鱼儿爱吃糖", "SO1", "过敏", "紧致眼霜 15g", 1, "退款", None],  # open, due 11-22 00:00
        ["2026-11-20", "SF2", "jenny王", "SO2", "客户原因", "温和卸妆水 500ml", 2, "退款", "已退款"],  # done
        ["2026-11-21", "SF3", "cherry_lin", "SO3", "发货问题", "氨基酸洗面奶 100g", 1, "重发", "待处理"],  # open, 12-01
    ],
)
RESENDS = Grid(
    "重发单",
    [
        ["日期", "填写人", "客户ID", "原订单编码", "产品名称", "数量", "发件原因", "新物流单号"],
        ["2026-11-22", "小美", "晴天娃娃88", "SO4", "紧致眼霜 15g", 1, "破损补发", None],  # open, 11-23 00:00
        ["2026-11-21", "小美", "晴天娃娃88", "SO5", "紧致眼霜 15g", 1, "破损补发", "SF9"],  # shipped
    ],
)
QUALITY = Grid(
    "质量问题表",
    [
        ["日期", "登记人", "客户ID", "订单编码", "问题类型", "问题描述", "凭证张数", "处理方案", "状态", "结案日期"],
        ["2026-11-20", "阿强", "风吹麦浪kk", "SO6", "漏液", "瓶盖松动", 2, "补发", "处理中", None],  # open, 11-25 00:00
        ["2026-11-19", "阿强", "风吹麦浪kk", "SO7", "漏液", "瓶盖松动", 2, "补发", "已结案", "2026-11-20"],
    ],
)
CHASE = Grid(
    "催款明细表",
    [
        ["拍下时间", "买家ID", "订单编号", "订单金额", "催款日期", "催款人", "催款方式", "接听情况", "催款结果"],
        [
            "2026-11-19 23:59",
            "蓝色天空1990",
            "4100000000000000001",
            89,
            "2026-11-20",
            "莉莉",
            "电话",
            "未接通",
            "未付款",
        ],
        [
            "2026-11-19 18:00",
            "土豆不是洋芋",
            "4100000000000000002",
            59,
            "2026-11-20",
            "莉莉",
            "电话",
            "未接通",
            "未付款",
        ],
        [
            "2026-11-21 10:00",
            "快乐的胖子",
            "4100000000000000003",
            128,
            "2026-11-22",
            "莉莉",
            "旺旺",
            "本人接听",
            "已付款",
        ],
    ],
)
HANDOVER = Grid(
    "交接表",
    [
        [
            "买家ID",
            "订单号",
            "订单状态",
            "订单描述",
            "交接处理",
            "交接人",
            "承接人",
            "时间",
            "截止时间",
            "状态",
            "事项类型",
        ],
        [
            "一只猫咪喵",
            "4100000000000000004",
            "退款中",
            "拒绝了仅退款",
            "电话联系买家说明拒绝原因",
            "阿强",
            "小美",
            "2026-11-22 09:00",
            None,
            "待处理",
            "拒绝退款回访",
        ],  # 11-24 09:00
        [
            "阿杰的小店",
            "4100000000000000005",
            "退款中",
            "买家申请退款",
            "同意退款前先核实物流",
            "阿强",
            "小美",
            "2026-11-22 09:00",
            "2026-11-22 18:00",
            "待处理",
            "退款申请（已发货）",
        ],  # due = AT
        ["tb3728_2011", None, None, None, "已处理完", "阿强", "小美", "2026-11-22 09:00", None, "已完成", "其他"],
    ],
)
BOOK = [HANDOVER, RETURNS, RESENDS, QUALITY, CHASE]


def run(book=BOOK, at=AT, from_agent="小美", to_agent="阿强"):
    return handover(check_workbook(book, at.date()), from_agent, to_agent, at)


def test_every_open_item_most_urgent_first_with_its_deadline():
    result = run()
    assert [(i["source"], i["due_at"], i["overdue"]) for i in result.items] == [
        ("退件表!2", "2026-11-22T00:00", True),
        ("交接表!3", "2026-11-22T18:00", True),  # a deadline exactly at the handover time is overdue
        ("催款明细表!2", "2026-11-22T23:59", False),  # placed 23:59, closes three days later to the minute
        ("重发单!2", "2026-11-23T00:00", False),
        ("交接表!2", "2026-11-24T09:00", False),  # 09:00 + 48 h for a refused refund
        ("质量问题表!2", "2026-11-25T00:00", False),
        ("退件表!4", "2026-12-01T00:00", False),
    ]
    assert result.written == 7 and result.overdue == 2


def test_the_instruction_says_what_to_do_and_by_when():
    actions = {i["source"]: i["action"] for i in run().items}
    assert (
        actions["退件表!2"] == "【已超时】核对退件后退款，并在退件表填写处理结果；逾期平台自动退款（截止 11-22 00:00）"
    )
    assert actions["催款明细表!2"] == (
        "【本班到期】再次催付，结果记入催款明细表；24 小时内同一买家不超过 3 次（截止 11-22 23:59）"
    )
    assert actions["交接表!2"] == "电话联系买家说明拒绝原因（截止 11-24 09:00）"
    assert actions["质量问题表!2"] == "跟进补发，答复买家；结案后在质量问题表填写状态和结案日期（截止 11-25 00:00）"


def test_an_order_the_platform_already_closed_is_not_handed_over():
    sources = [i["source"] for i in run().items]
    assert "催款明细表!3" not in sources and "催款明细表!4" not in sources


def test_the_new_rows_carry_the_seed_columns_and_a_stable_item_number():
    result = run()
    cells = {(c.row, c.col): c.value for c in result.change.cells}
    header = HANDOVER.rows[0]
    assert result.change.sheet == "交接表"
    first = {h: cells.get((5, i + 1)) for i, h in enumerate(header)}  # appended after row 4
    assert first == {
        "买家ID": "小鱼儿爱吃糖",
        "订单号": "SO1",
        "订单状态": "退款中",
        "订单描述": "退件（过敏）紧致眼霜 15g×1",
        "交接处理": run().items[0]["action"],
        "交接人": "小美",
        "承接人": "阿强",
        "时间": AT,
        "截止时间": datetime(2026, 11, 22),
        "状态": "待处理",
        "事项类型": "退件确认",
    }
    added = {c.value for c in result.change.cells if c.row == 1}
    assert added == {"订单价格", "来源", "事项编号", "本班进展"}  # the team lacked them: added after its last column


def test_handed_over_again_to_the_same_agent_adds_nothing():
    first = run()
    assert first.written == 7
    again = run(book=[_with_rows(HANDOVER, first), *BOOK[1:]])
    assert (again.written, again.already, again.change) == (0, 7, None)


def test_an_item_closed_in_its_ledger_is_marked_done_at_the_next_handover():
    handed = _with_rows(HANDOVER, run())
    returns = Grid("退件表", [row[:] for row in RETURNS.rows])
    returns.rows[1][8] = "已退款"
    result = run(book=[handed, returns, *BOOK[2:]], at=datetime(2026, 11, 23, 9, 0), from_agent="阿强", to_agent="莉莉")
    done = [i for i in result.items if i["state"] == "已完成"]
    assert [(i["source"], i["order_no"]) for i in done] == [
        ("退件表!2", "SO1"),  # refunded since
        ("催款明细表!2", "4100000000000000001"),
    ]  # auto-closed
    states = {(c.row, c.value) for c in result.change.cells if c.value in ("已完成", "已转交")}
    assert (5, "已完成") in states
    assert sum(1 for _, v in states if v == "已转交") == result.written


def test_rows_with_errors_are_still_handed_over_and_say_so():
    returns = Grid("退件表", [RETURNS.rows[0], ["2026-11-20", "SF7", "x", "SO8", "快递问题", "眼霜", 1, "退款", None]])
    (item,) = run(book=[returns]).items
    assert item["action"].endswith("；该行有校验错误，请先改正")


def test_a_workbook_without_handover_sheet_gets_one():
    result = run(book=[RETURNS])
    assert result.change.title == "交接表" and result.written == 2


def test_an_empty_ledger_gives_nothing_to_write():
    result = run(book=[Grid("退件表", [RETURNS.rows[0]])])
    assert (result.written, result.items, result.change) == (0, (), None)


@pytest.mark.parametrize("names", [("", "阿强"), ("小美", None), ("小美", "小美")])
def test_names_are_required_and_different(names):
    with pytest.raises(WorkbookToolsError, match="交接人"):
        run(from_agent=names[0], to_agent=names[1])


def test_the_incoming_agent_acknowledges_only_their_unconfirmed_rows():
    handed = _with_rows(HANDOVER, run())
    done = acknowledge(check_workbook([handed], AT.date()), "阿强", datetime(2026, 11, 22, 18, 10))
    assert (done.agent, done.count) == ("阿强", 7)
    assert {c.value for c in done.change.cells} == {"确认时间", datetime(2026, 11, 22, 18, 10)}  # column added once


def _with_rows(grid: Grid, result) -> Grid:
    """The handover sheet as it reads after `result` was written (cells applied to a copy of the grid)."""
    rows = [row[:] for row in grid.rows]
    for cell in result.change.cells:
        while len(rows) < cell.row:
            rows.append([])
        row = rows[cell.row - 1]
        row.extend([None] * (cell.col - len(row)))
        row[cell.col - 1] = cell.value
    return Grid(grid.name, rows)


def test_a_rule_the_team_changed_on_settings_moves_the_deadline():
    settings = Grid("设置", [["规则", "数值", "单位"], ["买家寄出退货后卖家确认收货", 7.5, "天"]])
    result = run(book=[RETURNS, settings])
    assert [i["due_at"] for i in result.items] == ["2026-11-19T12:00", "2026-11-28T12:00"]


ROSTER = Grid(
    "设置",
    [
        ["规则", "数值"],
        [],
        ["班次", "开始", "结束", "人员"],
        ["早班", "08:00", "16:00", "小美"],
        ["晚班", 16 / 24, "24:00", "阿强"],
    ],
)


@pytest.mark.parametrize(
    "hour, names",
    [
        (9, ("小美", "阿强")),
        (16, ("小美", "阿强")),
        (18, ("阿强", "小美")),
        (23, ("阿强", "小美")),
        (3, ("阿强", "小美")),
    ],
)
def test_without_names_the_roster_says_who_hands_over_to_whom(hour, names):
    """A handover closes a shift: at 16:00 it is still 早班's, and at 03:00, outside every shift, 晚班's (late)."""
    at = datetime(2026, 11, 22, hour, 0)
    result = handover(check_workbook([RETURNS, ROSTER], at.date()), None, None, at)
    (header,), first = result.change.blocks[0].rows, result.change.blocks[1].rows[0]  # a new 交接表
    assert (first[header.index("交接人")], first[header.index("承接人")]) == names


def test_with_an_empty_roster_the_names_are_asked_for():
    with pytest.raises(WorkbookToolsError, match="排班"):
        handover(check_workbook([RETURNS], AT.date()), None, None, AT)


@pytest.mark.parametrize(
    "at, agent, rows",
    [
        (datetime(2026, 11, 22, 10, 5), "小美", [2, 3]),
        (datetime(2026, 11, 22, 17, 5), "阿强", []),
        (datetime(2026, 11, 22, 16, 0), "阿强", []),  # 晚班 has begun
        (datetime(2026, 11, 22, 7, 50), "小美", [2, 3]),  # outside every shift: 早班 confirms before it begins
    ],
)
def test_without_a_name_the_agent_on_duty_by_the_roster_acknowledges(at, agent, rows):
    """The 确认接班 button is clicked by whoever has just taken over: the shift on duty at the click."""
    done = acknowledge(check_workbook([HANDOVER, ROSTER], at.date()), None, at)
    assert (done.agent, done.count) == (agent, len(rows))
    written = sorted(c.row for c in done.change.cells if c.value == at) if done.change else []
    assert written == rows


def test_without_a_name_or_roster_the_incoming_agent_is_asked_for():
    with pytest.raises(WorkbookToolsError, match=r"^请写明承接人，或在「设置」表的排班里填上每班的人员。$"):
        acknowledge(check_workbook([HANDOVER], AT.date()), None, AT)
    with pytest.raises(WorkbookToolsError, match=r"^请写明承接人（--agent 姓名）。$"):
        acknowledge(check_workbook([HANDOVER, ROSTER], AT.date()), " ", AT)


def test_the_cli_acknowledges_for_the_agent_on_duty_when_no_agent_is_given(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"交接表": HANDOVER.rows, "设置": ROSTER.rows})
    result = run_cli("acknowledge", path, "--at", "2026-11-22 10:05", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"acknowledged": 2, "agent": "小美"}
    sheet = openpyxl.load_workbook(path)["交接表"]
    header = [c.value for c in sheet[1]]
    confirmed = [row[header.index("确认时间")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert confirmed == [datetime(2026, 11, 22, 10, 5)] * 2 + [None]


def _written(result, grid: Grid = HANDOVER) -> list[dict[str, object]]:
    """The rows a handover appended, by header (the team's sheet gained the columns it lacked)."""
    header = {c.col: c.value for c in result.change.cells if c.row == 1}
    header.update({i + 1: h for i, h in enumerate(grid.rows[0])})
    rows: dict[int, dict[str, object]] = {}
    for cell in result.change.cells:
        if cell.row > len(grid.rows):
            rows.setdefault(cell.row, {})[header[cell.col]] = cell.value
    return [rows[r] for r in sorted(rows)]


def test_every_column_of_a_written_item_comes_from_its_ledger_row():
    rows = {row["来源"]: row for row in _written(run())}
    assert rows["质量问题表!2"] == {
        "买家ID": "风吹麦浪kk",
        "订单号": "SO6",
        "订单描述": "漏液：瓶盖松动",
        "交接处理": rows["质量问题表!2"]["交接处理"],
        "交接人": "小美",
        "承接人": "阿强",
        "时间": AT,
        "来源": "质量问题表!2",
        "截止时间": datetime(2026, 11, 25),
        "状态": "待处理",
        "事项类型": "质量问题",
        "事项编号": rows["质量问题表!2"]["事项编号"],
    }
    chase = rows["催款明细表!2"]
    assert (chase["订单状态"], chase["订单价格"], chase["订单描述"]) == (
        "等待买家付款",
        89,
        "未付款订单 ¥89.00（上次：未接通）",
    )
    assert chase["事项编号"].startswith("CH-") and len(chase["事项编号"]) == 13
    assert "订单状态" not in rows["退件表!4"]  # resent, not refunded: the order is not 退款中


def test_a_hand_written_item_keeps_its_own_texts_type_and_number():
    rows = {row["来源"]: row for row in _written(run())}
    manual = rows["交接表!2"]
    # typed as 拒绝退款回访, the type's name before issue 15: handed on under its new name, due as before
    assert (manual["事项类型"], manual["订单描述"], manual["订单状态"]) == ("拒绝退款后电联", "拒绝了仅退款", "退款中")
    assert manual["交接处理"] == "电话联系买家说明拒绝原因（截止 11-24 09:00）"
    assert manual["事项编号"].startswith("HO-") and len(manual["事项编号"]) == 13
    updates = {(c.row, c.value) for c in run().change.cells if c.row in (2, 3)}
    assert (2, "已转交") in updates and (2, manual["事项编号"]) in updates  # the typed row is handed on, numbered


def test_a_hand_written_item_with_a_problem_is_flagged_and_a_blank_one_still_reads():
    handover = Grid(
        "交接表",
        [
            HANDOVER.rows[0],
            ["一只猫咪喵", None, None, None, "", "阿强", "小美", "2026-11-22 09:00", None, "待处理", None],
        ],
    )
    (item,) = run(book=[handover]).items
    assert item["action"] == "；该行有校验错误，请先改正"  # 交接处理 is missing: flagged, never dropped
    (row,) = _written(run(book=[handover]), handover)
    assert (row["事项类型"], row.get("订单描述")) == ("其他", None)


def test_a_damaged_parcel_with_a_claim_open_says_so():
    quality = Grid(
        "质量问题表",
        [
            [*QUALITY.rows[0], "索赔状态"],
            ["2026-11-20", "阿强", "c", "SO6", "漏液", "瓶盖松动", 2, "补发", "处理中", None, "索赔中"],
        ],
    )
    rows = {row["来源"]: row for row in _written(run(book=[HANDOVER, quality]))}
    assert rows["质量问题表!2"]["订单描述"] == "漏液：瓶盖松动，快递索赔未完成"


def test_items_done_since_the_last_handover_are_reported_with_their_own_columns():
    handed = _with_rows(HANDOVER, run())
    returns = Grid("退件表", [row[:] for row in RETURNS.rows])
    returns.rows[1][8] = "已退款"
    result = run(book=[handed, returns, *BOOK[2:]], at=datetime(2026, 11, 23, 9, 0), from_agent="阿强", to_agent="莉莉")
    done = next(i for i in result.items if i["state"] == "已完成" and i["source"] == "退件表!2")
    assert done == {
        "source": "退件表!2",
        "buyer_id": "小鱼儿爱吃糖",
        "order_no": "SO1",
        "action": done["action"],
        "due_at": "2026-11-22T00:00",
        "overdue": False,
        "state": "已完成",
    }
    assert done["action"].startswith("【已超时】核对退件后退款")


def _pending_rows(path) -> dict[str, tuple[int, object]]:
    """事项编号 → (row, 本班进展) of each item's pending row in 交接表, as the file holds them."""
    sheet = openpyxl.load_workbook(path)["交接表"]
    headers = [c.value for c in sheet[1]]
    number, state, progress = (headers.index(h) for h in ("事项编号", "状态", "本班进展"))
    return {
        row[number].value: (row[number].row, row[progress].value)
        for row in sheet.iter_rows(min_row=2)
        if row[state].value == "待处理"
    }


def test_what_an_agent_types_into_progress_is_on_the_items_current_row_after_every_handover(tmp_path):
    path = demo_workbook(tmp_path / "team.xlsx")
    shifts = [
        ("小美", "阿强", "2026-11-22 18:00"),
        ("阿强", "莉莉", "2026-11-23 02:00"),
        ("莉莉", "小美", "2026-11-23 10:00"),
    ]
    typed: dict[str, list[str]] = {}
    for n, (giver, taker, at) in enumerate(shifts):
        assert run_cli("handover", path, "--from", giver, "--to", taker, "--at", at).exit_code == 0
        current = _pending_rows(path)
        for key, (_, progress) in current.items():
            expected = "\n".join(typed.get(key, [])) or None
            assert progress == expected, (key, n)
        book = openpyxl.load_workbook(path)
        sheet = book["交接表"]
        column = [c.value for c in sheet[1]].index("本班进展") + 1
        rows = {row for row, _ in current.values()}
        for i, (key, (row, progress)) in enumerate(sorted(current.items())):
            if i % 2 == n % 2:  # some items get a note this shift, others not
                note = f"第{n + 1}班：已联系买家 {key}"
                sheet.cell(row, column).value = f"{progress}\n{note}" if progress else note
                typed.setdefault(key, []).append(note)
        if n == 1:  # a note typed on a row already handed on is not lost either
            number = [c.value for c in sheet[1]].index("事项编号")
            old = next(r for r in sheet.iter_rows(min_row=2) if r[number].value in current and r[0].row not in rows)
            old[column - 1].value = "补记：买家已同意换货"
            typed.setdefault(old[number].value, []).insert(0, "补记：买家已同意换货")
        book.save(path)
    assert sum(map(len, typed.values())) >= 6


def _chased(*moments: str, buyer: str = "小鹿乱撞2020") -> Grid:
    """One unpaid order per chase of `buyer`, each chased once at the given moment."""
    header = ["拍下时间", "买家ID", "订单编号", "订单金额", "催款时间", "催款人", "催款方式", "接听情况", "催款结果"]
    rows = [
        ["2026-11-21 20:00", buyer, f"41000000000000{n:02d}", 89, moment, "小美", "电话", "未接通", "未付款"]
        for n, moment in enumerate(moments)
    ]
    return Grid("催款明细表", [header, *rows])


@pytest.mark.parametrize(
    "moments, until",
    [
        (("2026-11-22 09:00", "2026-11-22 12:00", "2026-11-22 15:00"), "2026-11-23 09:00"),
        (("2026-11-22 15:00", "2026-11-22 09:00", "2026-11-21 19:00"), "2026-11-22 19:00"),  # within 24 hours
        (("2026-11-22 09:00", "2026-11-22 12:00", "2026-11-22 15:00", "2026-11-22 16:00"), "2026-11-23 12:00"),
        (("2026-11-22", "2026-11-22", "2026-11-22 10:30"), "2026-11-23"),  # a day alone counts for that day
        (("2026-11-22 09:00", "2026-11-22 12:00"), None),
        (("2026-11-21 10:00", "2026-11-21 11:00", "2026-11-21 12:00"), None),  # 24 hours are over
        (("2026-11-21", "2026-11-21", "2026-11-21"), None),  # yesterday
        (("2026-11-22 09:00", "2026-11-22 12:00", "2026-11-22 19:00"), None),  # a slip into the future does not count
    ],
)
def test_a_buyer_chased_the_most_times_in_24_hours_is_not_to_be_chased_again_until_the_first_chase_is_a_day_old(
    moments, until
):
    items = handover(check_workbook([_chased(*moments)], AT.date()), "小美", "阿强", AT).items
    actions = {item["action"] for item in items}
    assert len(items) == len(moments)  # one unpaid order per chase, each its own item
    if until is None:
        assert all(action.startswith("再次催付") for action in actions), actions
    else:
        expected = f"这位买家 24 小时内已催满 3 次：{until} 以前不要再催，买家付款了就记入催款明细表（"
        assert all(action.startswith(expected) for action in actions), actions


def test_the_limit_counts_one_buyers_chases_only():
    grid = _chased("2026-11-22 09:00", "2026-11-22 12:00")
    other = _chased("2026-11-22 15:00", buyer="晴天娃娃88").rows[1]
    other[2] = "4200000000000000"
    items = handover(check_workbook([Grid(grid.name, [*grid.rows, other])], AT.date()), "小美", "阿强", AT).items
    assert all(item["action"].startswith("再次催付") for item in items)


def _typed(*texts: str) -> list[Record]:
    """交接表 rows of one item, an hour apart, each with the 本班进展 typed on it."""
    return [
        Record(HANDOVER_SHEET, 2 + n, {HANDOVER_SHEET.at: datetime(2026, 11, 22, n), HANDOVER_SHEET.progress: text})
        for n, text in enumerate(texts)
    ]


def test_progress_too_long_for_a_cell_keeps_the_latest_text_whole_and_says_the_oldest_is_left_out():
    oldest, older, latest = "甲" * 20000, "丙" * 13000, "乙" * 20000
    carried = carried_progress(_typed(oldest, older, latest))
    assert carried == f"{PROGRESS_CUT}\n{latest}" and len(carried) <= 32767
    fits = carried_progress(_typed("丁" * 8000, "丙" * 6000, latest))
    assert fits == f"{PROGRESS_CUT}\n{'丙' * 6000}\n{latest}"  # only what does not fit is left out
    again = carried_progress(_typed(oldest, carried, "戊"))  # carried on: the note is not repeated
    assert again == f"{PROGRESS_CUT}\n{latest}\n戊"
    assert carried_progress(_typed("甲" * 16383, "乙" * 16383)) == f"{'甲' * 16383}\n{'乙' * 16383}"  # 32,767 fit


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def test_a_teams_filter_on_handover_grows_with_it_and_excel_keeps_finding_it(tmp_path):
    """The filter's range and the hidden name Excel keeps it under both cover the rows and columns added."""
    team = [["状态", "交接处理", "买家ID", "订单号", "交接人", "承接人", "时间"], ["待处理", "回电", "bob", "SO9"]]
    path = write_xlsx(tmp_path / "team.xlsx", {"退件表": RETURNS.rows, "交接表": team})
    book = openpyxl.load_workbook(path)
    book["交接表"].auto_filter.ref = "A1:G2"  # openpyxl names it _xlnm._FilterDatabase, as Excel does
    book.save(path)
    assert run_cli("handover", path, "--from", "小美", "--to", "阿强", "--at", "2026-11-22 18:00").exit_code == 0
    sheet = openpyxl.load_workbook(path)["交接表"]
    ref = f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
    assert sheet.max_row > 2 and sheet.max_column > 7 and sheet.auto_filter.ref == ref
    with zipfile.ZipFile(path) as package:
        names = etree.fromstring(package.read("xl/workbook.xml")).iter(f"{{{MAIN}}}definedName")
        (defined,) = [n for n in names if n.get("name") == "_xlnm._FilterDatabase"]
    assert (defined.get("localSheetId"), defined.text.rpartition("!")[2]) == ("1", absolute_coordinate(ref))


def test_a_problem_a_callback_found_is_handed_over_until_solved_a_day_after_the_call():
    header = ["回访日期", "买家ID", "订单编号", "回访类型", "回访人", "满意度", "问题反馈", "需跟进", "状态"]
    rows = [
        ["2026-11-20", "b1", "SO1", "收货后回访", "小美", "不满意", "用完脸干", "是", "待跟进"],
        ["2026-11-22", "b2", "SO2", "缺货通知", "小美", "一般", None, "是", None],
        ["2026-11-22", "b3", "SO3", "收货后回访", "小美", "满意", None, "否", "无需跟进"],
        ["2026-11-21", "b4", "SO4", "收货后回访", "小美", "不满意", "漏液", "是", "已解决"],
    ]
    check = check_workbook([Grid("回访表", [header, *rows])], datetime(2026, 11, 22).date())
    assert check.findings == ()
    items = handover(check, "小美", "阿强", datetime(2026, 11, 22, 18, 0)).items
    assert [(i["source"], i["due_at"], i["overdue"], i["buyer_id"]) for i in items] == [
        ("回访表!2", "2026-11-21T00:00", True, "b1"),
        ("回访表!3", "2026-11-23T00:00", False, "b2"),
    ]
    assert items[0]["action"] == (
        "【已超时】联系买家解决回访中反映的问题，解决后在回访表把状态改为已解决（截止 11-21 00:00）"
    )


def test_a_spot_check_to_put_right_is_handed_over_as_nobodys_order_three_days_after_the_check():
    header = ["抽查日期", "被抽查人", "抽查的回访", "评分", "问题", "整改要求", "整改状态"]
    rows = [
        ["2026-11-18", "小美", "回访表!3", 60, "没给护肤建议", "复听一通", "待整改"],
        ["2026-11-22", "阿强", "回访表!7", 70, "语气生硬", None, "待整改"],
        ["2026-11-22", "莉莉", "回访表!9", 95, None, None, "无需整改"],
        ["2026-11-20", "阿强", "回访表!5", 80, "漏问满意度", None, "已整改"],
    ]
    check = check_workbook([Grid("回访抽查表", [header, *rows])], datetime(2026, 11, 22).date())
    assert check.findings == ()
    result = handover(check, "小美", "阿强", datetime(2026, 11, 22, 18, 0))
    assert [(i["source"], i["due_at"], i["overdue"], i["buyer_id"], i["order_no"]) for i in result.items] == [
        ("回访抽查表!2", "2026-11-21T00:00", True, None, None),
        ("回访抽查表!3", "2026-11-25T00:00", False, None, None),
    ]
    assert result.items[1]["action"] == (
        "阿强按整改要求改正，主管复查后在回访抽查表把整改状态改为已整改（截止 11-25 00:00）"
    )


PARCEL_HEADER = ["发现日期", "物流单号", "订单编号", "买家ID", "异常类型", "处理方案", "原件状态", "已退款"]
PARCEL_HEADER += ["索赔状态", "状态", "结案日期"]


def test_problem_parcels_are_followed_as_the_sop_says_until_the_parcel_is_back_and_the_claim_paid():
    rows = [
        # 客户原因: four days to reach the buyer (003 第一章 五.Ⅱ)
        ["2026-11-21", "SF1", "SO1", "b1", "疑难件（客户原因）", None, "在途", "否", None, "处理中", None],
        # unreachable: the courier returns it within a week, so 4 + 7 days from when it was found
        ["2026-11-15", "SF2", "SO2", "b2", "疑难件（客户原因）", "原件退回", "在途", "否", None, "处理中", None],
        # intercepted and refunded: open until back in the warehouse, though the case was closed (000 §四.6)
        ["2026-11-20", "SF3", "SO3", "b3", "拦截件", "原件退回", "在途", "是", None, "已结案", "2026-11-20"],
        # lost, nothing done yet: resend at once (003 第一章 五.Ⅳ)
        ["2026-11-22", "SF4", "SO4", "b4", "丢件", None, "丢失", "否", "待索赔", "处理中", None],
        # resent; the claim stays open until the money arrived, even once closed
        ["2026-11-10", "SF5", "SO5", "b5", "破损", "重发", "已签收", "否", "索赔中", "已结案", "2026-11-12"],
        # done: nothing to hand over
        ["2026-11-20", "SF6", "SO6", "b6", "拦截件", "原件退回", "已退回", "是", "无需索赔", "已结案", "2026-11-21"],
        ["2026-11-20", "SF7", "SO7", "b7", "超区件", "转其他快递", "已签收", "否", "已赔付", "已结案", "2026-11-21"],
        # anything else: followed up the next day (000 §九.3)
        ["2026-11-22", "SF8", "SO8", "b8", "疑难件（快递原因）", "催件", "在途", "否", None, "处理中", None],
    ]
    check = check_workbook([Grid("物流异常表", [PARCEL_HEADER, *rows])], datetime(2026, 11, 22).date())
    assert [(f.cell, f.code) for f in check.findings] == [("I6", "closed_with_open_claim")]
    result = handover(check, "小美", "阿强", datetime(2026, 11, 22, 18, 0))
    assert sorted((i["source"], i["due_at"], i["overdue"]) for i in result.items) == [
        ("物流异常表!2", "2026-11-25T00:00", False),
        ("物流异常表!3", "2026-11-26T00:00", False),
        ("物流异常表!4", "2026-11-27T00:00", False),
        ("物流异常表!5", "2026-11-23T00:00", False),
        ("物流异常表!6", "2026-12-10T00:00", False),
        ("物流异常表!9", "2026-11-23T00:00", False),
    ]
    actions = {i["source"]: i["action"] for i in result.items}
    assert "电话联系、旺旺留言，确认买家的电话和地址；4 天内联系不上" in actions["物流异常表!2"]
    assert "已退款的拦截件：每天下班前查原件是否退回仓库" in actions["物流异常表!4"]
    assert "向买家致歉，马上补发（在重发单登记）" in actions["物流异常表!5"]
    assert "向快递跟进理赔，到账后在物流异常表填写理赔到账金额" in actions["物流异常表!6"]


def test_compensation_waiting_for_approval_is_an_item_for_the_lead_a_day_after_it_was_registered():
    header = ["日期", "登记人", "客户ID", "订单编码", "问题类型", "补偿金额", "状态", "结案日期", "审批状态"]
    rows = [
        ["2026-11-20", "小美", "b1", "SO1", "漏液", 120, "已结案", "2026-11-21", "待审批"],
        ["2026-11-22", "小美", "b2", "SO2", "漏液", 88, "已结案", "2026-11-22", "已批准"],
    ]
    check = check_workbook([Grid("质量问题表", [header, *rows])], datetime(2026, 11, 22).date())
    items = handover(check, "小美", "阿强", datetime(2026, 11, 22, 18, 0)).items
    assert [(i["source"], i["due_at"], i["overdue"], i["buyer_id"]) for i in items] == [
        ("质量问题表!2", "2026-11-21T00:00", True, "b1")
    ]
    assert items[0]["action"] == (
        "【已超时】主管：补偿超过 50 元，请审批；批准后在质量问题表把审批状态改为已批准并填写审批人和审批时间"
        "（截止 11-21 00:00）"
    )
