"""The add-in, checked by readers nobody here wrote: olefile, oletools' olevba, LibreOffice, lxml."""

from __future__ import annotations

import ast
import inspect
import io
import itertools
import re
import struct
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from lxml import etree
from oletools.olevba import VBA_Parser, VBA_Project

from workbook_tools import excel
from workbook_tools.addin.build import (
    ADDIN_TYPE,
    BUTTONS,
    CUSTOM_UI_NS,
    CUSTOM_UI_REL,
    MACROS,
    PROJECT,
    VBA_REL,
    XLSM_TYPE,
    build_package,
    modules,
    vba_ascii,
)
from workbook_tools.addin.cfb import NO_STREAM
from workbook_tools.addin.vba_project import CLASS, DOCUMENT, Module, vba_project_bin

from conftest import directory_entries, run

QUICKSTART = Path(__import__("xlwings").__file__).parent / "quickstart_addin_ribbon.xlam"


@pytest.fixture(scope="module")
def addin() -> bytes:
    return build_package()


def _vba(package: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(package)).read("xl/vbaProject.bin")


def _excel_made() -> bytes:
    """xlwings' quickstart add-in, written by Excel: the oracle for what Excel stores."""
    return QUICKSTART.read_bytes()


def _olevba_sources(package: bytes, tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "project.xlam"
    path.write_bytes(package)
    return {name.rsplit(".", 1)[0]: code for _, _, name, code in VBA_Parser(str(path)).extract_macros()}


def _module_attributes(source: str) -> list[tuple[str, str]]:
    """The Attribute lines the module stream begins with (members' attributes further down are not the module's)."""
    head = itertools.takewhile(lambda line: line.startswith("Attribute "), source.splitlines())
    return [tuple(line[len("Attribute ") :].split(" = ", 1)) for line in head]


def test_olefile_opens_the_vba_project_without_warnings(addin):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ole = olefile.OleFileIO(io.BytesIO(_vba(addin)), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"] + [f"VBA/{m.name}" for m in modules()]
    )
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")


def test_olevba_extracts_every_module_exactly(addin, tmp_path):
    assert _olevba_sources(addin, tmp_path) == {m.name: m.source().decode("cp1252") for m in modules()}


def test_every_module_stream_begins_at_its_name_as_excel_writes_it(addin, tmp_path):
    for name, source in _olevba_sources(addin, tmp_path).items():
        assert source.startswith(f'Attribute VB_Name = "{name}"\r\n'), name


def test_the_class_module_carries_the_attributes_excel_gives_a_class(addin, tmp_path):
    ours = _module_attributes(_olevba_sources(addin, tmp_path)["Dictionary"])
    excel = _module_attributes(_olevba_sources(_excel_made(), tmp_path)["Dictionary"])
    assert [name for name, _ in ours] == [name for name, _ in excel if name != "VB_Description"]
    assert dict(ours)["VB_Base"] == dict(excel)["VB_Base"] == '"0{FCFB3D2A-A0FA-1068-A738-08002B3371B5}"'
    assert [m.kind for m in modules() if m.name == "Dictionary"] == [CLASS]


def test_no_module_is_named_like_the_project(addin):
    ole = olefile.OleFileIO(io.BytesIO(_vba(addin)))
    project = VBA_Project(ole, "", "PROJECT", "VBA/dir", relaxed=False)
    project.parse_project_stream()
    names = [path.split("/")[-1] for path, _, _ in project.parse_modules()]
    assert project.projectname == PROJECT and BUTTONS in names
    assert PROJECT.lower() not in {n.lower() for n in names}


@pytest.mark.parametrize("name", [PROJECT, "workbooktools", "stdole", "Office"])
def test_a_module_named_like_the_project_or_a_library_is_refused(name):
    with pytest.raises(ValueError, match="clash"):
        vba_project_bin(PROJECT, [Module("ThisWorkbook", DOCUMENT, ""), Module(name, "procedural", "")])


def _unused_entries(vba: bytes) -> list[bytes]:
    entries = directory_entries(vba)
    assert len(entries) % 4 == 0  # whole 512-byte sectors of 128-byte entries
    return [e for e in entries if e[66] == 0]  # object type 0: unused


@pytest.mark.parametrize("extra", range(4))
def test_unused_directory_entries_point_nowhere(extra):
    """[MS-CFB] 2.6.3: all zeroes but the sibling and child ids, which are NOSTREAM; every fill of the last sector."""
    more = [Module(f"Extra{n}", "procedural", "") for n in range(extra)]
    unused = _unused_entries(vba_project_bin(PROJECT, modules() + more))
    assert len(unused) == (-(len(modules()) + extra + 6) % 4)  # root, PROJECT, PROJECTwm, VBA, _VBA_PROJECT, dir
    assert unused == [bytes(68) + struct.pack("<III", NO_STREAM, NO_STREAM, NO_STREAM) + bytes(48)] * len(unused)


def test_excel_leaves_unused_directory_entries_pointing_nowhere_too():
    (entry,) = _unused_entries(_vba(_excel_made()))
    assert struct.unpack_from("<III", entry, 68) == (NO_STREAM, NO_STREAM, NO_STREAM)
    assert entry[:66] == bytes(66) and entry[80:] == bytes(48)  # Excel writes colour 1 (black); the spec says 0


_LIBREOFFICE_PRELUDE = ("Rem Attribute VBA_ModuleType=", "Option VBASupport 1", "Option ClassModule")


def _as_xlsm(package: bytes) -> bytes:
    """The same package with the workbook typed as .xlsm: LibreOffice does not open .xlam."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(ADDIN_TYPE.encode(), XLSM_TYPE.encode())
            target.writestr(info.filename, data)
    return out.getvalue()


def _libreoffice_basic(ods: Path) -> dict[str, dict[str, list[str]]]:
    """Library → module → the code lines LibreOffice imported, after the lines it adds itself."""
    found: dict[str, dict[str, list[str]]] = {}
    with zipfile.ZipFile(ods) as package:
        for name in package.namelist():
            parts = name.split("/")
            if len(parts) == 3 and parts[0] == "Basic" and not parts[2].startswith("script-"):
                text = etree.fromstring(package.read(name)).text or ""
                lines = [line for line in text.splitlines() if not line.startswith(_LIBREOFFICE_PRELUDE)]
                found.setdefault(parts[1], {})[parts[2][:-4]] = lines
    return found


@pytest.mark.libreoffice
def test_libreoffice_imports_exactly_our_code_as_it_does_excels(libreoffice, addin, tmp_path):
    ours, excel = libreoffice.workdir / "ours.xlsm", libreoffice.workdir / "excel.xlsm"
    ours.write_bytes(_as_xlsm(addin))
    excel.write_bytes(_as_xlsm(_excel_made()))
    out = libreoffice.convert([ours, excel], "ods")
    mine = _libreoffice_basic(out / "ours.ods")
    assert set(mine) == {PROJECT} and PROJECT not in mine[PROJECT]
    for module in modules():
        assert mine[PROJECT][module.name] == module.code.replace("\r\n", "\n").split("\n"), module.name
    # the oracle: for Excel's own project, too, LibreOffice imports what follows the Attribute lines, nothing else
    theirs = _libreoffice_basic(out / "excel.ods")["MyAddin"]
    for name, source in _olevba_sources(_excel_made(), tmp_path).items():
        code = [line for line in source.replace("\r\n", "\n").split("\n") if not line.startswith("Attribute ")]
        assert [line for line in theirs[name] if line.strip()] == [line for line in code if line.strip()], name


def test_every_ribbon_button_calls_a_callback_sub(addin):
    package = zipfile.ZipFile(io.BytesIO(addin))
    ui = etree.fromstring(package.read("customUI/customUI14.xml"))
    assert ui.tag == f"{{{CUSTOM_UI_NS}}}customUI"
    (tab,) = ui.iter(f"{{{CUSTOM_UI_NS}}}tab")
    assert tab.get("label") == "售后工具"
    buttons = list(ui.iter(f"{{{CUSTOM_UI_NS}}}button"))
    assert [b.get("label") for b in buttons] == [
        "校验",
        "交接班",
        "确认接班",
        "日汇总",
        "催款汇总",
        "周报",
        "月报",
        "新建工作簿",
    ]
    code = next(m for m in modules() if m.name == BUTTONS).code
    for button in buttons:
        assert re.search(rf"^Public Sub {button.get('onAction')}\(control As IRibbonControl\)$", code, re.M)
        assert button.get("imageMso") and button.get("screentip") and button.get("supertip")


_LITERAL_OR_NAME = re.compile(r'"((?:[^"]|"")*)"|PyText\(\w+\)')


def test_every_button_hands_runpython_a_call_of_an_entry_point_that_accepts_it():
    """RunPython runs the text as Python in Excel's Python: a misspelt function or keyword would fail only there.

    Each RunTool argument is evaluated as VBA would build it, with a name the agent typed (阿强) where PyText
    passes one, behind the prefix RunTool adds.
    """
    code = (MACROS / f"{BUTTONS}.bas").read_text(encoding="utf-8")
    prefix = re.search(r'RunPython "([^"]*)" & pythonCall', code)[1]
    called: dict[str, set[str]] = {}
    for expression in re.findall(r"^\s*RunTool (.+)$", code, re.M):
        pieces = _LITERAL_OR_NAME.finditer(expression)
        text = "".join(m[1].replace('""', '"') if m[1] is not None else ascii("阿强") for m in pieces)
        statement = ast.parse(prefix + text).body
        assert ast.unparse(statement[0]) == "import workbook_tools.excel as x" and len(statement) == 2, text
        call = statement[1].value
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        inspect.signature(getattr(excel, call.func.attr)).bind(**kwargs)
        assert set(kwargs.values()) <= {"阿强"} and not call.args
        called.setdefault(call.func.attr, set()).update(kwargs)
    assert called == {
        "validate": set(),
        "shift_handover": {"from_agent", "to_agent"},
        "acknowledge": {"agent"},
        "daily_totals": set(),
        "chase_summary": set(),
        "weekly_report": set(),
        "monthly_report": set(),
    }


def test_the_package_reaches_the_ribbon_and_the_vba_project(addin):
    package = zipfile.ZipFile(io.BytesIO(addin))
    names = set(package.namelist())
    types = etree.fromstring(package.read("[Content_Types].xml"))
    overrides = {o.get("PartName")[1:]: o.get("ContentType") for o in types if o.get("PartName")}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types if d.get("Extension")}
    assert all(name in overrides or name.rsplit(".", 1)[-1] in defaults for name in names)
    assert overrides["xl/workbook.xml"] == ADDIN_TYPE
    assert overrides["xl/vbaProject.bin"] == "application/vnd.ms-office.vbaProject"
    root = {r.get("Type"): r.get("Target") for r in etree.fromstring(package.read("_rels/.rels"))}
    assert root[CUSTOM_UI_REL] in names
    book = {r.get("Type"): r.get("Target") for r in etree.fromstring(package.read("xl/_rels/workbook.xml.rels"))}
    assert "xl/" + book[VBA_REL] in names
    code_names = set(
        re.findall(rb'codeName="([^"]+)"', package.read("xl/workbook.xml") + package.read("xl/worksheets/sheet1.xml"))
    )
    assert {n.decode() for n in code_names} == {m.name for m in modules() if m.kind == DOCUMENT}


def test_chinese_text_in_the_macros_survives_the_chrw_rewrite():
    source = (MACROS / f"{BUTTONS}.bas").read_text(encoding="utf-8")
    rewritten = vba_ascii(source)
    assert rewritten.isascii()
    literals = re.findall(r'"((?:[^"]|"")*)"', source)
    chinese = [t.replace('""', '"') for t in literals if not t.isascii()]
    assert chinese and set(chinese) <= set(_decoded_strings(rewritten))


_PIECE = r'(?:"(?:[^"]|"")*"|ChrW\(&H[0-9A-F]{4}\))'


def _decoded_strings(vba: str) -> list[str]:
    """Evaluate every `"..." & ChrW(&H....) & ...` concatenation back into the text it builds."""
    joined = vba.replace(" & _\n        ", " & ")
    texts = []
    for chain in re.findall(rf"{_PIECE}(?: & {_PIECE})*", joined):
        pieces = re.findall(_PIECE, chain)
        texts.append(
            "".join(chr(int(p[7:11], 16)) if p.startswith("ChrW") else p[1:-1].replace('""', '"') for p in pieces)
        )
    return texts


def test_the_xlwings_module_comes_from_the_installed_package_with_our_project_name():
    code = next(m for m in modules() if m.name == "xlwings").code
    assert 'Public Const PROJECT_NAME As String = "WorkbookTools"' in code
    assert "Function RunPython(" in code


def test_build_addin_writes_the_file(tmp_path):
    out = tmp_path / "WorkbookTools.xlam"
    result = run("build-addin", "--out", out)
    assert result.exit_code == 0 and out.read_bytes() == build_package()
