"""Rules Excel enforces on a workbook beyond what the schema says: a file that breaks one opens with a repair prompt.

A schema validator accepts a table that overlaps another, a shared formula whose
master is gone or a style index past the end of the list; Excel does not, and
"repairs" the file by dropping what it cannot place. These checks are pure
functions of the package's bytes, so the writer can refuse to replace a workbook
with a file that would need repair, and the tests can check every file we write.

`problems(data, parts)` limits the per-sheet rules to the sheets among `parts`
(the parts a command changed): reading every sheet of a large workbook again
would cost as much as the command itself, and sheets copied byte for byte are
as sound as they were.
"""

from __future__ import annotations

import functools
import io
import posixpath
import re
import zipfile
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from lxml import etree

from workbook_tools.xlsx.opc import CALC_CHAIN_REL, CT, PR, TABLE_REL, M, R, q, rels_name, resolve, split_cell

SHARED_STRINGS_REL = R + "/sharedStrings"
STYLES_REL = R + "/styles"
_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False)
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_FIRST_CUSTOM_FORMAT = 164  # lower numFmtIds are Excel's built-in formats

Area = tuple[int, int, int, int]  # top, left, bottom, right

# What each rule means, in the words of the refusal a user reads.
RULES = {
    "content_type": "有部件没有登记内容类型",
    "relationship_target": "有关系指向不存在的部件",
    "table_overlap": "表格与其他表格或合并单元格重叠",
    "table_header": "表格的列名与表头单元格不一致",
    "table_identity": "两个表格的编号或名称相同",
    "shared_formula": "共享公式缺少主公式",
    "calc_chain": "计算链指向没有公式的单元格",
    "style_index": "单元格格式编号超出了格式表",
}


@dataclass(frozen=True)
class Problem:
    """One broken rule: `where` is the sheet's name, or the part's for package-wide rules."""

    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule}: {self.detail}"


def area(ref: str) -> Area:
    first, _, last = ref.partition(":")
    top, left = split_cell(first)
    bottom, right = split_cell(last or first)
    return top, left, bottom, right


def _overlap(a: Area, b: Area) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _inside(cell: tuple[int, int], box: Area) -> bool:
    return box[0] <= cell[0] <= box[2] and box[1] <= cell[1] <= box[3]


def _unescape(text: str) -> str:
    """Excel writes characters XML cannot hold as _xHHHH_ (ST_Xstring)."""
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


class _Book:
    """The package's parts, each parsed at most once."""

    def __init__(self, data: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(data))
        self.names = {n for n in self.zip.namelist() if not n.endswith("/")}
        self._trees: dict[str, etree._Element] = {}

    def xml(self, name: str) -> etree._Element:
        if name not in self._trees:
            self._trees[name] = etree.fromstring(self.zip.read(name), _PARSER)
        return self._trees[name]

    def forget(self, name: str) -> None:
        self._trees.pop(name, None)

    def related(self, part: str, rel_type: str) -> list[str]:
        name = rels_name(part)
        if name not in self.names:
            return []
        return [
            resolve(part, unquote(rel.get("Target", "")))
            for rel in self.xml(name)
            if rel.get("Type") == rel_type and rel.get("TargetMode") != "External"
        ]

    def workbook_part(self) -> str:
        (main,) = [
            resolve("", rel.get("Target", ""))
            for rel in self.xml("_rels/.rels")
            if rel.get("Type") == R + "/officeDocument"
        ]
        return main

    def sheets(self) -> list[tuple[str, str, str]]:
        """(name, sheetId, part) of every sheet, in workbook order."""
        workbook = self.workbook_part()
        rels = self.xml(rels_name(workbook))
        targets = {rel.get("Id"): resolve(workbook, unquote(rel.get("Target", ""))) for rel in rels}
        return [
            (sheet.get("name", ""), sheet.get("sheetId", ""), targets.get(sheet.get(q("id", R)), ""))
            for sheet in self.xml(workbook).iter(q("sheet"))
        ]

    @functools.cached_property
    def shared_strings(self) -> list[etree._Element]:
        """The <si> items, found once: each changed sheet reads a few header cells from them, and a ledger's
        hundred thousand strings are not each joined for that."""
        parts = [p for p in self.related(self.workbook_part(), SHARED_STRINGS_REL) if p in self.names]
        if not parts:
            return []
        return list(self.xml(parts[0]).iterfind(q("si")))


def _numbered(elements: Iterator[etree._Element], number_of: str) -> Iterator[tuple[int, etree._Element]]:
    """Rows or cells with their numbers; the `r` attribute is optional and then follows the previous one."""
    previous = 0
    for element in elements:
        ref = element.get("r")
        if ref is None:
            previous += 1
        elif number_of == "row":
            previous = int(ref)
        else:
            previous = split_cell(ref)[1]
        yield previous, element


def _column(cell: etree._Element) -> int:
    """A cell's column: its reference's, else one more than the cell before it (see `_numbered`)."""
    after = 0
    for earlier in (cell, *cell.itersiblings(q("c"), preceding=True)):
        ref = earlier.get("r")
        if ref is not None:
            return split_cell(ref)[1] + after
        after += 1
    return after


def _cell_styles(data: etree._Element) -> list[str]:
    return list(data.xpath("m:row/m:c/@s", namespaces={"m": M}, smart_strings=False))


def _formula_cells(data: etree._Element) -> list[etree._Element]:
    """The cells holding a formula, found by lxml: a big sheet's check reads only these and its header rows."""
    return list(data.xpath("m:row/m:c[m:f]", namespaces={"m": M}))


def _extension(part: str) -> str:
    """What follows the last dot of the last segment (OPC's rule: `_rels/.rels` has the extension `rels`)."""
    segment = part.rpartition("/")[2]
    return segment.rpartition(".")[2].lower() if "." in segment else ""


def package_problems(book: _Book) -> list[Problem]:
    """Every part has a content type; every internal relationship points at a part that exists."""
    types = book.xml("[Content_Types].xml")
    defaults = {d.get("Extension", "").lower() for d in types.iter(q("Default", CT))}
    overrides = {o.get("PartName", "") for o in types.iter(q("Override", CT))}
    found = [
        Problem("content_type", name, "no Default or Override content type")
        for name in sorted(book.names - {"[Content_Types].xml"})
        if "/" + name not in overrides and _extension(name) not in defaults
    ]
    for rels in sorted(n for n in book.names if n.endswith(".rels")):
        source = posixpath.join(posixpath.dirname(posixpath.dirname(rels)), posixpath.basename(rels)[:-5])
        for rel in book.xml(rels).iter(q("Relationship", PR)):
            if rel.get("TargetMode") == "External":
                continue
            target = resolve(source, unquote(rel.get("Target", "")))
            if target not in book.names:
                found.append(Problem("relationship_target", rels, f"{rel.get('Id')} → {target} is missing"))
    return found


@dataclass(frozen=True)
class _Styles:
    cell_formats: int
    differential_formats: int
    problems: tuple[Problem, ...]


def _styles(book: _Book) -> _Styles:
    """How many cell and differential formats there are, and whether each format's own references hold."""
    parts = [p for p in book.related(book.workbook_part(), STYLES_REL) if p in book.names]
    if not parts:
        return _Styles(1, 0, ())  # Excel's default format 0 always exists
    styles, part, found = book.xml(parts[0]), parts[0], []

    def count(tag: str) -> int:
        section = styles.find(q(tag))
        return 0 if section is None else len(section)

    sizes = {attr: count(tag) for attr, tag in (("fontId", "fonts"), ("fillId", "fills"), ("borderId", "borders"))}
    custom = {int(f.get("numFmtId", "-1")) for f in styles.iter(q("numFmt"))}
    style_formats = count("cellStyleXfs")
    for section in ("cellStyleXfs", "cellXfs"):
        for index, xf in enumerate(styles.find(q(section)) if styles.find(q(section)) is not None else ()):
            for attr, size in sizes.items():
                if int(xf.get(attr, "0")) >= max(size, 1):
                    found.append(Problem("style_index", part, f"{section}[{index}] {attr}={xf.get(attr)} of {size}"))
            fmt = int(xf.get("numFmtId", "0"))
            if fmt >= _FIRST_CUSTOM_FORMAT and fmt not in custom:
                found.append(Problem("style_index", part, f"{section}[{index}] numFmtId={fmt} is not defined"))
            if section == "cellXfs" and int(xf.get("xfId", "0")) >= max(style_formats, 1):
                found.append(Problem("style_index", part, f"cellXfs[{index}] xfId={xf.get('xfId')}"))
    found += [
        Problem("style_index", part, f"cellStyle {named.get('name')} xfId={named.get('xfId')}")
        for named in styles.iter(q("cellStyle"))
        if int(named.get("xfId", "0")) >= max(style_formats, 1)
    ]
    return _Styles(max(count("cellXfs"), 1), count("dxfs"), tuple(found))


@dataclass(frozen=True)
class _Table:
    part: str
    sheet: str
    id: str
    name: str
    display_name: str
    ref: str
    header_rows: int
    columns: tuple[str, ...]


def _tables(book: _Book, sheet: str, part: str) -> list[_Table]:
    tables = []
    for table_part in book.related(part, TABLE_REL):
        if table_part not in book.names:
            continue  # reported as a missing relationship target
        table = book.xml(table_part)
        columns = tuple(_unescape(c.get("name", "")) for c in table.iter(q("tableColumn")))
        tables.append(
            _Table(
                table_part,
                sheet,
                table.get("id", ""),
                table.get("name", ""),
                table.get("displayName", ""),
                table.get("ref", "A1"),
                int(table.get("headerRowCount", "1")),
                columns,
            )
        )
    return tables


def table_identity_problems(book: _Book) -> list[Problem]:
    """Table ids, and names (which Excel compares without case), are unique in the workbook."""
    found: list[Problem] = []
    seen_ids: dict[str, str] = {}
    seen_names: dict[str, str] = {}
    for sheet, _, part in book.sheets():
        for table in _tables(book, sheet, part):
            if table.id in seen_ids:
                found.append(Problem("table_identity", table.part, f"id {table.id} also in {seen_ids[table.id]}"))
            seen_ids[table.id] = table.part
            for name in {table.name.casefold(), table.display_name.casefold()}:
                if name in seen_names:
                    found.append(Problem("table_identity", table.part, f"name {name} also in {seen_names[name]}"))
                seen_names[name] = table.part
    return found


def _cell_text(cell: etree._Element, strings: list[etree._Element]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        box = cell.find(q("is"))
        return "" if box is None else "".join(box.itertext())
    value = cell.findtext(q("v")) or ""
    if kind == "s":
        index = int(value) if value.isdigit() else -1
        return "".join(strings[index].itertext()) if 0 <= index < len(strings) else ""
    return value


def sheet_problems(book: _Book, sheet: str, part: str, styles: _Styles, calc: set[tuple[int, int]]) -> list[Problem]:
    """The per-sheet rules; `calc` holds the cells calcChain.xml lists for this sheet."""
    root = book.xml(part)
    found: list[Problem] = []
    tables = _tables(book, sheet, part)
    merged = [m.get("ref", "") for m in root.iter(q("mergeCell"))]
    boxes = [(f"table {t.name} {t.ref}", area(t.ref)) for t in tables] + [(f"merged {m}", area(m)) for m in merged]
    for i, (name, box) in enumerate(boxes[: len(tables)]):
        for other, other_box in boxes[i + 1 :]:
            if _overlap(box, other_box):
                found.append(Problem("table_overlap", sheet, f"{name} overlaps {other}"))

    headers: dict[tuple[int, int], str] = {}
    wanted = {
        (area(t.ref)[0], col) for t in tables if t.header_rows for col in range(area(t.ref)[1], area(t.ref)[3] + 1)
    }
    strings: list[etree._Element] | None = None
    masters: dict[str, Area] = {}
    dependents: list[tuple[tuple[int, int], str]] = []
    formulas: set[tuple[int, int]] = set()
    data = root.find(q("sheetData"))
    rows = list(_numbered(iter(data if data is not None else ()), "row"))
    if data is not None and max(map(int, _cell_styles(data)), default=0) >= styles.cell_formats:
        found += [
            Problem("style_index", sheet, f"cell {cell.get('r')} s={style}")
            for _, row in rows
            for cell in row.iterchildren(q("c"))
            if (style := int(cell.get("s", "0"))) >= styles.cell_formats
        ]
    number = {row: n for n, row in rows}  # lxml hands back these very elements as a cell's parent
    for cell in _formula_cells(data) if data is not None else ():
        formula = cell.find(q("f"))
        cell_ref = (number[cell.getparent()], _column(cell))
        formulas.add(cell_ref)
        if formula.get("t") == "shared":
            if formula.get("ref"):
                masters[formula.get("si", "")] = area(formula.get("ref", ""))
            else:
                dependents.append((cell_ref, formula.get("si", "")))
    header_rows = {top for top, _ in wanted}
    for row_number, row in rows:
        if row_number in header_rows:
            for col_number, cell in _numbered(row.iterchildren(q("c")), "col"):
                if (row_number, col_number) in wanted:
                    if strings is None:
                        strings = book.shared_strings
                    headers[row_number, col_number] = _unescape(_cell_text(cell, strings))
    for cell_ref, si in dependents:
        if si not in masters or not _inside(cell_ref, masters[si]):
            found.append(
                Problem("shared_formula", sheet, f"row {cell_ref[0]} col {cell_ref[1]}: no master for si={si}")
            )
    for row, col in sorted(calc - formulas):
        found.append(Problem("calc_chain", sheet, f"row {row} col {col} has no formula"))

    for table in tables:
        top, left, _, right = area(table.ref)
        if len(table.columns) != right - left + 1:
            found.append(Problem("table_header", sheet, f"{table.name}: {len(table.columns)} columns for {table.ref}"))
        elif table.header_rows:
            for offset, name in enumerate(table.columns):
                text = headers.get((top, left + offset), "")
                if text != name:
                    found.append(Problem("table_header", sheet, f"{table.name}: column {name!r}, header {text!r}"))

    found += [
        Problem("style_index", sheet, f"{etree.QName(item).localname} {attr}={item.get(attr)}")
        for tag, attr in (("row", "s"), ("col", "style"))
        for item in root.iter(q(tag))
        if int(item.get(attr, "0")) >= styles.cell_formats
    ]
    found += [
        Problem("style_index", sheet, f"conditional format dxfId={rule.get('dxfId')}")
        for rule in root.iter(q("cfRule"))
        if int(rule.get("dxfId", "-1")) >= styles.differential_formats
    ]
    return found


def _calc_chain(book: _Book) -> dict[str, set[tuple[int, int]]]:
    """The cells calcChain.xml lists, by sheetId (an entry without `i` is on the previous entry's sheet)."""
    cells: dict[str, set[tuple[int, int]]] = {}
    for part in book.related(book.workbook_part(), CALC_CHAIN_REL):
        if part not in book.names:
            continue
        sheet_id = ""
        for entry in book.xml(part).iter(q("c")):
            sheet_id = entry.get("i", sheet_id)
            cells.setdefault(sheet_id, set()).add(split_cell(entry.get("r", "A1")))
    return cells


def problems(data: bytes, parts: Collection[str] | None = None) -> list[Problem]:
    """What Excel would repair in this package; with `parts`, the per-sheet rules look only at those sheets."""
    book = _Book(data)
    found = package_problems(book)
    styles = _styles(book)
    found += styles.problems
    found += table_identity_problems(book)
    calc = _calc_chain(book)
    for sheet, sheet_id, part in book.sheets():
        if part not in book.names or (parts is not None and part not in parts and not _tables_among(book, part, parts)):
            continue
        found += sheet_problems(book, sheet, part, styles, calc.get(sheet_id, set()))
        book.forget(part)  # one big sheet's tree at a time
    return found


def _tables_among(book: _Book, part: str, parts: Collection[str]) -> bool:
    return any(table in parts for table in book.related(part, TABLE_REL))


def changed_parts(before: bytes, after: bytes) -> set[str]:
    """Parts of `after` that are new or differ from `before` (by checksum and size, without inflating them)."""
    with zipfile.ZipFile(io.BytesIO(before)) as old, zipfile.ZipFile(io.BytesIO(after)) as new:
        was = {i.filename: (i.CRC, i.file_size) for i in old.infolist()}
        return {i.filename for i in new.infolist() if was.get(i.filename) != (i.CRC, i.file_size)}


def new_problems(before: bytes, after: bytes) -> list[Problem]:
    """What `after` would make Excel repair in the parts that changed, that `before` did not already have."""
    changed = changed_parts(before, after)
    found = problems(after, changed)
    if not found:
        return []
    already = set(problems(before, changed))
    return [p for p in found if p not in already]
