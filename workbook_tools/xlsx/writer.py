"""Writing workbooks safely where a team keeps them: a shared folder, several people, buttons clicked at once.

- One writer at a time (`locking.holding`), held from the read to the replace:
  two clicks at once take turns instead of one losing the other's change.
- The new version goes to a temporary file beside the workbook, is read back
  and checked against the rules Excel enforces (`checks.new_problems`), then
  replaces the workbook with one rename: the workbook is always the old or the
  new complete file, whenever the process is killed.
- Refuses when the workbook is open in Excel, WPS or LibreOffice, read-only,
  protected where the command would write, or changed since it was read
  (checked again just before the rename).
- Keeps the replaced version as a backup (`backups`), and the workbook's mode
  and group, so colleagues can still open it and its backups.
- A workbook reached through a symbolic link is written where it really lives.
"""

from __future__ import annotations

import errno
import os
import stat
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path

from workbook_tools.core.changes import Change
from workbook_tools.core.tables import Grid
from workbook_tools.errors import OutputError, WorkbookChanged, WouldNeedRepair
from workbook_tools.xlsx.backups import backup_folder, free_backup_path, prune
from workbook_tools.xlsx.checks import RULES, new_problems
from workbook_tools.xlsx.locking import holding, temp_path
from workbook_tools.xlsx.protection import refuse_protected
from workbook_tools.xlsx.reader import WORKBOOK_SUFFIXES, check_workbook_file, grids_of


def lock_files(path: Path) -> list[Path]:
    """Owner files Excel, WPS and LibreOffice keep beside a workbook while it is open."""
    names = {f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"}
    return [path.with_name(n) for n in sorted(names) if path.with_name(n).exists()]


def refuse_if_open(*paths: Path) -> None:
    for path in paths:
        if lock_files(path):
            raise OutputError(
                f"「{path.name}」正在 Excel 中打开（或上次没有正常关闭），请先关闭它再试；"
                f"确认没人打开时，可删除同目录下的 ~${path.name}。"
            )


@dataclass(frozen=True)
class Snapshot:
    """Which file a path held, and which version of it: a save by Excel changes one of these."""

    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, info: os.stat_result | None) -> Snapshot | None:
        return None if info is None else cls(info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None


@dataclass(frozen=True)
class Saved:
    path: Path
    backup: Path | None  # the version it replaced, if it replaced one


@dataclass(frozen=True)
class WorkbookFile:
    """A workbook read once: its grids for the core, its bytes for applying changes."""

    path: Path
    data: bytes
    snapshot: Snapshot | None
    locked: bool = False  # opened through `editing`: no other writer can run until it is left

    @classmethod
    def open(cls, path: Path) -> WorkbookFile:
        check_workbook_file(path)
        info = _stat(path)
        return cls(path, path.read_bytes(), Snapshot.of(info))

    @classmethod
    @contextmanager
    def editing(cls, path: Path) -> Iterator[WorkbookFile]:
        """Open a workbook to change it, holding its lock until the block ends (after `save`)."""
        check_workbook_file(path)
        with ExitStack() as stack:
            _hold(stack, path.resolve())
            yield replace(cls.open(path), locked=True)

    def grids(self) -> list[Grid]:
        return grids_of(self.data, self.path.name)

    def prepare(self, changes: Iterable[Change]) -> bytes:
        """The package with `changes` applied, in memory: whatever would refuse them refuses now, before anything
        else is done (the archive asks before it stores rows). `save(..., prepared=)` writes it."""
        from workbook_tools.xlsx.package import apply_changes
        from workbook_tools.xlsx.templates import build_generated_sheet

        changes = list(changes)
        refuse_protected(self.data, changes, self.path.name)
        return apply_changes(self.data, changes, build_generated_sheet)

    def save(
        self,
        changes: Iterable[Change],
        out: Path | None = None,
        force: bool = False,
        properties: Mapping[str, str] | None = None,
        prepared: bytes | None = None,
    ) -> Saved:
        """Apply `changes` (and set custom document `properties`) and write them over the workbook (keeping a
        backup), or to `out`; `prepared` is `prepare(changes)`, made earlier.

        `out` naming this same workbook (through another path or a link) is a write
        in place; `out` naming another file that exists needs `force`, and that file
        is backed up like the workbook itself.
        """
        from workbook_tools.xlsx.package import apply_changes
        from workbook_tools.xlsx.templates import build_generated_sheet

        changes = list(changes)
        in_place = out is None or _same_file(out, self.path)
        if in_place:
            refuse_if_open(self.path, self.path.resolve())
        if prepared is None:
            prepared = self.prepare(changes)
        updated = apply_changes(prepared, (), build_generated_sheet, properties) if properties else prepared
        sheets = {change.sheet for change in changes}

        def check(written: Path) -> None:
            check_written(written, sheets)
            refuse_repairs(self.data, written.read_bytes(), self.path.name)

        if in_place:
            expected = (self.snapshot, self.data)
            backup = write_new_file(
                self.path, updated, True, check, expected=expected, keep_backup=True, held=self.locked
            )
            return Saved(self.path, backup)
        assert out is not None
        return Saved(out, write_new_file(out, updated, force, check, keep_backup=True))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


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


def refuse_repairs(before: bytes, after: bytes, name: str) -> None:
    """Refuse a new version that breaks a rule Excel enforces (in the parts it changed) which `before` kept."""
    try:
        broken = new_problems(before, after)
    except Exception as exc:  # a part that does not parse: zipfile, zlib and lxml each raise their own types
        raise WrittenBadly(str(exc)) from exc
    if broken:
        raise WouldNeedRepair(
            f"写出的文件会让 Excel 提示修复（{broken[0].where}：{RULES[broken[0].rule]}），"
            f"这次没有写入，「{name}」没有改动；请把原文件交给维护人员。"
        )


class WrittenBadly(Exception):
    """What was written to the temporary file did not read back."""


def _refusal(exc: OSError, path: Path) -> OutputError:
    """The one line a user reads when the operating system refused a write."""
    if exc.errno == errno.ENOSPC:
        return OutputError(f"磁盘已满，没有写入「{path.name}」，原文件没有改动；请清理磁盘空间后再试。")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(
            f"没有在「{path.parent}」中写入的权限，「{path.name}」没有写入；请换一个有写入权限的文件夹，或请管理员开放权限。"
        )
    return OutputError(f"无法写入「{path}」：{exc.strerror or exc}，原文件没有改动；请检查文件夹和磁盘是否可用。")


def _hold(stack: ExitStack, real: Path) -> None:
    """Take `real`'s lock for the rest of `stack`, clearing what a killed writer left beside it and its backups."""
    try:
        stack.enter_context(holding(real, [backup_folder(real)]))
    except OSError as exc:
        raise _refusal(exc, real) from exc


def write_new_file(
    path: Path,
    data: bytes,
    overwrite: bool = False,
    check: Callable[[Path], None] | None = None,
    *,
    expected: tuple[Snapshot | None, bytes] | None = None,
    keep_backup: bool = False,
    held: bool = False,
) -> Path | None:
    """Write `data` to `path` (to the real file, through links) safely; return the backup of what it replaced.

    `expected` is the version a change was made from: anything else found there
    is someone's newer save and is not overwritten. `held` says the caller
    already holds the workbook's lock. Only workbooks, which colleagues share and
    edit, are locked: the add-in and its settings go to Excel's start-up folder,
    where Excel would try to open a lock file left beside them.
    """
    real = path.resolve()
    with ExitStack() as stack:
        if not held and real.suffix.lower() in WORKBOOK_SUFFIXES:
            _hold(stack, real)
        try:
            return _replace(path, real, data, overwrite, check, expected, keep_backup)
        except WrittenBadly as exc:
            raise OutputError(
                f"写出的文件读回校验没有通过，没有替换「{path.name}」，原文件没有改动；"
                "请重试，仍不行请把原文件交给维护人员。"
            ) from exc
        except OSError as exc:
            raise _refusal(exc, real) from exc


def _changed(path: Path) -> WorkbookChanged:
    return WorkbookChanged(f"「{path.name}」在处理期间被别人修改过，为免覆盖对方的改动，没有写入；请重新运行。")


def _replace(
    path: Path,
    real: Path,
    data: bytes,
    overwrite: bool,
    check: Callable[[Path], None] | None,
    expected: tuple[Snapshot | None, bytes] | None,
    keep_backup: bool,
) -> Path | None:
    info = _stat(real)
    old = None
    if info is not None:
        if not overwrite:
            raise OutputError(f"「{path}」已存在，请换一个文件名，或加 --force 覆盖。")
        refuse_if_open(path, real)
        _refuse_read_only(real, info)
        if keep_backup or expected is not None:
            old = real.read_bytes()
    if expected is not None and (Snapshot.of(info) != expected[0] or old != expected[1]):
        raise _changed(path)
    real.parent.mkdir(parents=True, exist_ok=True)
    temp = _write_temp(real, real.parent, data, info)
    try:
        if check is not None:
            check(temp)
        backup = _backup(real, old, info) if keep_backup and old is not None and info is not None else None
        if Snapshot.of(_stat(real)) != Snapshot.of(info):  # the last moment before the swap
            raise _changed(path)
        os.replace(temp, real)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _sync_folder(real.parent)
    return backup


def _refuse_read_only(real: Path, info: os.stat_result) -> None:
    """Read-only for everyone (the file's read-only attribute), or for this user: a rename would get around it."""
    if not info.st_mode & 0o222 or not os.access(real, os.W_OK):
        raise OutputError(
            f"「{real.name}」是只读文件，这次没有写入；确需更新时，请先在文件属性中取消“只读”，或请有写入权限的同事运行。"
        )


def _write_temp(owner: Path, folder: Path, data: bytes, like: os.stat_result | None) -> Path:
    """`data` in a new temporary file of `owner`'s, durable on disk, with the mode and group of `like`."""
    temp = temp_path(owner, folder)
    handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            if like is not None:
                _keep_access(out.fileno(), like, owner)
            os.fsync(out.fileno())
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return temp


def _keep_access(handle: int, like: os.stat_result, owner: Path) -> None:
    """The new version gets the old one's permissions and group, so whoever could open it still can.

    A write replaces the file, and a new file would otherwise get the writer's
    umask and primary group: colleagues of a group-shared workbook would lose it.
    Windows gives a new file its folder's permissions, as it gave the old one.
    """
    if os.name != "posix":
        return
    if os.fstat(handle).st_gid != like.st_gid:
        try:
            os.fchown(handle, -1, like.st_gid)
        except PermissionError:
            raise OutputError(
                f"「{owner.name}」属于共享组（组号 {like.st_gid}），你不在这个组里，写入后同事会打不开它，"
                "这次没有写入；请让组里的同事运行，或请管理员把你加入该组。"
            ) from None
    os.fchmod(handle, stat.S_IMODE(like.st_mode))


def _backup(real: Path, data: bytes, like: os.stat_result) -> Path:
    """Keep `data`, the version about to be replaced, where the workbook's users can open it."""
    folder = backup_folder(real)
    _make_folder_like(folder, real.parent)
    target = free_backup_path(real)
    temp = _write_temp(real, folder, data, like)
    try:
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    prune(real, target)
    return target


def _make_folder_like(folder: Path, parent: Path) -> None:
    """A new backup folder, open to the same people as the workbook's folder."""
    try:
        folder.mkdir()
    except FileExistsError:
        return
    if os.name == "posix":
        info = parent.stat()
        with suppress(PermissionError):  # then its mode, copied below, is what lets colleagues in
            os.chown(folder, -1, info.st_gid)
        os.chmod(folder, stat.S_IMODE(info.st_mode))


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX keeps directory entries in the folder's own data)."""
    if os.name != "posix":
        return
    with suppress(OSError):
        handle = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
