"""售后单: each request's deadline runs from its own event, with its platform's values; a pasted platform deadline
wins; 「本班到期」 reaches to when the shift after the next starts; refunds are checked against what was asked."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import openpyxl
import pytest

from workbook_tools.core.deadlines import open_items
from workbook_tools.core.findings import flatten
from workbook_tools.core.handover import handover
from workbook_tools.core.tables import Grid
from workbook_tools.core.totals import daily_totals
from workbook_tools.core.validate import check_workbook
from workbook_tools.errors import UnusableSetting

from conftest import demo_workbook, run

AT = datetime(2026, 11, 22, 18, 0)
HEADER = ["平台", "售后单号", "订单编号", "买家ID", "售后类型", "发货状态", "申请时间", "状态"]
HEADER += ["买家寄回时间", "退货物流单号", "平台超时时间", "处理时间", "申请金额", "退款金额", "退款时间"]


def request(
    platform: str = "淘宝",
    kind: str = "仅退款",
    shipping: str = "未发货",
    applied: datetime = AT - timedelta(days=1),
    state: str = "待处理",
    **more: Any,
) -> list[Any]:
    """One 售后单 row; `more` fills the later columns by header."""
    number = f"RF{abs(hash((platform, kind, shipping, applied, state, tuple(more.items())))) % 10**8}"
    row = [platform, number, "SO1", "jenny王", kind, shipping, applied, state] + [None] * (len(HEADER) - 8)
    for header, value in more.items():
        row[HEADER.index(header)] = value
    return row


def requests(*rows: list[Any]) -> Grid:
    return Grid("售后单", [HEADER, *rows])


def items(*grids: Grid, at: datetime = AT) -> list[dict[str, Any]]:
    return list(handover(check_workbook(list(grids), at.date()), "小美", "阿强", at).items)


def due(*rows: list[Any], settings: Grid | None = None) -> list[str | None]:
    grids = [requests(*rows)] + ([settings] if settings else [])
    return [i["due_at"] for i in items(*grids)]


def test_an_unshipped_refund_applied_44_hours_before_an_18_00_handover_is_first_due_in_4_hours_this_shift():
    urgent = request(applied=AT - timedelta(days=1, hours=20))
    later = request(kind="退货退款", shipping="已签收", applied=AT - timedelta(hours=1))
    (first, second) = items(requests(later, urgent))
    assert first["due_at"] == "2026-11-22T22:00" and first["source"] == "售后单!3"
    assert first["action"].startswith("【本班到期】") and "（截止 11-22 22:00）" in first["action"]
    assert second["due_at"] == "2026-11-27T17:00" and not second["action"].startswith("【")


@pytest.mark.parametrize(
    "row, expected",
    [
        (request(shipping="未发货"), "2026-11-23T18:00"),  # 003 ch.4: unshipped, 2 days
        (request(shipping="已发货"), "2026-11-28T18:00"),  # 003 ch.4: shipped, not received, 7 days
        (request(shipping="已签收"), "2026-11-26T18:00"),  # 002: an answer within 5 days
        (request(kind="退货退款", shipping="已发货"), "2026-11-26T18:00"),
        (request(platform="拼多多", shipping="未发货"), "2026-11-23T18:00"),
        (request(platform="拼多多", shipping="已发货"), "2026-11-23T18:00"),  # its own, shorter values
        (request(platform="拼多多", kind="换货", shipping="已签收"), "2026-11-23T18:00"),
        (request(state="已拒绝", 处理时间=AT - timedelta(hours=5)), "2026-11-24T13:00"),  # call back in 48 hours
        (request(state="买家已退货", 买家寄回时间=AT - timedelta(days=2)), "2026-11-30T18:00"),  # from the shipment
        (request(platform="拼多多", state="买家已退货", 买家寄回时间=AT - timedelta(days=2)), "2026-11-22T18:00"),
        (request(kind="退货退款", state="已同意", 处理时间=AT), "2026-11-29T18:00"),  # the buyer has 7 days
        (request(kind="换货", state="已同意", 处理时间=AT), "2026-11-23T18:00"),  # resend within a day
    ],
)
def test_each_deadline_runs_from_its_own_event_by_the_platforms_rule(row, expected):
    assert due(row) == [expected]


def test_a_deadline_pasted_from_the_platform_wins_over_every_rule():
    pasted = datetime(2026, 11, 22, 19, 30)
    rows = [
        request(平台超时时间=pasted),
        request(platform="拼多多", state="买家已退货", 买家寄回时间=AT, 平台超时时间=pasted),
        request(state="已拒绝", 处理时间=AT, 平台超时时间=pasted),
    ]
    assert due(*rows) == ["2026-11-22T19:30"] * 3


def test_settled_requests_are_no_items():
    rows = [
        request(state="已退款", 退款金额=10, 退款时间=AT),
        request(state="已关闭"),
        request(state="已同意", 处理时间=AT),  # a refund only, agreed: the platform pays it
        request(state="退款成功", 退款金额=10),  # the backend's own word for 已退款
    ]
    assert due(*rows) == []


def settings(*rules: list[Any]) -> Grid:
    """设置 with a column for 拼多多 and one a team added for 抖音 (also added to its 平台 list)."""
    platforms = ["淘宝", "天猫", "拼多多", "抖音"]
    rows = [[*rule, *[None] * (6 - len(rule))] for rule in rules] + [[None] * 6 for _ in platforms[len(rules) :]]
    header = ["规则", "数值", "拼多多", "抖音", "单位", "依据", "平台"]
    return Grid("设置", [header] + [[*r, p] for r, p in zip(rows, platforms, strict=True)])


def test_a_team_changes_a_platforms_value_or_adds_a_platform_on_settings():
    rule = "已发货退款：卖家不处理自动同意"
    table = settings([rule, 6, 3, 1, "天", ""])
    rows = [
        request(shipping="已发货"),
        request(platform="拼多多", shipping="已发货"),
        request(platform="抖音", shipping="已发货"),
    ]
    assert sorted(due(*rows, settings=table)) == ["2026-11-22T18:00", "2026-11-24T18:00", "2026-11-27T18:00"]
    blank = settings([rule, 6, None, None, "天", ""])  # a platform's blank cell: the same as 数值
    assert due(request(platform="拼多多", shipping="已发货"), settings=blank) == ["2026-11-27T18:00"]


def test_a_bad_value_in_a_platform_column_is_a_finding_and_stops_only_what_needs_it():
    table = settings(["已发货退款：卖家不处理自动同意", 7, "两天", None, "天", ""])
    check = check_workbook([requests(request(shipping="已发货")), table], AT.date())
    assert ("设置", "C2") in [(f.sheet, f.cell) for f in check.findings]
    assert due(request(shipping="已发货"), settings=table) == ["2026-11-28T18:00"]  # 淘宝 does not need the cell
    with pytest.raises(UnusableSetting, match="设置」表 C2 的规则「已发货退款：卖家不处理自动同意」填的是「两天」"):
        due(request(platform="拼多多", shipping="已发货"), settings=table)


ROSTER = [["班次", "开始", "结束", "人员"], ["早班", "08:00", "16:00", "小美"], ["晚班", "16:00", "24:00", "阿强"]]


@pytest.mark.parametrize(
    "deadline, marked",
    [
        (datetime(2026, 11, 22, 23, 0), True),
        (datetime(2026, 11, 23, 2, 0), True),  # overnight, while nobody works
        (datetime(2026, 11, 23, 7, 59), True),  # more than a fixed 8 hours ahead, still before anyone is back
        (datetime(2026, 11, 23, 8, 0), False),  # the shift after the next is on duty again
        (datetime(2026, 11, 23, 12, 0), False),
    ],
)
def test_due_this_shift_reaches_to_when_the_next_shift_starts_work(deadline, marked):
    roster = Grid(
        "设置",
        [["规则", "数值"], [], *ROSTER[:1], ["白班", "08:00", "18:00", "小美"], ["晚班", "18:00", "24:00", "阿强"]],
    )
    at = datetime(2026, 11, 22, 17, 55)  # 白班 hands over to 晚班, who leave at midnight
    (item,) = items(requests(request(平台超时时间=deadline)), roster, at=at)
    assert item["action"].startswith("【本班到期】") is marked


def test_without_a_roster_due_this_shift_is_one_shift_long():
    rows = [request(平台超时时间=AT + timedelta(hours=7, minutes=59)), request(平台超时时间=AT + timedelta(hours=8))]
    assert [i["action"].startswith("【本班到期】") for i in items(requests(*rows))] == [True, False]


def test_a_refund_above_the_amount_asked_for_is_an_error_and_the_row_stays_out_of_the_figures():
    rows = [
        request(state="已退款", 申请金额=89, 退款金额=98, 退款时间=AT),
        request(state="已退款", 申请金额=89, 退款金额=89, 退款时间=AT),
    ]
    check = check_workbook([requests(*rows)], AT.date())
    assert flatten(check.findings, "cell", "code") == [("N2", "refund_exceeds_request")]
    totals, _ = daily_totals(check, AT.date(), AT)
    assert totals["requests"]["refund_amount"] == 89.0 and totals["excluded_rows"] == ["售后单!2"]


def test_required_fields_follow_the_state():
    rows = [request(state="已拒绝"), request(state="买家已退货"), request(state="已退款")]
    check = check_workbook([requests(*rows)], AT.date())
    assert flatten(check.findings, "cell", "code") == [
        ("L2", "missing_required"),  # 处理时间 of a refusal: the call-back runs from it
        ("I3", "missing_required"),  # 买家寄回时间 of a returned parcel
        ("N4", "missing_required"),  # 退款金额 of a refund
        ("O4", "missing_required"),  # 退款时间 of a refund: 日汇总 counts the money on that day
    ]


RETURNS = Grid(
    "退件表",
    [
        ["日期", "物流单号", "ID号", "订单编码", "产品名称", "数量", "解决方案", "处理结果"],
        ["2026-11-21", "SF100", "jenny王", "SO1", "紧致眼霜 15g", 1, "退款", None],
    ],
)


def test_a_parcel_sent_back_for_a_request_links_both_items_and_its_deadline_runs_from_the_shipment():
    shipped = AT - timedelta(days=3)
    returned = request(
        kind="退货退款", shipping="已签收", state="买家已退货", 买家寄回时间=shipped, 退货物流单号="SF100"
    )
    by_source = {i.source: i for i in open_items(check_workbook([requests(returned), RETURNS], AT.date()), AT)}
    request_item, parcel_item = by_source["售后单!2"], by_source["退件表!2"]
    assert request_item.due_at == parcel_item.due_at == datetime(2026, 11, 29, 18, 0)  # not 10 days from 11-21
    assert request_item.description.endswith("；退件已到：退件表!2")
    assert parcel_item.description.endswith("；售后申请：售后单!2")
    by_order = request(
        kind="退货退款", shipping="已签收", state="买家已退货", 买家寄回时间=shipped
    )  # no tracking number
    linked = {i.source: i for i in open_items(check_workbook([requests(by_order), RETURNS], AT.date()), AT)}
    assert linked["退件表!2"].description.endswith("；售后申请：售后单!2")


def test_a_refund_in_the_request_sheet_and_a_resend_for_the_same_order_is_double_compensation():
    resends = Grid(
        "重发单",
        [
            ["日期", "填写人", "客户ID", "原订单编码", "产品名称", "数量", "发件原因"],
            ["2026-11-22", "小美", "jenny王", "SO1", "紧致眼霜 15g", 1, "破损补发"],
        ],
    )
    refunded = request(state="已退款", 退款金额=89, 退款时间=AT)
    check = check_workbook([requests(refunded), resends], AT.date())
    assert [(f.sheet, f.cell, f.code) for f in check.findings] == [("重发单", "D2", "double_compensation")]
    assert "已在售后单第 2 行退款" in check.findings[0].message
    exchange = request(kind="换货", state="已同意", 处理时间=AT)  # an exchange and its resend: one compensation
    assert check_workbook([requests(exchange), resends], AT.date()).findings == ()


def test_the_demo_shows_an_overdue_request_and_one_due_this_shift_and_daily_totals_counts_requests(tmp_path):
    path = demo_workbook(tmp_path / "demo.xlsx")
    handed = run("handover", path, "--from", "小美", "--to", "阿强", "--at", "2026-11-22 18:00", "--json")
    requests_handed = [i for i in json.loads(handed.stdout)["items"] if i["source"].startswith("售后单")]
    assert requests_handed[0]["overdue"] and requests_handed[1]["action"].startswith("【本班到期】")
    totals = run("daily-totals", path, "--date", "2026-11-22", "--at", "2026-11-22 18:00", "--json")
    figures = json.loads(totals.stdout)["requests"]
    sheet = openpyxl.load_workbook(path)["售后单"]
    rows = [
        dict(zip([c.value for c in sheet[1]], (c.value for c in row), strict=False))
        for row in sheet.iter_rows(min_row=2)
    ]
    applied = [r for r in rows if r["申请时间"].date().isoformat() == "2026-11-22"]
    assert figures["count"] == len(applied) > 0
    assert figures["open"] == len(requests_handed) and figures["overdue"] == 1
    summary = {
        r[0].value: r[1].value for r in openpyxl.load_workbook(path)["日汇总"].iter_rows(min_row=5) if r[0].value
    }
    assert summary["售后申请（单）"] == figures["count"] and summary["已超时售后单（当前）"] == 1
