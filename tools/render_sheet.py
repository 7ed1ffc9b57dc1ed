"""Render one sheet of a workbook to PDF and PNG with LibreOffice, to look at it as a person will.

    python tools/render_sheet.py WORKBOOK.xlsx SHEET OUT_DIR      # e.g. 交接表 or 日汇总

Each sheet becomes one page of the PDF, whole (LibreOffice's "SinglePageSheets"),
with rows a team hid left out, as Excel shows them; the PNG is that sheet's page.
Needs LibreOffice (soffice) and poppler's pdftoppm, plus a CJK font
(Debian: fonts-wqy-zenhei) for the Chinese text to show.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from python_calamine import CalamineWorkbook

ONE_PAGE_PER_SHEET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
DPI = 80


def page_of(workbook: Path, sheet: str) -> int:
    """The PDF page (1-based) a sheet lands on: one page per sheet, in workbook order."""
    names = CalamineWorkbook.from_path(str(workbook)).sheet_names
    if sheet not in names:
        raise SystemExit(f"{workbook.name} 里没有「{sheet}」表（有：{'、'.join(names)}）。")
    return names.index(sheet) + 1


def to_pdf(workbooks: list[Path], out_dir: Path, soffice: str | None = None, profile: Path | None = None) -> list[Path]:
    """Each workbook as a PDF in `out_dir`, in one run of LibreOffice (a fresh profile unless one is given)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        command = [
            soffice or shutil.which("soffice") or "soffice",
            f"-env:UserInstallation={(profile or Path(scratch)).as_uri()}",
            "--headless",
            "--convert-to",
            ONE_PAGE_PER_SHEET,
            "--outdir",
            str(out_dir),
            *map(str, workbooks),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=300)
    return [out_dir / f"{workbook.stem}.pdf" for workbook in workbooks]


def to_png(pdf: Path, page: int, out_stem: Path, dpi: int = DPI) -> Path:
    """One page of a PDF as `out_stem`.png."""
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf), str(out_stem)],
        check=True,
        timeout=120,
    )
    return out_stem.with_suffix(".png")


def render(workbook: Path, sheet: str, out_dir: Path) -> Path:
    page = page_of(workbook, sheet)
    (pdf,) = to_pdf([workbook], out_dir)
    return to_png(pdf, page, out_dir / f"{workbook.stem}-{sheet}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    print(render(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])))
