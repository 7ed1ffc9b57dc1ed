"""日汇总 and 催款汇总: every figure against a count made here from the raw rows."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from workbook_tools.core.tables import Grid
from workbook_tools.core.totals import chase_summary, daily_totals
from workbook_tools.core.validate import check_workbook

DAY = date(2026, 11, 22)
AT = datetime(2026, 11, 22, 20, 0)
D = [DAY - timedelta(days=n) for n in range(9)]  # D[0] is the day, D[7] just outside the 7 days

RETURN_ROWS = [  # 日期, 物流单号, 订单编码, 退回类型, 产品名称, 数量
    (D[0], "SF1", "SO1", "过敏", "紧致眼霜 15g", 1), (D[0], "SF1", "SO1", "过敏", "温和卸妆水 500ml", 2),
    (D[0], "SF2", "SO2", "快递原因", "紧致眼霜 15g", 3), (D[3], "SF3", "SO3", "客户原因", "氨基酸洗面奶 100g", 1),
    (D[6], "SF4", "SO4", "产品质量问题", "紧致眼霜 15g", 2), (D[7], "SF5", "SO5", "过敏", "紧致眼霜 15g", 9),
]
BAD_RETURN = (D[0], "SF6", "SO6", "过敏", "紧致眼霜 15g", "两瓶")
RESEND_ROWS = [  # 日期, 原订单编码, 发件原因, 新物流单号
    (D[0], "SO7", "破损补发", None), (D[0], "SO8", "错发重发", "YT1"), (D[2], "SO9", "破损补发", None)]
QUALITY_ROWS = [  # 日期, 订单编码, 问题类型, 责任方, 补偿金额, 快递损失费用, 返厂
    (D[0], "SO10", "破损", "快递", 0, 89, "否"), (D[0], "SO11", "漏液", "厂家", 20.5, None, "是"),
    (D[5], "SO12", "破损", "快递", 10, 45.5, "否")]
CHASE_ROWS = [  # 拍下时间, 买家ID, 订单编号, 订单金额, 催款日期, 催款人, 接听情况, 催款结果
    (datetime(2026, 11, 21, 9), "b1", "41001", 89, D[0], "小美", "本人接听", "已付款"),
    (datetime(2026, 11, 21, 10), "b2", "41002", 128.5, D[0], "小美", "非本人接听", "未付款"),
    (datetime(2026, 11, 21, 11), "b3", "41003", 59, D[0], "阿强", "未接通", "已关闭"),
    (datetime(2026, 11, 19, 8), "b4", "41004", 199, D[1], "阿强", "未接通", "未付款"),  # auto-closed 11-22 08:00
    (datetime(2026, 11, 21, 12), "b5", "41005", 66, D[0], "阿强", "本人接听", "已付款"),
]
BAD_CHASE = (datetime(2026, 11, 21, 13), "b6", "41006", "八十", D[0], "阿强", "本人接听", "已付款")
HANDOVER_ROWS = [  # 交接处理, 交接人, 承接人, 时间, 状态, 确认时间
    ("查物流", "小美", "阿强", datetime(2026, 11, 22, 9), "待处理", datetime(2026, 11, 22, 9, 5)),
    ("催付", "小美", "阿强", datetime(2026, 11, 22, 9), "待处理", None),
    ("补发", "阿强", "莉莉", datetime(2026, 11, 21, 18), "已转交", None),
]


def book():
    return [
        Grid("退件表", [["日期", "物流单号", "订单编码", "退回类型", "产品名称", "数量"],
                        *map(list, RETURN_ROWS), list(BAD_RETURN)]),
        Grid("重发单", [["日期", "填写人", "客户ID", "原订单编码", "产品名称", "数量", "发件原因", "新物流单号"],
                        *[[d, "小美", "c", o, "眼霜", 1, reason, t] for d, o, reason, t in RESEND_ROWS]]),
        Grid("质量问题表", [["日期", "登记人", "客户ID", "订单编码", "问题类型", "责任方", "凭证张数", "补偿金额",
                            "快递损失费用", "返厂", "状态"],
                           *[[d, "阿强", "c", o, t, p, 3, comp, loss, f, "处理中"]
                             for d, o, t, p, comp, loss, f in QUALITY_ROWS]]),
        Grid("催款明细表", [["拍下时间", "买家ID", "订单编号", "订单金额", "催款日期", "催款人", "催款方式", "接听情况",
                            "催款结果"],
                           *[[p, b, o, a, d, agent, "电话", ans, res] for p, b, o, a, d, agent, ans, res in
                             [*CHASE_ROWS, BAD_CHASE]]]),
        Grid("交接表", [["买家ID", "交接处理", "交接人", "承接人", "时间", "状态", "确认时间"],
                        *[["b", *row] for row in HANDOVER_ROWS]]),
    ]


def totals():
    return daily_totals(check_workbook(book(), DAY), DAY, AT)


def test_the_days_returns():
    on_day = [r for r in RETURN_ROWS if r[0] == DAY]
    assert totals()[0]["returns"] == {"count": len(on_day), "parcels": len({r[1] for r in on_day}),
                                      "qty": sum(r[5] for r in on_day), "by_type": dict(Counter(r[3] for r in on_day))}


def test_the_days_resends_quality_and_chase():
    result = totals()[0]
    resends = [r for r in RESEND_ROWS if r[0] == DAY]
    assert result["resends"] == {"count": len(resends), "open": sum(r[3] is None for r in resends)}
    quality = [r for r in QUALITY_ROWS if r[0] == DAY]
    assert result["quality"] == {"count": len(quality), "compensation": sum(r[4] or 0 for r in quality),
                                 "courier_loss": sum(r[5] or 0 for r in quality)}
    chase = [r for r in CHASE_ROWS if r[4] == DAY]
    paid = [r for r in chase if r[7] == "已付款"]
    assert result["chase"] == {"to_chase": len(chase), "contacted": sum(r[6] != "未接通" for r in chase),
                               "paid": len(paid), "paid_amount": sum(r[3] for r in paid),
                               "closed": sum(r[7] == "已关闭" for r in chase)}
    assert result["handover"] == {"count": 2, "unacknowledged": 1}


def test_rows_with_errors_are_listed_not_counted():
    assert totals()[0]["excluded_rows"] == [f"退件表!{len(RETURN_ROWS) + 2}", f"催款明细表!{len(CHASE_ROWS) + 2}"]


def test_open_and_overdue_items_as_of_generation():
    result = totals()[0]
    open_returns = len(RETURN_ROWS) + 1  # none has a 处理结果; the row with an error still needs handling
    open_resends = sum(r[3] is None for r in RESEND_ROWS)
    unpaid_not_closed = ["41002"]  # 41004 closed itself at 11-22 08:00, before AT
    pending_handover = sum(r[4] == "待处理" for r in HANDOVER_ROWS)
    assert result["open_items"] == (open_returns + open_resends + len(QUALITY_ROWS) + len(unpaid_not_closed)
                                    + pending_handover)
    late_resends = [r for r in RESEND_ROWS if r[3] is None and r[0] + timedelta(days=1) <= AT.date()]
    late_quality = [r for r in QUALITY_ROWS if r[0] + timedelta(days=5) <= AT.date()]
    assert result["overdue"] == len(late_resends) + len(late_quality) == 2


def _block(sheet, first_label):
    return next(b for b in sheet.blocks if b.rows and b.rows[0][0] == first_label)


def test_the_tab_shows_the_day_beside_the_last_seven_days():
    result, sheet = totals()
    overview = {row[0]: row[1:] for row in _block(sheet, "退件登记（行）").rows}
    week = [r for r in RETURN_ROWS if DAY - timedelta(days=6) <= r[0] <= DAY]
    assert overview["退件登记（行）"] == (result["returns"]["count"], len(week))
    assert overview["退回数量（个）"] == (result["returns"]["qty"], sum(r[5] for r in week))
    week_chase = [r for r in CHASE_ROWS if DAY - timedelta(days=6) <= r[4] <= DAY]
    assert overview["关闭未付款"] == (result["chase"]["closed"],
                                 sum(r[7] == "已关闭" or (r[7] != "已付款" and r[0] + timedelta(days=3) <= AT)
                                     for r in week_chase))
    by_type = {row[0]: row[1:] for row in _block(sheet, "过敏").rows}
    assert by_type == {t: (sum(1 for r in RETURN_ROWS if r[0] == DAY and r[3] == t),
                           sum(1 for r in week if r[3] == t)) for t in {r[3] for r in week}}
    assert [c.kind for c in sheet.charts] == ["column", "line"]


def test_the_chase_summary_per_day_and_agent_with_a_total_per_day():
    result, change = chase_summary(check_workbook(book(), DAY), AT)
    groups = defaultdict(list)
    for row in CHASE_ROWS:
        groups[(row[4].isoformat(), row[5])].append(row)
        groups[(row[4].isoformat(), "合计")].append(row)
    expected = []
    for (day, agent) in sorted(groups, key=lambda k: (k[0], k[1] == "合计", k[1])):
        rows = groups[(day, agent)]
        paid = [r for r in rows if r[7] == "已付款"]
        expected.append({"date": day, "agent": agent, "to_chase": len(rows),
                         "contacted": sum(r[6] != "未接通" for r in rows), "paid": len(paid),
                         "paid_amount": sum(r[3] for r in paid),
                         "closed": sum(r[7] == "已关闭" or (r[7] != "已付款" and r[0] + timedelta(days=3) <= AT)
                                       for r in rows)})
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
    in_week = lambda d: DAY - timedelta(days=6) <= d <= DAY  # noqa: E731
    returns = [r for r in RETURN_ROWS if in_week(r[0])]
    resends = [r for r in RESEND_ROWS if in_week(r[0])]
    quality = [r for r in QUALITY_ROWS if in_week(r[0])]
    chase = [r for r in CHASE_ROWS if in_week(r[4])]
    paid = [r for r in chase if r[7] == "已付款"]
    handovers = [r for r in HANDOVER_ROWS if in_week(r[3].date())]
    on_day = lambda rows, i: [r for r in rows if (r[i].date() if isinstance(r[i], datetime) else r[i]) == DAY]  # noqa
    closed = lambda rows: sum(r[7] == "已关闭" or (r[7] != "已付款" and r[0] + timedelta(days=3) <= AT)  # noqa
                              for r in rows)
    expected = {
        "退件登记（行）": (len(on_day(returns, 0)), len(returns)),
        "退件包裹（件）": (len({r[1] for r in on_day(returns, 0)}), len({r[1] for r in returns})),
        "退回数量（个）": (sum(r[5] for r in on_day(returns, 0)), sum(r[5] for r in returns)),
        "重发登记": (len(on_day(resends, 0)), len(resends)),
        "重发未发出": (sum(r[3] is None for r in on_day(resends, 0)), sum(r[3] is None for r in resends)),
        "质量问题": (len(on_day(quality, 0)), len(quality)),
        "补偿金额（元）": (sum(r[4] for r in on_day(quality, 0)), sum(r[4] for r in quality)),
        "快递损失费用（元）": (sum(r[5] or 0 for r in on_day(quality, 0)), sum(r[5] or 0 for r in quality)),
        "需催单数": (len(on_day(chase, 4)), len(chase)),
        "催回单数": (len(on_day(paid, 4)), len(paid)),
        "催回金额（元）": (sum(r[3] for r in on_day(paid, 4)), sum(r[3] for r in paid)),
        "关闭未付款": (closed(on_day(chase, 4)), closed(chase)),
        "交接事项": (len(on_day(handovers, 3)), len(handovers)),
        "交接未确认": (sum(r[5] is None for r in on_day(handovers, 3)), sum(r[5] is None for r in handovers)),
        "未处理事项（当前）": (result["open_items"], result["open_items"]),
        "已超时事项（当前）": (result["overdue"], result["overdue"]),
    }
    overview = {row[0]: row[1:] for row in _block(sheet, "退件登记（行）").rows}
    assert overview == expected
    trend = {row[0][:5]: row[1:] for row in _block(sheet, f"{D[6]:%m-%d} 周{'一二三四五六日'[D[6].weekday()]}").rows}
    assert trend[f"{D[3]:%m-%d}"] == (1, 0, 0, 0, 0.0)
    assert trend[f"{DAY:%m-%d}"] == (len(on_day(returns, 0)), len(on_day(resends, 0)), len(on_day(quality, 0)),
                                     len(on_day(paid, 4)), float(sum(r[3] for r in on_day(paid, 4))))
