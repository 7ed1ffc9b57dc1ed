"""Deleting whole rows of a sheet in the package, as Excel does: everything below moves up, references follow."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from workbook_tools.core.changes import DeleteRows
from workbook_tools.errors import OutputError
from workbook_tools.xlsx import package
from workbook_tools.xlsx.opc import R
from workbook_tools.xlsx.package import apply_changes
from workbook_tools.xlsx.references import RowMap, areas, shift_formula
from workbook_tools.xlsx.row_stream import stream_rows
from workbook_tools.xlsx.templates import build_generated_sheet

from conftest import edit_part
from validators import validate_file

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


@pytest.mark.parametrize(
    "formula",
    [f"SUM([1]{SHEET}!A2:A30)", f"'[1]{SHEET}'!A10", f"'[D:\\售后\\[2025]旧.xlsx]{SHEET}'!$A$10", f'"{SHEET}!A10"'],
)
def test_a_reference_into_another_workbook_or_a_text_is_never_moved(formula):
    """Another workbook's sheet of the same name is not this one (a sheet's own name holds no bracket)."""
    rows = RowMap([5, 6, 7])
    assert shift_formula(formula, rows, SHEET, True) == formula
    assert shift_formula(f"{formula}+{SHEET}!A10", rows, SHEET, False) == f"{formula}+{SHEET}!A7"
    assert [a.sheet for a in areas(f"{formula}+A10")] == [None]


@pytest.mark.usefixtures("path_taken")
def test_other_sheets_formulas_follow_the_rows_they_point_at_as_excels_do(tmp_path):
    """A range from another sheet loses the deleted rows, a reference below them moves up, each member of a formula
    filled down moves on its own, another sheet's validation list shrinks; structured references stay."""
    path = _book(tmp_path / "a.xlsx", other_formula=f"={SHEET}!A9+SUM({SHEET}!A2:A10)+SUM(Ledger[数量])")
    book = openpyxl.load_workbook(path)
    summary = book["汇总"]
    validation = DataValidation(type="list", formula1=f"{SHEET}!$B$2:$B$10")
    validation.add("C1")
    summary.add_data_validation(validation)
    book.save(path)

    for n in (1, 2, 3):
        summary[f"B{n}"] = f"=SUM({SHEET}!A{n + 4}:A{n + 5})"
    book.save(path)

    def shared(xml: bytes) -> bytes:  # B1:B3 filled down from =SUM(账!A5:A6), as Excel writes it: once
        xml = re.sub(rb"<f>([^<]*!A5:A6\))</f>", rb'<f t="shared" ref="B1:B3" si="0">\1</f>', xml)
        return re.sub(rb"<f>[^<]*!A(6:A7|7:A8)\)</f>", rb'<f t="shared" si="0"/>', xml)

    with zipfile.ZipFile(edit_part(path, "xl/worksheets/sheet2.xml", shared)) as written:
        assert written.read("xl/worksheets/sheet2.xml").count(b't="shared"') == 3
    summary = _delete(path, (3, 6))["汇总"]
    assert summary["A1"].value == f"={SHEET}!A7+SUM({SHEET}!A2:A8)+SUM(Ledger[数量])"
    assert [summary[f"B{n}"].value for n in (1, 2, 3)] == [
        f"=SUM({SHEET}!{area})" for area in ("A4:A4", "A5:A5", "A5:A6")
    ]
    assert [v.formula1 for v in summary.data_validations.dataValidation] == [f"{SHEET}!$B$2:$B$8"]


@pytest.mark.usefixtures("path_taken")
def test_a_formula_of_another_sheet_left_with_no_row_refuses_the_deletion_naming_it(tmp_path):
    """The archive keeps such rows (tests/test_pinned_rows.py); a deletion asked for anyway is refused."""
    path = _book(tmp_path / "a.xlsx", other_formula=f"=SUM({SHEET}!A3:A4)")
    with pytest.raises(OutputError, match=f"^「汇总」A1 的公式只引用了「{SHEET}」要归档删去的行，删去后会变成 #REF!"):
        _delete(path, (3, 4))
    assert _delete(path, (3,))["汇总"]["A1"].value == f"=SUM({SHEET}!A3:A3)"


def _with_chart(path: Path, top: int, bottom: int) -> Path:
    """The workbook with a bar chart on its own sheet over 账!A{top}:A{bottom}, keeping the values it showed last as
    Excel does (numCache)."""
    book = openpyxl.load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(book[SHEET], min_col=1, min_row=top, max_row=bottom))
    book.create_sheet("图").add_chart(chart, "A1")
    book.save(path)
    points = "".join(f'<pt idx="{i}"><v>{n}</v></pt>' for i, n in enumerate(range(top, bottom + 1)))
    cache = f'<numCache><ptCount val="{bottom - top + 1}"/>{points}</numCache>'.encode()  # openpyxl: no prefix
    return edit_part(path, "xl/charts/chart1.xml", lambda xml: xml.replace(b"</f>", b"</f>" + cache, 1))


def _chart_data(path: Path) -> tuple[str, list[float]]:
    """The chart's data range and the values it keeps for it."""
    chart = etree.fromstring(zipfile.ZipFile(path).read("xl/charts/chart1.xml"))
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    values = [float(v) for v in chart.xpath("//c:val//c:numCache/c:pt/c:v/text()", namespaces=ns)]
    return chart.xpath("string(//c:val//c:f)", namespaces=ns), values


def test_a_charts_data_range_follows_and_the_chart_is_drawn_from_the_cells_that_stay(tmp_path, libreoffice):
    path = _with_chart(_book(tmp_path / "a.xlsx"), 2, 10)
    assert _chart_data(path) == (f"'{SHEET}'!$A$2:$A$10", [float(n) for n in range(2, 11)])
    _delete(path, (3, 4, 7))
    after = path.with_name("after.xlsx")
    assert set(validate_file(after)) <= set(validate_file(path))  # openpyxl's styles.xml breaks one rule already
    assert _chart_data(after) == (f"'{SHEET}'!$A$2:$A$7", [])  # what it showed last is gone with the rows
    again = libreoffice.convert(after, "xlsx") / "after.xlsx"  # a second engine draws it and keeps what it drew
    assert _chart_data(again)[1] == [2.0, 5.0, 6.0, 8.0, 9.0, 10.0]


def test_a_chart_left_with_no_row_refuses_the_deletion_saying_what_to_do(tmp_path):
    """The archive keeps such rows (tests/test_pinned_rows.py); a deletion asked for anyway is refused."""
    path = _with_chart(_book(tmp_path / "a.xlsx"), 3, 4)
    with pytest.raises(
        OutputError,
        match=f"^「图」上的一个图表的数据区域（'{SHEET}'!\\$A\\$3:\\$A\\$4）只有「{SHEET}」要归档删去的行，"
        "删去后会变成 #REF!.*改成整列",
    ):
        _delete(path, (3, 4))


def test_a_pivot_tables_source_range_follows(tmp_path):
    cache = (
        '<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" refreshOnLoad="1">'
        f'<cacheSource type="worksheet"><worksheetSource ref="A1:C10" sheet="{SHEET}"/></cacheSource>'
        "</pivotCacheDefinition>"
    )
    elsewhere = cache.replace("<pivotCacheDefinition ", f'<pivotCacheDefinition xmlns:r="{R}" ').replace(
        "/>", ' r:id="rId1"/>'
    )  # a source in another workbook that has a sheet of the same name
    path = _book(tmp_path / "a.xlsx")
    with zipfile.ZipFile(path, "a") as book:
        book.writestr("xl/pivotCache/pivotCacheDefinition1.xml", cache)
        book.writestr("xl/pivotCache/pivotCacheDefinition2.xml", elsewhere)
    _delete(path, (3, 4, 7))
    written = zipfile.ZipFile(path.with_name("after.xlsx"))
    assert f'<worksheetSource ref="A1:C7" sheet="{SHEET}"/>'.encode() in written.read(
        "xl/pivotCache/pivotCacheDefinition1.xml"
    )
    assert b'ref="A1:C10"' in written.read("xl/pivotCache/pivotCacheDefinition2.xml")


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


@pytest.mark.parametrize("calc", [b"", b'<calcPr calcId="191029"/>'], ids=["no calcPr", "as Excel saves it"])
def test_excel_calculates_again_on_opening_what_the_deleted_rows_changed(tmp_path, calc):
    """A workbook Excel saved shows each formula's last value on opening; a SUM over deleted rows would show them."""

    def saved_by_excel(xml: bytes) -> bytes:
        return re.sub(rb"<calcPr[^>]*/>", calc, xml)

    path = edit_part(_book(tmp_path / "a.xlsx"), "xl/workbook.xml", saved_by_excel)
    with zipfile.ZipFile(path) as before:
        assert b"fullCalcOnLoad" not in before.read("xl/workbook.xml")
    _delete(path, (3,))
    with zipfile.ZipFile(tmp_path / "after.xlsx") as after:
        book = etree.fromstring(after.read("xl/workbook.xml"))
    assert [etree.QName(child).localname for child in book][-2:] == ["definedNames", "calcPr"]  # in schema order
    assert book[-1].get("fullCalcOnLoad") == "1" and book[-1].get("calcId") == ("191029" if calc else None)


@pytest.mark.usefixtures("path_taken")
def test_a_format_or_validation_written_for_its_first_row_keeps_reading_each_row_when_that_row_goes(tmp_path):
    """A rule's formula is written for the first cell of its area; the team's 「$B2="乙"」 over A2:C10 colours each
    row by its own B. Deleting row 2 makes row 3 the first: the formula is then written for it, not left #REF!."""
    path = _book(tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    sheet.conditional_formatting.add("A2:C10", FormulaRule(formula=['$B2="乙"'], fill=PatternFill(bgColor="FFFF00")))
    validation = DataValidation(type="custom", formula1="AND(A2>0,A2<=$A$10)")
    validation.add("A2:A10")
    sheet.add_data_validation(validation)
    book.save(path)
    for deleted, first in (((2, 3), "4"), ((4,), "2")):
        sheet = _delete(path, deleted)[SHEET]
        assert [r.rules[0].formula for r in sheet.conditional_formatting][-1] == ['$B2="乙"']
        rule = next(v for v in sheet.data_validations.dataValidation if v.type == "custom")
        assert (
            rule.formula1 == f"AND(A2>0,A2<=$A${10 - len(deleted)})" and str(rule.sqref) == f"A2:A{10 - len(deleted)}"
        )
        assert sheet["A2"].value == int(first)  # the row each formula now reads first


@pytest.mark.usefixtures("path_taken")
def test_a_rule_comparing_a_row_with_the_one_above_keeps_comparing_each_row_with_the_one_above(tmp_path):
    """「$A2<>$A1」 over A2:C10 (the day changed) and a validation 「A3>=A2」 over A3:A10 read each row by its offset:
    whichever rows go (the area's first, the row above another area's first, some in the middle), each stays written
    for its area's first cell with the same offsets; a row named with `$` follows the deletion."""
    path = _book(tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book[SHEET]
    sheet.conditional_formatting.add("A2:C10", FormulaRule(formula=["AND($A2<>$A1,$A$10>0)"], fill=PatternFill()))
    validation = DataValidation(type="custom", formula1="A3>=A2")
    validation.add("A3:A10")
    sheet.add_data_validation(validation)
    book.save(path)
    cases = (((2, 3, 4), 7, "A2>=A1", "A2:A7"), ((2,), 9, "A2>=A1", "A2:A9"), ((5, 6), 8, "A3>=A2", "A3:A8"))
    for deleted, last, check, area in cases:
        after = _delete(path, deleted)[SHEET]
        rules = [r.rules[0].formula for r in after.conditional_formatting if r.rules[0].formula]
        assert [f"AND($A2<>$A1,$A${last}>0)"] in rules, (deleted, rules)
        custom = next(v for v in after.data_validations.dataValidation if v.type == "custom")
        assert (custom.formula1, str(custom.sqref)) == (check, area), deleted
