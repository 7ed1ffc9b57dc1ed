"""The templates: built from the declarations, reproducible, and read the same by other programs."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import openpyxl
import pandas as pd
import pytest
from openpyxl.utils import get_column_letter

from workbook_tools.spec.lists import RETURN_TYPE
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.sheets import CHASE_DETAIL, LEDGERS, RETURNS
from workbook_tools.spec.types import Kind, Role
from workbook_tools.xlsx.templates import build_workbook, lists_for, stale_templates, template_files

from conftest import ROOT

TEMPLATES = ROOT / "templates_xlsx"
TEMPLATE_NAMES = sorted(template_files())


def test_building_twice_gives_identical_bytes():
    for specs in template_files().values():
        assert build_workbook(specs) == build_workbook(specs)


def test_the_committed_templates_are_up_to_date():
    assert stale_templates(TEMPLATES) == [], "run: workbook-tools build-templates"


def test_a_stale_template_is_noticed(tmp_path):
    for name in TEMPLATE_NAMES:
        (tmp_path / name).write_bytes((TEMPLATES / name).read_bytes())
    (tmp_path / "returns.xlsx").write_bytes(build_workbook((RETURNS, CHASE_DETAIL)))
    (tmp_path / "quality.xlsx").unlink()
    assert stale_templates(tmp_path) == ["returns.xlsx", "quality.xlsx"]


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_openpyxl_reads_headers_drop_downs_formats_and_colours(name):
    book = openpyxl.load_workbook(TEMPLATES / name)
    specs = template_files()[name]
    assert book.sheetnames == [s.title for s in specs] + ["设置"]
    for spec in specs:
        sheet = book[spec.title]
        assert [c.value for c in sheet[1]] == [c.header for c in spec.columns]
        assert sheet.freeze_panes == "A2"
        (table,) = sheet.tables.values()
        assert table.name == spec.table
        validations = {str(dv.sqref): dv for dv in sheet.data_validations.dataValidation}
        for index, column in enumerate(spec.columns, start=1):
            letter = get_column_letter(index)
            if column.choices is not None:
                dv = validations[f"{letter}2:{letter}1048576"]
                assert (dv.type, dv.formula1) == ("list", f"List_{column.choices.name}")
                assert (dv.errorStyle or "stop") == (
                    "stop" if column.choices.strict else "information"
                )  # OOXML default
            if column.kind is Kind.ID:
                assert sheet.column_dimensions[letter].number_format == "@", column.header
            if column.kind is Kind.DATE:
                assert sheet.column_dimensions[letter].number_format == "yyyy-mm-dd"
            fill = sheet.cell(1, index).fill.fgColor.rgb
            assert (
                fill == {Role.SERVICE: "FFDDEBF7", Role.WAREHOUSE: "FFFF8080", Role.COMPUTED: "FFD9D9D9"}[column.role]
            )
            formula = table.tableColumns[index - 1].calculatedColumnFormula
            assert (formula is not None) == column.computed
    names = book.defined_names
    for cl in lists_for(specs):
        assert names[f"List_{cl.name}"].attr_text.startswith("OFFSET('设置'!")
    for rule in RULES.all:
        assert names[rule.name].attr_text.startswith("'设置'!$B$")


@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_pandas_reads_the_lists_and_rules_on_settings(name):
    settings = pd.read_excel(TEMPLATES / name, sheet_name="设置", engine="calamine", dtype=str)
    rules = settings[settings["规则"].isin([r.title for r in RULES.all])]
    assert dict(zip(rules["规则"], rules["数值"].astype(float), strict=True)) == {r.title: r.value for r in RULES.all}
    for cl in lists_for(template_files()[name]):
        assert tuple(settings[cl.title].dropna()) == cl.values
    if RETURN_TYPE in lists_for(template_files()[name]):
        assert tuple(settings["邮费承担方"].dropna()) == RETURN_TYPE.attribute_values


@pytest.fixture(scope="module")
def templates_in_libreoffice(libreoffice):
    return libreoffice.sheets_of([TEMPLATES / name for name in TEMPLATE_NAMES])


@pytest.mark.libreoffice
@pytest.mark.parametrize("name", TEMPLATE_NAMES)
def test_libreoffice_opens_each_template_and_its_formulas_give_blanks_on_the_empty_row(templates_in_libreoffice, name):
    sheets = templates_in_libreoffice[TEMPLATES / name]
    for spec in template_files()[name]:
        header, *rows = sheets[spec.title]
        assert header == [c.header for c in spec.columns]
        for row in rows:
            assert all(value == "" for value in row), f"{spec.title}: {row}"


@pytest.mark.libreoffice
def test_libreoffice_recalculates_rather_than_trusting_cached_values(libreoffice, tmp_path):
    import xlsxwriter

    path = tmp_path / "cached.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("S").write_formula("A1", "=2+3", None, 99)
    book.close()
    assert libreoffice.sheets(path)["S"] == [["5"]]


# What the SOP says, written out here rather than taken from the declarations:
POSTAGE_PAYER = {"过敏": "客户", "客户原因": "客户", "产品质量问题": "我司", "发货问题": "我司", "快递原因": "快递"}
RETURN_ROWS = [
    ("紧致眼霜 15g", 1, "过敏"),
    ("温和卸妆水 500ml", 2, "快递原因"),
    ("紧致眼霜 15g", 3, "产品质量问题"),
    ("紧致眼霜 15g", 2, "客户原因"),
    ("氨基酸洗面奶 100g", 1, None),
    ("温和卸妆水 500ml", 5, "发货问题"),
]
PLACED = [datetime(2026, 11, 19, 23, 59), datetime(2026, 11, 20, 0, 0), datetime(2026, 2, 27, 10, 30)]


@pytest.mark.libreoffice
def test_libreoffice_computes_the_formula_columns_as_python_does(libreoffice, tmp_path):
    rows = {
        RETURNS: [
            {
                RETURNS.date: datetime(2026, 11, 20),
                RETURNS.tracking_no: f"SF{i}",
                RETURNS.product: p,
                RETURNS.quantity: q,
                RETURNS.return_type: t,
            }
            for i, (p, q, t) in enumerate(RETURN_ROWS)
        ],
        CHASE_DETAIL: [
            {CHASE_DETAIL.placed_at: placed, CHASE_DETAIL.buyer_id: "b", CHASE_DETAIL.order_no: str(i)}
            for i, placed in enumerate(PLACED)
        ],
    }
    path = tmp_path / "filled.xlsx"
    path.write_bytes(build_workbook(LEDGERS, rows))
    sheets = libreoffice.sheets(path)

    totals = defaultdict(int)
    for product, quantity, _ in RETURN_ROWS:
        totals[product] += quantity
    returns = _by_header(sheets[RETURNS.title])
    assert [r["合计"] for r in returns] == [str(totals[p]) for p, _, _ in RETURN_ROWS]
    assert [r["邮费承担方"] for r in returns] == [POSTAGE_PAYER.get(t, "") for _, _, t in RETURN_ROWS]

    closes = [datetime.fromisoformat(r["自动关闭时间"]) for r in _by_header(sheets[CHASE_DETAIL.title])]
    assert closes == [placed + timedelta(days=3) for placed in PLACED]


@pytest.mark.libreoffice
def test_a_team_that_changes_the_close_rule_on_settings_gets_new_close_times(libreoffice, tmp_path):
    path = tmp_path / "rule.xlsx"
    path.write_bytes(build_workbook((CHASE_DETAIL,), {CHASE_DETAIL: [{CHASE_DETAIL.placed_at: PLACED[0]}]}))
    book = openpyxl.load_workbook(path)
    settings = book["设置"]
    row = next(r for r in range(2, 20) if settings.cell(r, 1).value == "未付款订单自动关闭")
    settings.cell(row, 2).value = 1
    book.save(path)
    (close,) = [r["自动关闭时间"] for r in _by_header(libreoffice.sheets(path)[CHASE_DETAIL.title])]
    assert datetime.fromisoformat(close) == PLACED[0] + timedelta(days=1)


def _by_header(rows: list[list[str]]) -> list[dict[str, str]]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]
