"""Render a workbook's 日汇总 tab to PDF and PNG, to look at what the leads will see.

    python tools/render_daily.py WORKBOOK.xlsx OUT_DIR

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

from workbook_tools.spec.reports import DAILY

ONE_PAGE_PER_SHEET = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'


def render(workbook: Path, out_dir: Path) -> Path:
    names = CalamineWorkbook.from_path(str(workbook)).sheet_names
    if DAILY.title not in names:
        raise SystemExit(f"{workbook.name} 里没有「{DAILY.title}」表，先运行 workbook-tools daily-totals。")
    page = names.index(DAILY.title) + 1
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                shutil.which("soffice") or "soffice",
                f"-env:UserInstallation={Path(profile).as_uri()}",
                "--headless",
                "--convert-to",
                ONE_PAGE_PER_SHEET,
                "--outdir",
                str(out_dir),
                str(workbook),
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    pdf = out_dir / f"{workbook.stem}.pdf"
    png_stem = out_dir / f"{workbook.stem}-{DAILY.title}"
    subprocess.run(
        ["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", str(page), "-l", str(page), str(pdf), str(png_stem)],
        check=True,
        timeout=120,
    )
    return png_stem.with_suffix(".png")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    print(render(Path(sys.argv[1]), Path(sys.argv[2])))
