"""周报 and 月报: what a lead reports each week and month, every figure beside the period before it.

The figures read the workbook's rows and its archived ones alike (`WorkbookCheck.rows`), so a long view is the
same before and after archiving. Plain Python groupings over one period's rows: a period holds hundreds or a few
thousand rows, and the button that makes the tab must not wait for a dataframe library to import.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from workbook_tools.core.changes import Block, Chart, NewSheet, Style, place
from workbook_tools.core.chase import chased_orders
from workbook_tools.core.deadlines import due
from workbook_tools.core.figures import day_of, money_sum
from workbook_tools.core.records import Record, WorkbookCheck
from workbook_tools.core.totals import Tables, chase_figures, excluded_rows, ranked
from workbook_tools.spec.lists import CLAIM_STATE, RETURN_TYPE
from workbook_tools.spec.reports import PeriodSheet
from workbook_tools.spec.sheets import (
    AFTER_SALES,
    CALLBACKS,
    CHASE_DETAIL,
    DISPUTES,
    HANDOVER,
    PARCEL_ISSUES,
    QUALITY,
    RESENDS,
    RETURNS,
    REVIEWS,
    SPOT_CHECKS,
)
from workbook_tools.spec.types import Column, Kind, Sheet

R, S, Q, A, C, H, P = RETURNS, RESENDS, QUALITY, AFTER_SALES, CHASE_DETAIL, HANDOVER, PARCEL_ISSUES
# the ledgers a buyer's case is registered in, by the column that dates it
CASES: tuple[tuple[Sheet, Column, Column], ...] = (
    (R, R.date, R.buyer_id),
    (S, S.date, S.buyer_id),
    (Q, Q.date, Q.buyer_id),
    (A, A.applied_at, A.buyer_id),
    (P, P.found_on, P.buyer_id),
    (REVIEWS, REVIEWS.date, REVIEWS.buyer_id),
    (DISPUTES, DISPUTES.date, DISPUTES.buyer_id),
)
REPORT_SHEETS = (R, S, Q, A, C, H, P, CALLBACKS, SPOT_CHECKS, REVIEWS, DISPUTES)
OPEN_CLAIM = (CLAIM_STATE.TO_CLAIM, CLAIM_STATE.CLAIMING)
AGENT_KEYS = ("registered", "handled", "overdue", "unacknowledged")  # an agent's figures in --json


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    def holds(self, value: object) -> bool:
        day = day_of(value)
        return day is not None and self.first <= day <= self.last


def period_of(sheet: PeriodSheet, day: date) -> Period:
    """The week (Monday to Sunday) or the calendar month that holds `day`."""
    if sheet.period == "week":
        first = day - timedelta(days=day.weekday())
        return Period(first, first + timedelta(days=6))
    first = day.replace(day=1)
    following = (first + timedelta(days=31)).replace(day=1)
    return Period(first, following - timedelta(days=1))


def earlier(sheet: PeriodSheet, period: Period, n: int = 1) -> Period:
    """The period `n` before `period`."""
    for _ in range(n):
        period = period_of(sheet, period.first - timedelta(days=1))
    return period


def report_window(sheet: PeriodSheet, day: date) -> tuple[date, date]:
    """The first and last day a report for `day` reads: its trend and the repeat buyers' days (archived rows too)."""
    period = period_of(sheet, day)
    oldest = earlier(sheet, period, sheet.trend_periods - 1).first
    return min(oldest, period.last - timedelta(days=sheet.repeat_days - 1)), period.last


def _in(check: WorkbookCheck, spec: Sheet, column: Column, period: Period) -> list[Record]:
    return [r for r in check.rows(spec) if period.holds(r[column])]


def _money(values: Iterable[object]) -> float:
    return float(money_sum(values))


def quantile(values: list[float], q: float) -> float | None:
    """The q-quantile, interpolated between the two nearest values (as spreadsheets' PERCENTILE.INC does)."""
    if not values:
        return None
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _hours(record: Record) -> float | None:
    applied, refunded = record[A.applied_at], record[A.refunded_at]
    if not isinstance(applied, datetime) or not isinstance(refunded, datetime):
        return None
    return (refunded - applied).total_seconds() / 3600


def _refund_figures(check: WorkbookCheck, period: Period) -> dict[str, Any]:
    """Refunds paid in the period, how long the buyer waited, and those handled after their deadline."""
    refunded = [r for r in _in(check, A, A.refunded_at, period) if r[A.refund] is not None]
    hours = [h for h in map(_hours, refunded) if h is not None]
    follow_up = A.follow_up
    assert follow_up is not None  # 售后单 is followed up: its deadline is declared

    def late(record: Record) -> bool:
        handled = record[A.handled_at] or record[A.refunded_at]
        deadline = due(record, follow_up, check.settings)
        return isinstance(handled, datetime) and deadline is not None and handled > deadline

    median = statistics.median(hours) if hours else None
    p90 = quantile(hours, 0.9)
    return {
        "count": len(refunded),
        "amount": _money(r[A.refund] for r in refunded),
        "median_hours": None if median is None else round(median, 2),
        "p90_hours": None if p90 is None else round(p90, 2),
        "timed_out": sum(map(late, refunded)),
    }


def _chase(check: WorkbookCheck, period: Period, at: datetime) -> dict[str, Any]:
    orders = chased_orders(check.rows(C), check.settings, at)
    figures = chase_figures(_in(check, C, C.chased_at, period), orders, check.settings)
    chased = figures["to_chase"]
    return {
        "to_chase": chased,
        "paid": figures["paid"],
        "paid_amount": figures["paid_amount"],
        "contact_rate": round(figures["contacted"] / chased, 4) if chased else None,
        "success_rate": round(figures["paid"] / chased, 4) if chased else None,
    }


def _agent_counts(check: WorkbookCheck, period: Period, at: datetime) -> dict[str, dict[str, Any]]:
    """Per agent: rows registered, items handled, overdue items handed over, handovers not acknowledged, chasing,
    回访 and 抽查."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, list[int]] = defaultdict(list)

    def tally(rows: Iterable[Record], who: Column, key: str) -> None:
        for r in rows:
            if r[who]:
                counts[r[who]][key] += 1

    tally(_in(check, S, S.date, period), S.filled_by, "registered")
    tally(_in(check, Q, Q.date, period), Q.registered_by, "registered")
    tally(_in(check, A, A.handled_at, period), A.handler, "handled")
    tally(_in(check, Q, Q.closed_on, period), Q.follower, "handled")
    tally(_in(check, P, P.closed_on, period), P.follower, "handled")
    handovers = _in(check, H, H.at, period)
    tally(
        (r for r in handovers if isinstance(r[H.due_at], datetime) and r[H.due_at] < r[H.at]), H.from_agent, "overdue"
    )
    tally((r for r in handovers if r[H.acknowledged_at] is None), H.to_agent, "unacknowledged")
    chase_rows = _in(check, C, C.chased_at, period)
    orders = chased_orders(check.rows(C), check.settings, at)
    for agent in {r[C.agent] for r in chase_rows if r[C.agent]}:
        mine = chase_figures([r for r in chase_rows if r[C.agent] == agent], orders, check.settings)
        counts[agent]["to_chase"] = mine["to_chase"]
        counts[agent]["paid"] = mine["paid"]
    tally(_in(check, CALLBACKS, CALLBACKS.date, period), CALLBACKS.caller, "calls")
    for r in _in(check, SPOT_CHECKS, SPOT_CHECKS.date, period):
        if r[SPOT_CHECKS.agent]:
            counts[r[SPOT_CHECKS.agent]]["checks"] += 1
            if r[SPOT_CHECKS.score] is not None:
                scores[r[SPOT_CHECKS.agent]].append(r[SPOT_CHECKS.score])
    result: dict[str, dict[str, Any]] = {}
    for agent, counted in counts.items():
        result[agent] = dict(counted)
        if scores[agent]:
            result[agent]["score"] = round(statistics.fmean(scores[agent]), 1)
    return result


def _carrier_figures(check: WorkbookCheck, period: Period, unfilled: str) -> dict[str, dict[str, Any]]:
    """By 承运商: the loss 质量问题表 records, what 物流异常表 claimed, what both recovered, claims still open."""
    loss: dict[str, Decimal] = defaultdict(Decimal)
    claimed: dict[str, Decimal] = defaultdict(Decimal)
    recovered: dict[str, Decimal] = defaultdict(Decimal)
    open_claims: Counter[str] = Counter()
    quality, parcels = _in(check, Q, Q.date, period), _in(check, P, P.found_on, period)
    for r in quality:
        carrier = r[Q.carrier] or unfilled
        if r[Q.courier_loss] is not None:
            loss[carrier] += r[Q.courier_loss]
        if r[Q.recovered] is not None:
            recovered[carrier] += r[Q.recovered]
        open_claims[carrier] += r[Q.claim_state] in OPEN_CLAIM
    for r in parcels:
        carrier = r[P.carrier] or unfilled
        if r[P.claimed] is not None:
            claimed[carrier] += r[P.claimed]
        if r[P.paid] is not None:
            recovered[carrier] += r[P.paid]
        open_claims[carrier] += r[P.claim_state] in OPEN_CLAIM
    carriers = set(loss) | set(claimed) | set(recovered) | {c for c, n in open_claims.items() if n}
    return {
        c: {
            "loss": float(loss[c]),
            "claimed": float(claimed[c]),
            "recovered": float(recovered[c]),
            "open_claims": open_claims[c],
        }
        for c in carriers
    }


def repeat_buyers(check: WorkbookCheck, last: date, sheet: PeriodSheet) -> list[dict[str, Any]]:
    """Buyers with `repeat_cases` or more cases in the `repeat_days` ending on `last`: a case is a row of a case
    ledger, and the rows of one order in one ledger (two products of one parcel) are one case."""
    window = Period(last - timedelta(days=sheet.repeat_days - 1), last)
    cases: dict[str, set[tuple[str, object]]] = defaultdict(set)
    for spec, dated, buyer in CASES:
        order = next(c for c in spec.columns if c.kind is Kind.ID and c.key.startswith("order"))
        for r in check.rows(spec):
            if r[buyer] and window.holds(r[dated]):
                cases[r[buyer]].add((spec.key, r[order] or (r.row, id(r))))
    found = [(buyer, len(c)) for buyer, c in cases.items() if len(c) >= sheet.repeat_cases]
    return [{"buyer_id": b, "cases": n} for b, n in sorted(found, key=lambda item: (-item[1], item[0]))]


def period_figures(check: WorkbookCheck, sheet: PeriodSheet, period: Period, at: datetime) -> dict[str, Any]:
    """The --json figures of one period (its keys are a contract)."""
    agents = _agent_counts(check, period, at)
    carriers = _carrier_figures(check, period, sheet.unfilled)
    return {
        "agents": [
            {"agent": agent, **{key: agents[agent].get(key, 0) for key in AGENT_KEYS}}
            for agent in sorted(agents)
            if any(agents[agent].get(key) for key in AGENT_KEYS)
        ],
        "refunds": _refund_figures(check, period),
        "carriers": [
            {
                "carrier": c,
                "loss": carriers[c]["loss"],
                "claimed": carriers[c]["claimed"],
                "recovered": carriers[c]["recovered"],
            }
            for c in sorted(carriers)
        ],
        "repeat_buyers": repeat_buyers(check, period.last, sheet),
        "chase": _chase(check, period, at),
    }


def period_report(check: WorkbookCheck, sheet: PeriodSheet, day: date, at: datetime) -> tuple[dict[str, Any], NewSheet]:
    """The --json of the period holding `day` and the one before, and the 周报/月报 tab."""
    period = period_of(sheet, day)
    previous = earlier(sheet, period)
    result = {
        "period": sheet.period,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "previous": {"from": previous.first.isoformat(), "to": previous.last.isoformat()},
        **period_figures(check, sheet, period, at),
        "previous_figures": period_figures(check, sheet, previous, at),
    }
    return result, _report_sheet(check, sheet, result, period, previous, at)


def _change(this: Any, last: Any) -> Any:
    """This period's figure less the last one's; none when either has none (no refund, nobody chased)."""
    if isinstance(this, (int, float)) and isinstance(last, (int, float)):
        return round(this - last, 4)
    return None


def _report_sheet(
    check: WorkbookCheck, sheet: PeriodSheet, result: dict[str, Any], period: Period, previous: Period, at: datetime
) -> NewSheet:
    this, last = result, result["previous_figures"]
    label = sheet.overview
    blocks: list[Block] = [
        Block(1, 1, ((sheet.heading(period.first.isoformat(), period.last.isoformat()),),), style=Style.TITLE),
        Block(
            2,
            1,
            ((sheet.note(f"{at:%Y-%m-%d %H:%M}", previous.first.isoformat(), previous.last.isoformat()),),),
            style=Style.NOTE,
        ),
        Block(4, 1, (sheet.compare_header,), style=Style.HEADER),
    ]

    def line(key: str, now: Any, before: Any) -> tuple[Any, ...]:
        return (label[key], now, before, _change(now, before))

    def figure(key: str, group: str, name: str) -> tuple[Any, ...]:
        return line(key, this[group][name], last[group][name])

    # rows of one number format go in one block: a click writes each block in a few calls
    overview: tuple[tuple[Kind | None, tuple[tuple[Any, ...], ...]], ...] = (
        (
            None,
            (
                figure("refunds", "refunds", "count"),
                figure("timed_out", "refunds", "timed_out"),
                figure("median_hours", "refunds", "median_hours"),
                figure("p90_hours", "refunds", "p90_hours"),
                figure("to_chase", "chase", "to_chase"),
                figure("paid", "chase", "paid"),
                line("repeat_buyers", len(this["repeat_buyers"]), len(last["repeat_buyers"])),
            ),
        ),
        (Kind.MONEY, (figure("refund_amount", "refunds", "amount"), figure("paid_amount", "chase", "paid_amount"))),
        (Kind.RATE, (figure("contact_rate", "chase", "contact_rate"), figure("success_rate", "chase", "success_rate"))),
    )
    row = 5
    for kind, rows in overview:
        blocks.append(Block(row, 1, rows, (None, kind, kind, kind)))
        row += len(rows)
    blocks.append(Block(row, 1, ((sheet.no_orders,),), style=Style.NOTE))
    stack = Tables(row + 2, sheet.tables, sheet.none)
    charts: list[Chart] = []

    agents_now, agents_before = _agent_counts(check, period, at), _agent_counts(check, previous, at)

    def agent_figure(counts: dict[str, Any], key: str) -> Any:
        return counts.get(key, None if key == "score" else 0)  # no 抽查 has no score, not a score of 0

    agent_rows = [
        (agent, text, (now), (before), _change(now, before))
        for agent in sorted(set(agents_now) | set(agents_before))
        for key, text in sheet.agent_figures.items()
        for now, before in (
            (agent_figure(agents_now.get(agent, {}), key), agent_figure(agents_before.get(agent, {}), key)),
        )
    ]
    stack.add("agents", agent_rows)

    carriers_now = _carrier_figures(check, period, sheet.unfilled)
    carriers_before = _carrier_figures(check, previous, sheet.unfilled)
    names = sorted(set(carriers_now) | set(carriers_before), key=lambda c: (-carriers_now.get(c, {}).get("loss", 0), c))
    empty = dict.fromkeys(sheet.carrier_figures, 0)
    carrier_rows = [
        (carrier, text, now[key], before[key], _change(now[key], before[key]))
        for carrier in names
        for now, before in ((carriers_now.get(carrier, empty), carriers_before.get(carrier, empty)),)
        for key, text in sheet.carrier_figures.items()
    ]
    stack.add("carriers", carrier_rows)
    # the loss-by-carrier bar: one row per carrier, this period beside the last
    loss_rows = [(c, carriers_now.get(c, empty)["loss"], carriers_before.get(c, empty)["loss"]) for c in names]
    if loss_rows:
        chart_first = 5
        # the chart's data, plain beside the overview (a styled header would cost a click a dozen more calls)
        loss_header = (sheet.carrier_figures["loss"], *sheet.chart_series)
        blocks.append(Block(chart_first - 1, 7, (loss_header, *loss_rows), (None, Kind.MONEY, Kind.MONEY)))
        last_row = chart_first + len(loss_rows) - 1
        charts.append(
            Chart(
                kind="column",
                title=f"{sheet.carrier_figures['loss']}（按{R.carrier.header}）",
                categories=(chart_first, 7, last_row, 7),
                series=tuple(
                    (name, (chart_first, col, last_row, col))
                    for name, col in zip(sheet.chart_series, (8, 9), strict=True)
                ),
                anchor=(last_row + 2, 7),
            )
        )

    returns = _in(check, R, R.date, period)
    by_product: Counter[tuple[Any, Any]] = Counter()
    qty: Counter[tuple[Any, Any]] = Counter()
    for r in returns:
        pair = (r[R.product], r[R.return_type] or sheet.unfilled)
        by_product[pair] += 1
        qty[pair] += r[R.quantity] or 0
    stack.add("returns", [(p, t, n, qty[(p, t)]) for (p, t), n in ranked(by_product)])
    allergy = Counter(r[R.product] for r in returns if r[R.return_type] == RETURN_TYPE.ALLERGY)
    allergy_qty: Counter[Any] = Counter()
    for r in returns:
        if r[R.return_type] == RETURN_TYPE.ALLERGY:
            allergy_qty[r[R.product]] += r[R.quantity] or 0
    stack.add("allergy", [(p, n, allergy_qty[p]) for p, n in ranked(allergy)])
    issues = Counter((r[Q.product] or sheet.unfilled, r[Q.issue_type]) for r in _in(check, Q, Q.date, period))
    stack.add("issues", [(p, t, n) for (p, t), n in ranked(issues)])

    def by_cause(spec: Sheet, dated: Column, cause: Column) -> list[tuple[Any, ...]]:
        now = Counter(r[cause] or sheet.unfilled for r in _in(check, spec, dated, period))
        before = Counter(r[cause] or sheet.unfilled for r in _in(check, spec, dated, previous))
        return [(spec.title, c, now[c], before[c]) for c, _ in ranked(now + before)]

    causes = by_cause(REVIEWS, REVIEWS.date, REVIEWS.reason) + by_cause(DISPUTES, DISPUTES.date, DISPUTES.dispute_type)
    stack.add("causes", causes)
    stack.add("repeat_buyers", [(b["buyer_id"], b["cases"]) for b in this["repeat_buyers"]], (Kind.TEXT,))

    trend = [earlier(sheet, period, n) for n in range(sheet.trend_periods - 1, -1, -1)]
    counters: tuple[Callable[[Period], int], ...] = (
        lambda p: len(_in(check, R, R.date, p)),
        lambda p: len(_in(check, Q, Q.date, p)),
        lambda p: sum(r[A.refund] is not None for r in _in(check, A, A.refunded_at, p)),
        lambda p: _chase(check, p, at)["paid"],
    )
    trend_rows = [(p.first.strftime(sheet.label_format), *(count(p) for count in counters)) for p in trend]
    first, last_row = stack.add("trend", trend_rows, (Kind.TEXT,))
    header = sheet.tables["trend"][1]
    charts.append(
        Chart(
            kind="line",
            title=sheet.tables["trend"][0],
            categories=(first, 1, last_row, 1),
            series=tuple((header[col - 1], (first, col, last_row, col)) for col in range(2, len(header) + 1)),
            anchor=(first - 2, 7),
        )
    )
    stack.add("excluded", [(source,) for source in excluded_rows(check, REPORT_SHEETS)])
    title, instead_of = place(check.grids, sheet.title, sheet.signature)
    return NewSheet(
        title,
        tuple(blocks + stack.blocks),
        charts=tuple(charts),
        widths={1: 30, 2: 24, 3: 12, 4: 12, 5: 12, 7: 14, 8: 12, 9: 12},
        instead_of=instead_of,
    )
