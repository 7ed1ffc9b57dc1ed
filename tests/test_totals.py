"""日汇总 and 催款汇总: every figure against a count made here from the raw rows, with the SOP's rules written out."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from typing import NamedTuple

from workbook_tools.core.tables import Grid
from workbook_tools.core.totals import chase_summary, daily_totals
from workbook_tools.core.validate import check_workbook
from workbook_tools.spec.sheets import CHASE_SUMMARY
from workbook_tools.spec.types import Kind

DAY = date(2026, 11, 22)
AT = datetime(2026, 11, 22, 20, 0)
D = [DAY - timedelta(days=n) for n in range(9)]  # D[0] is the day, D[7] just outside the 7 days
UNPAID_CLOSES_AFTER = timedelta(days=3)  # 003 ch.5: Taobao closes an unpaid order three days after it was placed


class Return(NamedTuple):
    day: date
    tracking: str
    order: str
    kind: str
    product: str
    qty: object


class Resend(NamedTuple):
    day: date
    order: str
    reason: str
    new_tracking: str | None


class Issue(NamedTuple):
    day: date
    order: str
    kind: str
    party: str
    compensation: float
    courier_loss: float | None
    factory: str


class Chase(NamedTuple):
    placed: datetime
    buyer: str
    order: str
    amount: object
    day: date
    agent: str
    answer: str
    result: str


class Handed(NamedTuple):
    instruction: str
    sender: str
    receiver: str
    at: datetime
    state: str
    acknowledged: datetime | None


RETURN_ROWS = [
    Return(D[0], "SF1", "SO1", "过敏", "紧致眼霜 15g", 1),
    Return(D[0], "SF1", "SO1", "过敏", "温和卸妆水 500ml", 2),
    Return(D[0], "SF2", "SO2", "快递原因", "紧致眼霜 15g", 3),
    Return(D[3], "SF3", "SO3", "客户原因", "氨基酸洗面奶 100g", 1),
    Return(D[6], "SF4", "SO4", "产品质量问题", "紧致眼霜 15g", 2),
    Return(D[7], "SF5", "SO5", "过敏", "紧致眼霜 15g", 9),
]
BAD_RETURN = Return(D[0], "SF6", "SO6", "过敏", "紧致眼霜 15g", "两瓶")
RESEND_ROWS = [
    Resend(D[0], "SO7", "破损补发", None),
    Resend(D[0], "SO8", "错发重发", "YT1"),
    Resend(D[2], "SO9", "破损补发", None),
]
QUALITY_ROWS = [
    Issue(D[0], "SO10", "破损", "快递", 0, 89, "否"),
    Issue(D[0], "SO11", "漏液", "厂家", 20.5, None, "是"),
    Issue(D[5], "SO12", "破损", "快递", 10, 45.5, "否"),
]
CHASE_ROWS = [
    Chase(datetime(2026, 11, 21, 9), "b1", "41001", 89, D[0], "小美", "本人接听", "已付款"),
    Chase(datetime(2026, 11, 21, 10), "b2", "41002", 128.5, D[0], "小美", "非本人接听", "未付款"),
    Chase(datetime(2026, 11, 21, 11), "b3", "41003", 59, D[0], "阿强", "未接通", "已关闭"),
    Chase(datetime(2026, 11, 19, 8), "b4", "41004", 199, D[1], "阿强", "未接通", "未付款"),  # closes 11-22 08:00
    Chase(datetime(2026, 11, 21, 12), "b5", "41005", 66, D[0], "阿强", "本人接听", "已付款"),
]
BAD_CHASE = Chase(datetime(2026, 11, 21, 13), "b6", "41006", "八十", D[0], "阿强", "本人接听", "已付款")
HANDOVER_ROWS = [
    Handed("查物流", "小美", "阿强", datetime(2026, 11, 22, 9), "待处理", datetime(2026, 11, 22, 9, 5)),
    Handed("催付", "小美", "阿强", datetime(2026, 11, 22, 9), "待处理", None),
    Handed("补发", "阿强", "莉莉", datetime(2026, 11, 21, 18), "已转交", None),
]


def book() -> list[Grid]:
    return [
        Grid(
            "退件表",
            [["日期", "物流单号", "订单编码", "退回类型", "产品名称", "数量"], *map(list, [*RETURN_ROWS, BAD_RETURN])],
        ),
        Grid(
            "重发单",
            [
                ["日期", "填写人", "客户ID", "原订单编码", "产品名称", "数量", "发件原因", "新物流单号"],
                *[[r.day, "小美", "c", r.order, "眼霜", 1, r.reason, r.new_tracking] for r in RESEND_ROWS],
            ],
        ),
        Grid(
            "质量问题表",
            [
                [
                    "日期",
                    "登记人",
                    "客户ID",
                    "订单编码",
                    "问题类型",
                    "责任方",
                    "凭证张数",
                    "补偿金额",
                    "快递损失费用",
                    "返厂",
                    "状态",
                ],
                *[
                    [
                        r.day,
                        "阿强",
                        "c",
                        r.order,
                        r.kind,
                        r.party,
                        3,
                        r.compensation,
                        r.courier_loss,
                        r.factory,
                        "处理中",
                    ]
                    for r in QUALITY_ROWS
                ],
            ],
        ),
        Grid(
            "催款明细表",
            [
                [
                    "拍下时间",
                    "买家ID",
                    "订单编号",
                    "订单金额",
                    "催款日期",
                    "催款人",
                    "催款方式",
                    "接听情况",
                    "催款结果",
                ],
                *[
                    [r.placed, r.buyer, r.order, r.amount, r.day, r.agent, "电话", r.answer, r.result]
                    for r in [*CHASE_ROWS, BAD_CHASE]
                ],
            ],
        ),
        Grid(
            "交接表",
            [
                ["买家ID", "交接处理", "交接人", "承接人", "时间", "状态", "确认时间"],
                *[["b", *row] for row in HANDOVER_ROWS],
            ],
        ),
    ]


def totals():
    return daily_totals(check_workbook(book(), DAY), DAY, AT)


def in_week(day: date) -> bool:
    return DAY - timedelta(days=6) <= day <= DAY


def closed_unpaid(row: Chase) -> bool:
    """Marked closed, or still unpaid when the platform's automatic close came."""
    return row.result == "已关闭" or (row.result != "已付款" and row.placed + UNPAID_CLOSES_AFTER <= AT)


def paid(rows: list[Chase]) -> list[Chase]:
    return [r for r in rows if r.result == "已付款"]


def contacted(rows: list[Chase]) -> int:
    return sum(r.answer in ("本人接听", "非本人接听") for r in rows)


def test_the_days_returns():
    on_day = [r for r in RETURN_ROWS if r.day == DAY]
    assert totals()[0]["returns"] == {
        "count": len(on_day),
        "parcels": len({r.tracking for r in on_day}),
        "qty": sum(r.qty for r in on_day),
        "by_type": dict(Counter(r.kind for r in on_day)),
    }


def test_the_days_resends_quality_and_chase():
    result = totals()[0]
    resends = [r for r in RESEND_ROWS if r.day == DAY]
    assert result["resends"] == {"count": len(resends), "open": sum(r.new_tracking is None for r in resends)}
    quality = [r for r in QUALITY_ROWS if r.day == DAY]
    assert result["quality"] == {
        "count": len(quality),
        "compensation": sum(r.compensation for r in quality),
        "courier_loss": sum(r.courier_loss or 0 for r in quality),
    }
    chase = [r for r in CHASE_ROWS if r.day == DAY]
    assert result["chase"] == {
        "to_chase": len(chase),
        "contacted": contacted(chase),
        "paid": len(paid(chase)),
        "paid_amount": sum(r.amount for r in paid(chase)),
        "closed": sum(closed_unpaid(r) for r in chase),
        "already_paid": 0,  # every order here was chased before it was paid
    }
    assert result["handover"] == {"count": 2, "unacknowledged": 1}


def test_rows_with_errors_are_listed_not_counted():
    assert totals()[0]["excluded_rows"] == [f"退件表!{len(RETURN_ROWS) + 2}", f"催款明细表!{len(CHASE_ROWS) + 2}"]


def test_open_and_overdue_items_as_of_generation():
    result = totals()[0]
    open_returns = len(RETURN_ROWS) + 1  # none has a 处理结果; the row with an error still needs handling
    open_resends = sum(r.new_tracking is None for r in RESEND_ROWS)
    unpaid_not_closed = [r for r in CHASE_ROWS if r.result == "未付款" and not closed_unpaid(r)]
    pending_handover = sum(r.state == "待处理" for r in HANDOVER_ROWS)
    assert result["open_items"] == (
        open_returns + open_resends + len(QUALITY_ROWS) + len(unpaid_not_closed) + pending_handover
    )
    late_resends = [r for r in RESEND_ROWS if r.new_tracking is None and r.day + timedelta(days=1) <= AT.date()]
    late_quality = [r for r in QUALITY_ROWS if r.day + timedelta(days=5) <= AT.date()]
    assert result["overdue"] == len(late_resends) + len(late_quality) == 2


def _block(sheet, first_label):
    return next(b for b in sheet.blocks if b.rows and b.rows[0][0] == first_label)


def test_the_tab_shows_returns_by_type_and_both_charts():
    _, sheet = totals()
    week = [r for r in RETURN_ROWS if in_week(r.day)]
    by_type = {row[0]: row[1:] for row in _block(sheet, "过敏").rows}
    assert by_type == {
        t: (sum(1 for r in week if r.day == DAY and r.kind == t), sum(1 for r in week if r.kind == t))
        for t in {r.kind for r in week}
    }
    assert [c.kind for c in sheet.charts] == ["column", "line"]


def test_the_chase_summary_per_day_and_agent_with_a_total_per_day():
    result, change = chase_summary(check_workbook(book(), DAY), AT)
    groups = defaultdict(list)
    for row in CHASE_ROWS:
        groups[(row.day.isoformat(), row.agent)].append(row)
        groups[(row.day.isoformat(), "合计")].append(row)
    expected = [
        {
            "date": day,
            "agent": agent,
            "to_chase": len(rows),
            "contacted": contacted(rows),
            "paid": len(paid(rows)),
            "paid_amount": sum(r.amount for r in paid(rows)),
            "closed": sum(closed_unpaid(r) for r in rows),
            "already_paid": 0,
        }
        for (day, agent), rows in sorted(groups.items(), key=lambda g: (g[0][0], g[0][1] == "合计", g[0][1]))
    ]
    assert result["rows"] == expected
    assert change.title == "催款汇总表"  # the workbook had none: a new one is made


def test_an_empty_workbook_day_gives_zeros():
    empty = [Grid("退件表", [["日期", "物流单号", "订单编码", "产品名称", "数量"]])]
    result, sheet = daily_totals(check_workbook(empty, DAY), DAY, AT)
    assert result["returns"] == {"count": 0, "parcels": 0, "qty": 0, "by_type": {}}
    assert (result["open_items"], result["overdue"], result["excluded_rows"]) == (0, 0, [])
    assert sheet.charts[0].kind == "line"  # nothing by type to chart; the trend still shows


def test_every_overview_figure_of_the_tab():
    result, sheet = totals()
    returns = [r for r in RETURN_ROWS if in_week(r.day)]
    resends = [r for r in RESEND_ROWS if in_week(r.day)]
    quality = [r for r in QUALITY_ROWS if in_week(r.day)]
    chase = [r for r in CHASE_ROWS if in_week(r.day)]
    handovers = [r for r in HANDOVER_ROWS if in_week(r.at.date())]

    def today(rows):
        return [r for r in rows if (r.at.date() if isinstance(r, Handed) else r.day) == DAY]

    expected = {
        "退件单数": (len(today(returns)), len(returns)),
        "退件包裹（件）": (len({r.tracking for r in today(returns)}), len({r.tracking for r in returns})),
        "退回数量（个）": (sum(r.qty for r in today(returns)), sum(r.qty for r in returns)),
        "重发单数": (len(today(resends)), len(resends)),
        "重发未发出": (
            sum(r.new_tracking is None for r in today(resends)),
            sum(r.new_tracking is None for r in resends),
        ),
        "质量问题": (len(today(quality)), len(quality)),
        # every amount is under the approval line (50 元 on 设置): all count
        "补偿金额（元，不含待审批）": (
            sum(r.compensation for r in today(quality)),
            sum(r.compensation for r in quality),
        ),
        "快递损失费用（元）": (
            sum(r.courier_loss or 0 for r in today(quality)),
            sum(r.courier_loss or 0 for r in quality),
        ),
        "需催单数": (len(today(chase)), len(chase)),
        "催回单数": (len(paid(today(chase))), len(paid(chase))),
        "催回金额（元）": (sum(r.amount for r in paid(today(chase))), sum(r.amount for r in paid(chase))),
        "未付款关闭单数": (sum(closed_unpaid(r) for r in today(chase)), sum(closed_unpaid(r) for r in chase)),
        **dict.fromkeys(("售后申请（单）", "未处理售后单（当前）", "已超时售后单（当前）"), (0, 0)),
        "退款金额（元）": (0.0, 0.0),  # this book has no 售后单: its figures are tested in test_requests.py
        "交接事项": (len(today(handovers)), len(handovers)),
        "交接未确认": (
            sum(r.acknowledged is None for r in today(handovers)),
            sum(r.acknowledged is None for r in handovers),
        ),
        "未处理事项（当前）": (result["open_items"], result["open_items"]),
        "已超时事项（当前）": (result["overdue"], result["overdue"]),
        "待审批补偿（当前）": (0, 0),
        "待审批补偿金额（元）": (0.0, 0.0),
    }
    overview = {row[0]: row[1:] for row in _block(sheet, "退件单数").rows}
    assert overview == expected
    trend = {row[0][:5]: row[1:] for row in _block(sheet, f"{D[6]:%m-%d} 周{'一二三四五六日'[D[6].weekday()]}").rows}
    assert trend[f"{D[3]:%m-%d}"] == (1, 0, 0, 0, 0.0)
    assert trend[f"{DAY:%m-%d}"] == (
        len(today(returns)),
        len(today(resends)),
        len(today(quality)),
        len(paid(today(chase))),
        float(sum(r.amount for r in paid(today(chase)))),
    )


def _table(sheet, title):
    """A breakdown table of the tab: (its header, its rows), found by its title."""
    index = next(i for i, b in enumerate(sheet.blocks) if b.rows == ((title,),))
    assert sheet.blocks[index].style.value == "note" and sheet.blocks[index + 1].style.value == "header"
    return sheet.blocks[index + 1].rows[0], list(sheet.blocks[index + 2].rows), sheet.blocks[index + 2]


POSTAGE = {
    "过敏": "客户",
    "客户原因": "客户",
    "产品质量问题": "我司",
    "发货问题": "我司",
    "快递原因": "快递",
}  # 003 ch.2


def test_every_breakdown_table_of_the_tab():
    _, sheet = totals()
    week = [r for r in RETURN_ROWS if in_week(r.day)]
    on_day = [r for r in week if r.day == DAY]
    header, rows, _ = _table(sheet, "邮费承担方")
    payers = Counter(POSTAGE[r.kind] for r in week)
    assert header == ("承担方", "当天", "近 7 天")
    assert sorted(rows) == sorted((p, sum(POSTAGE[r.kind] == p for r in on_day), n) for p, n in payers.items())
    _, rows, _ = _table(sheet, "退回数量按产品")
    products = {r.product for r in week}
    assert sorted(rows) == sorted(
        (p, sum(r.qty for r in on_day if r.product == p), sum(r.qty for r in week if r.product == p)) for p in products
    )
    _, rows, _ = _table(sheet, "重发按发件原因（近 7 天）")
    resends = [r for r in RESEND_ROWS if in_week(r.day)]
    assert sorted(rows) == sorted(
        (
            reason,
            sum(r.reason == reason and r.new_tracking is not None for r in resends),
            sum(r.reason == reason and r.new_tracking is None for r in resends),
        )
        for reason in {r.reason for r in resends}
    )
    header, rows, block = _table(sheet, "质量问题按类型（近 7 天）")
    quality = [r for r in QUALITY_ROWS if in_week(r.day)]
    assert header == ("问题类型", "件数", "补偿金额", "快递损失费用") and block.kinds[2:] == (Kind.MONEY, Kind.MONEY)
    assert sorted(rows) == sorted(
        (
            k,
            sum(r.kind == k for r in quality),
            sum(r.compensation for r in quality if r.kind == k),
            sum(r.courier_loss or 0 for r in quality if r.kind == k),
        )
        for k in {r.kind for r in quality}
    )
    _, rows, _ = _table(sheet, "质量问题按责任方（近 7 天）")
    assert sorted(rows) == sorted(Counter(r.party for r in quality).items())
    _, rows, block = _table(sheet, "待返厂（寄出前一直列出）")
    assert rows == [(r.day, None, r.kind, r.order, None) for r in QUALITY_ROWS if r.factory == "是"]
    assert block.kinds == (Kind.DATE, None, None, Kind.TEXT, None)
    _, rows, _ = _table(sheet, "未计入的行（有校验错误，请先改正）")
    assert rows == [(f"退件表!{len(RETURN_ROWS) + 2}",), (f"催款明细表!{len(CHASE_ROWS) + 2}",)]


def test_the_charts_point_at_their_tables():
    _, sheet = totals()
    by_type, trend = sheet.charts
    (_, rows, block), (_, trend_rows, trend_block) = _table(sheet, "退件按退回类型"), _table(sheet, "近 7 天趋势")
    first, last = block.row, block.row + len(rows) - 1
    assert by_type.categories == (first, 1, last, 1)
    assert by_type.series == (("当天", (first, 2, last, 2)), ("近 7 天", (first, 3, last, 3)))
    first, last = trend_block.row, trend_block.row + len(trend_rows) - 1
    assert trend.series == tuple(
        (name, (first, col, last, col)) for col, name in ((2, "退件"), (3, "重发"), (4, "质量问题"))
    )
    assert (by_type.kind, trend.kind, by_type.anchor, trend.anchor) == ("column", "line", (4, 5), (21, 5))


def test_a_new_summary_sheet_is_laid_out_like_the_template_and_its_rates_are_ratios():
    _, change = chase_summary(check_workbook(book(), DAY), AT)
    header, body = change.blocks
    assert header.rows == (tuple(c.header for c in CHASE_SUMMARY.columns),) and header.style.value == "header"
    assert change.header_fills == tuple(c.role.fill for c in CHASE_SUMMARY.columns) and change.freeze_row == 1
    assert change.widths == {i: c.display_width for i, c in enumerate(CHASE_SUMMARY.columns, start=1)}
    assert body.kinds == tuple(c.kind for c in CHASE_SUMMARY.columns)
    for row in body.rows:
        values = dict(zip((c.header for c in CHASE_SUMMARY.columns), row, strict=True))
        assert values["联系率"] == values["已联系"] / values["需催单数"]
        assert values["成功率"] == values["催回单数"] / values["需催单数"]


SPOT_CHECKS = [  # (抽查日期, 被抽查人, 抽查的回访, 整改状态)
    (D[0], "小美", "回访表!2", "待整改"),
    (D[0], "阿强", "回访表!3", "无需整改"),
    (D[2], "小美", "回访表!4", "待整改"),
    (D[5], "莉莉", "回访表!5", "已整改"),
    (D[7], "阿强", "回访表!6", "待整改"),  # before the 7 days: counted only as open now
    (D[0], "莉莉", "回访表!2", "整改完了"),  # not a 整改状态: an error, not counted, and not known to be open
]


def test_spot_check_figures_on_the_day_over_the_week_and_open_now():
    header = ["抽查日期", "被抽查人", "抽查的回访", "整改状态"]
    grids = [Grid("回访抽查表", [header, *[list(row) for row in SPOT_CHECKS]])]
    result, sheet = daily_totals(check_workbook(grids, DAY), DAY, AT)
    valid = SPOT_CHECKS[:-1]
    week = [r for r in valid if in_week(r[0])]
    pending = [r for r in valid if r[3] == "待整改"]
    assert result["registers"] == {
        "spot_checks": {
            "checks": sum(r[0] == DAY for r in valid),
            "to_fix": sum(r[0] == DAY and r[3] == "待整改" for r in valid),
            "open": len(pending),
        }
    }
    overview = {row[0]: row[1:] for row in _block(sheet, "退件单数").rows}
    assert overview["回访抽查（次）"] == (2, len(week))
    assert overview["抽查待整改（次）"] == (1, sum(r[3] == "待整改" for r in week))
    assert overview["未处理抽查整改（当前）"] == (len(pending), len(pending))
    assert result["excluded_rows"] == [f"回访抽查表!{len(SPOT_CHECKS) + 1}"]


PARCELS = [  # (发现日期, 物流单号, 异常类型, 索赔金额, 理赔到账金额, 状态)
    (D[0], "SF1", "丢件", 89, None, "处理中"),
    (D[0], "SF2", "超区件", None, None, "处理中"),
    (D[0], "SF3", "破损", 59.5, 59.5, "已结案"),
    (D[3], "SF4", "破损", 20, None, "处理中"),
    (D[8], "SF5", "丢件", 100, 100, "处理中"),  # outside the 7 days; open now, and long overdue
]


def test_problem_parcel_figures_on_the_day_over_the_week_and_open_now():
    header = ["发现日期", "物流单号", "订单编号", "买家ID", "异常类型", "索赔金额", "理赔到账金额", "状态", "结案日期"]
    rows = [[d, t, f"SO{t}", "b", k, c, p, s, d if s == "已结案" else None] for d, t, k, c, p, s in PARCELS]
    result, sheet = daily_totals(check_workbook([Grid("物流异常表", [header, *rows])], DAY), DAY, AT)
    today = [r for r in PARCELS if r[0] == DAY]
    week = [r for r in PARCELS if in_week(r[0])]
    unsettled = [r for r in PARCELS if r[5] != "已结案"]
    overdue = [r for r in unsettled if r[0] < DAY]  # followed up the day after it was found: due at midnight
    assert result["registers"] == {
        "parcel_issues": {
            "found": len(today),
            "lost_damaged": sum(r[2] in ("丢件", "破损") for r in today),
            "claimed": float(sum(r[3] or 0 for r in today)),
            "paid": float(sum(r[4] or 0 for r in today)),
            "open": len(unsettled),
            "overdue": len(overdue),
        }
    }
    overview = {row[0]: row[1:] for row in _block(sheet, "退件单数").rows}
    assert overview["物流异常（件）"] == (len(today), len(week))
    assert overview["丢件、破损（件）"] == (2, sum(r[2] in ("丢件", "破损") for r in week))
    assert overview["索赔金额（元）"] == (148.5, float(sum(r[3] or 0 for r in week)))
    assert overview["已超时物流异常（当前）"] == (len(overdue), len(overdue))


def test_the_factory_list_shows_what_waits_to_go_back_until_it_has_gone():
    header = ["日期", "登记人", "客户ID", "订单编码", "问题类型", "返厂", "状态", "返厂状态", "返厂日期", "厂家"]
    rows = [
        [D[0], "小美", "c", "SO1", "漏液", "是", "处理中", "待返厂", None, "甲厂"],
        [D[8] - timedelta(days=30), "小美", "c", "SO2", "质量问题", "是", "已结案", "待返厂", None, "乙厂"],  # long ago
        [D[8], "小美", "c", "SO3", "漏液", "是", "处理中", None, None, None],  # to go back, not yet collected
        [D[1], "小美", "c", "SO4", "漏液", "是", "处理中", "已返厂", D[0], "甲厂"],  # gone
        [D[1], "小美", "c", "SO5", "漏液", "是", "处理中", "厂家已确认", D[1], "甲厂"],  # gone and confirmed
        [D[1], "小美", "c", "SO6", "漏液", "否", "处理中", None, None, None],
    ]
    result, sheet = daily_totals(check_workbook([Grid("质量问题表", [header, *rows])], DAY), DAY, AT)
    _, shown, _ = _table(sheet, "待返厂（寄出前一直列出）")
    waiting = sorted((r[0], None, r[4], r[3], r[9]) for r in rows if r[7] == "待返厂" or (r[5] == "是" and not r[7]))
    assert shown == waiting and len(waiting) == 3
    assert result["excluded_rows"] == []


def test_compensation_above_the_approval_line_waits_for_the_lead_and_counts_only_once_approved():
    header = ["日期", "登记人", "客户ID", "订单编码", "问题类型", "补偿金额", "状态", "审批状态"]
    rows = [  # the line is 50 元 by default (设置: 补偿超过多少元需主管审批)
        [D[0], "小美", "c", "SO1", "漏液", 20, "处理中", None],  # under the line: no approval needed
        [D[0], "小美", "c", "SO2", "漏液", 50, "处理中", None],  # at the line: not above it
        [D[0], "小美", "c", "SO3", "漏液", 88, "处理中", "已批准"],
        [D[0], "小美", "c", "SO4", "漏液", 120, "处理中", "待审批"],
        [D[1], "小美", "c", "SO5", "漏液", 60.5, "处理中", None],
        [D[1], "小美", "c", "SO6", "漏液", 70, "处理中", "已驳回"],
    ]
    check = check_workbook([Grid("质量问题表", [header, *rows])], DAY)
    waiting = [r for r in rows if r[5] > 50 and r[7] != "已批准"]
    assert [(f.cell, f.code) for f in check.findings] == [(f"F{rows.index(r) + 2}", "needs_approval") for r in waiting]
    result, sheet = daily_totals(check, DAY, AT)
    counted = [r for r in rows if r not in waiting]
    assert result["quality"]["compensation"] == float(sum(r[5] for r in counted if r[0] == DAY))
    assert result["registers"]["quality"] == {"awaiting": len(waiting), "awaiting_amount": sum(r[5] for r in waiting)}
    overview = {row[0]: row[1:] for row in _block(sheet, "退件单数").rows}
    assert overview["补偿金额（元，不含待审批）"] == (158.0, float(sum(r[5] for r in counted)))
    assert overview["待审批补偿（当前）"] == (3, 3)
    assert overview["待审批补偿金额（元）"] == (250.5, 250.5)
