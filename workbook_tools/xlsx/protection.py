"""What a workbook's owner has protected against changes, which a command must not write around.

A protected sheet (审阅 → 保护工作表, with or without a password) keeps Excel
users from editing its cells; a workbook whose structure is protected
(审阅 → 保护工作簿) keeps them from adding, deleting or replacing sheets.
Writing the file directly would bypass both, so a command that would do either
refuses and says what is protected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from workbook_tools.core.changes import Change, NewSheet
from workbook_tools.errors import WorkbookProtected
from workbook_tools.xlsx.opc import Package, q

_SHEET_PROTECTION = re.compile(rb"<(?:[\w.-]+:)?sheetProtection\b([^>]*)>")
_ON = re.compile(r"""^\s*(1|true)\s*$""")


def _on(value: str | None) -> bool:
    return value is not None and _ON.match(value) is not None


def sheet_protected(package: Package, part: str) -> bool:
    """True when the sheet's cells are protected (sheetProtection sheet="1"); it sits after the cells, so search
    (for the word first: the pattern stops at every `<` of a ledger's tens of megabytes, a substring test does not)."""
    data = package.read(part)
    match = _SHEET_PROTECTION.search(data) if b"sheetProtection" in data else None
    if match is None:
        return False
    attribute = re.search(rb"""\bsheet\s*=\s*["']([^"']*)["']""", match[1])
    return attribute is not None and _on(attribute[1].decode())


def structure_protected(package: Package) -> bool:
    protection = package.xml("xl/workbook.xml").find(q("workbookProtection"))
    return protection is not None and _on(protection.get("lockStructure"))


def refuse_protected(data: bytes, changes: Iterable[Change], file_name: str) -> None:
    """Refuse, naming what is protected, when `changes` would write into a protected sheet or workbook structure."""
    package = Package(data)
    parts = package.sheet_parts()
    for change in changes:
        sheet = change.sheet
        if sheet in parts and sheet_protected(package, parts[sheet]):
            raise WorkbookProtected(
                f"「{file_name}」的「{sheet}」设置了工作表保护，这次没有写入；"
                "请在 Excel 中点「审阅 → 撤销工作表保护」后再运行。"
            )
        if isinstance(change, NewSheet) and structure_protected(package):
            raise WorkbookProtected(
                f"「{file_name}」设置了工作簿结构保护，不能新建或替换「{sheet}」，这次没有写入；"
                "请在 Excel 中点「审阅 → 保护工作簿」取消保护后再运行。"
            )
