"""Deleting whole rows of a sheet in the package, as Excel does: everything below moves up, references follow."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import PatternFill
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table

from workbook_tools.core.changes import DeleteRows
from workbook_tools.errors import OutputError
from workbook_tools.xlsx.package import apply_changes
from workbook_tools.xlsx.templates import build_generated_sheet

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


def _delete(path: Path, rows: tuple[int, ...]) -> openpyxl.Workbook:
    data = apply_changes(path.read_bytes(), [DeleteRows(sheet=SHEET, rows=rows)], build_generated_sheet)
    out = path.with_name("after.xlsx")
    out.write_bytes(data)
    return openpyxl.load_workbook(out)


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


def test_a_formula_of_another_sheet_that_would_move_refuses_the_deletion(tmp_path):
    path = _book(tmp_path / "a.xlsx", other_formula=f"={SHEET}!A9")
    with pytest.raises(OutputError, match="「汇总」A1 的公式"):
        _delete(path, (3,))
    fine = _book(tmp_path / "b.xlsx", other_formula=f"={SHEET}!A2+SUM(Ledger[数量])")
    assert _delete(fine, (3,))["汇总"]["A1"].value == f"={SHEET}!A2+SUM(Ledger[数量])"
