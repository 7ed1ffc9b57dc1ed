"""Reading workbooks as teams have them: their date system, Strict files, packages we refuse, formulas
without results, and sheets whose used range is far larger than the cells they hold."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900
from python_calamine import CalamineWorkbook

from workbook_tools.core import tables
from workbook_tools.core.validate import check_workbook
from workbook_tools.core.values import UNCALCULATED
from workbook_tools.errors import InputFileError
from workbook_tools.xlsx import sheet_xml
from workbook_tools.xlsx.reader import read_grids
from workbook_tools.xlsx.writer import check_written

from conftest import TODAY, demo_workbook, ledger_with_error_values, run

AT = "2026-11-22 18:00"
RETURNS = ["日期", "物流单号", "订单编码", "产品名称", "数量", "解决方案", "ID号", "处理结果"]
HANDOVER = ["买家ID", "订单号", "交接处理", "交接人", "承接人", "时间", "截止时间", "状态"]
COMMANDS = {
    "validate": ["validate"],
    "handover": ["handover", "--from", "小美", "--to", "阿强", "--at", AT],
    "acknowledge": ["acknowledge", "--agent", "阿强", "--at", AT],
    "daily-totals": ["daily-totals", "--date", str(TODAY), "--at", AT],
    "chase-summary": ["chase-summary", "--at", AT],
}


def ledger(path: Path, *, date_1904: bool = False) -> Path:
    """A return ledger as Excel writes it: one open return dated as a date cell, one as a bare serial number."""
    book = xlsxwriter.Workbook(path, {"date_1904": date_1904})
    returns = book.add_worksheet("退件表")
    returns.write_row(0, 0, RETURNS)
    returns.write_datetime(1, 0, datetime(2026, 11, 20), book.add_format({"num_format": "yyyy-mm-dd"}))
    returns.write_row(1, 1, ["SF1", "SO1", "紧致眼霜 15g", 1, "退款", "jenny王"])
    returns.write_number(2, 0, (date(2026, 11, 21) - (date(1904, 1, 1) if date_1904 else date(1899, 12, 30))).days)
    returns.write_row(2, 1, ["SF2", "SO2", "温和卸妆水 500ml", 2, "退款", "cherry_lin"])
    book.add_worksheet("交接表").write_row(0, 0, HANDOVER)
    book.close()
    return path


def repack(source: Path, target: Path, changes: dict[str, bytes | None]) -> Path:
    """A copy of a package with parts replaced, added (bytes) or removed (None); the target may be the source.

    Written in place rather than moved there: the validator hook records every
    os.replace onto a workbook as ours, and these spoilt packages are the test's.
    """
    with zipfile.ZipFile(source) as old:
        parts = {name: old.read(name) for name in old.namelist() if name not in changes}
    parts |= {name: data for name, data in changes.items() if data is not None}
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name, data in parts.items():
            new.writestr(name, data)
    return target


def part(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as package:
        return package.read(name)


def one_line_refusal(result: Any, *words: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert all(word in line for word in words), line


# --- the 1904 date system ------------------------------------------------------------------------


@pytest.mark.libreoffice
def test_a_1904_workbook_is_read_and_written_in_its_own_date_system(tmp_path, libreoffice):
    path = ledger(tmp_path / "mac.xlsx", date_1904=True)
    handed = run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT, "--json")
    assert handed.exit_code == 0, handed.output
    due = [item["due_at"] for item in json.loads(handed.stdout)["items"]]
    assert due == ["2026-11-30T00:00", "2026-12-01T00:00"]  # the serial 44884 is 2026-11-21 in the 1904 system
    written = openpyxl.load_workbook(path)["交接表"]  # openpyxl honours date1904 on its own
    assert [row[HANDOVER.index("时间")] for row in written.iter_rows(min_row=2, values_only=True)] == [
        datetime(2026, 11, 22, 18, 0)
    ] * 2
    assert part(path, "xl/workbook.xml").count(b'date1904="1"') == 1
    validated = run("validate", path)
    assert validated.exit_code == 0 and "没有发现问题" in validated.stdout, validated.stdout
    shown = libreoffice.sheets(path)["交接表"]
    assert [row[HANDOVER.index("时间")][:16] for row in shown[1:]] == ["2026-11-22 18:00"] * 2


def test_a_1900_workbook_beside_it_is_unchanged(tmp_path):
    path = ledger(tmp_path / "pc.xlsx")
    handed = run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT, "--json")
    assert [item["due_at"] for item in json.loads(handed.stdout)["items"]] == ["2026-11-30T00:00", "2026-12-01T00:00"]
    assert run("validate", path).exit_code == 0


def cell_values(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every sheet's values as openpyxl reads them (it honours the workbook's date system)."""
    book = openpyxl.load_workbook(path)
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in book}


@pytest.mark.parametrize(
    "command",
    [
        ["handover", "--from", "小美", "--to", "阿强", "--at", AT],
        ["daily-totals", "--date", str(TODAY), "--at", AT],
        ["chase-summary", "--at", AT],
    ],
    ids=lambda command: command[0],
)
def test_the_demo_saved_in_the_1904_system_gives_the_same_results_and_the_same_written_dates(tmp_path, command):
    """Every date the demo holds, in our generated tabs too, is the same day whichever system counts it."""
    ordinary = demo_workbook(tmp_path / "ordinary.xlsx", TODAY)
    book = openpyxl.load_workbook(ordinary)
    book.epoch = CALENDAR_MAC_1904  # openpyxl writes every date it holds as a 1904 serial
    mac = tmp_path / "mac.xlsx"
    book.save(mac)
    assert part(mac, "xl/workbook.xml").count(b'date1904="1"') == 1
    resaved = tmp_path / "resaved.xlsx"
    book.epoch = CALENDAR_WINDOWS_1900
    book.save(resaved)
    outputs = []
    for path in (resaved, mac):
        result = run(*command[:1], path, *command[1:], "--json")
        assert result.exit_code == 0, result.output
        outputs.append(json.loads(result.stdout))
    assert outputs[0] == outputs[1]
    assert cell_values(mac) == cell_values(resaved)


# --- packages we refuse, the same way for every command -------------------------------------------

STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
        b"http://purl.oclc.org/ooxml/officeDocument/relationships"
    ),
}
LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (n, b"&lol%d;" % (n - 1) * 10) for n in range(2, 10)).replace(
        b"&lol1;", b"&lol;"
    )
    + b"]>"
)


def strict(path: Path) -> None:
    """Excel's "Strict Open XML Spreadsheet": the same parts in the purl.oclc.org namespaces."""
    with zipfile.ZipFile(path) as old:
        parts = {name: old.read(name) for name in old.namelist()}
    for transitional, strict_ns in STRICT.items():
        parts = {name: data.replace(transitional, strict_ns) for name, data in parts.items()}
    repack(path, path, parts)


def without_styles(path: Path) -> None:
    rels = re.sub(rb'<Relationship [^>]*styles"[^>]*/>', b"", part(path, "xl/_rels/workbook.xml.rels"))
    repack(path, path, {"xl/styles.xml": None, "xl/_rels/workbook.xml.rels": rels})


def other_case(path: Path) -> None:
    sheet = part(path, "xl/worksheets/sheet1.xml")
    repack(path, path, {"xl/worksheets/sheet1.xml": None, "xl/worksheets/Sheet1.xml": sheet})


def entities(path: Path) -> None:
    strings = part(path, "xl/sharedStrings.xml").replace(b"SF1", b"&lol9;")
    strings = LAUGHS + strings[strings.index(b"?>") + 2 :]
    repack(path, path, {"xl/sharedStrings.xml": strings})


UNUSABLE: dict[str, tuple[Callable[[Path], None], str]] = {
    "strict": (strict, "Strict Open XML"),
    "no styles": (without_styles, "缺少样式部件"),
    "case": (other_case, "大小写"),
    "entities": (entities, "DOCTYPE/ENTITY"),
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(UNUSABLE))
def test_an_unusable_package_is_refused_by_every_command_with_one_line(tmp_path, kind, command):
    spoil, words = UNUSABLE[kind]
    path = ledger(tmp_path / "team.xlsx")
    spoil(path)
    before = path.read_bytes()
    one_line_refusal(run(*COMMANDS[command], path), "「team.xlsx」", words)
    assert path.read_bytes() == before


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail instead of hanging: a command that opens a pipe waits forever for a writer."""

    def expired(*_: object) -> None:
        raise TimeoutError("the command did not return within 10 s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(10)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and SIGALRM are POSIX")
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_pipe_or_a_device_named_xlsx_is_refused_without_waiting(tmp_path, deadline, command):
    pipe, device = tmp_path / "pipe.xlsx", tmp_path / "zero.xlsx"
    os.mkfifo(pipe)
    device.symlink_to("/dev/zero")
    for path in (pipe, device):
        one_line_refusal(run(*COMMANDS[command], path), f"「{path.name}」", "不是普通文件")


# --- formulas the file holds no result for --------------------------------------------------------


def test_formulas_without_results_are_reported_and_never_counted_as_zero(tmp_path):
    """openpyxl (and pandas through it) write formulas without results; Excel would calculate them on opening."""
    path = tmp_path / "script.xlsx"
    book = openpyxl.Workbook()
    chase = book.active
    chase.title = "催款明细表"
    chase.append(["拍下时间", "买家ID", "订单编号", "订单金额", "催款日期", "催款人", "催款方式", "催款结果"])
    chase.append(["2026-11-21 20:00", "jenny王", "4100000000000000001", "=89*2", str(TODAY), "小美", "电话", "已付款"])
    chase.append(["2026-11-21 21:00", "cherry_lin", "4100000000000000002", 59, str(TODAY), "小美", "电话", "已付款"])
    book.save(path)
    validated = run("validate", "--json", path)
    assert [(f["cell"], f["code"]) for f in json.loads(validated.stdout)] == [("D2", "formula_not_calculated")]
    summary = json.loads(run("chase-summary", "--at", AT, "--json", "--out", tmp_path / "out.xlsx", path).stdout)
    assert [(r["agent"], r["paid"], r["paid_amount"]) for r in summary["rows"]] == [
        ("小美", 1, 59.0),
        ("合计", 1, 59.0),
    ]
    assert summary["excluded_rows"] == ["催款明细表!2"]


def test_formulas_with_results_read_as_their_results(tmp_path):
    """Excel keeps a formula's result beside it; an empty text result is kept as <v></v> in a str cell."""
    path = tmp_path / "script.xlsx"
    book = xlsxwriter.Workbook(path)
    returns = book.add_worksheet("退件表")
    returns.write_row(0, 0, [*RETURNS, "备注"])
    returns.write_row(1, 0, ["2026-11-20", "SF1", "SO1", "眼霜"])
    returns.write_formula(1, 4, "=1+1", None, 2)
    returns.write_formula(1, 8, '=IF(E2>5,"多","")', None, "")
    book.close()
    sheet = part(path, "xl/worksheets/sheet1.xml")
    assert b'<c r="I2"><f>' in sheet
    excel = repack(
        path, tmp_path / "excel.xlsx", {"xl/worksheets/sheet1.xml": sheet.replace(b'<c r="I2">', b'<c r="I2" t="str">')}
    )
    (table,) = check_workbook(read_grids(excel), TODAY).tables
    assert table.findings == () and table.records[0][table.table.spec.quantity] == 2
    grid = read_grids(path)[0]  # XlsxWriter's own "" without a type is no result Excel would write
    assert grid.value(2, 9) is UNCALCULATED and grid.value(2, 5) == 2


# --- size: time and memory follow the cells present ------------------------------------------------


def test_a_stray_value_at_the_last_cell_of_the_sheet_is_read_without_laying_out_the_sheet(tmp_path):
    path = tmp_path / "stray.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "退件表"
    sheet.append(RETURNS)
    sheet.append(["2026-11-20", "SF1", "SO1", "眼霜", 1, "退款", "jenny王"])
    sheet["XFD1048576"] = "x"
    book.save(path)
    (grid,) = read_grids(path)  # calamine alone aborts the process: 17 billion cells
    assert len(grid.rows) == 1_048_576 and grid.value(1_048_576, 16_384) == "x" and grid.value(2, 2) == "SF1"
    assert sum(len(row) for row in grid.rows) == len(RETURNS) + 7 + 16_384  # the header, one row, the last row
    assert [(f.cell, f.code) for f in check_workbook([grid], TODAY).findings] == []
    assert run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT).exit_code == 0


def test_a_dimension_that_lies_changes_nothing(tmp_path):
    path = ledger(tmp_path / "team.xlsx")
    sheet = part(path, "xl/worksheets/sheet1.xml")
    lying = repack(
        path,
        tmp_path / "lying.xlsx",
        {"xl/worksheets/sheet1.xml": re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)},
    )
    assert read_grids(lying) == read_grids(path)


def test_a_stray_value_in_a_sheet_we_write_does_not_stop_the_read_back_check(tmp_path):
    path = ledger(tmp_path / "team.xlsx")
    sheet = part(path, "xl/worksheets/sheet2.xml").replace(
        b"</sheetData>", b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>'
    )
    stray = repack(path, tmp_path / "stray.xlsx", {"xl/worksheets/sheet2.xml": sheet})
    check_written(stray, {"交接表"})  # calamine alone aborts the process here


CELL = st.one_of(
    st.text(alphabet="退件表abc 1", min_size=1, max_size=4),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.booleans(),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
)
SPARSE = st.dictionaries(st.tuples(st.integers(0, 120), st.integers(0, 40)), CELL, min_size=1, max_size=25)


def sparse_workbook(cells: dict[tuple[int, int], object]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("表")
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    for (row, col), value in cells.items():
        if isinstance(value, datetime):
            sheet.write_datetime(row, col, value, moment)
        else:
            sheet.write(row, col, value)
    book.close()
    return out.getvalue()


def as_calamine_reads(data: bytes) -> dict[tuple[int, int], object]:
    rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_name("表").to_python(skip_empty_area=False)
    return {(r, c): v for r, row in enumerate(rows, 1) for c, v in enumerate(row, 1) if v != ""}


def as_we_read(path: Path) -> dict[tuple[int, int], object]:
    (grid,) = read_grids(path)
    return {(r, c): v for r, row in enumerate(grid.rows, 1) for c, v in enumerate(row, 1) if v != ""}


@given(cells=SPARSE, dense=st.sampled_from([1, 6, 50, 10**6]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_a_sheet_cut_into_pieces_reads_exactly_as_calamine_reads_it_whole(tmp_path, monkeypatch, cells, dense):
    """Pieces of a few cells each (and one piece for the whole sheet) give the same value at every cell."""
    monkeypatch.setattr(sheet_xml, "DENSE_CELLS", dense)
    data = sparse_workbook(cells)
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(data)
    assert as_we_read(path) == as_calamine_reads(data)


def unusual(xml: bytes, how: str) -> bytes:
    """The same sheet written the way other programs write it."""
    if how == "prefix":  # e.g. the Open XML SDK: every element under a prefix
        body = re.sub(rb"<(/?)(?!\?)([A-Za-z])", rb"<\1x:\2", xml)
        return body.replace(b'xmlns="', b'xmlns:x="', 1)
    if how == "reference last":
        return re.sub(rb'<c (r="[^"]*") ([^>]*?)(/?)>', rb"<c \2 \1\3>", xml)
    return re.sub(rb'<(c|row) r="[^"]*"', rb"<\1", xml)  # no references: positions follow the order


@pytest.mark.parametrize("how", ["prefix", "reference last", "no references"])
@pytest.mark.parametrize("dense", [4, 10**6])
def test_sheets_written_the_unusual_ways_read_as_calamine_reads_them(tmp_path, monkeypatch, how, dense):
    monkeypatch.setattr(sheet_xml, "DENSE_CELLS", dense)
    cells = {(r, c): f"{r}-{c}" if (r + c) % 3 else r * 10 + c for r in range(6) for c in range(5)}
    path = tmp_path / "sparse.xlsx"
    path.write_bytes(sparse_workbook(cells))
    expected = as_we_read(path)
    changed = repack(
        path,
        tmp_path / "unusual.xlsx",
        {"xl/worksheets/sheet1.xml": unusual(part(path, "xl/worksheets/sheet1.xml"), how)},
    )
    assert as_calamine_reads(changed.read_bytes()) == expected  # the rewrite is one calamine reads alike
    assert as_we_read(changed) == expected


def test_a_sheet_that_holds_more_than_the_bound_is_refused_with_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(tables, "GRID_SLOTS", 100)
    path = tmp_path / "big.xlsx"
    path.write_bytes(sparse_workbook({(r, 0): r for r in range(200)}))
    with pytest.raises(
        InputFileError, match=r"^「big.xlsx」的「表」表有内容的范围太大.*请删除表格下方和右侧不用的内容后再试。$"
    ):
        read_grids(path)


def test_rows_that_hold_nothing_share_one_empty_list(tmp_path):
    """Rows that hold nothing are one shared list: a million of them cost a pointer each."""
    path = tmp_path / "far.xlsx"
    path.write_bytes(sparse_workbook({(0, 0): "表头", (900_000, 2): 1}))
    (grid,) = read_grids(path)
    assert len(grid.rows) == 900_001 and grid.value(900_001, 3) == 1
    assert len({id(row) for row in grid.rows[1:-1]}) == 1 and grid.rows[1] == []


class _Api:
    Date1904 = True  # what Excel's COM API answers for a workbook in the 1904 system


class _Book:
    api = _Api()


def test_the_excel_buttons_ask_excel_for_the_date_system(tmp_path):
    """Excel hands the buttons date cells as dates but a bare serial number as a number, whose day depends on
    the workbook's date system: only the API tells which."""
    from workbook_tools import excel
    from workbook_tools.spec.sheets import RETURNS as RETURNS_SHEET

    grids = read_grids(ledger(tmp_path / "mac.xlsx", date_1904=True))
    check = excel._check(_Book(), grids, TODAY)
    assert [r[RETURNS_SHEET.date] for t in check.of(RETURNS_SHEET) for r in t.records] == [
        date(2026, 11, 20),
        date(2026, 11, 21),
    ]


class _UsedRange:
    shape = (1_048_576, 16_384)  # what Excel reports once a value sits at XFD1048576

    def options(self, **_: object) -> Any:
        raise AssertionError("the values of a range this large must not be asked for")


class _Sheet:
    name = "交接表"
    used_range = _UsedRange()


class _StrayBook:
    name = "team.xlsx"
    sheets = (_Sheet(),)


def test_in_excel_a_used_range_stretched_by_a_stray_cell_is_refused_before_any_value_is_read():
    from workbook_tools.excel.book import read_grids as read_excel_grids

    with pytest.raises(InputFileError, match=r"^「team.xlsx」的「交接表」表有内容的范围太大.*不用的内容后再试。$"):
        read_excel_grids(_StrayBook())


def test_error_values_are_findings_and_their_rows_stay_out_of_every_figure(tmp_path):
    path = ledger_with_error_values(tmp_path / "team.xlsx")
    validated = run("validate", path, "--json")
    assert [(f["cell"], f["code"], f["message"].split("显示错误值 ")[1][:7]) for f in json.loads(validated.stdout)] == [
        ("F2", "cell_error", "#REF!（公"),
        ("A3", "cell_error", "#N/A（公式"),
        ("B3", "cell_error", "#DIV/0!"),
        ("E3", "cell_error", "#NAME?（"),
    ]
    totals = run("daily-totals", path, "--date", str(TODAY), "--at", AT, "--json")
    assert json.loads(totals.stdout)["excluded_rows"] == ["退件表!2", "退件表!3"]
