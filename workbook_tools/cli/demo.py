"""Realistic sample data for a few days of a cosmetics shop's after-sales work.

The same seed gives the same rows relative to `today`. A few cells are spoiled
on purpose, and `Planted` records where, so the demo shows what validation
catches and the tests can hold validation to it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from workbook_tools.core.tables import cell_name
from workbook_tools.spec.codes import Code
from workbook_tools.spec.lists import (
    AFTER_SALES_TYPE,
    CALLBACK_METHOD,
    CALLBACK_TYPE,
    CARRIER,
    CHASE_ANSWER,
    CHASE_METHOD,
    CHASE_RESULT,
    CLAIM_STATE,
    FACTORY_STATE,
    FIX_STATE,
    FOLLOW_STATE,
    HANDOVER_STATE,
    INSPECTION,
    ISSUE_SOLUTION,
    ISSUE_STATE,
    ISSUE_TYPE,
    ORDER_STATUS,
    PARCEL_PLAN,
    PARCEL_PROBLEM,
    PARCEL_STATE,
    PLATFORM,
    REQUEST_STATE,
    RESEND_REASON,
    RESPONSIBLE,
    RETURN_RESULT,
    RETURN_SOLUTION,
    RETURN_TYPE,
    SATISFACTION,
    SHIPPING_STATE,
    STOCK_STATE,
    UNPAID_REASON,
    YES_NO,
)
from workbook_tools.spec.sheets import (
    AFTER_SALES,
    CALLBACKS,
    CHASE_DETAIL,
    HANDOVER,
    PARCEL_ISSUES,
    QUALITY,
    RESENDS,
    RETURNS,
    SPOT_CHECKS,
)
from workbook_tools.spec.types import Column, Sheet

R, S, Q, C, H, A = RETURNS, RESENDS, QUALITY, CHASE_DETAIL, HANDOVER, AFTER_SALES

AGENTS = ("小美", "阿强", "莉莉")
PRODUCTS = (
    "玻尿酸保湿精华液 30ml",
    "烟酰胺美白面膜 5片装",
    "氨基酸洗面奶 100g",
    "清透防晒霜 SPF50 50ml",
    "玫瑰补水喷雾 150ml",
    "紧致眼霜 15g",
    "温和卸妆水 500ml",
)
BUYERS = (
    "小鱼儿爱吃糖",
    "tb3728_2011",
    "晴天娃娃88",
    "梦里花落知多少",
    "阿杰的小店",
    "cherry_lin",
    "快乐的胖子",
    "一只猫咪喵",
    "蓝色天空1990",
    "jenny王",
    "土豆不是洋芋",
    "风吹麦浪kk",
)
CONSIGNEES = ("王丽", "陈静", "李娜", "张敏", "刘洋", "赵雪", "黄婷", "周杰")
TRACKING_PREFIX = {
    CARRIER.SF: "SF",
    CARRIER.ZTO: "78",
    CARRIER.YTO: "YT",
    CARRIER.STO: "77",
    CARRIER.YUNDA: "43",
    CARRIER.JT: "JT",
    CARRIER.EMS: "98",
    CARRIER.JD: "JD",
}
RETURN_CASES = (
    (RETURN_TYPE.ALLERGY, RETURN_SOLUTION.REFUND, "用了两天脸上起红疹"),
    (RETURN_TYPE.QUALITY, RETURN_SOLUTION.EXCHANGE, "泵头按不出来"),
    (RETURN_TYPE.SHIPPING, RETURN_SOLUTION.RESEND, "错发成洗面奶"),
    (RETURN_TYPE.COURIER, RETURN_SOLUTION.REFUND, "外箱压坏拒收"),
    (RETURN_TYPE.CUSTOMER, RETURN_SOLUTION.REFUND, "不需要了，未拆封"),
)
MESSAGE_ANSWER = {  # the same outcome of a chase, by message
    CHASE_ANSWER.BUYER: CHASE_ANSWER.REPLIED,
    CHASE_ANSWER.SOMEONE_ELSE: CHASE_ANSWER.READ,
    CHASE_ANSWER.NO_ANSWER: CHASE_ANSWER.UNREAD,
}
PAID_REASONS = (UNPAID_REASON.FORGOT, UNPAID_REASON.FORGOT, UNPAID_REASON.PAYMENT_PROBLEM)
UNPAID_REASONS = tuple(r for r in UNPAID_REASON.values if r != UNPAID_REASON.OTHER)
DONE = {
    RETURN_SOLUTION.REFUND: RETURN_RESULT.REFUNDED,
    RETURN_SOLUTION.EXCHANGE: RETURN_RESULT.EXCHANGED,
    RETURN_SOLUTION.RESEND: RETURN_RESULT.RESENT,
}


@dataclass(frozen=True)
class Planted:
    sheet: str
    cell: str
    code: Code


@dataclass
class DemoData:
    rows: dict[Sheet, list[dict[Column, Any]]] = field(default_factory=dict)
    planted: list[Planted] = field(default_factory=list)

    def add(self, spec: Sheet, row: dict[Column, Any]) -> int:
        """Append a row; returns its Excel row number (header in row 1)."""
        rows = self.rows.setdefault(spec, [])
        rows.append(row)
        return len(rows) + 1

    def plant(self, spec: Sheet, row: int, column: Column, code: Code) -> None:
        self.planted.append(Planted(spec.title, cell_name(row, spec.columns.index(column) + 1), code))

    def spoil(self, spec: Sheet, row: int, column: Column, value: Any, code: Code) -> None:
        self.rows[spec][row - 2][column] = value
        self.plant(spec, row, column, code)


def _as_backend_shows(phone: str, rnd: random.Random) -> str:
    """A buyer's phone as the order shows it: the number, a 隐私号 with its extension, or masked."""
    shown = rnd.random()
    if shown < 0.2:
        separator = rnd.choice(("-", "转"))
        return "170" + "".join(rnd.choice("0123456789") for _ in range(8)) + separator + str(rnd.randint(1000, 9999))
    if shown < 0.35:
        return phone[:3] + "****" + phone[-4:]
    return phone


def _chase_time(day: date, paid_at: datetime | None, rnd: random.Random) -> datetime:
    """When the buyer was chased: during the day's shifts, before the payment it brought."""
    latest = paid_at - timedelta(minutes=10) if paid_at else datetime.combine(day, time(21))
    earliest = datetime.combine(day, time(8, 30))
    return earliest + timedelta(minutes=rnd.randint(0, max(0, int((latest - earliest).total_seconds() // 60))))


def _way(method: str, reached: str, rnd: random.Random) -> dict[Column, str]:
    """催款方式 and 接听情况: a call's answer as drawn, or the same outcome as a message's answer on a chat channel."""
    if method == CHASE_METHOD.PHONE:
        return {C.method: method, C.answer: reached}
    if method == CHASE_METHOD.WANGWANG:  # chats: 旺旺 or 千牛 on Taobao, the platform's messages on Pinduoduo
        method = rnd.choice((CHASE_METHOD.WANGWANG, CHASE_METHOD.QIANNIU, CHASE_METHOD.PDD_MESSAGE))
    return {C.method: method, C.answer: MESSAGE_ANSWER[reached]}


def make_demo(today: date, days: int = 3, seed: int = 20261122) -> DemoData:
    rnd = random.Random(seed)
    chasing = random.Random(seed + 1)  # what the chase rows gained since; the other sheets' rows stay as they were
    data = DemoData()
    serial = iter(range(1000, 10_000))

    def order_no() -> str:
        return "4" + "".join(rnd.choice("0123456789") for _ in range(18))

    def order_code(day: date) -> str:
        return f"SO{day:%Y%m%d}{next(serial)}"

    def tracking(carrier: str) -> str:
        return TRACKING_PREFIX[carrier] + "".join(rnd.choice("0123456789") for _ in range(13))

    def at(day: date, start: int = 9, end: int = 22) -> datetime:
        return datetime.combine(day, time(rnd.randint(start, end - 1), rnd.choice((0, 10, 25, 40, 55))))

    first = today - timedelta(days=days - 1)
    for offset in range(days):
        day = first + timedelta(days=offset)
        recent = offset == days - 1
        for _ in range(4):
            kind, solution, note = rnd.choice(RETURN_CASES)
            carrier = rnd.choice(CARRIER.values[:6])
            data.add(
                R,
                {
                    R.date: day if rnd.random() < 0.8 else f"{day.year}/{day.month}/{day.day}",
                    R.tracking_no: tracking(carrier),
                    R.carrier: carrier,
                    R.buyer_id: rnd.choice(BUYERS),
                    R.order_no: order_code(day - timedelta(days=rnd.randint(5, 12))),
                    R.return_type: kind,
                    R.product: rnd.choice(PRODUCTS),
                    R.quantity: rnd.randint(1, 3),
                    R.solution: solution,
                    R.result: None if recent else DONE[solution],
                    R.remarks: note,
                },
            )
            if not recent:  # inspected and shelved: as many good items as came back
                returned = data.rows[R][-1]
                returned |= {
                    R.inspection: INSPECTION.GOOD,
                    R.good: returned[R.quantity],
                    R.defective: 0,
                    R.stock: STOCK_STATE.SHELVED,
                }
        for _ in range(2):
            shipped = not recent
            carrier = rnd.choice(CARRIER.values[:4])
            data.add(
                S,
                {
                    S.date: day,
                    S.filled_by: rnd.choice(AGENTS),
                    S.buyer_id: rnd.choice(BUYERS),
                    S.order_no: order_code(day - timedelta(days=rnd.randint(3, 9))),
                    S.product: rnd.choice(PRODUCTS),
                    S.quantity: rnd.randint(1, 2),
                    S.reason: rnd.choice(
                        (
                            RESEND_REASON.DAMAGED,
                            RESEND_REASON.WRONG_ITEM,
                            RESEND_REASON.ALLERGY_EXCHANGE,
                            RESEND_REASON.MISSING_ITEM,
                        )
                    ),
                    S.new_tracking_no: tracking(carrier) if shipped else None,
                    S.carrier: carrier if shipped else None,
                    S.shipped_on: day + timedelta(days=1) if shipped else None,
                },
            )
        for issue, party, photos, plan in (
            (ISSUE_TYPE.DAMAGED, RESPONSIBLE.COURIER, 3, ISSUE_SOLUTION.REISSUE),
            (ISSUE_TYPE.QUALITY, RESPONSIBLE.FACTORY, 2, ISSUE_SOLUTION.EXCHANGE),
        ):
            closed = not recent
            by_courier = party == RESPONSIBLE.COURIER
            data.add(
                Q,
                {
                    Q.date: day,
                    Q.registered_by: rnd.choice(AGENTS),
                    Q.buyer_id: rnd.choice(BUYERS),
                    Q.order_no: order_code(day - timedelta(days=4)),
                    Q.product: rnd.choice(PRODUCTS),
                    Q.issue_type: issue,
                    Q.responsible: party,
                    Q.details: "外盒压扁，瓶身开裂" if issue == ISSUE_TYPE.DAMAGED else "乳液分层",
                    Q.photos: photos,
                    Q.solution: plan,
                    Q.compensation: 0 if plan == ISSUE_SOLUTION.REISSUE else 20,
                    Q.courier_loss: 89 if issue == ISSUE_TYPE.DAMAGED else None,
                    Q.claim_state: (
                        CLAIM_STATE.PAID
                        if closed and by_courier
                        else CLAIM_STATE.TO_CLAIM
                        if by_courier
                        else CLAIM_STATE.NOT_NEEDED
                    ),
                    Q.recovered: 89 if closed and by_courier else None,
                    Q.factory_return: YES_NO.YES if party == RESPONSIBLE.FACTORY else YES_NO.NO,
                    Q.follower: rnd.choice(AGENTS),
                    Q.state: ISSUE_STATE.CLOSED if closed else ISSUE_STATE.OPEN,
                    Q.closed_on: day + timedelta(days=1) if closed else None,
                },
            )
            if party == RESPONSIBLE.FACTORY:  # collected for the factory; sent back in the month's batch once closed
                data.rows[Q][-1] |= {
                    Q.factory_state: FACTORY_STATE.SENT if closed else FACTORY_STATE.PENDING,
                    Q.factory_batch: f"{day:%Y-%m}-A" if closed else None,
                    Q.factory_date: day + timedelta(days=1) if closed else None,
                    Q.factory: "广州美妆代工厂",
                }
        for _ in range(6):
            placed = at(day - timedelta(days=1), 0, 24)
            reached = rnd.choice(
                (CHASE_ANSWER.BUYER, CHASE_ANSWER.BUYER, CHASE_ANSWER.SOMEONE_ELSE, CHASE_ANSWER.NO_ANSWER)
            )
            result = (
                CHASE_RESULT.PAID
                if reached == CHASE_ANSWER.BUYER and rnd.random() < 0.7
                else rnd.choice((CHASE_RESULT.UNPAID, CHASE_RESULT.CLOSED))
            )
            buyer, number = rnd.choice(BUYERS), order_no()
            amount, consignee = rnd.choice((59, 89, 128, 169, 238.5)), rnd.choice(CONSIGNEES)
            phone = "1" + rnd.choice("35789") + "".join(rnd.choice("0123456789") for _ in range(9))
            agent = rnd.choice(AGENTS)
            method = rnd.choice((CHASE_METHOD.PHONE, CHASE_METHOD.WANGWANG, CHASE_METHOD.SMS))
            paid_at = at(day, 9, 22) if result == CHASE_RESULT.PAID else None  # paid on the day it was chased
            data.add(
                C,
                {
                    C.placed_at: placed,
                    C.buyer_id: buyer,
                    C.order_no: number,
                    C.amount: amount,
                    C.consignee: consignee,
                    C.phone: _as_backend_shows(phone, chasing),
                    C.chased_at: _chase_time(day, paid_at, chasing),
                    C.agent: agent,
                    **_way(method, reached, chasing),
                    C.feedback: "稍后付款" if result == CHASE_RESULT.PAID else "再考虑一下",
                    C.unpaid_reason: chasing.choice(PAID_REASONS if paid_at else UNPAID_REASONS),
                    C.result: result,
                    C.paid_at: paid_at,
                },
            )
    data.add(
        H,
        {
            H.buyer_id: BUYERS[0],
            H.order_no: order_no(),
            H.order_status: ORDER_STATUS.REFUNDING,
            H.price: 128,
            H.details: f"买家申请{AFTER_SALES_TYPE.REFUND_ONLY}，说没收到货",
            H.instruction: f"查物流，如{SHIPPING_STATE.RECEIVED}请联系买家核实",
            H.from_agent: AGENTS[0],
            H.to_agent: AGENTS[1],
            H.at: datetime.combine(today - timedelta(days=1), time(18, 0)),
            H.state: HANDOVER_STATE.DONE,
        },
    )
    _requests(data, today, order_code)
    _callbacks(data, first, days, random.Random(seed + 2))
    _parcels(data, today, random.Random(seed + 3))
    _spoil(data, today)
    return data


CALLS = (  # (回访类型, 接听情况, 满意度, 问题反馈): one of each kind a day, two problems to follow up
    (CALLBACK_TYPE.RECEIVED, CHASE_ANSWER.BUYER, SATISFACTION.VERY, None),
    (CALLBACK_TYPE.RECEIVED, CHASE_ANSWER.BUYER, SATISFACTION.UNSATISFIED, "精华液用完脸有点干，问怎么搭配"),
    (CALLBACK_TYPE.NOT_RECEIVED, CHASE_ANSWER.NO_ANSWER, None, None),
    (CALLBACK_TYPE.OUT_OF_STOCK, CHASE_ANSWER.BUYER, SATISFACTION.NEUTRAL, "缺货的眼霜想换成面霜"),
)


PARCELS = (  # (days before today, 异常类型, 处理方案, 原件状态, 已退款, 索赔状态, 索赔金额, 理赔到账金额, 结案)
    (0, PARCEL_PROBLEM.STUCK_CUSTOMER, None, PARCEL_STATE.IN_TRANSIT, YES_NO.NO, None, None, None, False),
    (5, PARCEL_PROBLEM.STUCK_CUSTOMER, PARCEL_PLAN.RETURN, PARCEL_STATE.IN_TRANSIT, YES_NO.NO, None, None, None, False),
    (1, PARCEL_PROBLEM.INTERCEPTED, PARCEL_PLAN.RETURN, PARCEL_STATE.IN_TRANSIT, YES_NO.YES, None, None, None, True),
    (2, PARCEL_PROBLEM.LOST, PARCEL_PLAN.RESEND, PARCEL_STATE.LOST, YES_NO.NO, CLAIM_STATE.CLAIMING, 89, None, False),
    (2, PARCEL_PROBLEM.DAMAGED, PARCEL_PLAN.RESEND, PARCEL_STATE.DELIVERED, YES_NO.NO, CLAIM_STATE.PAID, 59, 59, True),
    (
        1,
        PARCEL_PROBLEM.OUT_OF_AREA,
        PARCEL_PLAN.OTHER_COURIER,
        PARCEL_STATE.RETURNED,
        YES_NO.NO,
        None,
        None,
        None,
        True,
    ),
    (0, PARCEL_PROBLEM.DAMAGED, None, PARCEL_STATE.DELIVERED, YES_NO.NO, CLAIM_STATE.TO_CLAIM, 128, None, False),
)


def _parcels(data: DemoData, today: date, rnd: random.Random) -> None:
    """Problem parcels found by the daily tracking (000 §十.1), in every state the SOP follows them through."""
    p = PARCEL_ISSUES
    for ago, problem, plan, original, refunded, claim, claimed, paid, closed in PARCELS:
        found = today - timedelta(days=ago)
        carrier = rnd.choice(CARRIER.values[:6])
        data.add(
            p,
            {
                p.found_on: found,
                p.tracking_no: TRACKING_PREFIX[carrier] + "".join(rnd.choice("0123456789") for _ in range(13)),
                p.carrier: carrier,
                p.order_no: f"SO{found - timedelta(days=3):%Y%m%d}{rnd.randint(1000, 9999)}",
                p.buyer_id: rnd.choice(BUYERS),
                p.problem: problem,
                p.plan: plan,
                p.original: original,
                p.refunded: refunded,
                p.back_on: found + timedelta(days=1) if original == PARCEL_STATE.RETURNED else None,
                p.claim_state: claim or CLAIM_STATE.NOT_NEEDED,
                p.claimed: claimed,
                p.paid: paid,
                p.follower: rnd.choice(AGENTS),
                p.state: ISSUE_STATE.CLOSED if closed else ISSUE_STATE.OPEN,
                p.closed_on: found + timedelta(days=1) if closed else None,
            },
        )


def _callbacks(data: DemoData, first: date, days: int, rnd: random.Random) -> None:
    """回访 calls of each day (their own random stream: the other sheets' rows stay as they were); the problems
    raised on the last day are still to follow up."""
    k = CALLBACKS
    for offset in range(days):
        day = first + timedelta(days=offset)
        for kind, answer, satisfaction, feedback in CALLS:
            follow = feedback is not None
            data.add(
                k,
                {
                    k.date: day,
                    k.buyer_id: rnd.choice(BUYERS),
                    k.order_no: f"SO{day - timedelta(days=5):%Y%m%d}{rnd.randint(1000, 9999)}",
                    k.call_type: kind,
                    k.method: CALLBACK_METHOD.PHONE,
                    k.caller: rnd.choice(AGENTS),
                    k.answer: answer,
                    k.satisfaction: satisfaction,
                    k.feedback: feedback,
                    k.needs_follow_up: YES_NO.YES if follow else YES_NO.NO,
                    k.state: (FOLLOW_STATE.PENDING if offset == days - 1 else FOLLOW_STATE.SOLVED)
                    if follow
                    else FOLLOW_STATE.NONE,
                },
            )
        last = len(data.rows[k]) + 1  # the Excel row of the day's last call; the lead listens to its unsatisfied one
        data.add(
            SPOT_CHECKS,
            {
                SPOT_CHECKS.date: day,
                SPOT_CHECKS.agent: data.rows[k][last - 4][k.caller],
                SPOT_CHECKS.callback: f"{k.title}!{last - 2}",
                SPOT_CHECKS.score: 72,
                SPOT_CHECKS.problems: "买家嫌效果差时没有给出护肤建议",
                SPOT_CHECKS.fix_required: "按第六章话术补充护肤建议，复听一通",
                SPOT_CHECKS.fix_state: FIX_STATE.PENDING if offset == days - 1 else FIX_STATE.DONE,
            },
        )


def _requests(data: DemoData, today: date, order_code: Any) -> None:
    """After-sales requests as a backend shows them at an 18:00 handover: one past its platform deadline, one
    falling due this evening, a Pinduoduo return, a refusal to call back, a parcel on its way back (it arrived:
    it is in 退件表), and two settled."""
    evening = datetime.combine(today, time(18, 0))
    arrived = next(r for r in data.rows[R] if r[R.result] is None)
    requests = (
        (
            PLATFORM.TAOBAO,
            AFTER_SALES_TYPE.REFUND_ONLY,
            SHIPPING_STATE.UNSHIPPED,
            timedelta(days=2, hours=3),
            "不想要了",
        ),
        (
            PLATFORM.TMALL,
            AFTER_SALES_TYPE.REFUND_ONLY,
            SHIPPING_STATE.UNSHIPPED,
            timedelta(days=1, hours=20),
            "拍错规格",
        ),
        (PLATFORM.PDD, AFTER_SALES_TYPE.RETURN_REFUND, SHIPPING_STATE.RECEIVED, timedelta(hours=8), "用了脸上发红"),
        (PLATFORM.TAOBAO, AFTER_SALES_TYPE.REFUND_ONLY, SHIPPING_STATE.SHIPPED, timedelta(days=1, hours=9), "没收到货"),
        (PLATFORM.TAOBAO, AFTER_SALES_TYPE.RETURN_REFUND, SHIPPING_STATE.RECEIVED, timedelta(days=4), "泵头按不出来"),
        (PLATFORM.TMALL, AFTER_SALES_TYPE.REFUND_ONLY, SHIPPING_STATE.UNSHIPPED, timedelta(hours=30), "地址填错"),
        (PLATFORM.PDD, AFTER_SALES_TYPE.REFUND_ONLY, SHIPPING_STATE.SHIPPED, timedelta(days=3), "不想要了"),
    )
    states = (
        REQUEST_STATE.PENDING,
        REQUEST_STATE.PENDING,
        REQUEST_STATE.PENDING,
        REQUEST_STATE.REFUSED,
        REQUEST_STATE.RETURNED,
        REQUEST_STATE.REFUNDED,
        REQUEST_STATE.REFUNDED,
    )
    for n, ((platform, kind, shipping, ago, reason), state) in enumerate(zip(requests, states, strict=True)):
        applied = evening - ago
        row = {
            A.platform: platform,
            A.request_no: f"{4200 + n}{applied:%m%d%H%M}0001",
            A.order_no: order_code(applied.date() - timedelta(days=3)),
            A.buyer_id: BUYERS[(n * 5) % len(BUYERS)],
            A.request_type: kind,
            A.shipping: shipping,
            A.applied_at: applied,
            A.requested: (89, 128, 238.5, 59, 169, 89, 128)[n],
            A.reason: reason,
            A.state: state,
            A.handler: AGENTS[n % len(AGENTS)] if state != REQUEST_STATE.PENDING else None,
        }
        if state == REQUEST_STATE.REFUSED:
            row |= {A.handled_at: applied + timedelta(hours=2), A.remarks: "物流显示本人签收，买家称没收到"}
        if state == REQUEST_STATE.RETURNED:
            row |= {
                A.handled_at: applied + timedelta(hours=3),
                A.returned_at: applied + timedelta(days=1, hours=2),
                A.return_tracking: arrived[R.tracking_no],
                A.order_no: arrived[R.order_no],
                A.buyer_id: arrived[R.buyer_id],
            }
        if state == REQUEST_STATE.REFUNDED:
            row |= {
                A.handled_at: applied + timedelta(hours=1),
                A.refund: row[A.requested],
                A.refunded_at: applied + timedelta(hours=1),
            }
        if platform == PLATFORM.PDD and state == REQUEST_STATE.PENDING:
            row[A.platform_due] = applied + timedelta(hours=36)  # as the backend shows it: this one wins
        data.add(A, row)
    refunded = len(data.rows[A]) + 1
    data.spoil(A, refunded, A.refund, 138, "refund_exceeds_request")


def _spoil(data: DemoData, today: date) -> None:
    """Mistakes seen in real ledgers, one per row, each caught by one finding."""
    returns = data.rows[R]
    duplicate = data.add(R, dict(returns[1]))
    data.plant(R, duplicate, R.tracking_no, "duplicate_row")
    data.spoil(R, 3, R.date, "11月31日", "bad_date")
    data.spoil(R, 5, R.return_type, "快递问题", "bad_choice")
    data.rows[R][2][R.defective] = 1  # one more item counted than came back
    data.plant(R, 4, R.good, "inspection_mismatch")
    data.spoil(S, 3, S.quantity, "两瓶", "bad_number")
    data.spoil(S, 4, S.buyer_id, None, "missing_required")
    data.spoil(Q, 2, Q.photos, 1, "missing_evidence")
    data.spoil(Q, 3, Q.closed_on, None, "missing_required")
    data.spoil(Q, 5, Q.compensation, 88, "needs_approval")  # above the approval line, not approved yet
    data.spoil(C, 4, C.order_no, 4.12345678901235e18, "order_no_precision_lost")
    data.spoil(C, 6, C.phone, "1380013800", "bad_phone")
    data.spoil(R, 7, R.order_no, None, "unmatched_parcel")
    refunded = next(r for r in returns if r[R.solution] == RETURN_SOLUTION.REFUND and isinstance(r[R.order_no], str))
    data.spoil(S, 5, S.order_no, refunded[R.order_no], "double_compensation")
    chased = data.rows[C][7]
    for attempt in range(4):  # a fourth chase of one buyer within 24 hours is one too many
        row = data.add(
            C,
            {
                **chased,
                C.buyer_id: "小鹿乱撞2020",
                C.order_no: chased[C.order_no][:-1] + str(attempt),
                C.chased_at: chased[C.chased_at] + timedelta(minutes=40 * attempt),
                C.method: CHASE_METHOD.PHONE,
                C.answer: CHASE_ANSWER.NO_ANSWER,
                C.result: CHASE_RESULT.UNPAID,
                C.paid_at: None,
            },
        )
    data.plant(C, row, C.buyer_id, "over_chased")
    called = next(
        n for n, r in enumerate(data.rows[C][:8], start=2) if r[C.method] == CHASE_METHOD.PHONE and n not in (4, 6)
    )
    data.spoil(C, called, C.answer, CHASE_ANSWER.READ, "answer_mismatch")  # a message's answer to a call
    data.spoil(CALLBACKS, 3, CALLBACKS.satisfaction, "还行", "bad_choice")
    data.spoil(CALLBACKS, 6, CALLBACKS.caller, None, "missing_required")
    data.spoil(SPOT_CHECKS, 2, SPOT_CHECKS.score, "良好", "bad_number")
    lost = 5  # the lost parcel whose claim is still being paid: closed too early
    data.rows[PARCEL_ISSUES][lost - 2] |= {PARCEL_ISSUES.state: ISSUE_STATE.CLOSED, PARCEL_ISSUES.closed_on: today}
    data.plant(PARCEL_ISSUES, lost, PARCEL_ISSUES.claim_state, "closed_with_open_claim")
    data.spoil(PARCEL_ISSUES, 8, PARCEL_ISSUES.problem, "快递丢了", "bad_choice")
