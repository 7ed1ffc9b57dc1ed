"""xlwings at its API boundary, with the answers a given Excel would give (no Excel runs here).

`FakeExcel` describes one machine's Excel (installed or not, already running or not,
macros enabled, a module that does not compile, access to the VBA project trusted,
the Python its config names, what that Python has installed) and records every call.
Installed as `sys.modules["xlwings"]`, it serves `doctor --excel` and
`install-addin --build-in-excel` the objects xlwings would: apps, books, sheets,
ranges, `App.macro` and the native `api` objects they use.

Macros are answered from the add-in file Excel opened, read with olevba: a macro
that is not a public function of that file's project cannot be run, as in Excel,
and SelfTest's answers follow its VBA (its BUILT_FOR constant, its steps).
"""

from __future__ import annotations

import functools
import io
import re
import sys
import types
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlwings
from oletools.olevba import VBA_Parser

from workbook_tools.addin import self_test

REAL_VERSION = xlwings.__version__
CANNOT_RUN = "Cannot run the macro '{}'. The macro may not be available in this workbook or all macros may be disabled."
NOT_TRUSTED = "Programmatic access to Visual Basic Project is not trusted"
QUICKSTART = Path(xlwings.__file__).parent / "quickstart_addin_ribbon.xlam"


@functools.cache
def _sources(package: bytes) -> dict[str, str]:
    """Module name → source, as olevba reads them from the add-in (read once per distinct file)."""
    parser = VBA_Parser("addin.xlam", data=package)
    return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}


class ComError(Exception):
    """The shape of pywintypes.com_error: (hresult, text, (wcode, source, description, help, context, scode), arg)."""


def com_error(description: str) -> ComError:
    return ComError(-2147352567, "Exception occurred.", (0, "Microsoft Excel", description, None, 0, -2146827284), None)


@dataclass
class FakeExcel:
    startup: Path
    installed: bool = True
    running: bool = False  # the user's Excel is open: doctor attaches to it
    loaded_at_start: bool = True  # ... and it loaded the add-in from its startup folder
    macros_enabled: bool = True
    broken_module: str | None = None
    error_line: int | None = None  # where the VBA editor stops, readable only with VBA project access trusted
    vba_access_trusted: bool = False
    interpreter: str = sys.executable  # what xlwings' GetConfig finds in WorkbookTools.conf
    python_imports: bool = True
    python_tools: str | None = None  # workbook-tools in the Python Excel starts (None: the one installed here)
    python_xlwings: str = REAL_VERSION
    writes_marker: bool = True
    runpython_error: str | None = None
    fails_on_add_from_string: bool = False
    calls: list[str] = field(default_factory=list)
    apps: list[FakeApp] = field(default_factory=list)
    books: list[FakeBook] = field(default_factory=list)  # every workbook opened or made, closed ones too

    def module(self) -> types.ModuleType:
        fake = types.ModuleType("xlwings")
        fake.__file__ = xlwings.__file__
        fake.__version__ = REAL_VERSION  # type: ignore[attr-defined]
        fake.apps = FakeApps(self)  # type: ignore[attr-defined]
        fake.App = self.start  # type: ignore[attr-defined]
        fake.Book = types.SimpleNamespace(caller=self.caller)  # type: ignore[attr-defined]
        if self.running:
            app = FakeApp(self, visible=True)
            if self.loaded_at_start:
                app.load(self.startup / "WorkbookTools.xlam")
            self.apps.append(app)
        return fake

    def start(self, visible: bool = True, add_book: bool = True) -> FakeApp:
        self.calls.append(f"App(visible={visible})")
        if not self.installed:
            raise ComError(-2147221005, "Invalid class string", None, None)
        app = FakeApp(self, visible)
        self.apps.append(app)
        return app

    def caller(self) -> FakeBook:
        """Book.caller() in the Python RunPython started: the active workbook of the Excel that called."""
        return self.apps[-1].active


class FakeApps:
    def __init__(self, excel: FakeExcel) -> None:
        self.excel = excel

    @property
    def count(self) -> int:
        return len(self.excel.apps)

    @property
    def active(self) -> FakeApp | None:
        return self.excel.apps[0] if self.excel.apps else None


class Api:
    """A native object: records what is set on it."""

    def __init__(self, excel: FakeExcel, name: str, **values: Any) -> None:
        object.__setattr__(self, "_excel", excel)
        object.__setattr__(self, "_name", name)
        for key, value in values.items():
            object.__setattr__(self, key, value)

    def __setattr__(self, key: str, value: Any) -> None:
        self._excel.calls.append(f"{self._name}.{key} = {value!r}")
        object.__setattr__(self, key, value)


class FakeApp:
    version = "16.0"

    def __init__(self, excel: FakeExcel, visible: bool) -> None:
        self.excel = excel
        self.visible = visible
        self.startup_path = str(excel.startup)
        self.books = FakeBooks(self)
        self.active: FakeBook | None = None
        self.api = Api(excel, "Application", AutomationSecurity=1, VBE=FakeVbe(self))

    def load(self, path: Path) -> FakeBook:
        book = FakeBook(self, path.name, path)
        self.books.open_books.append(book)
        return book

    def macro(self, name: str) -> Any:
        return lambda *args: self.run(name, *args)

    def quit(self) -> None:
        self.excel.calls.append("quit")

    def run(self, name: str, *args: Any) -> Any:
        self.excel.calls.append(f"Run {name}{args}")
        match = re.fullmatch(r"'(.+)'!(\w+)\.(\w+)", name)
        book = next((b for b in self.books.open_books if match and b.name == match[1]), None)
        if not (match and book and self.excel.macros_enabled and book.has_function(match[2], match[3])):
            raise com_error(CANNOT_RUN.format(name))
        module, function = match[2], match[3]
        compiled = {module, "Dictionary"} if module == "xlwings" and sys.platform == "darwin" else {module}
        if self.excel.broken_module in compiled:  # the module, and on a Mac the class xlwings' module uses
            raise com_error("Compile error")
        return getattr(self, f"_{module}_{function}")(book, *args)

    def _SelfTest_WT_BuiltFor(self, book: FakeBook) -> str:  # _Module_Function: named after the VBA it answers for
        return re.search(r'BUILT_FOR As String = "([^"]*)"', book.source("SelfTest"))[1]

    def _xlwings_GetConfig(self, book: FakeBook, key: str, default: str = "") -> str:
        if self.active is None:  # xlwings' GetConfig looks at ActiveWorkbook first: error 91 without one
            raise com_error("Object variable or With block variable not set")
        return (self.excel.interpreter if key.startswith("INTERPRETER_") else "") or default  # unset: the default

    def _RibbonButtons_PyText(self, book: FakeBook, text: str) -> str:
        return "'" + "".join(c if 32 <= ord(c) < 127 and c not in "'\\" else f"\\u{ord(c):04X}" for c in text) + "'"

    def _SelfTest_Interpreter(self, book: FakeBook) -> str:
        key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
        return self._xlwings_GetConfig(book, key, self._xlwings_GetConfig(book, "INTERPRETER", "python"))

    def _SelfTest_WT_RoundTrip(self, book: FakeBook, marker: str) -> str:
        python = self._SelfTest_Interpreter(book)
        if re.search(r"[\\/]", python) and not Path(python).is_file():
            return f"INTERPRETER|{python}"
        if not self.excel.python_imports:
            return f"IMPORT|{python}"
        if self.excel.runpython_error:
            return f"RUNPYTHON|{self.excel.runpython_error}"
        if self.excel.writes_marker:
            fake = sys.modules["xlwings"]
            real_tools = self_test.__version__
            fake.__version__, self_test.__version__ = self.excel.python_xlwings, self.excel.python_tools or real_tools
            try:
                self_test.answer(marker)  # the function RunPython's command calls, in "Excel's" Python
            finally:
                fake.__version__, self_test.__version__ = REAL_VERSION, real_tools
        cells = self.active.cells if self.active else {}
        return "OK|" + "|".join(str(cells.get(f"A{row}", "")) for row in range(1, 5))


class FakeVbe:
    def __init__(self, app: FakeApp) -> None:
        self.app = app

    @property
    def ActiveCodePane(self) -> Any:
        excel = self.app.excel
        if not excel.vba_access_trusted or excel.error_line is None:
            raise com_error(NOT_TRUSTED)
        module = types.SimpleNamespace(Parent=types.SimpleNamespace(Name=excel.broken_module))
        return types.SimpleNamespace(CodeModule=module, GetSelection=lambda: (excel.error_line, 1, excel.error_line, 9))


class FakeBooks:
    def __init__(self, app: FakeApp) -> None:
        self.app = app
        self.open_books: list[FakeBook] = []
        self.added = 0

    def __getitem__(self, name: str) -> FakeBook:
        for book in self.open_books:
            if book.name == name:
                return book
        raise com_error("Subscript out of range")

    def open(self, path: str) -> FakeBook:
        self.app.excel.calls.append(f"open {Path(path).name}")
        return self.app.load(Path(path))

    def add(self) -> FakeBook:
        self.app.excel.calls.append("books.add")
        self.added += 1
        book = FakeBook(self.app, f"Book{self.added}", None)
        self.open_books.append(book)
        self.app.active = book
        return book


class FakeBook:
    def __init__(self, app: FakeApp, name: str, path: Path | None) -> None:
        self.app, self.name, self.path = app, name, path
        app.excel.books.append(self)
        self.cells: dict[str, Any] = {}
        self.comments = ""
        self.components: list[FakeComponent] = []
        self.project = Api(app.excel, "VBProject", Name="VBAProject", VBComponents=FakeComponents(self))
        self.api = BookApi(self)

    @property
    def sheets(self) -> list[Any]:
        return [types.SimpleNamespace(range=self._range)]

    def _range(self, address: str) -> Any:
        book = self

        class Range:
            @property
            def value(self) -> Any:
                return book.cells.get(address)

            @value.setter
            def value(self, rows: list[list[Any]]) -> None:
                column, first = address[0], int(address[1:])
                for offset, row in enumerate(rows):
                    book.cells[f"{column}{first + offset}"] = row[0]

        return Range()

    def document_property(self, name: str) -> Any:
        book = self

        class Property:
            @property
            def Value(self) -> str:
                return book.comments

            @Value.setter
            def Value(self, value: str) -> None:
                book.app.excel.calls.append(f"BuiltinDocumentProperties({name!r}).Value = {value!r}")
                book.comments = value

        return Property()

    def vb_project(self) -> Any:
        if not self.app.excel.vba_access_trusted:
            self.app.excel.calls.append("VBProject refused")
            raise com_error(NOT_TRUSTED)
        return self.project

    def source(self, module: str) -> str:
        assert self.path is not None
        return _sources(self.path.read_bytes()).get(module, "")

    def has_function(self, module: str, name: str) -> bool:
        return re.search(rf"^(?:Public )?Function {name}\(", self.source(module), re.M) is not None  # Public by default

    def activate(self) -> None:
        self.app.active = self

    def close(self) -> None:
        self.app.excel.calls.append(f"close {self.name}")
        self.app.books.open_books.remove(self)
        if self.app.active is self:
            self.app.active = None

    def save(self, path: str) -> None:
        """As Excel saves a new workbook as an add-in: its own package (here, Excel's quickstart add-in without
        its ribbon), with the Comments property as the core properties' description."""
        self.app.excel.calls.append(f"save {Path(path).name}")
        out = io.BytesIO()
        with zipfile.ZipFile(QUICKSTART) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for info in source.infolist():
                data = source.read(info)
                if info.filename.startswith("customUI/"):
                    continue
                if info.filename == "_rels/.rels":
                    data = re.sub(rb"<Relationship [^>]*customUI[^>]*/>", b"", data)
                if info.filename == "docProps/core.xml":
                    data = re.sub(rb"<dc:description>[^<]*</dc:description>", b"", data).replace(
                        b"</cp:coreProperties>",
                        f"<dc:description>{self.comments}</dc:description></cp:coreProperties>".encode(),
                    )
                target.writestr(info, data)
        Path(path).write_bytes(out.getvalue())
        self.name = Path(path).name


class BookApi:
    """Workbook, the native object: its VBA project (only with access trusted) and its document properties."""

    def __init__(self, book: FakeBook) -> None:
        self.book = book

    @property
    def VBProject(self) -> Any:
        return self.book.vb_project()

    def BuiltinDocumentProperties(self, name: str) -> Any:
        return self.book.document_property(name)


class FakeComponents:
    def __init__(self, book: FakeBook) -> None:
        self.book = book

    def Add(self, kind: int) -> FakeComponent:
        component = FakeComponent(self.book, kind)
        self.book.components.append(component)
        return component


class FakeComponent:
    def __init__(self, book: FakeBook, kind: int) -> None:
        self.book, self.Type, self.Name = book, kind, f"Module{len(book.components) + 1}"
        self.CodeModule = FakeCodeModule(book)


class FakeCodeModule:
    def __init__(self, book: FakeBook) -> None:
        self.book = book
        self.lines = ["Option Explicit"]  # "Require Variable Declaration" is on, as in many offices

    @property
    def CountOfLines(self) -> int:
        return len(self.lines)

    def DeleteLines(self, start: int, count: int) -> None:
        del self.lines[start - 1 : start - 1 + count]

    def AddFromString(self, code: str) -> None:
        if self.book.app.excel.fails_on_add_from_string:
            raise com_error("Invalid procedure call or argument")
        self.lines += code.split("\n")
