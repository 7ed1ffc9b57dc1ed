"""`doctor --excel`: the installed add-in tried in the user's own Excel, one step at a time.

Each step is one call into Excel, so a failure names what failed and the fix in one
Chinese sentence: the add-in where Excel loads it at start; macros that run
(SelfTest.WT_BuiltFor, in a module that compiles on its own); the versions stamped in;
every module compiling (a public function of each is run); the interpreter Excel
uses; and Python started through xlwings' RunPython, as a button starts it, writing a
marker into a scratch workbook that the macro reads back with that Python's versions.
Only xlwings' open-source API is used; nothing in Excel's settings is changed.
"""

from __future__ import annotations

import ast
import re
import secrets
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from workbook_tools import __version__
from workbook_tools.addin.build import ADDIN_FILE, BUTTONS, PROJECT, SELF_TEST, stamp
from workbook_tools.addin.excel_session import SEND, Session, error_text, excel, on
from workbook_tools.addin.install import Check, addin_dir, config_file

NO_EXCEL = "没有找到可用的 Excel：workbook-tools doctor --excel 要在装了 Excel 的 Windows 或 macOS 电脑上运行。"
CHINESE_PROBE = "小美"
_BY_UI = 2  # msoAutomationSecurityByUI: macros in what we open follow the Trust Center, as for the user's clicks
_STAMP = re.compile(r"workbook-tools (\S+); xlwings (\S+)")
_REINSTALL = "请在要使用的 Python 环境里运行 workbook-tools install-addin，再重启 Excel。"


def answer(marker: str) -> None:
    """Run by the Python Excel starts (SelfTest.WT_RoundTrip → RunPython): marker and versions into the scratch book."""
    import xlwings as xw

    xw.Book.caller().sheets[0].range("A1").value = [[marker], [__version__], [xw.__version__], [sys.executable]]


class _Failed(Exception):
    """A step that failed, as the line doctor prints for it."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.check = Check(False, what, fix)


def excel_checks(folder: Path | None = None) -> list[Check]:
    """The steps that passed, then the first that failed (if one did)."""
    with excel(("win32", "darwin"), NO_EXCEL, attach=True) as session:
        checks = [Check(True, f"Excel {session.app.version}")]
        try:
            _steps(session, (folder or addin_dir()) / ADDIN_FILE, checks)
        except _Failed as failed:
            checks.append(failed.check)
        except Exception as error:  # anything else Excel answers: still one line, never a traceback
            checks.append(Check(False, f"Excel 在自检时出错（{error_text(error)}）", SEND))
    return checks


def _steps(session: Session, addin: Path, checks: list[Check]) -> None:
    app = session.app
    _in_startup_folder(app, addin)
    with _addin_open(session, addin):
        checks.append(Check(True, f"加载项已加载：{addin}"))
        built_for = _run_first_macro(app, addin.parent)
        if built_for != stamp():
            raise _Failed(
                f"加载项是为 {built_for} 生成的，已安装的是 {stamp()}",
                "请运行 workbook-tools install-addin 重新安装，再重启 Excel。",
            )
        checks.append(Check(True, f"加载项里的宏可以运行，为 {built_for} 生成"))
        with _scratch_book(app):
            _compiles(app)
            checks.append(Check(True, f"VBA 项目 {PROJECT} 编译通过（xlwings、{BUTTONS}、{SELF_TEST}）"))
            python = _interpreter(app)
            checks.append(Check(True, f"按钮使用的 Python：{python}"))
            checks.append(_round_trip(app, built_for))


def _same_folder(a: Path, b: Path) -> bool:
    return str(a.resolve()).casefold() == str(b.resolve()).casefold()


def _in_startup_folder(app: Any, addin: Path) -> None:
    if not addin.is_file():
        raise _Failed(f"没有找到加载项 {addin}", "请运行 workbook-tools install-addin。")
    startup = Path(app.startup_path)
    if not _same_folder(addin.parent, startup):
        raise _Failed(
            f"加载项 {addin} 不在 Excel 的启动文件夹 {startup} 里，Excel 启动时不会加载它",
            "请运行 workbook-tools install-addin（不加 --dir），再重启 Excel。",
        )


def _open_addin(app: Any) -> Any | None:
    try:
        return app.books[ADDIN_FILE]
    except Exception:  # not open: xlwings raises what the engine raised
        return None


@contextmanager
def _addin_open(session: Session, addin: Path) -> Iterator[Any]:
    """The add-in as Excel loaded it at start; in an Excel we started (which loads no add-ins), opened by us."""
    app = session.app
    book = _open_addin(app)
    if book is not None:
        yield book
        return
    if session.attached:
        raise _Failed(
            f"Excel 正在运行，但没有加载「售后工具」加载项 {addin}",
            "请完全退出 Excel 再打开；如果还是没有「售后工具」选项卡，"
            "在「文件 → 选项 → 加载项 → 管理：禁用项目 → 转到」里启用它。",
        )
    security = None
    if on("win32"):
        security = app.api.AutomationSecurity
        app.api.AutomationSecurity = _BY_UI
    try:
        book = app.books.open(str(addin))
    except Exception as error:
        raise _Failed(f"Excel 打不开加载项 {addin}（{error_text(error)}）", _build_in_excel_fix()) from error
    finally:
        if security is not None:
            app.api.AutomationSecurity = security
    try:
        yield book
    finally:
        book.close()


@contextmanager
def _scratch_book(app: Any) -> Iterator[Any]:
    """A new workbook, active while the steps run: RunPython and xlwings' config lookup need an active workbook."""
    book = app.books.add()
    book.activate()
    try:
        yield book
    finally:
        book.close()


def _macro(module: str, name: str) -> str:
    return f"'{ADDIN_FILE}'!{module}.{name}"


def _run_first_macro(app: Any, folder: Path) -> str:
    try:
        return str(app.macro(_macro(SELF_TEST, "WT_BuiltFor"))())
    except Exception as error:
        if on("darwin"):
            raise _Failed(
                "Excel 没有运行加载项里的宏（宏被禁用）",
                "请在「Excel → 偏好设置 → 安全性」里选择「启用所有宏」或「禁用 VBA 宏并发出通知」，重启 Excel，"
                "打开时点「启用宏」，再运行 workbook-tools doctor --excel。",
            ) from error
        raise _Failed(
            f"Excel 没有运行加载项里的宏（宏被禁用，或 {folder} 不是受信任位置）",
            f"请在「文件 → 选项 → 信任中心 → 信任中心设置 → 受信任位置」里点「添加新位置」加入 {folder}，"
            "然后重启 Excel 再运行 workbook-tools doctor --excel。",
        ) from error


def _build_in_excel_fix() -> str:
    if on("win32"):
        return "请运行 workbook-tools install-addin --build-in-excel 让 Excel 自己生成加载项，并" + SEND[1:]
    return SEND


def _compile_location(app: Any) -> str | None:
    """Where the VBA editor stopped, when Excel lets us read it (Windows, with VBA project access already trusted)."""
    try:
        pane = app.api.VBE.ActiveCodePane
        return f"{pane.CodeModule.Parent.Name} 第 {pane.GetSelection()[0]} 行"
    except Exception:
        return None


def _compiles(app: Any) -> None:
    """Run a public function of each module: macros run, so a call that fails means its module does not compile."""
    probes = [
        ("xlwings" if on("win32") else "xlwings 或 Dictionary", "xlwings", "GetConfig", "INTERPRETER"),
        (BUTTONS, BUTTONS, "PyText", CHINESE_PROBE),
    ]
    for label, module, name, argument in probes:
        try:
            result = app.macro(_macro(module, name))(argument)
        except Exception as error:
            where = _compile_location(app) or (
                f"{label}（按 Alt+F11 打开 VBA 编辑器，点「调试 → 编译 {PROJECT}」可看到出错的行）"
            )
            raise _Failed(f"加载项的 VBA 模块 {where}编译失败", _build_in_excel_fix()) from error
        if name == "PyText" and _python_text(result) != argument:
            raise _Failed(f"{BUTTONS}.PyText 把「{argument}」转成了 {result}，传给 Python 的中文会出错", SEND)


def _python_text(literal: object) -> object:
    try:
        return ast.literal_eval(str(literal))
    except (ValueError, SyntaxError):
        return None


def _interpreter(app: Any) -> str:
    python = str(app.macro(_macro(SELF_TEST, "Interpreter"))())
    if not re.search(r"[\\/]", python):
        raise _Failed(f"{config_file()} 里没有设置按钮使用的 Python（Excel 会找「{python}」）", _REINSTALL)
    if not Path(python).is_file():
        raise _Failed(f"{config_file()} 里设置的 Python「{python}」不存在", _REINSTALL)
    return python


def _round_trip(app: Any, built_for: str) -> Check:
    marker = secrets.token_hex(8)
    kind, _, rest = str(app.macro(_macro(SELF_TEST, "WT_RoundTrip"))(marker)).partition("|")
    if kind == "INTERPRETER":
        raise _Failed(f"{config_file()} 里设置的 Python「{rest}」不存在", _REINSTALL)
    if kind == "IMPORT":
        raise _Failed(
            f"Excel 使用的 Python（{rest}）导入不了 workbook-tools 或 xlwings",
            "请用它运行 pip install workbook-tools，或在装了 workbook-tools 的 Python 环境里重新运行 "
            "workbook-tools install-addin。",
        )
    if kind != "OK":
        raise _Failed(f"Excel 用 RunPython 调用 Python 时出错（{rest or kind}）", SEND)
    written, tools, xlwings, python = [*rest.split("|"), "", "", ""][:4]
    if written != marker:
        raise _Failed("Python 运行了，但 Excel 在临时工作簿里没有读到它写回的标记", SEND)
    built = _STAMP.fullmatch(built_for)
    built_tools, built_xlwings = built.groups() if built else ("?", "?")
    if tools != built_tools:
        raise _Failed(
            f"Excel 使用的 Python（{python}）里装的是 workbook-tools {tools}，加载项是为 {built_tools} 生成的",
            _REINSTALL,
        )
    if xlwings != built_xlwings:
        raise _Failed(
            f"Excel 使用的 Python（{python}）里装的是 xlwings {xlwings}，加载项里的 xlwings 模块是 {built_xlwings}，"
            "版本不一致时按钮会出错",
            f"请用这个 Python 运行 pip install xlwings=={built_xlwings}，"
            "或在它的环境里重新运行 workbook-tools install-addin。",
        )
    return Check(True, f"按钮能通过 RunPython 调用 Python：{python}（workbook-tools {tools}，xlwings {xlwings}）")
