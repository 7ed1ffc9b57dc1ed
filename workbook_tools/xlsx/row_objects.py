"""What sits on a sheet's rows besides its cells' values, and moving it up when rows above it are deleted.

Notes (批注, and Excel 365's threaded comments), pictures, shapes and charts
anchored to cells, links and pictures placed in a cell live in parts of their
own or in attributes the cell values do not carry. The archive stores values,
so a row holding one of these stays in the workbook (`rows_holding`); what sits
below the deleted rows moves up with its cells as Excel moves it
(`move_row_objects`). Legacy form controls (a VML button) are not moved: a
deletion that would move one is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from workbook_tools.core.tables import cell_name
from workbook_tools.errors import OutputError
from workbook_tools.xlsx.opc import COMMENTS_REL, DRAWING_REL, XDR, Package, R, split_cell
from workbook_tools.xlsx.references import RowMap

THREADED_REL = "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment"
VML_REL = R + "/vmlDrawing"
_ANCHORS = (f"{{{XDR}}}twoCellAnchor", f"{{{XDR}}}oneCellAnchor")
# A legacy drawing is VML, which Excel does not always write as well-formed XML: its objects are read as text.
_CLIENT_DATA = re.compile(rb"<(\w+:)?ClientData\b([^>]*)>(.*?)</\1?ClientData>", re.S)
_OBJECT_TYPE = re.compile(rb"""ObjectType\s*=\s*["']([^"']*)["']""")
_VML_ROW = re.compile(rb"(<(?:\w+:)?Row>)\s*(\d+)\s*(</(?:\w+:)?Row>)")
_VML_ANCHOR = re.compile(rb"(<(?:\w+:)?Anchor>)([^<]*)(</(?:\w+:)?Anchor>)")
_HYPERLINK_REF = re.compile(rb"<(?:\w+:)?hyperlink\s[^>]*?\bref\s*=\s*\"([^\"]+)\"")
_IN_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\bvm\s*=")  # a value from the rich-value parts: a picture in a cell
_CELL_ROW = re.compile(rb"\br\s*=\s*\"[A-Z]+(\d+)\"")
_ROW_START = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br\s*=\s*\"(\d+)\"")


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
    """The rows of a sheet that hold a note, a picture (shape, chart) anchored to them, a link or a picture in a
    cell: what a database row would not keep."""
    rows = {row for _, note in _notes(package, part) for row in _rows_of(note.get("ref", ""))}
    for _, anchor in _drawings(package, part):
        rows.update(_anchor_rows(anchor))
    data = package.read(part)
    for ref in _HYPERLINK_REF.findall(data) if b"hyperlink" in data else ():
        rows.update(_rows_of(ref.decode()))
    for found in _IN_CELL.finditer(data) if b"vm=" in data else ():
        own = _CELL_ROW.search(found[0])
        if own is not None:
            rows.add(int(own[1]))
        elif (row := _last_row_start(data, found.start())) is not None:
            rows.add(row)
    return rows


def _last_row_start(data: bytes, before: int) -> int | None:
    """The number of the row a cell without its own reference is in."""
    while (start := data.rfind(b"row ", 0, before)) >= 0:
        found = _ROW_START.match(data, data.rfind(b"<", 0, start + 1))
        if found:
            return int(found[1])
        before = start
    return None


def move_row_objects(package: Package, part: str, sheet_name: str, rows: RowMap) -> None:
    """Move the notes and pictures of a sheet below deleted rows up with their cells; refuse a deletion of a row
    that holds one (the archive keeps such rows) or one that would move a legacy form control."""
    for comments, note in list(_notes(package, part)):
        if not _rows_of(note.get("ref", "")):
            continue  # a note Excel cannot place either
        row, col = split_cell(note.get("ref", ""))
        if row in rows.gone:
            raise deletion_refused(
                f"「{sheet_name}」{note.get('ref')} 有一条批注，它所在的行要删去",
                "请先把批注的内容写进单元格并删去这条批注",
            )
        if rows.new(row) != row:
            package.edit(comments)
            note.set("ref", cell_name(rows.new(row), col))
    for drawing, anchor in _drawings(package, part):
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
        if top is not None and top >= rows.first:
            raise deletion_refused(
                f"「{sheet_name}」第 {top} 行有一个表单控件（按钮、复选框等），删去上面的行时它不会跟着移动",
                "请先把它拖到表头上方",
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
