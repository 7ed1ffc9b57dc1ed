"""Notes, pictures and links on a sheet's rows: which rows hold them, and how they move when rows above go.

The workbooks are written as Excel writes them (XlsxWriter: notes with their
VML boxes, pictures and charts anchored to cells, links), plus an Excel 365
threaded comment added to the package by hand.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from workbook_tools.core.changes import DeleteRows
from workbook_tools.errors import OutputError
from workbook_tools.xlsx.opc import Package
from workbook_tools.xlsx.package import apply_changes
from workbook_tools.xlsx.row_objects import rows_holding
from workbook_tools.xlsx.templates import build_generated_sheet

from conftest import edit_part, tiny_png
from validators import validate_file

SHEET = "退件表"
THREADED_NS = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
THREADED_PART = "xl/threadedComments/threadedComment1.xml"
GONE = (5, 6, 7)  # deleted in every test: rows below move up by three


def _workbook(path: Path, button_row: int | None = None, threaded: str | None = "C13") -> Path:
    """Rows 2-30 numbered in column A; a note above the deleted rows (C3) and one below (C12), a link (D14), a
    picture (E15) and a chart (G17) below; optionally a form button and an Excel 365 threaded comment."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 0, ["序号", "物流单号"])
    for row in range(2, 31):
        sheet.write_row(row - 1, 0, [row, f"SF{row:04d}"])
    sheet.write_comment("C3", "上面的批注")
    sheet.write_comment("C12", "第 12 行的批注")
    sheet.write_url("D14", "https://example.com/return/14")
    sheet.insert_image("E15", "photo.png", {"image_data": io.BytesIO(tiny_png())})
    data = book.add_worksheet("数据")
    data.write_column("A1", [1, 2, 3])
    chart = book.add_chart({"type": "column"})
    chart.add_series({"values": "=数据!$A$1:$A$3"})
    sheet.insert_chart("G17", chart)
    if button_row is not None:
        sheet.insert_button(f"J{button_row}", {"macro": "汇总", "caption": "汇总"})
    if threaded:  # Excel keeps a note for older versions beside each threaded comment
        sheet.write_comment(threaded, "[Threaded comment] 客户说下周补寄")
    book.close()
    return _with_threaded_comment(path, threaded) if threaded else path


def _with_threaded_comment(path: Path, ref: str) -> Path:
    """An Excel 365 threaded comment on `ref`, in its own part related to the sheet, as Excel adds it."""
    part = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><ThreadedComments xmlns="{THREADED_NS}">'
        f'<threadedComment ref="{ref}" dT="2026-11-01T09:30:00.00" personId="{{00000000-0000-0000-0000-000000000001}}" '
        'id="{00000000-0000-0000-0000-000000000002}"><text>客户说下周补寄</text></threadedComment></ThreadedComments>'
    ).encode()
    rel = (
        b'<Relationship Id="rId90" Type="http://schemas.microsoft.com/office/2017/10/relationships/threadedComment" '
        b'Target="../threadedComments/threadedComment1.xml"/>'
    )
    override = (
        f'<Override PartName="/{THREADED_PART}" ContentType="application/vnd.ms-excel.threadedcomments+xml"/>'
    ).encode()
    rels = "xl/worksheets/_rels/sheet1.xml.rels"
    with zipfile.ZipFile(path) as package:
        has_rels = rels in package.namelist()
    if has_rels:
        edit_part(path, rels, lambda xml: xml.replace(b"</Relationships>", rel + b"</Relationships>"))
    edit_part(path, "[Content_Types].xml", lambda xml: xml.replace(b"</Types>", override + b"</Types>"))
    with zipfile.ZipFile(path, "a") as package:
        package.writestr(THREADED_PART, part)
        if not has_rels:
            ns = "http://schemas.openxmlformats.org/package/2006/relationships"
            package.writestr(rels, f'<Relationships xmlns="{ns}">'.encode() + rel + b"</Relationships>")
    return path


def _delete(path: Path, rows: tuple[int, ...] = GONE) -> Path:
    out = path.with_name("after.xlsx")
    out.write_bytes(apply_changes(path.read_bytes(), [DeleteRows(sheet=SHEET, rows=rows)], build_generated_sheet))
    return out


def _notes(path: Path) -> dict[str, tuple[str, object]]:
    """Each note's cell, with its text and the number in column A of its row (what it was written beside)."""
    sheet = openpyxl.load_workbook(path)[SHEET]
    return {
        cell.coordinate: (cell.comment.text, sheet.cell(cell.row, 1).value)
        for row in sheet.iter_rows()
        for cell in row
        if cell.comment
    }


def _anchors(path: Path, part: str) -> list[list[int]]:
    """Each anchor's rows (0-based) in a drawing part: [from, to] or [from]."""
    xml = zipfile.ZipFile(path).read(part).decode()
    return [
        [int(r) for r in re.findall(r"<xdr:row>(\d+)</xdr:row>", anchor)]
        for anchor in re.findall(
            r"<xdr:(?:twoCellAnchor|oneCellAnchor).*?</xdr:(?:twoCellAnchor|oneCellAnchor)>", xml, re.S
        )
    ]


def test_the_rows_holding_notes_pictures_links_and_pictures_in_cells_are_found(tmp_path):
    path = _workbook(tmp_path / "a.xlsx")
    in_cell = b'<c r="B10" vm="1" t="e"><v>#VALUE!</v></c>'  # a picture placed in a cell (a rich value)
    edit_part(
        path,
        "xl/worksheets/sheet1.xml",
        lambda xml: xml.replace(b'<c r="B10" t="s"><v>', in_cell + b'<c r="Z10" t="s"><v>', 1),
    )
    package = Package(path.read_bytes())
    held = rows_holding(package, package.sheet_parts()[SHEET])
    chart = _anchors(path, "xl/drawings/drawing1.xml")[1]
    assert held == {3, 10, 12, 13, 14, 15} | set(range(chart[0] + 1, chart[1] + 2))


def _plain(path: Path, link: str | None = None) -> Path:
    """Rows 2-30 numbered in column A, nothing on them (a link at `link`)."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 0, ["序号", "物流单号"])
    for row in range(2, 31):
        sheet.write_row(row - 1, 0, [row, f"SF{row:04d}"])
    if link:
        sheet.write_url(link, "https://example.com/parcel")
    book.close()
    return path


WPS_PICTURE = b'<c r="B11" t="str"><f>_xlfn.DISPIMG("ID_0A1B",1)</f><v>=DISPIMG("ID_0A1B",1)</v></c>'


@pytest.mark.parametrize(
    ("edit", "held"),
    [
        (lambda xml: xml.replace(b'<c r="B10" t="s">', b'<c r="B10" vm="1" t="s">'), {10}),  # Excel's picture in cell
        (lambda xml: xml.replace(b'<c r="B10" t="s">', b'<c r="B10" t="s" vm = "1">'), {10}),
        (lambda xml: re.sub(rb'<c r="B11" t="s"><v>\d+</v></c>', WPS_PICTURE, xml), {11}),  # WPS: DISPIMG
        (
            lambda xml: xml.replace(b'<row r="12"', b"<row").replace(b'<c r="B12" t="s">', b'<c r="B12" vm="2" t="s">'),
            {12},
        ),
        (lambda xml: xml.replace(b'ref="D14"', b"ref='D14'"), {14}),  # a link written with single quotes
    ],
)
def test_a_picture_in_a_cell_or_a_link_holds_its_row_however_the_sheet_spells_it(tmp_path, edit, held):
    path = edit_part(_plain(tmp_path / "a.xlsx", link="D14"), "xl/worksheets/sheet1.xml", edit)
    package = Package(path.read_bytes())
    assert rows_holding(package, package.sheet_parts()[SHEET]) == held | {14}


def test_a_threaded_comment_alone_holds_its_row_and_moves_with_it(tmp_path):
    """A script (or a future Excel) may write a threaded comment without the note Excel keeps beside it."""
    path = _with_threaded_comment(_plain(tmp_path / "a.xlsx"), "C16")
    package = Package(path.read_bytes())
    assert rows_holding(package, package.sheet_parts()[SHEET]) == {16}
    with pytest.raises(OutputError, match=r"^「退件表」C16 有一条批注，它所在的行要删去"):
        _delete(path, (16,))
    assert re.findall(rb'ref="(\w+)"', zipfile.ZipFile(_delete(path)).read(THREADED_PART)) == [b"C13"]


def test_notes_pictures_charts_and_links_below_move_up_with_their_rows(tmp_path, libreoffice):
    path = _workbook(tmp_path / "a.xlsx")
    before = _notes(path)
    assert before == {
        "C3": ("上面的批注", 3),
        "C12": ("第 12 行的批注", 12),
        "C13": ("[Threaded comment] 客户说下周补寄", 13),
    }
    pictures = _anchors(path, "xl/drawings/drawing1.xml")
    out = _delete(path)
    assert validate_file(out) == ()
    after = _notes(out)
    assert after == {"C3": before["C3"], "C9": before["C12"], "C10": before["C13"]}  # beside the same rows
    assert re.findall(rb'ref="(\w+)"', zipfile.ZipFile(out).read(THREADED_PART)) == [b"C10"]
    assert _anchors(out, "xl/drawings/drawing1.xml") == [[row - 3 for row in rows] for rows in pictures]
    vml = zipfile.ZipFile(out).read("xl/drawings/vmlDrawing1.vml").decode()
    boxes = re.findall(r"<x:Anchor>([^<]*)</x:Anchor>.*?<x:Row>(\d+)</x:Row>", vml, re.S)
    old_boxes = re.findall(
        r"<x:Anchor>([^<]*)</x:Anchor>.*?<x:Row>(\d+)</x:Row>",
        zipfile.ZipFile(path).read("xl/drawings/vmlDrawing1.vml").decode(),
        re.S,
    )
    assert [int(row) for _, row in boxes] == [2, 8, 9]  # 0-based: C3 stays, C12 is now C9, C13 C10
    moved = [[int(n) for n in anchor.split(",")] for anchor, _ in boxes]
    old = [[int(n) for n in anchor.split(",")] for anchor, _ in old_boxes]
    assert moved[0] == old[0]
    assert moved[1:] == [[n - 3 if i in (2, 6) else n for i, n in enumerate(box)] for box in old[1:]]
    sheet = openpyxl.load_workbook(out)[SHEET]
    assert sheet["D11"].hyperlink.target == "https://example.com/return/14" and sheet["A11"].value == 14
    # a second spreadsheet engine places the notes at the same cells
    again = libreoffice.convert(out, "xlsx") / "after.xlsx"
    assert _notes(again) == after


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ((12,), "^「退件表」C12 有一条批注，它所在的行要删去.*请先把批注的内容写进单元格并删去这条批注，再运行归档。$"),
        ((13,), "^「退件表」C13 有一条批注，它所在的行要删去"),  # the threaded one
        ((15,), "^「退件表」第 15 行有一张图片或一个图形，它所在的行要删去.*请先把它移到别处，再运行归档。$"),
        ((18,), "^「退件表」第 17 行有一张图片或一个图形"),  # the chart covers it
    ],
)
def test_deleting_a_row_that_holds_a_note_or_a_picture_is_refused(tmp_path, rows, message):
    """The archive keeps such rows (tests/test_archive.py); a deletion asked for anyway is refused."""
    with pytest.raises(OutputError, match=message):
        _delete(_workbook(tmp_path / "a.xlsx"), rows)


def test_a_form_button_below_the_deleted_rows_is_refused_one_above_them_stays(tmp_path):
    with pytest.raises(
        OutputError,
        match=r"^「退件表」第 25 行有一个表单控件（按钮、复选框等），它会随单元格移动.*「大小和位置均固定」",
    ):
        _delete(_workbook(tmp_path / "a.xlsx", button_row=25, threaded=None))
    out = _delete(_workbook(tmp_path / "b.xlsx", button_row=2, threaded=None))
    assert validate_file(out) == ()
    assert b'ObjectType="Button"><x:Anchor>9, 0, 1, 0' in zipfile.ZipFile(out).read("xl/drawings/vmlDrawing1.vml")


def test_a_picture_set_not_to_move_and_a_control_marked_so_stay_where_they_are(tmp_path):
    """Excel leaves a picture set 「大小和位置均固定」 (editAs absolute) and a form control whose VML says it does not
    move with cells ([MS-OI29500]: x:MoveWithCells present) where they are when rows above are deleted."""
    path = tmp_path / "a.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet(SHEET)
    sheet.write_row(0, 0, ["序号"])
    for row in range(2, 31):
        sheet.write(row - 1, 0, row)
    sheet.insert_image("E20", "photo.png", {"image_data": io.BytesIO(tiny_png()), "object_position": 3})
    sheet.insert_button("J25", {"macro": "汇总", "caption": "汇总"})
    book.close()
    stays = b"<x:MoveWithCells/><x:Anchor>"
    edit_part(path, "xl/drawings/vmlDrawing1.vml", lambda vml: vml.replace(b"<x:Anchor>", stays, 1))
    pictures = _anchors(path, "xl/drawings/drawing1.xml")
    out = _delete(path)
    assert validate_file(out) == ()
    assert _anchors(out, "xl/drawings/drawing1.xml") == pictures
    vml = zipfile.ZipFile(out).read("xl/drawings/vmlDrawing1.vml")
    assert vml == zipfile.ZipFile(path).read("xl/drawings/vmlDrawing1.vml")


def test_a_note_on_a_range_moves_with_it(tmp_path):
    path = _workbook(tmp_path / "a.xlsx", threaded=None)
    edit_part(path, "xl/comments1.xml", lambda xml: xml.replace(b'ref="C12"', b'ref="C12:D12"'))
    assert b'ref="C9:D9"' in zipfile.ZipFile(_delete(path)).read("xl/comments1.xml")


def test_a_chart_of_the_newer_kinds_over_moving_rows_refuses_the_deletion(tmp_path):
    """chartEx (waterfall, funnel, …) keeps its data in its own way: it is not rewritten."""
    path = _plain(tmp_path / "a.xlsx")
    chart = (
        '<cx:chartSpace xmlns:cx="http://schemas.microsoft.com/office/drawing/2014/chartex"><cx:chartData>'
        f'<cx:data id="0"><cx:numDim type="val"><cx:f>{SHEET}!$A$10:$A$15</cx:f></cx:numDim></cx:data>'
        "</cx:chartData></cx:chartSpace>"
    )
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("xl/charts/chartEx1.xml", chart)
    with pytest.raises(OutputError, match=r"^一个图表的数据区域（退件表!\$A\$10:\$A\$15）含有「退件表」要移动的行"):
        _delete(path)
