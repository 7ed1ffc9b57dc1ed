"""日汇总 and 催款汇总: the figures leads read, computed from the ledgers.

Rows with validation errors are left out of every figure and listed instead,
so a typo never silently changes a total.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Iterable

from workbook_tools.core.changes import Block, Change, Chart, NewSheet, ledger_change
from workbook_tools.core.deadlines import CLOSED, PAID, close_time, open_items
from workbook_tools.spec.types import Kind
from workbook_tools.spec.sheets import CHASE_DETAIL, CHASE_SUMMARY, HANDOVER, QUALITY, RESENDS, RETURNS, RETURN_TYPE, SheetSpec
from workbook_tools.core.validate import Record, WorkbookCheck

DAILY_TITLE = "日汇总"
TREND_DAYS = 7
CONTACTED = ("本人接听", "非本人接听")
TOTAL_AGENT = "合计"


def _records(check: WorkbookCheck, spec: SheetSpec) -> list[Record]:
    return [r for t in check.tables if t.table.spec is spec for r in t.records if not r.errors]


def excluded_rows(check: WorkbookCheck, specs: tuple[SheetSpec, ...]) -> list[str]:
    """Sources (退件表!7) of rows left out of the totals because of validation errors."""
    return [f"{t.table.sheet}!{r.row}" for t in check.tables if t.table.spec in specs for r in t.records if r.errors]


def _day(value: object) -> date | None:
    return value.date() if isinstance(value, datetime) else value if isinstance(value, date) else None


def _money(values: Iterable[object]) -> Decimal:
    return sum((v for v in values if isinstance(v, Decimal)), Decimal("0"))


@dataclass(frozen=True)
class DayFigures:
    day: date
    returns: list[Record]
    resends: list[Record]
    quality: list[Record]
    chase: list[Record]
    handovers: list[Record]


def _by_day(records: list[Record], column: str, days: list[date]) -> dict[date, list[Record]]:
    """The records dated on each of `days`, in one pass over the ledger."""
    grouped: dict[date, list[Record]] = {day: [] for day in days}
    for record in records:
        day = _day(record.values.get(column))
        if day in grouped:
            grouped[day].append(record)
    return grouped


def _platform_closed(record: Record, check: WorkbookCheck, at: datetime) -> bool:
    closes = close_time(record, check.settings)
    return record.values.get("催款结果") != PAID and closes is not None and closes <= at


def chase_closed(record: Record, check: WorkbookCheck, at: datetime) -> bool:
    """Closed unpaid: marked 已关闭, or its automatic close has passed."""
    return record.values.get("催款结果") == CLOSED or _platform_closed(record, check, at)


def daily_figures(check: WorkbookCheck, days: list[date]) -> list[DayFigures]:
    ledgers = [_by_day(_records(check, spec), column, days) for spec, column in (
        (RETURNS, "日期"), (RESENDS, "日期"), (QUALITY, "日期"), (CHASE_DETAIL, "催款日期"), (HANDOVER, "时间"))]
    return [DayFigures(day, *(ledger[day] for ledger in ledgers)) for day in days]


def _return_figures(rows: list[Record]) -> dict:
    by_type = Counter(r.values.get("退回类型") or "未填" for r in rows)
    return {"count": len(rows), "parcels": len({r.values.get("物流单号") for r in rows}),
            "qty": sum(r.values.get("数量") or 0 for r in rows), "by_type": dict(sorted(by_type.items()))}


def _chase_figures(rows: list[Record], check: WorkbookCheck, at: datetime) -> dict:
    paid = [r for r in rows if r.values.get("催款结果") == PAID]
    return {"to_chase": len(rows), "contacted": sum(r.values.get("接听情况") in CONTACTED for r in rows),
            "paid": len(paid), "paid_amount": float(_money(r.values.get("订单金额") for r in paid)),
            "closed": sum(chase_closed(r, check, at) for r in rows)}


def daily_totals(check: WorkbookCheck, day: date, at: datetime) -> tuple[dict, NewSheet]:
    """The --json figures for `day`, and the 日汇总 tab (that day beside the last 7 days)."""
    days = [day - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1)]
    figures = daily_figures(check, days)
    today = figures[-1]
    items = open_items(check, at)
    result = {
        "date": day.isoformat(),
        "returns": _return_figures(today.returns),
        "resends": {"count": len(today.resends), "open": sum(not r.values.get("新物流单号") for r in today.resends)},
        "quality": {"count": len(today.quality),
                    "compensation": float(_money(r.values.get("补偿金额") for r in today.quality)),
                    "courier_loss": float(_money(r.values.get("快递损失费用") for r in today.quality))},
        "chase": _chase_figures(today.chase, check, at),
        "open_items": len(items),
        "overdue": sum(i.overdue(at) for i in items),
        "handover": {"count": len(today.handovers),
                     "unacknowledged": sum(r.values.get("确认时间") is None for r in today.handovers)},
        "excluded_rows": excluded_rows(check, (RETURNS, RESENDS, QUALITY, CHASE_DETAIL, HANDOVER)),
    }
    return result, _daily_sheet(check, result, figures, at)


def _daily_sheet(check: WorkbookCheck, result: dict, figures: list[DayFigures], at: datetime) -> NewSheet:
    """Tables first, charts beside them: a lead reads the numbers and looks at the shapes."""
    week = [r for f in figures for r in f.returns]
    week_resends = [r for f in figures for r in f.resends]
    week_quality = [r for f in figures for r in f.quality]
    week_chase = [r for f in figures for r in f.chase]
    week_chase_figures = _chase_figures(week_chase, check, at)
    day = result["date"]
    blocks: list[Block] = [
        Block(1, 1, ((f"日汇总 {day}",),), style="title"),
        Block(2, 1, ((f"生成于 {at:%Y-%m-%d %H:%M}；近 7 天 = {figures[0].day:%m-%d} 至 {figures[-1].day:%m-%d}；"
                      f"未处理和超时按生成时计算。",),), style="note"),
    ]
    overview = (
        ("退件登记（行）", result["returns"]["count"], len(week)),
        ("退件包裹（件）", result["returns"]["parcels"], len({r.values.get("物流单号") for r in week})),
        ("退回数量（个）", result["returns"]["qty"], sum(r.values.get("数量") or 0 for r in week)),
        ("重发登记", result["resends"]["count"], len(week_resends)),
        ("重发未发出", result["resends"]["open"], sum(not r.values.get("新物流单号") for r in week_resends)),
        ("质量问题", result["quality"]["count"], len(week_quality)),
        ("补偿金额（元）", result["quality"]["compensation"], float(_money(r.values.get("补偿金额") for r in week_quality))),
        ("快递损失费用（元）", result["quality"]["courier_loss"],
         float(_money(r.values.get("快递损失费用") for r in week_quality))),
        ("需催单数", result["chase"]["to_chase"], week_chase_figures["to_chase"]),
        ("催回单数", result["chase"]["paid"], week_chase_figures["paid"]),
        ("催回金额（元）", result["chase"]["paid_amount"], week_chase_figures["paid_amount"]),
        ("关闭未付款", result["chase"]["closed"], week_chase_figures["closed"]),
        ("交接事项", result["handover"]["count"], sum(len(f.handovers) for f in figures)),
        ("交接未确认", result["handover"]["unacknowledged"],
         sum(r.values.get("确认时间") is None for f in figures for r in f.handovers)),
        ("未处理事项（当前）", result["open_items"], result["open_items"]),
        ("已超时事项（当前）", result["overdue"], result["overdue"]),
    )
    blocks += [Block(4, 1, (("指标", "当天", "近 7 天"),), style="header"),
               Block(5, 1, overview, (Kind.TEXT, None, None))]
    row = 5 + len(overview) + 1
    charts: list[Chart] = []

    def table(title: str, header: tuple, rows: list[tuple], kinds: tuple = ()) -> tuple[int, int]:
        nonlocal row
        blocks.append(Block(row, 1, ((title,),), style="note"))
        blocks.append(Block(row + 1, 1, (header,), style="header"))
        body = rows or [("（无）",) + ("",) * (len(header) - 1)]
        blocks.append(Block(row + 2, 1, tuple(body), kinds))
        first = row + 2
        row += 3 + len(body)
        return first, first + len(body) - 1

    by_type_day = Counter(r.values.get("退回类型") or "未填" for r in figures[-1].returns)
    by_type_week = Counter(r.values.get("退回类型") or "未填" for r in week)
    first, last = table("退件按退回类型", ("退回类型", "当天", "近 7 天"),
                        [(t, by_type_day.get(t, 0), n) for t, n in by_type_week.most_common()])
    if by_type_week:
        charts.append(Chart("column", "退件按退回类型", (first, 1, last, 1),
                            (("当天", (first, 2, last, 2)), ("近 7 天", (first, 3, last, 3))), (4, 5)))
    payer_day = Counter(check.settings.attribute(RETURN_TYPE, r.values.get("退回类型") or "") or "待定"
                        for r in figures[-1].returns)
    payer_week = Counter(check.settings.attribute(RETURN_TYPE, r.values.get("退回类型") or "") or "待定" for r in week)
    table("邮费承担方", ("承担方", "当天", "近 7 天"), [(p, payer_day.get(p, 0), n) for p, n in payer_week.most_common()])
    product_day = Counter()
    product_week = Counter()
    for r in figures[-1].returns:
        product_day[r.values.get("产品名称")] += r.values.get("数量") or 0
    for r in week:
        product_week[r.values.get("产品名称")] += r.values.get("数量") or 0
    table("退回数量按产品", ("产品名称", "当天", "近 7 天"),
          [(p, product_day.get(p, 0), n) for p, n in product_week.most_common()])
    reasons = Counter(r.values.get("发件原因") or "未填" for r in week_resends)
    table("重发按发件原因（近 7 天）", ("发件原因", "已发出", "未发出"),
          [(reason, sum(1 for r in week_resends if (r.values.get("发件原因") or "未填") == reason
                        and r.values.get("新物流单号")),
            sum(1 for r in week_resends if (r.values.get("发件原因") or "未填") == reason
                and not r.values.get("新物流单号"))) for reason, _ in reasons.most_common()])
    issue_types = Counter(r.values.get("问题类型") or "未填" for r in week_quality)
    table("质量问题按类型（近 7 天）", ("问题类型", "件数", "补偿金额", "快递损失费用"),
          [(t, n, float(_money(r.values.get("补偿金额") for r in week_quality if r.values.get("问题类型") == t)),
            float(_money(r.values.get("快递损失费用") for r in week_quality if r.values.get("问题类型") == t)))
           for t, n in issue_types.most_common()], (None, None, Kind.MONEY, Kind.MONEY))
    parties = Counter(r.values.get("责任方") or "未填" for r in week_quality)
    table("质量问题按责任方（近 7 天）", ("责任方", "件数"), list(parties.most_common()))
    factory = [r for r in week_quality if r.values.get("返厂") == "是"]
    table("待返厂（近 7 天）", ("登记日期", "产品名称", "问题类型", "订单编码"),
          [(r.values.get("日期"), r.values.get("产品名称"), r.values.get("问题类型"), r.values.get("订单编码"))
           for r in factory], (Kind.DATE, None, None, Kind.TEXT))
    trend_rows = [(f"{f.day:%m-%d} 周{'一二三四五六日'[f.day.weekday()]}", len(f.returns), len(f.resends), len(f.quality),
                   sum(r.values.get("催款结果") == PAID for r in f.chase),
                   float(_money(r.values.get("订单金额") for r in f.chase if r.values.get("催款结果") == PAID)))
                  for f in figures]
    first, last = table("近 7 天趋势", ("日期", "退件", "重发", "质量问题", "催回单数", "催回金额"), trend_rows,
                        (Kind.TEXT, None, None, None, None, Kind.MONEY))
    charts.append(Chart("line", "近 7 天趋势", (first, 1, last, 1),
                        tuple((name, (first, col, last, col)) for col, name in ((2, "退件"), (3, "重发"), (4, "质量问题"))),
                        (21, 5)))
    excluded = result["excluded_rows"]
    table("未计入的行（有校验错误，请先改正）", ("来源",), [(source,) for source in excluded])
    return NewSheet(DAILY_TITLE, tuple(blocks), tuple(charts), {1: 22, 2: 12, 3: 12, 4: 14, 5: 14, 6: 12})


def chase_summary(check: WorkbookCheck, at: datetime) -> tuple[dict, Change | None]:
    """催款汇总表 rows per day and agent, plus a 合计 row per day; replaces the sheet's rows."""
    groups: dict[tuple[date, str], list[Record]] = defaultdict(list)
    for record in _records(check, CHASE_DETAIL):
        day = _day(record.values.get("催款日期"))
        if day is not None:
            groups[(day, record.values.get("催款人") or "未填")].append(record)
            groups[(day, TOTAL_AGENT)].append(record)
    rows = []
    for (day, agent) in sorted(groups, key=lambda k: (k[0], k[1] == TOTAL_AGENT, k[1])):
        figures = _chase_figures(groups[(day, agent)], check, at)
        rows.append({"date": day.isoformat(), "agent": agent, "to_chase": figures["to_chase"],
                     "contacted": figures["contacted"], "paid": figures["paid"],
                     "paid_amount": figures["paid_amount"], "closed": figures["closed"]})
    ledger_rows = [{"日期": date.fromisoformat(r["date"]), "催款人": r["agent"], "需催单数": r["to_chase"],
                    "已联系": r["contacted"], "联系率": r["contacted"] / r["to_chase"],
                    "催回单数": r["paid"], "催回金额": r["paid_amount"], "成功率": r["paid"] / r["to_chase"],
                    "关闭单数": r["closed"]} for r in rows]
    summary = next((t.table for t in check.tables if t.table.spec is CHASE_SUMMARY), None)
    return {"rows": rows, "excluded_rows": excluded_rows(check, (CHASE_DETAIL,))}, ledger_change(CHASE_SUMMARY, summary, ledger_rows, replace=True)
