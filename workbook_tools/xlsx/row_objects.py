"""What sits on a sheet's rows besides its cells' values, and moving it up when rows above it are deleted.

Notes (批注, and Excel 365's threaded comments), pictures, shapes and charts
anchored to cells, links and pictures placed in a cell (Excel's rich values,
WPS's DISPIMG formula) live in parts of their own or in attributes the cell
values do not carry. The archive stores values, so a row holding one of these
stays in the workbook (`rows_holding`); what sits below the deleted rows moves
up with its cells (`move_row_objects`): a note and its box, a picture that moves
with cells. A picture set not to move (editAs absolute, or placed by position:
absoluteAnchor) and a legacy form control or embedded object marked so stay
where they are, as in Excel; another one below the deleted rows refuses the
deletion.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from lxml import etree

from workbook_tools.errors import OutputError
from workbook_tools.xlsx.opc import COMMENTS_REL, DRAWING_REL, XDR, Package, R, column_number, q, split_cell
from workbook_tools.xlsx.references import RowMap, shift_area
from workbook_tools.xlsx.sheet_bytes import HYPERLINK_TAG, attribute, sheet_rows

THREADED_REL = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
VML_REL = R + "/vmlDrawing"
_ANCHORS = (f"{{{XDR}}}twoCellAnchor", f"{{{XDR}}}oneCellAnchor")
# A legacy drawing is VML, which Excel does not always write as well-formed XML: its objects are read as text.
_CLIENT_DATA = re.compile(rb"<(\w+:)?ClientData\b([^>]*)>(.*?)</\1?ClientData>", re.S)
_OBJECT_TYPE = re.compile(rb"""ObjectType\s*=\s*["']([^"']*)["']""")
_VML_ROW = re.compile(rb"(<(?:\w+:)?Row>)\s*(\d+)\s*(</(?:\w+:)?Row>)")
_VML_ANCHOR = re.compile(rb"(<(?:\w+:)?Anchor>)([^<]*)(</(?:\w+:)?Anchor>)")
_VML_STAYS = re.compile(rb"<(?:\w+:)?MoveWithCells\b")  # present: the object does not move ([MS-OI29500] 2.1.1881)
# a sparkline's place: the sqref of each x14:sparkline (its data is an xm:f formula, which deletion moves)
_SPARKLINE = re.compile(rb"<(?:[\w.-]+:)?sparkline(?:\s[^>]*)?>.*?<(?:[\w.-]+:)?sqref>([^<]*)<", re.S)
# what a cell shows but does not hold: a picture placed in it (Excel: a rich value, the cell's vm attribute; WPS:
# its DISPIMG formula) or a link made by a formula (the address is in the formula, the cell shows the text)
_IN_CELL = re.compile(rb"""\svm\s*=\s*["']|DISPIMG\(|HYPERLINK\(""")
_IN_CELL_MARKERS = (b"vm", b"DISPIMG(", b"HYPERLINK(")
_CELL_REF = re.compile(rb"""(?<=\s)r\s*=\s*["']([A-Z]{1,3})(\d+)["']""")
_CONTROLS = {b"Button", b"Checkbox", b"Drop", b"Radio", b"Spin", b"Scroll", b"List", b"GBox", b"Label", b"EditBox"}


def deletion_refused(what: str, todo: str) -> OutputError:
    """A deletion refused: what is in the way and what to do, in one sentence; nothing was written."""
    return OutputError(f"{what}，这次没有写入，工作簿没有改动；{todo}，再运行归档。")


def _rows_of(ref: str) -> range:
    """The rows an area (「B5」, 「A3:B4」) spans; none when it is not one."""
    first, _, last = ref.partition(":")
    try:
        return range(split_cell(first)[0], split_cell(last or first)[0] + 1)
    except ValueError:
        return range(0)


def _notes(package: Package, part: str) -> Iterator[tuple[str, etree._Element]]:
    """Each note's part and element (a legacy comment or a threaded one), whose `ref` names its cell."""
    for comments in package.related(part, COMMENTS_REL) + package.related(part, THREADED_REL):
        for element in package.xml(comments).iter():
            if etree.QName(element).localname in ("comment", "threadedComment") and element.get("ref"):
                yield comments, element


def _anchor_rows(anchor: etree._Element) -> range:
    """The rows (1-based) a picture anchored to cells covers: from its first row to its last, not counting a last
    row it only touches at the top."""
    start = anchor.find(f"{{{XDR}}}from/{{{XDR}}}row")
    end = anchor.find(f"{{{XDR}}}to/{{{XDR}}}row")
    first = int(start.text or 0) + 1 if start is not None else 0
    if end is None:  # anchored at one cell: its size is given in length, not in rows
        return range(first, first + 1)
    last = int(end.text or 0) + 1
    offset = anchor.find(f"{{{XDR}}}to/{{{XDR}}}rowOff")
    if last > first and offset is not None and int(offset.text or 0) == 0:
        last -= 1
    return range(first, max(first, last) + 1)


def _drawings(package: Package, part: str) -> Iterator[tuple[str, etree._Element]]:
    for drawing in package.related(part, DRAWING_REL):
        for anchor in package.xml(drawing).iter(*_ANCHORS):
            yield drawing, anchor


def rows_holding(package: Package, part: str) -> set[int]:
    """The rows of a sheet that hold a note, a picture (shape, chart) anchored to them, a link, a sparkline or a
    picture in a cell: what a database row would not keep."""
    rows = {row for _, note in _notes(package, part) for row in _rows_of(note.get("ref", ""))}
    for _, anchor in _drawings(package, part):
        rows.update(_anchor_rows(anchor))
    data = package.read(part)
    for attributes in HYPERLINK_TAG.findall(data) if b"hyperlink" in data else ():
        rows.update(_rows_of(attribute(attributes, b"ref") or ""))
    for place in _SPARKLINE.findall(data) if b"sparkline" in data else ():
        rows.update(row for area in place.decode().split() for row in _rows_of(area))
    shows = any(marker in data for marker in _IN_CELL_MARKERS)  # a search for bytes is ten times the pattern's speed
    return rows | (_rows_with_pictures_in_cells(data) if shows and _IN_CELL.search(data) else set())


def _rows_with_pictures_in_cells(data: bytes) -> set[int]:
    """The rows whose cells show a picture placed in the cell, read from the sheet's bytes when they read as a parser
    would read them (sheet_bytes), else from its tree."""
    found = sheet_rows(data)
    if found is None:
        rows, number = set(), 0
        for row in etree.fromstring(data, etree.XMLParser(huge_tree=True)).iter("{*}row"):
            number = int(row.get("r") or number + 1)
            if any(cell.get("vm") is not None or _IN_CELL.search(cell.findtext("{*}f", "").encode()) for cell in row):
                rows.add(number)
        return rows
    content, tags = found.content, found.tags
    starts, numbers, number = [], [], 0
    for start in tags.row.finditer(content):
        numbered = tags.numbered.match(content, start.start())
        number = int(numbered[1]) if numbered else number + 1
        starts.append(start.start())
        numbers.append(number)
    at = (bisect_right(starts, hit.start()) - 1 for hit in _IN_CELL.finditer(content))
    return {numbers[i] for i in at if i >= 0}


def move_row_objects(package: Package, part: str, sheet_name: str, rows: RowMap) -> None:
    """Move the notes and pictures of a sheet below deleted rows up with their cells; refuse a deletion of a row
    that holds one (the archive keeps such rows) or one that would move a legacy form control."""
    for comments, note in list(_notes(package, part)):
        ref = note.get("ref", "")
        covered = _rows_of(ref)
        if any(row in rows.gone for row in covered):
            raise deletion_refused(
                f"「{sheet_name}」{ref} 有一条批注，它所在的行要删去", "请先把批注的内容写进单元格并删去这条批注"
            )
        if covered and (moved := shift_area(ref, rows)) not in (None, ref):
            package.edit(comments)
            note.set("ref", str(moved))
    for drawing, anchor in _drawings(package, part):
        if anchor.get("editAs") == "absolute":
            continue  # set not to move with cells: it stays where it is, as in Excel
        covered = _anchor_rows(anchor)
        if any(row in rows.gone for row in covered):
            raise deletion_refused(
                f"「{sheet_name}」第 {covered[0]} 行有一张图片或一个图形，它所在的行要删去", "请先把它移到别处"
            )
        for mark in anchor.iterfind(f"{{{XDR}}}*/{{{XDR}}}row"):
            row = rows.new(int(mark.text or 0) + 1) - 1
            if row != int(mark.text or 0):
                package.edit(drawing)
                mark.text = str(row)
    for vml in package.related(part, VML_REL):
        data = package.read(vml)
        rewritten = _CLIENT_DATA.sub(lambda found: _moved_vml(found, sheet_name, rows), data)
        if rewritten != data:
            package.put(vml, rewritten)


def _anchor_numbers(text: bytes) -> list[int] | None:
    """A VML anchor's eight numbers: column, offset, row, offset of its top left corner, then of its bottom right."""
    parts = text.split(b",")
    return [int(n) for n in parts] if len(parts) == 8 and all(n.strip().isdigit() for n in parts) else None


def _moved_vml(found: re.Match[bytes], sheet_name: str, rows: RowMap) -> bytes:
    """A legacy drawing's object: a note's box moves with its cell (the comments part says which cell); any other
    object (a form control) below the deleted rows refuses the deletion."""
    body = found[3]
    kind = _OBJECT_TYPE.search(found[2])
    row = _VML_ROW.search(body)
    anchor = _VML_ANCHOR.search(body)
    numbers = _anchor_numbers(anchor[2]) if anchor else None
    if kind is None or kind[1] != b"Note" or row is None:
        top = numbers[2] + 1 if numbers else None
        if top is not None and top >= rows.first and not _VML_STAYS.search(body):
            what = (
                "表单控件（按钮、复选框等）"
                if kind is not None and kind[1] in _CONTROLS
                else "嵌入的对象（文件图标等）"
            )
            raise deletion_refused(
                f"「{sheet_name}」第 {top} 行有一个{what}，它会随单元格移动，删去上面的行时这里改不动它",
                "请右键点它 →「设置控件格式」或「设置对象格式」→「属性」，选「大小和位置均固定」（或把它移到别的表）",
            )
        return found[0]
    old = int(row[2]) + 1
    if old in rows.gone:  # its note in the comments part was refused before
        return found[0]
    by = rows.new(old) - old
    if by == 0:
        return found[0]
    body = body[: row.start(2)] + str(old + by - 1).encode() + body[row.end(2) :]
    if numbers is not None:
        numbers[2], numbers[6] = max(0, numbers[2] + by), max(0, numbers[6] + by)
        anchor = _VML_ANCHOR.search(body)
        assert anchor is not None
        body = body[: anchor.start(2)] + ", ".join(map(str, numbers)).encode() + body[anchor.end(2) :]
    return found[0][: found.start(3) - found.start(0)] + body + found[0][found.end(3) - found.start(0) :]


def formula_cells(package: Package, part: str) -> set[tuple[int, int]]:
    """(row, column) of each cell of a sheet whose value a formula makes (a 来源 written as =HYPERLINK(…)): what a
    change that writes values must leave alone. Read from the sheet's bytes when they read as a parser would."""
    data = package.read(part)
    found = sheet_rows(data)
    if found is None:
        return {split_cell(c.get("r", "")) for c in package.xml(part).iter(q("c")) if c.find(q("f")) is not None}
    content, tags = found.content, found.tags
    cells = set()
    for formula in tags.attributed.finditer(content):
        start = content.rfind(tags.cell_tag, 0, formula.start())
        ref = _CELL_REF.search(content, start, formula.start()) if start >= 0 else None
        if ref is not None:
            cells.add((int(ref[2]), column_number(ref[1].decode())))
    return cells
