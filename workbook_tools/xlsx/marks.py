"""What a workbook file carries of its archive, read from the file as saved (by the CLI and by the buttons)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from workbook_tools.core.archive import ArchiveMark
from workbook_tools.xlsx.opc import Package
from workbook_tools.xlsx.properties import archive_mark


def archive_mark_at(path: Path) -> ArchiveMark | None:
    """The mark of the workbook at `path`; None when it has none or cannot be read as a workbook package (an
    encrypted or damaged file, a folder): the archive only ever rewrites packages it can read, so such a file
    was never archived."""
    try:
        return archive_mark(Package(path.read_bytes()))
    except (OSError, KeyError, zipfile.BadZipFile, etree.LxmlError):
        return None
