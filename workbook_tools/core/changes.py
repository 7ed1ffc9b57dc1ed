"""What a command changes in a workbook, described as data.

The core returns these; a backend applies them (`xlsx_package` on files, the
xlwings backend in Excel). One description, two appliers: the paths cannot
drift, and nothing is written until the whole change is known.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from workbook_tools.spec.types import Kind, SheetSpec
from workbook_tools.core.tables import Table


@dataclass(frozen=True)
class CellValue:
    row: int  # 1-based
    col: int
    value: object  # None empties the cell
    kind: Kind = Kind.TEXT


@dataclass(frozen=True)
class EditSheet:
    """Cells of an existing sheet to set; its Excel table, if any, is resized to end at `last_row`."""

    sheet: str
    cells: tuple[CellValue, ...]
    last_row: int | None = None
    header_row: int = 1  # the table to resize is the one whose header is this row


@dataclass(frozen=True)
class Block:
    """A rectangle of a generated sheet: `rows` start at (row, col); `style` says how it looks."""

    row: int
    col: int
    rows: tuple[tuple[object, ...], ...]
    kinds: tuple[Kind | None, ...] = ()
    style: str = "body"  # title | note | header | body | total


@dataclass(frozen=True)
class Chart:
    kind: str  # column | line
    title: str
    categories: tuple[int, int, int, int]  # first_row, col, last_row, col of the labels
    series: tuple[tuple[str, tuple[int, int, int, int]], ...]  # (name, values range)
    anchor: tuple[int, int]


@dataclass(frozen=True)
class NewSheet:
    """A tab we generate whole: created at the end, or replacing our earlier one of the same name."""

    title: str
    blocks: tuple[Block, ...]
    charts: tuple[Chart, ...] = ()
    widths: dict[int, float] = field(default_factory=dict)
    header_fills: tuple[str, ...] = ()  # per column of a "header" block, for ledger-like tabs
    freeze_row: int = 0

    @property
    def sheet(self) -> str:  # the sheet a change touches, as EditSheet.sheet
        return self.title


Change = EditSheet | NewSheet


def ledger_change(spec: SheetSpec, table: Table | None, append: Sequence[Mapping[str, object]] = (),
                  updates: Sequence[tuple[int, str, object]] = (), replace: bool = False) -> Change | None:
    """Rows to add to (or, with `replace`, to put in place of the rows of) a declared ledger.

    Writes into the sheet's own columns wherever they are; a declared column the
    team's sheet lacks is added after its last column; a workbook without the
    sheet gets a new one laid out like the template.
    """
    if table is None:
        if not append:
            return None
        headers = tuple(c.header for c in spec.columns)
        return NewSheet(spec.title, (
            Block(1, 1, (headers,), style="header"),
            Block(2, 1, tuple(tuple(row.get(h) for h in headers) for row in append),
                  tuple(c.kind for c in spec.columns))),
            widths={i: c.display_width for i, c in enumerate(spec.columns, start=1)},
            header_fills=tuple(c.role.fill for c in spec.columns), freeze_row=1)
    columns = dict(table.columns)
    cells = []
    wanted = {h for row in append for h in row} | {h for _, h, _ in updates}
    for column in spec.columns:
        if column.header not in columns and column.header in wanted:
            columns[column.header] = max(table.last_col, *columns.values()) + 1
            cells.append(CellValue(table.header_row, columns[column.header], column.header))
    start = table.header_row + 1 if replace else table.next_row
    for offset, row in enumerate(append):
        cells += [CellValue(start + offset, columns[h], v, spec.column(h).kind)
                  for h, v in row.items() if v is not None]
    end = start + len(append) - 1
    if replace:
        cells += [CellValue(r, c, None) for r in range(end + 1, table.last_used_row + 1) for c in columns.values()]
    cells += [CellValue(row, columns[h], v, spec.column(h).kind) for row, h, v in updates]
    if not cells:
        return None
    grows = append or replace
    return EditSheet(table.sheet, tuple(cells), max(end, table.header_row + 1) if grows else None,
                     table.header_row)
