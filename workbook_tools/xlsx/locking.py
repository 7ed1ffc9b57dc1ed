"""One writer at a time per workbook, and nothing left behind by a writer that was killed.

Every command that writes a workbook holds a lock of ours beside it from the
moment it reads the workbook until the new version has replaced it, so two
colleagues who click at once take turns: the second waits, then works on the
first one's result. The lock is filelock's native lock (flock on macOS and
Linux, LockFileEx on Windows, which a Windows file server enforces for every PC
on the share): the operating system releases it when its holder exits or is
killed, so a stale lock never blocks anyone and needs no guessing from process
ids or ages. Where a file system has no such locks, filelock falls back to an
exclusive marker file that it recovers when the process that made it is gone.

Temporary files carry the workbook's name; while the lock is held no other
writer of that workbook can be running, so any temporary file of it still there
was left by a writer that died, and is removed.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from workbook_tools.errors import WorkbookBusy

LOCK_WAIT_SECONDS = 30.0  # how long a second writer waits for the first before it gives up
_MARK = "workbook-tools"


def lock_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{_MARK}.lock")


def temp_path(owner: Path, folder: Path) -> Path:
    """A fresh temporary file in `folder` for a write on behalf of workbook `owner` (recognisable as its own)."""
    return folder / f".{owner.name}.{_MARK}.{secrets.token_hex(6)}.tmp"


def leftovers(owner: Path, folders: Iterable[Path]) -> list[Path]:
    """Temporary files of `owner` in `folders`; only safe to remove while holding `owner`'s lock."""
    prefix, found = f".{owner.name}.{_MARK}.", []
    for folder in folders:
        if folder.is_dir():
            found += [p for p in folder.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    return sorted(found)


@contextmanager
def holding(path: Path, folders: Iterable[Path] = ()) -> Iterator[None]:
    """Hold `path`'s lock (waiting up to LOCK_WAIT_SECONDS), first removing what a killed writer left in `folders`."""
    lock = FileLock(lock_path(path), mode=0o666)  # colleagues on a shared folder must be able to take it too
    wait = LOCK_WAIT_SECONDS
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise WorkbookBusy(
            f"「{path.name}」正在被另一个 workbook-tools 命令写入（可能是同事同时点了按钮），"
            f"等了 {wait:.0f} 秒还没写完，这次没有写入；请稍后再试。"
        ) from None
    try:
        for stale in leftovers(path, [path.parent, *folders]):
            stale.unlink(missing_ok=True)
        yield
    finally:
        lock.release()
