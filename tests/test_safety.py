"""Writing in place: a backup the user can find, and a full disk leaves everything as it was."""

from __future__ import annotations

import errno
import io
import os

import pytest

from workbook_tools.xlsx import writer as xlsx_file
from workbook_tools.xlsx.backups import BACKUP_DIR, BACKUPS_KEPT
from workbook_tools.xlsx.locking import lock_path

from conftest import run, team_workbook


def test_the_version_replaced_is_kept_and_the_user_is_told_where(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    before = path.read_bytes()
    result = run("chase-summary", path)
    assert result.exit_code == 0 and BACKUP_DIR in result.stderr
    (backup,) = (tmp_path / BACKUP_DIR).iterdir()
    assert backup.name.startswith("team-") and backup.read_bytes() == before != path.read_bytes()


def test_only_the_newest_backups_are_kept(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx")
    folder = tmp_path / BACKUP_DIR
    folder.mkdir()
    for n in range(BACKUPS_KEPT + 5):
        (folder / f"team-20260101-0000{n:02d}.xlsx").write_bytes(b"old")
    (folder / "other-20260101-000000.xlsx").write_bytes(b"another workbook's")
    assert run("chase-summary", path).exit_code == 0
    assert len(list(folder.glob("team-*.xlsx"))) == BACKUPS_KEPT
    assert (folder / "other-20260101-000000.xlsx").exists()


def test_a_full_disk_changes_nothing(tmp_path, monkeypatch):
    path = team_workbook(tmp_path / "team.xlsx")
    before = path.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(xlsx_file.os, "fsync", full)
    result = run("handover", path, "--from", "小美", "--to", "阿强")
    assert result.exit_code == 2 and "磁盘已满" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p not in (path, lock_path(path))]
    assert leftovers == []


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
    import io
    import zipfile

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
    import zipfile

    path = macro_workbook(tmp_path / "team.xlsm")
    with zipfile.ZipFile(path) as package:
        before = {n: package.read(n) for n in package.namelist()}
    for command in (
        ["handover", "--from", "小美", "--to", "阿强"],
        ["acknowledge", "--agent", "阿强"],
        ["daily-totals"],
        ["chase-summary"],
    ):
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
    from workbook_tools.xlsx.package import Package

    package = Package(data)
    part = package.sheet_parts()["催款汇总表"]
    package.put(part, package.read(part)[:200])
    return package.to_bytes()


def _damage_copied_part(data: bytes) -> bytes:
    """One byte of a part we copied unchanged flipped on its way out: only its checksum can tell."""
    import zipfile

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
    result = run("chase-summary", path)
    assert result.exit_code == 2 and "读回校验没有通过" in result.stderr and "Traceback" not in result.stderr
    assert path.read_bytes() == before
    left = sorted(p.name for p in tmp_path.iterdir() if p != lock_path(path))
    assert left in (["team.xlsx"], sorted(["team.xlsx", BACKUP_DIR]))
    assert not list(tmp_path.glob(".*.tmp"))
