"""LibreOffice as a second, independent spreadsheet engine.

It opens what we write, recalculates every formula (forced on load through a
private profile), and exports each sheet as CSV for the test to compare.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
REQUIRED = os.environ.get("WORKBOOK_TOOLS_REQUIRE_LIBREOFFICE") == "1"
# Field sep ",", quote '"', UTF-8, from line 1, ..., export every sheet (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1"
RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def require_libreoffice() -> str:
    if SOFFICE is None:
        if REQUIRED:
            pytest.fail("WORKBOOK_TOOLS_REQUIRE_LIBREOFFICE=1 but soffice is not installed")
        pytest.skip("LibreOffice (soffice) is not installed")
    return SOFFICE


class LibreOffice:
    def __init__(self, soffice: str, workdir: Path) -> None:
        self.soffice = soffice
        self.workdir = workdir
        profile = workdir / "profile"
        (profile / "user").mkdir(parents=True, exist_ok=True)
        (profile / "user" / "registrymodifications.xcu").write_text(RECALC_ALWAYS, encoding="utf-8")
        self.profile_url = profile.as_uri()
        self.runs = 0

    def convert(self, paths: Path | list[Path], target: str) -> Path:
        """Convert one file or several in one run of LibreOffice (it starts in about a second)."""
        self.runs += 1
        out = self.workdir / f"out{self.runs}"
        out.mkdir()
        files = [str(p) for p in (paths if isinstance(paths, list) else [paths])]
        command = [
            self.soffice,
            f"-env:UserInstallation={self.profile_url}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(out),
            *files,
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
        return out

    def sheets(self, path: Path) -> dict[str, list[list[str]]]:
        """Every sheet of `path`, recalculated, as rows of displayed strings."""
        return self.sheets_of([path])[path]

    def sheets_of(self, paths: list[Path]) -> dict[Path, dict[str, list[list[str]]]]:
        """`sheets` for several workbooks (distinct names), converted in one run."""
        out = self.convert(paths, CSV_FILTER)
        found: dict[Path, dict[str, list[list[str]]]] = {path: {} for path in paths}
        for csv_path in sorted(out.glob("*.csv")):
            path = next(p for p in paths if csv_path.stem.startswith(p.stem + "-"))
            with csv_path.open(encoding="utf-8", newline="") as handle:
                found[path][csv_path.stem[len(path.stem) + 1 :]] = list(csv.reader(handle))
        for path, sheets in found.items():
            assert sheets, f"LibreOffice wrote no CSV for {path.name}"
        return found
