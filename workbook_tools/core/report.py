"""周报 and 月报: what a lead reports each week and month, every figure beside the period before it.

The figures read the workbook's rows and its archived ones alike, so a long view is the same before and after
archiving. Counts and sums are tallies (core/tallies.py): the archive's database makes its part with GROUP BY
over months of archived rows, and the rows still in the workbook are tallied here the same way. Only the
figures a row's own logic decides (a refund's deadline, a chase's outcome) read archived rows one by one, and
only those of 售后单 and 催款明细表. No dataframe library: the button that makes the tab must not wait for one to
import, and the groupings are plain counts.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from workbook_tools.core.changes import Block, Chart, NewSheet, Style, place
from workbook_tools.core.chase import chased_orders
from workbook_tools.core.deadlines import due
from workbook_tools.core.figures import money_sum
from workbook_tools.core.records import Record, WorkbookCheck
from workbook_tools.core.tallies import Asked, Group, Only, Period, Reading, Tally, counted
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

# Archived rows a report reads one by one: a refund's deadline and a chase's outcome are decided row by row.
# Every other figure is a count or a sum, which the archive's database makes itself (core/tallies.py).
ROWS_READ = (A, C)
REGISTERED = (Tally(S, S.date, (S.filled_by,)), Tally(Q, Q.date, (Q.registered_by,)))
HANDLED = (
    Tally(A, A.handled_at, (A.handler,)),
    Tally(Q, Q.closed_on, (Q.follower,)),
    Tally(P, P.closed_on, (P.follower,)),
)
CALLS = Tally(CALLBACKS, CALLBACKS.date, (CALLBACKS.caller,))
CHECKS = Tally(SPOT_CHECKS, SPOT_CHECKS.date, (SPOT_CHECKS.agent,), (SPOT_CHECKS.score,))
# by 承运商: (loss, recovered) of 质量问题表 and (claimed, recovered) of 物流异常表, and the claims still open
LOSSES = Tally(Q, Q.date, (Q.carrier,), (Q.courier_loss, Q.recovered))
CLAIMS = Tally(P, P.found_on, (P.carrier,), (P.claimed, P.paid))
OPEN_CLAIMS = (
    Tally(Q, Q.date, (Q.carrier,), only=Only(Q.claim_state, OPEN_CLAIM)),
    Tally(P, P.found_on, (P.carrier,), only=Only(P.claim_state, OPEN_CLAIM)),
)
RETURNED = Tally(R, R.date, (R.product, R.return_type), (R.quantity,))
ISSUES = Tally(Q, Q.date, (Q.product, Q.issue_type))
CAUSES = (Tally(REVIEWS, REVIEWS.date, (REVIEWS.reason,)), Tally(DISPUTES, DISPUTES.date, (DISPUTES.dispute_type,)))
REFUNDED = Tally(A, A.refunded_at, only=Only(A.refund))
BY_PERIOD = (*REGISTERED, *HANDLED, CALLS, CHECKS, LOSSES, CLAIMS, *OPEN_CLAIMS, RETURNED, ISSUES, *CAUSES, REFUNDED)


def _order_column(spec: Sheet) -> Column:
    return next(c for c in spec.columns if c.kind is Kind.ID and c.key.startswith("order"))


# a buyer's cases: the rows of one order in one ledger (two products of one parcel) are one case
CASE_TALLIES = tuple(Tally(spec, dated, (buyer, _order_column(spec))) for spec, dated, buyer in CASES)


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


def trend_of(sheet: PeriodSheet, day: date) -> tuple[Period, ...]:
    """The periods the trend shows, oldest first: the one holding `day` last, the one before it next to last."""
    period = period_of(sheet, day)
    return tuple(earlier(sheet, period, n) for n in range(sheet.trend_periods - 1, -1, -1))


def _repeat_window(sheet: PeriodSheet, last: date) -> Period:
    return Period(last - timedelta(days=sheet.repeat_days - 1), last)


def _asked(sheet: PeriodSheet, day: date) -> tuple[Asked, ...]:
    """Every tally a report for `day` makes."""
    trend = trend_of(sheet, day)
    windows = (_repeat_window(sheet, trend[-1].last), _repeat_window(sheet, trend[-2].last))
    return (
        *(Asked(t, trend) for t in BY_PERIOD),
        *(Asked(t, (window,)) for t in CASE_TALLIES for window in windows),
    )


def report_reading(sheet: PeriodSheet, day: date, archived: tuple[Sheet, ...]) -> Reading:
    """The archive a report for `day` needs, given the `archived` ledgers: a ledger whose rows are read is never
    tallied by the database as well (its rows would count twice)."""
    trend = trend_of(sheet, day)
    asked = tuple(a for a in _asked(sheet, day) if a.tally.sheet in archived and a.tally.sheet not in ROWS_READ)
    first = min(trend[0].first, _repeat_window(sheet, trend[-2].last).first)
    return Reading(first, trend[-1].last, tuple(s for s in ROWS_READ if s in archived), asked)


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


class Figures:
    """One report's figures: every tally made once over the trend's periods, the chased orders decided once."""

    def __init__(self, check: WorkbookCheck, sheet: PeriodSheet, day: date, at: datetime) -> None:
        self.check, self.sheet, self.at = check, sheet, at
        self.trend = trend_of(sheet, day)
        self.counts = {asked: counted(check, asked) for asked in _asked(sheet, day)}
        chases = check.rows(C)
        self.orders = chased_orders(chases, check.settings, at)
        self.chase_rows = [[r for r in chases if p.holds(r[C.chased_at])] for p in self.trend]

    def groups(self, t: Tally, index: int) -> Iterator[tuple[tuple[Any, ...], Group]]:
        """The groups of `t` in the trend's period `index` (-1 the last), by their `by` values."""
        index %= len(self.trend)
        for key, group in self.counts[Asked(t, self.trend)].items():
            if key[0] == index:
                yield key[1:], group

    def rows_in(self, spec: Sheet, column: Column, index: int) -> list[Record]:
        period = self.trend[index]
        return [r for r in self.check.rows(spec) if period.holds(r[column])]

    def refunds(self, index: int) -> dict[str, Any]:
        """Refunds paid in the period, how long the buyer waited, and those handled after their deadline."""
        refunded = [r for r in self.rows_in(A, A.refunded_at, index) if r[A.refund] is not None]
        hours = [h for h in map(_hours, refunded) if h is not None]
        follow_up = A.follow_up
        assert follow_up is not None  # 售后单 is followed up: its deadline is declared

        def late(record: Record) -> bool:
            handled = record[A.handled_at] or record[A.refunded_at]
            deadline = due(record, follow_up, self.check.settings)
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

    def chase(self, index: int) -> dict[str, Any]:
        figures = chase_figures(self.chase_rows[index], self.orders, self.check.settings)
        chased = figures["to_chase"]
        return {
            "to_chase": chased,
            "paid": figures["paid"],
            "paid_amount": figures["paid_amount"],
            "contact_rate": round(figures["contacted"] / chased, 4) if chased else None,
            "success_rate": round(figures["paid"] / chased, 4) if chased else None,
        }

    def agents(self, index: int) -> dict[str, dict[str, Any]]:
        """Per agent: rows registered, items handled, overdue items handed over, handovers not acknowledged,
        chasing, 回访 and 抽查."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        scores: dict[str, tuple[int, int]] = {}

        def add(tallies: Iterable[Tally], key: str) -> None:
            for t in tallies:
                for (agent,), group in self.groups(t, index):
                    if agent:
                        counts[agent][key] += group.rows

        add(REGISTERED, "registered")
        add(HANDLED, "handled")
        handovers = self.rows_in(H, H.at, index)
        for r in handovers:
            if r[H.from_agent] and isinstance(r[H.due_at], datetime) and r[H.due_at] < r[H.at]:
                counts[r[H.from_agent]]["overdue"] += 1
            if r[H.to_agent] and r[H.acknowledged_at] is None:
                counts[r[H.to_agent]]["unacknowledged"] += 1
        chase_rows = self.chase_rows[index]
        for agent in {r[C.agent] for r in chase_rows if r[C.agent]}:
            mine = chase_figures([r for r in chase_rows if r[C.agent] == agent], self.orders, self.check.settings)
            counts[agent]["to_chase"] = mine["to_chase"]
            counts[agent]["paid"] = mine["paid"]
        add((CALLS,), "calls")
        add((CHECKS,), "checks")
        for (agent,), group in self.groups(CHECKS, index):
            if agent and group.filled[0]:
                scores[agent] = (group.totals[0], group.filled[0])
        result: dict[str, dict[str, Any]] = {}
        for agent, counted_ in counts.items():
            result[agent] = dict(counted_)
            if agent in scores:
                total, n = scores[agent]
                result[agent]["score"] = round(total / n, 1)
        return result

    def carriers(self, index: int) -> dict[str, dict[str, Any]]:
        """By 承运商: the loss 质量问题表 records, what 物流异常表 claimed, what both recovered, claims still open."""
        unfilled = self.sheet.unfilled
        figures: dict[str, dict[str, Any]] = defaultdict(
            lambda: {"loss": Decimal(0), "claimed": Decimal(0), "recovered": Decimal(0), "open_claims": 0}
        )
        listed: set[str] = set()
        for t, named in ((LOSSES, ("loss", "recovered")), (CLAIMS, ("claimed", "recovered"))):
            for (carrier,), group in self.groups(t, index):
                for name, total, filled in zip(named, group.totals, group.filled, strict=True):
                    if filled:
                        figures[carrier or unfilled][name] += total
                        listed.add(carrier or unfilled)
        for t in OPEN_CLAIMS:
            for (carrier,), group in self.groups(t, index):
                figures[carrier or unfilled]["open_claims"] += group.rows
                listed.add(carrier or unfilled)
        return {
            c: {**f, "loss": float(f["loss"]), "claimed": float(f["claimed"]), "recovered": float(f["recovered"])}
            for c, f in figures.items()
            if c in listed
        }

    def repeat_buyers(self, index: int) -> list[dict[str, Any]]:
        """Buyers with `repeat_cases` or more cases in the `repeat_days` ending on the period's last day."""
        window = (_repeat_window(self.sheet, self.trend[index].last),)
        cases: Counter[str] = Counter()
        for t in CASE_TALLIES:
            for (_, buyer, order), group in self.counts[Asked(t, window)].items():
                if buyer:
                    cases[buyer] += 1 if order else group.rows  # rows without an order: each a case
        found = [(buyer, n) for buyer, n in cases.items() if n >= self.sheet.repeat_cases]
        return [{"buyer_id": b, "cases": n} for b, n in sorted(found, key=lambda item: (-item[1], item[0]))]

    def period(self, index: int) -> dict[str, Any]:
        """The --json figures of one period (its keys are a contract)."""
        agents = self.agents(index)
        carriers = self.carriers(index)
        return {
            "agents": [
                {"agent": agent, **{key: agents[agent].get(key, 0) for key in AGENT_KEYS}}
                for agent in sorted(agents)
                if any(agents[agent].get(key) for key in AGENT_KEYS)
            ],
            "refunds": self.refunds(index),
            "carriers": [
                {
                    "carrier": c,
                    "loss": carriers[c]["loss"],
                    "claimed": carriers[c]["claimed"],
                    "recovered": carriers[c]["recovered"],
                }
                for c in sorted(carriers)
            ],
            "repeat_buyers": self.repeat_buyers(index),
            "chase": self.chase(index),
        }


def period_report(check: WorkbookCheck, sheet: PeriodSheet, day: date, at: datetime) -> tuple[dict[str, Any], NewSheet]:
    """The --json of the period holding `day` and the one before, and the 周报/月报 tab."""
    figures = Figures(check, sheet, day, at)
    period, previous = figures.trend[-1], figures.trend[-2]
    result = {
        "period": sheet.period,
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "previous": {"from": previous.first.isoformat(), "to": previous.last.isoformat()},
        **figures.period(-1),
        "previous_figures": figures.period(-2),
    }
    return result, _report_sheet(figures, result)


def _change(this: Any, last: Any) -> Any:
    """This period's figure less the last one's; none when either has none (no refund, nobody chased)."""
    if isinstance(this, (int, float)) and isinstance(last, (int, float)):
        return round(this - last, 4)
    return None


def _report_sheet(figures: Figures, result: dict[str, Any]) -> NewSheet:
    check, sheet, at = figures.check, figures.sheet, figures.at
    period, previous = figures.trend[-1], figures.trend[-2]
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

    agents_now, agents_before = figures.agents(-1), figures.agents(-2)

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

    carriers_now, carriers_before = figures.carriers(-1), figures.carriers(-2)
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

    by_product: Counter[tuple[Any, Any]] = Counter()
    qty: Counter[tuple[Any, Any]] = Counter()
    for (product, kind), group in figures.groups(RETURNED, -1):
        pair = (product, kind or sheet.unfilled)
        by_product[pair] += group.rows
        qty[pair] += group.totals[0]
    stack.add("returns", [(p, t, n, qty[(p, t)]) for (p, t), n in ranked(by_product)])
    allergy = Counter({p: n for (p, t), n in by_product.items() if t == RETURN_TYPE.ALLERGY})
    stack.add("allergy", [(p, n, qty[(p, RETURN_TYPE.ALLERGY)]) for p, n in ranked(allergy)])
    issues: Counter[tuple[Any, Any]] = Counter()
    for (product, kind), group in figures.groups(ISSUES, -1):
        issues[(product or sheet.unfilled, kind)] += group.rows
    stack.add("issues", [(p, t, n) for (p, t), n in ranked(issues)])

    causes: list[tuple[Any, ...]] = []
    for t in CAUSES:
        now, before = Counter[Any](), Counter[Any]()
        for counter, index in ((now, -1), (before, -2)):
            for (cause,), group in figures.groups(t, index):
                counter[cause or sheet.unfilled] += group.rows
        causes += [(t.sheet.title, c, now[c], before[c]) for c, _ in ranked(now + before)]
    stack.add("causes", causes)
    stack.add("repeat_buyers", [(b["buyer_id"], b["cases"]) for b in this["repeat_buyers"]], (Kind.TEXT,))

    def count(t: Tally, index: int) -> int:
        return sum(group.rows for _, group in figures.groups(t, index))

    trend_rows = [
        (
            p.first.strftime(sheet.label_format),
            count(RETURNED, i),
            count(ISSUES, i),
            count(REFUNDED, i),
            figures.chase(i)["paid"],
        )
        for i, p in enumerate(figures.trend)
    ]
    trend = stack.add("trend", trend_rows, (Kind.TEXT,))
    columns = range(2, len(sheet.tables["trend"][1]) + 1)
    charts.append(stack.line_chart("trend", trend, columns, anchor=(trend[0] - 2, 7)))
    stack.add("excluded", [(source,) for source in excluded_rows(check, REPORT_SHEETS)])
    title, instead_of = place(check.grids, sheet.title, sheet.signature)
    return NewSheet(
        title,
        tuple(blocks + stack.blocks),
        charts=tuple(charts),
        widths={1: 30, 2: 24, 3: 12, 4: 12, 5: 12, 7: 14, 8: 12, 9: 12},
        instead_of=instead_of,
    )
