"""Applying changes to an .xlsx/.xlsm package without loading and re-saving it.

Only the parts a change owns are rewritten: the edited sheet's XML, its table
part, styles.xml (formats are appended, never altered), and for a generated tab
its own sheet, drawing and chart parts plus the entries that list them.
Deleting rows also rewrites what points at them by number: other sheets'
formulas, defined names, charts' data ranges, pivot caches' source ranges, and
the sheet's own notes and drawings (row_objects). Every other part (pictures,
VBA, the other sheets, and those parts where nothing moved) is copied through
unchanged, which a load-and-save library cannot promise.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time
from decimal import Decimal

from lxml import etree

from workbook_tools.core.changes import CellValue, Change, DeleteRows, EditSheet, Highlight, Look, NewSheet
from workbook_tools.core.tables import Area, cell_name
from workbook_tools.core.text_fit import wrapped_height
from workbook_tools.core.values import CELL_TEXT_LIMIT, excel_epoch
from workbook_tools.errors import OutputError
from workbook_tools.spec.types import Kind
from workbook_tools.xlsx.opc import (
    CALC_CHAIN_REL,
    CHART_NS,
    PIVOT_CACHE_REL,
    PIVOT_TABLE_REL,
    SHEET_REL,
    TABLE_REL,
    X14,
    XML_SPACE,
    Package,
    R,
    chart_parts,
    q,
    rels_name,
    resolve,
    spellings,
    split_cell,
)
from workbook_tools.xlsx.package_checks import is_1904
from workbook_tools.xlsx.properties import set_custom_properties
from workbook_tools.xlsx.references import REF_ERROR, RowMap, shift_area, shift_formula, shift_sqref
from workbook_tools.xlsx.row_objects import deletion_refused, move_row_objects
from workbook_tools.xlsx.row_stream import stream_rows

FILTER_NAME = "_xlnm._FilterDatabase"  # the hidden name Excel keeps a sheet's filtered range under
_BUILTIN_DATE_FORMATS = set(range(14, 23)) | {45, 46, 47}
# What may follow <conditionalFormatting> in a worksheet (CT_Worksheet's sequence, ECMA-376 Part 1, 18.3.1.99).
_AFTER_CALC_PROPERTIES = {  # what follows calcPr in a workbook (CT_Workbook's sequence)
    "oleSize",
    "customWorkbookViews",
    "pivotCaches",
    "smartTagPr",
    "smartTagTypes",
    "webPublishing",
    "fileRecoveryPr",
    "webPublishObjects",
    "extLst",
}
_AFTER_CONDITIONAL_FORMATS = {
    "dataValidations",
    "hyperlinks",
    "printOptions",
    "pageMargins",
    "pageSetup",
    "headerFooter",
    "rowBreaks",
    "colBreaks",
    "customProperties",
    "cellWatches",
    "ignoredErrors",
    "smartTags",
    "drawing",
    "legacyDrawing",
    "legacyDrawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
}


class Styles:
    """xl/styles.xml, only ever appended to, so every existing style index keeps its meaning."""

    PART = "xl/styles.xml"

    def __init__(self, package: Package) -> None:
        self.package = package
        self.cache: dict[tuple[object, ...], int] = {}

    @property
    def root(self) -> etree._Element:
        return self.package.xml(self.PART)

    def _section(self, tag: str) -> etree._Element:
        section = self.root.find(q(tag))
        if section is None:  # numFmts comes first; dxfs follows the cell styles (CT_Stylesheet's sequence)
            section = etree.Element(q(tag), count="0")
            root = self.package.edit(self.PART)
            if tag == "numFmts":
                root.insert(0, section)
            else:
                later = {q(t) for t in ("tableStyles", "colors", "extLst")}
                follower = next((child for child in root if child.tag in later), None)
                if follower is not None:
                    follower.addprevious(section)
                else:
                    root.append(section)
        return section

    def number_format(self, xf_index: int) -> str | int:
        xfs = self.root.find(q("cellXfs"))
        fmt_id = int(xfs[xf_index].get("numFmtId", "0")) if xf_index < len(xfs) else 0
        for fmt in self._section("numFmts"):
            if int(fmt.get("numFmtId")) == fmt_id:
                return str(fmt.get("formatCode"))
        return fmt_id

    def is_date(self, xf_index: int) -> bool:
        code = self.number_format(xf_index)
        if isinstance(code, int):
            return code in _BUILTIN_DATE_FORMATS
        bare = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code).lower()
        return any(ch in bare for ch in "ydh")

    def _append(self, tag: str, element: etree._Element) -> int:
        """Index of an equal entry in section `tag`, appending a copy if there is none."""
        self.package.edit(self.PART)
        section = self._section(tag)
        wanted = etree.tostring(element)
        for index, existing in enumerate(section):
            if etree.tostring(existing) == wanted:
                return index
        section.append(etree.fromstring(wanted))
        section.set("count", str(len(section)))
        return len(section) - 1

    def format_id(self, code: str) -> int:
        numfmts = self._section("numFmts")
        for fmt in numfmts:
            if fmt.get("formatCode") == code:
                return int(fmt.get("numFmtId"))
        self.package.edit(self.PART)
        new_id = max([163, *(int(f.get("numFmtId")) for f in numfmts)]) + 1
        etree.SubElement(numfmts, q("numFmt"), numFmtId=str(new_id), formatCode=code)
        numfmts.set("count", str(len(numfmts)))
        return new_id

    def with_format(self, xf_index: int, code: str) -> int:
        """A style like `xf_index` but showing numbers with `code` (e.g. a date format)."""
        key = ("format", xf_index, code)
        if key not in self.cache:
            xf = etree.fromstring(etree.tostring(self.root.find(q("cellXfs"))[xf_index]))
            xf.set("numFmtId", str(self.format_id(code)))
            xf.set("applyNumberFormat", "1")
            self.cache[key] = self._append("cellXfs", xf)
        return self.cache[key]

    def with_wrap(self, xf_index: int) -> int:
        """A style like `xf_index` that shows long text on several lines."""
        key = ("wrap", xf_index)
        if key not in self.cache:
            xf = etree.fromstring(etree.tostring(self.root.find(q("cellXfs"))[xf_index]))
            alignment = xf.find(q("alignment"))
            if alignment is not None and alignment.get("wrapText") in ("1", "true"):
                self.cache[key] = xf_index
                return xf_index
            if alignment is None:
                alignment = etree.Element(q("alignment"))
                xf.insert(0, alignment)  # the first child of an xf (CT_Xf: alignment, protection, extLst)
            alignment.set("wrapText", "1")
            xf.set("applyAlignment", "1")
            self.cache[key] = self._append("cellXfs", xf)
        return self.cache[key]

    def dxf(self, look: Look) -> int:
        """The index of a differential format (what a conditional format applies) drawing `look`."""
        dxf = etree.Element(q("dxf"))
        if look.font_color or look.bold:
            font = etree.SubElement(dxf, q("font"))
            if look.bold:
                etree.SubElement(font, q("b"))
            if look.font_color:
                etree.SubElement(font, q("color"), rgb=_argb(look.font_color))
        if look.fill:
            fill = etree.SubElement(etree.SubElement(dxf, q("fill")), q("patternFill"))
            etree.SubElement(fill, q("bgColor"), rgb=_argb(look.fill))
        return self._append("dxfs", dxf)

    def import_dxf(self, dxf: etree._Element) -> int:
        """The index, here, of another styles.xml's differential format (it holds its fonts and fills itself)."""
        return self._append("dxfs", dxf)

    def import_xf(self, other: etree._Element, index: int) -> int:
        """The index, here, of style `index` of another styles.xml (fonts, fills, borders come along)."""
        key = ("import", id(other), index)
        if key in self.cache:
            return self.cache[key]
        if index == 0:
            return 0
        xf = etree.fromstring(etree.tostring(other.find(q("cellXfs"))[index]))
        for attr, tag in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders")):
            source = int(xf.get(attr, "0"))
            if source:
                xf.set(attr, str(self._append(tag, other.find(q(tag))[source])))
        fmt_id = int(xf.get("numFmtId", "0"))
        if fmt_id >= 164:
            code = next(f.get("formatCode") for f in other.find(q("numFmts")) if int(f.get("numFmtId")) == fmt_id)
            xf.set("numFmtId", str(self.format_id(code)))
        xf.set("xfId", "0")
        self.cache[key] = self._append("cellXfs", xf)
        return self.cache[key]


def _argb(colour: str) -> str:
    return "FF" + colour.lstrip("#").upper()


def _clean_text(text: str) -> str:
    """XML 1.0 cannot hold most control characters; a cell cannot hold more than 32,767 characters."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)[:CELL_TEXT_LIMIT]


def excel_serial(value: date | datetime, date1904: bool = False) -> float:
    """The number Excel stores for a moment, in the workbook's own date system (1900, or 1904 on older Macs)."""
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    days = (moment - excel_epoch(date1904)).total_seconds() / 86400
    return round(days, 10)


def _set_cell(cell: etree._Element, change: CellValue, styles: Styles, default_style: int) -> None:
    """Put a value in a <c>, in place of what it held."""
    for child in list(cell):
        cell.remove(child)
    cell.attrib.pop("t", None)
    style = int(cell.get("s", default_style))
    value = change.value
    if isinstance(value, bool):
        cell.set("t", "b")
        etree.SubElement(cell, q("v")).text = "1" if value else "0"
    elif isinstance(value, (datetime, date)):
        if not styles.is_date(style):
            kind = change.kind if change.kind in (Kind.DATE, Kind.DATETIME) else Kind.DATETIME
            style = styles.with_format(style, kind.number_format)
        etree.SubElement(cell, q("v")).text = repr(excel_serial(value, is_1904(styles.package.xml("xl/workbook.xml"))))
    elif isinstance(value, (int, float, Decimal)):
        etree.SubElement(cell, q("v")).text = str(value)
    elif value is not None:
        cell.set("t", "inlineStr")
        text = etree.SubElement(etree.SubElement(cell, q("is")), q("t"))
        text.text = _clean_text(str(value))
        if text.text != text.text.strip():
            text.set(XML_SPACE, "preserve")
    if style:
        cell.set("s", str(style))


def _column_styles(sheet: etree._Element) -> dict[int, int]:
    styles = {}
    cols = sheet.find(q("cols"))
    for col in cols if cols is not None else ():
        if col.get("style"):
            for number in range(int(col.get("min")), min(int(col.get("max")), 16384) + 1):
                styles[number] = int(col.get("style"))
    return styles


def _numbered(
    elements: Iterable[etree._Element], number_of: Callable[[etree._Element], int | None]
) -> dict[int, etree._Element]:
    """Rows (or cells) by number; the `r` attribute is optional in the format."""
    numbered, previous = {}, 0
    for element in elements:
        previous = number_of(element) or previous + 1
        numbered[previous] = element
    return numbered


def _insert_ordered(
    parent: etree._Element, existing: dict[int, etree._Element], number: int, element: etree._Element
) -> None:
    later = [n for n in existing if n > number]
    if later:
        existing[min(later)].addprevious(element)
    else:
        parent.append(element)
    existing[number] = element


def _area(ref: str) -> tuple[int, int, int, int]:
    first, _, last = ref.partition(":")
    top, left = split_cell(first)
    bottom, right = split_cell(last or first)
    return top, left, bottom, right


def _inside(row: int, col: int, area: tuple[int, int, int, int]) -> bool:
    return area[0] <= row <= area[2] and area[1] <= col <= area[3]


def _keep_formula_groups(sheet_name: str, sheet: etree._Element, targets: set[tuple[int, int]]) -> None:
    """Make the cells about to be written safe to write without breaking a formula group we do not own.

    A formula filled down is stored once, in a master cell, and shared by its
    dependents: before one member is written, every member gets its own formula
    (translated as Excel would show it), so the others keep working. An array or
    data-table formula cannot be cut: writing into one is refused.
    """
    shared: dict[str, list[etree._Element]] = {}
    for formula in sheet.iter(q("f")):
        kind, cell = formula.get("t"), formula.getparent()
        if kind not in ("shared", "array", "dataTable") or cell is None or not cell.get("r"):
            continue
        if kind == "shared":
            shared.setdefault(formula.get("si", ""), []).append(formula)
            continue
        area = _area(formula.get("ref") or cell.get("r"))
        hit = next((t for t in targets if _inside(*t, area)), None)
        if hit is not None:
            raise OutputError(
                f"「{sheet_name}」{cell_name(*hit)} 在一个数组公式（{formula.get('ref')}）里，不能只改其中一格："
                "请先把这个数组公式改成普通公式，或移到别处，再试。"
            )
    for members in shared.values():
        cells = {split_cell(f.getparent().get("r")): f for f in members}
        if not targets & cells.keys():
            continue
        master = next((f for f in members if f.get("ref") and f.text), None)
        if master is None:
            continue  # a group without its master is already broken; leave it as it is
        origin = master.getparent().get("r")
        from openpyxl.formula.translate import Translator  # here: a rare path, and openpyxl costs a click ~0.1-0.4 s

        for (row, col), formula in cells.items():
            text = Translator("=" + master.text, origin=origin).translate_formula(cell_name(row, col))
            formula.text = text[1:]
            for attribute in ("t", "si", "ref"):
                formula.attrib.pop(attribute, None)


def _row_at(data: etree._Element, rows: dict[int, etree._Element], number: int) -> etree._Element:
    row = rows.get(number)
    if row is None:
        row = etree.Element(q("row"), r=str(number))
        _insert_ordered(data, rows, number, row)
    return row


def _cells_of(row: etree._Element) -> dict[int, etree._Element]:
    return _numbered(row, lambda c: split_cell(c.get("r"))[1] if c.get("r") else None)


def edit_sheet(package: Package, styles: Styles, edit: EditSheet) -> None:
    parts = package.sheet_parts()
    part = parts[edit.sheet]
    sheet = package.edit(part)
    data = sheet.find(q("sheetData"))
    col_styles = _column_styles(sheet)
    _keep_formula_groups(edit.sheet, sheet, {(c.row, c.col) for c in edit.cells if c.value is not None})
    rows = _numbered(data, lambda row: int(row.get("r")) if row.get("r") else None)
    by_row: dict[int, list[CellValue]] = {}
    for change in edit.cells:
        by_row.setdefault(change.row, []).append(change)
    for number in sorted(by_row):
        row = _row_at(data, rows, number)
        row.attrib.pop("spans", None)
        cells = _cells_of(row)
        for change in by_row[number]:
            cell = cells.get(change.col)
            if change.value is None and (cell is None or cell.find(q("f")) is not None):
                continue  # clearing our old value: a formula there is the team's, and an absent cell is clear
            if cell is None:
                cell = etree.Element(q("c"), r=cell_name(number, change.col))
                _insert_ordered(row, cells, change.col, cell)
            _set_cell(cell, change, styles, col_styles.get(change.col, 0))
    _wrap(data, rows, styles, col_styles, edit.wrapped)
    _fit_rows(sheet, edit.wrapped_texts)
    for number in edit.hidden_rows:
        _row_at(data, rows, number).set("hidden", "1")
    last_col = max((c.col for c in edit.cells), default=1)
    _grow_dimension(sheet, max(by_row, default=1), last_col)
    _grow_filter(package, edit.sheet, sheet, edit.header_row, max(by_row, default=1), last_col)
    _add_highlights(sheet, styles, edit.highlights)
    if edit.last_row is not None:
        for table_part in package.related(part, TABLE_REL):
            _resize_table(package, table_part, edit.header_row, edit.last_row)


def _wrap(
    data: etree._Element,
    rows: dict[int, etree._Element],
    styles: Styles,
    col_styles: dict[int, int],
    areas: tuple[Area, ...],
) -> None:
    """Every cell of `areas` wraps; empty ones are created with the column's style, so later typing wraps too."""
    for first_row, first_col, last_row, last_col in areas:
        for number in range(first_row, last_row + 1):
            row = _row_at(data, rows, number)
            row.attrib.pop("spans", None)
            cells = _cells_of(row)
            for col in range(first_col, last_col + 1):
                cell = cells.get(col)
                if cell is None:
                    cell = etree.Element(q("c"), r=cell_name(number, col))
                    _insert_ordered(row, cells, col, cell)
                style = styles.with_wrap(int(cell.get("s", col_styles.get(col, 0))))
                if style:
                    cell.set("s", str(style))


def _column_widths(sheet: etree._Element) -> tuple[dict[int, float], float]:
    """Each column's width as the sheet gives it, and the width of the others."""
    widths = {}
    cols = sheet.find(q("cols"))
    for col in cols if cols is not None else ():
        if col.get("width"):
            for number in range(int(col.get("min")), min(int(col.get("max")), 16384) + 1):
                widths[number] = float(col.get("width"))
    form = sheet.find(q("sheetFormatPr"))
    default = form.get("defaultColWidth") if form is not None else None
    return widths, float(default) if default else 9.140625  # Excel's 8.43 characters, with the cell's padding


def _fit_rows(sheet: etree._Element, texts: dict[tuple[int, int], str]) -> None:
    """Rows holding wrapped `texts` (by cell) as tall as their text needs, never shorter than they were.

    The height is stored as Excel stores a height it fitted itself (no
    customHeight), so Excel fits the row again when someone edits it; a height
    the team set by hand (customHeight) is theirs and stays.
    """
    if not texts:
        return
    widths, default = _column_widths(sheet)
    by_row: dict[int, list[tuple[str, float]]] = {}
    for (number, col), text in texts.items():
        by_row.setdefault(number, []).append((text, widths.get(col, default)))
    rows = _numbered(sheet.find(q("sheetData")), lambda row: int(row.get("r")) if row.get("r") else None)
    for number, cells in by_row.items():
        row, height = rows.get(number), wrapped_height(cells)
        if row is None or height is None or row.get("customHeight") in ("1", "true"):
            continue
        if height > float(row.get("ht") or 0):
            row.set("ht", f"{height:g}")


def _add_highlights(sheet: etree._Element, styles: Styles, highlights: tuple[Highlight, ...]) -> None:
    """Conditional formats the sheet has none of (by marker) go on top of its rules, first given first.

    Excel puts a rule added through its API above the others; the file gets the
    same order, the team's rules keeping theirs below ours.
    """
    formats = [*sheet.iter(q("conditionalFormatting"), q("conditionalFormatting", X14))]
    present = "".join(text for cf in formats for text in cf.itertext())
    new = [h for h in highlights if h.marker not in present]
    if not new:
        return
    for rule in sheet.iter(q("cfRule"), q("cfRule", X14)):
        if rule.get("priority"):
            rule.set("priority", str(int(rule.get("priority")) + len(new)))
    follower = next((child for child in sheet if etree.QName(child).localname in _AFTER_CONDITIONAL_FORMATS), None)
    for priority, highlight in enumerate(new, start=1):
        top, left, bottom, right = highlight.area
        element = etree.Element(q("conditionalFormatting"), sqref=f"{cell_name(top, left)}:{cell_name(bottom, right)}")
        rule = etree.SubElement(
            element, q("cfRule"), type="expression", dxfId=str(styles.dxf(highlight.look)), priority=str(priority)
        )
        etree.SubElement(rule, q("formula")).text = highlight.formula
        if follower is not None:
            follower.addprevious(element)
        else:
            sheet.append(element)


def _grow_dimension(sheet: etree._Element, last_row: int, last_col: int) -> None:
    dimension = sheet.find(q("dimension"))
    if dimension is None:
        return
    first, _, last = dimension.get("ref").partition(":")
    end_row, end_col = split_cell(last or first)
    dimension.set("ref", f"{first}:{cell_name(max(end_row, last_row), max(end_col, last_col))}")


def _grow_filter(
    package: Package, name: str, sheet: etree._Element, header_row: int, last_row: int, last_col: int
) -> None:
    """A team's filter on the sheet (a range's, not a table's) whose header row is ours covers what we write under
    and beside it, as Excel's own filter covers a row typed right below it; it never shrinks."""
    auto_filter = sheet.find(q("autoFilter"))
    if auto_filter is None or not auto_filter.get("ref"):
        return
    top, left, bottom, right = _area(auto_filter.get("ref"))
    if top != header_row or (last_row <= bottom and last_col <= right):
        return
    bottom, right = max(bottom, last_row), max(right, last_col)
    auto_filter.set("ref", f"{cell_name(top, left)}:{cell_name(bottom, right)}")
    index = str(list(package.sheet_parts()).index(name))
    names = package.xml("xl/workbook.xml").find(q("definedNames"))
    for defined in names if names is not None else ():
        if defined.get("name") == FILTER_NAME and defined.get("localSheetId") == index:
            package.edit("xl/workbook.xml")
            sheet_ref = (defined.text or "").rpartition("!")[0]  # the sheet as the file names it, quoted or not
            defined.text = f"{sheet_ref}!{_absolute(top, left)}:{_absolute(bottom, right)}"


def _absolute(row: int, col: int) -> str:
    letters = cell_name(row, col).removesuffix(str(row))
    return f"${letters}${row}"


def _resize_table(package: Package, part: str, header_row: int, last_row: int) -> None:
    table = package.xml(part)
    first, last = table.get("ref").split(":")
    top, _ = split_cell(first)
    bottom, right = split_cell(last)
    if top != header_row or table.get("totalsRowCount") or last_row <= bottom:
        return  # not our table, or it already reaches that far: a table is never shrunk
    ref = f"{first}:{cell_name(last_row, right)}"
    package.edit(part).set("ref", ref)
    auto_filter = table.find(q("autoFilter"))
    if auto_filter is not None:
        auto_filter.set("ref", ref)


def _drop_calc_chain(package: Package) -> None:
    """calcChain.xml lists the formula cells in calculation order; after any change of ours it may name a cell
    that no longer holds a formula, which makes Excel repair the file. It is optional: Excel rebuilds it."""
    chain = package.related("xl/workbook.xml", CALC_CHAIN_REL)
    if not chain:
        return
    for part in chain:
        package.remove(part)
        package.set_content_type(part, None)
    rels = package.edit(rels_name("xl/workbook.xml"))
    for rel in list(rels):
        if rel.get("Type") == CALC_CHAIN_REL:
            rels.remove(rel)


def _reachable(package: Package, part: str) -> list[str]:
    """Parts hanging off `part` through relationships (drawings, charts, comments…), with their rels files."""
    found = []
    for rel in package.relationships(part):
        if rel.get("TargetMode") == "External":
            continue
        target = resolve(part, rel.get("Target"))
        if package.exists(target) and target not in found:
            found += [target, *_reachable(package, target)]
    name = rels_name(part)
    return found + ([name] if package.exists(name) else [])


def _referenced_outside(package: Package, parts: set[str]) -> set[str]:
    """Parts that some relationship from outside `parts` still points to."""
    referenced = set()
    for name in package.names():
        if name.endswith(".rels") and name not in parts:
            source = posixpath.join(posixpath.dirname(posixpath.dirname(name)), posixpath.basename(name)[:-5])
            if source not in parts:
                referenced |= {
                    resolve(source, rel.get("Target"))
                    for rel in package.xml(name)
                    if rel.get("TargetMode") != "External"
                }
    return referenced


def add_generated_sheet(package: Package, styles: Styles, new: NewSheet, scratch_bytes: bytes) -> None:
    """Graft the one sheet of a workbook XlsxWriter made (cells, styles, charts) into the package."""
    scratch = Package(scratch_bytes)
    (scratch_part,) = scratch.sheet_parts().values()
    existing = package.sheet_parts().get(new.title)
    if existing:
        owned = _reachable(package, existing)
        shared = _referenced_outside(package, set(owned) | {existing})
        for part in owned:
            if part not in shared:
                package.remove(part)
                package.set_content_type(part, None)
        target = existing
    else:
        target = package.free_name("xl/worksheets/sheet{}.xml")
        rid = package.add_relationship("xl/workbook.xml", SHEET_REL, target)
        sheets = package.edit("xl/workbook.xml").find(q("sheets"))
        sheet_id = max(int(s.get("sheetId")) for s in sheets) + 1
        etree.SubElement(sheets, q("sheet"), {"name": new.title, "sheetId": str(sheet_id), q("id", R): rid})
        package.set_content_type(target, scratch.content_type(scratch_part))
    sheet = scratch.xml(scratch_part)
    _localize(sheet, scratch, styles)
    _fit_rows(sheet, new.wrapped_texts)
    package.put(target, etree.tostring(sheet, xml_declaration=True, encoding="UTF-8", standalone=True))
    _copy_related(scratch, scratch_part, package, target)


def _localize(sheet: etree._Element, scratch: Package, styles: Styles) -> None:
    """Styles mapped into the target's styles.xml, shared strings made inline, no selected tab."""
    scratch_styles = scratch.xml("xl/styles.xml")
    strings = []
    if scratch.exists("xl/sharedStrings.xml"):
        strings = ["".join(si.itertext()) for si in scratch.xml("xl/sharedStrings.xml")]
    for element in sheet.iter(q("c"), q("row"), q("col")):
        attr = "style" if element.tag == q("col") else "s"
        if element.get(attr):
            element.set(attr, str(styles.import_xf(scratch_styles, int(element.get(attr)))))
        if element.tag == q("c") and element.get("t") == "s":
            value = element.find(q("v"))
            element.remove(value)
            element.set("t", "inlineStr")
            etree.SubElement(etree.SubElement(element, q("is")), q("t")).text = strings[int(value.text)]
    dxfs = scratch_styles.find(q("dxfs"))
    for rule in sheet.iter(q("cfRule")):
        if rule.get("dxfId") is not None and dxfs is not None:
            rule.set("dxfId", str(styles.import_dxf(dxfs[int(rule.get("dxfId"))])))
    for view in sheet.iter(q("sheetView")):
        view.attrib.pop("tabSelected", None)


def _copy_related(scratch: Package, scratch_part: str, package: Package, target: str) -> None:
    """Copy the parts a scratch part relates to under free names, keeping relationship ids."""
    relationships = scratch.relationships(scratch_part)
    if not relationships:
        return
    rels = etree.fromstring(scratch.read(rels_name(scratch_part)))
    for rel in rels:
        source = resolve(scratch_part, rel.get("Target"))
        folder, name = posixpath.split(source)
        stem = re.sub(r"\d+\.xml$", "{}.xml", name)
        new_name = package.free_name(posixpath.join(folder, stem))
        package.put(new_name, scratch.read(source))
        package.set_content_type(new_name, scratch.content_type(source))
        rel.set("Target", posixpath.relpath(new_name, posixpath.dirname(target)))
        _copy_related(scratch, source, package, new_name)
    package.put(rels_name(target), etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True))


_CHART_CACHES = {"numCache", "strCache", "multiLvlStrCache", "dlblRangeCache"}  # what a chart showed last


def _followed(
    formulas: Iterable[etree._Element],
    sheet_name: str,
    rows: RowMap,
    refusal: Callable[[etree._Element], OutputError],
) -> dict[etree._Element, str]:
    """Each of `formulas` that points at the sheet's rows, with its text once they are deleted (as Excel rewrites
    it: a range loses the deleted rows, a reference below them moves up); `refusal(formula)` is raised for one
    left with no row at all, which would become #REF! (the archive keeps such rows: xlsx/pinned_rows.py)."""
    changed = {
        f: text for f in formulas if f.text and (text := shift_formula(f.text, rows, sheet_name, False)) != f.text
    }
    for formula, text in changed.items():
        if text.count(REF_ERROR) > (formula.text or "").count(REF_ERROR):
            raise refusal(formula)
    return changed


def _host(package: Package, part: str) -> str:
    """The sheet a chart or a pivot table part is shown on, as a message names it; "" when none is found."""
    for sheet_name, sheet in package.sheet_parts().items():
        for related in [resolve(sheet, r.get("Target", "")) for r in package.relationships(sheet)]:
            if related == part or any(
                resolve(related, r.get("Target", "")) == part for r in package.relationships(related)
            ):
                return f"「{sheet_name}」上的"
    return ""


def _follow_in_charts(package: Package, sheet_name: str, rows: RowMap) -> None:
    """Charts' data ranges follow the rows as Excel's do. The values a chart keeps to show before it reads its
    cells again are dropped where its range changed (they are optional), so Excel and LibreOffice draw it from the
    cells that stay. The newer chart types (chartEx, another namespace) are not rewritten: a deletion that would
    move their data is refused, as is one that would leave a range with no row."""
    todo = f"请先把图表的数据区域改成整列（如「{sheet_name}」的 H:H）或别的表里的数据"
    for name in chart_parts(package, sheet_name):
        chart = package.xml(name)

        def refusal(
            formula: etree._Element,
            name: str = name,
            why: str = f"只有「{sheet_name}」要归档删去的行，删去后会变成 #REF!",
        ) -> OutputError:
            return deletion_refused(f"{_host(package, name)}一个图表的数据区域（{formula.text}）{why}", todo)

        changed = _followed(chart.iter("{*}f", "{*}sqref"), sheet_name, rows, refusal)  # sqref: a filtered series
        if changed and etree.QName(chart).namespace != CHART_NS:
            raise refusal(next(iter(changed)), why=f"含有「{sheet_name}」要移动的行，这种新式图表不会跟着改")
        if changed:
            package.edit(name)
        for formula, text in changed.items():
            formula.text = text
            cache = formula.getnext()
            if cache is not None and etree.QName(cache).localname in _CHART_CACHES:
                formula.getparent().remove(cache)


def _follow_in_pivot_sources(package: Package, sheet_name: str, rows: RowMap) -> None:
    """A pivot table's source range on the sheet shrinks or moves as Excel's does (the pivot table shows what it
    last read until it is refreshed); one named by a table or a defined name follows with that, and one in another
    workbook (r:id) is not this sheet's."""
    for name in sorted(package.names()):
        if not name.startswith("xl/pivotCache/pivotCacheDefinition") or b"worksheetSource" not in package.read(name):
            continue  # the records parts hold a copy of the data: never parsed
        for source in package.xml(name).iter(q("worksheetSource")):
            if source.get("sheet") != sheet_name or not source.get("ref") or source.get(q("id", R)):
                continue
            moved = shift_area(source.get("ref"), rows)
            if moved is None:
                tables = [p for p in package.names() if p.startswith("xl/pivotTables/") and p.endswith(".xml")]
                shown = next((_host(package, t) for t in tables if name in package.related(t, PIVOT_CACHE_REL)), "")
                raise deletion_refused(
                    f"{shown}一个数据透视表的数据源（「{sheet_name}」{source.get('ref')}）只有要归档删去的行",
                    "请先把数据源改成整个台账（含表头）",
                )
            if moved != source.get("ref"):
                package.edit(name)
                source.set("ref", moved)


def _move_pivot_tables(package: Package, part: str, sheet_name: str, rows: RowMap) -> None:
    """A pivot table on the sheet below the deleted rows moves up with its cells; one the deletion would cut
    through refuses it (the archive keeps rows with anything beside the ledger)."""
    for pivot in package.related(part, PIVOT_TABLE_REL):
        location = package.xml(pivot).find(q("location"))
        ref = location.get("ref") if location is not None else None
        if not ref:
            continue
        top, _, bottom, _ = _area(ref)
        if rows.touches(top, bottom):
            raise deletion_refused(
                f"「{sheet_name}」{ref} 的数据透视表所在的行要归档删去", "请先把数据透视表移到别的表或表头上方"
            )
        if (moved := shift_area(ref, rows)) not in (None, ref):
            package.edit(pivot)
            location.set("ref", moved)


def _follow_in_other_sheets(package: Package, part: str, sheet_name: str, rows: RowMap) -> None:
    """Other sheets' formulas (cells, validations, conditional formats) follow the rows they point at as Excel's
    do; one left with no row at all refuses the deletion (see `_followed`)."""
    spelt = spellings(sheet_name)
    for other_name, other in package.sheet_parts().items():
        if other == part or (other not in package.trees and not any(s in package.read(other) for s in spelt)):
            continue
        sheet = package.xml(other)
        groups = {f.get("si") for f in sheet.iter(q("f")) if f.get("t") == "shared" and sheet_name in (f.text or "")}
        if groups:  # a filled-down formula: each member gets its own, and its references move on their own
            members = {
                split_cell(f.getparent().get("r"))
                for f in sheet.iter(q("f"))
                if f.get("t") == "shared" and f.get("si") in groups and f.getparent().get("r")
            }
            _keep_formula_groups(other_name, package.edit(other), members)

        def refusal(formula: etree._Element, other_name: str = other_name) -> OutputError:
            cell = formula.getparent()
            where = f"{cell.get('r')} 的公式" if etree.QName(cell).localname == "c" else "的数据验证或条件格式"
            return deletion_refused(
                f"「{other_name}」{where}只引用了「{sheet_name}」要归档删去的行，删去后会变成 #REF!",
                f"请把它改成引用整列（如「{sheet_name}」的 H:H）或留下的行",
            )

        changed = _followed(sheet.iter("{*}f", "{*}formula", "{*}formula1", "{*}formula2"), sheet_name, rows, refusal)
        if changed:
            package.edit(other)
        for formula, text in changed.items():
            formula.text = text
        _follow_links(package, other, other_name, sheet_name, rows, False)
        package.settle(other)


def _follow_links(package: Package, part: str, name: str, sheet_name: str, rows: RowMap, own: bool) -> None:
    """Links within the workbook (a contents sheet's 「'退件表'!B12」) keep opening the same row: their location
    follows the deletion as a reference does; one to a deleted row refuses it (the archive keeps such rows)."""
    for link in package.xml(part).iter(q("hyperlink")):
        location = link.get("location")
        if not location or (moved := shift_formula(location, rows, sheet_name, own)) == location:
            continue
        if REF_ERROR in moved:
            raise deletion_refused(
                f"「{name}」{link.get('ref')} 的链接指向「{sheet_name}」要归档删去的行（{location}）",
                "请先把链接改成指向留下的行或表头",
            )
        package.edit(part)
        link.set("location", moved)


def _expand_shared(sheet_name: str, sheet: etree._Element, rows: RowMap) -> None:
    """Filled-down formulas (one master, shared by the cells below) that reach the deleted rows or below become
    one formula per cell, each then moved on its own; an array formula cannot be cut, so one on a deleted row is
    refused."""
    targets = set()
    for formula in sheet.iter(q("f")):
        kind, cell = formula.get("t"), formula.getparent()
        if kind in ("array", "dataTable") and cell is not None:
            area = _area(formula.get("ref") or cell.get("r"))
            if rows.touches(area[0], area[2]):
                targets.add((area[0], area[1]))
        elif kind == "shared" and formula.get("ref") and _area(formula.get("ref"))[2] >= rows.first:
            targets.add(split_cell(cell.get("r")))
    _keep_formula_groups(sheet_name, sheet, targets)


def _move_rows(data: etree._Element, rows: RowMap) -> None:
    numbered = _numbered(data, lambda row: int(row.get("r")) if row.get("r") else None)
    for number, row in numbered.items():
        if number in rows.gone:
            data.remove(row)
            continue
        new = rows.new(number)
        row.set("r", str(new))
        if new == number:
            continue
        cells = _numbered(row, lambda c: split_cell(c.get("r"))[1] if c.get("r") else None)
        for col, cell in cells.items():
            cell.set("r", cell_name(new, col))


def _shift_attribute(element: etree._Element, attribute: str, rows: RowMap) -> bool:
    """Move an area attribute; False when nothing of the area is left."""
    value = element.get(attribute)
    if value is None:
        return True
    moved = shift_sqref(value, rows)
    if not moved:
        return False
    element.set(attribute, moved)
    return True


def delete_rows(package: Package, change: DeleteRows) -> None:
    """Delete whole rows as Excel does: cells below move up with their formats and formulas, every reference on
    the sheet follows, validations, conditional formats, merged ranges, links and tables shrink or move, and the
    workbook's defined names, charts' data ranges and pivot tables' sources follow, notes and pictures below move
    up with their cells; nothing else is touched."""
    rows = RowMap(change.rows)
    if not rows.deleted:
        return
    if rows.first <= change.header_row:
        raise ValueError("a deletion never reaches the header row")
    part = package.sheet_parts()[change.sheet]
    move_row_objects(package, part, change.sheet, rows)
    _follow_in_charts(package, change.sheet, rows)
    _follow_in_pivot_sources(package, change.sheet, rows)
    _follow_in_other_sheets(package, part, change.sheet, rows)
    streamed = stream_rows(package.read(part), rows, lambda formula: shift_formula(formula, rows, change.sheet, True))
    if streamed is not None:  # the rows are done; what follows changes the rest of the sheet
        package.put(part, streamed.rest)
    sheet = package.edit(part)
    _expand_shared(change.sheet, sheet, rows)
    _move_cells(sheet, rows, change.sheet)
    for formula in sheet.iter(q("formula"), q("formula1"), q("formula2")):
        if formula.text:
            formula.text = _shift_rule(formula, rows, change.sheet)
    for sqref in sheet.iter("{*}sqref"):  # extensions (x14 validations and formats) keep the area as text
        if sqref.text and sqref.tag != q("sqref"):
            sqref.text = shift_sqref(sqref.text, rows) or sqref.text
    for tag, attribute in (
        ("mergeCell", "ref"),
        ("dataValidation", "sqref"),
        ("conditionalFormatting", "sqref"),
        ("hyperlink", "ref"),
    ):
        for element in list(sheet.iter(q(tag))):
            if not _shift_attribute(element, attribute, rows):
                element.getparent().remove(element)
    for tag in ("mergeCells", "dataValidations", "hyperlinks"):
        for holder in list(sheet.iter(q(tag))):
            if len(holder) == 0:
                sheet.remove(holder)
            elif holder.get("count") is not None:
                holder.set("count", str(len(holder)))
    for tag in ("dimension", "autoFilter"):
        for element in sheet.iter(q(tag)):
            _shift_attribute(element, "ref", rows)
    for breaks in sheet.iter(q("rowBreaks")):
        for brk in list(breaks):
            if int(brk.get("id", "0")) in rows.gone:
                breaks.remove(brk)
            else:
                brk.set("id", str(rows.new(int(brk.get("id", "0")))))
    for table_part in package.related(part, TABLE_REL):
        table = package.edit(table_part)
        for element in (table, *table.iter(q("autoFilter"), q("sortState"))):
            _shift_attribute(element, "ref", rows)
    _follow_links(package, part, change.sheet, change.sheet, rows, True)
    _move_pivot_tables(package, part, change.sheet, rows)
    _shift_defined_names(package, change.sheet, rows)
    _recalculate_on_open(package)
    package.settle(part)  # the next sheet's rows are deleted without this one's tree
    if streamed is not None:
        package.put(part, streamed.splice(package.read(part)))


def _shift_rule(formula: etree._Element, rows: RowMap, sheet_name: str) -> str:
    """A validation's or conditional format's formula after the deletion. It is written for the first cell of its
    area and read relative to it (「$I2="待处理"」 over A2:P500 reads row 3 for row 3; 「$A2<>$A1」 compares each row
    with the one above): each cell keeps its own reading. So the formula is written for the cell that becomes the
    area's first, its relative rows moved by their offset (openpyxl's Translator), and only the rows it names with
    `$` follow the deletion (one deleted becomes #REF!, as Excel's would)."""
    text = formula.text or ""
    owner = formula.getparent()
    if owner is not None and etree.QName(owner).localname == "cfRule":
        owner = owner.getparent()
    areas = (owner.get("sqref") or "").split() if owner is not None else []
    if not areas:
        return shift_formula(text, rows, sheet_name, True)
    top, left = _area(areas[0])[:2]
    kept = ((r, area[1]) for area in map(_area, areas) for r in range(area[0], area[2] + 1) if r not in rows.gone)
    first = next(kept, None)
    if first is None:
        return shift_formula(text, rows, sheet_name, True)  # the whole area goes: so does the rule
    origin = (rows.new(first[0]), first[1])
    if origin != (top, left):
        from openpyxl.formula.translate import Translator  # here: only when rows go, and openpyxl costs ~0.1-0.4 s

        text = Translator("=" + text, origin=cell_name(top, left)).translate_formula(cell_name(*origin))[1:]
    return shift_formula(text, rows, sheet_name, True, relative=False)


def _move_cells(element: etree._Element, rows: RowMap, sheet_name: str) -> None:
    """Delete and renumber the rows under `element` (a sheet, or a run of its rows) and move their formulas."""
    for data in element.iter(q("sheetData")):
        _move_rows(data, rows)
    for formula in element.iter("{*}f"):
        if formula.text:
            formula.text = shift_formula(formula.text, rows, sheet_name, True)
        if formula.get("ref"):
            formula.set("ref", shift_area(formula.get("ref"), rows) or formula.get("ref"))


def _recalculate_on_open(package: Package) -> None:
    """Formulas over deleted rows keep the values they last showed (a shrunk SUM, the total of rows now gone)
    until they are calculated again: Excel calculates the whole workbook when it next opens it (ECMA-376 Part 1
    §18.2.2, calcPr fullCalcOnLoad)."""
    book = package.edit("xl/workbook.xml")
    calc = book.find(q("calcPr"))
    if calc is None:
        calc = etree.Element(q("calcPr"))
        follower = next((child for child in book if etree.QName(child).localname in _AFTER_CALC_PROPERTIES), None)
        if follower is None:
            book.append(calc)
        else:
            follower.addprevious(calc)
    calc.set("fullCalcOnLoad", "1")


def _shift_defined_names(package: Package, sheet_name: str, rows: RowMap) -> None:
    names = package.xml("xl/workbook.xml").find(q("definedNames"))
    for name in names if names is not None else ():
        if name.text and (moved := shift_formula(name.text, rows, sheet_name, False)) != name.text:
            package.edit("xl/workbook.xml")
            name.text = moved


def apply_changes(
    data: bytes,
    changes: Iterable[Change],
    build_sheet: Callable[[NewSheet, bool], bytes],
    properties: Mapping[str, str] | None = None,
) -> bytes:
    """The package with `changes` applied and custom document `properties` set; `build_sheet(NewSheet,
    date1904) -> bytes` makes generated tabs with dates in the workbook's own system."""
    package = Package(data)
    set_custom_properties(package, dict(properties or {}))
    styles = Styles(package)
    date1904 = is_1904(package.xml("xl/workbook.xml"))
    for change in changes:
        if isinstance(change, EditSheet):
            edit_sheet(package, styles, change)
        elif isinstance(change, DeleteRows):
            delete_rows(package, change)
        else:
            add_generated_sheet(package, styles, change, build_sheet(change, date1904))
    _drop_calc_chain(package)
    return package.to_bytes()
