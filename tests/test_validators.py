"""The validators every written file goes through, shown to catch what they are for; templates and add-in pass.

The rules Excel enforces beyond the schema (`workbook_tools.xlsx.checks`) each
get a small workbook built here and broken in exactly one way; the writer
refuses to put such a file in place of a workbook.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from workbook_tools.addin.build import build_package
from workbook_tools.xlsx import package as xlsx_package
from workbook_tools.xlsx.checks import RULES, problems
from workbook_tools.xlsx.writer import write_new_file

from conftest import ROOT, add_calc_chain, edit_part, run, team_workbook
from validators import Recorder, findings, validate_file

TEMPLATES = sorted((ROOT / "templates_xlsx").glob("*.xlsx"))


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_every_template_passes_both_validators(template):
    assert validate_file(template) == ()


def test_the_add_in_passes_both_validators_ribbon_included(tmp_path):
    addin = tmp_path / "WorkbookTools.xlam"
    addin.write_bytes(build_package())
    assert validate_file(addin) == ()
    edit_part(addin, "customUI/customUI14.xml", lambda xml: xml.replace(b"<tab ", b"<bogus/><tab ", 1))
    assert [line for line in validate_file(addin) if "customUI14.xml" in line and "bogus" in line]


def ledger(path: Path) -> Path:
    """A small workbook with what the rules look at: a ledger table with a roster table under it and a merged
    note beside it, formulas, styles, shared strings."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("台账")
    bold = book.add_format({"bold": True})
    columns = [{"header": "日期"}, {"header": "数量"}, {"header": "合计"}]
    sheet.add_table("A1:C3", {"name": "台账表", "columns": columns})
    sheet.write_row(1, 0, ["11-21", 2])
    sheet.write_formula("C2", "=B2*2", bold, 4)
    sheet.write_row(2, 0, ["11-22", 3])
    sheet.write_formula("C3", "=B3*2", None, 6)
    sheet.add_table("A5:B6", {"name": "名单", "columns": [{"header": "姓名"}, {"header": "班次"}]})
    sheet.merge_range("E1:F1", "备注：以上为示例", bold)
    book.close()
    return path


def _shared_formula(master: str | None):  # type: ignore[no-untyped-def]
    """C3 made a dependent of a shared formula whose master is C2 covering `master`, or that has no master."""

    def edit(xml: bytes) -> bytes:
        head = f'<f t="shared" ref="{master}" si="0">B2*2</f>'.encode() if master else b"<f>B2*2</f>"
        xml = xml.replace(b"<f>B2*2</f>", head)
        return xml.replace(b"<f>B3*2</f>", b'<f t="shared" si="0"/>')

    return edit


def _swap(old: str, new: str):  # type: ignore[no-untyped-def]
    def edit(xml: bytes) -> bytes:
        assert old.encode() in xml, old
        return xml.replace(old.encode(), new.encode(), 1)

    return edit


SHEET, TABLE1, TABLE2 = "xl/worksheets/sheet1.xml", "xl/tables/table1.xml", "xl/tables/table2.xml"
WORKBOOK_RELS = "xl/_rels/workbook.xml.rels"
BROKEN = {
    "table_overlap": [(TABLE1, _swap('ref="A1:C3"', 'ref="A1:C5"'))],  # the ledger grown over the roster
    "table_overlap (merged)": [(SHEET, _swap('<mergeCell ref="E1:F1"/>', '<mergeCell ref="C1:D1"/>'))],
    "table_header": [(TABLE1, _swap('name="数量"', 'name="件数"'))],
    "table_header (count)": [(TABLE2, _swap('ref="A5:B6"', 'ref="A5:C6"'))],
    "table_identity": [(TABLE2, _swap('name="名单" displayName="名单"', 'name="台账表" displayName="台账表"'))],
    "shared_formula": [(SHEET, _shared_formula(master=None))],
    "shared_formula (outside its master's range)": [(SHEET, _shared_formula(master="C2:C2"))],
    "style_index": [(SHEET, _swap('<c r="C2" s="1"', '<c r="C2" s="99"'))],
    "relationship_target": [
        ("xl/_rels/workbook.xml.rels", _swap('Target="theme/theme1.xml"', 'Target="theme/theme2.xml"'))
    ],
    "content_type": [("[Content_Types].xml", _swap('<Default Extension="rels"', '<Default Extension="relz"'))],
}


def test_the_unbroken_ledger_has_no_problems_and_a_proper_shared_formula_and_calc_chain_pass(tmp_path):
    path = ledger(tmp_path / "ledger.xlsx")
    assert findings(path.read_bytes(), ".xlsx") == ()
    edit_part(path, SHEET, _shared_formula(master="C2:C3"))
    add_calc_chain(path, '<c r="C2" i="1"/><c r="C3"/>')
    assert findings(path.read_bytes(), ".xlsx") == ()


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_rule_excel_enforces_catches_its_break(tmp_path, case):
    path = ledger(tmp_path / "ledger.xlsx")
    for part, edit in BROKEN[case]:
        edit_part(path, part, edit)
    assert {p.rule for p in problems(path.read_bytes())} == {case.split()[0]}


def test_calc_chain_entries_must_point_at_formulas(tmp_path):
    path = ledger(tmp_path / "ledger.xlsx")
    add_calc_chain(path, '<c r="C2" i="1"/><c r="B2"/>')  # B2 holds a number; the entry inherits sheet 1
    (problem,) = problems(path.read_bytes())
    assert (problem.rule, problem.where, problem.detail) == ("calc_chain", "台账", "row 2 col 2 has no formula")


def test_every_rule_has_words_for_the_user():
    assert {case.split()[0] for case in BROKEN} | {"calc_chain"} == set(RULES)


def test_the_writer_refuses_a_result_excel_would_have_to_repair(tmp_path, monkeypatch):
    """A writer bug that leaves a style index past the end of the list is caught before the workbook is replaced."""
    path = team_workbook(tmp_path / "team.xlsx")
    before = path.read_bytes()
    apply = xlsx_package.apply_changes
    handover_sheet = "xl/worksheets/sheet3.xml"
    monkeypatch.setattr(xlsx_package, "apply_changes", lambda *args: _bad_style(apply(*args), handover_sheet))
    result = run("handover", path, "--from", "小美", "--to", "阿强")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "Excel 提示修复" in result.stderr and "交接表" in result.stderr and RULES["style_index"] in result.stderr
    assert path.read_bytes() == before


def _bad_style(data: bytes, part: str) -> bytes:
    """The package with the first styled cell of `part` given a style index past the end of the list."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                content = re.sub(rb' s="\d+"', b' s="9999"', content, count=1)
            target.writestr(info.filename, content)
    return out.getvalue()


@pytest.mark.not_validated("the workbook comes in with a broken rule of its own, which the command must not block")
def test_a_problem_the_workbook_already_had_does_not_block_a_command(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    edit_part(path, "xl/worksheets/sheet3.xml", _swap('<c r="A1" t="s">', '<c r="A1" s="90" t="s">'))
    assert [p.rule for p in problems(path.read_bytes())] == ["style_index"]
    result = run("handover", path, "--from", "小美", "--to", "阿强")
    assert result.exit_code == 0, result.output


@pytest.mark.not_validated("it writes broken files on purpose, to show that the recorder catches them")
def test_the_recorder_catches_a_bad_file_our_writer_put_in_place(tmp_path):
    good = ledger(tmp_path / "good.xlsx").read_bytes()
    bad = edit_part(ledger(tmp_path / "bad.xlsx"), TABLE1, _swap('name="数量"', 'name="件数"'))
    schema = edit_part(ledger(tmp_path / "schema.xlsx"), SHEET, _swap("<sheetData>", "<bogus/><sheetData>"))
    with Recorder() as recorder:
        for name, data in (("a.xlsx", good), ("b.xlsx", bad.read_bytes()), ("c.xlsx", schema.read_bytes())):
            write_new_file(tmp_path / "out" / name, data)
    failures = recorder.failures()
    assert [f.split(":")[0] for f in failures if "excel rule" in f] == ["b.xlsx"]
    assert any(f.startswith("c.xlsx: openxml-audit") and "bogus" in f for f in failures)


def test_a_schema_error_is_found_again_in_a_part_seen_clean_before(tmp_path):
    """Parts are schema-checked once per distinct content: a changed part is a new content."""
    clean = ledger(tmp_path / "clean.xlsx")
    assert validate_file(clean) == ()
    broken = edit_part(ledger(tmp_path / "broken.xlsx"), SHEET, _swap("<sheetData>", "<bogus/><sheetData>"))
    assert any("bogus" in line for line in validate_file(broken))


def test_a_ledger_that_would_grow_over_the_roster_beneath_it_is_not_written(tmp_path):
    """A team keeps a small roster table a few rows under 交接表's table; a handover that appends more rows than
    fit must not grow the table over it (issue 12 part B decides where rows go; here, whatever it decides, no
    file Excel would repair replaces the workbook)."""
    path = tmp_path / "team.xlsx"
    book = xlsxwriter.Workbook(path)
    returns = book.add_worksheet("退件表")
    returns.write_row(0, 0, ["日期", "物流单号", "订单编码", "退回类型", "产品名称", "数量", "处理结果"])
    for n in range(6):
        returns.write_row(n + 1, 0, ["2026-11-20", f"SF10{n}", f"SO10{n}", "过敏", "紧致眼霜 15g", 1, None])
    handover = book.add_worksheet("交接表")
    header = ["买家ID", "订单号", "交接处理", "交接人", "承接人", "时间", "状态"]
    handover.add_table("A1:G2", {"name": "交接", "columns": [{"header": h} for h in header]})
    handover.add_table("A4:B5", {"name": "名单", "columns": [{"header": "姓名"}, {"header": "班次"}]})
    handover.write_row(4, 0, ["小美", "早班"])
    book.close()
    before = path.read_bytes()
    result = run("handover", path, "--from", "小美", "--to", "阿强", "--at", "2026-11-22 18:00")
    if result.exit_code == 0:  # rows went somewhere that fits: the roster is intact and the file is sound
        assert problems(path.read_bytes()) == []
        roster = openpyxl.load_workbook(path)["交接表"]
        assert [roster["A5"].value, roster["B5"].value] == ["小美", "早班"]
    else:
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
        assert path.read_bytes() == before


def test_cells_without_their_reference_are_placed_after_the_cell_before(tmp_path):
    """The format lets a cell leave out `r` (it follows the cell before): a formula found there, and a header cell,
    are where Excel puts them."""
    path = ledger(tmp_path / "ledger.xlsx")
    edit_part(path, SHEET, _swap('<c r="B3"><v>3</v></c><c r="C3">', "<c><v>3</v></c><c>"))
    add_calc_chain(path, '<c r="C2" i="1"/><c r="C3"/>')
    assert problems(path.read_bytes()) == []
    edit_part(path, SHEET, _swap('<c r="C1" ', "<c "))  # the ledger's third header cell
    assert problems(path.read_bytes()) == []
    add_calc_chain(path, '<c r="C2" i="1"/><c r="D3"/>')
    assert [(p.rule, p.detail) for p in problems(path.read_bytes())] == [("calc_chain", "row 3 col 4 has no formula")]
