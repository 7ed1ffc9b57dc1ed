"""The 校验结果 tab, and the record on it of the marks the Excel button left in the ledgers.

`marked` (sheets carrying our highlight rule) and `noted` (cells we put a note
on) are kept on the tab, so the next run can tell its own marks from the team's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from workbook_tools.core.changes import Block, NewSheet, Style, place
from workbook_tools.core.records import WorkbookCheck
from workbook_tools.core.tables import Grid
from workbook_tools.spec.reports import RESULTS


def results_sheet(check: WorkbookCheck, noted: list[str], marked: list[str], at: datetime) -> NewSheet:
    """Every finding with its address (column A drives the marks in the ledgers)."""
    rows = tuple(
        (f"{f.sheet}!{f.cell}", f.sheet, f.cell, f.column, f.severity.label, f.code, f.message) for f in check.findings
    ) or (("",) * (len(RESULTS.header) - 1) + (RESULTS.nothing,),)
    summary = RESULTS.summary(f"{at:%Y-%m-%d %H:%M}", check.errors, check.warnings)
    title, instead_of = results_title(check.grids)
    return NewSheet(
        title,
        (
            Block(1, 1, ((summary,),), style=Style.TITLE),
            Block(
                2,
                1,
                ((RESULTS.marked_prefix + "|".join(marked),), (RESULTS.noted_prefix + "|".join(noted),)),
                style=Style.NOTE,
            ),
            Block(4, 1, (RESULTS.header,), style=Style.HEADER),
            Block(5, 1, rows),
        ),
        widths={1: 16, 2: 12, 3: 12, 4: 12, 5: 12, 6: 24, 7: 90},
        freeze_row=4,
        instead_of=instead_of,
    )


def results_title(grids: Iterable[Grid]) -> tuple[str, str]:
    """Where 校验结果 goes: our earlier tab, or a free name when the team's own sheet is called that."""
    return place(grids, RESULTS.title, RESULTS.signature)


def earlier_marks(grids: list[Grid]) -> tuple[list[str], list[str]]:
    """What an earlier run recorded on 校验结果: (sheets with our rule, cells with our note)."""
    title, _ = results_title(grids)
    grid = next((g for g in grids if g.name == title), None)
    found: dict[str, list[str]] = {RESULTS.marked_prefix: [], RESULTS.noted_prefix: []}
    for row in grid.rows[:4] if grid else ():
        text = row[0] if row and isinstance(row[0], str) else ""
        for prefix in found:
            if text.startswith(prefix):
                found[prefix] = [part for part in text[len(prefix) :].split("|") if part]
    return found[RESULTS.marked_prefix], found[RESULTS.noted_prefix]
