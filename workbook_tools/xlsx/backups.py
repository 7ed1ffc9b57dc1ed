"""The version a command replaces, kept beside the workbook where its users can find and open it.

A backup is named `<stem>-<YYYYMMDD-HHMMSS-ffffff><suffix>` in the folder
`workbook-tools-backups` next to the workbook. The time stamp has a fixed
shape at the end of the name, so a name belongs to exactly one workbook: the
backups of `team.xlsx`, `team-1.xlsx` and `team-北区.xlsx` are told apart, and
pruning removes only the workbook's own, never the one just made. Microseconds
keep two backups made within a second apart.
"""

from __future__ import annotations

import os
import re
from datetime import datetime, timedelta
from pathlib import Path

BACKUP_DIR = "workbook-tools-backups"
BACKUPS_KEPT = 20  # per workbook; older ones are removed
# The fixed-shape stamp at the end; earlier versions wrote it without microseconds.
_NAME = re.compile(r"(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}(?:-\d{6})?)(?P<suffix>\.[^.]+)")


def backup_folder(workbook: Path) -> Path:
    return workbook.parent / BACKUP_DIR


def backup_name(workbook: Path, moment: datetime) -> str:
    return f"{workbook.stem}-{moment:%Y%m%d-%H%M%S-%f}{workbook.suffix}"


def owner_of(name: str) -> tuple[str, str] | None:
    """(stem, suffix) of the workbook a backup file name belongs to, or None for anything else."""
    match = _NAME.fullmatch(name)
    return (match["stem"], match["suffix"]) if match else None


def backups_of(workbook: Path) -> list[Path]:
    """This workbook's backups, oldest first."""
    folder = backup_folder(workbook)
    if not folder.is_dir():
        return []
    key = (os.path.normcase(workbook.stem), os.path.normcase(workbook.suffix))
    own = []
    for path in folder.iterdir():
        owner = owner_of(path.name)
        if owner and (os.path.normcase(owner[0]), os.path.normcase(owner[1])) == key and path.is_file():
            own.append(path)
    return sorted(own, key=lambda p: _NAME.fullmatch(p.name)["stamp"])  # type: ignore[index]


def free_backup_path(workbook: Path) -> Path:
    """A backup name not yet taken (the clock can repeat a microsecond, or be set back)."""
    moment = datetime.now()
    while True:
        path = backup_folder(workbook) / backup_name(workbook, moment)
        if not path.exists():
            return path
        moment += timedelta(microseconds=1)


def prune(workbook: Path, made: Path) -> None:
    """Remove this workbook's oldest backups beyond BACKUPS_KEPT; `made` always stays."""
    older = [p for p in backups_of(workbook) if p != made]
    for old in older[: max(0, len(older) - (BACKUPS_KEPT - 1))]:
        old.unlink(missing_ok=True)
