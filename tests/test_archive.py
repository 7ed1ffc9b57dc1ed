"""The archive: closed old rows move to a database (SQLite beside the workbook, or PostgreSQL), none lost, none twice.

Every test runs on both databases; PostgreSQL is a real throwaway cluster
(tests/postgres.py), skipped on a machine without it unless
WORKBOOK_TOOLS_REQUIRE_POSTGRES=1 (set by .ci/run).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from openpyxl.packaging.custom import IntProperty, StringProperty
from sqlalchemy import create_engine, func, select

from workbook_tools.core.archive import (
    ARCHIVED,
    DATABASE_PROPERTY,
    ID_PROPERTY,
    RUN_PROPERTY,
    ArchiveMark,
    archive_plan,
    canonical,
)
from workbook_tools.core.changes import CellValue, EditSheet
from workbook_tools.core.crosscheck import cross_findings
from workbook_tools.core.validate import check_workbook
from workbook_tools.spec.lists import RETURN_RESULT
from workbook_tools.spec.rowrules import ARCHIVED_MARK
from workbook_tools.spec.sheets import CALLBACKS, HANDOVER, RETURNS, SPOT_CHECKS
from workbook_tools.store import archive as store
from workbook_tools.store.schema import RUNS, TABLES
from workbook_tools.xlsx.locking import lock_path
from workbook_tools.xlsx.opc import Package
from workbook_tools.xlsx.package import apply_changes
from workbook_tools.xlsx.properties import custom_properties
from workbook_tools.xlsx.reader import read_grids
from workbook_tools.xlsx.templates import build_generated_sheet

from conftest import demo_workbook, opened_in_excel_after_storing, run

TESTS = Path(__file__).parent
TODAY = date.today()  # archive counts "closed" and "before" from the real clock, as a user runs it


def _engine(path: Path, db: str | None):
    return create_engine(store.database(path, db).url)


def _mark(path: Path) -> ArchiveMark | None:
    return ArchiveMark.of(custom_properties(Package(path.read_bytes()), (ID_PROPERTY, RUN_PROPERTY)))


def _archived(path: Path, db: str | None, identity: str | None = None) -> dict[str, list[dict]]:
    """What the archive holds for this workbook (by the id it carries, or `identity`), by sheet key: each row as
    a dict."""
    mark = _mark(path)
    identity = identity or (mark.workbook if mark else None)
    engine = _engine(path, db)
    held = {}
    with engine.connect() as connection:
        for spec, table in TABLES.items():
            if engine.dialect.has_table(connection, table.name):
                rows = connection.execute(select(table).where(table.c.source_workbook == identity))
                held[spec.key] = [dict(row._mapping) for row in rows]
    engine.dispose()
    return held


def _identities(path: Path, db: str | None) -> set[str]:
    """Every workbook id the archive's runs name."""
    engine = _engine(path, db)
    with engine.connect() as connection:
        found = set(connection.execute(select(RUNS.c.source_workbook)).scalars())
    engine.dispose()
    return found


def _compared(spec) -> list:
    """The columns a row is compared by before and after archiving: its typed ones, but those naming another row by
    its number (回访抽查表's 抽查的回访), which the archive renumbers as rows leave."""
    naming = {r.column for r in spec.references} | set(spec.names_rows)
    return [c for c in spec.columns if not c.computed and c not in naming]


def _ledger(path: Path) -> dict[str, list[tuple]]:
    """Each archived ledger's rows as the core reads them (declared values only), by sheet key."""
    check = check_workbook(read_grids(path), TODAY)
    return {
        spec.key: [tuple(canonical(r[c]) for c in _compared(spec)) for t in check.of(spec) for r in t.records]
        for spec in ARCHIVED
    }


def _files(path: Path) -> list[str]:
    """The files beside a workbook, but our lock (which stays, empty, like every command's)."""
    return sorted(p.name for p in path.parent.iterdir() if p != lock_path(path))


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    return demo_workbook(tmp_path / "demo-team.xlsx", TODAY)


def _archive(path: Path, db: str | None, *more: str):
    return run("archive", path, "--before", TODAY.isoformat(), *(["--db", db] if db else []), "--json", *more)


def test_closed_old_rows_move_to_the_database_and_the_rest_stay(workbook, archive_db):
    before = _ledger(workbook)
    result = _archive(workbook, archive_db)
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    after = _ledger(workbook)
    held = _archived(workbook, archive_db)
    assert summary["archived"] == sum(len(rows) for rows in held.values()) > 0
    for spec in ARCHIVED:
        rows = held.get(spec.key, [])
        moved = [tuple(canonical(row[c.key]) for c in _compared(spec)) for row in rows]
        # every row is in exactly one place: the workbook or the archive
        assert Counter(after[spec.key]) + Counter(moved) == Counter(before[spec.key]), spec.title
        for row in rows:  # what left was closed and old
            day = row[spec.archive.by.key]
            assert (day.date() if isinstance(day, datetime) else day) < TODAY
            assert row["source_name"] == workbook.name and row["source_sheet"] == spec.title
    returns = held[RETURNS.key]
    assert returns and all(row[RETURNS.result.key] not in (None, RETURN_RESULT.PENDING) for row in returns)
    assert (workbook.with_name("workbook-tools.archive.sqlite").exists()) == (archive_db is None)


def test_the_ledger_keeps_its_formulas_validations_and_table(workbook, archive_db):
    before = openpyxl.load_workbook(workbook)
    rows_before = before[RETURNS.title].max_row
    table_before = before[RETURNS.title].tables[RETURNS.table].ref
    result = _archive(workbook, archive_db)
    assert result.exit_code == 0, result.output
    moved = next(s["archived"] for s in json.loads(result.stdout)["sheets"] if s["sheet"] == RETURNS.title)
    book = openpyxl.load_workbook(workbook)
    sheet = book[RETURNS.title]
    ref = sheet.tables[RETURNS.table].ref
    assert int(ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) == (
        int(table_before.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) - moved
    )
    assert sheet.max_row <= rows_before - moved
    header = [c.value for c in sheet[1]]
    total = header.index(RETURNS.total.header) + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, 2).value:
            assert str(sheet.cell(row, total).value).startswith("=IF("), row
    for validation in sheet.data_validations.dataValidation:
        assert str(validation.sqref)
    assert before.sheetnames == book.sheetnames
    for name in before.sheetnames:
        if name not in {s.title for s in ARCHIVED}:
            assert [[c.value for c in r] for r in before[name].iter_rows()] == [
                [c.value for c in r] for r in book[name].iter_rows()
            ], name


def test_daily_figures_are_the_same_before_and_after_archiving(workbook, archive_db, tmp_path):
    def figures(day: date) -> dict:
        args = [
            "daily-totals",
            workbook,
            "--date",
            day,
            "--at",
            f"{TODAY} 18:00",
            "--json",
            "--out",
            tmp_path / "d.xlsx",
        ]
        result = run(*args, "--force", *(["--db", archive_db] if archive_db else []))
        assert result.exit_code == 0, result.output
        found = json.loads(result.stdout)
        found["excluded_rows"] = len(found["excluded_rows"])  # rows with errors stay, but move up
        return found

    days = [TODAY - timedelta(days=n) for n in range(8)]
    before = [figures(day) for day in days]
    assert _archive(workbook, archive_db).exit_code == 0
    held = _archived(workbook, archive_db)
    assert sum(len(rows) for rows in held.values()) > 0
    assert [figures(day) for day in days] == before
    # and the figures did need the archive: rows it holds fall in the days compared
    window = TODAY - timedelta(days=len(days) + 6)
    assert any(
        window <= (day.date() if isinstance(day := row[spec.archive.by.key], datetime) else day)
        for spec in ARCHIVED
        for row in held.get(spec.key, [])
    )
    # an archive that does not know the workbook is refused, not read as "nothing archived"
    other = tmp_path / "elsewhere.sqlite"
    for db in (f"sqlite:///{other}", f"sqlite:///{store.default_database(tmp_path / 'sub' / 'x.xlsx')}"):
        if db.endswith("workbook-tools.archive.sqlite"):
            (tmp_path / "sub").mkdir()
            create_engine(db).connect().close()
        args = ["daily-totals", workbook, "--json", "--out", tmp_path / "d.xlsx", "--force", "--db", db]
        refused = run(*args)
        assert refused.exit_code == 2 and "里没有它的归档" in refused.output, refused.output


def test_without_db_the_environment_names_the_archive_for_the_cli_and_the_buttons(
    workbook, archive_db, tmp_path, monkeypatch
):
    """WORKBOOK_TOOLS_DB is where commands without --db (and the buttons, which have no options) find the archive."""
    given = archive_db or f"sqlite:///{tmp_path / 'group.sqlite'}"
    assert _archive(workbook, given).exit_code == 0
    args = ["daily-totals", workbook, "--at", f"{TODAY} 18:00", "--json", "--out", tmp_path / "d.xlsx", "--force"]
    with_db = run(*args, "--db", given)
    assert with_db.exit_code == 0, with_db.output
    alone = run(*args)  # the SQLite file beside the workbook does not hold its rows
    assert alone.exit_code == 2 and "WORKBOOK_TOOLS_DB" in alone.output, alone.output
    monkeypatch.setenv("WORKBOOK_TOOLS_DB", given)
    from_environment = run(*args)
    assert from_environment.exit_code == 0 and json.loads(from_environment.stdout) == json.loads(with_db.stdout)
    monkeypatch.setenv("WORKBOOK_TOOLS_DB", "postgresql://someone:secret@")
    wrong = run(*args)
    assert wrong.exit_code == 2 and "环境变量 WORKBOOK_TOOLS_DB" in wrong.output and "secret" not in wrong.output


def test_a_second_run_changes_nothing(workbook, archive_db):
    assert _archive(workbook, archive_db).exit_code == 0
    held = _archived(workbook, archive_db)
    data = workbook.read_bytes()
    again = _archive(workbook, archive_db)
    assert again.exit_code == 0 and json.loads(again.stdout)["archived"] == 0
    assert _archived(workbook, archive_db) == held and workbook.read_bytes() == data


def _unfinished(path: Path, db: str | None, identity: str) -> int:
    engine = _engine(path, db)
    with engine.connect() as connection:
        found = connection.execute(
            select(func.count())
            .select_from(RUNS)
            .where(RUNS.c.source_workbook == identity, RUNS.c.finished_at.is_(None))
        ).scalar()
    engine.dispose()
    return int(found or 0)


def _refused(path: Path, db: str | None) -> str:
    """Archive while Excel has the workbook open: refused, the workbook unchanged; the id the rows went under."""
    data = path.read_bytes()
    with opened_in_excel_after_storing(path):
        refused = _archive(path, db)
    assert refused.exit_code == 2
    assert "正在 Excel 中打开" in refused.output and "再运行同一条命令" in refused.output
    assert len(refused.output.strip().splitlines()) == 1
    assert path.read_bytes() == data
    engine = _engine(path, db)
    with engine.connect() as connection:
        identity = (
            connection.execute(
                select(RUNS.c.source_workbook).where(RUNS.c.source_path == str(path.resolve())).order_by(RUNS.c.run_id)
            )
            .scalars()
            .all()[-1]
        )
    engine.dispose()
    return str(identity)


def test_a_refused_rewrite_keeps_the_rows_in_the_database_and_a_rerun_neither_duplicates_nor_loses(
    workbook, archive_db
):
    before = _ledger(workbook)
    identity = _refused(workbook, archive_db)
    assert _mark(workbook) is None
    held = _archived(workbook, archive_db, identity)
    count = sum(len(rows) for rows in held.values())
    assert count > 0
    done = _archive(workbook, archive_db)
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["already_in_database"] == count
    assert _mark(workbook).workbook == identity  # the re-run found the refused run's id by the workbook's path
    after = _archived(workbook, archive_db)
    assert sorted(r["archive_id"] for rows in after.values() for r in rows) == sorted(
        r["archive_id"] for rows in held.values() for r in rows
    )
    remaining = _ledger(workbook)
    for spec in ARCHIVED:
        moved = [tuple(canonical(r[c.key]) for c in _compared(spec)) for r in after.get(spec.key, [])]
        assert Counter(remaining[spec.key]) + Counter(moved) == Counter(before[spec.key])
    assert _unfinished(workbook, archive_db, identity) == 0


def _daily(path: Path, db: str | None, day: date, out: Path) -> dict:
    args = ["daily-totals", path, "--date", day, "--at", f"{TODAY} 18:00", "--json", "--out", out, "--force"]
    result = run(*args, *(["--db", db] if db else []))
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    found["excluded_rows"] = len(found["excluded_rows"])  # rows with errors stay, but move up
    return found


def test_rows_of_a_refused_second_run_count_once_and_a_row_changed_since_is_archived_as_it_is_now(
    workbook, archive_db, tmp_path
):
    first = run(
        "archive", workbook, "--before", TODAY - timedelta(days=1), "--json", *(["--db", archive_db] * bool(archive_db))
    )
    assert first.exit_code == 0 and json.loads(first.stdout)["archived"] > 0, first.output
    mark = _mark(workbook)
    days = [TODAY - timedelta(days=n) for n in range(3)]
    figures = [_daily(workbook, archive_db, day, tmp_path / "d.xlsx") for day in days]
    archived_first = sum(len(rows) for rows in _archived(workbook, archive_db).values())

    assert _refused(workbook, archive_db) == mark.workbook
    pending = sum(len(rows) for rows in _archived(workbook, archive_db).values()) - archived_first
    assert pending > 0
    # the refused run's rows are in the database and still in the workbook: counted once
    assert [_daily(workbook, archive_db, day, tmp_path / "d.xlsx") for day in days] == figures

    # a colleague corrects one of those rows before the re-run: the archive takes the row as it is now
    held = _archived(workbook, archive_db)[RETURNS.key]
    target = next(r for r in held if r["archive_run"] != mark.run)
    column = next(
        c.column for c in openpyxl.load_workbook(workbook)[RETURNS.title][1] if c.value == RETURNS.product.header
    )
    edit = EditSheet(sheet=RETURNS.title, cells=(CellValue(target["source_row"], column, "改过的商品"),))
    workbook.write_bytes(apply_changes(workbook.read_bytes(), [edit], build_generated_sheet))
    assert _mark(workbook) == mark
    before = _ledger(workbook)

    done = _archive(workbook, archive_db)
    assert done.exit_code == 0, done.output
    summary = json.loads(done.stdout)
    assert summary["already_in_database"] == pending - 1 and summary["archived"] == pending
    after = _archived(workbook, archive_db)
    assert sum(len(rows) for rows in after.values()) == archived_first + pending
    products = Counter(r[RETURNS.product.key] for r in after[RETURNS.key])
    assert products["改过的商品"] == 1
    assert (
        products[target[RETURNS.product.key]]
        == Counter(r[RETURNS.product.key] for r in held)[target[RETURNS.product.key]] - 1
    )
    remaining = _ledger(workbook)
    for spec in ARCHIVED:
        moved = [
            tuple(canonical(r[c.key]) for c in _compared(spec))
            for r in after.get(spec.key, [])
            if r["archive_run"] != mark.run
        ]
        assert Counter(remaining[spec.key]) + Counter(moved) == Counter(before[spec.key]), spec.title
    assert _unfinished(workbook, archive_db, mark.workbook) == 0


def test_a_moved_and_renamed_workbook_keeps_its_archive(workbook, archive_db, tmp_path, libreoffice):
    """Its id travels in its custom document properties, beside every property the team gave it, and through a
    save by another program (LibreOffice here)."""
    book = openpyxl.load_workbook(workbook)
    book.custom_doc_props.append(StringProperty(name="负责组", value="售后二组"))
    book.custom_doc_props.append(IntProperty(name="年份", value=2026))
    book.save(workbook)
    day = TODAY - timedelta(days=1)
    figures = _daily(workbook, archive_db, day, tmp_path / "d.xlsx")
    assert _archive(workbook, archive_db).exit_code == 0
    mark = _mark(workbook)
    assert mark is not None
    kept = openpyxl.load_workbook(workbook).custom_doc_props
    home = re.sub("//[^/@]*@", "//", archive_db) if archive_db else "工作簿旁边的 workbook-tools.archive.sqlite"
    assert {(p.name, p.value) for p in kept.props} == {
        ("负责组", "售后二组"),
        ("年份", 2026),
        (ID_PROPERTY, mark.workbook),
        (RUN_PROPERTY, str(mark.run)),
        (DATABASE_PROPERTY, home),  # the archive's database, as a person reads it: no user name, no password
    }
    with zipfile.ZipFile(workbook) as package:  # each its own pid, from 2 up (ECMA-376 Part 1 §15.2.12.2)
        pids = re.findall(rb'pid="(\d+)"', package.read("docProps/custom.xml"))
    assert sorted(map(int, pids)) == [2, 3, 4, 5, 6]

    elsewhere = tmp_path / "另一个盘" / "2026年售后台账.xlsx"
    elsewhere.parent.mkdir()
    saved = libreoffice.convert(workbook, "xlsx") / workbook.name
    workbook.unlink()
    saved.rename(elsewhere)
    if archive_db is None:  # the SQLite archive goes along with the workbooks of its folder
        store.default_database(workbook).rename(store.default_database(elsewhere))
    assert _daily(elsewhere, archive_db, day, tmp_path / "d.xlsx") == figures
    assert _mark(elsewhere) == mark
    again = _archive(elsewhere, archive_db)  # nothing left to archive, nothing archived twice
    assert again.exit_code == 0 and json.loads(again.stdout)["archived"] == 0


def _change_first(name: str):
    """The first row's value of column `name` on its way into the database, changed as a fault would change it."""

    def damage(columns: dict[str, list]) -> dict[str, list]:
        first, *rest = columns[name]
        if isinstance(first, date):
            first += timedelta(days=1)
        elif isinstance(first, int):
            first += 1
        else:
            first = first[:-1] + ("x" if first[-1:] != "x" else "y")  # as long as it was (the fingerprint's column)
        return {**columns, name: [first, *rest]}

    return damage


def _lose_last_row(columns: dict[str, list]) -> dict[str, list]:
    return {name: values[:-1] for name, values in columns.items()}


@pytest.mark.parametrize(
    "damage",
    [
        _change_first(RETURNS.product.key),
        _change_first(RETURNS.date.key),
        _change_first(RETURNS.quantity.key),
        _change_first("team_columns"),
        _change_first("row_checksum"),
        _lose_last_row,
    ],
    ids=["text", "date", "number", "team columns", "fingerprint", "a row lost"],
)
def test_a_row_that_arrives_changed_aborts_before_the_workbook_changes(workbook, archive_db, monkeypatch, damage):
    """The read-back compares every value the database holds with the row that left: the write broken on purpose."""
    real = store._insert

    def broken(connection, table, columns):
        real(connection, table, damage(columns) if table is TABLES[RETURNS] else columns)

    monkeypatch.setattr(store, "_insert", broken)
    data = workbook.read_bytes()
    result = _archive(workbook, archive_db)
    assert result.exit_code == 2
    assert "读回核对不一致" in result.output and len(result.output.strip().splitlines()) == 1
    assert workbook.read_bytes() == data
    assert sum(len(rows) for rows in _archived(workbook, archive_db).values()) == 0


def test_a_row_like_one_archived_before_is_archived_too(workbook, archive_db):
    """Two identical rows are two rows: the second, typed after the first was archived, is not taken for it."""
    assert _archive(workbook, archive_db).exit_code == 0
    first = _archived(workbook, archive_db)[RETURNS.key]
    twin = first[0]
    book = openpyxl.load_workbook(workbook)
    sheet = book[RETURNS.title]
    table = sheet.tables[RETURNS.table]
    target = int(table.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) + 1
    for col, cell in enumerate(sheet[1], start=1):
        column = RETURNS.by_header.get(cell.value)
        if column is not None:  # a formula column as a value, as a team may type over one
            value = twin[column.key]
            sheet.cell(target, col).value = float(value) if isinstance(value, Decimal) else value
    table.ref = f"{table.ref.split(':')[0]}:{table.ref.split(':')[1].rstrip('0123456789')}{target}"
    book.save(workbook)
    again = _archive(workbook, archive_db)
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["archived"] == 1
    rows = _archived(workbook, archive_db)[RETURNS.key]
    assert len(rows) == len(first) + 1
    copies = Counter(r["row_checksum"] for r in rows)
    assert sorted(r["copy_no"] for r in rows if copies[r["row_checksum"]] == 2) == [1, 2]


def test_the_archive_reads_rows_as_validate_does_without_the_checks_across_sheets(workbook):
    """The archive asks only which rows have errors, which the checks across sheets never decide."""
    grids = read_grids(workbook)
    full = check_workbook(grids, TODAY)
    lean = check_workbook(grids, TODAY, cross_checks=False)
    assert [t.records for t in lean.tables] == [t.records for t in full.tables]
    across = cross_findings(full.tables, full.settings)
    assert across and Counter(full.findings) - Counter(lean.findings) == Counter(across)


def _returns_plan(path: Path):
    check = check_workbook(read_grids(path), TODAY)
    return next(p for p in archive_plan(check, TODAY, datetime.now()) if p.spec is RETURNS)


def test_a_row_holding_something_beside_the_ledger_stays(workbook):
    """Deleting a whole row would take a note beside the ledger, or a merged range, along with it."""
    plan = _returns_plan(workbook)
    noted, merged = plan.rows[0].row, plan.rows[-1].row
    book = openpyxl.load_workbook(workbook)
    sheet = book[plan.sheet]
    beyond = sheet.max_column + 2
    sheet.cell(noted, beyond).value = "这行旁边有备注"
    sheet.merge_cells(start_row=merged, start_column=beyond, end_row=merged, end_column=beyond + 1)
    book.save(workbook)
    after = _returns_plan(workbook)
    assert {r.row for r in after.rows} == {r.row for r in plan.rows} - {noted, merged}
    assert after.kept == plan.kept + 2


def _beside(sheet, column: int) -> dict[str, tuple[str, object]]:
    """Each note and link of a sheet by kind and column letter: its text (or target) and the value in `column` of
    its row (what it was written beside)."""
    found = {}
    for row in sheet.iter_rows():
        for cell in row:
            if cell.comment:
                found[f"批注 {cell.column_letter} {cell.comment.text}"] = sheet.cell(cell.row, column).value
            if cell.hyperlink:
                found[f"链接 {cell.column_letter} {cell.hyperlink.target}"] = sheet.cell(cell.row, column).value
    return found


def test_rows_with_a_note_or_a_link_stay_and_notes_below_move_with_their_rows(workbook, archive_db):
    """A database row keeps values only: a row with a note or a link stays; a note on a row that stays below
    archived rows moves up with it and still sits beside the same parcel."""
    plan = _returns_plan(workbook)
    leaving = [r.row for r in plan.rows]
    book = openpyxl.load_workbook(workbook)
    sheet = book[plan.sheet]
    tracking = next(c.column for c in sheet[plan.header_row] if c.value == RETURNS.tracking_no.header)
    below = next(
        r for r in range(leaving[0] + 1, sheet.max_row + 1) if r not in leaving and sheet.cell(r, tracking).value
    )
    noted, linked = leaving[0], leaving[-1]
    sheet.cell(noted, tracking).comment = openpyxl.comments.Comment("客户说包裹外箱破损", "小美")
    sheet.cell(below, tracking).comment = openpyxl.comments.Comment("等仓库回复", "小美")
    sheet.cell(linked, tracking).hyperlink = "https://example.com/photos/return"
    book.save(workbook)
    rows_before = openpyxl.load_workbook(workbook)[plan.sheet].max_row
    before = _beside(openpyxl.load_workbook(workbook)[plan.sheet], tracking)
    assert len(before) == 3 and below > leaving[0]
    result = _archive(workbook, archive_db)
    assert result.exit_code == 0, result.output
    done = next(s for s in json.loads(result.stdout)["sheets"] if s["sheet"] == plan.sheet)
    assert (done["archived"], done["holding"]) == (len(leaving) - 2, 2)
    sheet = openpyxl.load_workbook(workbook)[plan.sheet]
    assert sheet.max_row == rows_before - done["archived"]
    assert _beside(sheet, tracking) == before
    archived = {row[RETURNS.tracking_no.key] for row in _archived(workbook, archive_db)[RETURNS.key]}
    assert len(archived) == done["archived"] and not archived & set(before.values())


def _column(sheet, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


def test_a_spot_check_names_its_call_by_the_calls_new_row_after_archiving(workbook, archive_db):
    """回访抽查表's 抽查的回访 names a 回访表 row by number (回访表!12, or 12 alone): a call that stays is named by its
    new number, one archived says so, and validation still finds the call each names."""
    check = check_workbook(read_grids(workbook), TODAY)
    plan = next(p for p in archive_plan(check, TODAY, datetime.now()) if p.spec is CALLBACKS)
    calls = check.target(CALLBACKS).table
    leaving = {r.row for r in plan.rows}
    staying = max(r.row for r in check.target(CALLBACKS).records if r.row not in leaving)
    archived = min(leaving)
    assert staying > archived  # it moves up
    book = openpyxl.load_workbook(workbook)
    sheet = book[check.target(SPOT_CHECKS).table.sheet]
    header = {c.value: c.column for c in sheet[1]}
    for row, named in ((sheet.max_row + 1, staying), (sheet.max_row + 2, f"{calls.sheet}!{archived}")):
        sheet.cell(row, header[SPOT_CHECKS.date.header]).value = datetime.combine(TODAY, time())
        sheet.cell(row, header[SPOT_CHECKS.agent.header]).value = "阿强"
        sheet.cell(row, header[SPOT_CHECKS.callback.header]).value = named
    book.save(workbook)
    before = openpyxl.load_workbook(workbook)
    assert _archive(workbook, archive_db).exit_code == 0
    after = openpyxl.load_workbook(workbook)
    sheet = after[check.target(SPOT_CHECKS).table.sheet]
    named = [sheet.cell(r, header[SPOT_CHECKS.callback.header]).value for r in (sheet.max_row - 1, sheet.max_row)]
    moved = int(str(named[0]))
    assert moved < staying and _values(after[calls.sheet][moved]) == _values(before[calls.sheet][staying])
    assert named[1] == f"{calls.sheet}!{archived}{ARCHIVED_MARK}"
    result = run("validate", workbook, "--json")
    assert "missing_reference" not in result.stdout


def _values(row) -> list:
    """A row's values but those naming a row by number (回访表!12), which the archive renumbers."""
    return [c.value for c in row if not (isinstance(c.value, str) and "!" in c.value)]


def test_the_handovers_sources_name_the_same_rows_after_archiving(workbook, archive_db):
    """交接表's 来源 (and the notes in 交接处理) name ledger rows by number: a row below archived ones is named by its
    new number, an archived one says it was archived, in the same write."""
    assert run("handover", workbook, "--from", "小美", "--to", "阿强").exit_code == 0
    plan = _returns_plan(workbook)
    gone, title = plan.rows[0].row, plan.sheet
    book = openpyxl.load_workbook(workbook)
    handover = book[HANDOVER.title]
    source, instruction = _column(handover, HANDOVER.source.header), _column(handover, HANDOVER.instruction.header)
    moving = next(
        int(v.partition("!")[2])
        for v in (handover.cell(r, source).value for r in range(2, handover.max_row + 1))
        if v and v.startswith(f"{title}!") and int(v.partition("!")[2]) > gone
    )
    last = handover.max_row + 1  # a row of an earlier handover, its item since closed and archived
    handover.cell(last, source).value = f"{title}!{gone}"
    handover.cell(last, instruction).value = f"退回后退款；退件已到：{title}!{moving}；旧{title}!{moving} 不是它"
    book.create_sheet(f"旧{title}")["A1"] = "去年的退件"  # a sheet whose name ends like the ledger's: its rows stay
    book.save(workbook)
    before = openpyxl.load_workbook(workbook)
    assert _archive(workbook, archive_db).exit_code == 0
    after = openpyxl.load_workbook(workbook)
    named = [
        (before[HANDOVER.title].cell(r, c).value, after[HANDOVER.title].cell(r, c).value)
        for r in range(2, last + 1)
        for c in (source, instruction)
    ]
    held = _archived(workbook, archive_db)
    archived = {(spec.title, row["source_row"]) for spec in ARCHIVED for row in held.get(spec.key, [])}
    titles = "|".join(re.escape(spec.title) for spec in ARCHIVED)
    pattern = re.compile(rf"(?<!旧)({titles})!(\d+)({ARCHIVED_MARK})?")
    seen = Counter()
    for old, new in named:
        assert len(pattern.findall(old or "")) == len(pattern.findall(new or ""))
        for was, now in zip(pattern.finditer(old or ""), pattern.finditer(new or ""), strict=True):
            sheet, row = was[1], int(was[2])
            if now[3]:
                assert (now[1], int(now[2])) == (sheet, row) and (sheet, row) in archived
                seen["archived"] += 1
            else:  # the same record, maybe on another row now
                assert _values(after[sheet][int(now[2])]) == _values(before[sheet][row])
                seen["moved" if int(now[2]) < row else "stayed"] += 1
    assert seen["archived"] == 1 and seen["moved"] >= 2
    assert f"旧{title}!{moving} 不是它" in after[HANDOVER.title].cell(last, instruction).value


@pytest.mark.parametrize("refusing", ["protected ledger", "open in Excel"])
def test_a_rewrite_the_workbook_refuses_is_refused_before_any_row_is_stored(workbook, archive_db, refusing):
    """A protected ledger, a workbook open in Excel (or anything else that refuses the rewrite itself) is found
    before the database is written: nothing is stored, the workbook is unchanged, and the message says only what
    to do."""
    if refusing == "protected ledger":
        book = openpyxl.load_workbook(workbook)
        book[RETURNS.title].protection.sheet = True
        book.save(workbook)
    else:
        workbook.with_name(f"~${workbook.name}").write_text("")
    data = workbook.read_bytes()
    refused = _archive(workbook, archive_db)
    assert refused.exit_code == 2 and len(refused.output.strip().splitlines()) == 1
    said = RETURNS.title if refusing == "protected ledger" else "正在 Excel 中打开"
    assert said in refused.output and "已存进" not in refused.output
    assert workbook.read_bytes() == data
    engine = _engine(workbook, archive_db)
    with engine.connect() as connection:  # the database was not written: no run (so no row) of this workbook
        if engine.dialect.has_table(connection, RUNS.name):  # PostgreSQL: other tests' runs share the database
            runs = select(func.count()).select_from(RUNS).where(RUNS.c.source_path == str(workbook.resolve()))
            assert connection.execute(runs).scalar() == 0
    engine.dispose()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--before", "2026-13-01"], "--before 的「2026-13-01」不是有效日期"),
        (["--before", "2020-01-01", "--sheets", "不存在的表"], "没有名为「不存在的表」的表"),
        (["--before", "2020-01-01", "--sheets", HANDOVER.title], f"「{HANDOVER.title}」不归档"),
        (["--before", "2999-01-01"], "晚于今天"),
        (["--before", "2026-01-01", "--db", "mysql://x@y/z"], "不是能用的数据库地址"),
        (["--before", TODAY.isoformat(), "--db", "postgresql://nobody@127.0.0.1:1/none"], "连不上归档数据库"),
    ],
)
def test_bad_input_is_one_sentence_and_changes_no_file(workbook, args, message):
    data = workbook.read_bytes()
    files = _files(workbook)
    result = run("archive", workbook, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert workbook.read_bytes() == data and _files(workbook) == files


ARCHIVE_LIBRARIES = ("sqlalchemy", "psycopg")
_LOADED = f"print(sorted(m for m in {ARCHIVE_LIBRARIES!r} if m in sys.modules))"


def _libraries_after(code: str, *args: object) -> list[str]:
    """The archive's libraries a fresh Python has loaded after running `code` (each click is a fresh Python)."""
    script = f"import sys\n{code}\n{_LOADED}"
    result = subprocess.run(
        [sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True, check=True, cwd=TESTS
    )
    return json.loads(result.stdout.strip().splitlines()[-1].replace("'", '"'))


_COMMANDS = """
from workbook_tools.cli import cli
for args in ({commands}):
    try:
        cli.main(list(args), standalone_mode=False)
    except SystemExit:
        pass
"""


@pytest.mark.xlwings_remote  # the buttons run on xlwings' remote engine (tests/xlwings_remote.py)
def test_no_other_command_and_no_button_loads_the_archives_libraries(tmp_path):
    """SQLAlchemy and psycopg cost a click a quarter of a second to import: only `archive`, and `daily-totals` and
    `report` of a workbook that has archived rows, load them."""
    (tmp_path / "never").mkdir()
    (tmp_path / "archived").mkdir()
    never = demo_workbook(tmp_path / "never" / "team.xlsx", TODAY)
    archived = demo_workbook(tmp_path / "archived" / "team.xlsx", TODAY)
    assert _archive(archived, None).exit_code == 0 and _mark(archived) is not None
    out = tmp_path / "out.xlsx"
    commands = [
        ["validate", never],
        ["handover", never, "--from", "小美", "--to", "阿强", "--out", out, "--force"],
        ["daily-totals", never, "--out", out, "--force"],
        ["chase-summary", never, "--out", out, "--force"],
        ["report", never, "--period", "month", "--out", out, "--force"],
        ["validate", archived],
        ["handover", archived, "--from", "小美", "--to", "阿强", "--out", out, "--force"],
        ["chase-summary", archived, "--out", out, "--force"],
    ]
    listed = ", ".join(repr(tuple(map(str, c))) for c in commands)
    assert _libraries_after(_COMMANDS.format(commands=listed + ",")) == []
    for reading in (("daily-totals",), ("report", "--period", "week")):
        command = repr(((reading[0], str(archived), *reading[1:], "--out", str(out), "--force"),))
        assert _libraries_after(_COMMANDS.format(commands=command)) == ["sqlalchemy"]  # it reads the archive
    buttons = (
        "import os, pathlib, xlwings_remote, workbook_tools.excel as x\n"
        "def click(path, button, **options):\n"
        "    os.chdir(path.parent)  # the remote engine names the book without its folder\n"
        "    button(xlwings_remote.remote_book(path), **options)\n"
        f"archived, never = pathlib.Path({str(archived)!r}), pathlib.Path({str(never)!r})\n"
        "for button, options in ((x.validate, {{}}), (x.chase_summary, {{}}),"
        " (x.shift_handover, {{'from_agent': '小美', 'to_agent': '阿强'}})):\n"
        "    click(archived, button, **options)\n"
        "click(never, x.{reading})"
    )
    assert _libraries_after(buttons.format(reading="daily_totals")) == []
    assert _libraries_after(buttons.format(reading="monthly_report")) == []
    reading = buttons.format(reading="daily_totals").replace("click(never,", "click(archived,")
    assert _libraries_after(reading) == ["sqlalchemy"]  # 日汇总 of an archived workbook reads its archive


def test_a_column_declared_after_the_archive_was_made_is_added_to_it(workbook, archive_db, tmp_path):
    """A later version declares a column the archive's tables lack: reading gives it blank, writing adds it."""
    from workbook_tools.spec.sheets import RESENDS

    day = TODAY - timedelta(days=1)
    figures = _daily(workbook, archive_db, day, tmp_path / "d.xlsx")
    first = run(
        "archive", workbook, "--before", TODAY, "--sheets", RESENDS.title, *(["--db", archive_db] * bool(archive_db))
    )
    assert first.exit_code == 0, first.output
    engine = _engine(workbook, archive_db)
    with engine.begin() as connection:  # the tables as an earlier version made them
        for spec in (RESENDS, RETURNS):
            connection.exec_driver_sql(f"ALTER TABLE {TABLES[spec].name} DROP COLUMN {spec.remarks.key}")
        # and one the report groups by (as if declared later too): the database's GROUP BY reads it as blank
        connection.exec_driver_sql(f"ALTER TABLE {TABLES[RESENDS].name} DROP COLUMN {RESENDS.filled_by.key}")
    engine.dispose()
    assert _daily(workbook, archive_db, day, tmp_path / "d.xlsx") == figures
    report = ["report", workbook, "--period", "month", "--json", "--out", tmp_path / "r.xlsx", "--force"]
    assert run(*report, *(["--db", archive_db] * bool(archive_db))).exit_code == 0
    assert _archive(workbook, archive_db).exit_code == 0
    held = _archived(workbook, archive_db)
    assert {r[RETURNS.remarks.key] for r in held[RETURNS.key]} - {None}  # the returns' remarks went in
    assert {r[RESENDS.remarks.key] for r in held[RESENDS.key]} == {None}  # those archived before have none
    assert _daily(workbook, archive_db, day, tmp_path / "d.xlsx") == figures
