"""`install-addin --build-in-excel`: the add-in made by the user's own Excel from our modules (Windows).

For a machine whose Excel refuses the project we write: Excel creates the workbook,
takes our modules into its VBA project through its object model (as xlwings' own
`vba import` does), saves it as an add-in, and the ribbon part is added to the saved
package afterwards (the object model cannot add one). The object model needs
"Trust access to the VBA project object model"; we only find out whether it is on
and explain how to turn it on, never change it.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from workbook_tools.addin.build import ADDIN_FILE, PROJECT, add_ribbon, modules, stamp
from workbook_tools.addin.excel_session import SEND, error_text, excel
from workbook_tools.addin.vba_project import CLASS, DOCUMENT, Module
from workbook_tools.errors import WorkbookToolsError

NO_EXCEL = (
    "没有找到可用的 Excel：install-addin --build-in-excel 要在装了 Excel 的 Windows 电脑上运行，"
    "其他电脑请用 workbook-tools install-addin。"
)
VBA_ACCESS = (
    "Excel 不允许程序访问 VBA 项目，所以不能让 Excel 生成加载项：请在「文件 → 选项 → 信任中心 → 信任中心设置 → "
    "宏设置」里勾选「信任对 VBA 工程对象模型的访问」，再运行 workbook-tools install-addin --build-in-excel"
    "（生成后可以再取消勾选；workbook-tools 不会替你改这个设置）。"
)
_STANDARD_MODULE, _CLASS_MODULE = 1, 2  # vbext_ComponentType


class ExcelBuildFailed(WorkbookToolsError):
    """Excel could not make the add-in from our modules."""


def build_in_excel() -> bytes:
    """The add-in package as Excel saved it, with our ribbon added."""
    with excel(("win32",), NO_EXCEL, attach=False) as session, tempfile.TemporaryDirectory() as folder:
        saved = Path(folder) / ADDIN_FILE
        book = session.app.books.add()
        try:
            _fill(book)
            try:
                book.save(str(saved))
            except Exception as error:
                raise ExcelBuildFailed(f"Excel 保存加载项时出错（{error_text(error)}）：{SEND}") from error
        finally:
            book.close()
        return add_ribbon(saved.read_bytes())


def _fill(book: Any) -> None:
    try:
        project = book.api.VBProject
        components = project.VBComponents
    except Exception as error:  # "Programmatic access to Visual Basic Project is not trusted"
        raise ExcelBuildFailed(VBA_ACCESS) from error
    for module in modules():
        if module.kind != DOCUMENT:  # the new workbook has its own ThisWorkbook and Sheet1; ours are empty
            _add(components, module)
    project.Name = PROJECT
    book.api.BuiltinDocumentProperties("Comments").Value = stamp()  # docProps/core.xml description: what doctor reads


def _add(components: Any, module: Module) -> None:
    try:
        component = components.Add(_CLASS_MODULE if module.kind == CLASS else _STANDARD_MODULE)
        component.Name = module.name
        code = component.CodeModule
        if code.CountOfLines:  # "Option Explicit", when the editor adds it to new modules
            code.DeleteLines(1, code.CountOfLines)
        code.AddFromString(module.code)
    except Exception as error:
        raise ExcelBuildFailed(f"Excel 导入 VBA 模块 {module.name} 时出错（{error_text(error)}）：{SEND}") from error
