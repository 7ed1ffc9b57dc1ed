"""评价表, 投诉维权表, the lead's approval of money on every sheet that pays it, and a column naming another
sheet's row: each checked against counts made here from the rows, as the SOPs describe them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from workbook_tools.core.handover import handover
from workbook_tools.core.tables import Grid
from workbook_tools.core.totals import daily_totals
from workbook_tools.core.validate import check_workbook
from workbook_tools.spec.figures import Total, paid_label
from workbook_tools.spec.sheets import REVIEWS

DAY = date(2026, 11, 22)
AT = datetime(2026, 11, 22, 20, 0)
D = [DAY - timedelta(days=n) for n in range(60)]  # D[0] is the day
REVIEW_WINDOW = timedelta(days=45)  # 网络客服服务实务 第四节: 评价有效区 成交后 3-45 天
APPROVAL_LINE = 50  # 设置: 补偿超过多少元需主管审批
APPROVAL_WITHIN = timedelta(days=1)  # 设置: 主管审批补偿
PDD_APPEAL = timedelta(hours=24)  # 淘宝客服售后处理技巧: 申诉时效（24小时）
DISPUTE_WITHIN = timedelta(days=1)  # 设置: 投诉维权跟进


def _overview(sheet):
    block = next(b for b in sheet.blocks if b.rows and b.rows[0][0] == "退件单数")
    return {row[0]: row[1:] for row in block.rows}


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


REVIEW_HEADER = ["日期", "平台", "订单编号", "买家ID", "成交日期", "评价类型", "原因", "处理结果", "补偿金额", "状态"]
REVIEW_ROWS = [  # + 审批状态
    [D[0], "淘宝", "SO1", "b1", D[6], "差评", "快递", None, None, "处理中", None],
    [D[0], "天猫", "SO2", "b2", None, "中评", "恶意", None, 5, "处理中", "待审批"],  # any amount waits
    [D[0], "淘宝", "SO3", "b3", D[10], "差评", "质量", "买家已修改评价", 10, "已结案", "已批准"],
    [D[2], "淘宝", "SO4", "b4", D[50], "追评", "服务", None, 80, "处理中", None],  # window closed 5 days ago
    [D[3], "淘宝", "SO5", "b5", D[9], "差评", "心情", "买家不接受", None, "已结案", None],
    [D[20], "淘宝", "SO6", "b6", None, "中评", "质量", None, None, "处理中", None],  # a month ago, no deal day
]


def test_reviews_are_handed_over_until_closed_within_the_review_window_and_counted_by_day():
    grid = Grid("评价表", [[*REVIEW_HEADER, "审批状态"], *REVIEW_ROWS])
    check = check_workbook([grid], DAY)
    waiting = [r for r in REVIEW_ROWS if r[8] and r[10] != "已批准"]
    assert [(f.cell, f.code) for f in check.findings] == [
        (f"I{REVIEW_ROWS.index(r) + 2}", "review_compensation") for r in waiting
    ]
    assert "平台禁止用返现或补偿换买家修改、删除评价" in check.findings[0].message

    items = handover(check, "小美", "阿强", AT).items
    unsettled = [r for r in REVIEW_ROWS if r[9] != "已结案"]
    due = {f"评价表!{REVIEW_ROWS.index(r) + 2}": _midnight(r[4] or r[0]) + REVIEW_WINDOW for r in unsettled}
    reviews = {i["source"]: i for i in items if not i["action"].startswith(("主管", "【已超时】主管"))}
    assert {s: i["due_at"] for s, i in reviews.items()} == {s: d.strftime("%Y-%m-%dT%H:%M") for s, d in due.items()}
    assert {s for s, i in reviews.items() if i["overdue"]} == {s for s, d in due.items() if d <= AT}
    lead = [i for i in items if i not in reviews.values()]
    assert sorted((i["source"], i["due_at"]) for i in lead) == [
        (f"评价表!{REVIEW_ROWS.index(r) + 2}", (_midnight(r[0]) + APPROVAL_WITHIN).strftime("%Y-%m-%dT%H:%M"))
        for r in waiting
    ]

    result, sheet = daily_totals(check, DAY, AT)
    today = [r for r in REVIEW_ROWS if r[0] == DAY]
    week = [r for r in REVIEW_ROWS if DAY - timedelta(days=6) <= r[0] <= DAY]
    approved = [r for r in REVIEW_ROWS if r[8] and r not in waiting]
    overdue = [r for r in unsettled if _midnight(r[4] or r[0]) + REVIEW_WINDOW <= AT]
    assert result["registers"]["reviews"] == {
        "reviews": len(today),
        "bad": sum(r[5] == "差评" for r in today),
        "malicious": sum(r[6] == "恶意" for r in today),
        "changed": sum(r[7] == "买家已修改评价" for r in today),
        "compensation": float(sum(r[8] for r in approved if r[0] == DAY)),
        "open": len(unsettled),
        "overdue": len(overdue),
        "awaiting": len(waiting),
        "awaiting_amount": float(sum(r[8] for r in waiting)),
    }
    overview = _overview(sheet)
    assert overview["中差评（条）"] == (len(today), len(week))
    assert overview["评价补偿金额（元，不含待审批）"] == (10.0, float(sum(r[8] for r in approved if r in week)))
    assert overview["待审批评价补偿（当前）"] == (2, 2)


DISPUTE_HEADER = ["日期", "平台", "维权单号", "订单编号", "买家ID", "纠纷类型", "补偿金额", "处罚时间", "申诉时间"]
DISPUTE_HEADER += ["状态"]
DISPUTE_ROWS = [  # + 完结日期, 审批状态
    [D[0], "拼多多", "W1", "SO1", "b1", "物流", None, AT - timedelta(hours=30), None, "处理中", None, None],
    [D[0], "拼多多", "W2", "SO2", "b2", "服务", None, AT - timedelta(hours=3), None, "处理中", None, None],
    [D[0], "拼多多", "W3", "SO3", "b3", "服务", None, AT - timedelta(hours=3), AT, "处理中", None, None],  # appealed
    [D[0], "淘宝", "W4", "SO4", "b4", "产品", 120, AT - timedelta(hours=3), None, "处理中", None, "待审批"],
    [D[1], "天猫", "W5", "SO5", "b5", "收付款", 60, None, None, "已完结", D[0], "已批准"],
    [D[1], "淘宝", "W6", "SO6", "b6", "产品", None, None, None, "已撤销", None, None],
    [D[3], "淘宝", "W7", "SO7", "b7", "物流", 30, None, None, "处理中", None, None],  # under the line
]


def test_disputes_follow_up_a_day_after_and_pinduoduo_penalties_are_appealed_within_24_hours():
    grid = Grid("投诉维权表", [[*DISPUTE_HEADER, "完结日期", "审批状态"], *DISPUTE_ROWS])
    check = check_workbook([grid], DAY)
    waiting = [r for r in DISPUTE_ROWS if (r[6] or 0) > APPROVAL_LINE and r[11] != "已批准"]
    assert [(f.cell, f.code) for f in check.findings] == [
        (f"G{DISPUTE_ROWS.index(r) + 2}", "needs_approval") for r in waiting
    ]

    items = handover(check, "小美", "阿强", AT).items
    open_rows = [r for r in DISPUTE_ROWS if r[9] == "处理中"]

    def due(r: list) -> datetime:
        appeal = r[1] == "拼多多" and r[7] is not None and r[8] is None
        return r[7] + PDD_APPEAL if appeal else _midnight(r[0]) + DISPUTE_WITHIN

    disputes = {i["source"]: i for i in items if "主管" not in i["action"]}
    assert {s: i["due_at"] for s, i in disputes.items()} == {
        f"投诉维权表!{DISPUTE_ROWS.index(r) + 2}": due(r).strftime("%Y-%m-%dT%H:%M") for r in open_rows
    }
    assert disputes["投诉维权表!3"]["action"].startswith("拼多多处罚：处罚后 24 小时内")
    assert disputes["投诉维权表!2"]["overdue"]

    result, _ = daily_totals(check, DAY, AT)
    today = [r for r in DISPUTE_ROWS if r[0] == DAY]
    assert result["registers"]["disputes"] == {
        "disputes": len(today),
        "penalties": sum(r[1] == "拼多多" and r[7] is not None for r in today),
        "withdrawn": sum(r[9] == "已撤销" for r in today),
        "compensation": float(sum(r[6] or 0 for r in today if r not in waiting)),
        "open": len(open_rows),
        "overdue": sum(due(r) <= AT for r in open_rows),
        "awaiting": len(waiting),
        "awaiting_amount": float(sum(r[6] for r in waiting)),
    }


REQUEST_HEADER = ["平台", "售后单号", "订单编号", "买家ID", "售后类型", "发货状态", "申请时间", "状态"]
REQUEST_MONEY = ["申请金额", "退款金额", "退款时间", "审批状态"]


def _refunded(n: int, asked: float, paid: float, approval: str | None) -> list:
    applied = AT - timedelta(hours=5)
    return ["淘宝", f"RF{n}", f"SO{n}", "b", "仅退款", "未发货", applied, "已退款", asked, paid, AT, approval]


def test_a_refund_above_the_request_is_an_error_until_the_lead_approves_it_and_counts_only_then():
    rows = [
        _refunded(1, 89, 98, None),
        _refunded(2, 89, 98, "待审批"),
        _refunded(3, 89, 98, "已批准"),
        _refunded(4, 89, 89, None),  # as asked: nothing to approve
        _refunded(5, 89, 50, "已驳回"),  # under the request
    ]
    check = check_workbook([Grid("售后单", [[*REQUEST_HEADER, *REQUEST_MONEY], *rows])], DAY)
    above = [r for r in rows if r[9] > r[8] and r[11] != "已批准"]
    assert [(f.cell, f.code, f.severity.value) for f in check.findings] == [
        (f"J{rows.index(r) + 2}", "refund_exceeds_request", "error") for r in above
    ]
    assert all("要主管批准" in f.message and "改为「已批准」" in f.message for f in check.findings)

    lead = [i for i in handover(check, "小美", "阿强", AT).items if "主管" in i["action"]]
    assert sorted(i["source"] for i in lead) == [f"售后单!{rows.index(r) + 2}" for r in above]

    result, sheet = daily_totals(check, DAY, AT)
    assert result["requests"]["refund_amount"] == float(sum(r[9] for r in rows if r not in above))
    assert result["requests"]["open"] == 0  # the lead's items are no requests
    assert result["registers"]["after_sales"] == {
        "awaiting": len(above),
        "awaiting_amount": float(sum(r[9] for r in above)),
    }
    assert _overview(sheet)["退款金额（元，不含待审批）"][0] == result["requests"]["refund_amount"]


CALLBACK_HEADER = ["回访日期", "买家ID", "回访类型", "回访人"]
SPOT_HEADER = ["抽查日期", "被抽查人", "抽查的回访", "评分"]


@pytest.mark.parametrize("callbacks", ["回访表", "售后回访表"])  # the team's own name for the sheet
def test_a_spot_check_must_name_a_callback_row_that_holds_a_call(callbacks):
    calls = [[D[1], f"b{n}", "收货后回访", "小美"] for n in range(3)] + [[None] * 4, [D[1], "b9", "缺货通知", "小美"]]
    named = [
        f"{callbacks}!2",
        f"'{callbacks}'!6",  # as Excel quotes a sheet's name
        f"{callbacks}！3",  # as a Chinese keyboard types it
        "4",
        6.0,  # a row number typed alone reads as a number
        f"{callbacks}!1",
        f"{callbacks}!5",
        f"{callbacks}!7",
        "第二行",
    ]
    held = {n for n, r in enumerate(calls, start=2) if any(r)}  # rows 2-4 and 6; row 5 is blank
    check = check_workbook(
        [
            Grid(callbacks, [CALLBACK_HEADER, *calls]),
            Grid("回访抽查表", [SPOT_HEADER, *[[D[0], "小美", ref, 80] for ref in named]]),
        ],
        DAY,
    )

    def names_a_call(ref: str | float) -> bool:
        row = str(int(ref) if isinstance(ref, float) else ref).replace("！", "!").rpartition("!")[2]
        return row.isdigit() and int(row) in held

    assert [(f.cell, f.code) for f in check.findings] == [
        (f"C{n}", "missing_reference") for n, ref in enumerate(named, start=2) if not names_a_call(ref)
    ]


def test_a_spot_check_in_a_workbook_without_the_callbacks_is_not_reported():
    check = check_workbook([Grid("回访抽查表", [SPOT_HEADER, [D[0], "小美", "回访表!99", 80]])], DAY)
    assert check.findings == ()


def test_a_money_figure_that_counts_approved_amounts_only_must_say_so():
    with pytest.raises(TypeError, match="approved money only"):
        Total("paid", "评价补偿金额（元）", REVIEWS.date, amount=REVIEWS.compensation).check(REVIEWS)
    Total("paid", paid_label("评价补偿金额"), REVIEWS.date, amount=REVIEWS.compensation).check(REVIEWS)
