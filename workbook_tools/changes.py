"""What a command changes in a workbook, described as data.

The core returns these; a backend applies them (`xlsx_package` on files, the
xlwings backend in Excel). One description, two appliers: the paths cannot
drift, and nothing is written until the whole change is known.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .schema import Kind


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


Change = EditSheet | NewSheet
