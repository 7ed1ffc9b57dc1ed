"""What makes urgent rows of 交接表 stand out: conditional formats, so the team's own fills stay as they are.

A row still 待处理 is red once its 截止时间 has passed (against NOW(), so a row
turns red while the sheet is open, not only at the next handover) or when the
handover marked it overdue; amber when the handover marked it due this shift.
The formulas are made from the declarations and from where the team's columns
are, and name each cell as INDEX($C:$C,ROW()): Excel reads a relative reference
in a rule added through its API against the active cell, LibreOffice and a file
against the rule's first cell, and this form means the same row in all three.
"""

from __future__ import annotations

from collections.abc import Mapping

from workbook_tools.core.changes import Highlight, Look
from workbook_tools.core.tables import Area, column_letters
from workbook_tools.spec.lists import HANDOVER_STATE
from workbook_tools.spec.sheets import HANDOVER
from workbook_tools.spec.types import Column

H = HANDOVER
OVERDUE_LOOK = Look(fill="#FFC7CE", font_color="#9C0006")  # Excel's own 浅红填充色深红色文本
DUE_LOOK = Look(fill="#FFEB9C", font_color="#9C5700")  # Excel's own 黄填充色深黄色文本


def _text(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _this_row(col: int) -> str:
    letters = column_letters(col)
    return f"INDEX(${letters}:${letters},ROW())"


def urgent_rows(columns: Mapping[Column, int], area: Area, overdue: str, due: str) -> tuple[Highlight, ...]:
    """Red for overdue rows, amber for rows due this shift (red first: it wins where both hold).

    `overdue` and `due` are the marks the handover starts its texts with.

    Each rule holds its mark as a text, which tells it from the team's rules. A
    sheet without 状态 or 交接处理 (the handover adds both when it writes a row)
    gets none: which rows are open, or marked, cannot be told.
    """
    if H.state not in columns or H.instruction not in columns:
        return ()
    pending = f"{_this_row(columns[H.state])}={_text(HANDOVER_STATE.PENDING)}"
    rules = []
    for mark, look in ((overdue, OVERDUE_LOOK), (due, DUE_LOOK)):
        test = f"ISNUMBER(FIND({_text(mark)},{_this_row(columns[H.instruction])}))"
        if mark == overdue and H.due_at in columns:
            due = _this_row(columns[H.due_at])
            test = f"OR(AND(ISNUMBER({due}),{due}<=NOW()),{test})"
        rules.append(Highlight(area, f"AND({pending},{test})", look, _text(mark)))
    return tuple(rules)
