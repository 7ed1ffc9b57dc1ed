"""A workbook's identity in its archive: copies, older versions and another database never make a figure wrong.

A copy made with Save As, or a workbook put back from a backup, carries the id
of the workbook it was made from; archiving it gives it an id of its own that
still reads the shared history up to its run. A workbook's mark names the
database of its archive: an archive or a report on another one is refused with
one sentence. The figures compared are 日汇总's counts of the days the rows are
dated, read through the command as a user runs it.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, update

from workbook_tools.core.archive import DATABASE_PROPERTY, ArchiveMark
from workbook_tools.spec.sheets import RETURNS
from workbook_tools.store import archive as store
from workbook_tools.store.schema import RUNS, TABLES
from workbook_tools.xlsx.opc import Package
from workbook_tools.xlsx.properties import archive_mark

from conftest import edit_part, opened_in_excel_after_storing, run, write_xlsx

TODAY = date.today()  # archive counts "closed" and "before" from the real clock, as a user runs it
DAYS = (TODAY - timedelta(days=40), TODAY - timedelta(days=10), TODAY - timedelta(days=7))  # a return on each
FIRST, SECOND, THIRD = (day + timedelta(days=1) for day in DAYS)  # the --before that takes each day's row
RETURNS_HEADER = ["日期", "物流单号", "承运商", "ID号", "订单编码", "退回类型", "产品名称", "数量", "处理结果"]
BESIDE = "工作簿旁边的 workbook-tools.archive.sqlite"


def _db(db: str | None) -> list[str]:
    return ["--db", db] if db else []


def _book(path: Path) -> Path:
    """A 退件表 with a settled return on each of DAYS: FIRST takes the first, SECOND the next, THIRD the last."""
    rows = [
        [day.isoformat(), f"SF{n}", "顺丰", f"b{n}", f"SO{n}", "破损", "眼霜", 1, "已退款"]
        for n, day in enumerate(DAYS)
    ]
    return write_xlsx(path, {RETURNS.title: [RETURNS_HEADER, *rows]})


def _archive(path: Path, before: date, db: str | None) -> Any:
    return run("archive", path, "--before", before.isoformat(), "--json", *_db(db))


def _counts(path: Path, db: str | None) -> list[int]:
    """日汇总's returns on each of DAYS: one each, when every row is counted once, wherever it is."""
    found = []
    for day in DAYS:
        args = ["daily-totals", path, "--date", day, "--at", f"{TODAY} 18:00", "--json"]
        result = run(*args, "--out", path.with_name("d.xlsx"), "--force", *_db(db))
        assert result.exit_code == 0, result.output
        found.append(json.loads(result.stdout)["returns"]["count"])
    return found


def _mark(path: Path) -> ArchiveMark:
    mark = archive_mark(Package(path.read_bytes()))
    assert mark is not None
    return mark


def _stored(path: Path, db: str | None) -> int:
    """Every returns row the database holds from a run on a workbook in `path`'s folder, under whichever id."""
    engine = create_engine(store.database(path, db).url)
    table = TABLES[RETURNS]
    ours = select(RUNS.c.run_id).where(RUNS.c.source_path.startswith(str(path.resolve().parent)))
    with engine.connect() as connection:
        held = connection.execute(select(func.count()).where(table.c.archive_run.in_(ours))).scalar()
    engine.dispose()
    return int(held or 0)


def _refused(path: Path, before: date, db: str | None) -> None:
    """Archive while Excel has the workbook open: the rows go to the database, the workbook stays as it was."""
    data = path.read_bytes()
    with opened_in_excel_after_storing(path):
        result = _archive(path, before, db)
    assert result.exit_code == 2 and "正在 Excel 中打开" in result.output, result.output
    assert path.read_bytes() == data


@pytest.fixture
def team(tmp_path: Path, archive_db: str | None) -> Path:
    """A workbook archived once (its OLD row left), with the figures it had before."""
    path = _book(tmp_path / "team.xlsx")
    assert _archive(path, FIRST, archive_db).exit_code == 0
    return path


def test_a_copy_made_before_a_run_that_never_finished_leaves_that_runs_rows_alone(team, archive_db, tmp_path):
    """The run whose rewrite went through but was never marked finished (the command was killed) is taken by the
    next run of its workbook; a copy made before it still holds those rows, and must not take them as its own."""
    copy = shutil.copy(team, tmp_path / "team - 副本.xlsx")
    assert _archive(team, SECOND, archive_db).exit_code == 0
    engine = create_engine(store.database(team, archive_db).url)
    with engine.begin() as connection:  # killed between the rewrite and `finish`
        connection.execute(update(RUNS).where(RUNS.c.run_id == _mark(team).run).values(finished_at=None))
    engine.dispose()
    result = _archive(copy, SECOND, archive_db)
    assert result.exit_code == 0 and json.loads(result.stdout)["archived"] == 1, result.output
    assert _mark(copy).workbook != _mark(team).workbook
    assert _counts(team, archive_db) == _counts(copy, archive_db) == [1, 1, 1]
    assert _stored(team, archive_db) == 3  # the first row once, the second once for each workbook


def test_a_copy_whose_rewrite_is_refused_takes_its_own_rows_over_on_the_rerun(team, archive_db, tmp_path):
    copy = shutil.copy(team, tmp_path / "team - 副本.xlsx")
    _refused(copy, SECOND, archive_db)
    assert _counts(copy, archive_db) == [1, 1, 1]  # its second row is in the database and in the workbook: once
    result = _archive(copy, SECOND, archive_db)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["already_in_database"] == 1  # the refused run's copy, not a second one
    assert _stored(copy, archive_db) == 2
    assert _archive(team, SECOND, archive_db).exit_code == 0
    assert _stored(team, archive_db) == 3
    assert _counts(copy, archive_db) == _counts(team, archive_db) == [1, 1, 1]


def test_a_copy_of_a_copy_reads_the_history_of_both(tmp_path):
    team = _book(tmp_path / "team.xlsx")
    assert _archive(team, FIRST, None).exit_code == 0
    copy = shutil.copy(team, tmp_path / "copy.xlsx")
    assert _archive(copy, SECOND, None).exit_code == 0
    third = shutil.copy(copy, tmp_path / "copy of copy.xlsx")
    said = run("archive", third, "--before", THIRD)  # its first row left with the team, its second with the copy
    assert said.exit_code == 0 and "copy of copy.xlsx 是另存为的副本或从备份放回的旧版本" in said.output, said.output
    said = run("archive", team, "--before", THIRD)
    assert said.exit_code == 0 and "副本" not in said.output, said.output
    assert len({_mark(p).workbook for p in (team, copy, third)}) == 3
    assert _counts(third, None) == [1, 1, 1]
    assert _stored(team, None) == 3 + 2


def _one_sentence(result: Any, *words: str) -> None:
    assert result.exit_code == 2 and "Traceback" not in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1 and all(w in result.output for w in words), result.output


def test_an_archive_or_report_on_another_database_is_refused_and_says_which_one(team, archive_db, tmp_path):
    home = re.sub("//[^/@]*@", "//", archive_db) if archive_db else BESIDE
    assert _mark(team).database == home
    group = tmp_path / "group.sqlite"
    data = team.read_bytes()
    _one_sentence(_archive(team, SECOND, f"sqlite:///{group}"), f"「{home}」", "这次没有归档", "--db")
    assert team.read_bytes() == data and not group.exists()  # nothing written anywhere
    args = ["report", team, "--period", "month", "--date", DAYS[0], "--json", "--out", tmp_path / "r.xlsx", "--force"]
    _one_sentence(run(*args, "--db", f"sqlite:///{group}"), f"「{home}」", "这次没有生成月报")
    assert not group.exists()
    if archive_db:  # a machine where WORKBOOK_TOOLS_DB is not set, or a command without --db
        _one_sentence(run(*args), f"「{home}」", "这次没有生成月报", "WORKBOOK_TOOLS_DB")
    assert _counts(team, archive_db) == [1, 1, 1]


def test_a_report_on_a_copy_of_the_archives_database_is_refused(tmp_path):
    """The copy knows the workbook's runs so far, but not the runs to come: figures from it would fall behind."""
    path = _book(tmp_path / "team.xlsx")
    assert _archive(path, FIRST, None).exit_code == 0
    copy = shutil.copy(store.default_database(path), tmp_path / "copy.sqlite")
    args = ["daily-totals", path, "--json", "--out", tmp_path / "d.xlsx", "--force", "--db", f"sqlite:///{copy}"]
    _one_sentence(run(*args), f"「{BESIDE}」", "这次没有生成日汇总", "不写 --db")


def test_a_database_is_named_by_where_it_is_not_by_who_signs_in(tmp_path):
    book = tmp_path / "team.xlsx"

    def home(url: str | None) -> str:
        return store.home(store.database(book, url), book)

    assert home("postgresql://小美:pw@Shop-DB:5432/returns") == "postgresql://shop-db/returns"
    assert home("postgres://lead@shop-db/returns?sslmode=require&connect_timeout=5") == "postgresql://shop-db/returns"
    assert home("postgresql://lead@shop-db:6543/returns") == "postgresql://shop-db:6543/returns"
    assert home("postgresql://lead@/returns?host=/run/pg") == "postgresql:///returns?host=/run/pg"
    assert home(None) == home(f"sqlite:///{tmp_path / 'workbook-tools.archive.sqlite'}") == BESIDE
    assert home(f"sqlite:///{tmp_path / 'group.sqlite'}") == "sqlite:///group.sqlite"  # from the workbook's folder
    outside = tmp_path.parent / "group.sqlite"
    assert home(f"sqlite:///{outside}") == f"sqlite:///{outside}"
    assert home("postgresql://lead@127.0.0.1/returns") == home("postgresql://lead@LOCALHOST/returns")


def test_a_workbook_marked_before_its_database_was_named_is_refused_by_one_that_does_not_know_it(tmp_path):
    path = _book(tmp_path / "team.xlsx")
    assert _archive(path, FIRST, None).exit_code == 0
    named = re.escape(f'name="{DATABASE_PROPERTY}"'.encode())
    edit_part(
        path, "docProps/custom.xml", lambda xml: re.sub(rb"<property[^>]*" + named + rb".*?</property>", b"", xml)
    )
    assert _mark(path).database is None
    data = path.read_bytes()
    group = tmp_path / "group" / "group.sqlite"
    _one_sentence(_archive(path, SECOND, f"sqlite:///{group}"), "里没有它的归档", "这次没有归档")
    assert path.read_bytes() == data and not group.exists()
    group.parent.mkdir()
    assert _archive(_book(group.with_name("other.xlsx")), FIRST, f"sqlite:///{group}").exit_code == 0
    held = group.read_bytes()  # a database that holds another workbook's archive, not this one's
    _one_sentence(_archive(path, SECOND, f"sqlite:///{group}"), "里没有它的归档", "这次没有归档")
    assert path.read_bytes() == data and group.read_bytes() == held
    assert _archive(path, SECOND, None).exit_code == 0  # its own database: archived, and named from now on
    assert _mark(path).database == BESIDE


def test_a_file_that_is_no_workbook_where_the_archive_ran_tells_of_no_copy(tmp_path):
    team = _book(tmp_path / "team.xlsx")
    assert _archive(team, FIRST, None).exit_code == 0
    moved = team.rename(tmp_path / "moved.xlsx")
    team.write_bytes(b"not a workbook")  # something else took the old name
    mark = _mark(moved)
    result = _archive(moved, SECOND, None)
    assert result.exit_code == 0 and json.loads(result.stdout)["archived"] == 1, result.output
    assert _mark(moved).workbook == mark.workbook


def test_a_folder_moved_with_its_own_sqlite_archive_still_finds_it(tmp_path):
    """--db sqlite:///mine.sqlite is taken from the workbook's folder and named so in the mark: the folder moved
    (another drive, another share) with the file in it still finds its archive, and a second run archives there."""
    folder = tmp_path / "shop"
    folder.mkdir()
    path = _book(folder / "team.xlsx")
    given = "sqlite:///archive/mine.sqlite"
    (folder / "archive").mkdir()
    assert _archive(path, FIRST, given).exit_code == 0
    assert _mark(path).database == given
    moved = shutil.move(folder, tmp_path / "moved") / "team.xlsx"
    assert _counts(moved, given) == [1, 1, 1]
    assert _archive(moved, SECOND, given).exit_code == 0
    assert _counts(moved, given) == [1, 1, 1]
    elsewhere = tmp_path / "copy.sqlite"  # a copy of the file outside the folder is not the archive
    shutil.copy(tmp_path / "moved" / "archive" / "mine.sqlite", elsewhere)
    _one_sentence(_archive(moved, THIRD, f"sqlite:///{elsewhere}"), f"「{given}」", "这次没有归档")
