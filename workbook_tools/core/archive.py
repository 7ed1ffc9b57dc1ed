"""Which ledger rows leave the workbook for the archive, and the fingerprint that proves each arrived whole.

A row leaves when its sheet declares the day that dates it (`Sheet.archive`)
and how it is followed up (`Sheet.follow_up`), the row is dated before the day
asked for, has no validation error and is closed: not open by its follow-up, or
open but lapsed (the platform closed it). Rows that are one item (`one_per`: an
order chased on several days) leave together or not at all, so an item is never
split between the workbook and the archive. A row that also holds something
beside the ledger, or crosses a merged range or another table, stays: deleting
it would take that along. So does a row a formula that stays points at alone
(`pinned`): deleting it would turn the formula into #REF!; and one that holds
what a database row does not keep (`holding`: a note, a picture, a link).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from workbook_tools.core.approval import awaiting
from workbook_tools.core.changes import DeleteRows
from workbook_tools.core.deadlines import lapsed
from workbook_tools.core.records import Record, TableCheck, WorkbookCheck
from workbook_tools.core.tables import Grid, Table, column_letters, normalize_header
from workbook_tools.core.values import BadValue, is_blank, parser_for
from workbook_tools.spec.sheets import LEDGERS
from workbook_tools.spec.types import Column, Kind, Sheet

ID_PROPERTY = "workbook-tools 归档编号"  # custom document properties a user sees under 文件 → 属性 → 自定义
RUN_PROPERTY = "workbook-tools 归档批次"
DATABASE_PROPERTY = "workbook-tools 归档数据库"
Extras = tuple[tuple[str, Any], ...]  # (header, value) of the team's own columns of a row, in sheet order
ARCHIVED = tuple(spec for spec in LEDGERS if spec.archive is not None and spec.follow_up is not None)


_MONEY = {spec: tuple(i for i, c in enumerate(spec.columns) if c.kind is Kind.MONEY) for spec in ARCHIVED}


@dataclass(frozen=True)
class ArchiveMark:
    """What a workbook carries of its archive, in its own custom document properties.

    `workbook` is its identity in the archive: a random id written with the first
    rewrite, so it follows the file through a move, a rename or another mount of
    the same share (a drive letter or the server's name), which a path cannot. `run` is
    the last run whose rows left the workbook: rows of a later run whose rewrite
    was refused are still in the workbook and count there, not in the archive.
    `database` names the database that holds the archive (`store.archive.home`), so
    that neither an archive nor a report goes to another one and leaves each
    database short of the other's rows; None in a workbook archived before it
    was written.
    """

    workbook: str
    run: int
    database: str | None = None

    @classmethod
    def of(cls, found: Mapping[str, str | None]) -> ArchiveMark | None:
        workbook, run = found.get(ID_PROPERTY), found.get(RUN_PROPERTY)
        if not workbook or not run or not run.strip().isdigit():
            return None
        return cls(workbook.strip(), int(run), (found.get(DATABASE_PROPERTY) or "").strip() or None)

    def properties(self) -> dict[str, str]:
        held = {DATABASE_PROPERTY: self.database} if self.database else {}
        return {ID_PROPERTY: self.workbook, RUN_PROPERTY: str(self.run), **held}


@dataclass(frozen=True)
class Leaving:
    """One row on its way to the archive: its clean values, the team's own cells, and their fingerprint."""

    row: int
    values: tuple[Any, ...]  # in the order of `Sheet.columns`
    extras: str  # JSON list of [header, value]: what the team keeps beside the declared columns
    checksum: str


@dataclass(frozen=True)
class SheetArchive:
    """The rows of one ledger sheet that leave, and how many closed old rows stay (see the module docstring)."""

    spec: Sheet
    sheet: str
    header_row: int
    rows: tuple[Leaving, ...]
    kept: int
    referenced: int = 0  # of `kept`: rows a formula that stays points at (see `archive_plan`)
    holding: int = 0  # of `kept`: rows with a note, a picture or a link (see `archive_plan`)

    def change(self) -> DeleteRows:
        return DeleteRows(sheet=self.sheet, rows=tuple(r.row for r in self.rows), header_row=self.header_row)


def canonical(value: object) -> object:
    """A value as the fingerprint sees it: the same whether it comes from the workbook or from a database."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, (date, time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return str(value)


def checksum(spec: Sheet, values: Sequence[Any], extras: str) -> str:
    """SHA-256 of a row's declared values (in declaration order) and its team columns.

    The text hashed is the repr of the values' tuple, made in C: it tells None
    from "" and 1 from "1", and dates, times, numbers and text read back from
    either database as they went in; money alone is normalised (a Numeric(15, 2)
    column gives 12.50 for 12.5).
    """
    plain = tuple(values)
    if money := _MONEY[spec]:
        normal = list(plain)
        for i in money:
            if type(value := normal[i]) is Decimal:
                normal[i] = value.normalize()
        plain = tuple(normal)
    return hashlib.sha256(f"{plain!r}\n{extras}".encode()).hexdigest()


def extras_json(pairs: Extras) -> str:
    if not pairs:
        return "[]"  # most rows: as json.dumps writes it, without its cost
    return json.dumps([[header, canonical(value)] for header, value in pairs], ensure_ascii=False)


def _closed(record: Record, check: WorkbookCheck, at: datetime) -> bool:
    """Nothing left to do: not open by its follow-up (or lapsed), and no amount waiting for the lead's approval
    (the handover still hands that on, and 日汇总 counts it)."""
    follow_up, approval = record.spec.follow_up, record.spec.approval
    assert follow_up is not None
    if approval is not None and awaiting(record.__getitem__, approval, check.settings):
        return False
    return not follow_up.open_when.holds(record.__getitem__) or lapsed(record, check.settings, at)


def _dated_before(record: Record, before: date) -> bool:
    assert record.spec.archive is not None
    value = record[record.spec.archive.by]
    day = value.date() if isinstance(value, datetime) else value
    return isinstance(day, date) and day < before


def _whole_items(records: Sequence[Record], leaving: set[int]) -> set[int]:
    """Of the rows that may leave, those whose every fellow row of the same item (`one_per`) may leave too."""
    follow_up = records[0].spec.follow_up if records else None
    if follow_up is None or follow_up.one_per is None:
        return leaving
    stays = {r[follow_up.one_per] for r in records if r.row not in leaving and r[follow_up.one_per] is not None}
    return {r.row for r in records if r.row in leaving and r[follow_up.one_per] not in stays}


def _grid(check: WorkbookCheck, table: Table) -> Grid:
    return next(g for g in check.grids if g.name == table.sheet)


def _alone(grid: Grid, table: Table, rows: Iterable[int]) -> set[int]:
    """Of `rows`, those whose deletion takes nothing but the ledger's own cells: no value beside the ledger's
    columns, no merged range or other table on the row."""
    left, right = table.span[0] - grid.first_col, table.last_col - grid.first_col + 1  # the ledger within a row
    spans = [(area[0], area[2]) for area in grid.merged]
    spans += [(t.area[0], t.area[2]) for t in grid.tables if t != table.excel_table]
    alone = set()
    for row in rows:
        if any(top <= row <= bottom for top, bottom in spans):
            continue
        offset = row - grid.first_row
        cells = grid.rows[offset] if 0 <= offset < len(grid.rows) else []
        if len(cells) > right and not all(map(is_blank, cells[right:])):
            continue
        if left > 0 and not all(map(is_blank, cells[:left])):
            continue
        alone.add(row)
    return alone


def _own_columns(grid: Grid, table: Table) -> list[tuple[int, str]]:
    """The team's own columns inside the ledger's block: (column, header as written, else its letter)."""
    declared = set(table.columns.values())
    return [
        (col, normalize_header(grid.value(table.header_row, col)) or column_letters(col))
        for col in range(table.span[0], table.last_col + 1)
        if col not in declared
    ]


def _computed(grid: Grid, column: Column, col: int, rows: Sequence[int], today: date, date1904: bool) -> list[Any]:
    """A formula column of `rows` as the workbook shows it (a team may type over one), in the workbook's date
    system: kept as values, None where unreadable. Each distinct cell is read once (told apart by type too: 1, 1.0
    and True read differently)."""
    parse = parser_for(column.kind, today, date1904)
    read: dict[tuple[type, Any], Any] = {}
    values = []
    for row in rows:
        raw = grid.value(row, col)
        key = (type(raw), raw)
        if key not in read:
            try:
                read[key] = None if is_blank(raw) else parse(raw)
            except BadValue:
                read[key] = None
        values.append(read[key])
    return values


def _sheet_archive(
    check: WorkbookCheck,
    table_check: TableCheck,
    before: date,
    at: datetime,
    pinned: Collection[int],
    holding: Collection[int],
) -> SheetArchive:
    table = table_check.table
    records = table_check.records
    old = {r.row for r in records if _dated_before(r, before)}
    may = {r.row for r in records if r.row in old and not r.has_errors and _closed(r, check, at)}
    leaving = _whole_items(records, may.difference(pinned, holding))
    grid = _grid(check, table)
    leaving = _whole_items(records, _alone(grid, table, leaving))
    own = _own_columns(grid, table)
    columns = table.spec.columns
    going = [record for record in records if record.row in leaving]
    numbers = [record.row for record in going]
    found = [list(map(record.values.get, columns)) for record in going]
    for i, column in enumerate(columns):  # validation leaves formula columns out: read them here
        if column.computed and column in table.columns:
            # a word column validation reads (邮费承担方) is kept as figures read it
            unread = [k for k, record in enumerate(going) if column not in record.values]
            where = [numbers[k] for k in unread]
            shown = _computed(grid, column, table.columns[column], where, at.date(), check.date1904)
            for k, value in zip(unread, shown, strict=True):
                found[k][i] = value
    rows = []
    for row, cells in zip(numbers, found, strict=True):
        values = tuple(cells)
        pairs = tuple((header, v) for col, header in own if not is_blank(v := grid.value(row, col)))
        extras = extras_json(pairs)
        rows.append(Leaving(row, values, extras, checksum(table.spec, values, extras)))
    kept = len(may) - len(rows)
    held = may.intersection(holding)
    referenced = len(may.intersection(pinned).difference(held))
    return SheetArchive(table.spec, table.sheet, table.header_row, tuple(rows), kept, referenced, len(held))


def archive_plan(
    check: WorkbookCheck,
    before: date,
    at: datetime,
    pinned: Mapping[str, Collection[int]] | None = None,
    holding: Mapping[str, Collection[int]] | None = None,
) -> list[SheetArchive]:
    """Every archived ledger table's leaving rows (sheets without a declared date and follow-up are left alone).

    `pinned` (sheet -> rows) are rows that stay whatever they hold: a formula
    that stays points at them alone (「=A2」 in the row below, a summary's
    =退件表!H7), and deleting them would turn it into #REF!. Only the file
    knows its formulas, so the caller asks it and plans again. `holding` (sheet
    -> rows) are rows with a note, a picture or a link, which the file knows too.
    """
    return [
        _sheet_archive(
            check,
            table_check,
            before,
            at,
            (pinned or {}).get(table_check.table.sheet, ()),
            (holding or {}).get(table_check.table.sheet, ()),
        )
        for table_check in check.tables
        if table_check.table.spec in ARCHIVED
    ]
