"""Shift handover (交接班): every open item, written into 交接表 for the next shift.

An item keeps its 事项编号 from shift to shift. Handing over again to the same
agent adds nothing; handing an item on marks the earlier row 已转交; an item
closed in its ledger since marks its rows 已完成. Nothing is ever deleted.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from workbook_tools.core.changes import Change, ledger_change
from workbook_tools.errors import WorkbookToolsError
from workbook_tools.core.deadlines import OpenItem, is_manual, open_items
from workbook_tools.core.settings import shifts_at
from workbook_tools.spec.sheets import HANDOVER, RULES_BY_KEY
from workbook_tools.core.validate import TableCheck, WorkbookCheck

PENDING, PASSED_ON, DONE = "待处理", "已转交", "已完成"
_DECORATION = re.compile(r"^【[^】]*】|（截止 [^）]*）$|；该行有校验错误，请先改正$")


@dataclass(frozen=True)
class HandoverResult:
    written: int
    items: tuple[dict, ...]  # the --json contract: what was written, most urgent first
    already: int  # items this agent had already been handed
    overdue: int
    change: Change | None


def _handover_table(check: WorkbookCheck) -> TableCheck | None:
    return next((t for t in check.tables if t.table.spec is HANDOVER), None)


def instruction(item: OpenItem, at: datetime, shift: timedelta) -> str:
    """交接处理: what to do and by when, marked when overdue or due this shift."""
    text = _DECORATION.sub("", item.action)
    if item.due_at is not None:
        mark = "【已超时】" if item.overdue(at) else "【本班到期】" if item.due_at <= at + shift else ""
        text = f"{mark}{text}（截止 {item.due_at:%m-%d %H:%M}）"
    if item.has_errors:
        text += "；该行有校验错误，请先改正"
    return text


def agents_on_duty(check: WorkbookCheck, at: datetime) -> tuple[str, str]:
    """交接人 and 承接人 from the roster on 设置: the shift on duty at `at` hands over to the next."""
    shifts = shifts_at(check.settings.roster, at)
    if shifts is None or not (shifts[0].agent and shifts[1].agent):
        raise WorkbookToolsError("请写明交接人和承接人，或在「设置」表的排班里填上每班的人员。")
    return shifts[0].agent, shifts[1].agent


def check_agents(*names: str | None) -> None:
    if any(not (name or "").strip() for name in names):
        raise WorkbookToolsError("请写明交接人和承接人（--from 姓名 --to 姓名）。")
    if len(names) == 2 and names[0].strip() == names[1].strip():
        raise WorkbookToolsError("交接人和承接人不能是同一个人。")


def handover(check: WorkbookCheck, from_agent: str | None, to_agent: str | None, at: datetime) -> HandoverResult:
    """Names given are used; with none, the roster on 设置 says who is on duty at `at`."""
    if from_agent is None and to_agent is None:
        from_agent, to_agent = agents_on_duty(check, at)
    check_agents(from_agent, to_agent)
    from_agent, to_agent = from_agent.strip(), to_agent.strip()
    shift = check.settings.duration(RULES_BY_KEY["shift"])
    items = open_items(check, at)
    open_keys = {item.key for item in items}
    table = _handover_table(check)
    pending: dict[str, list] = {}
    for record in table.records if table else ():
        if record.values.get("状态") == PENDING and record.values.get("事项编号"):
            pending.setdefault(record.values["事项编号"], []).append(record)

    rows, updates, written_items, already = [], [], [], 0
    for item in items:
        earlier = pending.get(item.key, [])
        if item.sheet == HANDOVER.title:
            earlier = earlier or [r for r in table.records if r.row == item.row]
        if any(r.values.get("承接人") == to_agent for r in earlier):
            already += 1
            continue
        for record in earlier:
            updates.append((record.row, "状态", PASSED_ON))
            if not record.values.get("事项编号"):
                updates.append((record.row, "事项编号", item.key))
        text = instruction(item, at, shift)
        rows.append({"买家ID": item.buyer_id, "订单号": item.order_no, "订单状态": item.order_status,
                     "订单价格": item.price, "订单描述": item.description, "交接处理": text,
                     "交接人": from_agent, "承接人": to_agent, "时间": at, "来源": item.source,
                     "截止时间": item.due_at, "状态": PENDING, "事项类型": item.item_type, "事项编号": item.key})
        written_items.append(_json_item(item.source, item.buyer_id, item.order_no, text, item.due_at,
                                        item.overdue(at), PENDING))
    for key, records in pending.items():
        if key in open_keys or is_manual(key):
            continue
        for record in records:
            v = record.values
            updates.append((record.row, "状态", DONE))
            written_items.append(_json_item(v.get("来源") or f"{HANDOVER.title}!{record.row}", v.get("买家ID"),
                                            v.get("订单号"), v.get("交接处理") or "", v.get("截止时间"), False, DONE))
    change = ledger_change(HANDOVER, table.table if table else None, rows, updates)
    overdue = sum(1 for i in written_items if i["overdue"])
    return HandoverResult(len(rows), tuple(written_items), already, overdue, change)


def _json_item(source: str, buyer_id: object, order_no: object, action: str, due_at: datetime | None,
               overdue: bool, state: str) -> dict:
    return {"source": source, "buyer_id": buyer_id, "order_no": order_no, "action": action,
            "due_at": due_at.strftime("%Y-%m-%dT%H:%M") if due_at else None, "overdue": overdue, "state": state}


def acknowledge(check: WorkbookCheck, agent: str, at: datetime) -> tuple[int, Change | None]:
    """The incoming agent confirms: 确认时间 is filled on that agent's unconfirmed pending rows."""
    check_agents(agent)
    table = _handover_table(check)
    if table is None:
        return 0, None
    rows = [r.row for r in table.records if r.values.get("承接人") == agent.strip()
            and r.values.get("状态") == PENDING and r.values.get("确认时间") is None]
    return len(rows), ledger_change(HANDOVER, table.table, updates=[(row, "确认时间", at) for row in rows])
