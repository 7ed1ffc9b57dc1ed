"""Bad input from real life: each gives a clear finding or a clear refusal, never a traceback."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from hypothesis import example, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from workbook_tools.core.findings import flatten
from workbook_tools.core.tables import Grid
from workbook_tools.core.validate import check_workbook
from workbook_tools.core.values import ERROR_TEXTS, UNCALCULATED, BadValue, coerce, is_blank
from workbook_tools.spec.codes import CODES
from workbook_tools.spec.sheets import CHASE_DETAIL, RETURNS
from workbook_tools.spec.types import Kind
from workbook_tools.xlsx.reader import read_grids

from conftest import ROOT, TODAY, run, write_xlsx

HEADER = ["日期", "物流单号", "订单编码", "产品名称", "数量"]


def test_a_password_protected_workbook_is_refused(tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    path = tmp_path / "加密.xlsx"
    with path.open("wb") as out:
        OOXMLFile(io.BytesIO((ROOT / "templates_xlsx" / "returns.xlsx").read_bytes())).encrypt("1234", out)
    before = path.read_bytes()
    result = run("handover", path, "--from", "小美", "--to", "阿强")
    assert result.exit_code == 2 and "设置了打开密码" in result.stderr and path.read_bytes() == before


def test_a_sheet_used_down_to_its_last_row_is_read_to_the_end(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "退件表"
    sheet.append(HEADER)
    sheet.append(["2026-11-20", "SF1", "SO1", "眼霜", 1])
    sheet["B1048576"] = "SF2"
    book.save(tmp_path / "big.xlsx")
    findings = check_workbook(read_grids(tmp_path / "big.xlsx"), TODAY).findings
    assert flatten(findings, "cell", "code") == [
        ("A1048576", "missing_required"),
        ("D1048576", "missing_required"),
        ("E1048576", "missing_required"),
        ("C1048576", "unmatched_parcel"),
    ]


def test_a_header_under_merged_title_cells_and_merged_header_cells(tmp_path):
    path = tmp_path / "merged.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["2026年11月退件登记"])
    sheet.merge_cells("A1:E1")
    sheet.append(["日期", "物流单号", "订单编码", "产品名称", None, "数量"])
    sheet.merge_cells("D2:E2")  # 产品名称 spans two columns
    sheet.append(["2026-11-20", "SF1", "SO1", "眼霜", "（规格见备注）", 1])
    book.save(path)
    (table_check,) = check_workbook(read_grids(path), TODAY).tables
    assert table_check.table.header_row == 2 and table_check.table.columns[RETURNS.quantity] == 6
    assert table_check.findings == ()


def test_formula_errors_are_reported_at_their_cells(tmp_path):
    path = tmp_path / "errors.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("退件表")
    sheet.write_row(0, 0, HEADER)
    sheet.write_formula("A2", "=NA()", None, "#N/A")
    sheet.write_row(1, 1, ["SF1", "SO1", "眼霜"])
    sheet.write_formula("E2", "=#REF!+1", None, "#REF!")
    book.close()
    result = run("validate", path)
    assert result.exit_code == 1 and "退件表!A2" in result.stdout and "退件表!E2" in result.stdout


@pytest.mark.parametrize(
    "value, code",
    [
        (date(1900, 1, 1), "unlikely_date"),
        (1, "unlikely_date"),
        (date(2100, 1, 1), "unlikely_date"),
        (-2, "bad_number"),
    ],
)
def test_dates_in_1900_and_2100_and_negative_quantities(value, code):
    row = ["2026-11-20", "SF1", "SO1", "眼霜", 1]
    row[0 if code == "unlikely_date" else 4] = value
    findings = check_workbook([Grid("退件表", [HEADER, row])], TODAY).findings
    assert flatten(findings, "code") == [(code,)]


@given(
    quantities=st.lists(
        st.one_of(
            st.integers(-2, 3),
            st.floats(-2, 3),
            st.booleans(),
            st.none(),
            st.decimals(-2, 3, places=1),
            st.sampled_from(["1", "２", " ", "一"]),
        ),
        min_size=1,
        max_size=8,
    )
)
@example(quantities=[1, True])  # equal dict keys of different types
@example(quantities=[True, 1.0, Decimal(1)])
@settings(max_examples=300, deadline=None)
def test_a_column_read_at_once_flags_exactly_the_cells_that_fail_one_by_one(quantities):
    """Validation judges each distinct value of a column once; a TRUE must not pass because a 1 above it did."""
    rows = [["2026-11-20", f"SF{n}", f"SO{n}", "眼霜", quantity] for n, quantity in enumerate(quantities)]
    expected = set()
    for n, quantity in enumerate(quantities):
        try:
            if is_blank(quantity) or coerce(Kind.INT, quantity, TODAY) < 1:
                expected.add(f"E{n + 2}")
        except BadValue:
            expected.add(f"E{n + 2}")
    findings = check_workbook([Grid("退件表", [HEADER, *rows])], TODAY).findings
    assert {f.cell for f in findings if f.column == "数量"} == expected


def test_emoji_control_characters_and_32767_characters_in_a_buyer_id_survive_a_handover(tmp_path):
    long_id = "买" * 32_767
    rows = [
        [*HEADER, "ID号", "处理结果"],
        ["2026-11-20", "SF1", "SO1", "眼霜", 1, "小鱼儿🐟爱吃糖\x07", None],
        ["2026-11-20", "SF2", "SO2", "眼霜", 1, long_id, None],
    ]
    path = tmp_path / "ids.xlsx"
    book = xlsxwriter.Workbook(path)  # openpyxl refuses control characters; Excel stores them as _x0007_
    for name, content in (("退件表", rows), ("交接表", [["买家ID", "交接处理", "交接人", "承接人", "时间", "状态"]])):
        sheet = book.add_worksheet(name)
        for r, row in enumerate(content):
            sheet.write_row(r, 0, row)
    book.close()
    result = run("handover", path, "--from", "小美", "--to", "阿强", "--at", f"{TODAY} 18:00")
    assert result.exit_code == 0, result.output
    handed = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("交接表").to_python()
    buyers = {row[0] for row in handed[1:]}
    assert "小鱼儿🐟爱吃糖" in buyers and long_id in buyers  # the control character is dropped, nothing else
    assert openpyxl.load_workbook(path)["交接表"].max_row == 3


CELL_VALUES = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.datetimes(),
    st.dates(),
    st.decimals(allow_nan=False, places=3),
    st.sampled_from(sorted(ERROR_TEXTS)),  # what a failed formula shows, read from the file or through Excel
    st.just(UNCALCULATED),
)


CLEAN_TYPES = {
    Kind.DATE: date,
    Kind.DATETIME: datetime,
    Kind.INT: int,
    Kind.MONEY: Decimal,
    Kind.RATE: float,
    Kind.ID: str,
    Kind.TEXT: str,
    Kind.CHOICE: str,
    Kind.PHONE: str,
}


@pytest.mark.parametrize("kind", list(Kind))
@given(value=CELL_VALUES)
@settings(max_examples=300, deadline=None)
def test_coercion_gives_a_clean_value_or_a_finding_code_for_anything_a_cell_holds(kind, value):
    try:
        clean = coerce(kind, value, TODAY)
    except BadValue as error:
        outcome: object = error.code
    else:
        outcome = type(clean)
    unknown = ("cell_error", "formula_not_calculated")  # a value nobody can know
    assert outcome in (CLEAN_TYPES[kind], "bad_date", "bad_number", "bad_phone", "order_no_precision_lost", *unknown)


@given(rows=st.lists(st.lists(CELL_VALUES, min_size=5, max_size=5), max_size=8))
@settings(max_examples=300, deadline=None)
def test_validation_never_crashes_on_any_ledger_content(rows):
    """Whatever the cells hold: every typed row is read, and every finding points inside the sheet with a known code."""
    (table,) = check_workbook([Grid("退件表", [HEADER, *rows])], TODAY).tables
    typed = [n for n, row in enumerate(rows, start=2) if any(not is_blank(v) for v in row)]
    assert [r.row for r in table.records] == typed
    for found in table.findings:
        assert found.code in CODES and 1 <= found.row <= len(rows) + 1 and 1 <= found.col <= len(HEADER)


def test_datetime_values_far_out_are_findings_not_crashes():
    findings = check_workbook([Grid("退件表", [HEADER, [datetime(9999, 12, 31), "SF1", "SO1", "眼霜", 1]])], TODAY)
    assert flatten(findings.findings, "code") == [("unlikely_date",)]


def absurd_settings(path, value):
    return write_xlsx(
        path,
        {
            "退件表": [[*HEADER, "ID号", "处理结果"], ["2026-11-20", "SF1", "SO1", "眼霜", 1, "jenny王", None]],
            "催款明细表": [
                ["拍下时间", "买家ID", "订单编号", "订单金额", "催款日期", "催款人", "催款方式", "催款结果"],
                ["2026-11-21 20:00", "jenny王", "4100000000000000001", 89, "2026-11-22", "小美", "电话", "已付款"],
            ],
            "设置": [["规则", "数值", "单位"], ["买家寄出退货后卖家确认收货", value, "天"]],
        },
    )


@pytest.mark.parametrize(
    "value, detail",
    [(99999999, "超出合理范围（最多 366 天）"), (-3, "不能为负数"), ("三天", "不是数字"), ("nan", "不是数字")],
)
def test_an_absurd_rule_value_is_a_finding_on_settings_and_a_refusal_where_the_rule_is_needed(tmp_path, value, detail):
    path = absurd_settings(tmp_path / "absurd.xlsx", value)
    before = path.read_bytes()
    validated = run("validate", "--json", path)
    assert validated.exit_code == 1
    (found,) = json.loads(validated.stdout)
    assert (found["sheet"], found["cell"], found["code"]) == ("设置", "B2", "bad_number") and detail in found["message"]
    at = ("--at", f"{TODAY} 18:00")
    commands = [["handover", "--from", "小美", "--to", "阿强"], ["daily-totals", "--date", str(TODAY)]]
    for command in commands if value == 99999999 else commands[:1]:
        result = run(*command, *at, path)
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        (line,) = result.stderr.strip().splitlines()
        assert line.startswith("「设置」表 B2 的规则「买家寄出退货后卖家确认收货」") and detail in line
    assert path.read_bytes() == before
    if value == 99999999:
        summary = run("chase-summary", *at, "--json", "--out", tmp_path / "out.xlsx", path)  # needs no such rule
        assert summary.exit_code == 0 and json.loads(summary.stdout)["rows"][0]["paid"] == 1


def test_a_rule_value_at_the_edge_of_the_range_still_computes(tmp_path):
    path = absurd_settings(tmp_path / "long.xlsx", 366)
    handed = run("handover", "--from", "小美", "--to", "阿强", "--at", f"{TODAY} 18:00", "--json", path)
    assert json.loads(handed.stdout)["items"][0]["due_at"] == "2027-11-21T00:00"


def test_dates_times_and_numbers_typed_as_text_are_read_or_reported_never_guessed():
    chase = Grid(
        "催款明细表",
        [
            ["拍下时间", "买家ID", "订单编号", "订单金额", "催款日期", "催款人", "催款方式", "付款时间"],
            ["11-21 14:05", "jenny王", "41001", "¥1,234.50", "11.22", "小美", "电话", "11月22日 下午3点"],
            ["18:00", "cherry_lin", "41002", "12,5", "11.22", "小美", "电话", None],
        ],
    )
    check = check_workbook([chase], TODAY)
    assert flatten(check.findings, "cell", "code") == [("A3", "bad_date"), ("D3", "bad_number")]
    time_only, separators = (f.message for f in check.findings)
    assert "只有时间，没有日期" in time_only and "2026-11-03 14:30 这样的日期和时间" in time_only
    assert "分不清「,」「.」是小数点还是千位分隔符" in separators
    (record,) = (r for r in check.tables[0].records if not r.has_errors)
    c = CHASE_DETAIL
    assert [record[c.placed_at], record[c.amount], record[c.chased_at], record[c.paid_at]] == [
        datetime(2026, 11, 21, 14, 5),
        Decimal("1234.50"),
        datetime(2026, 11, 22),
        datetime(2026, 11, 22, 15, 0),
    ]
