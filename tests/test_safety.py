"""Writing in place: a backup the user can find, and a full disk leaves everything as it was."""
from __future__ import annotations

import errno
import os

from click.testing import CliRunner

from test_writing import team_workbook
from workbook_tools import xlsx_file
from workbook_tools.cli import cli
from workbook_tools.xlsx_file import BACKUP_DIR, BACKUPS_KEPT


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


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
    leftovers = [p for p in tmp_path.rglob("*") if p.is_file() and p != path]
    assert leftovers == []
