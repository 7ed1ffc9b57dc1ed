"""The Excel end: reading a live workbook and applying changes through xlwings' Book API.

Every Range access is a round trip to Excel, so a sheet is read as one block
and written in as few calls as the change allows, independent of the number of
rows: changed cells in runs, appended rows as one block, formats per block. The
same change description the file backend applies (core/changes.py) is applied
here, with the same result: values, table extent, number formats, block styles,
column widths, freeze panes and charts.

A cell the change does not name is never written, so a formula between two
edited cells stays a formula. Rows below the sheet's used range are empty, so
appended rows go in as one rectangle.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from workbook_tools.core.changes import (
    Block,
    CellValue,
    Change,
    DeleteRows,
    EditSheet,
    Highlight,
    Look,
    NewSheet,
    Style,
)
from workbook_tools.core.tables import GRID_SLOTS, Area, Grid, TableArea, too_large
from workbook_tools.spec.types import Kind

TITLE_ROW_HEIGHT = 24
LAST_COLUMN = 16_384  # a range across every column is whole rows: Excel deletes them as rows


def read_grids(book: Any) -> list[Grid]:
    """Every sheet's used range as one 2-D block (rows hidden by a filter are read too), and its Excel tables.

    A used range stretched by a stray cell far out (XFD1048576) cannot come
    through the API cell by cell: past the core's bound it is refused, by size,
    before a single value is asked for.
    """
    grids = []
    for sheet in book.sheets:
        used = sheet.used_range
        rows, columns = used.shape
        if rows * columns > GRID_SLOTS:
            raise too_large(book.name, sheet.name)
        values = used.options(ndim=2, err_to_str=True).value  # #N/A as its text, not as a blank
        tables = []
        for table in sheet.tables:
            area = table.range
            tables.append(TableArea(table.name, (area.row, area.column, area.last_cell.row, area.last_cell.column)))
        grids.append(Grid(sheet.name, [list(row) for row in values], used.row, used.column, tables=tuple(tables)))
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


def runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive numbers as (first, last) pairs: 1, 2, 3, 7 → (1, 3), (7, 7)."""
    found: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if found and n == found[-1][1] + 1:
            found[-1] = (found[-1][0], n)
        else:
            found.append((n, n))
    return found


def _edit(book: Any, grid: Grid, edit: EditSheet) -> None:
    sheet = book.sheets[edit.sheet]
    last_existing = grid.first_row + len(grid.rows) - 1
    appended = [c for c in edit.cells if c.row > last_existing]
    if appended:
        top, bottom = min(c.row for c in appended), max(c.row for c in appended)
        left, right = min(c.col for c in appended), max(c.col for c in appended)
        matrix: list[list[object]] = [[None] * (right - left + 1) for _ in range(bottom - top + 1)]
        for c in appended:
            matrix[c.row - top][c.col - left] = _plain(c.value)
        sheet.range((top, left), (bottom, right)).value = matrix
        for kind in (Kind.DATE, Kind.DATETIME):
            for col in sorted({c.col for c in appended if c.kind is kind}):
                sheet.range((top, col), (bottom, col)).number_format = kind.number_format
    by_column: dict[int, dict[int, CellValue]] = {}
    for c in edit.cells:
        if c.row <= last_existing:
            by_column.setdefault(c.col, {})[c.row] = c
    for col, cells in sorted(by_column.items()):
        for first, last in runs(row for row, cell in cells.items() if cell.value is not None):
            _write_run(sheet, col, first, [cells[row].value for row in range(first, last + 1)])
        for first, last in runs(row for row, cell in cells.items() if cell.value is None):
            formulas = sheet.range((first, col), (last, col)).options(ndim=1).formula
            for start, end in runs(first + i for i, f in enumerate(formulas) if not str(f or "").startswith("=")):
                _write_run(sheet, col, start, [None] * (end - start + 1))
    if edit.last_row is not None:
        for table in sheet.tables:
            area = table.range
            if area.row == edit.header_row and edit.last_row > area.last_cell.row:  # never shrink
                table.resize(sheet.range((area.row, area.column), (edit.last_row, area.last_cell.column)))
    _wrap(sheet, edit.wrapped)
    _fit(sheet, edit.wrapped_texts)
    for first, last in runs(edit.hidden_rows):
        sheet.range((first, 1), (last, 1)).rows.hidden = True
    _highlight(sheet, edit.highlights)


def _wrap(sheet: Any, areas: Iterable[Area]) -> None:
    for first_row, first_col, last_row, last_col in areas:
        sheet.range((first_row, first_col), (last_row, last_col)).wrap_text = True


def _fit(sheet: Any, texts: Mapping[tuple[int, int], str]) -> None:
    """Rows holding wrapped text as tall as it needs: Excel measures it with the fonts it draws."""
    for first, last in runs(row for row, _ in texts):
        sheet.range((first, 1), (last, 1)).rows.autofit()


def _rule_formulas(sheet: Any) -> str | None:
    """The formulas of the sheet's conditional formats as one text; None where the engine cannot list them."""
    try:
        return "".join(rule.formula or "" for rule in sheet.cells.conditional_formats)
    except NotImplementedError:  # xlwings Server and Lite read them only asynchronously
        return None


def _highlight(sheet: Any, highlights: tuple[Highlight, ...]) -> None:
    """Add the rules the sheet has none of (by marker); Excel puts each added rule on top, so the last goes first.

    Where the engine cannot say which rules the sheet has, none are added: a
    rule added at every handover would pile up.
    """
    present = _rule_formulas(sheet) if highlights else None
    if present is None:
        return
    for h in reversed([h for h in highlights if h.marker not in present]):
        first_row, first_col, last_row, last_col = h.area
        sheet.range((first_row, first_col), (last_row, last_col)).conditional_formats.add_custom(
            "=" + h.formula, fill_color=h.look.fill, font_color=h.look.font_color
        )


def _write_run(sheet: Any, col: int, first: int, values: list[object]) -> None:
    """Adjacent cells of one column in one call."""
    target = sheet.range((first, col), (first + len(values) - 1, col))
    target.value = [[_plain(v)] for v in values] if len(values) > 1 else _plain(values[0])


def _canvas(new: NewSheet) -> list[list[object]]:
    height = max(b.row + len(b.rows) - 1 for b in new.blocks)
    width = max(b.col + max(len(r) for r in b.rows) - 1 for b in new.blocks)
    grid: list[list[object]] = [[None] * width for _ in range(height)]
    for block in new.blocks:
        for r, values in enumerate(block.rows):
            for c, value in enumerate(values):
                grid[block.row - 1 + r][block.col - 1 + c] = _plain(value)
    return grid


def _fills(new: NewSheet, height: int, width: int) -> list[list[object]]:
    """Each cell's fill: a block style's, a ledger-like tab's per-column header colour, or ... to leave it."""
    colours: list[list[object]] = [[...] * width for _ in range(height)]
    for block in new.blocks:
        fill = block.style.look.fill
        if fill is None:
            continue
        for r, values in enumerate(block.rows):
            for c in range(len(values)):
                own = new.header_fills[c] if block.style is Style.HEADER and c < len(new.header_fills) else fill
                colours[block.row - 1 + r][block.col - 1 + c] = own
    return colours


def _draw(area: Any, look: Look) -> None:
    """A block style's look on a range, property by property (each one call)."""
    if look.bold:
        area.font.bold = True
    if look.italic:
        area.font.italic = True
    if look.size:
        area.font.size = look.size
    if look.font_color:
        area.font.color = look.font_color
    if look.border:
        area.borders.line_style = "continuous"
    if look.top_border:
        area.borders["edge_top"].line_style = "continuous"
    if look.wrap:
        area.wrap_text = True
    if look.center:
        area.horizontal_alignment = "center"
        area.vertical_alignment = "center"


def _formatted_runs(blocks: Iterable[Block]) -> list[tuple[int, int, int, Kind]]:
    """(first row, last row, column, kind) of the cells each kind formats, adjacent cells joined."""
    rows: dict[tuple[int, Kind], set[int]] = {}
    for block in blocks:
        for offset, kind in enumerate(block.kinds):
            if kind is not None:
                rows.setdefault((block.col + offset, kind), set()).update(range(block.row, block.row + len(block.rows)))
    return [
        (first, last, col, kind)
        for (col, kind), numbers in sorted(rows.items(), key=lambda i: i[0][0])
        for first, last in runs(numbers)
    ]


def freeze_rows(sheet: Any, rows: int) -> None:
    """Freeze the top `rows` rows: xlwings' own call where the engine has it, else Excel's window on Windows."""
    try:
        sheet.freeze_panes.freeze_at(f"1:{rows}")
        return
    except NotImplementedError:
        pass
    sheet.activate()
    window = sheet.book.app.api.ActiveWindow
    window.FreezePanes = False
    window.SplitColumn = 0
    window.SplitRow = rows
    window.FreezePanes = True


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
    whole = sheet.range((1, 1), (len(canvas), len(canvas[0])))
    whole.value = canvas
    whole.set_colors(_fills(new, len(canvas), len(canvas[0])))
    for block in new.blocks:
        if block.style is Style.BODY:
            continue
        width = max(len(r) for r in block.rows)
        area = sheet.range((block.row, block.col), (block.row + len(block.rows) - 1, block.col + width - 1))
        _draw(area, block.style.look)
        if block.style is Style.TITLE:
            area.row_height = TITLE_ROW_HEIGHT
    for first, last, col, kind in _formatted_runs(new.blocks):
        sheet.range((first, col), (last, col)).number_format = kind.number_format
    _wrap(
        sheet,
        [
            (block.row, block.col + c, block.row + len(block.rows) - 1, block.col + c)
            for block in new.blocks
            for c, wraps in enumerate(block.wraps)
            if wraps
        ],
    )
    for column_width in sorted(set(new.widths.values())):
        for start, end in runs(c for c, w in new.widths.items() if w == column_width):
            sheet.range((1, start), (1, end)).column_width = column_width
    _fit(sheet, new.wrapped_texts)  # after the widths: the lines a text takes depend on them
    if new.freeze_row:
        freeze_rows(sheet, new.freeze_row)
    _highlight(sheet, new.highlights)
    for spec in new.charts:
        first_row, label_col, last_row, _ = spec.categories
        last_col = max(area[3] for _, area in spec.series)
        sheet.charts.add(
            chart_type="column_clustered" if spec.kind == "column" else "line",
            source=sheet.range((first_row - 1, label_col), (last_row, last_col)),
            anchor=sheet.range(spec.anchor),
            width=420,
            height=220,
        )


def _delete_rows(book: Any, change: DeleteRows) -> None:
    """Whole rows, one call per run of adjacent rows, the lowest first so the row numbers above stay true; Excel
    itself moves what is below, shrinks the table and rewrites every reference."""
    sheet = book.sheets[change.sheet]
    for first, last in reversed(runs(change.rows)):
        sheet.range((first, 1), (last, LAST_COLUMN)).delete(shift="up")


def apply_changes(book: Any, grids: list[Grid], changes: Iterable[Change | None]) -> None:
    by_name = {g.name: g for g in grids}
    for change in changes:
        if isinstance(change, EditSheet):
            _edit(book, by_name[change.sheet], change)
        elif isinstance(change, DeleteRows):
            _delete_rows(book, change)
        elif change is not None:
            _generated(book, change)
