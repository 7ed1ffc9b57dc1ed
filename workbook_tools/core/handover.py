"""Shift handover (交接班): every open item, written into 交接表 for the next shift.

An item keeps its 事项编号 from shift to shift. Handing over again to the same
agent adds nothing; handing an item on marks the earlier row 已转交; an item
closed in its ledger since marks its rows 已完成. Nothing is ever deleted.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workbook_tools.core.changes import Change, Highlight, ledger_change
from workbook_tools.core.deadlines import OpenItem, content, is_legacy, is_manual, open_items
from workbook_tools.core.handover_look import urgent_rows
from workbook_tools.core.records import Record, WorkbookCheck
from workbook_tools.core.settings import handing_over, taking_over
from workbook_tools.core.tables import Area
from workbook_tools.core.values import CELL_TEXT_LIMIT
from workbook_tools.errors import WorkbookToolsError
from workbook_tools.spec.lists import HANDOVER_STATE
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.settings_sheet import SETTINGS
from workbook_tools.spec.sheets import HANDOVER
from workbook_tools.spec.types import Column

H = HANDOVER
OVERDUE, DUE_THIS_SHIFT, HAS_ERRORS = "【已超时】", "【本班到期】", "；该行有校验错误，请先改正"
PROGRESS_CUT = "（更早的进展太长，单元格放不下，已省略：请看本事项之前的交接行）"


def urgent_handover_rows(columns: Mapping[Column, int], area: Area) -> tuple[Highlight, ...]:
    """The conditional formats that colour the rows this module marks overdue or due this shift."""
    return urgent_rows(columns, area, OVERDUE, DUE_THIS_SHIFT)


_DECORATION = re.compile("^【[^】]*】|（截止 [^）]*）$|" + re.escape(HAS_ERRORS) + "$")


@dataclass(frozen=True, kw_only=True)
class HandoverResult:
    written: int
    items: tuple[dict[str, Any], ...]  # the --json contract: what was written, most urgent first
    already: int  # items this agent had already been handed
    overdue: int
    change: Change | None


def instruction(item: OpenItem, at: datetime, shift_ends: datetime) -> str:
    """交接处理: what to do and by when, marked when overdue or due before the shift after the next one starts."""
    text = _DECORATION.sub("", item.action)
    if item.due_at is not None:
        mark = OVERDUE if item.overdue(at) else DUE_THIS_SHIFT if item.due_at < shift_ends else ""
        text = f"{mark}{text}（截止 {item.due_at:%m-%d %H:%M}）"
    if item.has_errors:
        text += HAS_ERRORS
    return text


def _names() -> str:
    return f"{H.from_agent.header}和{H.to_agent.header}"


def _no_roster(names: str) -> WorkbookToolsError:
    return WorkbookToolsError(f"请写明{names}，或在「{SETTINGS.title}」表的排班里填上每班的人员。")


def agents_on_duty(check: WorkbookCheck, at: datetime) -> tuple[str, str]:
    """交接人 and 承接人 from the roster on 设置: the shift that hands over at `at` and the one it hands to."""
    turns = handing_over(check.settings.roster, at)
    if turns is None or not (turns[0].shift.agent and turns[1].shift.agent):
        raise _no_roster(_names())
    return turns[0].shift.agent, turns[1].shift.agent


def incoming_agent(check: WorkbookCheck, at: datetime) -> str:
    """承接人 from the roster on 设置: whoever works the shift taking over at `at`, since the incoming agent
    confirms once their shift has begun, or just before (交接班 at its end names the next shift instead)."""
    turn = taking_over(check.settings.roster, at)
    if turn is None or not turn.shift.agent:
        raise _no_roster(H.to_agent.header)
    return turn.shift.agent


def check_agents(*names: str | None) -> None:
    if any(not (name or "").strip() for name in names):
        wanted = f"{_names()}（--from 姓名 --to 姓名）" if len(names) > 1 else f"{H.to_agent.header}（--agent 姓名）"
        raise WorkbookToolsError(f"请写明{wanted}。")
    if len(names) == 2 and (names[0] or "").strip() == (names[1] or "").strip():
        raise WorkbookToolsError(f"{_names()}不能是同一个人。")


def handover(check: WorkbookCheck, from_agent: str | None, to_agent: str | None, at: datetime) -> HandoverResult:
    """Names given are used; with none, the roster on 设置 says who is on duty at `at`."""
    if from_agent is None and to_agent is None:
        from_agent, to_agent = agents_on_duty(check, at)
    check_agents(from_agent, to_agent)
    assert from_agent is not None and to_agent is not None
    from_agent, to_agent = from_agent.strip(), to_agent.strip()
    shift_ends = check.settings.shift_ends(at)
    items = open_items(check, at)
    open_keys = {item.key for item in items}
    table = check.target(H)
    records = table.records if table else ()
    by_source = {item.source: item.key for item in items}
    pending: dict[str, list[Record]] = {}
    history: dict[str, list[Record]] = {}  # every row an item had, whatever its state
    for record in records:
        number = record[H.item_no]
        if not number:
            continue
        if is_legacy(number) and not is_manual(number):  # the first version's number: found by its 来源
            number = by_source.get(record[H.source], number)
        history.setdefault(number, []).append(record)
        if record[H.state] == HANDOVER_STATE.PENDING:
            pending.setdefault(number, []).append(record)

    rows: list[dict[Column, object]] = []
    updates: list[tuple[int, Column, object]] = []
    written_items, already = [], 0
    for item in items:
        earlier = pending.get(item.key, [])
        if table is not None and item.sheet == table.table.sheet:
            earlier = earlier or [r for r in records if r.row == item.row]
        if any(r[H.to_agent] == to_agent for r in earlier):
            already += 1
            continue
        for record in earlier:
            updates.append((record.row, H.state, HANDOVER_STATE.PASSED_ON))
            if record[H.item_no] != item.key:
                updates.append((record.row, H.item_no, item.key))
        text = instruction(item, at, shift_ends)
        rows.append(
            {
                H.buyer_id: item.buyer_id,
                H.order_no: item.order_no,
                H.order_status: item.order_status,
                H.price: item.price,
                H.details: item.description,
                H.instruction: text,
                H.progress: carried_progress(history.get(item.key, []) + earlier),
                H.from_agent: from_agent,
                H.to_agent: to_agent,
                H.at: at,
                H.source: item.source,
                H.due_at: item.due_at,
                H.state: HANDOVER_STATE.PENDING,
                H.item_type: item.item_type,
                H.item_no: item.key,
            }
        )
        written_items.append(
            _json_item(
                item.source, item.buyer_id, item.order_no, text, item.due_at, item.overdue(at), HANDOVER_STATE.PENDING
            )
        )
    for key, pending_records in pending.items():
        if key in open_keys or is_manual(key):
            continue
        for record in pending_records:
            updates.append((record.row, H.state, HANDOVER_STATE.DONE))
            written_items.append(
                _json_item(
                    record[H.source] or f"{H.title}!{record.row}",
                    record[H.buyer_id],
                    record[H.order_no],
                    record[H.instruction] or "",
                    record[H.due_at],
                    False,
                    HANDOVER_STATE.DONE,
                )
            )
    hide = check.settings.rule(RULES.hide_passed_on) == 1
    passed_on = [row for row, column, value in updates if column is H.state and value == HANDOVER_STATE.PASSED_ON]
    change = ledger_change(
        H,
        table.table if table else None,
        rows,
        updates,
        grids=check.grids,
        highlights=urgent_handover_rows,
        hidden_rows=passed_on if hide else (),
    )
    overdue = sum(1 for i in written_items if i["overdue"])
    return HandoverResult(
        written=len(rows), items=tuple(written_items), already=already, overdue=overdue, change=change
    )


def carried_progress(rows: list[Record]) -> str | None:
    """本班进展 for an item's new row: every text typed on its earlier rows, oldest first.

    An agent usually adds to the text carried onto the current row, so a text
    that another one contains is not repeated. What a cell cannot hold is the
    oldest, which the item's earlier rows still show: it is left out, and the
    cell says so (PROGRESS_CUT) instead of losing the end of the latest text.
    """
    ordered = sorted(rows, key=lambda r: (r[H.at] or datetime.min, content(r)))
    typed = (str(r[H.progress]).removeprefix(PROGRESS_CUT).strip() for r in ordered if r[H.progress])
    texts = list(dict.fromkeys(text for text in typed if text))
    kept = [text for text in texts if not any(text != other and text in other for other in texts)]
    if len("\n".join(kept)) <= CELL_TEXT_LIMIT:
        return "\n".join(kept) or None
    while len(kept) > 1 and len("\n".join([PROGRESS_CUT, *kept])) > CELL_TEXT_LIMIT:
        kept.pop(0)
    return "\n".join([PROGRESS_CUT, *kept])


def _json_item(
    source: str, buyer_id: object, order_no: object, action: str, due_at: datetime | None, overdue: bool, state: str
) -> dict[str, Any]:
    return {
        "source": source,
        "buyer_id": buyer_id,
        "order_no": order_no,
        "action": action,
        "due_at": due_at.strftime("%Y-%m-%dT%H:%M") if due_at else None,
        "overdue": overdue,
        "state": state,
    }


@dataclass(frozen=True, kw_only=True)
class Acknowledgement:
    agent: str  # who confirmed: the name given, or the one the roster puts on duty
    count: int
    change: Change | None


def acknowledge(check: WorkbookCheck, agent: str | None, at: datetime) -> Acknowledgement:
    """The incoming agent confirms: 确认时间 is filled on that agent's unconfirmed pending rows.

    Without a name, the agent is the one the roster on 设置 puts on duty at `at`:
    the 确认接班 button is clicked by whoever has just taken over.
    """
    if agent is None:
        agent = incoming_agent(check, at)
    check_agents(agent)
    agent = agent.strip()
    table = check.target(H)
    if table is None:
        return Acknowledgement(agent=agent, count=0, change=None)
    rows = [
        r.row
        for r in table.records
        if r[H.to_agent] == agent and r[H.state] == HANDOVER_STATE.PENDING and r[H.acknowledged_at] is None
    ]
    change = ledger_change(H, table.table, updates=[(row, H.acknowledged_at, at) for row in rows])
    return Acknowledgement(agent=agent, count=len(rows), change=change)
