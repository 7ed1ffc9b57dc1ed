"""Cells that name a row by its number (退件表!120), and what they say once the archive deletes rows.

交接表's 来源 and the notes the handover adds to 交接处理 (`Sheet.names_rows`), and
回访抽查表's 抽查的回访 (`Sheet.references`, which may give the number alone) name
ledger rows as 「表名!行号」. When the archive deletes rows, it writes in the same
change what each such cell must say to name the same record: a row below the
deleted ones by its new number, a row that left with ARCHIVED_MARK (the database
keeps it under the sheet and row it had; a reference so marked is never
renumbered again). An open item whose 事项编号 is made from such a cell (a spot
check's) gets its new number on 交接表 too, so the next handover hands on the
same item with its 本班进展.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Collection, Mapping, Sequence

from workbook_tools.core.changes import Change, ledger_change
from workbook_tools.core.deadlines import item_key
from workbook_tools.core.records import Record, WorkbookCheck
from workbook_tools.spec.rowrules import ARCHIVED_MARK
from workbook_tools.spec.sheets import HANDOVER
from workbook_tools.spec.types import Column


def named_row(value: object) -> tuple[str, int] | None:
    """The sheet (as written, "" when the number stands alone) and row a cell names: 「回访表!12」, 「回访表！12」,
    「'回访表'!12」, 「回访表 ! 12」 or 「12」; None when it names no row."""
    text = str(value).strip().replace("！", "!")
    sheet, _, number = text.rpartition("!")
    number = number.strip()
    return (sheet.strip().strip("'"), int(number)) if number.isdigit() else None


def renamed_rows(
    check: WorkbookCheck, gone: Mapping[str, Sequence[int]], formulas: Mapping[str, Collection[tuple[int, int]]]
) -> list[Change]:
    """The changes that keep every cell naming a row by number on the same record once `gone` (sheet -> rows) are
    deleted (see the module docstring). A cell a formula makes (`formulas`: sheet -> (row, column)) is left alone:
    writing over it would drop the formula."""
    gone = {sheet: sorted(rows) for sheet, rows in gone.items() if rows}
    if not gone:
        return []
    # every sheet's name, longest first, so that 「2025 退件表!9」 is that sheet's row, not 退件表's
    names = sorted({grid.name for grid in check.grids} | set(gone), key=len, reverse=True)
    named = re.compile("(" + "|".join(map(re.escape, names)) + r")!(\d+)(?!\d)(?!" + re.escape(ARCHIVED_MARK) + ")")

    def now(sheet: str, row: int) -> str:
        rows = gone[sheet]
        at = bisect_left(rows, row)
        return f"{sheet}!{row}{ARCHIVED_MARK}" if at < len(rows) and rows[at] == row else f"{sheet}!{row - at}"

    def in_text(found: re.Match[str]) -> str:
        return now(found[1], int(found[2])) if found[1] in gone else found[0]

    def reference(value: object, target: str) -> object:
        """A cell that names one row, maybe by its number alone (of `target`): renamed in the form it was written
        in, but for its spelling (回访表！12 becomes 回访表!7); a number typed as a number stays one."""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        found = None if str(value).strip().endswith(ARCHIVED_MARK) else named_row(value)
        if found is None or (found[0] or target) not in gone:
            return value
        written = now(found[0] or target, found[1])
        if found[0] or written.endswith(ARCHIVED_MARK):
            return written
        number = int(written.partition("!")[2])
        return number if isinstance(value, int) else str(number)

    sheets = {t.table.spec: t.table.sheet for t in check.tables}
    updates: dict[str, list[tuple[int, Column, object]]] = {}
    keys: dict[str, str] = {}  # an open item's 事项编号 before -> after
    for table_check in check.tables:
        table, spec = table_check.table, table_check.table.spec
        targets = {r.column: sheets.get(r.sheet, "") for r in spec.references}
        columns = [c for c in dict.fromkeys((*spec.names_rows, *targets)) if c in table.columns]
        if not columns:
            continue
        made = formulas.get(table.sheet, ())
        grid = next(g for g in check.grids if g.name == table.sheet)
        for record in table_check.records:
            renamed: dict[Column, str] = {}
            for column in columns:
                col = table.columns[column]
                value = grid.value(record.row, col)
                if (record.row, col) in made or value is None or isinstance(value, bool):
                    continue
                if column in targets:
                    new = reference(value, targets[column])
                else:
                    new = named.sub(in_text, value) if isinstance(value, str) and "!" in value else value
                if new != value:
                    updates.setdefault(table.sheet, []).append((record.row, column, new))
                    renamed[column] = str(new)
            if renamed and spec.follow_up is not None and set(renamed) & set(spec.follow_up.key):
                key = spec.follow_up.prefix, spec.follow_up.key
                keys[_key(record, *key)] = _key(record, *key, renamed)
    handover = check.target(HANDOVER)
    if handover is not None and keys:
        moved = [
            (r.row, HANDOVER.item_no, keys[r[HANDOVER.item_no]])
            for r in handover.records
            if r[HANDOVER.item_no] in keys
        ]
        updates.setdefault(handover.table.sheet, []).extend(moved)
    changes = []
    for table_check in check.tables:
        if table_check.table.sheet in updates:
            change = ledger_change(table_check.table.spec, table_check.table, updates=updates[table_check.table.sheet])
            changes += [change] if change is not None else []
    return changes


def _key(record: Record, prefix: str, columns: Sequence[Column], renamed: Mapping[Column, str] | None = None) -> str:
    """An item's 事项编号 as deadlines makes it, with `renamed` columns' new text."""
    return item_key(prefix, *((renamed or {}).get(c, record[c]) for c in columns))
