"""What a command changes in a workbook, described as data.

The core returns these; a backend applies them (xlsx/package.py on files, the
xlwings backend in Excel). One description, two appliers: the paths cannot
drift, and nothing is written until the whole change is known.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from typing import Literal

from workbook_tools.core.tables import LAST_ROW, Area, Grid, Table
from workbook_tools.errors import OutputError
from workbook_tools.spec.reports import DAILY, PERIODS, RESULTS
from workbook_tools.spec.types import Column, Kind, Role, Sheet


@dataclass(frozen=True)
class CellValue:
    row: int  # 1-based
    col: int
    value: object  # None empties the cell
    kind: Kind = Kind.TEXT


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
class Highlight:
    """A conditional format: the cells of `area` take `look` while `formula` (no leading =) holds for them.

    The formula names its cells as INDEX($C:$C,ROW()), never by relative
    reference, so it means the same whatever cell Excel anchors it to. `marker`
    is a text only our rule's formula holds: a sheet whose rules already hold it
    gets no second one.
    """

    area: Area
    formula: str
    look: Look
    marker: str


Highlights = Callable[[Mapping[Column, int], Area], tuple[Highlight, ...]]  # rules for a ledger laid out so


@dataclass(frozen=True, kw_only=True)
class EditSheet:
    """Cells of an existing sheet to set; its Excel table, if any, grows to end at `last_row` (never shrinks).

    `wrapped`: areas whose cells show long text on several lines (created empty
    where needed, so a person's later typing wraps too); `highlights`: rules to
    add unless the sheet has them; `hidden_rows`: rows to hide (never deleted).
    """

    sheet: str
    cells: tuple[CellValue, ...]
    last_row: int | None = None
    header_row: int = 1  # the table to resize is the one whose header is this row
    wrapped: tuple[Area, ...] = ()
    highlights: tuple[Highlight, ...] = ()  # highest priority first
    hidden_rows: tuple[int, ...] = ()

    @property
    def wrapped_texts(self) -> dict[tuple[int, int], str]:
        """The texts written into wrapped cells, by (row, col): their rows must grow to show them whole."""
        return {
            (c.row, c.col): c.value
            for c in self.cells
            if isinstance(c.value, str)
            and any(r1 <= c.row <= r2 and c1 <= c.col <= c2 for r1, c1, r2, c2 in self.wrapped)
        }


@dataclass(frozen=True)
class Block:
    """A rectangle of a generated sheet: `rows` start at (row, col); `style` says how it looks."""

    row: int
    col: int
    rows: tuple[tuple[object, ...], ...]
    kinds: tuple[Kind | None, ...] = ()
    style: Style = Style.BODY
    wraps: tuple[bool, ...] = ()  # per column: long text on several lines


@dataclass(frozen=True, kw_only=True)
class Chart:
    kind: Literal["column", "line"]
    title: str
    categories: Area  # the labels
    series: tuple[tuple[str, Area], ...]  # (name, values)
    anchor: tuple[int, int]


@dataclass(frozen=True)
class NewSheet:
    """A tab we generate whole: created at the end, or replacing our earlier one of the same name.

    The core names it (`place`): a sheet of that name, if any, is ours to replace;
    `instead_of` is the name we wanted and left alone because the team's own sheet holds it.
    """

    title: str
    blocks: tuple[Block, ...]
    _: KW_ONLY
    charts: tuple[Chart, ...] = ()
    widths: dict[int, float] = field(default_factory=dict)
    header_fills: tuple[str, ...] = ()  # per column of a header block, for ledger-like tabs
    freeze_row: int = 0
    instead_of: str = ""
    highlights: tuple[Highlight, ...] = ()  # highest priority first

    @property
    def sheet(self) -> str:  # the sheet a change touches, as EditSheet.sheet
        return self.title

    @property
    def wrapped_texts(self) -> dict[tuple[int, int], str]:
        """The texts of wrapped columns, by (row, col), as EditSheet.wrapped_texts."""
        return {
            (block.row + r, block.col + c): value
            for block in self.blocks
            for r, values in enumerate(block.rows)
            for c, value in enumerate(values)
            if isinstance(value, str) and c < len(block.wraps) and block.wraps[c]
        }


@dataclass(frozen=True, kw_only=True)
class DeleteRows:
    """Whole rows of a sheet to delete, as Excel deletes rows: what is below moves up, the table whose header is
    `header_row` ends that many rows higher, and every reference into the moved rows follows them."""

    sheet: str
    rows: tuple[int, ...]  # 1-based, below `header_row`
    header_row: int = 1


Change = EditSheet | NewSheet | DeleteRows


def placement_note(change: Change | None) -> str:
    """The sentence that says a generated tab went elsewhere because the team's own sheet holds its name."""
    if isinstance(change, NewSheet) and change.instead_of:
        return f"工作簿里的「{change.instead_of}」不是本工具生成的，没有改动它；这次写在「{change.title}」。"
    return ""


Signature = tuple[int, tuple[str, ...]]  # a row number and the texts that row of a generated tab starts with


def _carries(grid: Grid, signature: Signature) -> bool:
    row, texts = signature
    return tuple(grid.value(row, grid.first_col + i) for i in range(len(texts))) == texts


def generated(grid: Grid) -> bool:
    """Whether a sheet is a tab we generate whole (日汇总, 周报, 月报, 校验结果): never read as a ledger (周报's
    breakdowns have a ledger's headers)."""
    signatures = (DAILY.signature, RESULTS.signature, *(s.signature for s in PERIODS.values()))
    return any(_carries(grid, signature) for signature in signatures)


def place(grids: Iterable[Grid], title: str, signature: Signature | None = None) -> tuple[str, str]:
    """(the title to write a generated tab under, the title it avoided or "").

    `title` if no sheet holds it or the sheet there is one we generated (it carries
    `signature`); else `title（2）`, `title（3）`…: a sheet we did not make is never
    replaced.
    """
    by_name = {g.name: g for g in grids}
    n = 1
    while True:
        candidate = title if n == 1 else f"{title}（{n}）"
        grid = by_name.get(candidate)
        if grid is None or (signature is not None and _carries(grid, signature)):
            return candidate, "" if n == 1 else title
        n += 1


def ledger_change(
    spec: Sheet,
    table: Table | None,
    append: Sequence[Mapping[Column, object]] = (),
    updates: Sequence[tuple[int, Column, object]] = (),
    replace: bool = False,
    grids: Iterable[Grid] = (),
    highlights: Highlights | None = None,
    hidden_rows: Sequence[int] = (),
) -> Change | None:
    """Rows to add to (or, with `replace`, to put in place of the rows of) a declared ledger.

    Writes into the sheet's own columns wherever they are; a declared column the
    team's sheet lacks is added after its last column; a workbook without the
    sheet gets a new one laid out like the template (`grids`: the sheets it has,
    so a sheet of the team's that holds the name is left alone). Cells written in
    a column declared `wrap` wrap; `highlights` makes the sheet's conditional
    formats from where its columns ended up.
    """
    if table is None:
        if not append:
            return None
        title, instead_of = place(grids, spec.title)
        positions = {c: i for i, c in enumerate(spec.columns, start=1)}
        return NewSheet(
            title,
            (
                Block(1, 1, (tuple(c.header for c in spec.columns),), style=Style.HEADER),
                Block(
                    2,
                    1,
                    tuple(tuple(row.get(c) for c in spec.columns) for row in append),
                    tuple(c.kind for c in spec.columns),
                    wraps=tuple(c.wrap for c in spec.columns),
                ),
            ),
            widths={i: c.display_width for c, i in positions.items()},
            header_fills=tuple(c.role.fill for c in spec.columns),
            freeze_row=1,
            instead_of=instead_of,
            highlights=highlights(positions, (2, 1, LAST_ROW, len(positions))) if highlights else (),
        )
    columns = dict(table.columns)
    cells = []
    wanted = {c for row in append for c in row} | {c for _, c, _ in updates}
    for column in spec.columns:
        if column not in columns and column in wanted:
            columns[column] = max(table.last_col, *columns.values()) + 1
            cells.append(CellValue(table.header_row, columns[column], column.header))
    start = table.header_row + 1 if replace else table.next_row
    end = start + len(append) - 1
    if end >= table.next_row + table.room:
        raise OutputError(
            f"「{table.sheet}」第 {table.next_row + table.room} 行起是别的内容（另一个表格、合并的单元格或文字），"
            f"{spec.title}下面没有空间再写 {end - table.next_row + 1} 行："
            "请在表格末尾插入足够的空行，或把下面的内容移开后再试。"
        )
    for offset, row in enumerate(append):
        cells += [CellValue(start + offset, columns[c], v, c.kind) for c, v in row.items() if v not in (None, "")]
    if replace:
        cells += [CellValue(r, c, None) for r in range(end + 1, table.last_used_row + 1) for c in columns.values()]
    cells += [CellValue(row, columns[c], v, c.kind) for row, c, v in updates]
    if not cells:
        return None
    wrapped = [(start, columns[c], end, columns[c]) for c in spec.columns if c.wrap and c in columns and append]
    wrapped += [(row, columns[c], row, columns[c]) for row, c, v in updates if c.wrap and v not in (None, "")]
    grows = bool(append) or replace
    table_end = table.excel_table.area[2] if table.excel_table is not None else table.header_row + 1
    area = (table.header_row + 1, table.span[0], LAST_ROW, max(table.last_col, *columns.values()))
    return EditSheet(
        sheet=table.sheet,
        cells=tuple(cells),
        last_row=max(end, table_end) if grows else None,
        header_row=table.header_row,
        wrapped=tuple(wrapped),
        highlights=highlights(columns, area) if highlights else (),
        hidden_rows=tuple(sorted(set(hidden_rows))),
    )
