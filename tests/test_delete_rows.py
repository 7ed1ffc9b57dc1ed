"""Deleting whole rows of a sheet in the package, as Excel does: everything below moves up, references follow."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from workbook_tools.core.changes import DeleteRows
from workbook_tools.errors import OutputError
from workbook_tools.xlsx import package
from workbook_tools.xlsx.package import apply_changes
from workbook_tools.xlsx.references import RowMap
from workbook_tools.xlsx.row_stream import stream_rows
from workbook_tools.xlsx.templates import build_generated_sheet

from conftest import edit_part

SHEET = "账"


def _book(path: Path, other_formula: str | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(["数量", "类型", "两倍"])
    for n in range(2, 11):
        sheet.append([n, "甲" if n % 2 else "乙", f"=A{n}*2"])
    sheet["A12"] = "=SUM(A2:A10)"
    sheet["B12"] = "=A11+A4"
    sheet.merge_cells("D12:E12")
    sheet.row_dimensions[8].height = 30
    sheet.add_table(Table(displayName="Ledger", ref="A1:C10"))
    validation = DataValidation(type="list", formula1='"甲,乙"')
    validation.add("B2:B10")
    sheet.add_data_validation(validation)
    sheet.conditional_formatting.add("A2:A10", CellIsRule(operator="greaterThan", formula=["$A$9"], fill=PatternFill()))
    book.defined_names["合计"] = DefinedName("合计", attr_text=f"{SHEET}!$A$12")
    if other_formula:
        book.create_sheet("汇总")["A1"] = other_formula
    book.save(path)
    return path


@pytest.fixture(params=["rows streamed", "whole tree"])
def path_taken(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test on both ways of deleting rows: streamed (rows independent of each other) and the whole tree."""
    if request.param == "whole tree":
        monkeypatch.setattr(package, "stream_rows", lambda *args: None)
    return str(request.param)


def _delete(path: Path, rows: tuple[int, ...]) -> openpyxl.Workbook:
    data = apply_changes(path.read_bytes(), [DeleteRows(sheet=SHEET, rows=rows)], build_generated_sheet)
    out = path.with_name("after.xlsx")
    out.write_bytes(data)
    return openpyxl.load_workbook(out)


@pytest.mark.usefixtures("path_taken")
def test_rows_below_move_up_with_their_formulas_and_everything_pointing_at_them_follows(tmp_path):
    book = _delete(_book(tmp_path / "a.xlsx"), (3, 4, 7))
    sheet = book[SHEET]
    assert [sheet.cell(r, 1).value for r in range(2, 8)] == [2, 5, 6, 8, 9, 10]
    assert [sheet.cell(r, 3).value for r in range(2, 8)] == [f"=A{r}*2" for r in range(2, 8)]
    assert sheet["A9"].value == "=SUM(A2:A7)"
    assert sheet["B9"].value == "=A8+#REF!"  # a reference to a deleted row is Excel's #REF!
    assert [str(m) for m in sheet.merged_cells.ranges] == ["D9:E9"]
    assert sheet.tables["Ledger"].ref == "A1:C7"
    assert [str(v.sqref) for v in sheet.data_validations.dataValidation] == ["B2:B7"]
    (rules,) = list(sheet.conditional_formatting)
    assert str(rules.sqref) == "A2:A7" and rules.rules[0].formula == ["$A$6"]
    assert book.defined_names["合计"].attr_text == f"{SHEET}!$A$9"
    assert sheet.row_dimensions[5].height == 30 and not sheet.row_dimensions[8].height


@pytest.mark.usefixtures("path_taken")
def test_a_formula_of_another_sheet_that_would_move_refuses_the_deletion(tmp_path):
    path = _book(tmp_path / "a.xlsx", other_formula=f"={SHEET}!A9")
    with pytest.raises(OutputError, match="「汇总」A1 的公式"):
        _delete(path, (3,))
    fine = _book(tmp_path / "b.xlsx", other_formula=f"={SHEET}!A2+SUM(Ledger[数量])")
    assert _delete(fine, (3,))["汇总"]["A1"].value == f"={SHEET}!A2+SUM(Ledger[数量])"


@pytest.mark.usefixtures("path_taken")
def test_a_formula_filled_down_over_the_deleted_rows_is_cut_into_one_per_cell(tmp_path):
    """Excel writes a filled-down formula once, shared by the cells below: rows are no longer independent, so the
    sheet goes through the whole tree (the streamed way gives it up)."""

    def shared(xml: bytes) -> bytes:
        xml = xml.replace(b"<f>A2*2</f>", b'<f t="shared" ref="C2:C10" si="0">A2*2</f>')
        for n in range(3, 11):
            xml = xml.replace(f"<f>A{n}*2</f>".encode(), b'<f t="shared" si="0"/>')
        return xml

    path = edit_part(_book(tmp_path / "a.xlsx"), "xl/worksheets/sheet1.xml", shared)
    with zipfile.ZipFile(path) as book:
        assert book.read("xl/worksheets/sheet1.xml").count(b't="shared"') == 9
        assert stream_rows(book.read("xl/worksheets/sheet1.xml"), RowMap([3]), str) is None
    sheet = _delete(path, (3, 4, 7))[SHEET]
    assert [sheet.cell(r, 1).value for r in range(2, 8)] == [2, 5, 6, 8, 9, 10]
    assert [sheet.cell(r, 3).value for r in range(2, 8)] == [f"=A{r}*2" for r in range(2, 8)]
    assert sheet["A9"].value == "=SUM(A2:A7)"


def test_both_ways_write_the_same_sheet(tmp_path):
    path = _book(tmp_path / "a.xlsx")
    change = DeleteRows(sheet=SHEET, rows=(3, 4, 7, 10))
    with zipfile.ZipFile(path) as book:
        sheet_xml = book.read("xl/worksheets/sheet1.xml")
    assert stream_rows(sheet_xml, RowMap([3]), str) is not None  # rows that do not depend on each other
    streamed = apply_changes(path.read_bytes(), [change], build_generated_sheet)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(package, "stream_rows", lambda *args: None)
        whole = apply_changes(path.read_bytes(), [change], build_generated_sheet)
    with zipfile.ZipFile(io.BytesIO(streamed)) as one, zipfile.ZipFile(io.BytesIO(whole)) as other:
        # the streamed rows keep their bytes (openpyxl's character references); lxml writes the tree's its own way
        assert _canonical(one.read("xl/worksheets/sheet1.xml")) == _canonical(other.read("xl/worksheets/sheet1.xml"))


def _canonical(xml: bytes) -> bytes:
    return etree.tostring(etree.fromstring(xml), method="c14n")


@pytest.mark.usefixtures("path_taken")
def test_a_row_without_its_number_is_numbered_by_the_one_before(tmp_path):
    """The format lets a row leave out `r` (it follows the row before): such a sheet goes through the whole tree."""
    path = edit_part(
        _book(tmp_path / "a.xlsx"), "xl/worksheets/sheet1.xml", lambda xml: xml.replace(b'<row r="5">', b"<row>")
    )
    with zipfile.ZipFile(path) as book:
        assert stream_rows(book.read("xl/worksheets/sheet1.xml"), RowMap([3]), str) is None
    sheet = _delete(path, (3, 4, 7))[SHEET]
    assert [sheet.cell(r, 1).value for r in range(2, 8)] == [2, 5, 6, 8, 9, 10]


def _main_prefixed(xml: bytes) -> bytes:
    """The sheet as some programs write it: every element of the main namespace with a prefix."""
    xml = re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1x:", xml)
    return xml.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="', 1)


@pytest.mark.parametrize("prefixed", [False, True], ids=["unprefixed", "x: prefix"])
def test_streamed_rows_keep_formulas_with_escaped_characters_and_a_prefixed_sheet_streams_too(tmp_path, prefixed):
    path = _book(tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(path)
    book[SHEET]["D9"] = '=IF(A9<A10,"<&>"&B9,A9)'
    book.save(path)
    if prefixed:
        edit_part(path, "xl/worksheets/sheet1.xml", _main_prefixed)
    with zipfile.ZipFile(path) as book_zip:
        assert stream_rows(book_zip.read("xl/worksheets/sheet1.xml"), RowMap([3]), str) is not None
    sheet = _delete(path, (3, 4, 7))[SHEET]
    assert [sheet.cell(r, 1).value for r in range(2, 8)] == [2, 5, 6, 8, 9, 10]
    assert [sheet.cell(r, 3).value for r in range(2, 8)] == [f"=A{r}*2" for r in range(2, 8)]
    assert sheet["D6"].value == '=IF(A6<A7,"<&>"&B6,A6)'
    assert sheet["B9"].value == "=A8+#REF!"


MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.mark.parametrize(
    "edit",
    [
        lambda xml: xml.replace(b'<c r="A5" t="n">', b'<c t="n">'),
        lambda xml: xml.replace(b'<c r="A5" t="n">', b'<c r="A5" t="n" xmlns:y="urn:y">'),
        lambda xml: xml.replace(b"<worksheet ", b'<worksheet xmlns:x="' + MAIN + b'" ', 1).replace(
            b'<c r="A5" t="n"><v>5</v></c>', b'<x:c r="A5" t="n"><x:v>5</x:v></x:c>'
        ),
        lambda xml: b'<?xml version="1.0" encoding="ISO-8859-1"?>' + xml,
        lambda xml: xml.replace(b"<t>&#20057;</t>", b"<t><![CDATA[&#20057;]]></t>"),
    ],
    ids=["a cell without its number", "a namespace declared in a row", "two prefixes", "latin-1", "CDATA"],
)
def test_a_sheet_whose_rows_bytes_are_not_certain_goes_through_the_whole_tree(tmp_path, edit):
    path = edit_part(_book(tmp_path / "a.xlsx"), "xl/worksheets/sheet1.xml", edit)
    with zipfile.ZipFile(path) as book:
        assert stream_rows(book.read("xl/worksheets/sheet1.xml"), RowMap([3]), str) is None
    sheet = _delete(path, (3, 4, 7))[SHEET]
    assert [sheet.cell(r, 1).value for r in range(2, 8)] == [2, 5, 6, 8, 9, 10]
    assert [sheet.cell(r, 3).value for r in range(2, 8)] == [f"=A{r}*2" for r in range(2, 8)]
