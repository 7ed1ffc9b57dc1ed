"""An OPC package (an .xlsx/.xlsm file) in memory: its parts, their relationships, the names they use.

What every module that reads or changes a workbook's parts shares: parts are
parsed once and written back only if changed (an unchanged part is copied as
its compressed bytes), and cells and relationships are named as the format
names them.
"""

from __future__ import annotations

import copy
import io
import posixpath
import re
import struct
import zipfile

from lxml import etree

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
SHEET_REL = R + "/worksheet"
TABLE_REL = R + "/table"
CALC_CHAIN_REL = R + "/calcChain"
COMMENTS_REL = R + "/comments"
DRAWING_REL = R + "/drawing"
XDR = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
CHART_NS = "http://schemas.openxmlformats.org/drawingml/2006/chart"
PIVOT_CACHE_REL = R + "/pivotCacheDefinition"
PIVOT_TABLE_REL = R + "/pivotTable"
_CELL = re.compile(r"([A-Z]+)(\d+)")
_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False)


def q(tag: str, ns: str = M) -> str:
    return f"{{{ns}}}{tag}"


def column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def split_cell(ref: str) -> tuple[int, int]:
    match = _CELL.fullmatch(ref.replace("$", ""))
    if match is None:
        raise ValueError(f"not a cell reference: {ref}")
    return int(match[2]), column_number(match[1])


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve(source_part: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


class Package:
    """An OPC package in memory: parts are parsed once and written back only if changed."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.infos = {info.filename: info for info in self.zip.infolist()}
        self.trees: dict[str, etree._Element] = {}
        self.dirty: set[str] = set()  # parsed parts that were changed
        self.added: dict[str, bytes] = {}  # parts given as bytes
        self.removed: set[str] = set()

    def names(self) -> set[str]:
        return (set(self.infos) | set(self.added) | self.dirty) - self.removed

    def exists(self, name: str) -> bool:
        return name in self.names()

    def read(self, name: str) -> bytes:
        return self.added[name] if name in self.added else self.zip.read(name)

    def xml(self, name: str) -> etree._Element:
        """A part, parsed, for reading."""
        if name not in self.trees:
            self.trees[name] = etree.fromstring(self.read(name), _PARSER)
        return self.trees[name]

    def edit(self, name: str) -> etree._Element:
        """A part, parsed, to be changed in place."""
        self.dirty.add(name)
        return self.xml(name)

    def put(self, name: str, data: bytes) -> None:
        self.trees.pop(name, None)
        self.dirty.discard(name)
        self.removed.discard(name)
        self.added[name] = data

    def settle(self, name: str) -> None:
        """Serialise a changed part now and let its tree go: a big sheet's tree is ten times its text."""
        if name in self.dirty:
            self.put(name, self._content(name))

    def remove(self, name: str) -> None:
        self.trees.pop(name, None)
        self.dirty.discard(name)
        self.added.pop(name, None)
        self.removed.add(name)

    def relationships(self, part: str) -> list[etree._Element]:
        name = rels_name(part)
        return list(self.xml(name)) if self.exists(name) else []

    def related(self, part: str, rel_type: str) -> list[str]:
        return [
            resolve(part, rel.get("Target"))
            for rel in self.relationships(part)
            if rel.get("Type") == rel_type and rel.get("TargetMode") != "External"
        ]

    def add_relationship(self, part: str, rel_type: str, target_part: str) -> str:
        name = rels_name(part)
        if not self.exists(name):
            self.put(name, f'<Relationships xmlns="{PR}"/>'.encode())
        root = self.edit(name)
        taken = {rel.get("Id") for rel in root}
        rid = next(f"rId{n}" for n in range(1, len(taken) + 2) if f"rId{n}" not in taken)
        target = posixpath.relpath(target_part, posixpath.dirname(part) or ".")  # "" is the package itself
        etree.SubElement(root, q("Relationship", PR), Id=rid, Type=rel_type, Target=target)
        return rid

    def set_content_type(self, part: str, value: str | None) -> None:
        root = self.edit("[Content_Types].xml")
        for override in root.findall(q("Override", CT)):
            if override.get("PartName") == "/" + part:
                root.remove(override)
        if value:
            etree.SubElement(root, q("Override", CT), PartName="/" + part, ContentType=value)

    def content_type(self, part: str) -> str | None:
        for override in self.xml("[Content_Types].xml").findall(q("Override", CT)):
            if override.get("PartName") == "/" + part:
                return str(override.get("ContentType"))
        return None

    def free_name(self, pattern: str) -> str:
        names = self.names()
        return next(pattern.format(n) for n in range(1, len(names) + 2) if pattern.format(n) not in names)

    def sheet_parts(self) -> dict[str, str]:
        """Sheet name → its part, in workbook order."""
        targets = {
            rel.get("Id"): resolve("xl/workbook.xml", rel.get("Target"))
            for rel in self.relationships("xl/workbook.xml")
        }
        return {
            sheet.get("name"): targets[sheet.get(q("id", R))] for sheet in self.xml("xl/workbook.xml").find(q("sheets"))
        }

    def to_bytes(self) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name, info in self.infos.items():
                if name in self.removed:
                    continue
                if name in self.dirty or name in self.added:
                    target.writestr(info, self._content(name))
                else:
                    self._copy_raw(info, target)
            for name in sorted((set(self.added) | self.dirty) - set(self.infos) - self.removed):
                target.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), self._content(name), zipfile.ZIP_DEFLATED)
        return out.getvalue()

    def _copy_raw(self, info: zipfile.ZipInfo, target: zipfile.ZipFile) -> None:
        """Copy an unchanged member's local record as it is: no inflating and deflating of big sheets.

        zipfile has no public raw copy; the record goes to the output stream and its
        ZipInfo to the archive's list, from which zipfile writes the central directory.
        """
        source, out = self.zip.fp, target.fp
        assert source is not None and out is not None, "both archives are open"
        source.seek(info.header_offset)
        header = source.read(30)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        length = 30 + name_length + extra_length + info.compress_size
        if info.flag_bits & 0x08:  # a data descriptor follows the data
            source.seek(info.header_offset + length)
            length += 16 if source.read(4) == b"PK\x07\x08" else 12
        source.seek(info.header_offset)
        record = source.read(length)
        copied = copy.copy(info)
        copied.header_offset = out.tell()
        out.write(record)
        target.filelist.append(copied)
        target.NameToInfo[copied.filename] = copied
        target.start_dir = out.tell()  # zipfile's own bookkeeping

    def _content(self, name: str) -> bytes:
        if name in self.dirty:
            return bytes(etree.tostring(self.trees[name], xml_declaration=True, encoding="UTF-8", standalone=True))
        return self.read(name)


def spellings(text: str) -> tuple[bytes, ...]:
    """How a text may appear in a part's bytes: as UTF-8, or as decimal or hex character references (openpyxl)."""
    return (
        text.encode(),
        "".join(c if c.isascii() else f"&#{ord(c)};" for c in text).encode(),
        "".join(c if c.isascii() else f"&#x{ord(c):x};" for c in text).encode(),
    )


def chart_parts(package: Package, sheet_name: str) -> list[str]:
    """The charts (chart and chartEx parts) whose text names the sheet: those whose data may be on it."""
    spelt = spellings(sheet_name)
    return [
        name
        for name in sorted(package.names())
        if name.startswith("xl/charts/chart") and name.endswith(".xml") and any(s in package.read(name) for s in spelt)
    ]
