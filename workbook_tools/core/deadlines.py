"""Open items and their platform deadlines (domain.md, "Platform time rules").

Every ledger row that still needs someone becomes an `OpenItem` with the time by
which it must be done and what happens if it is not. The rule values come from
the workbook's 设置 sheet when the team changed them.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from workbook_tools.spec.types import Rule
from workbook_tools.core.settings import Settings
from workbook_tools.spec.sheets import (CHASE_DETAIL, HANDOVER, ITEM_TYPE, QUALITY, RESENDS, RETURNS, RULES, RULES_BY_KEY)
from workbook_tools.core.validate import Record, TableCheck, WorkbookCheck

OPEN_RETURN_RESULTS = (None, "待处理")
PAID, CLOSED = "已付款", "已关闭"
_PREFIX = {RETURNS.key: "RT", RESENDS.key: "RS", QUALITY.key: "QI", CHASE_DETAIL.key: "CH", HANDOVER.key: "HO"}


@dataclass(frozen=True)
class OpenItem:
    key: str  # 事项编号: the same item gets the same key on every run
    sheet: str
    row: int
    item_type: str
    buyer_id: str | None
    order_no: str | None
    order_status: str | None
    price: Decimal | None
    description: str
    action: str  # what the next shift must do, without the deadline
    due_at: datetime | None
    has_errors: bool = False

    @property
    def source(self) -> str:
        return f"{self.sheet}!{self.row}"

    def overdue(self, at: datetime) -> bool:
        return self.due_at is not None and self.due_at <= at


def is_manual(key: str) -> bool:
    """An item that was typed into 交接表 itself: only an agent can close it, never a ledger."""
    return key.startswith(_PREFIX[HANDOVER.key] + "-")


def item_key(sheet_key: str, *parts: object) -> str:
    digest = hashlib.sha1("|".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{_PREFIX[sheet_key]}-{digest[:6].upper()}"


def _start_of(day: date | datetime | None) -> datetime | None:
    if day is None:
        return None
    return day if isinstance(day, datetime) else datetime.combine(day, time())


def _after(start: date | datetime | None, rule: Rule, settings: Settings) -> datetime | None:
    begin = _start_of(start)
    return None if begin is None else begin + settings.duration(rule)


def _item_rule(item_type: str | None, settings: Settings) -> Rule | None:
    title = settings.attribute(ITEM_TYPE, item_type) if item_type else None
    return next((rule for rule in RULES if rule.title == title), None)


def _product(values: dict) -> str:
    product, quantity = values.get("产品名称"), values.get("数量")
    return f"{product or '产品未填'}×{quantity}" if quantity else (product or "产品未填")


def _returns(check: TableCheck, settings: Settings) -> list[OpenItem]:
    items = []
    for r in check.records:
        v = r.values
        if v.get("处理结果") not in OPEN_RETURN_RESULTS:
            continue
        plan = v.get("解决方案") or "确定处理方案"
        items.append(OpenItem(
            item_key(RETURNS.key, v.get("物流单号"), v.get("产品名称")), check.table.sheet, r.row, "退件确认",
            v.get("ID号"), v.get("订单编码"), "退款中" if v.get("解决方案") == "退款" else None, None,
            f"退件（{v.get('退回类型') or '类型未填'}）{_product(v)}",
            f"核对退件后{plan}，并在退件表填写处理结果；逾期平台自动退款",
            _after(v.get("日期"), RULES_BY_KEY["return_confirm"], settings), bool(r.errors)))
    return items


def _resends(check: TableCheck, settings: Settings) -> list[OpenItem]:
    items = []
    for r in check.records:
        v = r.values
        if v.get("新物流单号"):
            continue
        items.append(OpenItem(
            item_key(RESENDS.key, v.get("日期"), v.get("原订单编码"), v.get("产品名称"), v.get("发件原因")),
            check.table.sheet, r.row, "重发", v.get("客户ID"), v.get("原订单编码"), None, None,
            f"{v.get('发件原因') or '重发'} {_product(v)}", "催仓库发出，并在重发单填写新物流单号和发出日期",
            _after(v.get("日期"), RULES_BY_KEY["resend_ship"], settings), bool(r.errors)))
    return items


def _quality(check: TableCheck, settings: Settings) -> list[OpenItem]:
    items = []
    for r in check.records:
        v = r.values
        if v.get("状态") == "已结案":
            continue
        claim = "，快递索赔未完成" if v.get("索赔状态") in ("待索赔", "索赔中") else ""
        items.append(OpenItem(
            item_key(QUALITY.key, v.get("订单编码"), v.get("产品名称"), v.get("问题类型")), check.table.sheet, r.row,
            "质量问题", v.get("客户ID"), v.get("订单编码"), None, None,
            f"{v.get('问题类型') or '问题'}：{v.get('问题描述') or v.get('产品名称') or ''}{claim}",
            f"跟进{v.get('处理方案') or '处理方案'}，答复买家；结案后在质量问题表填写状态和结案日期",
            _after(v.get("日期"), RULES_BY_KEY["seller_reply"], settings), bool(r.errors)))
    return items


def chase_orders(check: TableCheck) -> dict[str, Record]:
    """Each order's deciding chase row: the one that says it was paid, else the latest one."""
    deciding: dict[str, Record] = {}
    for r in check.records:
        order = r.values.get("订单编号")
        if order is not None and (order not in deciding or deciding[order].values.get("催款结果") != PAID):
            deciding[order] = r
    return deciding


def close_time(record: Record, settings: Settings) -> datetime | None:
    return _after(record.values.get("拍下时间"), RULES_BY_KEY["unpaid_close"], settings)


def _chase(check: TableCheck, settings: Settings, at: datetime) -> list[OpenItem]:
    items = []
    for order, r in chase_orders(check).items():
        v = r.values
        closes = close_time(r, settings)
        if v.get("催款结果") in (PAID, CLOSED) or (closes is not None and closes <= at):
            continue
        last = v.get("接听情况") or v.get("催款方式") or "未记录"
        items.append(OpenItem(
            item_key(CHASE_DETAIL.key, order), check.table.sheet, r.row, "催款", v.get("买家ID"), order,
            "等待买家付款", v.get("订单金额"), f"未付款订单 ¥{v.get('订单金额') or '?'}（上次：{last}）",
            "再次催付，结果记入催款明细表；24 小时内同一买家不超过 3 次", closes, bool(r.errors)))
    return items


def _handover(check: TableCheck, settings: Settings) -> list[OpenItem]:
    items = []
    for r in check.records:
        v = r.values
        if v.get("状态") != "待处理" or (v.get("事项编号") and not is_manual(v["事项编号"])):
            continue  # rows handed over from a ledger are that ledger's item, collected there
        rule = _item_rule(v.get("事项类型"), settings)
        due = v.get("截止时间") or (_after(v.get("时间"), rule, settings) if rule else None)
        key = v.get("事项编号") or item_key(HANDOVER.key, v.get("买家ID"), v.get("订单号"), v.get("交接处理"),
                                          v.get("时间"))
        items.append(OpenItem(
            key, check.table.sheet, r.row, v.get("事项类型") or "其他", v.get("买家ID"), v.get("订单号"),
            v.get("订单状态"), v.get("订单价格"), v.get("订单描述") or "", v.get("交接处理") or "", due, bool(r.errors)))
    return items


def open_items(check: WorkbookCheck, at: datetime) -> list[OpenItem]:
    """Every open item of the workbook, most urgent first."""
    collectors = {RETURNS.key: _returns, RESENDS.key: _resends, QUALITY.key: _quality}
    items: list[OpenItem] = []
    for table_check in check.tables:
        key = table_check.table.spec.key
        if key in collectors:
            items += collectors[key](table_check, check.settings)
        elif key == CHASE_DETAIL.key:
            items += _chase(table_check, check.settings, at)
        elif key == HANDOVER.key:
            items += _handover(table_check, check.settings)
    far = datetime.max
    return sorted(items, key=lambda i: (i.due_at or far, i.sheet, i.row))
