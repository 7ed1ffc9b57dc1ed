"""An outsider's attempts to break the archive's renaming of cells that name rows by number, and its early refusals.

Each test is a problem they found, fixed since.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
import pytest

from workbook_tools.core.archive import archive_plan
from workbook_tools.core.validate import check_workbook
from workbook_tools.spec.rowrules import ARCHIVED_MARK
from workbook_tools.spec.sheets import CALLBACKS, HANDOVER, RETURNS, SPOT_CHECKS
from workbook_tools.xlsx.reader import read_grids

from conftest import demo_workbook, edit_part, run

TODAY = date.today()  # the archive counts "closed" and "before" from the real clock, as a user runs it


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return demo_workbook(tmp_path / "team.xlsx", TODAY)


def _leaving(path: Path, spec) -> tuple[str, list[int], int]:
    """The sheet of `spec`, the rows the archive takes from it, and a row that stays below the first of them."""
    check = check_workbook(read_grids(path), TODAY)
    plan = next(p for p in archive_plan(check, TODAY, datetime.now()) if p.spec is spec)
    leaving = sorted(r.row for r in plan.rows)
    staying = max(r.row for r in check.target(spec).records if r.row not in leaving)
    assert leaving and staying > leaving[0]  # it moves up
    return plan.sheet, leaving, staying


def _row(sheet, row: int) -> tuple:
    """What a row holds, but cells naming a row by number (which the archive renumbers)."""
    return tuple(c.value for c in sheet[row] if not (isinstance(c.value, str) and "!" in c.value))


def _new_row(before: Path, after: Path, title: str, row: int) -> int:
    """Where the record that stood on `row` of `before` stands in `after`."""
    was = _row(openpyxl.load_workbook(before)[title], row)
    sheet = openpyxl.load_workbook(after)[title]
    return next(r for r in range(2, sheet.max_row + 1) if _row(sheet, r) == was)


def _header(sheet, column) -> int:
    return next(c.column for c in sheet[1] if c.value == column.header)


def _write(path: Path, title: str, cells: dict) -> int:
    """A new row at the end of `title`, its cells given by declared column; returns its number."""
    book = openpyxl.load_workbook(path)
    sheet = book[title]
    row = sheet.max_row + 1
    for column, value in cells.items():
        sheet.cell(row, _header(sheet, column)).value = value
    book.save(path)
    return row


def _archive(path: Path, *more: object):
    return run("archive", path, "--before", TODAY, "--json", *more)


def _references_missing(path: Path) -> set[int]:
    """The rows of 回访抽查表 whose 抽查的回访 names no row, as validate reports them."""
    findings = json.loads(run("validate", path, "--json").stdout)
    return {
        int(re.sub(r"\D", "", f["cell"]))
        for f in findings
        if f["code"] == "missing_reference" and f["sheet"] == SPOT_CHECKS.title
    }


def _spot_check(path: Path, named: object) -> int:
    return _write(
        path,
        SPOT_CHECKS.title,
        {SPOT_CHECKS.date: datetime.combine(TODAY, time()), SPOT_CHECKS.agent: "阿强", SPOT_CHECKS.callback: named},
    )


# 1. cells that name rows by number ------------------------------------------------------------------------------


@pytest.mark.parametrize("form", ["{sheet}！{row}", "'{sheet}'!{row}", "{sheet} ! {row}", "{sheet}! {row}"])
def test_a_spot_check_naming_its_call_as_validation_accepts_it_names_the_same_call_after_archiving(
    workbook, tmp_path, form
):
    """回访抽查表's 抽查的回访 written with a full-width ！, Excel's quotes or spaces: validate accepts each as naming
    the call (no missing_reference); after archiving, the number must follow the call up."""
    title, _, staying = _leaving(workbook, CALLBACKS)
    row = _spot_check(workbook, form.format(sheet=title, row=staying))
    assert _references_missing(workbook) == _references_missing(workbook) - {row} != set()  # accepted; one demo row not
    before = tmp_path / "before.xlsx"
    before.write_bytes(workbook.read_bytes())
    assert _archive(workbook).exit_code == 0
    moved = _new_row(before, workbook, title, staying)
    sheet = openpyxl.load_workbook(workbook)[SPOT_CHECKS.title]
    named = sheet.cell(sheet.max_row, _header(sheet, SPOT_CHECKS.callback)).value  # ours: the last, dated today
    assert re.findall(r"\d+", str(named))[-1] == str(moved), named


@pytest.mark.parametrize(
    "note", ["核对{sheet}!{row}后退款", "{sheet}!{first}/{sheet}!{row}", "见{sheet}!{row}", "「{sheet}!{row}」"]
)
def test_a_handover_note_naming_a_row_in_plain_chinese_names_the_same_row_after_archiving(workbook, tmp_path, note):
    """An agent's note in 交接处理 naming a ledger row as people write it (核对退件表!57后退款, two rows joined with
    「/」): after archiving it must still name the same parcel, as 「；退件已到：退件表!57」 does."""
    title, leaving, staying = _leaving(workbook, RETURNS)
    row = _write(
        workbook,
        HANDOVER.title,
        {HANDOVER.instruction: note.format(sheet=title, row=staying, first=leaving[0]), HANDOVER.buyer_id: "jenny王"},
    )
    before = tmp_path / "before.xlsx"
    before.write_bytes(workbook.read_bytes())
    assert _archive(workbook).exit_code == 0
    moved = _new_row(before, workbook, title, staying)
    sheet = openpyxl.load_workbook(workbook)[HANDOVER.title]
    text = sheet.cell(row, _header(sheet, HANDOVER.instruction)).value
    assert f"{title}!{moved}" in text and f"{title}!{staying}" not in text, text


def test_a_row_marked_archived_by_an_earlier_run_keeps_its_number(workbook):
    """「退件表!N（已归档）」 names a row the archive keeps under its number N; a later run that deletes rows above N
    must not change N (it names no row of the workbook any more)."""
    title, _, staying = _leaving(workbook, RETURNS)
    marked = f"{title}!{staying}{ARCHIVED_MARK}"
    row = _write(workbook, HANDOVER.title, {HANDOVER.source: marked, HANDOVER.buyer_id: "jenny王"})
    assert _archive(workbook).exit_code == 0
    sheet = openpyxl.load_workbook(workbook)[HANDOVER.title]
    assert sheet.cell(row, _header(sheet, HANDOVER.source)).value == marked


def test_a_note_naming_a_row_of_a_team_sheet_whose_name_ends_like_the_ledger_is_left_alone(workbook):
    """A team keeps last year's parcels on their own sheet 「2025 退件表」; a note naming its row 9 is not about the
    ledger 退件表 and must stay as typed (the lookbehind takes the space as a separator)."""
    title, _, staying = _leaving(workbook, RETURNS)
    book = openpyxl.load_workbook(workbook)
    book.create_sheet(f"2025 {title}")["A1"] = "去年的退件"
    book.save(workbook)
    note = f"去年同款：2025 {title}!{staying}"
    row = _write(workbook, HANDOVER.title, {HANDOVER.instruction: note, HANDOVER.buyer_id: "jenny王"})
    assert _archive(workbook).exit_code == 0
    sheet = openpyxl.load_workbook(workbook)[HANDOVER.title]
    assert sheet.cell(row, _header(sheet, HANDOVER.instruction)).value == note


def _handover_rows(path: Path) -> list[tuple]:
    """Each 交接表 row by what identifies the item and what it carries, not by the rows its 来源 names."""
    sheet = openpyxl.load_workbook(path)[HANDOVER.title]
    columns = [_header(sheet, c) for c in (HANDOVER.item_no, HANDOVER.state, HANDOVER.progress, HANDOVER.to_agent)]
    return [tuple(sheet.cell(r, c).value for c in columns) for r in range(2, sheet.max_row + 1)]


def test_the_handover_after_archiving_hands_on_the_same_items_with_their_progress(workbook, tmp_path):
    """Handover, an agent notes progress on every item, archive, handover again: the 交接表 must read as it does
    without the archive in between. The demo's open spot check names its call 回访表!11; the archive renames that
    to the call's new row, so its 事项编号 (a hash of 抽查日期, 被抽查人, 抽查的回访) changes: the archive gives its
    earlier 交接表 rows the new number in the same write, so the item is handed on with its 本班进展 (was: closed as
    已完成 and back as a new item, its progress lost). Only the number differs."""
    at = f"{TODAY} 08:00"
    assert run("handover", workbook, "--from", "小美", "--to", "阿强", "--at", at).exit_code == 0
    book = openpyxl.load_workbook(workbook)
    sheet = book[HANDOVER.title]
    progress = _header(sheet, HANDOVER.progress)
    for row in range(2, sheet.max_row + 1):
        sheet.cell(row, progress).value = f"已联系，等回复（{row}）"
    book.save(workbook)
    unarchived = tmp_path / "unarchived.xlsx"
    unarchived.write_bytes(workbook.read_bytes())
    assert _archive(workbook).exit_code == 0
    later = f"{TODAY} 16:00"
    for path in (workbook, unarchived):
        assert run("handover", path, "--from", "阿强", "--to", "莉莉", "--at", later).exit_code == 0
    archived, plain = _handover_rows(workbook), _handover_rows(unarchived)
    assert [row[1:] for row in archived] == [row[1:] for row in plain]
    numbers = {a: p for (a, *_), (p, *_) in zip(archived, plain, strict=True)}  # one number for one number
    assert len(set(numbers.values())) == len(numbers)


def test_a_spot_check_naming_no_call_at_all_is_reported_even_when_it_ends_with_the_archived_mark(workbook):
    """The check accepts 「回访表!12（已归档）」 without the database; it must still want a sheet and a row number,
    so that 「听过了（已归档）」 or 「（已归档）」 alone is reported as naming no call."""
    row = _spot_check(workbook, f"听过了{ARCHIVED_MARK}")
    assert row in _references_missing(workbook)


def test_a_source_written_as_a_link_formula_keeps_its_formula(workbook):
    """Agents make 来源 a link that jumps to the row (=HYPERLINK("#退件表!A14","退件表!14")); the archive reads its
    shown text, renames it and writes the text over the formula: the link is gone ("never drop a formula")."""
    title, _, staying = _leaving(workbook, RETURNS)
    row = _write(workbook, HANDOVER.title, {HANDOVER.buyer_id: "jenny王"})
    book = openpyxl.load_workbook(workbook)
    cell = book[HANDOVER.title].cell(row, _header(book[HANDOVER.title], HANDOVER.source))
    cell.value = f'=HYPERLINK("#{title}!A{staying}","{title}!{staying}")'
    book.save(workbook)
    assert book.sheetnames[0] == HANDOVER.title  # its part is sheet1.xml
    shown = f'<c r="{cell.coordinate}" t="str"><f>\\1</f><v>{title}!{staying}</v></c>'  # as Excel saves it
    edit_part(
        workbook,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rf'<c r="{cell.coordinate}"[^>]*><f>(.*?)</f>.*?</c>', shown, xml.decode()).encode(),
    )
    assert _archive(workbook).exit_code == 0
    kept = openpyxl.load_workbook(workbook)[HANDOVER.title][cell.coordinate].value
    assert str(kept).startswith("=HYPERLINK("), kept


def test_a_missing_call_is_explained_with_the_sheet_as_the_team_named_it(workbook):
    """A team's 回访表 is named 「回访登记表」 (an alias). A spot check written as the hint says (回访表!5) names no
    row, and the message tells the agent to write 「回访表!12」 — which names no row either; it must name 回访登记表."""
    alias = CALLBACKS.aliases[0]
    book = openpyxl.load_workbook(workbook)
    book[CALLBACKS.title].title = alias
    book.save(workbook)
    row = _spot_check(workbook, f"{CALLBACKS.title}!5")
    findings = json.loads(run("validate", workbook, "--json").stdout)
    message = next(f["message"] for f in findings if f["code"] == "missing_reference" and f["cell"].endswith(str(row)))
    assert f"{alias}!" in message, message
