"""日汇总 and 催款汇总: the figures leads read, computed from the ledgers.

Rows with validation errors are left out of every figure and listed instead,
so a typo never silently changes a total.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from workbook_tools.core.approval import counted
from workbook_tools.core.changes import Block, Change, Chart, NewSheet, Style, ledger_change, place
from workbook_tools.core.chase import ChasedOrder, chased_orders
from workbook_tools.core.deadlines import OpenItem, open_items
from workbook_tools.core.figures import DeclaredFigure, day_of, declared_figures, figure_sheets, figures_json, money_sum
from workbook_tools.core.records import Record, WorkbookCheck
from workbook_tools.core.settings import Settings
from workbook_tools.core.tallies import Reading
from workbook_tools.spec.lists import CHASE_ANSWER, RETURN_TYPE, YES_NO
from workbook_tools.spec.reports import DAILY
from workbook_tools.spec.sheets import AFTER_SALES, CHASE_DETAIL, CHASE_SUMMARY, HANDOVER, QUALITY, RESENDS, RETURNS
from workbook_tools.spec.types import Column, Kind, Sheet

R, S, Q, C, H, A = RETURNS, RESENDS, QUALITY, CHASE_DETAIL, HANDOVER, AFTER_SALES
FIGURE_SHEETS = (R, S, Q, C, H, A)


def excluded_rows(check: WorkbookCheck, specs: tuple[Sheet, ...]) -> list[str]:
    """Sources (退件表!7) of rows left out of the totals because of validation errors."""
    return [
        f"{t.table.sheet}!{r.row}" for t in check.tables if t.table.spec in specs for r in t.records if r.has_errors
    ]


@dataclass(frozen=True)
class DayFigures:
    day: date
    returns: list[Record]
    resends: list[Record]
    quality: list[Record]
    chase: list[Record]
    handovers: list[Record]
    requests: list[Record]  # applied for that day
    refunds: list[Record]  # requests refunded that day


def _byday_of(records: list[Record], column: Column, days: list[date]) -> dict[date, list[Record]]:
    """The records dated on each of `days`, in one pass over the ledger."""
    grouped: dict[date, list[Record]] = {day: [] for day in days}
    for record in records:
        day = day_of(record[column])
        if day in grouped:
            grouped[day].append(record)
    return grouped


def daily_figures(check: WorkbookCheck, days: list[date]) -> list[DayFigures]:
    dated = ((R, R.date), (S, S.date), (Q, Q.date), (C, C.chased_at), (H, H.at), (A, A.applied_at), (A, A.refunded_at))
    ledgers = [_byday_of(check.rows(spec), column, days) for spec, column in dated]
    return [DayFigures(day, *(ledger[day] for ledger in ledgers)) for day in days]


def _return_figures(rows: list[Record]) -> dict[str, Any]:
    by_type = Counter(r[R.return_type] or DAILY.unfilled for r in rows)
    return {
        "count": len(rows),
        "parcels": len({r[R.tracking_no] for r in rows}),
        "qty": sum(r[R.quantity] or 0 for r in rows),
        "by_type": dict(sorted(by_type.items())),
    }


def _recovered(rows: Iterable[Record], orders: dict[str, ChasedOrder]) -> list[Record]:
    """Among `rows`, the chases credited with their order's payment."""
    return [r for r in rows if orders[r[C.order_no]].recovered is r]


def chase_figures(rows: list[Record], orders: dict[str, ChasedOrder], settings: Settings) -> dict[str, Any]:
    """Figures of the orders chased in `rows` (one day, or one agent's day): each order counted once.

    已联系: an order with a chase, by any way, whose 接听情况 counts as contacted on 设置 (计入已联系). 催回 goes to
    the chase that came last before the payment, 关闭 to the last chase of an order that closed unpaid; an order
    paid before it was chased is counted apart (already_paid), never as recovered.
    """
    chased = {r[C.order_no] for r in rows}
    recovered = _recovered(rows, orders)
    contacted = {
        answer for answer in settings.choices(CHASE_ANSWER) if settings.attribute(CHASE_ANSWER, answer) == YES_NO.YES
    }
    return {
        "to_chase": len(chased),
        "contacted": len({r[C.order_no] for r in rows if r[C.answer] in contacted}),
        "paid": len(recovered),
        "paid_amount": float(money_sum(r[C.amount] for r in recovered)),
        "closed": sum(1 for r in rows if orders[r[C.order_no]].closed is r),
        "already_paid": sum(orders[order].paid_before_chase for order in chased),
    }


def _unshipped(rows: Iterable[Record]) -> int:
    return sum(not r[S.new_tracking_no] for r in rows)


def _unacknowledged(rows: Iterable[Record]) -> int:
    return sum(r[H.acknowledged_at] is None for r in rows)


def _request_figures(check: WorkbookCheck, day: DayFigures, items: list[OpenItem], at: datetime) -> dict[str, Any]:
    """Requests applied for on the day, the money refunded that day, and the requests open now."""
    sheets = {t.table.sheet for t in check.of(A)}
    lead = A.approval.item_type if A.approval else None  # a refund waiting for the lead is no request of its own
    pending = [i for i in items if i.sheet in sheets and i.item_type != lead]
    return {
        "count": len(day.requests),
        # a refund above the request waiting for the lead is an error (refund_exceeds_request): left out like any
        "refund_amount": float(money_sum(r[A.refund] for r in day.refunds)),
        "open": len(pending),
        "overdue": sum(i.overdue(at) for i in pending),
    }


def trend_window(day: date) -> tuple[date, date]:
    """The first and last day 日汇总 shows for `day`: the rows a figure may need (archived ones too)."""
    return day - timedelta(days=DAILY.trend_days - 1), day


def daily_reading(day: date, archived: tuple[Sheet, ...]) -> Reading:
    """What 日汇总 for `day` reads of the archive: the `archived` ledgers' rows of its days, one by one."""
    return Reading(*trend_window(day), archived)


def daily_totals(check: WorkbookCheck, day: date, at: datetime) -> tuple[dict[str, Any], NewSheet]:
    """The --json figures for `day`, and the 日汇总 tab (that day beside the days before it)."""
    first, _ = trend_window(day)
    days = [first + timedelta(days=n) for n in range(DAILY.trend_days)]
    figures = daily_figures(check, days)
    today = figures[-1]
    items = open_items(check, at)
    orders = chased_orders(check.rows(C), check.settings, at)
    declared = declared_figures(check, days, items, at)
    result = {
        "date": day.isoformat(),
        "returns": _return_figures(today.returns),
        "resends": {"count": len(today.resends), "open": _unshipped(today.resends)},
        "quality": {
            "count": len(today.quality),
            "compensation": float(money_sum(counted(r, Q.compensation, check.settings) for r in today.quality)),
            "courier_loss": float(money_sum(r[Q.courier_loss] for r in today.quality)),
        },
        "chase": chase_figures(today.chase, orders, check.settings),
        "open_items": len(items),
        "overdue": sum(i.overdue(at) for i in items),
        "handover": {"count": len(today.handovers), "unacknowledged": _unacknowledged(today.handovers)},
        "requests": _request_figures(check, today, items, at),
        "registers": figures_json(declared),
        "excluded_rows": excluded_rows(check, FIGURE_SHEETS + figure_sheets()),
    }
    return result, _daily_sheet(check, result, figures, declared, orders, at)


class Tables:
    """The breakdown tables of a generated tab (日汇总, 周报), stacked below its overview: each a title, a header and
    its rows; `declared` gives their titles and headers by key, `none` an empty table's only row."""

    def __init__(
        self, first_row: int, declared: dict[str, tuple[str, tuple[str, ...]]] = DAILY.tables, none: str = DAILY.none
    ) -> None:
        self.row = first_row
        self.declared = declared
        self.none = none
        self.blocks: list[Block] = []

    def line_chart(self, key: str, rows: tuple[int, int], columns: Iterable[int], anchor: tuple[int, int]) -> Chart:
        """A line chart of table `key` (its `rows`, as `add` returned them): one line per column, the first column
        as the categories, each line named by its header."""
        title, header = self.declared[key]
        first, last = rows
        return Chart(
            kind="line",
            title=title,
            categories=(first, 1, last, 1),
            series=tuple((header[col - 1], (first, col, last, col)) for col in columns),
            anchor=anchor,
        )

    def add(self, key: str, rows: list[tuple[Any, ...]], kinds: tuple[Kind | None, ...] = ()) -> tuple[int, int]:
        title, header = self.declared[key]
        self.blocks.append(Block(self.row, 1, ((title,),), style=Style.NOTE))
        self.blocks.append(Block(self.row + 1, 1, (header,), style=Style.HEADER))
        body = rows or [(self.none,) + ("",) * (len(header) - 1)]
        self.blocks.append(Block(self.row + 2, 1, tuple(body), kinds))
        first = self.row + 2
        self.row += 3 + len(body)
        return first, first + len(body) - 1


def _count_by(records: Iterable[Record], column: Column) -> Counter[Any]:
    return Counter(r[column] or DAILY.unfilled for r in records)


def ranked(counts: Counter[Any]) -> list[tuple[Any, int]]:
    """Largest first; ties by name, so the order of the rows never changes a table."""
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))


def _daily_sheet(
    check: WorkbookCheck,
    result: dict[str, Any],
    figures: list[DayFigures],
    declared: list[DeclaredFigure],
    orders: dict[str, ChasedOrder],
    at: datetime,
) -> NewSheet:
    """Tables first, charts beside them: a lead reads the numbers and looks at the shapes."""
    week = [r for f in figures for r in f.returns]
    week_resends = [r for f in figures for r in f.resends]
    week_quality = [r for f in figures for r in f.quality]
    week_chase = chase_figures([r for f in figures for r in f.chase], orders, check.settings)
    week_handovers = [r for f in figures for r in f.handovers]
    blocks: list[Block] = [
        Block(1, 1, ((DAILY.heading(result["date"]),),), style=Style.TITLE),
        Block(
            2,
            1,
            ((DAILY.note(f"{at:%Y-%m-%d %H:%M}", f"{figures[0].day:%m-%d}", f"{figures[-1].day:%m-%d}"),),),
            style=Style.NOTE,
        ),
    ]
    label = DAILY.overview
    overview = (
        (label["return_rows"], result["returns"]["count"], len(week)),
        (label["return_parcels"], result["returns"]["parcels"], len({r[R.tracking_no] for r in week})),
        (label["return_qty"], result["returns"]["qty"], sum(r[R.quantity] or 0 for r in week)),
        (label["resends"], result["resends"]["count"], len(week_resends)),
        (label["resends_open"], result["resends"]["open"], _unshipped(week_resends)),
        (label["quality"], result["quality"]["count"], len(week_quality)),
        (
            label["compensation"],
            result["quality"]["compensation"],
            float(money_sum(counted(r, Q.compensation, check.settings) for r in week_quality)),
        ),
        (
            label["courier_loss"],
            result["quality"]["courier_loss"],
            float(money_sum(r[Q.courier_loss] for r in week_quality)),
        ),
        (label["to_chase"], result["chase"]["to_chase"], week_chase["to_chase"]),
        (label["paid"], result["chase"]["paid"], week_chase["paid"]),
        (label["paid_amount"], result["chase"]["paid_amount"], week_chase["paid_amount"]),
        (label["closed"], result["chase"]["closed"], week_chase["closed"]),
        (label["requests"], result["requests"]["count"], sum(len(f.requests) for f in figures)),
        (
            label["refund_amount"],
            result["requests"]["refund_amount"],
            float(money_sum(r[A.refund] for f in figures for r in f.refunds)),
        ),
        (label["requests_open"], result["requests"]["open"], result["requests"]["open"]),
        (label["requests_overdue"], result["requests"]["overdue"], result["requests"]["overdue"]),
        (label["handovers"], result["handover"]["count"], len(week_handovers)),
        (label["unacknowledged"], result["handover"]["unacknowledged"], _unacknowledged(week_handovers)),
        (label["open_items"], result["open_items"], result["open_items"]),
        (label["overdue"], result["overdue"], result["overdue"]),
        *((f.figure.label, f.day, f.window) for f in declared),
    )
    blocks += [
        Block(4, 1, (DAILY.overview_header,), style=Style.HEADER),
        Block(5, 1, overview, (Kind.TEXT, None, None)),
    ]
    tables = Tables(5 + len(overview) + 1)
    charts: list[Chart] = []
    day_label, week_label = DAILY.chart_series

    by_type_day, by_type_week = _count_by(figures[-1].returns, R.return_type), _count_by(week, R.return_type)
    first, last = tables.add("return_type", [(t, by_type_day.get(t, 0), n) for t, n in ranked(by_type_week)])
    if by_type_week:
        charts.append(
            Chart(
                kind="column",
                title=DAILY.tables["return_type"][0],
                categories=(first, 1, last, 1),
                series=((day_label, (first, 2, last, 2)), (week_label, (first, 3, last, 3))),
                anchor=(4, 5),
            )
        )

    def payer(record: Record) -> str:
        """The row's own 邮费承担方 (its formula's, or the word typed over it), else what 设置 says of its type."""
        return record[R.payer] or check.settings.attribute(RETURN_TYPE, record[R.return_type] or "") or DAILY.undecided

    payer_day, payer_week = Counter(map(payer, figures[-1].returns)), Counter(map(payer, week))
    tables.add("payer", [(p, payer_day.get(p, 0), n) for p, n in ranked(payer_week)])
    product_day: Counter[Any] = Counter()
    product_week: Counter[Any] = Counter()
    for r in figures[-1].returns:
        product_day[r[R.product]] += r[R.quantity] or 0
    for r in week:
        product_week[r[R.product]] += r[R.quantity] or 0
    tables.add("product", [(p, product_day.get(p, 0), n) for p, n in ranked(product_week)])
    reasons = _count_by(week_resends, S.reason)
    tables.add(
        "resend_reason",
        [
            (
                reason,
                sum(1 for r in week_resends if (r[S.reason] or DAILY.unfilled) == reason and r[S.new_tracking_no]),
                sum(1 for r in week_resends if (r[S.reason] or DAILY.unfilled) == reason and not r[S.new_tracking_no]),
            )
            for reason, _ in ranked(reasons)
        ],
    )
    issue_types = _count_by(week_quality, Q.issue_type)
    tables.add(
        "issue_type",
        [
            (
                t,
                n,
                float(
                    money_sum(counted(r, Q.compensation, check.settings) for r in week_quality if r[Q.issue_type] == t)
                ),
                float(money_sum(r[Q.courier_loss] for r in week_quality if r[Q.issue_type] == t)),
            )
            for t, n in ranked(issue_types)
        ],
        (None, None, Kind.MONEY, Kind.MONEY),
    )
    tables.add("responsible", list(ranked(_count_by(week_quality, Q.responsible))))
    factory = sorted(
        (r for r in check.rows(Q) if Q.awaiting_factory.holds(r.__getitem__)),
        key=lambda r: (str(r[Q.date]), str(r[Q.order_no]), str(r[Q.product])),
    )
    tables.add(
        "factory",
        [(r[Q.date], r[Q.product], r[Q.issue_type], r[Q.order_no], r[Q.factory]) for r in factory],
        (Kind.DATE, None, None, Kind.TEXT, None),
    )
    trend_rows = [
        (
            DAILY.day_label(f"{f.day:%m-%d}", f.day.weekday()),
            len(f.returns),
            len(f.resends),
            len(f.quality),
            len(_recovered(f.chase, orders)),
            float(money_sum(r[C.amount] for r in _recovered(f.chase, orders))),
        )
        for f in figures
    ]
    trend = tables.add("trend", trend_rows, (Kind.TEXT, None, None, None, None, Kind.MONEY))
    charts.append(tables.line_chart("trend", trend, (2, 3, 4), anchor=(21, 5)))
    tables.add("excluded", [(source,) for source in result["excluded_rows"]])
    title, instead_of = place(check.grids, DAILY.title, DAILY.signature)
    return NewSheet(
        title,
        tuple(blocks + tables.blocks),
        charts=tuple(charts),
        widths={1: 22, 2: 12, 3: 12, 4: 14, 5: 14, 6: 12},
        instead_of=instead_of,
    )


def chase_summary(check: WorkbookCheck, at: datetime) -> tuple[dict[str, Any], Change | None]:
    """催款汇总表 rows per day and agent, plus a 合计 row per day; replaces the sheet's rows."""
    groups: dict[tuple[date, str], list[Record]] = defaultdict(list)
    total = CHASE_SUMMARY.total_agent
    orders = chased_orders(check.rows(C), check.settings, at)
    for record in check.rows(C):
        day = day_of(record[C.chased_at])
        if day is not None:
            groups[(day, record[C.agent] or DAILY.unfilled)].append(record)
            groups[(day, total)].append(record)
    rows = []
    for day, agent in sorted(groups, key=lambda k: (k[0], k[1] == total, k[1])):
        figures = chase_figures(groups[(day, agent)], orders, check.settings)
        rows.append({"date": day.isoformat(), "agent": agent, **figures})
    s = CHASE_SUMMARY
    ledger_rows: list[dict[Column, object]] = [
        {
            s.date: date.fromisoformat(r["date"]),
            s.agent: r["agent"],
            s.to_chase: r["to_chase"],
            s.contacted: r["contacted"],
            s.contact_rate: r["contacted"] / r["to_chase"],
            s.paid: r["paid"],
            s.paid_amount: r["paid_amount"],
            s.success_rate: r["paid"] / r["to_chase"],
            s.closed: r["closed"],
        }
        for r in rows
    ]
    target = check.target(s)
    summary = target.table if target is not None else None
    return (
        {"rows": rows, "excluded_rows": excluded_rows(check, (C,))},
        ledger_change(s, summary, ledger_rows, replace=True, grids=check.grids),
    )
