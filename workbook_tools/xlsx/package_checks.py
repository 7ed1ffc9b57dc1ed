"""What a package must be before any reader or writer parses it, and what we learn from its workbook part.

Every command opens a workbook through `check_package`, so a file we cannot
use is refused the same way everywhere, with one sentence, before calamine
(reading) or lxml (writing) sees a byte of it:

- a part that declares a DTD (`<!DOCTYPE`, `<!ENTITY`): entity expansion can
  turn a few kilobytes into gigabytes, and no spreadsheet program writes one;
- Strict Open XML (Excel's "Strict Open XML Spreadsheet"): other namespaces
  throughout, which the writer does not speak;
- a package without the styles part, or whose relationships name parts in a
  different letter case than the archive holds (Open Packaging Conventions
  compare names without case; zip and our writer do not);
- an XML part larger than we read within our memory bound.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from workbook_tools.errors import InputFileError

# What zipfile raises on a damaged archive: a bad directory, a bad stream, a cut-off file, an unknown compression.
ZIP_DAMAGE = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK_PART = "xl/workbook.xml"
STYLES_REL = REL_NS + "/styles"
REQUIRED_RELS = {REL_NS + "/worksheet", REL_NS + "/sharedStrings", STYLES_REL}
XML_SUFFIXES = (".xml", ".rels", ".vml")
MAX_XML_PART_BYTES = 256 * 2**20  # one part, inflated: a sheet of ~350,000 rows of 13 columns
_PROLOG_BYTES = 64 * 2**10  # XML declaration, comments and processing instructions before the root element
_ROOT_START = re.compile(rb"<[A-Za-z_]")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


@dataclass(frozen=True)
class WorkbookIndex:
    """What the workbook part says: each sheet's part (by sheet name) and the date system."""

    sheet_parts: dict[str, str]
    date1904: bool


def is_1904(workbook: etree._Element) -> bool:
    """Whether a workbook part counts dates from 1904 (older Mac Excel): serial 0 is 1904-01-01."""
    properties = workbook.find(f"{{{MAIN_NS}}}workbookPr")
    return properties is not None and properties.get("date1904", "0").strip().lower() in ("1", "true")


def _prolog(package: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The part's text up to its root element, as UTF-8 (parts may be stored in UTF-16)."""
    with package.open(info) as part:
        head = part.read(_PROLOG_BYTES)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode("utf-8")
    root = _ROOT_START.search(head)
    return head[: root.start()] if root else head


def _relationships(package: zipfile.ZipFile, name: str) -> list[tuple[str, str, str]]:
    """(id, type, target part) of each internal relationship in a .rels part."""
    folder = posixpath.dirname(posixpath.dirname(name))  # a/_rels/b.xml.rels describes a/b.xml
    found = []
    for rel in etree.fromstring(package.read(name), SAFE_PARSER).iter(f"{{{PACKAGE_REL_NS}}}Relationship"):
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External" or not target:
            continue
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        found.append((rel.get("Id") or "", rel.get("Type") or "", part))
    return found


def _check_parts(package: zipfile.ZipFile, name: str, redo: str) -> dict[str, str]:
    """Refuse duplicate names, oversized XML parts and DTDs; the archive's names by their lower case."""
    by_lower: dict[str, str] = {}
    for info in package.infolist():
        if by_lower.setdefault(info.filename.lower(), info.filename) != info.filename:
            raise InputFileError(f"「{name}」里有两个只差大小写的部件（{info.filename}），文件已损坏：{redo}")
        if not info.filename.lower().endswith(XML_SUFFIXES):
            continue
        if info.file_size > MAX_XML_PART_BYTES:
            raise InputFileError(
                f"「{name}」的部件 {info.filename} 解压后超过 {MAX_XML_PART_BYTES // 2**20} MB，超出本工具能读的范围；"
                "请删除表格下方和右侧不用的行列，或把旧数据移到另一个文件后再试。"
            )
        prolog = _prolog(package, info)
        if _DTD.search(prolog) or len(prolog) >= _PROLOG_BYTES:
            raise InputFileError(
                f"「{name}」的部件 {info.filename} 含有文档类型或实体声明（DOCTYPE/ENTITY），"
                f"Excel 不会写出这样的文件，为安全起见不读取：{redo}"
            )
    return by_lower


def check_package(package: zipfile.ZipFile, name: str) -> WorkbookIndex:
    """Refuse a package we cannot use safely; return what its workbook part says."""
    redo = f"请用 Excel 打开「{name}」，“另存为” Excel 工作簿（*.xlsx）后再试。"
    by_lower = _check_parts(package, name, redo)
    workbook_rels = posixpath.join("xl/_rels", "workbook.xml.rels")
    relationships: dict[str, tuple[str, str]] = {}
    try:
        workbook = etree.fromstring(package.read(WORKBOOK_PART), SAFE_PARSER)
        package.getinfo(workbook_rels)
        for rels in sorted(n for n in by_lower.values() if n.endswith(".rels")):
            for rel_id, rel_type, part in _relationships(package, rels):
                if part not in by_lower.values() and part.lower() in by_lower:
                    raise InputFileError(
                        f"「{name}」里部件名的大小写与引用它的地方不一致（{by_lower[part.lower()]} 与 {part}），"
                        f"有的程序能打开、有的不能：{redo}"
                    )
                if rels == workbook_rels:
                    if rel_type in REQUIRED_RELS and part.lower() not in by_lower:
                        raise InputFileError(f"「{name}」缺少部件 {part}，文件不完整：{redo}")
                    relationships[rel_id] = (rel_type, part)
    except (etree.XMLSyntaxError, KeyError, ValueError) as exc:
        raise InputFileError(f"「{name}」已损坏，无法读取：{redo}") from exc
    if workbook.tag == f"{{{STRICT_NS}}}workbook":
        raise InputFileError(
            f"「{name}」是“Strict Open XML 电子表格”格式，本工具只处理普通的 Excel 工作簿：请用 Excel 打开它，"
            "“另存为” Excel 工作簿（*.xlsx）后再试。"
        )
    if workbook.tag != f"{{{MAIN_NS}}}workbook":
        raise InputFileError(f"「{name}」已损坏，无法读取：{redo}")
    if not any(rel_type == STYLES_REL for rel_type, _ in relationships.values()):
        raise InputFileError(f"「{name}」缺少样式部件（styles.xml），文件不完整：{redo}")
    sheet_parts = {}
    sheets = workbook.find(f"{{{MAIN_NS}}}sheets")
    for sheet in sheets if sheets is not None else ():
        rel = relationships.get(sheet.get(f"{{{REL_NS}}}id", ""))
        if rel is not None:
            sheet_parts[sheet.get("name", "")] = rel[1]
    return WorkbookIndex(sheet_parts, is_1904(workbook))
