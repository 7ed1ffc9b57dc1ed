"""`doctor --excel` and `install-addin --build-in-excel`, driven through a fake at xlwings' API boundary.

The fake (tests/fake_xlwings.py) answers as a given Excel would: each failure the
issue names is one machine, and the test reads the Chinese sentence the agent gets.
On this machine (no Excel) both commands say so in one line and exit 2.
"""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from workbook_tools import __version__
from workbook_tools.addin import build
from workbook_tools.addin.build import ADDIN_FILE, CUSTOM_UI_REL, MACROS, RIBBON_PART, build_package, modules
from workbook_tools.addin.excel_build import NO_EXCEL as NO_EXCEL_TO_BUILD
from workbook_tools.addin.excel_build import VBA_ACCESS
from workbook_tools.addin.install import install
from workbook_tools.addin.self_test import NO_EXCEL
from workbook_tools.addin.vba_project import CLASS, DOCUMENT

import fake_xlwings
from conftest import run
from fake_xlwings import REAL_VERSION, FakeExcel, com_error

STAMP = f"workbook-tools {__version__}; xlwings {REAL_VERSION}"


@pytest.fixture(scope="module")
def addin() -> bytes:
    return build_package()


@pytest.fixture
def windows(tmp_path, monkeypatch, addin):
    """A Windows machine whose user ran install-addin: the add-in in Excel's startup folder (XLSTART)."""
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "user"))
    monkeypatch.setattr(sys, "platform", "win32")
    startup = tmp_path / "XLSTART"
    install(startup, addin)
    return startup


def excel(monkeypatch, startup: Path, **machine: object) -> FakeExcel:
    fake = FakeExcel(startup, **machine)  # type: ignore[arg-type]
    monkeypatch.setitem(sys.modules, "xlwings", fake.module())
    return fake


def doctor(folder: Path) -> tuple[int, list[str]]:
    result = run("doctor", "--dir", folder, "--excel")
    assert result.stderr == ""
    return result.exit_code, result.stdout.splitlines()


def config(startup: Path) -> Path:
    return startup.parent / "user" / ".WorkbookTools" / "WorkbookTools.conf"


def test_without_excel_doctor_says_so_in_one_line_and_exits_2(tmp_path):
    result = run("doctor", "--excel", "--dir", tmp_path)
    assert result.exit_code == 2 and result.stdout == "" and result.stderr == NO_EXCEL + "\n"


def test_without_excel_install_builds_nothing_in_excel(tmp_path):
    result = run("install-addin", "--build-in-excel", "--dir", tmp_path)
    assert result.exit_code == 2 and result.stderr == NO_EXCEL_TO_BUILD + "\n" and not any(tmp_path.iterdir())


def test_on_windows_without_excel_installed_too(windows, monkeypatch):
    fake = excel(monkeypatch, windows, installed=False)
    result = run("doctor", "--excel", "--dir", windows)
    assert result.exit_code == 2 and result.stderr == NO_EXCEL + "\n" and fake.calls == ["App(visible=True)"]


def test_every_step_passes_in_an_excel_doctor_started(windows, monkeypatch):
    fake = excel(monkeypatch, windows)
    code, lines = doctor(windows)
    assert code == 0, "\n".join(lines)
    assert lines[-7:] == [
        "✓ Excel 16.0",
        f"✓ 加载项已加载：{windows / ADDIN_FILE}",
        f"✓ 加载项里的宏可以运行，为 {STAMP} 生成",
        "✓ VBA 项目 WorkbookTools 编译通过（xlwings、RibbonButtons、SelfTest）",
        f"✓ 按钮使用的 Python：{sys.executable}",
        f"✓ 按钮能通过 RunPython 调用 Python：{sys.executable}（workbook-tools {__version__}，xlwings {REAL_VERSION}）",
        "一切就绪。",
    ]
    # macros followed the Trust Center while the add-in opened, the setting came back, and we left nothing open
    security = [c for c in fake.calls if "AutomationSecurity" in c]
    assert security == ["Application.AutomationSecurity = 2", "Application.AutomationSecurity = 1"]
    assert fake.calls.index(security[0]) < fake.calls.index(f"open {ADDIN_FILE}") < fake.calls.index(security[1])
    assert fake.calls[-3:] == ["close Book1", f"close {ADDIN_FILE}", "quit"]


def test_in_the_users_running_excel_the_addin_it_loaded_is_used_and_left_open(windows, monkeypatch):
    fake = excel(monkeypatch, windows, running=True)
    code, lines = doctor(windows)
    assert code == 0, "\n".join(lines)
    assert not [c for c in fake.calls if c.startswith(("open", "quit", "App(", f"close {ADDIN_FILE}"))]
    assert not [c for c in fake.calls if "AutomationSecurity" in c]


def test_the_macro_names_doctor_runs_are_public_functions_of_the_built_addin(windows, monkeypatch):
    fake = excel(monkeypatch, windows)
    assert doctor(windows)[0] == 0
    ran = sorted({c.split("(")[0].split("!")[1] for c in fake.calls if c.startswith("Run ")})
    assert ran == [
        "RibbonButtons.PyText",
        "SelfTest.Interpreter",
        "SelfTest.WT_BuiltFor",
        "SelfTest.WT_RoundTrip",
        "xlwings.GetConfig",
    ]


def _failure(lines: list[str]) -> str:
    """The step in Excel that failed: the last of its checks (the file checks before it may fail too)."""
    failed = [line for line in lines if line.startswith("✗")]
    assert failed and lines[-1] == f"有 {len(failed)} 项需要处理。"
    return failed[-1]


def test_an_addin_outside_the_startup_folder_is_not_loaded_at_start(windows, monkeypatch, addin, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    install(elsewhere, addin)
    excel(monkeypatch, windows)
    code, lines = doctor(elsewhere)
    assert code == 1 and _failure(lines) == (
        f"✗ 加载项 {elsewhere / ADDIN_FILE} 不在 Excel 的启动文件夹 {windows} 里，Excel 启动时不会加载它："
        "请运行 workbook-tools install-addin（不加 --dir），再重启 Excel。"
    )


COMPILE_HELP = "（按 Alt+F11 打开 VBA 编辑器，点「调试 → 编译 WorkbookTools」可看到出错的行）编译失败："
REINSTALL = "请在要使用的 Python 环境里运行 workbook-tools install-addin，再重启 Excel。"
SEND = "请把这句话发给负责工具的同事。"
# Each machine the issue lists, as the fake answers for it, and the sentence the agent reads.
# {startup} is Excel's startup folder (where the add-in is), {addin} the add-in, {config} WorkbookTools.conf,
# {python} the interpreter the config names.
FAILURES = {
    "a running Excel that did not load the add-in": (
        "win32",
        {"running": True, "loaded_at_start": False},
        "Excel 正在运行，但没有加载「售后工具」加载项 {addin}：请完全退出 Excel 再打开；"
        "如果还是没有「售后工具」选项卡，在「文件 → 选项 → 加载项 → 管理：禁用项目 → 转到」里启用它。",
    ),
    "macros disabled or the folder not trusted": (
        "win32",
        {"macros_enabled": False},
        "Excel 没有运行加载项里的宏（宏被禁用，或 {startup} 不是受信任位置）：请在「文件 → 选项 → 信任中心 → "
        "信任中心设置 → 受信任位置」里点「添加新位置」加入 {startup}，"
        "然后重启 Excel 再运行 workbook-tools doctor --excel。",
    ),
    "macros disabled on a Mac": (
        "darwin",
        {"macros_enabled": False},
        "Excel 没有运行加载项里的宏（宏被禁用）：请在「Excel → 偏好设置 → 安全性」里选择「启用所有宏」或"
        "「禁用 VBA 宏并发出通知」，重启 Excel，打开时点「启用宏」，再运行 workbook-tools doctor --excel。",
    ),
    "the buttons' module does not compile": (
        "win32",
        {"broken_module": "RibbonButtons"},
        "加载项的 VBA 模块 RibbonButtons" + COMPILE_HELP + "请运行 workbook-tools install-addin --build-in-excel "
        "让 Excel 自己生成加载项，并把这句话发给负责工具的同事。",
    ),
    "xlwings' module does not compile": (
        "win32",
        {"broken_module": "xlwings"},
        "加载项的 VBA 模块 xlwings" + COMPILE_HELP + "请运行 workbook-tools install-addin --build-in-excel "
        "让 Excel 自己生成加载项，并把这句话发给负责工具的同事。",
    ),
    "on a Mac, the Dictionary class xlwings' module uses does not compile": (
        "darwin",
        {"broken_module": "Dictionary"},
        "加载项的 VBA 模块 xlwings 或 Dictionary" + COMPILE_HELP + SEND,
    ),
    "no interpreter in the config file": (
        "win32",
        {"interpreter": ""},
        "{config} 里没有设置按钮使用的 Python（Excel 会找「python」）：" + REINSTALL,
    ),
    "Python that cannot import workbook-tools from Excel's environment": (
        "win32",
        {"python_imports": False},
        "Excel 使用的 Python（{python}）导入不了 workbook-tools 或 xlwings：请用它运行 pip install workbook-tools，"
        "或在装了 workbook-tools 的 Python 环境里重新运行 workbook-tools install-addin。",
    ),
    "xlwings out of step between Excel's Python and the add-in": (
        "win32",
        {"python_xlwings": "0.30.0"},
        "Excel 使用的 Python（{python}）里装的是 xlwings 0.30.0，加载项里的 xlwings 模块是 " + REAL_VERSION + "，"
        "版本不一致时按钮会出错：请用这个 Python 运行 pip install xlwings==" + REAL_VERSION + "，"
        "或在它的环境里重新运行 workbook-tools install-addin。",
    ),
    "another workbook-tools in Excel's Python": (
        "win32",
        {"python_tools": "0.0.9"},
        "Excel 使用的 Python（{python}）里装的是 workbook-tools 0.0.9，加载项是为 "
        + __version__
        + " 生成的："
        + REINSTALL,
    ),
    "Python ran but the marker never came back": (
        "win32",
        {"writes_marker": False},
        "Python 运行了，但 Excel 在临时工作簿里没有读到它写回的标记：" + SEND,
    ),
    "RunPython itself fails": (
        "win32",
        {"runpython_error": "File not found"},
        "Excel 用 RunPython 调用 Python 时出错（File not found）：" + SEND,
    ),
}


@pytest.mark.parametrize("case", FAILURES)
def test_each_failure_is_one_sentence_with_its_fix(windows, monkeypatch, case):
    platform, machine, sentence = FAILURES[case]
    monkeypatch.setattr(sys, "platform", platform)
    excel(monkeypatch, windows, **machine)
    code, lines = doctor(windows)
    where = {"startup": windows, "addin": windows / ADDIN_FILE, "config": config(windows), "python": sys.executable}
    assert code == 1 and _failure(lines) == "✗ " + sentence.format(**where)


def test_anything_else_excel_answers_is_one_line_too(windows, monkeypatch):
    fake = excel(monkeypatch, windows)

    def refuse() -> None:
        raise com_error("Excel is busy")

    monkeypatch.setattr(fake_xlwings.FakeBooks, "add", lambda books: refuse())
    code, lines = doctor(windows)
    assert code == 1 and _failure(lines) == (
        "✗ Excel 在自检时出错（Exception occurred.；Microsoft Excel；Excel is busy）：请把这句话发给负责工具的同事。"
    )
    assert fake.calls[-2:] == [f"close {ADDIN_FILE}", "quit"]


def test_an_addin_built_for_other_versions(windows, monkeypatch, tmp_path):
    monkeypatch.setattr(build, "__version__", "0.0.1")
    older = build_package()
    monkeypatch.undo()
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "user"))
    monkeypatch.setattr(sys, "platform", "win32")
    (windows / ADDIN_FILE).write_bytes(older)
    excel(monkeypatch, windows)
    code, lines = doctor(windows)
    assert code == 1 and _failure(lines) == (
        f"✗ 加载项是为 workbook-tools 0.0.1; xlwings {REAL_VERSION} 生成的，已安装的是 {STAMP}："
        "请运行 workbook-tools install-addin 重新安装，再重启 Excel。"
    )


def test_the_line_of_a_compile_error_when_the_vba_editor_can_be_read(windows, monkeypatch):
    excel(monkeypatch, windows, broken_module="RibbonButtons", error_line=42, vba_access_trusted=True)
    assert _failure(doctor(windows)[1]).startswith("✗ 加载项的 VBA 模块 RibbonButtons 第 42 行编译失败：")


def test_the_interpreter_in_the_config_file_is_wrong(windows, monkeypatch, tmp_path):
    gone = str(tmp_path / "Python311" / "python.exe")
    excel(monkeypatch, windows, interpreter=gone)
    code, lines = doctor(windows)
    assert code == 1 and _failure(lines) == (
        f"✗ {config(windows)} 里设置的 Python「{gone}」不存在："
        "请在要使用的 Python 环境里运行 workbook-tools install-addin，再重启 Excel。"
    )


# install-addin --build-in-excel


def test_without_trusted_access_to_the_vba_project_nothing_is_built_or_changed(windows, monkeypatch, tmp_path):
    fake = excel(monkeypatch, windows)
    target = tmp_path / "target"
    result = run("install-addin", "--build-in-excel", "--dir", target)
    assert result.exit_code == 2 and result.stderr == VBA_ACCESS + "\n" and not target.exists()
    assert "信任对 VBA 工程对象模型的访问" in VBA_ACCESS and "不会替你改这个设置" in VBA_ACCESS
    assert fake.calls == ["App(visible=False)", "books.add", "VBProject refused", "close Book1", "quit"]


def test_excel_builds_the_addin_from_our_modules_and_the_ribbon_is_added(windows, monkeypatch, tmp_path):
    fake = excel(monkeypatch, windows, vba_access_trusted=True)
    target = tmp_path / "target"
    result = run("install-addin", "--build-in-excel", "--dir", target)
    assert result.exit_code == 0 and "由本机的 Excel 生成" in result.stdout, result.output
    # every module but the document modules went into Excel's project, as code without Attribute lines
    made = {c.Name: (c.Type, "\n".join(c.CodeModule.lines)) for book in fake.books for c in book.components}
    ours = {m.name: (2 if m.kind == CLASS else 1, m.code) for m in modules() if m.kind != DOCUMENT}
    assert made == ours
    assert "VBProject.Name = 'WorkbookTools'" in fake.calls
    assert f"BuiltinDocumentProperties('Comments').Value = {STAMP!r}" in fake.calls
    assert fake.calls[-2:] == [f"close {ADDIN_FILE}", "quit"]
    assert not [c for c in fake.calls if c.startswith("Application.")]  # no setting of Excel's was touched
    # the package Excel saved, with our ribbon related from its root; doctor accepts it
    with zipfile.ZipFile(target / ADDIN_FILE) as package:
        assert package.read(RIBBON_PART) == (MACROS / "customUI14.xml").read_bytes()
        rels = etree.fromstring(package.read("_rels/.rels"))
        assert [r.get("Target") for r in rels if r.get("Type") == CUSTOM_UI_REL] == [RIBBON_PART]
        assert len({r.get("Id") for r in rels}) == len(rels)
        assert b"vbaProject.bin" in package.read("xl/_rels/workbook.xml.rels")
    monkeypatch.setitem(sys.modules, "xlwings", __import__("xlwings"))
    checked = run("doctor", "--dir", target)
    assert "加载项和已安装的版本不一致" not in checked.stdout and f"为 {STAMP} 生成" in checked.stdout


def test_a_module_excel_refuses_to_take_is_named(windows, monkeypatch, tmp_path):
    excel(monkeypatch, windows, vba_access_trusted=True, fails_on_add_from_string=True)
    result = run("install-addin", "--build-in-excel", "--dir", tmp_path / "target")
    assert result.exit_code == 2 and result.stderr == (
        "Excel 导入 VBA 模块 xlwings 时出错"
        "（Exception occurred.；Microsoft Excel；Invalid procedure call or argument）："
        "请把这句话发给负责工具的同事。\n"
    )


def test_the_ribbon_step_keeps_every_part_excel_wrote(addin):
    excel_saved = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(addin)) as ours, zipfile.ZipFile(excel_saved, "w") as copy:
        for info in ours.infolist():
            if info.filename != RIBBON_PART:
                copy.writestr(info, ours.read(info))
    finished = build.add_ribbon(excel_saved.getvalue())
    with zipfile.ZipFile(io.BytesIO(finished)) as package, zipfile.ZipFile(io.BytesIO(addin)) as original:
        assert {n: package.read(n) for n in package.namelist() if n != "_rels/.rels"} == {
            n: original.read(n) for n in original.namelist() if n != "_rels/.rels"
        }
