"""Issue 16 as an outsider tries it: the archive and the long view with layouts and inputs the team has not seen.

Each test shows one problem found in review and is an expected failure until it is fixed (strict: a fix turns it
red, so the marker is removed with the fix). Workbooks are built here, written and read back through the CLI; the
tests that take `archive_db` run on SQLite and on the session's PostgreSQL.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from conftest import demo_workbook, run, write_xlsx

TODAY = date.today()  # archive counts "closed" and "before" from the real clock, as a user runs it
OLD = TODAY - timedelta(days=40)  # closed rows dated here leave with any --before below
RETURNS = ["日期", "物流单号", "承运商", "ID号", "订单编码", "退回类型", "产品名称", "数量", "处理结果"]
QUALITY = ["日期", "登记人", "客户ID", "订单编码", "产品名称", "问题类型", "快递损失费用", "状态", "承运商"]


def _db(db: str | None) -> list[str]:
    return ["--db", db] if db else []


def _return(day: date, n: int, product: str = "眼霜", quantity: Any = 1) -> list[Any]:
    """One settled 退件表 row (it may leave once its day is before --before)."""
    return [day.isoformat(), f"SF{n}", "顺丰", f"b{n}", f"SO{n}", "破损", product, quantity, "已退款"]


def _returns_book(path: Path, *rows: list[Any]) -> Path:
    return write_xlsx(path, {"退件表": [RETURNS, *rows]})


def _archive(path: Path, before: date, db: str | None = None) -> Any:
    return run("archive", path, "--before", before.isoformat(), "--json", *_db(db))


def _tab(path: Path) -> dict[str, Any]:
    """The generated report tab's cells, but the line that says when it was made."""
    book = openpyxl.load_workbook(path)
    sheet = next(book[name] for name in ("月报", "周报", "日汇总") if name in book.sheetnames)
    return {c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.value is not None and c.row != 2}


def _monthly(path: Path, day: date, db: str | None, out: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    args = ["report", path, "--period", "month", "--date", day, "--at", f"{TODAY} 18:00", "--json"]
    result = run(*args, "--out", out, "--force", *_db(db))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), _tab(out)


def test_a_saved_as_copy_archived_too_is_not_counted_in_the_original(tmp_path, archive_db):
    original = _returns_book(tmp_path / "team.xlsx", _return(OLD, 1), _return(TODAY - timedelta(days=10), 2))
    before = _monthly(original, TODAY - timedelta(days=10), archive_db, tmp_path / "r.xlsx")
    assert _archive(original, OLD + timedelta(days=1), archive_db).exit_code == 0
    copy = tmp_path / "team - 副本.xlsx"
    shutil.copy(original, copy)  # Save As: the same file under another name, archive properties and all
    for book in (copy, original):
        result = _archive(book, TODAY - timedelta(days=5), archive_db)
        assert result.exit_code == 0 and json.loads(result.stdout)["archived"] == 1, result.output
    for book in (original, copy):
        assert _monthly(book, TODAY - timedelta(days=10), archive_db, tmp_path / "r.xlsx") == before, book.name


def test_a_workbook_restored_from_its_backup_and_archived_again_counts_each_row_once(tmp_path, archive_db):
    path = _returns_book(tmp_path / "team.xlsx", _return(OLD, 1), _return(TODAY - timedelta(days=10), 2))
    before = _monthly(path, TODAY - timedelta(days=10), archive_db, tmp_path / "r.xlsx")
    assert _archive(path, OLD + timedelta(days=1), archive_db).exit_code == 0
    assert _archive(path, TODAY - timedelta(days=5), archive_db).exit_code == 0
    backup = max((tmp_path / "workbook-tools-backups").glob("team-*"))  # the workbook as it was before the second run
    shutil.copy(backup, path)
    assert _monthly(path, TODAY - timedelta(days=10), archive_db, tmp_path / "r.xlsx") == before
    result = _archive(path, TODAY - timedelta(days=5), archive_db)
    assert result.exit_code == 0, result.output
    assert _monthly(path, TODAY - timedelta(days=10), archive_db, tmp_path / "r.xlsx") == before


def test_an_in_memory_database_is_refused_and_no_row_is_lost(tmp_path):
    path = _returns_book(tmp_path / "team.xlsx", _return(OLD, 1))
    data = path.read_bytes()
    result = _archive(path, TODAY, "sqlite:///:memory:")
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert path.read_bytes() == data


def test_a_sqlite_address_without_a_file_is_one_sentence(tmp_path):
    path = _returns_book(tmp_path / "team.xlsx", _return(OLD, 1))
    data = path.read_bytes()
    result = _archive(path, TODAY, "sqlite://")
    assert result.exit_code == 2, (result.exit_code, repr(result.exception))
    assert "sqlite://" in result.output and path.read_bytes() == data


def test_a_count_too_large_for_the_database_is_named_not_a_crash(tmp_path, archive_db):
    path = _returns_book(tmp_path / "team.xlsx", _return(OLD, 1), _return(OLD, 2, quantity="99999999999999999999"))
    data = path.read_bytes()
    result = _archive(path, TODAY, archive_db)
    assert result.exit_code in (0, 2), (result.exit_code, repr(result.exception))
    if result.exit_code == 2:  # refused: it names the cell, and nothing changed
        assert "连不上" not in result.output and "H3" in result.output, result.output
        assert path.read_bytes() == data


def test_money_that_rounds_to_minus_zero_does_not_block_the_archive(tmp_path, archive_db):
    row = [OLD.isoformat(), "小美", "b1", "SO1", "眼霜", "破损", "-0.001", "已结案", "顺丰"]
    path = write_xlsx(tmp_path / "team.xlsx", {"质量问题表": [QUALITY, row]})
    result = _archive(path, TODAY, archive_db)
    assert result.exit_code == 0 and json.loads(result.stdout)["archived"] == 1, result.output


def test_a_1904_workbooks_formula_column_is_archived_as_the_workbook_shows_it(tmp_path):
    path = tmp_path / "mac.xlsx"
    book = xlsxwriter.Workbook(path, {"date_1904": True})
    sheet = book.add_worksheet("催款明细表")
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    header = ["拍下时间", "买家ID", "订单编号", "订单金额", "催款时间", "催款人", "催款方式", "接听情况", "催款结果"]
    sheet.write_row(0, 0, [*header, "自动关闭时间"])
    placed = datetime.combine(OLD, datetime.min.time()).replace(hour=10)
    sheet.write_datetime(1, 0, placed, moment)
    sheet.write_row(1, 1, ["b1", "SO1", 100])
    sheet.write_datetime(1, 4, placed + timedelta(hours=2), moment)
    sheet.write_row(1, 5, ["小美", "电话", "本人接听", "已付款"])
    closes = placed + timedelta(days=3)
    serial = (closes - datetime(1904, 1, 1)).total_seconds() / 86400
    sheet.write_formula(1, 9, "=A2+3", None, serial)  # a number as 1904 Excel saved it, in the General format
    book.close()
    result = _archive(path, TODAY)
    assert result.exit_code == 0 and json.loads(result.stdout)["archived"] == 1, result.output
    with sqlite3.connect(tmp_path / "workbook-tools.archive.sqlite") as connection:
        (stored,) = connection.execute("select closes_at from archive_chase_detail").fetchone()
    assert stored.startswith(closes.strftime("%Y-%m-%d %H:%M")), stored


def test_a_report_that_cannot_reach_the_archive_says_the_report_was_not_made(tmp_path):
    path = _returns_book(tmp_path / "team.xlsx", _return(OLD, 1))
    assert _archive(path, TODAY).exit_code == 0
    data = path.read_bytes()
    for command in (["report", "--period", "month"], ["daily-totals"]):
        result = run(command[0], path, *command[1:], "--db", "postgresql://u:pw@127.0.0.1:1/x")
        assert result.exit_code == 2 and "连不上归档数据库" in result.output, result.output
        assert "没有归档" not in result.output, result.output
    assert path.read_bytes() == data


def test_a_relative_sqlite_path_finds_the_same_archive_from_another_folder(tmp_path, monkeypatch):
    folder = tmp_path / "shop"
    folder.mkdir()
    path = _returns_book(folder / "team.xlsx", _return(OLD, 1))
    before = _monthly(path, OLD, None, tmp_path / "r.xlsx")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert _archive(path, TODAY, "sqlite:///archive.sqlite").exit_code == 0
    monkeypatch.chdir(folder)
    assert _monthly(path, OLD, "sqlite:///archive.sqlite", tmp_path / "r.xlsx") == before


@pytest.mark.xlwings_remote
def test_the_button_with_a_sqlite_address_without_a_file_says_what_is_wrong(tmp_path, monkeypatch):
    from workbook_tools import excel

    import xlwings_remote

    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    assert _archive(path, TODAY).exit_code == 0
    data = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBOOK_TOOLS_DB", "sqlite://")
    message = excel.daily_totals(xlwings_remote.remote_book(path), day=TODAY.isoformat(), at=f"{TODAY} 18:00")
    assert "WORKBOOK_TOOLS_DB" in message and "TypeError" not in message, message
    assert path.read_bytes() == data


def test_a_character_postgresql_cannot_hold_is_named_not_a_lost_connection(tmp_path, postgres_url):
    path = tmp_path / "export.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("退件表")
    sheet.write_row(0, 0, RETURNS)
    sheet.write_row(1, 0, _return(OLD, 1, product="眼霜\x00"))
    book.close()
    data = path.read_bytes()
    result = _archive(path, TODAY, postgres_url)
    assert result.exit_code in (0, 2), (result.exit_code, repr(result.exception))
    if result.exit_code == 2:
        assert "连不上" not in result.output and "G2" in result.output, result.output
        assert path.read_bytes() == data


@pytest.mark.libreoffice
def test_a_kept_rows_formulas_still_show_their_values_after_recalculation(tmp_path, libreoffice):
    """A row that stays whose formula points at a closed row (「=A2」: the same day as above) keeps that row, and
    the row that one points at (a chain); a closed row nothing points at still leaves."""
    path = tmp_path / "team.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("退件表")
    sheet.write_row(0, 0, RETURNS)
    sheet.write_row(1, 0, _return(OLD, 1))
    sheet.write_row(2, 0, _return(OLD, 2))  # closed too, but the row below repeats its day and product from it
    sheet.write_formula(2, 0, "=A2", None, OLD.isoformat())  # 同上: typed once, repeated by a formula
    sheet.write_row(3, 0, [*_return(OLD, 3)[:-1], "待处理"])  # still open: it stays
    sheet.write_formula(3, 0, "=A3", None, OLD.isoformat())
    sheet.write_formula(2, 6, "=G2", None, "眼霜")
    sheet.write_formula(3, 6, "=G3", None, "眼霜")
    sheet.write_row(4, 0, _return(OLD, 4))  # nothing points at it: it leaves
    book.close()
    result = _archive(path, TODAY)
    assert result.exit_code == 0 and json.loads(result.stdout)["archived"] == 1, result.output
    (done,) = json.loads(result.stdout)["sheets"]
    assert (done["kept"], done["referenced"]) == (2, 2), done
    rows = libreoffice.sheets(path)["退件表"]
    assert [(row[0], row[1], row[6]) for row in rows[1:]] == [
        (OLD.isoformat(), "SF1", "眼霜"),
        (OLD.isoformat(), "SF2", "眼霜"),
        (OLD.isoformat(), "SF3", "眼霜"),
    ], rows
    assert openpyxl.load_workbook(path)["退件表"]["A4"].value == "=A3"


@pytest.mark.libreoffice
def test_a_summary_sheet_summing_the_ledger_does_not_block_the_archive(tmp_path, libreoffice):
    """A range from another sheet loses the rows that leave, as Excel shrinks it when rows are deleted."""
    path = tmp_path / "team.xlsx"
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("退件表")
    sheet.write_row(0, 0, RETURNS)
    sheet.write_row(1, 0, _return(OLD, 1, quantity=1))
    sheet.write_row(2, 0, _return(TODAY - timedelta(days=1), 2, quantity=7))  # recent: it stays
    book.add_worksheet("汇总").write_formula("A1", "=SUM(退件表!H2:H1000)", None, 8)
    book.close()
    result = _archive(path, TODAY - timedelta(days=5))
    assert result.exit_code == 0 and json.loads(result.stdout)["archived"] == 1, result.output
    assert libreoffice.sheets(path)["汇总"][0][0] == "7"  # the rows still in the workbook
    assert openpyxl.load_workbook(path)["汇总"]["A1"].value == "=SUM(退件表!H2:H999)"


def test_archiving_into_a_second_database_never_leaves_a_report_silently_short(tmp_path, archive_db):
    path = _returns_book(tmp_path / "team.xlsx", _return(OLD, 1), _return(TODAY - timedelta(days=10), 2))
    day = TODAY - timedelta(days=10)
    before = _monthly(path, day, None, tmp_path / "r.xlsx")
    assert _archive(path, OLD + timedelta(days=1)).exit_code == 0  # into the SQLite file beside the workbook
    second = archive_db or f"sqlite:///{tmp_path / 'group.sqlite'}"
    data = path.read_bytes()
    moved = _archive(path, TODAY - timedelta(days=5), second)
    assert moved.exit_code in (0, 2) and (moved.exit_code == 0 or path.read_bytes() == data), moved.output
    for db in (None, second):  # a report is right, or it says why it cannot be
        args = ["report", path, "--period", "month", "--date", day, "--at", f"{TODAY} 18:00", "--json"]
        result = run(*args, "--out", tmp_path / "r.xlsx", "--force", *_db(db))
        assert result.exit_code == 2 or (json.loads(result.stdout), _tab(tmp_path / "r.xlsx")) == before, db


def test_a_folder_with_a_question_mark_keeps_its_archive_beside_the_workbook(tmp_path):
    folder = tmp_path / "3店?售后"
    folder.mkdir()
    path = _returns_book(folder / "team.xlsx", _return(OLD, 1))
    before = _monthly(path, OLD, None, tmp_path / "r.xlsx")
    result = _archive(path, TODAY)
    assert result.exit_code == 0 and json.loads(result.stdout)["archived"] == 1, result.output
    assert (folder / "workbook-tools.archive.sqlite").exists(), sorted(p.name for p in tmp_path.iterdir())
    assert _monthly(path, OLD, None, tmp_path / "r.xlsx") == before
