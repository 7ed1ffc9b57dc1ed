"""Finding the team's sheets by their header row, wherever it sits.

A `Grid` is a sheet's values as one 2-D block (what calamine or xlwings hands
over); a `Table` is a grid recognised as one of our sheets, with each known
column located and the team's own columns left alone.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from workbook_tools.core.values import is_blank
from workbook_tools.spec.sheets import LEDGERS
from workbook_tools.spec.types import Column, Sheet

HEADER_SCAN_ROWS = 10  # a title row or two may sit above the header
_MIN_MATCHED = 3
_MISSPELLING_RATIO = 0.6


@dataclass(frozen=True)
class Grid:
    """A sheet's values; `rows[0][0]` is cell (first_row, first_col), both 1-based."""

    name: str
    rows: list[list[Any]]
    first_row: int = 1
    first_col: int = 1

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
    last_used_row: int = 0  # below it nothing is typed (computed-only rows count as empty)
    last_col: int = 0  # the used range's last column

    @property
    def next_row(self) -> int:
        return max(self.header_row, self.last_used_row) + 1

    def has(self, column: Column) -> bool:
        return column in self.columns


def _match_columns(spec: Sheet, headers: dict[int, str]) -> dict[Column, int]:
    found: dict[Column, int] = {}
    for column in spec.columns:
        names = {normalize_header(n) for n in column.names}
        for col, text in headers.items():
            if text in names and col not in found.values():
                found[column] = col
                break
    return found


def _header_cells(grid: Grid, row: int) -> dict[int, str]:
    r = row - grid.first_row
    cells = grid.rows[r] if 0 <= r < len(grid.rows) else []
    return {grid.first_col + i: normalize_header(v) for i, v in enumerate(cells) if normalize_header(v)}


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
    row_numbers, cells = _data(grid, header_row, matched)
    return Table(
        spec=spec,
        sheet=grid.name,
        header_row=header_row,
        columns=matched,
        row_numbers=row_numbers,
        cells=cells,
        unknown_headers=tuple(unknown),
        last_used_row=_last_used_row(grid, header_row, matched),
        last_col=grid.first_col + max((len(r) for r in grid.rows), default=0) - 1,
    )


def _data(grid: Grid, header_row: int, columns: dict[Column, int]) -> tuple[tuple[int, ...], dict[Column, list[Any]]]:
    """The rows below the header that have an input cell typed, as columns (one pass per column, not per cell)."""
    start = header_row - grid.first_row + 1
    body = grid.rows[start:]
    inputs = [c - grid.first_col for column, c in columns.items() if not column.computed]
    kept = []
    for offset, cells in enumerate(body):  # a plain loop: any() with a generator per row costs 3x at 100k rows
        width = len(cells)
        for i in inputs:
            if i < width and not is_blank(cells[i]):
                kept.append(offset)
                break
    rows = body if len(kept) == len(body) else [body[offset] for offset in kept]
    numbers = tuple(grid.first_row + start + offset for offset in kept)
    return numbers, {column: _column(rows, c - grid.first_col) for column, c in columns.items()}


def _column(rows: list[list[Any]], index: int) -> list[Any]:
    try:
        return list(map(itemgetter(index), rows))
    except IndexError:  # a ragged grid (xlwings and calamine hand over rectangles; hand-made grids may not be)
        return [cells[index] if index < len(cells) else None for cells in rows]


def _last_used_row(grid: Grid, header_row: int, columns: dict[Column, int]) -> int:
    computed = {c - grid.first_col for column, c in columns.items() if column.computed}
    for offset in range(len(grid.rows) - 1, header_row - grid.first_row, -1):
        if any(i not in computed and not is_blank(v) for i, v in enumerate(grid.rows[offset])):
            return grid.first_row + offset
    return header_row


def find_tables(grids: list[Grid]) -> list[Table]:
    return [table for table in map(recognise, grids) if table is not None]
