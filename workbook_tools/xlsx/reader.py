"""Reading workbooks: refuse what is not a usable .xlsx/.xlsm with one sentence, hand each sheet over as a grid.

Reading uses python-calamine (Rust): it is several times faster than openpyxl
and hands each sheet over as one 2-D block, which is all the core needs.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from workbook_tools.core.tables import Grid, TableArea
from workbook_tools.errors import InputFileError

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")


def check_workbook_file(path: Path) -> None:
    """Refuse, with a sentence the user can act on, anything that is not a readable .xlsx/.xlsm."""
    name = path.name
    if not path.exists():
        raise InputFileError(f"找不到文件「{path}」，请检查文件名和路径。")
    if path.is_dir():
        raise InputFileError(f"「{path}」是文件夹，请指定一个 .xlsx 文件。")
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
        with zipfile.ZipFile(path) as package:
            if "xl/workbook.xml" not in package.namelist():
                raise InputFileError(broken)
    except zipfile.BadZipFile as exc:
        raise InputFileError(broken) from exc


def grids_of(data: bytes, name: str) -> list[Grid]:
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data), load_tables=True)
        tables: dict[str, list[TableArea]] = {}
        for table_name in book.table_names or ():
            table = book.get_table_by_name(table_name)  # start: the first data row; the header is the row above
            if table.start is None or table.end is None:
                continue
            (first_row, first_col), (last_row, last_col) = table.start, table.end
            area = (first_row, first_col + 1, max(last_row + 1, first_row + 1), last_col + 1)
            tables.setdefault(table.sheet, []).append(TableArea(table_name, area))
        grids = []
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            sheet = book.get_sheet_by_name(meta.name)
            merged = tuple(
                (top + 1, left + 1, bottom + 1, right + 1)
                for (top, left), (bottom, right) in sheet.merged_cell_ranges or ()
            )
            grids.append(
                Grid(
                    meta.name,
                    sheet.to_python(skip_empty_area=False),
                    tables=tuple(tables.get(meta.name, ())),
                    merged=merged,
                )
            )
        return grids
    except Exception as exc:  # calamine raises its own types for every kind of damage
        raise InputFileError(f"「{name}」已损坏，无法读取，请用 Excel 打开并另存一份再试。") from exc


def read_grids(path: Path) -> list[Grid]:
    """Every worksheet of the workbook as a Grid anchored at A1 (chart sheets skipped)."""
    check_workbook_file(path)
    return grids_of(path.read_bytes(), path.name)
