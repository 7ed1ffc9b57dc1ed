"""Writing workbooks safely: a changed workbook is written beside the original, checked, then swapped in.

Refuses when the workbook is open in Excel, WPS or LibreOffice, or changed since it was read;
keeps the replaced version as a backup.
"""

from __future__ import annotations

import errno
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from workbook_tools.core.changes import Change
from workbook_tools.core.tables import Grid
from workbook_tools.errors import OutputError
from workbook_tools.xlsx.reader import check_workbook_file, grids_of

BACKUP_DIR = "workbook-tools-backups"
BACKUPS_KEPT = 20  # per workbook; older ones are removed


def lock_files(path: Path) -> list[Path]:
    """Owner files Excel, WPS and LibreOffice keep beside a workbook while it is open."""
    names = {f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"}
    return [path.with_name(n) for n in sorted(names) if path.with_name(n).exists()]


def refuse_if_open(path: Path) -> None:
    if lock_files(path):
        raise OutputError(
            f"「{path.name}」正在 Excel 中打开（或上次没有正常关闭），请先关闭它再试；"
            f"确认没人打开时，可删除同目录下的 ~${path.name}。"
        )


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


@dataclass(frozen=True)
class WorkbookFile:
    """A workbook read once: its grids for the core, its bytes for applying changes."""

    path: Path
    data: bytes
    stamp: tuple[int, int]

    @classmethod
    def open(cls, path: Path) -> WorkbookFile:
        check_workbook_file(path)
        stamp = _stamp(path)
        return cls(path, path.read_bytes(), stamp)

    def grids(self) -> list[Grid]:
        return grids_of(self.data, self.path.name)

    def save(self, changes: Iterable[Change], out: Path | None = None) -> Path:
        """Apply `changes` and write to `out`, or safely over the file itself (keeping a backup: `backup_of`)."""
        from workbook_tools.xlsx.package import apply_changes
        from workbook_tools.xlsx.templates import build_generated_sheet

        target = out or self.path
        refuse_if_open(self.path)
        if target != self.path:
            refuse_if_open(target)
        changes = list(changes)
        updated = apply_changes(self.data, changes, build_generated_sheet)
        if target == self.path:
            if _stamp(self.path) != self.stamp:
                raise OutputError(
                    f"「{self.path.name}」在处理期间被别人修改过，为免覆盖对方的改动，没有写入；请重新运行。"
                )
            backup(self.path, self.data)
        changed = {change.sheet for change in changes}
        write_new_file(target, updated, overwrite=True, check=lambda written: check_written(written, changed))
        return target


def check_written(path: Path, sheets: set[str]) -> None:
    """A file we wrote reads back: every part matches its checksum, and calamine reads the sheets we changed.

    The parts we did not change were copied byte for byte, so their checksums are
    the whole check for them; reading every sheet again would cost a second full read.
    """
    try:
        with zipfile.ZipFile(path) as package:
            damaged = package.testzip()
        grids_of(path.read_bytes(), path.name, only=sheets)  # within bounds: a stray cell must not abort the check
    except Exception as exc:  # zipfile, zlib and calamine each raise their own types
        raise WrittenBadly(str(exc)) from exc
    if damaged is not None:
        raise WrittenBadly(damaged)


def backup_folder(path: Path) -> Path:
    return path.parent / BACKUP_DIR


def backup(path: Path, data: bytes) -> Path:
    """The version about to be replaced, kept as <folder>/workbook-tools-backups/<name>-<time>.xlsx."""
    folder = backup_folder(path)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{path.stem}-{stamp}{path.suffix}"
    write_new_file(target, data, overwrite=True)
    for old in sorted(folder.glob(f"{path.stem}-*{path.suffix}"))[:-BACKUPS_KEPT]:
        old.unlink()
    return target


class WrittenBadly(Exception):
    """What was written to the temporary file did not read back."""


def write_new_file(
    path: Path, data: bytes, overwrite: bool = False, check: Callable[[Path], None] | None = None
) -> None:
    """Write a file through a temporary file beside it, `check` that, then rename it over the target atomically."""
    if path.exists() and not overwrite:
        raise OutputError(f"「{path}」已存在，请换一个文件名，或加 --force 覆盖。")
    if path.exists():
        refuse_if_open(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        if check is not None:
            check(Path(temp))
        os.replace(temp, path)
    except WrittenBadly as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(
            f"写出的文件读回校验没有通过，没有替换「{path.name}」，原文件没有改动；"
            "请重试，仍不行请把原文件交给维护人员。"
        ) from exc
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        if exc.errno == errno.ENOSPC:
            raise OutputError(f"磁盘已满，没有写入「{path.name}」，原文件没有改动；请清理磁盘空间后再试。") from exc
        raise OutputError(f"无法写入「{path}」：{exc.strerror or exc}，请检查写入权限。") from exc
