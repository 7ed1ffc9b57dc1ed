"""The Excel end: reading a live workbook and applying changes through xlwings' Book API.

Every Range access is a round trip to Excel, so a sheet is read as one block,
appended rows are written as one block, and formats go in groups. The same
change description the file backend applies (changes.py) is applied here.
"""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterable, Iterator

from workbook_tools.core.changes import Block, CellValue, Change, EditSheet, NewSheet
from workbook_tools.spec.types import Kind, Role
from workbook_tools.core.tables import Grid


def read_grids(book: Any) -> list[Grid]:
    """Every sheet's used range as one 2-D block (rows hidden by a filter are read too)."""
    grids = []
    for sheet in book.sheets:
        used = sheet.used_range
        values = used.options(ndim=2).value
        grids.append(Grid(sheet.name, [list(row) for row in values], used.row, used.column))
    return grids


def _supported(app: Any, name: str) -> bool:
    try:
        getattr(app, name)
        return True
    except (NotImplementedError, AttributeError):
        return False


@contextmanager
def busy(book: Any, message: str) -> Iterator[None]:
    """Status bar message, no screen updates, manual calculation; all restored, errors included.

    Uses xlwings' own `app.properties`; settings an engine cannot read back
    (the remote engine has no status bar) are left out rather than failing.
    """
    wanted = {"status_bar": message, "screen_updating": False, "calculation": "manual"}
    app = book.app
    with app.properties(**{k: v for k, v in wanted.items() if _supported(app, k)}):
        yield


def _plain(value: object) -> object:
    """Values as Excel takes them through the API."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


def _edit(book: Any, grid: Grid, edit: EditSheet) -> None:
    sheet = book.sheets[edit.sheet]
    last_existing = grid.first_row + len(grid.rows) - 1
    appended = [c for c in edit.cells if c.row > last_existing]
    if appended:
        top, bottom = min(c.row for c in appended), max(c.row for c in appended)
        left, right = min(c.col for c in appended), max(c.col for c in appended)
        matrix = [[None] * (right - left + 1) for _ in range(bottom - top + 1)]
        for c in appended:
            matrix[c.row - top][c.col - left] = _plain(c.value)
        sheet.range((top, left), (bottom, right)).value = matrix
        for kind in (Kind.DATE, Kind.DATETIME):
            for col in sorted({c.col for c in appended if c.kind is kind}):
                sheet.range((top, col), (bottom, col)).number_format = kind.number_format
    by_column: dict[int, list[CellValue]] = {}
    for c in edit.cells:
        if c.row <= last_existing:
            by_column.setdefault(c.col, []).append(c)
    for col, cells in sorted(by_column.items()):
        top, bottom = min(c.row for c in cells), max(c.row for c in cells)
        column = [[grid.value(row, col)] for row in range(top, bottom + 1)]  # unchanged cells keep their values
        for c in cells:
            column[c.row - top][0] = _plain(c.value)
        sheet.range((top, col), (bottom, col)).value = column
    if edit.last_row is not None:
        for table in sheet.tables:
            area = table.range
            if area.row == edit.header_row:
                table.resize(sheet.range((area.row, area.column), (edit.last_row, area.last_cell.column)))


def _canvas(new: NewSheet) -> list[list[object]]:
    height = max(b.row + len(b.rows) - 1 for b in new.blocks)
    width = max(b.col + max(len(r) for r in b.rows) - 1 for b in new.blocks)
    grid: list[list[object]] = [[None] * width for _ in range(height)]
    for block in new.blocks:
        for r, values in enumerate(block.rows):
            for c, value in enumerate(values):
                grid[block.row - 1 + r][block.col - 1 + c] = _plain(value)
    return grid


def _header_colours(new: NewSheet, height: int, width: int) -> list[list[object]]:
    colours: list[list[object]] = [[...] * width for _ in range(height)]
    for block in new.blocks:
        if block.style == "header":
            for c in range(len(block.rows[0])):
                fill = new.header_fills[c] if c < len(new.header_fills) else Role.COMPUTED.fill
                colours[block.row - 1][block.col - 1 + c] = fill
    return colours


def _formatted_columns(blocks: Iterable[Block]) -> dict[tuple[int, Kind], tuple[int, int]]:
    """(column, kind) → the rows it spans, for number formats written a column at a time."""
    spans: dict[tuple[int, Kind], tuple[int, int]] = {}
    for block in blocks:
        for offset, kind in enumerate(block.kinds):
            if kind in (Kind.MONEY, Kind.DATE, Kind.DATETIME, Kind.RATE):
                key = (block.col + offset, kind)
                first, last = spans.get(key, (block.row, block.row + len(block.rows) - 1))
                spans[key] = (min(first, block.row), max(last, block.row + len(block.rows) - 1))
    return spans


def _generated(book: Any, new: NewSheet) -> None:
    """A generated tab: cleared in place if it exists (formulas pointing at it stay valid), else added last."""
    names = [s.name for s in book.sheets]
    if new.title in names:
        sheet = book.sheets[new.title]
        for chart in list(sheet.charts):
            chart.delete()
        sheet.clear()
    else:
        sheet = book.sheets.add(new.title, after=book.sheets[len(names) - 1])
    canvas = _canvas(new)
    sheet.range((1, 1), (len(canvas), len(canvas[0]))).value = canvas
    sheet.range((1, 1), (len(canvas), len(canvas[0]))).set_colors(_header_colours(new, len(canvas), len(canvas[0])))
    for (col, kind), (first, last) in sorted(_formatted_columns(new.blocks).items()):
        sheet.range((first, col), (last, col)).number_format = kind.number_format
    for width in sorted(set(new.widths.values())):
        cols = [c for c, w in new.widths.items() if w == width]
        for start, end in _runs(cols):
            sheet.range((1, start), (1, end)).column_width = width
    for spec in new.charts:
        first_row, label_col, last_row, _ = spec.categories
        last_col = max(area[3] for _, area in spec.series)
        sheet.charts.add(chart_type="column_clustered" if spec.kind == "column" else "line",
                         source=sheet.range((first_row - 1, label_col), (last_row, last_col)),
                         anchor=sheet.range(spec.anchor), width=420, height=220)


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for n in sorted(numbers):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def apply_changes(book: Any, grids: list[Grid], changes: Iterable[Change | None]) -> None:
    by_name = {g.name: g for g in grids}
    for change in changes:
        if isinstance(change, EditSheet):
            _edit(book, by_name[change.sheet], change)
        elif change is not None:
            _generated(book, change)
