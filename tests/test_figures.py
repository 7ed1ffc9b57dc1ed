"""Figures and handover items that stay right: orders counted once, row order irrelevant, every open item kept.

The property tests build random valid ledgers and check three things: any
permutation of the rows gives the same figures, findings and handover items;
every figure of 日汇总 and 催款汇总 equals a computation written here with pandas
from the SOP's rules; and what a handover or daily-totals writes passes
validation as well as what was there before.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from typing import Any

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbook_tools.core.changes import EditSheet, NewSheet
from workbook_tools.core.findings import flatten
from workbook_tools.core.handover import handover
from workbook_tools.core.records import WorkbookCheck
from workbook_tools.core.tables import Grid
from workbook_tools.core.totals import chase_summary, daily_totals
from workbook_tools.core.validate import check_workbook

DAY = date(2026, 11, 22)
AT = datetime(2026, 11, 22, 20, 0)
DAYS = [DAY - timedelta(days=n) for n in range(9)]
CLOSES_AFTER = timedelta(days=3)  # 003 ch.5: an unpaid order closes three days after it was placed
CONTACTED = ("本人接听", "非本人接听", "已回复", "已读未回")  # 计入已联系 on 设置 by default: the buyer was reached
CHANNELS = ["电话", "旺旺", "千牛", "短信", "拼多多消息"]
ANSWERS = ["本人接听", "非本人接听", "未接通", "已回复", "已读未回", "未读"]
CHASE = [
    "拍下时间",
    "买家ID",
    "订单编号",
    "订单金额",
    "催款日期",
    "催款人",
    "催款方式",
    "接听情况",
    "催款结果",
    "付款时间",
]
CHASE_TIMED = ["催款时间" if h == "催款日期" else h for h in CHASE]  # today's header; 催款日期 is its older name
RETURNS = ["日期", "物流单号", "ID号", "订单编码", "退回类型", "产品名称", "数量", "处理结果"]
RESENDS = ["日期", "填写人", "客户ID", "原订单编码", "产品名称", "数量", "发件原因", "新物流单号"]
QUALITY = ["日期", "登记人", "客户ID", "订单编码", "问题类型", "补偿金额", "快递损失费用", "状态"]
HANDOVER = ["买家ID", "订单号", "交接处理", "交接人", "承接人", "时间", "状态", "确认时间"]
CALLBACKS = ["回访日期", "买家ID", "回访类型", "回访人", "满意度", "需跟进", "状态"]
FOLLOW_UP_WITHIN = timedelta(days=1)  # a problem a 回访 found: 回访反映的问题跟进 on 设置


def chase(
    placed: str,
    buyer: str,
    order: str,
    amount: float,
    day: date,
    agent: str,
    answer: str,
    result: str,
    paid: str | None = None,
    way: str = "电话",
) -> list[Any]:
    return [placed, buyer, order, amount, day, agent, way, answer, result, paid]


def summary_of(check: WorkbookCheck, at: datetime = AT) -> dict[tuple[str, str], dict[str, Any]]:
    result, _ = chase_summary(check, at)
    return {(r["date"], r["agent"]): r for r in result["rows"]}


def summary(rows: list[list[Any]], at: datetime = AT) -> dict[tuple[str, str], dict[str, Any]]:
    return summary_of(check_workbook([Grid("催款明细表", [CHASE, *rows])], AT.date()), at)


def test_an_order_chased_twice_in_a_day_counts_once():
    placed = "2026-11-21 09:00"
    rows = [
        chase(placed, "b1", "41001", 89, DAY, "小美", "未接通", "未付款"),
        chase(placed, "b1", "41001", 89, DAY, "小美", "本人接听", "已付款", "2026-11-22 15:00"),
    ]
    figures = summary(rows)[(DAY.isoformat(), "小美")]
    assert (figures["to_chase"], figures["contacted"], figures["paid"], figures["paid_amount"]) == (1, 1, 1, 89)


def test_an_order_paid_before_it_was_chased_is_counted_apart_and_the_row_is_flagged():
    rows = [chase("2026-11-21 09:00", "b1", "41001", 89, DAY, "小美", "本人接听", "已付款", "2026-11-21 14:40")]
    figures = summary(rows)[(DAY.isoformat(), "小美")]
    assert (figures["paid"], figures["paid_amount"], figures["already_paid"]) == (0, 0, 1)
    findings = check_workbook([Grid("催款明细表", [CHASE, *rows])], DAY).findings
    assert flatten(findings, "cell", "code") == [("C2", "paid_before_chase")]
    assert "2026-11-21 已付款" in findings[0].message


def test_an_order_unpaid_on_day_one_and_paid_on_day_two_is_not_closed_on_day_one():
    day1, day2 = DAY - timedelta(days=1), DAY
    placed = "2026-11-18 09:00"  # its automatic close, 11-21 09:00, is past by AT
    rows = [
        chase(placed, "b1", "41001", 89, day1, "小美", "未接通", "未付款"),
        chase(placed, "b1", "41001", 89, day2, "阿强", "本人接听", "已付款", "2026-11-22 10:00"),
    ]
    figures = summary(rows)
    assert figures[(day1.isoformat(), "小美")]["closed"] == 0
    assert (figures[(day2.isoformat(), "阿强")]["paid"], figures[(day2.isoformat(), "阿强")]["closed"]) == (1, 0)


def test_an_order_that_closed_unpaid_counts_on_its_last_chase_only():
    placed = "2026-11-18 09:00"
    rows = [
        chase(placed, "b1", "41001", 89, DAY - timedelta(days=2), "小美", "未接通", "未付款"),
        chase(placed, "b1", "41001", 89, DAY - timedelta(days=1), "阿强", "未接通", "未付款"),
    ]
    figures = summary(rows)
    assert figures[((DAY - timedelta(days=2)).isoformat(), "小美")]["closed"] == 0
    assert figures[((DAY - timedelta(days=1)).isoformat(), "阿强")]["closed"] == 1


def test_the_chase_over_the_limit_is_the_same_row_whatever_the_order():
    rows = [chase("2026-11-21 09:00", "b1", f"4100{n}", 89, DAY, "小美", "未接通", "未付款") for n in (3, 1, 4, 2)]
    flagged = [check_workbook([Grid("催款明细表", [CHASE, *order])], DAY).findings for order in (rows, rows[::-1])]
    assert [[(f.code, f.message.split("：", 1)[1]) for f in found] for found in flagged] == [
        [
            (
                "over_chased",
                "买家「b1」2026-11-22 已被催款 4 次，超过 24 小时内最多 3 次，请从第一次催款起满 24 小时后再联系。",
            )
        ]
    ] * 2
    assert [found[0].row for found in flagged] == [4, 3]  # the chase of order 41004, wherever it stands


def test_a_virtual_or_masked_number_leaves_the_row_in_every_chase_figure():
    phones = ["17012345678转1234", "170 1234 5678,1234", "138****8000", "021-****5678"]
    rows = [
        [*chase("2026-11-21 09:00", f"b{n}", f"4100{n}", 89, DAY, "小美", "本人接听", "未付款"), phone]
        for n, phone in enumerate(phones)
    ]
    check = check_workbook([Grid("催款明细表", [[*CHASE, "联系电话"], *rows])], DAY)
    assert check.findings == ()
    totals, _ = daily_totals(check, DAY, AT)
    assert (totals["chase"]["to_chase"], totals["chase"]["contacted"], totals["excluded_rows"]) == (4, 4, [])
    assert summary_of(check)[(DAY.isoformat(), "合计")]["to_chase"] == 4


def test_every_channel_counts_towards_the_contact_rate_as_the_settings_say():
    ways = [("旺旺", "已读未回"), ("千牛", "未读"), ("短信", "已回复"), ("电话", "未接通"), ("拼多多消息", "已读未回")]
    rows = [
        chase("2026-11-21 09:00", f"b{n}", f"4100{n}", 89, DAY, "小美", answer, "未付款", way=way)
        for n, (way, answer) in enumerate(ways)
    ]
    ledger = Grid("催款明细表", [CHASE, *rows])
    by_default = check_workbook([ledger], DAY)
    assert by_default.findings == ()
    assert summary_of(by_default)[(DAY.isoformat(), "合计")]["contacted"] == 3
    answers = Grid(
        "设置",
        [
            ["接听情况", "计入已联系"],
            *([a, "是" if a in ("本人接听", "非本人接听", "已回复") else "否"] for a in ANSWERS),
        ],
    )
    assert summary_of(check_workbook([ledger, answers], DAY))[(DAY.isoformat(), "合计")]["contacted"] == 1


def test_which_answers_fit_which_channel_is_the_teams_list_on_the_settings_sheet():
    ways = Grid(
        "设置",
        [["催款方式", "可选接听情况"], ["电话", "本人接听、非本人接听、未接通"], ["微信", "已回复，未读"]],
    )
    rows = [
        chase("2026-11-21 09:00", "b1", "41001", 89, DAY, "小美", "已读未回", "未付款"),
        chase("2026-11-21 09:00", "b2", "41002", 89, DAY, "小美", "未读", "未付款", way="微信"),
        chase("2026-11-21 09:00", "b3", "41003", 89, DAY, "小美", "本人接听", "未付款", way="微信"),
    ]
    found = check_workbook([Grid("催款明细表", [CHASE, *rows]), ways], DAY).findings
    assert flatten(found, "cell", "code") == [("H2", "answer_mismatch"), ("H4", "answer_mismatch")]
    assert "（微信的接听情况是已回复、未读）" in found[1].message


def test_a_workbook_whose_settings_predate_message_answers_keeps_its_chats_as_recorded():
    lists = Grid("设置", [["催款方式", "接听情况"], ["电话", "本人接听"], ["旺旺", "非本人接听"], ["短信", "未接通"]])
    rows = [chase("2026-11-21 09:00", "b1", "41001", 89, DAY, "小美", "本人接听", "未付款", way="旺旺")]
    check = check_workbook([Grid("催款明细表", [CHASE, *rows]), lists], DAY)
    assert (check.findings, summary_of(check)[(DAY.isoformat(), "合计")]["contacted"]) == ((), 1)


def test_over_chased_counts_a_rolling_24_hours_when_the_rows_say_the_hour():
    def chases(*moments: date) -> Grid:
        rows = [
            chase("2026-11-20 09:00", "b1", f"4100{n}", 89, m, "小美", "未接通", "未付款")
            for n, m in enumerate(moments)
        ]
        return Grid("催款明细表", [CHASE_TIMED, *rows])

    evening, morning = DAY - timedelta(days=1), DAY
    overnight = chases(
        *(datetime.combine(evening, time(h)) for h in (20, 21)), *(datetime.combine(morning, time(h)) for h in (8, 9))
    )
    (found,) = check_workbook([overnight], DAY).findings
    assert (found.cell, found.code) == ("B5", "over_chased")
    assert "2026-11-21 20:00 至 2026-11-22 09:00 已被催款 4 次" in found.message
    days_only = chases(evening, evening, morning, morning)  # two a day: each day is within the limit
    apart = chases(
        *(datetime.combine(evening, time(h)) for h in (9, 20)), *(datetime.combine(morning, time(h)) for h in (10, 11))
    )
    assert [check_workbook([g], DAY).findings for g in (days_only, apart)] == [(), ()]


# --- handover items -------------------------------------------------------------------------------------------
RETURN_ROW = ["2026-11-20", "SF1", "jenny王", "SO1", "过敏", "紧致眼霜 15g", 1, None]


def items(grids: list[Grid], at: datetime = AT) -> list[dict[str, Any]]:
    return list(handover(check_workbook(grids, at.date()), "小美", "阿强", at).items)


def test_one_parcel_with_the_same_product_for_two_orders_gives_two_items():
    returns = Grid("退件表", [RETURNS, RETURN_ROW, [*RETURN_ROW[:3], "SO2", *RETURN_ROW[4:]]])
    result = handover(check_workbook([returns], DAY), "小美", "阿强", AT)
    assert result.written == 2 and len({i["order_no"] for i in result.items}) == 2
    keys = _written_keys(result.change)
    assert len(keys) == 2 and len(set(keys)) == 2


def test_rows_alike_in_every_key_column_are_both_handed_over_with_distinct_numbers():
    returns = Grid("退件表", [[*RETURNS, "备注"], [*RETURN_ROW, "第一件"], [*RETURN_ROW, "第二件"]])
    result = handover(check_workbook([returns], DAY), "小美", "阿强", AT)
    keys = _written_keys(result.change)
    assert result.written == 2 and len(set(keys)) == 2 and keys[1] == keys[0] + "-2"


def test_thousands_of_open_items_all_get_their_own_number():
    rows = [
        [f"2026-11-{10 + n % 10}", f"SF{n}", f"b{n}", f"SO{n}", "过敏", f"产品{n % 7}", 1, None] for n in range(5000)
    ]
    result = handover(check_workbook([Grid("退件表", [RETURNS, *rows])], DAY), "小美", "阿强", AT)
    keys = _written_keys(result.change)
    assert len(keys) == len(set(keys)) == 5000


def _written_keys(change: EditSheet | NewSheet | None) -> list[str]:
    assert isinstance(change, NewSheet)
    header, body = change.blocks[0].rows[0], change.blocks[1].rows
    return [row[header.index("事项编号")] for row in body]


def test_a_number_from_the_first_version_is_matched_by_its_source_and_renewed():
    returns = Grid("退件表", [RETURNS, RETURN_ROW])
    old = Grid(
        "交接表",
        [
            [*HANDOVER, "来源", "事项编号"],
            ["jenny王", "SO1", "核对退件", "莉莉", "小美", "2026-11-21 18:00", "待处理", None, "退件表!2", "RT-0A1B2C"],
        ],
    )
    result = handover(check_workbook([returns, old], DAY), "小美", "阿强", AT)
    assert result.written == 1
    updated = {(c.row, c.value) for c in result.change.cells if c.row == 2}
    assert (2, "已转交") in updated and any(isinstance(v, str) and len(v) == 13 for _, v in updated)


def test_hand_written_rows_in_every_state_teams_write_are_carried_forward():
    rows = [
        ["b1", "41", "回电话", "莉莉", "小美", "2026-11-22 09:00", state, None]
        for state in (None, "处理中", "未处理", "待处理", "看情况", "已完成", "已处理")
    ]
    for n, row in enumerate(rows):
        row[2] = f"回电话{n}"
    grid = Grid("交接表", [HANDOVER, *rows])
    check = check_workbook([grid], DAY)
    carried = [i["action"] for i in handover(check, "小美", "阿强", AT).items if i["state"] == "待处理"]
    assert sorted(text.split("；")[0] for text in carried) == ["回电话0", "回电话1", "回电话2", "回电话3", "回电话4"]
    assert flatten(check.findings, "cell", "code") == [("G2", "missing_required"), ("G6", "bad_choice")]


def test_what_the_handover_writes_passes_validation_even_for_a_parcel_without_a_buyer():
    returns = Grid("退件表", [RETURNS, [*RETURN_ROW[:2], None, *RETURN_ROW[3:]]])
    before = check_workbook([returns], DAY)
    after = apply([returns], handover(before, "小美", "阿强", AT).change)
    assert check_workbook(after, DAY).findings == before.findings
    result, _ = daily_totals(check_workbook(after, DAY), DAY, AT)
    assert result["handover"]["count"] == 1 and result["excluded_rows"] == []


def apply(grids: list[Grid], change: EditSheet | NewSheet | None) -> list[Grid]:
    """The workbook as it reads after `change` (applied to copies of the grids, as both backends would)."""
    if change is None:
        return grids
    if isinstance(change, NewSheet):
        rows: list[list[Any]] = []
        for block in change.blocks:
            for r, values in enumerate(block.rows):
                while len(rows) < block.row + r:
                    rows.append([])
                line = rows[block.row + r - 1]
                line.extend([None] * (block.col - 1 + len(values) - len(line)))
                line[block.col - 1 : block.col - 1 + len(values)] = list(values)
        return [*grids, Grid(change.title, rows)]
    out = []
    for grid in grids:
        if grid.name != change.sheet:
            out.append(grid)
            continue
        copied = [list(row) for row in grid.rows]
        for cell in change.cells:
            while len(copied) < cell.row:
                copied.append([])
            line = copied[cell.row - 1]
            line.extend([None] * (cell.col - len(line)))
            line[cell.col - 1] = cell.value
        out.append(Grid(grid.name, copied))
    return out


# --- property tests ---------------------------------------------------------------------------------------------
orders = st.lists(
    st.tuples(st.sampled_from(range(1, 6)), st.sampled_from([59.0, 89.0, 128.5])),
    min_size=1,
    max_size=6,
    unique_by=lambda o: o[0],
)


@st.composite
def ledgers(draw: st.DrawFn) -> dict[str, list[list[Any]]]:
    returns = draw(
        st.lists(
            st.tuples(
                st.sampled_from(DAYS),
                st.sampled_from(["SF1", "SF2", "SF3"]),
                st.sampled_from(["SO1", "SO2", None]),
                st.sampled_from(["过敏", "客户原因", None]),
                st.sampled_from(["眼霜", "面膜"]),
                st.integers(1, 3),
                st.sampled_from([None, "待处理", "已退款"]),
            ),
            max_size=8,
            unique_by=lambda r: (r[1], r[2], r[4]),
        )
    )
    resends = draw(
        st.lists(
            st.tuples(
                st.sampled_from(DAYS),
                st.sampled_from(["SO4", "SO5", "SO6"]),
                st.sampled_from(["眼霜", "面膜"]),
                st.sampled_from(["破损补发", "错发重发"]),
                st.sampled_from([None, "YT1"]),
            ),
            max_size=6,
            unique_by=lambda r: (r[0], r[1], r[2], r[3]),
        )
    )
    quality = draw(
        st.lists(
            st.tuples(
                st.sampled_from(DAYS),
                st.sampled_from(["SO7", "SO8", "SO9"]),
                st.sampled_from(["漏液", "质量问题"]),
                st.sampled_from([0.0, 20.5]),
                st.sampled_from([None, 45.5]),
            ),
            max_size=6,
            unique_by=lambda r: (r[1], r[2]),
        )
    )
    placed = {
        n: (datetime.combine(DAY - timedelta(days=draw(st.integers(0, 5))), time(9)), amount)
        for n, amount in draw(orders)
    }
    chases = draw(
        st.lists(
            st.tuples(
                st.sampled_from(sorted(placed)),
                st.sampled_from(DAYS[:5]),
                st.sampled_from([None, time(8, 30), time(20, 15), time(23, 50)]),  # None: the day alone
                st.sampled_from(["小美", "阿强"]),
                st.sampled_from(CHANNELS),
                st.sampled_from(ANSWERS),  # a message's answer to a call too: a warning, the row still counts
                st.sampled_from(["已付款", "未付款", "已关闭"]),
                st.sampled_from([None, 10, 16]),
            ),
            max_size=10,
            unique_by=lambda r: (r[0], r[1], r[3]),
        )
    )
    handed = draw(
        st.lists(
            st.tuples(st.sampled_from(DAYS), st.sampled_from(["待处理", "已转交", "处理中"]), st.booleans()), max_size=4
        )
    )
    callbacks = draw(
        st.lists(
            st.tuples(
                st.sampled_from(DAYS),
                st.sampled_from(["b1", "b2", "b3"]),
                st.sampled_from(["收货后回访", "缺货通知"]),
                st.sampled_from([None, "满意", "不满意"]),
                st.sampled_from([None, "是", "否"]),
                st.sampled_from([None, "待跟进", "已解决"]),
            ),
            max_size=8,
            unique_by=lambda r: (r[0], r[1], r[2]),
        )
    )
    return {
        "回访表": [CALLBACKS, *[[d, b, k, "小美", s, f, st_] for d, b, k, s, f, st_ in callbacks]],
        "退件表": [RETURNS, *[[d, t, "b", o, k, p, q, s] for d, t, o, k, p, q, s in returns]],
        "重发单": [RESENDS, *[[d, "小美", "c", o, p, 1, r, t] for d, o, p, r, t in resends]],
        "质量问题表": [QUALITY, *[[d, "阿强", "c", o, k, c, loss, "处理中"] for d, o, k, c, loss in quality]],
        "催款明细表": [
            CHASE_TIMED,
            *[
                [
                    placed[n][0],
                    f"b{n}",
                    f"4100{n}",
                    placed[n][1],
                    datetime.combine(d, at) if at else d,
                    agent,
                    channel,
                    answer,
                    result,
                    datetime.combine(d, time(hour)) if result == "已付款" and hour else None,
                ]
                for n, d, at, agent, channel, answer, result, hour in chases
            ],
        ],
        "交接表": [
            HANDOVER,
            *[
                [
                    f"b{n}",
                    None,
                    f"事项{n}",
                    "小美",
                    "阿强",
                    datetime.combine(d, time(9)),
                    state,
                    datetime.combine(d, time(9, 5)) if acknowledged else None,
                ]
                for n, (d, state, acknowledged) in enumerate(handed)
            ],
        ],
    }


def grids_of(book: dict[str, list[list[Any]]]) -> list[Grid]:
    return [Grid(name, [list(row) for row in rows]) for name, rows in book.items()]


def outcome(book: dict[str, list[list[Any]]]) -> dict[str, Any]:
    """Everything a run produces, with row positions replaced by row contents (so permutations compare equal)."""
    grids = grids_of(book)
    check = check_workbook(grids, DAY)

    def row_of(sheet: str, row: int) -> tuple[str, ...]:
        return tuple(map(str, book[sheet][row - 1]))

    totals, _ = daily_totals(check, DAY, AT)
    excluded = [source.rsplit("!", 1) for source in totals["excluded_rows"]]
    totals["excluded_rows"] = sorted(row_of(sheet, int(row)) for sheet, row in excluded)
    chase_rows, _ = chase_summary(check, AT)
    handed = handover(check, "莉莉", "阿强", AT)
    return {
        "totals": totals,
        "chase": chase_rows["rows"],
        "findings": sorted(
            (
                f.code,
                f.column,
                f.message.split("：", 1)[1] if f.code != "duplicate_row" else "",
                row_of(f.sheet, f.row) if f.row > 1 else (),
            )
            for f in check.findings
        ),
        "items": sorted(
            (i["buyer_id"] or "", i["order_no"] or "", i["action"], i["due_at"] or "", i["state"]) for i in handed.items
        ),
    }


FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@given(book=ledgers(), data=st.data())
@FAST
def test_any_order_of_the_rows_gives_the_same_figures_findings_and_handover(book, data):
    shuffled = {name: [rows[0], *data.draw(st.permutations(rows[1:]))] for name, rows in book.items()}
    assert outcome(shuffled) == outcome(book)


def _types(returns: pd.DataFrame) -> dict[str, int]:
    return dict(sorted(Counter(t if isinstance(t, str) else "未填" for t in returns.get("退回类型", [])).items()))


def _frame(rows: list[list[Any]]) -> pd.DataFrame:
    return pd.DataFrame(rows[1:], columns=rows[0])


def expected_chase(book: dict[str, list[list[Any]]]) -> dict[tuple[str, str], dict[str, Any]]:
    """催款汇总, written from the SOP's rules with pandas: orders, not rows."""
    df = _frame(book["催款明细表"])
    if df.empty:
        return {}
    df["at"] = pd.to_datetime(df["催款时间"])  # a day alone is its midnight
    df["day"] = df["at"].dt.date
    outcomes = {}
    for order, group in df.groupby("订单编号"):
        # the last chase is the latest; at the same moment, the one by the agent whose name sorts last (ties need a
        # rule; this is ours)
        rows = group.assign(paid=group["催款结果"] == "已付款").sort_values(["at", "催款人"])
        times = rows["付款时间"].dropna()
        paid_on = min(times).date() if len(times) else (min(rows[rows["paid"]]["day"]) if rows["paid"].any() else None)
        recovered = closed = None
        if paid_on is not None:
            before = rows[rows["day"] <= paid_on].sort_values(["day", "paid", "at", "催款人"])
            recovered = before.index[-1] if len(before) else None
        elif (rows["催款结果"] == "已关闭").any() or rows["拍下时间"].iloc[0] + CLOSES_AFTER <= AT:
            closed = rows.index[-1]
        outcomes[order] = (paid_on, recovered, closed, paid_on is not None and recovered is None)
    result = {}
    for (day, agent), rows in [
        *df.groupby(["day", "催款人"]),
        *((k, g) for k, g in df.assign(催款人="合计").groupby(["day", "催款人"])),
    ]:
        chased = set(rows["订单编号"])
        recovered = [i for i in rows.index if outcomes[rows.loc[i, "订单编号"]][1] == i]
        result[(day.isoformat(), agent)] = {
            "to_chase": len(chased),
            "contacted": rows[rows["接听情况"].isin(CONTACTED)]["订单编号"].nunique(),
            "paid": len(recovered),
            "paid_amount": float(sum(rows.loc[i, "订单金额"] for i in recovered)),
            "closed": sum(outcomes[rows.loc[i, "订单编号"]][2] == i for i in rows.index),
            "already_paid": sum(outcomes[o][3] for o in chased),
        }
    return result


@given(book=ledgers())
@FAST
def test_every_chase_figure_equals_a_count_made_with_pandas(book):
    result, _ = chase_summary(check_workbook(grids_of(book), DAY), AT)
    assert {
        (r["date"], r["agent"]): {k: v for k, v in r.items() if k not in ("date", "agent")} for r in result["rows"]
    } == expected_chase(book)


@given(book=ledgers())
@FAST
def test_every_daily_figure_equals_a_count_made_with_pandas(book):
    result, _ = daily_totals(check_workbook(grids_of(book), DAY), DAY, AT)
    returns = _frame(book["退件表"])
    today = returns[returns["日期"] == DAY] if len(returns) else returns
    assert result["returns"] == {
        "count": len(today),
        "parcels": today["物流单号"].nunique() if len(today) else 0,
        "qty": int(today["数量"].sum()) if len(today) else 0,
        "by_type": dict(
            sorted(Counter(t if isinstance(t, str) else "未填" for t in today.get("退回类型", [])).items())
        ),
    }
    resends = _frame(book["重发单"])
    today_resends = resends[resends["日期"] == DAY] if len(resends) else resends
    assert result["resends"] == {
        "count": len(today_resends),
        "open": int(today_resends["新物流单号"].isna().sum()) if len(today_resends) else 0,
    }
    quality = _frame(book["质量问题表"])
    today_quality = quality[quality["日期"] == DAY] if len(quality) else quality
    assert result["quality"] == {
        "count": len(today_quality),
        "compensation": float(today_quality["补偿金额"].sum()) if len(today_quality) else 0.0,
        "courier_loss": float(today_quality["快递损失费用"].fillna(0).sum()) if len(today_quality) else 0.0,
    }
    chase = expected_chase(book).get((DAY.isoformat(), "合计"))
    zero = {"to_chase": 0, "contacted": 0, "paid": 0, "paid_amount": 0.0, "closed": 0, "already_paid": 0}
    assert result["chase"] == (chase or zero)
    handed = _frame(book["交接表"])
    today_handed = handed[pd.to_datetime(handed["时间"]).dt.date == DAY] if len(handed) else handed
    assert result["handover"] == {
        "count": len(today_handed),
        "unacknowledged": int(today_handed["确认时间"].isna().sum()) if len(today_handed) else 0,
    }


def expected_callbacks(book: dict[str, list[list[Any]]], days: list[date]) -> dict[str, int]:
    """回访表's figures over `days`, from the SOP: calls made, buyers unsatisfied, problems raised; and the problems
    not solved yet (open now, and overdue a day after the call)."""
    calls = _frame(book["回访表"])
    if calls.empty:
        return {"calls": 0, "unsatisfied": 0, "to_follow": 0, "open": 0, "overdue": 0}
    within = calls[calls["回访日期"].isin(days)]
    unsolved = calls[(calls["需跟进"] == "是") & (calls["状态"] != "已解决")]
    due = pd.to_datetime(unsolved["回访日期"]) + FOLLOW_UP_WITHIN
    return {
        "calls": len(within),
        "unsatisfied": int((within["满意度"] == "不满意").sum()),
        "to_follow": int((within["需跟进"] == "是").sum()),
        "open": len(unsolved),
        "overdue": int((due <= AT).sum()),
    }


@given(book=ledgers())
@FAST
def test_every_declared_figure_equals_a_count_made_with_pandas(book):
    result, sheet = daily_totals(check_workbook(grids_of(book), DAY), DAY, AT)
    assert result["registers"]["callbacks"] == expected_callbacks(book, [DAY])
    week = expected_callbacks(book, [DAY - timedelta(days=n) for n in range(7)])
    shown = {row[0]: row[1:] for block in sheet.blocks for row in block.rows if len(row) == 3}
    labels = ("回访（次）", "回访不满意（次）", "回访需跟进（次）", "未处理回访跟进（当前）", "已超时回访跟进（当前）")
    today = expected_callbacks(book, [DAY])
    assert [shown[label] for label in labels] == [
        (today[key], week[key]) for key in ("calls", "unsatisfied", "to_follow", "open", "overdue")
    ]


@given(book=ledgers())
@FAST
def test_validation_after_a_handover_or_daily_totals_finds_nothing_new(book):
    grids = grids_of(book)
    before = check_workbook(grids, DAY)
    handed = apply(grids, handover(before, "莉莉", "阿强", AT).change)
    after_handover = check_workbook(handed, DAY)
    assert set(flatten(after_handover.findings, "sheet", "cell", "code")) <= set(
        flatten(before.findings, "sheet", "cell", "code")
    )
    _, sheet = daily_totals(after_handover, DAY, AT)
    after_totals = check_workbook(apply(handed, sheet), DAY)
    assert flatten(after_totals.findings, "sheet", "cell", "code") == flatten(
        after_handover.findings, "sheet", "cell", "code"
    )


DATE_HEADERS = {"日期", "时间", "确认时间", "拍下时间", "催款时间", "付款时间"}
EXTREMES = st.sampled_from(
    [
        date.min,
        date.max,
        datetime.max,
        datetime(9999, 12, 31, 23, 59),
        datetime(1900, 1, 1),
        0,
        -1,
        2_958_465.99,  # 9999-12-31 as an Excel serial
        1e308,
        float("nan"),
        "9999-12-31",
        "0001-01-01",
        "12.31",
    ]
)


@given(book=ledgers(), data=st.data())
@FAST
def test_dates_at_the_ends_of_the_calendar_never_crash_a_command(book, data):
    """Any date or serial a cell can hold, in any dated column: every command still computes its outcome."""
    for rows in book.values():
        dated = [i for i, header in enumerate(rows[0]) if header in DATE_HEADERS]
        for row in rows[1:]:
            for i in dated:
                if data.draw(st.booleans()):
                    row[i] = data.draw(EXTREMES)
    outcome(book)
    grids = grids_of(book)
    check = check_workbook(grids, DAY)
    daily_totals(check_workbook(apply(grids, handover(check, "莉莉", "阿强", AT).change), DAY), DAY, AT)
