"""The add-in, checked by readers nobody here wrote: olefile, oletools' olevba, LibreOffice, lxml."""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from pathlib import Path

import olefile
import pytest
from lxml import etree
from oletools.olevba import VBA_Parser

from workbook_tools.addin.build import (
    ADDIN_TYPE,
    CUSTOM_UI_NS,
    CUSTOM_UI_REL,
    MACROS,
    VBA_REL,
    XLSM_TYPE,
    build_package,
    modules,
    vba_ascii,
)
from workbook_tools.addin.vba_project import DOCUMENT

from conftest import run

QUICKSTART = Path(__import__("xlwings").__file__).parent / "quickstart_addin_ribbon.xlam"


@pytest.fixture(scope="module")
def addin() -> bytes:
    return build_package()


def _vba(package: bytes) -> bytes:
    return zipfile.ZipFile(io.BytesIO(package)).read("xl/vbaProject.bin")


def test_olefile_opens_the_vba_project_without_warnings(addin):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ole = olefile.OleFileIO(io.BytesIO(_vba(addin)), raise_defects=olefile.DEFECT_INCORRECT)
    assert sorted("/".join(p) for p in ole.listdir()) == sorted(
        ["PROJECT", "PROJECTwm", "VBA/_VBA_PROJECT", "VBA/dir"] + [f"VBA/{m.name}" for m in modules()]
    )
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")


def test_olevba_extracts_every_module_exactly(addin, tmp_path):
    path = tmp_path / "WorkbookTools.xlam"
    path.write_bytes(addin)
    extracted = {name.rsplit(".", 1)[0]: code for _, _, name, code in VBA_Parser(str(path)).extract_macros()}
    assert extracted == {m.name: m.source().decode("cp1252") for m in modules()}


def test_building_twice_gives_identical_bytes(addin):
    assert build_package() == addin


def _decrypt(hex_text: str, project_id: str) -> bytes:
    """[MS-OVBA] 2.4.3.3, written from the spec, to read CMG/DPB/GC back."""
    data = bytes.fromhex(hex_text)
    seed, version, key = data[0], data[1] ^ data[0], data[2] ^ data[0]
    assert version == 2 and key == sum(project_id.encode()) & 0xFF
    unencrypted, enc1, enc2 = key, data[2], data[1]
    plain = []
    for byte in data[3:]:
        value = byte ^ ((enc2 + unencrypted) & 0xFF)
        plain.append(value)
        enc2, enc1, unencrypted = enc1, byte, value
    ignored = (seed & 6) // 2
    length = int.from_bytes(bytes(plain[ignored : ignored + 4]), "little")
    return bytes(plain[ignored + 4 : ignored + 4 + length])


@pytest.mark.parametrize("project", ["ours", "excel"])
def test_the_project_is_unprotected_and_visible(addin, project):
    vba = _vba(addin) if project == "ours" else _vba(QUICKSTART.read_bytes())  # Excel-made: the oracle for _decrypt
    text = olefile.OleFileIO(io.BytesIO(vba)).openstream("PROJECT").read().decode("cp1252")
    fields = dict(re.findall(r'^(\w+)="([^"]*)"', text, re.M))
    assert _decrypt(fields["CMG"], fields["ID"]) == bytes(4)
    assert _decrypt(fields["DPB"], fields["ID"]) == b"\0"
    assert _decrypt(fields["GC"], fields["ID"]) == b"\xff"


@pytest.mark.libreoffice
def test_libreoffice_loads_the_same_project_and_source(libreoffice):
    workbook = libreoffice.workdir / "WorkbookTools.xlsm"
    workbook.write_bytes(build_package(XLSM_TYPE))
    ods = libreoffice.convert(workbook, "ods") / "WorkbookTools.ods"
    with zipfile.ZipFile(ods) as package:
        names = {n.split("/")[-1][:-4] for n in package.namelist() if n.startswith("Basic/WorkbookTools/")}
        assert names >= {m.name for m in modules()}
        for module in modules():
            text = etree.fromstring(package.read(f"Basic/WorkbookTools/{module.name}.xml")).text
            ours = [
                line
                for line in module.source().decode("cp1252").split("\r\n")
                if line.strip() and not line.startswith(("Attribute ", "VERSION ", "BEGIN", "END", "  MultiUse"))
            ]
            theirs = [line for line in text.splitlines() if line.strip()]
            assert [line for line in theirs if line in set(ours)] == ours, module.name


def test_every_ribbon_button_calls_a_callback_sub(addin):
    package = zipfile.ZipFile(io.BytesIO(addin))
    ui = etree.fromstring(package.read("customUI/customUI14.xml"))
    assert ui.tag == f"{{{CUSTOM_UI_NS}}}customUI"
    (tab,) = ui.iter(f"{{{CUSTOM_UI_NS}}}tab")
    assert tab.get("label") == "售后工具"
    buttons = list(ui.iter(f"{{{CUSTOM_UI_NS}}}button"))
    assert [b.get("label") for b in buttons] == ["校验", "交接班", "日汇总", "催款汇总", "新建工作簿"]
    code = next(m for m in modules() if m.name == "WorkbookTools").code
    for button in buttons:
        assert re.search(rf"^Public Sub {button.get('onAction')}\(control As IRibbonControl\)$", code, re.M)
        assert button.get("imageMso") and button.get("screentip") and button.get("supertip")


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
    source = (MACROS / "WorkbookTools.bas").read_text(encoding="utf-8")
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
