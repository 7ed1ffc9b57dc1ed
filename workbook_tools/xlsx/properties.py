"""A workbook's custom document properties (文件 → 信息 → 属性 → 高级属性 → 自定义): text that travels with the file.

ECMA-376 Part 1 §15.2.12.2 and Part 4 §7.3: a package holds at most one
custom-properties part, the target of a package relationship; each <property>
is known by its `name` (Excel compares names without regard to case), carries
the fmtid of user-defined properties and a `pid` from 2 up that no other
property of the part has, and holds one value of the docPropsVTypes namespace.
A property we set is added or given a new value; every other property stays as
it was, byte for byte when we set nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from lxml import etree

from workbook_tools.core.archive import DATABASE_PROPERTY, ID_PROPERTY, RUN_PROPERTY, ArchiveMark

if TYPE_CHECKING:  # the package applies properties with its other changes
    from workbook_tools.xlsx.opc import Package

CUSTOM = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
CUSTOM_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
CUSTOM_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
USER_DEFINED = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the fmtid of every user-defined property
FIRST_PID = 2  # 0 and 1 are reserved by OLE property sets
PART = "docProps/custom.xml"
PROPERTIES, PROPERTY, LPWSTR = f"{{{CUSTOM}}}Properties", f"{{{CUSTOM}}}property", f"{{{VT}}}lpwstr"


def _part(package: Package) -> str | None:
    found = [part for part in package.related("", CUSTOM_REL) if package.exists(part)]
    return found[0] if found else None


def _find(root: etree._Element, name: str) -> etree._Element | None:
    wanted = name.casefold()
    return next((p for p in root.iter(PROPERTY) if (p.get("name") or "").casefold() == wanted), None)


def custom_properties(package: Package, names: Iterable[str]) -> dict[str, str | None]:
    """The text of each named property (None for one the workbook lacks)."""
    return {name: custom_property(package, name) for name in names}


def archive_mark(package: Package) -> ArchiveMark | None:
    """What the workbook carries of its archive (nothing when it was never archived)."""
    return ArchiveMark.of(custom_properties(package, (ID_PROPERTY, RUN_PROPERTY, DATABASE_PROPERTY)))


def custom_property(package: Package, name: str) -> str | None:
    """The text of property `name`, or None when the workbook has none (or no custom properties at all)."""
    part = _part(package)
    if part is None:
        return None
    found = _find(package.xml(part), name)
    if found is None or len(found) == 0:
        return None
    return found[0].text or ""


def set_custom_properties(package: Package, values: dict[str, str]) -> None:
    """Give each property its text (a vt:lpwstr), adding the part, its relationship and content type if needed."""
    if not values:
        return
    part = _part(package)
    if part is None:
        part = PART if not package.exists(PART) else package.free_name("docProps/custom{}.xml")
        package.put(part, etree.tostring(etree.Element(PROPERTIES, nsmap={None: CUSTOM, "vt": VT})))
        package.add_relationship("", CUSTOM_REL, part)
        package.set_content_type(part, CUSTOM_TYPE)
    root = package.edit(part)
    for name, text in values.items():
        prop = _find(root, name)
        if prop is None:
            pids = [int(p.get("pid", "0")) for p in root.iter(PROPERTY) if p.get("pid", "").isdigit()]
            pid = max([FIRST_PID - 1, *pids]) + 1
            prop = etree.SubElement(root, PROPERTY, fmtid=USER_DEFINED, pid=str(pid), name=name)
        for old in list(prop):
            prop.remove(old)
        etree.SubElement(prop, LPWSTR).text = text
