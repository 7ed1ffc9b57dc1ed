"""周报 and 月报: every figure against a count made here from the raw rows, the --json contract, the tab as written,
and the same figures before and after archiving."""

from __future__ import annotations

import json
import statistics
import zipfile
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import openpyxl
import pytest

from workbook_tools.spec.reports import MONTHLY, PERIODS

from conftest import demo_workbook, run, write_xlsx

DAY = date(2026, 11, 19)  # a Thursday: its week runs from Monday 11-16 to Sunday 11-22
AT = datetime(2026, 11, 23, 9, 0)
WEEK = (date(2026, 11, 16), date(2026, 11, 22))
LAST_WEEK = (date(2026, 11, 9), date(2026, 11, 15))
UNSHIPPED_REFUND = timedelta(days=2)  # 003 第四章: an unshipped refund the seller leaves alone is agreed in 2 days


def t(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute)


class Request(NamedTuple):
    number: str
    order: str
    buyer: str
    shipping: str
    applied: datetime
    state: str
    given_due: datetime | None
    handler: str | None
    handled: datetime | None
    refund: float | None
    refunded: datetime | None


REQUESTS = [
    Request("RF1", "SO1", "b3", "未发货", t(16, 9), "已退款", None, "小美", t(16, 20), 50, t(16, 21)),
    Request("RF2", "SO2", "b4", "未发货", t(15, 10), "已退款", None, "阿强", t(18, 9), 30.5, t(18, 10)),
    Request("RF3", "SO3", "b5", "已发货", t(17, 8), "已退款", t(20, 12), "小美", t(20, 13), 100, t(20, 14)),
    Request("RF4", "SO4", "b6", "未发货", t(10, 9), "已退款", None, "阿强", t(10, 12), 20, t(11, 9)),
    Request("RF5", "SO5", "b6", "未发货", t(20, 9), "待处理", None, None, None, None, None),
    Request("RF6", "SO6", "b7", "未发货", t(22, 9), "已退款", None, "莉莉", t(22, 10), 10, t(23, 8)),
]


class Chase(NamedTuple):
    placed: datetime
    buyer: str
    order: str
    amount: float
    chased: datetime
    agent: str
    answer: str
    result: str


CHASES = [
    Chase(t(16, 20), "c1", "41001", 89, t(17, 10), "小美", "本人接听", "已付款"),
    Chase(t(17, 21), "c2", "41002", 50, t(18, 10), "小美", "未接通", "未付款"),
    Chase(t(18, 22), "c3", "41003", 120, t(19, 11), "阿强", "非本人接听", "已付款"),
    Chase(t(9, 22), "c4", "41004", 60, t(10, 11), "阿强", "本人接听", "未付款"),
]
CONTACTED = ("本人接听", "非本人接听")  # 设置's 计入已联系 by default


class Handed(NamedTuple):
    due: datetime | None
    sender: str
    receiver: str
    at: datetime
    acknowledged: datetime | None


HANDOVERS = [
    Handed(t(17, 12), "小美", "阿强", t(17, 18), None),
    Handed(t(19, 12), "阿强", "小美", t(18, 18), t(18, 18, 5)),
    Handed(t(12, 10), "阿强", "小美", t(12, 18), None),
]


class Issue(NamedTuple):
    day: date
    by: str
    buyer: str
    order: str
    carrier: str
    loss: float | None
    recovered: float | None
    claim: str | None
    state: str
    closed: date | None
    follower: str | None


ISSUES = [
    Issue(date(2026, 11, 18), "小美", "b8", "SO20", "顺丰速运", 40, 10, "已赔付", "已结案", date(2026, 11, 19), "阿强"),
    Issue(date(2026, 11, 20), "阿强", "b9", "SO21", "中通快递", 25.5, None, "索赔中", "处理中", None, None),
    Issue(date(2026, 11, 11), "小美", "b9", "SO22", "顺丰速运", 15, None, None, "处理中", None, None),
]


class Parcel(NamedTuple):
    day: date
    tracking: str
    carrier: str
    order: str
    buyer: str
    problem: str
    claim: str | None
    claimed: float | None
    paid: float | None
    state: str
    closed: date | None


PARCELS = [
    Parcel(date(2026, 11, 19), "YT1", "中通快递", "SO30", "b10", "丢件", "索赔中", 60, None, "处理中", None),
    Parcel(date(2026, 11, 21), "SF9", "顺丰速运", "SO31", "b3", "破损", "已赔付", 20, 20, "已结案", date(2026, 11, 22)),
]


class Return(NamedTuple):
    day: date
    tracking: str
    buyer: str
    order: str
    kind: str
    product: str
    qty: int


RETURNS = [
    Return(date(2026, 11, 1), "SF50", "b1", "SO50", "过敏", "紧致眼霜 15g", 1),
    Return(date(2026, 11, 20), "SF51", "b1", "SO51", "过敏", "紧致眼霜 15g", 2),
    Return(date(2026, 11, 20), "SF51", "b1", "SO51", "客户原因", "温和卸妆水 500ml", 1),  # one parcel, one case
    Return(date(2026, 10, 20), "SF52", "b2", "SO52", "客户原因", "温和卸妆水 500ml", 1),
    Return(date(2026, 11, 21), "SF53", "b2", "SO53", "快递原因", "温和卸妆水 500ml", 1),
    Return(date(2026, 11, 19), "SF54", "b3", "SO54", "过敏", "氨基酸洗面奶 100g", 3),
    Return(date(2026, 11, 13), "SF55", "b9", "SO55", "发货问题", "紧致眼霜 15g", 1),
]
RESENDS = [(date(2026, 11, 16), "小美", "b11", "SO60"), (date(2026, 11, 13), "莉莉", "b11", "SO61")]
# (day, buyer, order, cause): 评价表's 原因 and 投诉维权表's 纠纷类型
REVIEWS = [
    (date(2026, 11, 17), "b12", "SO70", "快递"),
    (date(2026, 11, 18), "b13", "SO71", "快递"),
    (date(2026, 11, 20), "b14", "SO72", "质量"),
    (date(2026, 11, 10), "b15", "SO73", "服务"),
]
DISPUTES = [(date(2026, 11, 21), "b12", "SO74", "物流"), (date(2026, 11, 14), "b16", "SO75", "产品")]
CALLS = [(date(2026, 11, 17), "莉莉"), (date(2026, 11, 18), "莉莉"), (date(2026, 11, 12), "小美")]
CHECKS = [(date(2026, 11, 18), "莉莉", 2, 80), (date(2026, 11, 19), "莉莉", 3, 91), (date(2026, 11, 13), "小美", 4, 70)]


def workbook(path: Path) -> Path:
    request_header = ["平台", "售后单号", "订单编号", "买家ID", "售后类型", "发货状态", "申请时间", "状态"]
    request_header += ["平台超时时间", "处理人", "处理时间", "退款金额", "退款时间"]
    return write_xlsx(
        path,
        {
            "售后单": [
                request_header,
                *[["淘宝", r.number, r.order, r.buyer, "仅退款", *r[3:]] for r in REQUESTS],
            ],
            "催款明细表": [
                [
                    "拍下时间",
                    "买家ID",
                    "订单编号",
                    "订单金额",
                    "催款时间",
                    "催款人",
                    "催款方式",
                    "接听情况",
                    "催款结果",
                ],
                *[[*c[:6], "电话", *c[6:]] for c in CHASES],
            ],
            "交接表": [
                ["买家ID", "截止时间", "交接处理", "交接人", "承接人", "时间", "状态", "确认时间"],
                *[["b", h.due, "跟进", h.sender, h.receiver, h.at, "待处理", h.acknowledged] for h in HANDOVERS],
            ],
            "质量问题表": [
                [
                    "日期",
                    "登记人",
                    "客户ID",
                    "订单编码",
                    "产品名称",
                    "问题类型",
                    "承运商",
                    "快递损失费用",
                    "理赔到账金额",
                    "索赔状态",
                    "状态",
                    "结案日期",
                    "跟进人",
                ],
                *[[i.day, i.by, i.buyer, i.order, "紧致眼霜 15g", "漏液", *i[4:]] for i in ISSUES],
            ],
            "物流异常表": [
                [
                    "发现日期",
                    "物流单号",
                    "承运商",
                    "订单编号",
                    "买家ID",
                    "异常类型",
                    "索赔状态",
                    "索赔金额",
                    "理赔到账金额",
                    "状态",
                    "结案日期",
                    "处理方案",
                ],
                *[[*p, "重发"] for p in PARCELS],
            ],
            "退件表": [
                ["日期", "物流单号", "ID号", "订单编码", "退回类型", "产品名称", "数量", "处理结果"],
                *[[*r, "已退款"] for r in RETURNS],
            ],
            "评价表": [
                ["日期", "买家ID", "订单编号", "评价类型", "原因", "状态"],
                *[[d, b, o, "差评", cause, "处理中"] for d, b, o, cause in REVIEWS],
            ],
            "投诉维权表": [
                ["日期", "平台", "维权单号", "订单编号", "买家ID", "纠纷类型", "状态"],
                *[[d, "淘宝", f"WQ{o}", o, b, kind, "处理中"] for d, b, o, kind in DISPUTES],
            ],
            "回访表": [
                ["回访日期", "买家ID", "回访类型", "回访人"],
                *[[d, f"v{n}", "收货后回访", who] for n, (d, who) in enumerate(CALLS)],
            ],
            "回访抽查表": [
                ["抽查日期", "被抽查人", "抽查的回访", "评分"],
                *[[d, who, f"回访表!{row}", score] for d, who, row, score in CHECKS],
            ],
            "重发单": [
                ["日期", "填写人", "客户ID", "原订单编码", "产品名称", "数量", "发件原因", "新物流单号"],
                *[[*s, "紧致眼霜 15g", 1, "破损补发", "YT9"] for s in RESENDS],
            ],
        },
    )


def within(value: date | datetime | None, period: tuple[date, date]) -> bool:
    if value is None:
        return False
    day = value.date() if isinstance(value, datetime) else value
    return period[0] <= day <= period[1]


def expected(period: tuple[date, date]) -> dict[str, Any]:
    """Each figure counted here, from the rows above and the rules written out."""
    agents: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(AGENT_KEYS, 0))
    for s in RESENDS:
        if within(s[0], period):
            agents[s[1]]["registered"] += 1
    for i in ISSUES:
        if within(i.day, period):
            agents[i.by]["registered"] += 1
        if within(i.closed, period) and i.follower:
            agents[i.follower]["handled"] += 1
    for r in REQUESTS:
        if within(r.handled, period) and r.handler:
            agents[r.handler]["handled"] += 1
    for h in HANDOVERS:
        if within(h.at, period):
            agents[h.sender]["overdue"] += h.due is not None and h.due < h.at
            agents[h.receiver]["unacknowledged"] += h.acknowledged is None
    refunded = [r for r in REQUESTS if within(r.refunded, period) and r.refund is not None]
    hours = [(r.refunded - r.applied) / timedelta(hours=1) for r in refunded]

    def late(r: Request) -> bool:
        return r.handled > (r.given_due or r.applied + UNSHIPPED_REFUND)

    carriers: dict[str, dict[str, float]] = defaultdict(lambda: {"loss": 0.0, "claimed": 0.0, "recovered": 0.0})
    for i in ISSUES:
        if within(i.day, period):
            carriers[i.carrier]["loss"] += i.loss or 0
            carriers[i.carrier]["recovered"] += i.recovered or 0
    for p in PARCELS:
        if within(p.day, period):
            carriers[p.carrier]["claimed"] += p.claimed or 0
            carriers[p.carrier]["recovered"] += p.paid or 0
    cases: dict[str, set[tuple[str, str]]] = defaultdict(set)
    window = (period[1] - timedelta(days=29), period[1])
    for ledger, rows in (
        ("returns", [(r.day, r.buyer, r.order) for r in RETURNS]),
        ("requests", [(r.applied, r.buyer, r.order) for r in REQUESTS]),
        ("issues", [(i.day, i.buyer, i.order) for i in ISSUES]),
        ("parcels", [(p.day, p.buyer, p.order) for p in PARCELS]),
        ("resends", [(s[0], s[2], s[3]) for s in RESENDS]),
        ("reviews", [(d, b, o) for d, b, o, _ in REVIEWS]),
        ("disputes", [(d, b, o) for d, b, o, _ in DISPUTES]),
    ):
        for day, buyer, order in rows:
            if within(day, window):
                cases[buyer].add((ledger, order))
    chases = [c for c in CHASES if within(c.chased, period)]
    paid = [c for c in chases if c.result == "已付款"]
    contacted = sum(c.answer in CONTACTED for c in chases)
    return {
        "agents": [{"agent": a, **agents[a]} for a in sorted(agents)],
        "refunds": {
            "count": len(refunded),
            "amount": float(sum(r.refund for r in refunded)),
            "median_hours": round(statistics.median(hours), 2) if hours else None,
            "p90_hours": round(statistics.quantiles(hours, n=10, method="inclusive")[8], 2)
            if len(hours) > 1
            else round(hours[0], 2)
            if hours
            else None,
            "timed_out": sum(map(late, refunded)),
        },
        "carriers": [{"carrier": c, **carriers[c]} for c in sorted(carriers)],
        "repeat_buyers": [{"buyer_id": b, "cases": n} for b, n in _ranked_cases(cases) if n >= 2],
        "chase": {
            "to_chase": len(chases),
            "paid": len(paid),
            "paid_amount": float(sum(c.amount for c in paid)),
            "contact_rate": round(contacted / len(chases), 4) if chases else None,
            "success_rate": round(len(paid) / len(chases), 4) if chases else None,
        },
    }


AGENT_KEYS = ("registered", "handled", "overdue", "unacknowledged")


def _ranked_cases(cases: dict[str, set[tuple[str, str]]]) -> list[tuple[str, int]]:
    return sorted(((b, len(c)) for b, c in cases.items()), key=lambda i: (-i[1], i[0]))


def report(path: Path, *more: object) -> dict[str, Any]:
    result = run("report", path, "--period", "week", "--date", DAY, "--at", f"{AT:%Y-%m-%d %H:%M}", "--json", *more)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The week's report, written once into a copy of the workbook (the tests below read it)."""
    folder = tmp_path_factory.mktemp("report")
    path = workbook(folder / "team.xlsx")
    assert run("validate", path).exit_code == 0  # every row counts: none is left out for an error
    out = folder / "out.xlsx"
    return out, report(path, "--out", out)


def test_the_week_runs_monday_to_sunday_around_the_date_and_the_previous_week_before_it(written):
    _, result = written
    assert result["period"] == "week"
    assert (result["from"], result["to"]) == tuple(d.isoformat() for d in WEEK)
    assert result["previous"] == {"from": LAST_WEEK[0].isoformat(), "to": LAST_WEEK[1].isoformat()}


def test_every_figure_of_the_week_and_the_week_before_matches_a_count_made_here(written):
    _, result = written
    this = {key: result[key] for key in ("agents", "refunds", "carriers", "repeat_buyers", "chase")}
    assert this == expected(WEEK)
    assert result["previous_figures"] == expected(LAST_WEEK)
    # the rows above do exercise what they are meant to
    assert this["refunds"]["timed_out"] == 2 and this["refunds"]["count"] == 3
    assert {b["buyer_id"] for b in this["repeat_buyers"]} >= {"b1", "b3"}
    assert "b2" not in {b["buyer_id"] for b in this["repeat_buyers"]}  # its first case is 32 days before


def test_the_json_keys_are_a_contract(written):
    _, result = written
    figures = {"agents", "refunds", "carriers", "repeat_buyers", "chase"}
    assert set(result) == {"period", "from", "to", "previous", "previous_figures"} | figures
    assert set(result["previous"]) == {"from", "to"}
    for figures_of in (result, result["previous_figures"]):
        assert set(figures_of) >= figures
        assert all(
            set(a) == {"agent", "registered", "handled", "overdue", "unacknowledged"} for a in figures_of["agents"]
        )
        assert set(figures_of["refunds"]) == {"count", "amount", "median_hours", "p90_hours", "timed_out"}
        assert all(set(c) == {"carrier", "loss", "claimed", "recovered"} for c in figures_of["carriers"])
        assert all(set(b) == {"buyer_id", "cases"} for b in figures_of["repeat_buyers"])
        assert set(figures_of["chase"]) == {"to_chase", "paid", "paid_amount", "contact_rate", "success_rate"}
    assert set(result["previous_figures"]) == figures
    assert result["agents"] and result["carriers"] and result["repeat_buyers"]


def _values(path: Path, sheet: str) -> list[list[Any]]:
    book = openpyxl.load_workbook(path)
    return [list(row) for row in book[sheet].iter_rows(values_only=True)]


def test_the_tab_shows_each_figure_beside_the_previous_week_and_its_change_and_leaves_the_ledgers_alone(
    written, tmp_path
):
    out, result = written
    rows = _values(out, "周报")
    assert rows[3][:4] == ["指标", "本周", "上周", "变化"]
    by_label = {r[0]: r[1:4] for r in rows if r[0]}
    now, before = result["refunds"], result["previous_figures"]["refunds"]
    assert by_label["退款笔数"] == [now["count"], before["count"], now["count"] - before["count"]]
    assert by_label["超时处理的退款（笔）"] == [
        now["timed_out"],
        before["timed_out"],
        now["timed_out"] - before["timed_out"],
    ]
    chase, chase_before = result["chase"], result["previous_figures"]["chase"]
    assert by_label["催回金额（元）"] == [chase["paid_amount"], chase_before["paid_amount"], 209 - 0]
    assert by_label["联系率"][:2] == [chase["contact_rate"], chase_before["contact_rate"]]
    # per agent and per carrier: one row per figure, this week, last week, the change
    agent_rows = {(r[0], r[1]): r[2:5] for r in rows if r[0] in {"小美", "阿强", "莉莉"}}
    for agent in result["agents"]:
        assert agent_rows[(agent["agent"], "交接时已超时")][0] == agent["overdue"]
    assert agent_rows[("阿强", "交接未确认")] == [1, 0, 1]
    carrier_rows = {(r[0], r[1]): r[2:5] for r in rows if r[0] in {"顺丰速运", "中通快递"}}
    assert carrier_rows[("顺丰速运", "快递损失费用")] == [40, 15, 25]
    assert carrier_rows[("中通快递", "未完成索赔（待索赔、索赔中）")] == [2, 0, 2]
    # two charts: the loss by carrier and the weekly trend
    with zipfile.ZipFile(out) as package:
        charts = [n for n in package.namelist() if n.startswith("xl/charts/chart")]
        kinds = sorted("barChart" if b"<c:barChart>" in package.read(n) else "lineChart" for n in charts)
    assert kinds == ["barChart", "lineChart"]
    # the ledgers are as they were, and a second run replaces the tab
    source = out.with_name("team.xlsx")
    for sheet in openpyxl.load_workbook(source).sheetnames:
        assert _values(out, sheet) == _values(source, sheet), sheet
    again = report(out, "--out", tmp_path / "again.xlsx")
    assert again == result
    names = openpyxl.load_workbook(tmp_path / "again.xlsx").sheetnames
    assert names.count("周报") == 1 and len(names) == len(openpyxl.load_workbook(out).sheetnames)


def _table(rows: list[list[Any]], title: str, width: int) -> list[tuple[Any, ...]]:
    """The body of a breakdown table of the tab: the rows after its title and header, up to the blank row."""
    start = next(n for n, r in enumerate(rows) if r[0] == title) + 2
    body = []
    for row in rows[start:]:
        if row[0] is None:
            break
        body.append(tuple(row[:width]))
    return body


def test_the_tabs_breakdowns_match_counts_made_here(written):
    out, _ = written
    rows = _values(out, "周报")
    week_returns = [r for r in RETURNS if within(r.day, WEEK)]
    pairs: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in week_returns:
        pairs[(r.product, r.kind)][0] += 1
        pairs[(r.product, r.kind)][1] += r.qty
    by_product = sorted(((p, k, n, q) for (p, k), (n, q) in pairs.items()), key=lambda x: (-x[2], str((x[0], x[1]))))
    assert sorted(_table(rows, "退件按产品和退回类型（本周）", 4)) == sorted(by_product)
    allergy: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for r in week_returns:
        if r.kind == "过敏":
            allergy[r.product][0] += 1
            allergy[r.product][1] += r.qty
    assert sorted(_table(rows, "过敏按产品（本周）", 3)) == sorted((p, n, q) for p, (n, q) in allergy.items())
    issues = [("紧致眼霜 15g", "漏液", sum(within(i.day, WEEK) for i in ISSUES))]
    assert _table(rows, "质量问题按产品和问题类型（本周）", 3) == issues
    counted = {
        (
            sheet,
            c,
            sum(x[3] == c and within(x[0], WEEK) for x in found),
            sum(x[3] == c and within(x[0], LAST_WEEK) for x in found),
        )
        for sheet, found in (("评价表", REVIEWS), ("投诉维权表", DISPUTES))
        for c in {x[3] for x in found}
    }
    assert set(_table(rows, "评价按原因、投诉维权按纠纷类型", 4)) == counted
    agents = {(r[0], r[1]): tuple(r[2:5]) for r in rows if r[0] in {"小美", "阿强", "莉莉"}}
    calls_now = sum(who == "莉莉" and within(d, WEEK) for d, who in CALLS)
    assert agents[("莉莉", "回访（次）")] == (calls_now, 0, calls_now)
    assert agents[("小美", "回访（次）")] == (0, 1, -1)
    scores = [score for d, who, _, score in CHECKS if who == "莉莉" and within(d, WEEK)]
    assert agents[("莉莉", "抽查平均评分")] == (round(sum(scores) / len(scores), 1), None, None)  # no score last week
    assert agents[("莉莉", "回访抽查（次）")] == (len(scores), 0, len(scores))
    trend = _table(rows, "近 8 周趋势", 5)
    assert len(trend) == 8 and trend[-1][0] == "11-16" and trend[-2][0] == "11-09"
    assert trend[-1][1:] == (
        len(week_returns),
        sum(within(i.day, WEEK) for i in ISSUES),
        sum(r.refund is not None and within(r.refunded, WEEK) for r in REQUESTS),
        sum(c.result == "已付款" and within(c.chased, WEEK) for c in CHASES),
    )
    assert "工作簿里没有订单数" in " ".join(str(r[0]) for r in rows if r[0])


def test_a_month_runs_from_its_first_day_to_its_last(tmp_path):
    path = workbook(tmp_path / "team.xlsx")
    result = run("report", path, "--period", "month", "--date", "2026-12-31", "--json", "--out", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert (found["from"], found["to"], found["previous"]) == (
        "2026-12-01",
        "2026-12-31",
        {"from": "2026-11-01", "to": "2026-11-30"},
    )
    assert found["previous_figures"]["refunds"]["count"] == sum(
        1 for r in REQUESTS if r.refunded and r.refunded.month == 11
    )
    assert "月报" in openpyxl.load_workbook(tmp_path / "o.xlsx").sheetnames


def test_a_wrong_period_or_date_is_one_line_and_changes_nothing(tmp_path):
    path = workbook(tmp_path / "team.xlsx")
    data = path.read_bytes()
    for args, words in ((("--period", "year"), "year"), (("--period", "week", "--date", "11/19"), "--date")):
        result = run("report", path, *args)
        assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output
    assert path.read_bytes() == data


TODAY = date.today()  # archive counts "closed" and "before" from the real clock, as a user runs it


def _before_excluded(tab: list[list[Any]]) -> list[list[Any]]:
    """A tab down to its list of rows with errors, which names them where they are now."""
    title = MONTHLY.tables["excluded"][0]
    return tab[: next(i for i, row in enumerate(tab) if row[0] == title)]


def test_the_report_is_the_same_before_and_after_archiving(tmp_path, archive_db):
    path = demo_workbook(tmp_path / "demo-team.xlsx", TODAY)
    db = ["--db", archive_db] if archive_db else []

    def reports() -> list[tuple[dict[str, Any], list[list[Any]]]]:
        """Each report's --json and its tab: the breakdowns and the trend the archive tallies in SQL too."""
        found = []
        for period, day in (("week", TODAY), ("week", TODAY - timedelta(days=7)), ("month", TODAY)):
            args = ["report", path, "--period", period, "--date", day, "--at", f"{TODAY} 18:00", "--json"]
            result = run(*args, "--out", tmp_path / "r.xlsx", "--force", *db)
            assert result.exit_code == 0, result.output
            found.append((json.loads(result.stdout), _values(tmp_path / "r.xlsx", PERIODS[period].title)))
        return found

    before = reports()
    archived = run("archive", path, "--before", TODAY.isoformat(), *db, "--json")
    assert archived.exit_code == 0 and json.loads(archived.stdout)["archived"] > 0, archived.output
    after = reports()
    for (json_before, tab_before), (json_after, tab_after) in zip(before, after, strict=True):
        assert json_after == json_before
        assert _before_excluded(tab_after) == _before_excluded(tab_before)  # rows with errors moved up: the same ones
    assert any(r["refunds"]["count"] or r["chase"]["to_chase"] for r, _ in before)
    month = before[-1][1]
    trend = next(i for i, row in enumerate(month) if row[0] == MONTHLY.tables["trend"][0])
    assert sum(row[1] for row in month[trend + 2 : trend + 2 + MONTHLY.trend_periods]) > 0  # returns in the trend
