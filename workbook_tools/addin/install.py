"""Putting the add-in where Excel loads it at start, and checking what a button needs (`doctor`).

Excel opens every file in its startup folder, so the team template goes into a
subfolder there; the interpreter goes into xlwings' per-user config file for our
project (RunPython reads INTERPRETER_WIN / INTERPRETER_MAC from it).
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from workbook_tools import __version__
from workbook_tools.addin.build import ADDIN_FILE, PROJECT, build_package, stamp
from workbook_tools.errors import OutputError
from workbook_tools.spec.sheets import LEDGERS
from workbook_tools.xlsx.templates import build_workbook
from workbook_tools.xlsx.writer import write_new_file

FILES_DIR = "workbook-tools-files"
_MAC_CONTAINER = Path.home() / "Library" / "Containers" / "com.microsoft.Excel" / "Data"


def addin_dir() -> Path:
    if sys.platform.startswith("win"):
        return Path(os.environ["APPDATA"]) / "Microsoft" / "Excel" / "XLSTART"
    if sys.platform == "darwin":
        return _MAC_CONTAINER / "Library" / "Application Support" / "Microsoft" / "Office" / "Startup" / "Excel"
    raise OutputError("Excel 加载项只能装在 Windows 或 macOS 上；要把文件放到别处，请用 --dir 指定目录。")


def config_file() -> Path:
    """xlwings' user config for our project, wherever the add-in is (GetConfigFilePath in its VBA module)."""
    if sys.platform == "darwin":
        return _MAC_CONTAINER / f"{PROJECT}.conf"
    return Path(os.environ.get("USERPROFILE", str(Path.home()))) / f".{PROJECT}" / f"{PROJECT}.conf"


def _interpreter_key() -> str:
    return "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"


@dataclass(frozen=True)
class Installed:
    addin: Path
    template: Path
    config: Path


def install(folder: Path | None = None, package: bytes | None = None) -> Installed:
    """The add-in (`package`, else the one built here), the team template beside it, and the interpreter's config."""
    target = folder or addin_dir()
    addin = target / ADDIN_FILE
    template = target / FILES_DIR / "team.xlsx"
    config = config_file()
    write_new_file(addin, package or build_package(), overwrite=True)
    write_new_file(template, build_workbook(LEDGERS), overwrite=True)
    # xlwings reads the file with VBA's Input #: one "KEY","VALUE" line, and no blank line after it (xlwings #2174)
    write_new_file(config, f'"{_interpreter_key()}","{sys.executable}"'.encode(), overwrite=True)
    return Installed(addin, template, config)


XLWINGS_EXTRAS = ("pandas", "numpy", "matplotlib", "PIL")  # xlwings imports each that is installed, on every click


def click_extras() -> list[str]:
    """The packages a click would import without using them, in the Python the buttons will run."""
    return [name for name in XLWINGS_EXTRAS if importlib.util.find_spec(name) is not None]


@dataclass(frozen=True)
class Check:
    ok: bool
    what: str
    fix: str = ""


def _configured_interpreter(config: Path) -> str | None:
    if not config.is_file():
        return None
    match = re.search(r'"INTERPRETER_(?:WIN|MAC)"\s*,\s*"([^"]+)"', config.read_text(encoding="utf-8"))
    return match.group(1) if match else None


def doctor(folder: Path | None = None) -> list[Check]:
    checks = [
        Check(
            sys.version_info >= (3, 11),
            f"Python {sys.version.split()[0]}（{sys.executable}）",
            "请安装 Python 3.11 或更新版本。",
        )
    ]
    try:
        import xlwings

        checks.append(Check(True, f"xlwings {xlwings.__version__}"))
    except ImportError:
        checks.append(Check(False, "xlwings 没有安装", "请运行 pip install workbook-tools。"))
    checks.append(Check(True, f"workbook-tools {__version__}"))
    target = folder or addin_dir()
    addin = target / ADDIN_FILE
    if not addin.is_file():
        checks.append(Check(False, f"没有找到加载项 {addin}", "请运行 workbook-tools install-addin。"))
    else:
        with zipfile.ZipFile(addin) as package:
            built = re.search(rb"<dc:description>([^<]*)</dc:description>", package.read("docProps/core.xml"))
        built_for = built.group(1).decode("utf-8") if built else "（未知版本）"
        checks.append(
            Check(
                built_for == stamp(),
                f"加载项 {addin}：为 {built_for} 生成",
                "加载项和已安装的版本不一致，请运行 workbook-tools install-addin 重新安装，再重启 Excel。",
            )
        )
    checks.append(
        Check(
            (target / FILES_DIR / "team.xlsx").is_file(),
            "「新建工作簿」用的团队模板",
            "请运行 workbook-tools install-addin。",
        )
    )
    interpreter = _configured_interpreter(config_file())
    checks.append(
        Check(
            interpreter is not None and Path(interpreter).is_file(),
            f"按钮使用的 Python：{interpreter or '未设置'}（{config_file()}）",
            "请在要使用的 Python 环境里运行 workbook-tools install-addin。",
        )
    )
    return checks
