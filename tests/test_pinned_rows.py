"""The rows a deletion must leave because a formula that stays points at them alone (xlsx/pinned_rows.py)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink

from workbook_tools.xlsx import pinned_rows
from workbook_tools.xlsx.opc import Package
from workbook_tools.xlsx.pinned_rows import FormulaLinks
from workbook_tools.xlsx.references import areas

from conftest import edit_part, run

SHEET = "账"


def _book(path: Path, cells: dict[str, str], other: dict[str, str] | None = None) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for n in range(1, 11):
        sheet[f"A{n}"] = n
    for ref, value in cells.items():
        sheet[ref] = value
    if other is not None:
        summary = book.create_sheet("汇总")
        for ref, value in other.items():
            summary[ref] = value
    book.save(path)
    return path


def _pinned(path: Path, *deleting: int) -> dict[str, set[int]]:
    rows = {SHEET: set(deleting)}
    return FormulaLinks(Package(path.read_bytes()), rows).pinned(rows)


@pytest.fixture(params=["bytes", "tree"])
def read_as(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test on both ways of finding a sheet's formulas: from its bytes, and through its tree."""
    if request.param == "tree":
        monkeypatch.setattr(pinned_rows, "_cell_formulas", pinned_rows._tree_formulas)
    return str(request.param)


def test_rows_a_charts_data_range_holds_alone_stay(tmp_path):
    path = _book(tmp_path / "a.xlsx", {})
    book = openpyxl.load_workbook(path)
    chart = BarChart()
    chart.add_data(Reference(book[SHEET], min_col=1, min_row=4, max_row=5))
    book.create_sheet("图").add_chart(chart, "A1")
    book.save(path)
    assert _pinned(path, 4, 5, 6) == {SHEET: {4, 5}}  # the chart would be left with no row
    assert _pinned(path, 4, 6) == {}  # it only shrinks


def test_rows_a_link_opens_stay(tmp_path):
    path = _book(tmp_path / "a.xlsx", {}, other={"B1": "第 5 行"})
    book = openpyxl.load_workbook(path)
    book["汇总"]["B1"].hyperlink = Hyperlink(ref="B1", location=f"'{SHEET}'!A5", display="第 5 行")
    book.save(path)
    assert _pinned(path, 4, 5, 6) == {SHEET: {5}}  # deleting it would leave the link opening another row
    assert _pinned(path, 4, 6) == {}  # it follows the row


@pytest.mark.usefixtures("read_as")
def test_a_row_a_kept_formula_points_at_stays_and_so_does_the_row_its_own_formula_points_at(tmp_path):
    path = _book(tmp_path / "a.xlsx", {"B3": "=A2", "B4": "=B3*2", "B8": '=IF(A9>0,"A5",A9)'})
    assert _pinned(path, 2, 3) == {SHEET: {2, 3}}  # B4 stays: B3 (row 3) stays, and row 2 for B3's =A2
    assert _pinned(path, 2, 3, 4) == {}  # every formula pointing at them leaves with them
    assert _pinned(path, 9) == {SHEET: {9}}  # "A5" is text, not a reference
    assert _pinned(path, 5) == {}


@pytest.mark.usefixtures("read_as")
def test_a_range_keeps_rows_only_when_it_would_lose_all_of_them(tmp_path):
    path = _book(tmp_path / "a.xlsx", {"B10": "=SUM(A2:A3)", "C10": "=SUM($A$5:A7)"})
    assert _pinned(path, 2) == {}  # it shrinks to A2:A2 (A3 moved up)
    assert _pinned(path, 2, 3) == {SHEET: {2, 3}}
    assert _pinned(path, 2, 3, 5, 6, 7) == {SHEET: {2, 3, 5, 6, 7}}
    links = FormulaLinks(Package(path.read_bytes()), {SHEET: {2, 3, 5, 6, 7}})
    assert links.pinned({SHEET: {3, 5, 6}}) == {}  # read for a deletion, asked about a part of it


@pytest.mark.usefixtures("read_as")
def test_another_sheets_cells_validations_and_the_workbooks_names_keep_the_rows_they_point_at_alone(tmp_path):
    other = {"A1": f"={SHEET}!A3", "A2": f"=SUM({SHEET}!A2:A9)", "A3": f"='{SHEET}'!$A$7&\"{SHEET}!A8\""}
    path = _book(tmp_path / "a.xlsx", {}, other)
    assert _pinned(path, 2, 3, 7, 8, 9) == {SHEET: {3, 7}}
    book = openpyxl.load_workbook(path)
    validation = DataValidation(type="list", formula1=f"{SHEET}!$A$5")
    validation.add("B1")
    book["汇总"].add_data_validation(validation)
    book.defined_names["上限"] = DefinedName("上限", attr_text=f"{SHEET}!$A$6")
    book.save(path)
    assert _pinned(path, 2, 4, 5, 6) == {SHEET: {5, 6}}


@pytest.mark.usefixtures("read_as")
def test_each_member_of_a_formula_filled_down_points_where_its_own_copy_does(tmp_path):
    path = _book(tmp_path / "a.xlsx", {f"B{n}": f"=A{n - 1}*2" for n in (5, 6, 7)})

    def shared(xml: bytes) -> bytes:  # as Excel writes a formula filled down: once, in its first cell
        xml = xml.replace(b"<f>A4*2</f>", b'<f t="shared" ref="B5:B7" si="0">A4*2</f>')
        return re.sub(rb"<f>A[56]\*2</f>", b'<f t="shared" si="0"/>', xml)

    edit_part(path, "xl/worksheets/sheet1.xml", shared)
    assert Package(path.read_bytes()).read("xl/worksheets/sheet1.xml").count(b't="shared"') == 3
    assert _pinned(path, 6) == {SHEET: {6}}  # B7's copy points at A6
    assert _pinned(path, 7) == {}


def test_the_bytes_and_the_tree_find_the_same_formulas(tmp_path):
    cells = {"B3": "=A2", "C4": '=IF(A3<A4,"<&>",A3)', "D4": '=LEN("A1")', "B9": "=SUM(A2:$A$8)"}
    path = _book(tmp_path / "a.xlsx", cells)
    data = Package(path.read_bytes()).read("xl/worksheets/sheet1.xml")
    found = list(pinned_rows._cell_formulas(data))  # those that refer to rows by number
    rows = [(f.row, [(a.top, a.bottom, a.top_fixed, a.bottom_fixed) for a in f.areas or ()]) for f in found]
    assert rows == [
        (3, [(2, 2, False, False)]),
        (4, [(3, 3, False, False), (4, 4, False, False), (3, 3, False, False)]),
        (9, [(2, 8, False, True)]),
    ]
    assert found == list(pinned_rows._tree_formulas(data))
    unnumbered = data.replace(b'<row r="4"', b"<row")
    assert list(pinned_rows._cell_formulas(unnumbered)) == found  # a row without its number: the tree's way
    prefixed = re.sub(rb"<(/?)(?=[A-Za-z])", rb"<\1x:", data).replace(b"<x:worksheet xmlns=", b"<x:worksheet xmlns:x=")
    assert list(pinned_rows._cell_formulas(prefixed)) == found
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    two = data.replace(b"<worksheet ", b'<worksheet xmlns:y="' + main + b'" ', 1).replace(
        b"<f>A2</f>", b"<y:f>A2</y:f>"
    )
    assert list(pinned_rows._cell_formulas(two)) == found  # a cell's formula spelt with a second prefix


RETURNS = ["日期", "物流单号", "承运商", "ID号", "订单编码", "退回类型", "产品名称", "数量", "处理结果"]


def test_the_archive_keeps_a_row_another_sheet_points_at_and_says_so(tmp_path):
    old = date.today() - timedelta(days=40)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "退件表"
    sheet.append(RETURNS)
    for n in (1, 2, 3):
        sheet.append([old.isoformat(), f"SF{n}", "顺丰", f"b{n}", f"SO{n}", "破损", "眼霜", n, "已退款"])
    book.create_sheet("汇总")["A1"] = "=退件表!H3*10"  # the second row: it stays, the others leave
    path = tmp_path / "team.xlsx"
    book.save(path)
    result = run("archive", path, "--before", date.today().isoformat(), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["sheets"] == [
        {"sheet": "退件表", "archived": 2, "kept": 1, "referenced": 1, "holding": 0}
    ]
    after = openpyxl.load_workbook(path)
    assert [row[1] for row in after["退件表"].iter_rows(values_only=True)] == ["物流单号", "SF2"]
    assert after["汇总"]["A1"].value == "=退件表!H2*10"
    words = run("archive", path, "--before", date.today().isoformat()).output
    assert "有留下的公式只引用它（这样的有 1 行）" in words, words


def test_formulas_read_by_their_shape_read_as_each_one_alone():
    """A column of formulas is read once per shape (its numbers left out); every formula must read the same."""

    def column(n: int) -> list[str]:
        return [f"=H{n}*I{n}+2", f"=SUM($A$2:A{n})", f"=LOG10(A{n})+1E5", f"='Q{n}'!A{n}+'第3周'!B{n}", f"={n}:{n + 1}"]

    formulas = [text for n in (5, 6, 123) for text in column(n)] + ['="A1"&A7', "=Sheet2!A1+Sheet12!B3", "=Sheet9!C9"]
    shapes: dict = {}
    for text in formulas:
        assert pinned_rows._areas(text, shapes) == tuple(areas(text)), text
    assert len(shapes) == 8  # each shape read once, whatever the row
