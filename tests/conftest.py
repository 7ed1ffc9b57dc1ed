from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from libreoffice import LibreOffice, require_libreoffice

TODAY = date(2026, 11, 22)
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture(scope="session")
def libreoffice(tmp_path_factory: pytest.TempPathFactory) -> LibreOffice:
    return LibreOffice(require_libreoffice(), tmp_path_factory.mktemp("libreoffice"))


def write_xlsx(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    """A workbook as another program would write it (openpyxl, not our builder)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path
