"""What a command changes in a workbook, described as data.

The core returns these; a backend applies them (xlsx/package.py on files, the
xlwings backend in Excel). One description, two appliers: the paths cannot
drift, and nothing is written until the whole change is known.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

from workbook_tools.core.tables import Table
from workbook_tools.spec.types import Column, Kind, Role, Sheet


@dataclass(frozen=True)
class CellValue:
    row: int  # 1-based
    col: int
    value: object  # None empties the cell
    kind: Kind = Kind.TEXT


@dataclass(frozen=True, kw_only=True)
class EditSheet:
    """Cells of an existing sheet to set; its Excel table, if any, is resized to end at `last_row`."""

    sheet: str
    cells: tuple[CellValue, ...]
    last_row: int | None = None
    header_row: int = 1  # the table to resize is the one whose header is this row


@dataclass(frozen=True, kw_only=True)
class Look:
    """Cell formatting a backend can draw: fonts, a fill, borders, alignment."""

    bold: bool = False
    italic: bool = False
    size: float | None = None
    font_color: str | None = None
    fill: str | None = None
    border: bool = False  # a thin line on every side
    top_border: bool = False
    wrap: bool = False
    center: bool = False


class Style(enum.Enum):
    """How a block of a generated sheet looks; both backends draw each the same way."""

    TITLE = "title"
    NOTE = "note"
    HEADER = "header"
    BODY = "body"
    TOTAL = "total"

    @property
    def look(self) -> Look:
        return _LOOKS[self]


_LOOKS = {
    Style.TITLE: Look(bold=True, size=14),
    Style.NOTE: Look(italic=True, font_color="#595959"),
    Style.HEADER: Look(bold=True, border=True, wrap=True, center=True, fill=Role.COMPUTED.fill),
    Style.TOTAL: Look(bold=True, top_border=True),
    Style.BODY: Look(),
}


@dataclass(frozen=True)
class Block:
    """A rectangle of a generated sheet: `rows` start at (row, col); `style` says how it looks."""

    row: int
    col: int
    rows: tuple[tuple[object, ...], ...]
    kinds: tuple[Kind | None, ...] = ()
    style: Style = Style.BODY


Area = tuple[int, int, int, int]  # first_row, first_col, last_row, last_col (1-based)


@dataclass(frozen=True, kw_only=True)
class Chart:
    kind: Literal["column", "line"]
    title: str
    categories: Area  # the labels
    series: tuple[tuple[str, Area], ...]  # (name, values)
    anchor: tuple[int, int]


@dataclass(frozen=True)
class NewSheet:
    """A tab we generate whole: created at the end, or replacing our earlier one of the same name."""

    title: str
    blocks: tuple[Block, ...]
    _: KW_ONLY
    charts: tuple[Chart, ...] = ()
    widths: dict[int, float] = field(default_factory=dict)
    header_fills: tuple[str, ...] = ()  # per column of a header block, for ledger-like tabs
    freeze_row: int = 0

    @property
    def sheet(self) -> str:  # the sheet a change touches, as EditSheet.sheet
        return self.title


Change = EditSheet | NewSheet


def ledger_change(
    spec: Sheet,
    table: Table | None,
    append: Sequence[Mapping[Column, object]] = (),
    updates: Sequence[tuple[int, Column, object]] = (),
    replace: bool = False,
) -> Change | None:
    """Rows to add to (or, with `replace`, to put in place of the rows of) a declared ledger.

    Writes into the sheet's own columns wherever they are; a declared column the
    team's sheet lacks is added after its last column; a workbook without the
    sheet gets a new one laid out like the template.
    """
    if table is None:
        if not append:
            return None
        return NewSheet(
            spec.title,
            (
                Block(1, 1, (tuple(c.header for c in spec.columns),), style=Style.HEADER),
                Block(
                    2,
                    1,
                    tuple(tuple(row.get(c) for c in spec.columns) for row in append),
                    tuple(c.kind for c in spec.columns),
                ),
            ),
            widths={i: c.display_width for i, c in enumerate(spec.columns, start=1)},
            header_fills=tuple(c.role.fill for c in spec.columns),
            freeze_row=1,
        )
    columns = dict(table.columns)
    cells = []
    wanted = {c for row in append for c in row} | {c for _, c, _ in updates}
    for column in spec.columns:
        if column not in columns and column in wanted:
            columns[column] = max(table.last_col, *columns.values()) + 1
            cells.append(CellValue(table.header_row, columns[column], column.header))
    start = table.header_row + 1 if replace else table.next_row
    for offset, row in enumerate(append):
        cells += [CellValue(start + offset, columns[c], v, c.kind) for c, v in row.items() if v not in (None, "")]
    end = start + len(append) - 1
    if replace:
        cells += [CellValue(r, c, None) for r in range(end + 1, table.last_used_row + 1) for c in columns.values()]
    cells += [CellValue(row, columns[c], v, c.kind) for row, c, v in updates]
    if not cells:
        return None
    grows = append or replace
    return EditSheet(
        sheet=table.sheet,
        cells=tuple(cells),
        last_row=max(end, table.header_row + 1) if grows else None,
        header_row=table.header_row,
    )
