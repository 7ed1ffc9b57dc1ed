"""Building WorkbookTools.xlam from the text sources in macros/, without Excel.

The package is assembled part by part (openpyxl refuses .xlam and drops the
ribbon relationship of .xlsm); the VBA project is written by vba_project.py.
xlwings' own custom-add-in module (BSD) is read from the installed xlwings
at build time, never copied into the repository.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path

from lxml import etree
from xlsxwriter.theme import THEME_XML_2007

from workbook_tools import __version__
from workbook_tools.addin.vba_project import CLASS, DOCUMENT, PROCEDURAL, Module, vba_project_bin


def _macros() -> Path:
    """macros/ of a source checkout, else the copy installed beside the package (pyproject data-files)."""
    source = Path(__file__).resolve().parents[2] / "macros"
    return source if source.is_dir() else Path(sys.prefix) / "share" / "workbook-tools" / "macros"


MACROS = _macros()
PROJECT = "WorkbookTools"
BUTTONS = "RibbonButtons"  # the standard module holding the ribbon callbacks
SELF_TEST = "SelfTest"  # what `doctor --excel` runs in Excel
_BUILT_FOR = "@BUILT_FOR@"
ADDIN_FILE = "WorkbookTools.xlam"
ADDIN_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"
XLSM_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
CUSTOM_UI_REL = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"  # pairs with 2009/07
VBA_REL = "http://schemas.microsoft.com/office/2006/relationships/vbaProject"
OFFICE_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
RIBBON_PART = "customUI/customUI14.xml"
_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
_STRING = re.compile(r'("(?:[^"]|"")*")')


def _literal(text: str) -> list[str]:
    tokens, run = [], ""
    for ch in text:
        if ch.isascii():
            run += ch
        else:
            if run:
                tokens.append('"' + run.replace('"', '""') + '"')
                run = ""
            tokens.append(f"ChrW(&H{ord(ch):04X})")
    if run or not tokens:
        tokens.append('"' + run.replace('"', '""') + '"')
    return tokens


def vba_ascii(code: str) -> str:
    """VBA with every non-ASCII string literal rewritten as ChrW() pieces, wrapped to stay under VBA's line limit."""
    lines = []
    for number, line in enumerate(code.splitlines(), start=1):
        parts = _STRING.split(line)
        out = ""
        for part in parts:
            if _STRING.fullmatch(part) and not part.isascii():
                tokens = _literal(part[1:-1].replace('""', '"'))
                out += " & _\n        ".join(" & ".join(tokens[i : i + 8]) for i in range(0, len(tokens), 8))
            elif not part.isascii():
                raise ValueError(f"macros line {number}: non-ASCII text outside a string literal")
            else:
                out += part
        lines.append(out)
    return "\n".join(lines)


def xlwings_module() -> str:
    """xlwings' custom add-in module as installed, with our project name (its config sheet: WorkbookTools.conf)."""
    import xlwings

    text = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_text(encoding="cp1252")
    lines = text.replace("\r\n", "\n").split("\n")
    if lines[0].startswith("Attribute VB_Name"):
        lines = lines[1:]
    code = "\n".join(lines)
    code, count = re.subn(
        r'Public Const PROJECT_NAME As String = "[^"]*"', f'Public Const PROJECT_NAME As String = "{PROJECT}"', code
    )
    if count != 1:
        raise ValueError("xlwings_custom_addin.bas has changed: PROJECT_NAME not found")
    return code


def modules() -> list[Module]:
    """The project's modules; the buttons' module is not named like the project (the VBA editor refuses that)."""
    return [
        Module("ThisWorkbook", DOCUMENT, ""),
        Module("Sheet1", DOCUMENT, ""),
        Module("xlwings", PROCEDURAL, xlwings_module()),
        Module(BUTTONS, PROCEDURAL, vba_ascii((MACROS / f"{BUTTONS}.bas").read_text(encoding="utf-8"))),
        Module(SELF_TEST, PROCEDURAL, self_test_module()),
        Module("Dictionary", CLASS, (MACROS / "Dictionary.cls").read_text(encoding="utf-8")),
    ]


def self_test_module() -> str:
    """macros/SelfTest.bas with the versions this build is made for, which `doctor --excel` reads back."""
    code = (MACROS / f"{SELF_TEST}.bas").read_text(encoding="utf-8")
    if code.count(_BUILT_FOR) != 1:
        raise ValueError(f"macros/{SELF_TEST}.bas must hold {_BUILT_FOR} once")
    return vba_ascii(code.replace(_BUILT_FOR, stamp()))


def stamp() -> str:
    """The versions a built add-in was made for; `doctor` compares them with what is installed."""
    return f"workbook-tools {__version__}; xlwings {xlwings_version()}"


def xlwings_version() -> str:
    import xlwings

    return xlwings.__version__


def _parts(main_type: str) -> dict[str, bytes]:
    vba = vba_project_bin(PROJECT, modules())
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{main_type}"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            '<Override PartName="/xl/theme/theme1.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/>'
            '<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        ).encode(),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{OFFICE_DOC_REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
            'metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{OFFICE_DOC_REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        ).encode(),
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>workbook-tools</dc:title>'
            f"<dc:description>{stamp()}</dc:description></cp:coreProperties>"
        ).encode(),
        "docProps/app.xml": (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            b"<Application>Microsoft Excel</Application></Properties>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<workbook xmlns="{main}" xmlns:r="{OFFICE_DOC_REL}"><workbookPr codeName="ThisWorkbook"/>'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{OFFICE_DOC_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{OFFICE_DOC_REL}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId3" Type="{VBA_REL}" Target="vbaProject.bin"/>'
            f'<Relationship Id="rId4" Type="{OFFICE_DOC_REL}/theme" Target="theme/theme1.xml"/>'
            "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<worksheet xmlns="{main}"><sheetPr codeName="Sheet1"/><sheetData/></worksheet>'
        ).encode(),
        "xl/styles.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<styleSheet xmlns="{main}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
            '</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
        ).encode(),
        "xl/theme/theme1.xml": THEME_XML_2007.encode(),  # Excel always writes one; validators require it
        "xl/vbaProject.bin": vba,
    }


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts.items():
            package.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def add_ribbon(package: bytes) -> bytes:
    """`package` with our ribbon (macros/customUI14.xml), related from the package root.

    The one step that finishes both the add-in built here and the one Excel saves for
    `install-addin --build-in-excel`: Excel's object model cannot add a ribbon part.
    """
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    rels = etree.fromstring(parts["_rels/.rels"])
    for old in [r for r in rels if r.get("Type") == CUSTOM_UI_REL]:
        rels.remove(old)
        parts.pop(old.get("Target").lstrip("/"), None)
    taken = {r.get("Id") for r in rels}
    number = next(n for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
    etree.SubElement(rels, f"{{{_RELS_NS}}}Relationship", Id=f"rId{number}", Type=CUSTOM_UI_REL, Target=RIBBON_PART)
    parts["_rels/.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    types = etree.fromstring(parts["[Content_Types].xml"])
    if not any(t.get("Extension", "").lower() == "xml" for t in types):
        etree.SubElement(types, f"{{{_TYPES_NS}}}Override", PartName="/" + RIBBON_PART, ContentType="application/xml")
        parts["[Content_Types].xml"] = etree.tostring(types, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts[RIBBON_PART] = (MACROS / "customUI14.xml").read_bytes()
    return _zip(parts)


def build_package(main_type: str = ADDIN_TYPE) -> bytes:
    """The add-in (or, with XLSM_TYPE, the same project in a macro workbook) as bytes; same sources, same bytes."""
    return add_ribbon(_zip(_parts(main_type)))
