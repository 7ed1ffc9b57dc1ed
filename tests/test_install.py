"""install-addin and doctor, into a folder of the test's own."""

from __future__ import annotations

import io
import sys
import zipfile

import pytest

from workbook_tools.addin import install
from workbook_tools.addin.build import ADDIN_FILE, build_package
from workbook_tools.spec.sheets import LEDGERS
from workbook_tools.xlsx.templates import build_workbook

from conftest import run


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "user"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    return tmp_path


@pytest.mark.skipif(sys.platform == "darwin", reason="the macOS config lives in Excel's container")
def test_install_puts_the_addin_the_template_and_the_interpreter_in_place(home):
    folder = home / "XLSTART"
    result = run("install-addin", "--dir", folder)
    assert result.exit_code == 0 and "退出 Excel 再打开" in result.stdout
    assert (folder / ADDIN_FILE).read_bytes() == build_package()
    assert (folder / "workbook-tools-files" / "team.xlsx").read_bytes() == build_workbook(LEDGERS)
    config = home / "user" / ".WorkbookTools" / "WorkbookTools.conf"
    assert config.read_text(encoding="utf-8") == f'"INTERPRETER_WIN","{sys.executable}"'  # no trailing newline
    doctor = run("doctor", "--dir", folder)
    assert doctor.exit_code == 0 and "✗" not in doctor.stdout and doctor.stdout.count("✓") == 6


def test_doctor_names_what_is_missing(home):
    result = run("doctor", "--dir", home / "nowhere")
    assert result.exit_code == 1
    assert "✗ 没有找到加载项" in result.stdout and "workbook-tools install-addin" in result.stdout


@pytest.mark.skipif(sys.platform == "darwin", reason="the macOS config lives in Excel's container")
def test_doctor_notices_an_addin_built_for_other_versions(home):
    folder = home / "XLSTART"
    assert run("install-addin", "--dir", folder).exit_code == 0
    old = io.BytesIO()
    with zipfile.ZipFile(folder / ADDIN_FILE) as current, zipfile.ZipFile(old, "w") as stale:
        for info in current.infolist():
            data = current.read(info)
            if info.filename == "docProps/core.xml":
                data = data.replace(b"workbook-tools 0.", b"workbook-tools 9.")
            stale.writestr(info, data)
    (folder / ADDIN_FILE).write_bytes(old.getvalue())
    result = run("doctor", "--dir", folder)
    assert result.exit_code == 1 and "加载项和已安装的版本不一致" in result.stdout


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="there the default folder exists")
def test_without_excel_there_is_no_default_folder():
    result = run("install-addin")
    assert result.exit_code == 2 and "--dir" in result.stderr


def test_install_says_when_the_buttons_python_would_import_packages_a_click_does_not_use(home, monkeypatch):
    monkeypatch.setattr(install, "XLWINGS_EXTRAS", ("pandas", "no_such_package_here"))
    noted = run("install-addin", "--dir", home / "a")
    assert noted.exit_code == 0 and "提示：这个 Python 里装了 pandas，xlwings 每次点击按钮都会导入它们" in noted.stdout
    monkeypatch.setattr(install, "XLWINGS_EXTRAS", ("no_such_package_here",))
    quiet = run("install-addin", "--dir", home / "b")
    assert quiet.exit_code == 0 and "提示：" not in quiet.stdout
