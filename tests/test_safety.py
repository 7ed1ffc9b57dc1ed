"""Writing in place on a team's shared folder: backups, permissions, links, --out, leftovers, protection, refusals.

Every refusal is one Chinese line on stderr, exit status 2, and leaves the
workbook byte for byte as it was.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import stat
import subprocess
import sys
import zipfile
from datetime import datetime

import openpyxl
import pytest
from filelock import FileLock

from workbook_tools.xlsx import backups, locking
from workbook_tools.xlsx import writer as xlsx_file
from workbook_tools.xlsx.backups import BACKUP_DIR, BACKUPS_KEPT, backups_of, owner_of
from workbook_tools.xlsx.locking import lock_path

from conftest import edit_part, run, team_workbook

HANDOVER = ["handover", "--from", "小美", "--to", "阿强"]


def refused(result, *words: str) -> bool:
    """Exit 2 with one line on stderr that says each of `words`, and no traceback."""
    return (
        result.exit_code == 2
        and result.stderr.count("\n") == 1
        and "Traceback" not in result.stderr
        and all(w in result.stderr for w in words)
    )


def files_beside(path) -> list[str]:
    """What a user sees in the workbook's folder (our lock file is hidden and stays, like Excel's settings)."""
    return sorted(p.name for p in path.parent.iterdir() if p != lock_path(path))


def test_the_version_replaced_is_kept_and_the_user_is_told_where(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    before = path.read_bytes()
    result = run("chase-summary", path)
    assert result.exit_code == 0
    (backup,) = (tmp_path / BACKUP_DIR).iterdir()
    assert backup.name in result.stderr and owner_of(backup.name) == ("team", ".xlsx")
    assert backup.read_bytes() == before != path.read_bytes()


def test_two_writes_within_a_second_keep_both_backups(tmp_path, monkeypatch):
    class StoppedClock(datetime):
        @classmethod
        def now(cls, tz=None):
            return cls(2026, 11, 22, 18, 0, 0)

    monkeypatch.setattr(backups, "datetime", StoppedClock)
    path = team_workbook(tmp_path / "team.xlsx")
    original = path.read_bytes()
    assert run(*HANDOVER[:1], path, *HANDOVER[1:], "--at", "2026-11-22 18:00").exit_code == 0
    between = path.read_bytes()
    assert run("chase-summary", path).exit_code == 0
    assert [b.read_bytes() for b in backups_of(path)] == [original, between]


def test_pruning_keeps_the_newest_and_touches_no_other_workbooks_backups(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    folder = tmp_path / BACKUP_DIR
    folder.mkdir()
    for n in range(BACKUPS_KEPT + 5):  # the older name shape, then the current one
        name = f"team-20260101-0000{n:02d}.xlsx" if n % 2 else f"team-20260101-0000{n:02d}-000000.xlsx"
        (folder / name).write_bytes(b"old")
    others = ["team-1-20200101-000000.xlsx", "team-北区-20200101-000000-000001.xlsx", "team-20200101-000000.xlsm"]
    others += ["team-20200101-000000-20200101-000000.xlsx", "team.xlsx", "说明.txt"]
    for name in others:
        (folder / name).write_bytes(b"another workbook's")
    assert run("chase-summary", path).exit_code == 0
    kept = backups_of(path)
    assert len(kept) == BACKUPS_KEPT and kept[-1].read_bytes() != b"old"  # the one just made
    assert kept[0].name == "team-20260101-000006-000000.xlsx"  # the oldest five went
    assert all((folder / name).read_bytes() == b"another workbook's" for name in others)


def test_the_backup_just_made_stays_even_when_the_clock_was_set_back(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    folder = tmp_path / BACKUP_DIR
    folder.mkdir()
    for n in range(BACKUPS_KEPT):
        (folder / f"team-20990101-0000{n:02d}-000000.xlsx").write_bytes(b"from the future")
    before = path.read_bytes()
    assert run("chase-summary", path).exit_code == 0
    kept = backups_of(path)
    assert len(kept) == BACKUPS_KEPT and sum(b.read_bytes() == before for b in kept) == 1


def second_group() -> int | None:
    """A group this user may give a file other than their own primary group (root may give any)."""
    if os.geteuid() == 0:
        return 12345
    return next((g for g in os.getgroups() if g != os.getegid()), None)


@pytest.mark.skipif(os.name != "posix", reason="POSIX modes and groups")
def test_a_group_shared_workbook_keeps_its_mode_and_group_and_so_do_its_backups(tmp_path):
    team = second_group()
    if team is None:
        pytest.skip("this user belongs to no second group")
    folder = tmp_path / "共享"
    folder.mkdir()
    os.chown(folder, -1, team)
    folder.chmod(0o775)  # not setgid: a new file would get the writer's own group
    path = team_workbook(folder / "team.xlsx")
    os.chown(path, -1, team)
    path.chmod(0o664)
    assert run(*HANDOVER[:1], path, *HANDOVER[1:]).exit_code == 0
    assert run("daily-totals", path).exit_code == 0
    for written in [path, *backups_of(path)]:
        info = written.stat()
        assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o664, team), written
    backups = (folder / BACKUP_DIR).stat()
    assert (stat.S_IMODE(backups.st_mode), backups.st_gid) == (0o775, team)


@pytest.mark.skipif(os.name != "posix", reason="POSIX groups")
def test_a_writer_outside_the_workbooks_group_is_refused_rather_than_lock_colleagues_out(tmp_path, monkeypatch):
    team = second_group()
    if team is None:
        pytest.skip("this user belongs to no second group")
    path = team_workbook(tmp_path / "team.xlsx")
    os.chown(path, -1, team)
    before = path.read_bytes()

    def not_a_member(fd, uid, gid):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(xlsx_file.os, "fchown", not_a_member)
    assert refused(run("chase-summary", path), "共享组", "没有写入")
    assert path.read_bytes() == before and files_beside(path) == ["team.xlsx"]


def test_a_read_only_workbook_is_refused(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    path.chmod(0o444)
    before = path.read_bytes()
    assert refused(run(*HANDOVER[:1], path, *HANDOVER[1:]), "只读")
    assert path.read_bytes() == before and files_beside(path) == ["team.xlsx"]


@pytest.mark.skipif(os.name != "posix", reason="POSIX folder permissions")
def test_a_read_only_folder_gives_one_line(tmp_path):
    """As root, the command runs without the capability to override permissions (setpriv), as a user would."""
    (tmp_path / "只读").mkdir()
    path = team_workbook(tmp_path / "只读" / "team.xlsx")
    before = path.read_bytes()
    path.parent.chmod(0o555)
    command = [sys.executable, "-m", "workbook_tools", "chase-summary", str(path)]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv to drop the override")
        command = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--", *command]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    finally:
        path.parent.chmod(0o755)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert "没有在" in result.stderr and "写入的权限" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before and files_beside(path) == ["team.xlsx"]


def test_a_workbook_reached_through_a_link_is_updated_where_it_lives(tmp_path):
    shared = tmp_path / "共享盘"
    shared.mkdir()
    real = team_workbook(shared / "team.xlsx")
    before = real.read_bytes()
    link = tmp_path / "快捷方式.xlsx"
    link.symlink_to(real)
    assert run("chase-summary", link).exit_code == 0
    assert link.is_symlink() and link.resolve() == real
    assert "催款汇总表" in openpyxl.load_workbook(real).sheetnames
    assert [b.read_bytes() for b in backups_of(real)] == [before]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["快捷方式.xlsx", "共享盘"])


@pytest.mark.parametrize("alias", ["dotted", "link"])
def test_out_naming_the_input_by_another_path_is_a_safe_write_in_place(tmp_path, alias):
    path = team_workbook(tmp_path / "team.xlsx")
    before = path.read_bytes()
    (tmp_path / "sub").mkdir()
    other = tmp_path / "sub" / ".." / "team.xlsx"
    if alias == "link":
        other = tmp_path / "sub" / "同一个.xlsx"
        other.symlink_to(path)
    (tmp_path / "~$team.xlsx").write_bytes(b"owner")
    assert refused(run("chase-summary", path, "--out", other), "正在 Excel 中打开")
    assert path.read_bytes() == before
    (tmp_path / "~$team.xlsx").unlink()
    assert run("chase-summary", path, "--out", other).exit_code == 0
    assert [b.read_bytes() for b in backups_of(path)] == [before] and path.read_bytes() != before


def test_out_onto_another_workbook_needs_force_and_then_keeps_a_backup_of_it(tmp_path):
    """--out is "save a copy as": overwriting a colleague's workbook silently would lose it, so it takes --force,
    as `new` does, and even then the overwritten workbook is kept as a backup."""
    path = team_workbook(tmp_path / "team.xlsx")
    other = team_workbook(tmp_path / "北区.xlsx")
    theirs = other.read_bytes()
    assert refused(run("daily-totals", path, "--out", other), "已存在", "--force")
    assert other.read_bytes() == theirs and not backups_of(other)
    assert run("daily-totals", path, "--out", other, "--force").exit_code == 0
    assert "日汇总" in openpyxl.load_workbook(other).sheetnames
    assert [b.read_bytes() for b in backups_of(other)] == [theirs] and not backups_of(path)


def test_new_force_keeps_a_backup_of_the_workbook_it_replaces(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    theirs = path.read_bytes()
    assert refused(run("new", path), "已存在")
    assert run("new", path, "--force").exit_code == 0
    assert [b.read_bytes() for b in backups_of(path)] == [theirs]


def test_what_a_killed_writer_left_is_removed_by_the_next_run_and_nothing_else(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    (tmp_path / BACKUP_DIR).mkdir()
    ours = [
        tmp_path / ".team.xlsx.workbook-tools.0a1b2c.tmp",
        tmp_path / BACKUP_DIR / ".team.xlsx.workbook-tools.3d.tmp",
    ]
    theirs = [tmp_path / ".team-1.xlsx.workbook-tools.0a1b2c.tmp", tmp_path / ".team.xlsx.tmp"]
    for leftover in ours + theirs:
        leftover.write_bytes(b"\0" * 1000)
    assert run("chase-summary", path).exit_code == 0
    assert [p.exists() for p in ours + theirs] == [False, False, True, True]


def test_a_second_writer_that_cannot_get_its_turn_in_time_refuses(tmp_path, monkeypatch):
    path = team_workbook(tmp_path / "team.xlsx")
    before = path.read_bytes()
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 0.2)
    with FileLock(lock_path(path)):  # another command is writing it
        result = run(*HANDOVER[:1], path, *HANDOVER[1:])
    assert refused(result, "正在被另一个 workbook-tools 命令写入", "没有写入")
    assert path.read_bytes() == before and files_beside(path) == ["team.xlsx"]
    assert run(*HANDOVER[:1], path, *HANDOVER[1:]).exit_code == 0  # and once it is done, the next one writes


def test_a_save_by_someone_else_during_the_write_is_not_overwritten(tmp_path, monkeypatch):
    """The changed-on-disk check runs again at the very end, after the slow part of the write."""
    path = team_workbook(tmp_path / "team.xlsx")
    colleague = team_workbook(tmp_path / "colleague.xlsx").read_bytes()
    check = xlsx_file.check_written

    def excel_saves_meanwhile(written, sheets):
        check(written, sheets)
        temp = path.with_name("excel-temp")
        temp.write_bytes(colleague)
        os.replace(temp, path)  # Excel saves through a temporary file and a rename, too

    monkeypatch.setattr(xlsx_file, "check_written", excel_saves_meanwhile)
    assert refused(run("chase-summary", path), "被别人修改过")
    assert path.read_bytes() == colleague
    assert files_beside(path) == sorted([BACKUP_DIR, "colleague.xlsx", "team.xlsx"])
    assert not list((tmp_path / BACKUP_DIR).glob(".*"))


def _protect_sheet(data: bytes) -> bytes:
    return data.replace(b"</sheetData>", b'</sheetData><sheetProtection sheet="1" objects="1" scenarios="1"/>')


def _lock_structure(data: bytes) -> bytes:
    return data.replace(b"<bookViews>", b'<workbookProtection lockStructure="1"/><bookViews>')


@pytest.mark.parametrize(
    "part, protect, command, words",
    [
        ("xl/worksheets/sheet3.xml", _protect_sheet, HANDOVER, ["「交接表」", "工作表保护"]),
        ("xl/workbook.xml", _lock_structure, ["daily-totals"], ["工作簿结构保护", "「日汇总」"]),
        ("xl/workbook.xml", _lock_structure, ["chase-summary"], ["工作簿结构保护", "「催款汇总表」"]),
    ],
)
def test_a_protected_sheet_or_workbook_structure_is_not_written_around(tmp_path, part, protect, command, words):
    path = edit_part(team_workbook(tmp_path / "team.xlsx"), part, protect)
    before = path.read_bytes()
    assert refused(run(command[0], path, *command[1:]), *words)
    assert path.read_bytes() == before and files_beside(path) == ["team.xlsx"]


@pytest.mark.parametrize(
    "protection, command",
    [
        (b'<workbookProtection lockStructure="1"/>', HANDOVER),  # cells of an unprotected sheet may change
        (b'<workbookProtection lockWindows="1"/>', ["daily-totals"]),  # only the window layout is locked
        (b'<workbookProtection lockStructure="0"/>', ["chase-summary"]),
    ],
)
def test_protection_elsewhere_does_not_stop_a_command(tmp_path, protection, command):
    path = edit_part(team_workbook(tmp_path / "team.xlsx"), "xl/worksheets/sheet1.xml", _protect_sheet)
    edit_part(path, "xl/workbook.xml", lambda data: data.replace(b"<bookViews>", protection + b"<bookViews>"))
    assert run(command[0], path, *command[1:]).exit_code == 0


def test_a_full_disk_changes_nothing(tmp_path, monkeypatch):
    path = team_workbook(tmp_path / "team.xlsx")
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(xlsx_file.os, "fsync", full)
    assert refused(run(*HANDOVER[:1], path, *HANDOVER[1:]), "磁盘已满")
    assert path.read_bytes() == before and files_beside(path) == ["team.xlsx"]


PIVOT_CACHE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<pivotCacheDefinition xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" recordCount="2">'
    '<cacheSource type="worksheet"><worksheetSource ref="A1:F3" sheet="退件表"/></cacheSource>'
    '<cacheFields count="1"><cacheField name="退回类型" numFmtId="0"><sharedItems/></cacheField></cacheFields>'
    "</pivotCacheDefinition>"
).encode()


def macro_workbook(path):
    """The team workbook saved as .xlsm with a VBA project and a pivot cache, as Excel would keep them."""
    import xlsxwriter

    from workbook_tools.addin.build import PROJECT
    from workbook_tools.addin.vba_project import DOCUMENT, Module, vba_project_bin

    plain = team_workbook(path.with_suffix(".xlsx"))
    vba = vba_project_bin(PROJECT, [Module("ThisWorkbook", DOCUMENT, ""), Module("Sheet1", DOCUMENT, "")])
    book = xlsxwriter.Workbook(path)
    book.add_vba_project(io.BytesIO(vba), is_stream=True)
    book.add_worksheet("说明").write("A1", "宏和透视表")
    book.close()
    with zipfile.ZipFile(path) as source:
        vba_part = source.read("xl/vbaProject.bin")
    out = io.BytesIO()
    with zipfile.ZipFile(plain) as team, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in team.infolist():
            data = team.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(
                    b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                    b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                ).replace(
                    b"</Types>",
                    b'<Override PartName="/xl/vbaProject.bin" ContentType="application/vnd.ms-office.'
                    b'vbaProject"/><Override PartName="/xl/pivotCache/pivotCacheDefinition1.xml" ContentType="'
                    b'application/vnd.openxmlformats-officedocument.spreadsheetml.pivotCacheDefinition+xml"/></Types>',
                )
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId90" Type="http://schemas.microsoft.com/'
                    b'office/2006/relationships/vbaProject" Target="vbaProject.bin"/><Relationship '
                    b'Id="rId91" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    b'relationships/pivotCacheDefinition" Target="pivotCache/pivotCacheDefinition1.xml"/>'
                    b"</Relationships>",
                )
            target.writestr(info, data)
        target.writestr("xl/vbaProject.bin", vba_part)
        target.writestr("xl/pivotCache/pivotCacheDefinition1.xml", PIVOT_CACHE)
    path.write_bytes(out.getvalue())
    plain.unlink()
    return path


def test_a_vba_project_and_a_pivot_cache_come_through_every_command_unchanged(tmp_path):
    path = macro_workbook(tmp_path / "team.xlsm")
    with zipfile.ZipFile(path) as package:
        before = {n: package.read(n) for n in package.namelist()}
    for command in (HANDOVER, ["acknowledge", "--agent", "阿强"], ["daily-totals"], ["chase-summary"]):
        result = run(command[0], path, *command[1:])
        assert result.exit_code == 0, result.output
    with zipfile.ZipFile(path) as package:
        after = {n: package.read(n) for n in package.namelist()}
    for part in (
        "xl/vbaProject.bin",
        "xl/pivotCache/pivotCacheDefinition1.xml",
        "xl/media/image1.png",
        "xl/charts/chart1.xml",
        "xl/comments1.xml",
    ):
        assert after[part] == before[part], part
    assert b"macroEnabled.main+xml" in after["[Content_Types].xml"]
    assert b"vbaProject.bin" in after["xl/_rels/workbook.xml.rels"]


def _damage_changed_sheet(data: bytes) -> bytes:
    """The package with 催款汇总表's XML cut short: a writer bug calamine must catch when reading back."""
    from workbook_tools.xlsx.opc import Package

    package = Package(data)
    part = package.sheet_parts()["催款汇总表"]
    package.put(part, package.read(part)[:200])
    return package.to_bytes()


def _damage_copied_part(data: bytes) -> bytes:
    """One byte of a part we copied unchanged flipped on its way out: only its checksum can tell."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        info = package.getinfo("xl/styles.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra) + 10
    return data[:start] + bytes([data[start] ^ 0xFF]) + data[start + 1 :]


@pytest.mark.parametrize("damage", [_damage_changed_sheet, _damage_copied_part])
def test_a_written_file_that_does_not_read_back_replaces_nothing(tmp_path, monkeypatch, damage):
    from workbook_tools.xlsx import package as xlsx_package

    path = team_workbook(tmp_path / "team.xlsx")
    before = path.read_bytes()
    apply = xlsx_package.apply_changes
    monkeypatch.setattr(xlsx_package, "apply_changes", lambda *args: damage(apply(*args)))
    assert refused(run("chase-summary", path), "读回校验没有通过")
    assert path.read_bytes() == before
    assert files_beside(path) in (["team.xlsx"], sorted(["team.xlsx", BACKUP_DIR]))
    assert not list(tmp_path.glob(".*.tmp"))


def test_excels_start_up_folder_gets_the_add_in_and_nothing_beside_it(tmp_path):
    """Excel opens every file in its start-up folder: no lock or temporary file of ours may stay there."""
    addin = tmp_path / "XLSTART" / "WorkbookTools.xlam"
    assert run("build-addin", "--out", addin).exit_code == 0
    assert sorted(p.name for p in addin.parent.iterdir()) == ["WorkbookTools.xlam"]
