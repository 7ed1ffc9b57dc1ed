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

from workbook_tools.spec.sheets import CARRIER, CHASE_DETAIL, HANDOVER, QUALITY, RESENDS, RETURNS
from workbook_tools.spec.types import SheetSpec
from workbook_tools.core.tables import cell_name

AGENTS = ("小美", "阿强", "莉莉")
PRODUCTS = ("玻尿酸保湿精华液 30ml", "烟酰胺美白面膜 5片装", "氨基酸洗面奶 100g", "清透防晒霜 SPF50 50ml",
            "玫瑰补水喷雾 150ml", "紧致眼霜 15g", "温和卸妆水 500ml")
BUYERS = ("小鱼儿爱吃糖", "tb3728_2011", "晴天娃娃88", "梦里花落知多少", "阿杰的小店", "cherry_lin",
          "快乐的胖子", "一只猫咪喵", "蓝色天空1990", "jenny王", "土豆不是洋芋", "风吹麦浪kk")
CONSIGNEES = ("王丽", "陈静", "李娜", "张敏", "刘洋", "赵雪", "黄婷", "周杰")
TRACKING_PREFIX = {"顺丰速运": "SF", "中通快递": "78", "圆通速递": "YT", "申通快递": "77", "韵达快递": "43",
                   "极兔速递": "JT", "邮政EMS": "98", "京东物流": "JD"}
RETURN_CASES = (("过敏", "退款", "用了两天脸上起红疹"), ("产品质量问题", "换货", "泵头按不出来"),
                ("发货问题", "重发", "错发成洗面奶"), ("快递原因", "退款", "外箱压坏拒收"),
                ("客户原因", "退款", "不需要了，未拆封"))


@dataclass(frozen=True)
class Planted:
    sheet: str
    cell: str
    code: str


@dataclass
class DemoData:
    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    planted: list[Planted] = field(default_factory=list)

    def add(self, spec: SheetSpec, row: dict[str, Any]) -> int:
        """Append a row; returns its Excel row number (header in row 1)."""
        rows = self.rows.setdefault(spec.title, [])
        rows.append(row)
        return len(rows) + 1

    def spoil(self, spec: SheetSpec, row: int, header: str, value: Any, code: str) -> None:
        self.rows[spec.title][row - 2][header] = value
        col = [c.header for c in spec.columns].index(header) + 1
        self.planted.append(Planted(spec.title, cell_name(row, col), code))


def make_demo(today: date, days: int = 3, seed: int = 20261122) -> DemoData:
    rnd = random.Random(seed)
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
            data.add(RETURNS, {
                "日期": day if rnd.random() < 0.8 else f"{day.year}/{day.month}/{day.day}",
                "物流单号": tracking(carrier), "承运商": carrier, "ID号": rnd.choice(BUYERS),
                "订单编码": order_code(day - timedelta(days=rnd.randint(5, 12))), "退回类型": kind,
                "产品名称": rnd.choice(PRODUCTS), "数量": rnd.randint(1, 3), "解决方案": solution,
                "处理结果": (None if recent else "已" + {"退款": "退款", "换货": "换货", "重发": "重发"}[solution]),
                "备注": note})
        for _ in range(2):
            shipped = not recent
            carrier = rnd.choice(CARRIER.values[:4])
            data.add(RESENDS, {
                "日期": day, "填写人": rnd.choice(AGENTS), "客户ID": rnd.choice(BUYERS),
                "原订单编码": order_code(day - timedelta(days=rnd.randint(3, 9))),
                "产品名称": rnd.choice(PRODUCTS), "数量": rnd.randint(1, 2),
                "发件原因": rnd.choice(("破损补发", "错发重发", "过敏换货", "漏发补发")),
                "新物流单号": tracking(carrier) if shipped else None, "承运商": carrier if shipped else None,
                "发出日期": day + timedelta(days=1) if shipped else None})
        for issue, party, photos, plan in (("破损", "快递", 3, "补发"), ("质量问题", "厂家", 2, "换货")):
            closed = not recent
            data.add(QUALITY, {
                "日期": day, "登记人": rnd.choice(AGENTS), "客户ID": rnd.choice(BUYERS),
                "订单编码": order_code(day - timedelta(days=4)), "产品名称": rnd.choice(PRODUCTS),
                "问题类型": issue, "责任方": party, "问题描述": "外盒压扁，瓶身开裂" if issue == "破损" else "乳液分层",
                "凭证张数": photos, "处理方案": plan, "补偿金额": 0 if plan == "补发" else 20,
                "快递损失费用": 89 if issue == "破损" else None,
                "索赔状态": "已赔付" if (closed and party == "快递") else ("待索赔" if party == "快递" else "无需索赔"),
                "已追回金额": 89 if (closed and party == "快递") else None, "返厂": "是" if party == "厂家" else "否",
                "跟进人": rnd.choice(AGENTS), "状态": "已结案" if closed else "处理中",
                "结案日期": day + timedelta(days=1) if closed else None})
        for _ in range(6):
            placed = at(day - timedelta(days=1), 0, 24)
            answer = rnd.choice(("本人接听", "本人接听", "非本人接听", "未接通"))
            result = "已付款" if answer == "本人接听" and rnd.random() < 0.7 else rnd.choice(("未付款", "已关闭"))
            data.add(CHASE_DETAIL, {
                "拍下时间": placed, "买家ID": rnd.choice(BUYERS), "订单编号": order_no(),
                "订单金额": rnd.choice((59, 89, 128, 169, 238.5)), "收货人": rnd.choice(CONSIGNEES),
                "联系电话": "1" + rnd.choice("35789") + "".join(rnd.choice("0123456789") for _ in range(9)),
                "催款日期": day, "催款人": rnd.choice(AGENTS), "催款方式": rnd.choice(("电话", "旺旺", "短信")),
                "接听情况": answer, "客户反馈": "稍后付款" if result == "已付款" else "再考虑一下",
                "催款结果": result,
                "付款时间": placed + timedelta(hours=rnd.randint(12, 30)) if result == "已付款" else None})
    data.add(HANDOVER, {
        "买家ID": BUYERS[0], "订单号": order_no(), "订单状态": "退款中", "订单价格": 128,
        "订单描述": "买家申请仅退款，说没收到货", "交接处理": "查物流，如已签收请联系买家核实", "交接人": AGENTS[0],
        "承接人": AGENTS[1], "时间": datetime.combine(today - timedelta(days=1), time(18, 0)), "状态": "已完成"})
    _spoil(data)
    return data


def _spoil(data: DemoData) -> None:
    """Mistakes seen in real ledgers, one per row, each caught by one finding."""
    returns = data.rows[RETURNS.title]
    duplicate = data.add(RETURNS, dict(returns[1]))
    data.planted.append(Planted(RETURNS.title, cell_name(duplicate, 2), "duplicate_row"))
    data.spoil(RETURNS, 3, "日期", "11月31日", "bad_date")
    data.spoil(RETURNS, 5, "退回类型", "快递问题", "bad_choice")
    data.spoil(RESENDS, 3, "数量", "两瓶", "bad_number")
    data.spoil(RESENDS, 4, "客户ID", None, "missing_required")
    data.spoil(QUALITY, 2, "凭证张数", 1, "missing_evidence")
    data.spoil(QUALITY, 3, "结案日期", None, "missing_required")
    data.spoil(CHASE_DETAIL, 4, "订单编号", 4.12345678901235e18, "order_no_precision_lost")
    data.spoil(CHASE_DETAIL, 6, "联系电话", "1380013800", "bad_phone")
    data.spoil(RETURNS, 7, "订单编码", None, "unmatched_parcel")
    refunded = next(r for r in returns if r["解决方案"] == "退款" and isinstance(r["订单编码"], str))
    data.spoil(RESENDS, 5, "原订单编码", refunded["订单编码"], "double_compensation")
    chased = data.rows[CHASE_DETAIL.title][7]
    for attempt in range(4):  # a fourth chase of one buyer in a day is one too many
        row = data.add(CHASE_DETAIL, {**chased, "买家ID": "小鹿乱撞2020", "订单编号": chased["订单编号"][:-1] + str(attempt),
                                      "接听情况": "未接通", "催款结果": "未付款", "付款时间": None})
    data.planted.append(Planted(CHASE_DETAIL.title, cell_name(row, 2), "over_chased"))

