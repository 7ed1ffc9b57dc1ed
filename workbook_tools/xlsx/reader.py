"""Reading workbooks: refuse what is not a usable .xlsx/.xlsm with one sentence, hand each sheet over as a grid.

Reading uses python-calamine (Rust): it is several times faster than openpyxl
and hands each sheet over as one 2-D block, which is all the core needs.
Before calamine sees a file, `package_checks` refuses packages we cannot use
safely and `sheet_xml` bounds the block each sheet would take.
"""

from __future__ import annotations

import io
import re
import stat
import zipfile
from functools import partial
from pathlib import Path

from workbook_tools.core.tables import Area, Grid, TableArea
from workbook_tools.errors import InputFileError
from workbook_tools.xlsx.opc import column_number
from workbook_tools.xlsx.package_checks import MAIN_NS, WORKBOOK_PART, ZIP_DAMAGE, WorkbookIndex, check_package
from workbook_tools.xlsx.sheet_xml import PieceReader, read_rows

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
MAX_FILE_BYTES = 256 * 2**20  # the file is read into memory; a year of a team's ledgers is a few MB
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


def _damaged(name: str) -> str:
    return f"「{name}」已损坏，无法读取，请用 Excel 打开并另存一份再试。"


def check_workbook_file(path: Path) -> None:
    """Refuse, with a sentence the user can act on, anything that is not a readable .xlsx/.xlsm."""
    name = path.name
    if not path.exists():
        raise InputFileError(f"找不到文件「{path}」，请检查文件名和路径。")
    if path.is_dir():
        raise InputFileError(f"「{path}」是文件夹，请指定一个 .xlsx 文件。")
    status = path.stat()
    if not stat.S_ISREG(status.st_mode):  # a pipe or a device would block or never end
        raise InputFileError(f"「{name}」不是普通文件（是管道或设备），请指定一个 Excel 工作簿文件。")
    if status.st_size > MAX_FILE_BYTES:
        raise InputFileError(
            f"「{name}」有 {status.st_size // 2**20} MB，超出本工具能读的范围（{MAX_FILE_BYTES // 2**20} MB）；"
            "请把旧数据移到另一个文件后再试。"
        )
    with path.open("rb") as handle:
        head = handle.read(8)
    if head == _CFB_MAGIC:
        if _ENCRYPTION_STREAM in path.read_bytes():
            raise InputFileError(f"「{name}」设置了打开密码，请在 Excel 中取消密码（文件→信息→保护工作簿）后再试。")
        raise InputFileError(f"「{name}」是旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 后再试。")
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise InputFileError(f"「{name}」不是 Excel 工作簿（.xlsx 或 .xlsm），请换一个文件。")
    broken = f"「{name}」不是有效的 Excel 文件（已损坏，或只是把扩展名改成了 {path.suffix}），请用 Excel 打开确认。"
    if not head.startswith(b"PK\x03\x04"):
        raise InputFileError(broken)
    try:
        package = zipfile.ZipFile(path)
    except ZIP_DAMAGE as exc:
        raise InputFileError(broken) from exc
    with package:
        if WORKBOOK_PART not in package.namelist():
            raise InputFileError(broken)
        try:
            check_package(package, name)
        except ZIP_DAMAGE as exc:
            raise InputFileError(_damaged(name)) from exc


def workbook_index(data: bytes, name: str) -> WorkbookIndex:
    """What the workbook part says (sheet parts, date system), the package checked as on opening."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return check_package(package, name)
    except ZIP_DAMAGE as exc:
        raise InputFileError(_damaged(name)) from exc


def date1904(data: bytes, name: str) -> bool:
    """Whether the workbook counts dates from 1904 (older Mac Excel)."""
    return workbook_index(data, name).date1904


def grids_of(data: bytes, name: str, only: set[str] | None = None) -> list[Grid]:
    """Every worksheet (or those named in `only`) as a Grid anchored at A1, chart sheets skipped.

    Read within bounds of time and memory (see `sheet_xml`).
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    index = workbook_index(data, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            book = CalamineWorkbook.from_filelike(io.BytesIO(data))
            reader = PieceReader(package, index.date1904)
            worksheets = [meta.name for meta in book.sheets_metadata if meta.typ == SheetTypeEnum.WorkSheet]
            tables = _tables(package, [index.sheet_parts[sheet] for sheet in worksheets if sheet in index.sheet_parts])
            grids = []
            for meta in book.sheets_metadata:
                if meta.typ != SheetTypeEnum.WorkSheet or (only is not None and meta.name not in only):
                    continue
                part = index.sheet_parts.get(meta.name)
                if part is None:
                    raise InputFileError(
                        f"「{name}」的「{meta.name}」表找不到内容，文件已损坏，请用 Excel 打开并另存一份再试。"
                    )
                xml = package.read(part)
                rows = read_rows(xml, partial(book.get_sheet_by_name, meta.name), reader, meta.name, name)
                grids.append(Grid(meta.name, rows, tables=tables.get(meta.name, ()), merged=merged_ranges(xml)))
            return grids
    except InputFileError:
        raise
    except MemoryError as exc:
        raise InputFileError(f"「{name}」太大，这台电脑的内存不够读取它；请把旧数据移到另一个文件后再试。") from exc
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise InputFileError(_damaged(name)) from exc


def _tables(package: zipfile.ZipFile, worksheet_parts: list[str]) -> dict[str, tuple[TableArea, ...]]:
    """Each sheet's Excel tables, as calamine reads their parts.

    calamine lays out a table's whole sheet to hand the table over: a second
    read of every ledger, and one that `sheet_xml` does not bound. So it reads
    the tables from a copy of the package whose worksheets hold no cells (and
    whose shared strings are none, which no cell refers to now): the table
    parts, their relationships and the sheet names are the file's own.
    """
    from python_calamine import CalamineWorkbook

    out = io.BytesIO()
    blank = {**dict.fromkeys(worksheet_parts, _EMPTY_WORKSHEET), _SHARED_STRINGS: _NO_STRINGS}  # nor its strings
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as copy:
        for info in package.infolist():
            if info.filename in blank:
                copy.writestr(info.filename, blank[info.filename])
            elif not info.is_dir():
                copy.writestr(info.filename, package.read(info))
    out.seek(0)
    book = CalamineWorkbook.from_filelike(out, load_tables=True)
    tables: dict[str, list[TableArea]] = {}
    for table_name in book.table_names or ():
        table = book.get_table_by_name(table_name)  # start: the first data row; the header is the row above
        if table.start is None or table.end is None:
            continue
        (first_row, first_col), (last_row, last_col) = table.start, table.end
        area = (first_row, first_col + 1, max(last_row + 1, first_row + 1), last_col + 1)
        tables.setdefault(table.sheet, []).append(TableArea(table_name, area))
    return {sheet: tuple(found) for sheet, found in tables.items()}


_EMPTY_WORKSHEET = f'<worksheet xmlns="{MAIN_NS}"><sheetData/></worksheet>'.encode()
_SHARED_STRINGS = "xl/sharedStrings.xml"  # where calamine looks for them
_NO_STRINGS = f'<sst xmlns="{MAIN_NS}" count="0" uniqueCount="0"/>'.encode()

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"\$?([A-Z]+)\$?(\d+)(?::\$?([A-Z]+)\$?(\d+))?\"")


def merged_ranges(xml: bytes) -> tuple[Area, ...]:
    """The sheet's merged ranges, found in its XML without laying the sheet out (one search, C speed).

    The pattern's scan stops at every `<` of the sheet; most sheets merge
    nothing, and a plain substring test says so ten times faster.
    """
    if b"mergeCell" not in xml:
        return ()
    found = []
    for left, top, right, bottom in _MERGE.findall(xml):
        found.append(
            (int(top), column_number(left.decode()), int(bottom or top), column_number((right or left).decode()))
        )
    return tuple(found)


def read_grids(path: Path) -> list[Grid]:
    """Every worksheet of the workbook as a Grid anchored at A1 (chart sheets skipped)."""
    check_workbook_file(path)
    return grids_of(path.read_bytes(), path.name)
