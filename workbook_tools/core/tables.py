"""Finding the team's sheets by their header row, wherever it sits, and where each ledger ends.

A `Grid` is a sheet's values as one 2-D block (what calamine or xlwings hands
over), with the sheet's Excel tables and merged ranges; a `Table` is a grid
recognised as one of our sheets, with each known column located, the team's own
columns left alone, and the rows it may grow into without covering anything else.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cache, cached_property
from operator import itemgetter
from typing import Any

from workbook_tools.core.values import is_blank
from workbook_tools.errors import InputFileError
from workbook_tools.spec.sheets import LEDGERS
from workbook_tools.spec.types import Column, Sheet

HEADER_SCAN_ROWS = 60  # a logo, a title block and notes may sit above the header
_MIN_MATCHED = 3
_MISSPELLING_RATIO = 0.6
LAST_ROW = 1_048_576  # the last row of a sheet
GRID_SLOTS = 20_000_000  # list slots of one sheet's grid a backend may hand to the core (8 bytes each)

Area = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col (1-based, inclusive)


def too_large(file: str, sheet: str) -> InputFileError:
    """The refusal of a sheet whose cells would take more than GRID_SLOTS slots to hand over."""
    return InputFileError(
        f"「{file}」的「{sheet}」表有内容的范围太大（超过 {GRID_SLOTS // 10_000:,} 万个单元格），"
        "超出本工具能读的范围；请删除表格下方和右侧不用的内容后再试。"
    )


def overlaps(a: Area, b: Area) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


@dataclass(frozen=True)
class TableArea:
    """An Excel table (ListObject) on a sheet: its name and its area, header row included."""

    name: str
    area: Area


@dataclass(frozen=True)
class Grid:
    """A sheet's values; `rows[0][0]` is cell (first_row, first_col), both 1-based.

    `tables` and `merged` are what the sheet holds besides values, so a ledger is
    never grown over a neighbouring table or a merged note (empty when unknown).
    """

    name: str
    rows: list[list[Any]]
    first_row: int = 1
    first_col: int = 1
    tables: tuple[TableArea, ...] = ()
    merged: tuple[Area, ...] = ()

    @cached_property
    def occupied(self) -> tuple[int, ...]:
        """Offsets into `rows` of the rows holding any cell: scans follow the cells present, not the rectangle
        (one stray cell at XFD1048576 makes a million rows, all but a few of them empty)."""
        return tuple(offset for offset, cells in enumerate(self.rows) if cells)

    def between(self, first: int, last: int) -> list[int]:
        """The occupied offsets from `first` to `last`, both included."""
        return list(self.occupied[bisect_left(self.occupied, first) : bisect_right(self.occupied, last)])

    def value(self, row: int, col: int) -> Any:
        r, c = row - self.first_row, col - self.first_col
        if 0 <= r < len(self.rows) and 0 <= c < len(self.rows[r]):
            return self.rows[r][c]
        return None


def column_letters(col: int) -> str:
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(row: int, col: int) -> str:
    """A1-style address of a 1-based row and column (kept here: importing XlsxWriter costs each click)."""
    return f"{column_letters(col)}{row}"


def normalize_header(text: object) -> str:
    """「订单 编号*」, 「订单\\n编号」 and 「订单编号（必填）」 all read as 订单编号."""
    if not isinstance(text, str):
        return ""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    text = re.sub(r"\((?:必填|选填|自动|自动计算)\)$", "", text)
    return text.strip("*")


@dataclass(frozen=True)
class UnknownHeader:
    col: int
    text: str
    suggestion: str


@dataclass(frozen=True, kw_only=True)
class Table:
    spec: Sheet
    sheet: str
    header_row: int
    columns: dict[Column, int]  # declared column -> its 1-based column on the sheet
    row_numbers: tuple[int, ...]  # the data rows (1-based), blank rows skipped
    cells: dict[Column, list[Any]]  # declared column -> raw value in each data row, column by column
    unknown_headers: tuple[UnknownHeader, ...] = field(default=())
    last_used_row: int = 0  # the ledger's last typed row (computed-only rows count as empty)
    last_col: int = 0  # the ledger's last column (see _block_end): a column we add goes after it
    excel_table: TableArea | None = None  # the Excel table whose header row is ours, if any
    room: int = LAST_ROW  # rows free from next_row down before something else (a table, a note) begins
    span: tuple[int, int] = (1, 1)  # the ledger's first and last column

    @property
    def next_row(self) -> int:
        return max(self.header_row, self.last_used_row) + 1

    def has(self, column: Column) -> bool:
        return column in self.columns


@cache
def _names(spec: Sheet) -> tuple[tuple[Column, frozenset[str]], ...]:
    """Each column's header and aliases as a header cell reads after normalize_header (asked for every row of
    every sheet's top while looking for its header)."""
    return tuple((column, frozenset(normalize_header(n) for n in column.names)) for column in spec.columns)


def _match_columns(spec: Sheet, headers: dict[int, str]) -> dict[Column, int]:
    found: dict[Column, int] = {}
    for column, names in _names(spec):
        for col, text in headers.items():
            if text in names and col not in found.values():
                found[column] = col
                break
    return found


def _header_cells(grid: Grid, row: int) -> dict[int, str]:
    r = row - grid.first_row
    cells = grid.rows[r] if 0 <= r < len(grid.rows) else []
    texts = ((grid.first_col + i, normalize_header(v)) for i, v in enumerate(cells))
    return {col: text for col, text in texts if text}


def _score(spec: Sheet, grid: Grid, matched: dict[Column, int]) -> tuple[int, int, int]:
    named = grid.name.strip() in (spec.title, *spec.aliases)
    required = sum(1 for c in spec.columns if c.required and c in matched)
    return (len(matched), required, int(named))


def _suggest(text: str, missing: list[Column]) -> str | None:
    best, best_ratio = None, _MISSPELLING_RATIO
    for column in missing:
        for name in column.names:
            ratio = difflib.SequenceMatcher(None, text, normalize_header(name)).ratio()
            if ratio >= best_ratio:
                best, best_ratio = column.header, ratio
    return best


def recognise(grid: Grid) -> Table | None:
    """The best-matching sheet declaration and header row for a grid, if any."""
    best: tuple[tuple[int, int, int], Sheet, int, dict[Column, int]] | None = None
    last_scan = min(grid.first_row + len(grid.rows), grid.first_row + HEADER_SCAN_ROWS)
    for row in range(grid.first_row, last_scan):
        headers = _header_cells(grid, row)
        if len(headers) < _MIN_MATCHED:
            continue
        for spec in LEDGERS:
            matched = _match_columns(spec, headers)
            if len(matched) < _MIN_MATCHED:
                continue
            score = _score(spec, grid, matched)
            if best is None or score > best[0]:
                best = (score, spec, row, matched)
    if best is None:
        return None
    _, spec, header_row, matched = best
    headers = _header_cells(grid, header_row)
    missing = [c for c in spec.columns if c not in matched]
    unknown = []
    for col, text in headers.items():
        if col in matched.values():
            continue
        suggestion = _suggest(text, missing)
        if suggestion:
            unknown.append(UnknownHeader(col, text, suggestion))
    span = (min(matched.values()), max(matched.values()))
    excel_table = next(
        (
            t
            for t in grid.tables
            if t.area[0] == header_row and overlaps(t.area, (header_row, span[0], header_row, span[1]))
        ),
        None,
    )
    if excel_table is not None:
        span = (min(span[0], excel_table.area[1]), max(span[1], excel_table.area[3]))
    end = min(_ledger_end(grid, header_row, span, excel_table, matched), grid.first_row + len(grid.rows) - 1)
    row_numbers, cells = _data(grid, header_row, end, matched)
    last_col = _block_end(grid, header_row, end, max(headers))
    last_used = _last_used_row(grid, header_row, end, matched, last_col)
    return Table(
        spec=spec,
        sheet=grid.name,
        header_row=header_row,
        columns=matched,
        row_numbers=row_numbers,
        cells=cells,
        unknown_headers=tuple(unknown),
        last_used_row=last_used,
        last_col=last_col,
        excel_table=excel_table,
        room=_room(
            grid,
            max(header_row, last_used) + 1,
            span,
            excel_table,
            {c - grid.first_col for column, c in matched.items() if column.computed},
        ),
        span=span,
    )


def _typed(row: list[Any], indexes: list[int]) -> bool:
    width = len(row)
    for i in indexes:  # noqa: SIM110 - a plain loop: any() with a generator per row costs 3x at 100k rows
        if i < width and not is_blank(row[i]):
            return True
    return False


def _ledger_end(
    grid: Grid, header_row: int, span: tuple[int, int], excel_table: TableArea | None, columns: dict[Column, int]
) -> int:
    """The ledger's last row: its Excel table's (and rows typed right under it), else the row before a neighbour.

    Without an Excel table, blank rows inside the ledger are skipped, but another
    table or a merged range across the ledger's columns below it ends the ledger.
    """
    last_row = grid.first_row + len(grid.rows) - 1
    if excel_table is not None:
        inputs = [c - grid.first_col for column, c in columns.items() if not column.computed]
        end = excel_table.area[2]
        while (
            end < last_row
            and _typed(grid.rows[end + 1 - grid.first_row], inputs)
            and not _blocked(grid, (end + 1, span[0], end + 1, span[1]), excel_table)
        ):
            end += 1
        return end
    below = (header_row + 1, span[0], LAST_ROW, span[1])
    starts = [a[0] for a in [t.area for t in grid.tables] + list(grid.merged) if overlaps(a, below)]
    return min([last_row, *(start - 1 for start in starts)])


def _blocked(grid: Grid, area: Area, own: TableArea | None) -> bool:
    """Whether another table or a merged range covers part of `area`."""
    return any(overlaps(t.area, area) for t in grid.tables if t != own) or any(overlaps(m, area) for m in grid.merged)


def _room(grid: Grid, start: int, span: tuple[int, int], own: TableArea | None, computed: set[int]) -> int:
    """How many rows from `start` down are free to append into: no value, no other table, no merged range.

    Rows of our own Excel table (sized ahead by the team) are free; so are cells of our formula columns.
    """
    first, last = span
    below = (start, first, LAST_ROW, last)
    obstacles = [t.area[0] for t in grid.tables if t != own and overlaps(t.area, below)]
    obstacles += [m[0] for m in grid.merged if overlaps(m, below)]
    own_end = own.area[2] if own is not None else 0
    columns = [i for i in range(max(first - grid.first_col, 0), last - grid.first_col + 1) if i not in computed]
    for offset in grid.between(max(start - grid.first_row, 0), len(grid.rows) - 1):
        if grid.first_row + offset > own_end and _typed(grid.rows[offset], columns):
            obstacles.append(grid.first_row + offset)
            break
    return min([LAST_ROW + 1, *obstacles]) - start


def _data(
    grid: Grid, header_row: int, end: int, columns: dict[Column, int]
) -> tuple[tuple[int, ...], dict[Column, list[Any]]]:
    """The ledger's rows that have an input cell typed, as columns (one pass per column, not per cell)."""
    inputs = [c - grid.first_col for column, c in columns.items() if not column.computed]
    kept = [
        o for o in grid.between(header_row - grid.first_row + 1, end - grid.first_row) if _typed(grid.rows[o], inputs)
    ]
    rows = [grid.rows[offset] for offset in kept]
    numbers = tuple(grid.first_row + offset for offset in kept)
    return numbers, {column: _column(rows, c - grid.first_col) for column, c in columns.items()}


def _column(rows: list[list[Any]], index: int) -> list[Any]:
    try:
        return list(map(itemgetter(index), rows))
    except IndexError:  # a ragged grid (xlwings and calamine hand over rectangles; hand-made grids may not be)
        return [cells[index] if index < len(cells) else None for cells in rows]


def _block_end(grid: Grid, header_row: int, end: int, last_header: int) -> int:
    """The ledger's last column: its last header, then each next column holding something in the ledger's rows
    (notes a team types beside it); the first blank column ends it, so a stray cell far away is not the ledger's."""
    rows = [grid.rows[offset] for offset in grid.between(header_row - grid.first_row, end - grid.first_row)]
    col = last_header
    while any(not is_blank(cells[index]) for cells in rows if (index := col + 1 - grid.first_col) < len(cells)):
        col += 1
    return col


def _last_used_row(grid: Grid, header_row: int, end: int, columns: dict[Column, int], last_col: int) -> int:
    """The ledger's last row with anything typed in it up to `last_col` (a team's own column counts, a formula
    column does not)."""
    computed = {c - grid.first_col for column, c in columns.items() if column.computed}
    width = last_col - grid.first_col + 1
    for offset in reversed(grid.between(header_row - grid.first_row + 1, end - grid.first_row)):
        if any(i not in computed and not is_blank(v) for i, v in enumerate(grid.rows[offset][:width])):
            return grid.first_row + offset
    return header_row


def find_tables(grids: list[Grid]) -> list[Table]:
    return [table for table in map(recognise, grids) if table is not None]
