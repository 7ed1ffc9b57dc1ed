"""The 交接表 a person reads: wrapped texts, urgent rows coloured, rows handed on hidden."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import pytest
from openpyxl.styles import PatternFill

from workbook_tools.core.handover import DUE_THIS_SHIFT, OVERDUE
from workbook_tools.spec.lists import HANDOVER_STATE
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.sheets import HANDOVER as H
from workbook_tools.xlsx.templates import TEMPLATE_DIR

from conftest import ROOT, run, write_xlsx

FIRST, SECOND = "2026-11-22 18:00", "2026-11-23 08:00"
TEAM_ORDER = ["状态", "交接处理", "买家ID", "时间", "承接人", "交接人", "订单号"]  # the team's own layout
TEAM_FILL = "FFCCE5FF"


def team_book(path: Path, hide: object = None) -> Path:
    """Two open returns (one overdue at the first handover) and the team's own 交接表, one row coloured by hand."""
    sheets = {
        "退件表": [
            ["日期", "物流单号", "ID号", "订单编码", "退回类型", "产品名称", "数量", "解决方案", "处理结果"],
            ["2026-11-12", "SF1", "小鱼儿爱吃糖", "SO1", "过敏", "紧致眼霜 15g", 1, "退款", None],
            ["2026-11-21", "SF3", "cherry_lin", "SO3", "发货问题", "氨基酸洗面奶 100g", 1, "重发", "待处理"],
        ],
        "交接表": [TEAM_ORDER, ["已完成", "团队自己写的一行", "jenny王", "2026-11-20 18:00", "阿强", "小美", "SO9"]],
    }
    if hide is not None:
        sheets["设置"] = [["规则", "数值"], [RULES.hide_passed_on.title, hide]]
    write_xlsx(path, sheets)
    book = openpyxl.load_workbook(path)
    book["交接表"]["B2"].fill = PatternFill("solid", fgColor=TEAM_FILL)
    book.save(path)
    return path


def handovers(path: Path) -> openpyxl.worksheet.worksheet.Worksheet:
    """Two handovers in a row (the second hands the first one's rows on), read back."""
    for at, names in ((FIRST, ("小美", "阿强")), (SECOND, ("阿强", "小美"))):
        result = run("handover", path, "--from", names[0], "--to", names[1], "--at", at)
        assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(path)["交接表"]


def column(sheet, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


def rules(sheet) -> list[tuple[str, str]]:
    return [(str(area.sqref), rule.formula[0]) for area in sheet.conditional_formatting for rule in area.rules]


def test_the_template_puts_deadline_and_type_beside_the_buyer_and_wraps_the_long_texts():
    sheet = openpyxl.load_workbook(TEMPLATE_DIR / "handover.xlsx")[H.title]
    headers = [c.value for c in sheet[1]]
    buyer = headers.index(H.buyer_id.header)
    assert headers[buyer + 1 : buyer + 3] == [H.due_at.header, H.item_type.header]
    for wrapped in (H.instruction, H.details, H.progress):
        letter = sheet.cell(1, headers.index(wrapped.header) + 1).column_letter
        assert sheet.column_dimensions[letter].width >= 28
        assert sheet.column_dimensions[letter].alignment.wrap_text  # the column's style: typing wraps too
    assert not sheet.column_dimensions[sheet.cell(1, buyer + 1).column_letter].alignment.wrap_text
    marks = [formula for _, formula in rules(sheet)]
    assert len(marks) == 2 and OVERDUE in marks[0] and DUE_THIS_SHIFT in marks[1]


def test_a_teams_own_handover_sheet_gets_wrapping_colours_once_and_its_handed_on_rows_hidden(tmp_path):
    sheet = handovers(team_book(tmp_path / "team.xlsx"))
    assert [c.value for c in sheet[1]][: len(TEAM_ORDER)] == TEAM_ORDER  # the team's order stays
    state, text = column(sheet, H.state.header), column(sheet, H.instruction.header)
    written = [r for r in range(3, sheet.max_row + 1) if sheet.cell(r, text).value]
    assert len(written) == 4 and all(sheet.cell(r, text).alignment.wrap_text for r in written)
    assert not sheet.cell(2, text).alignment.wrap_text and sheet.cell(2, text).fill.fgColor.rgb == TEAM_FILL
    passed_on = [r for r in written if sheet.cell(r, state).value == HANDOVER_STATE.PASSED_ON]
    assert len(passed_on) == 2
    assert sorted(r for r, d in sheet.row_dimensions.items() if d.hidden) == passed_on
    found = rules(sheet)
    assert len(found) == 2  # added by the first handover, not again by the second
    letters = {sheet.cell(1, column(sheet, c.header)).column_letter for c in (H.state, H.instruction, H.due_at)}
    assert all(f"${letter}:${letter}" in found[0][1] for letter in letters)  # found by header where they are
    assert OVERDUE in found[0][1] and DUE_THIS_SHIFT in found[1][1]


def test_the_team_can_keep_handed_on_rows_visible_and_a_bad_switch_is_reported(tmp_path):
    sheet = handovers(team_book(tmp_path / "shown.xlsx", hide=0))
    assert sheet.max_row == 6 and not any(d.hidden for d in sheet.row_dimensions.values())
    result = run("validate", team_book(tmp_path / "bad.xlsx", hide=2), "--json")
    bad = [f for f in json.loads(result.output) if f["sheet"] == "设置"]
    assert [(f["cell"], f["code"]) for f in bad] == [("B2", "bad_number")]
    assert "「2」" in bad[0]["message"] and "1 或 0" in bad[0]["message"]  # the value as the cell shows it


def _words(pdf: Path, page: int) -> list[tuple[float, float, float, float, str]]:
    """Every word LibreOffice drew on the page, with its box (points from the top left), by poppler."""
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [
        (float(x1), float(y1), float(x2), float(y2), html.unescape(text))
        for x1, y1, x2, y2, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xhtml
        )
    ]


def _pixels(pdf: Path, page: int) -> tuple[int, bytes]:
    """The page at 72 dpi (one pixel a point) as raw RGB, with its width."""
    ppm = subprocess.run(
        ["pdftoppm", "-r", "72", "-f", str(page), "-l", str(page), "-singlefile", str(pdf)],
        capture_output=True,
        check=True,
    ).stdout
    width, _, rest = ppm.split(b"\n", 1)[1].partition(b" ")
    return int(width), rest.split(b"\n", 2)[2]


@pytest.mark.libreoffice
def test_rendered_every_handover_text_is_whole_inside_its_column_and_urgent_rows_are_coloured(libreoffice, tmp_path):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler (pdftotext) is not installed")
    at = datetime.combine(date.today() + timedelta(days=1), time(18))  # NOW() is before it: only marks colour rows
    path = tmp_path / "book.xlsx"
    write_xlsx(
        path,
        {
            "退件表": [
                ["日期", "物流单号", "ID号", "订单编码", "退回类型", "产品名称", "数量", "解决方案", "处理结果"],
                [f"{at.date() - timedelta(days=12)}", "SF1", "小鱼儿", "SO1", "过敏", "紧致眼霜 15g", 1, "退款", None],
                [
                    f"{at.date() - timedelta(days=9)}",
                    "SF2",
                    "cherry",
                    "SO2",
                    "发货问题",
                    "洗面奶 100g",
                    1,
                    "重发",
                    None,
                ],
                [
                    f"{at.date() - timedelta(days=2)}",
                    "SF3",
                    "jenny王",
                    "SO3",
                    "客户原因",
                    "卸妆水 500ml",
                    2,
                    "退款",
                    None,
                ],
            ]
        },
    )
    result = run("handover", path, "--from", "小美", "--to", "阿强", "--at", f"{at:%Y-%m-%d %H:%M}")
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)[H.title]
    text_col = column(sheet, H.instruction.header)
    texts = [sheet.cell(r, text_col).value for r in range(2, sheet.max_row + 1)]
    out = tmp_path / "render"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "render_sheet.py"), str(path), H.title, str(out)], check=True, timeout=300
    )
    page = openpyxl.load_workbook(path, read_only=True).sheetnames.index(H.title) + 1
    words = _words(out / "book.pdf", page)
    centres = {text: (x1 + x2) / 2 for x1, y1, x2, _, text in words if y1 < 20}  # headers are centred
    widths = {c.value: sheet.column_dimensions[c.column_letter].width for c in sheet[1]}
    this, after = H.instruction.header, H.progress.header  # 本班进展 follows in the layout we create
    scale = (centres[after] - centres[this]) / ((widths[this] + widths[after]) / 2)  # points per unit of width
    left, right = centres[this] - scale * widths[this] / 2, centres[this] + scale * widths[this] / 2
    reading = sorted(words, key=lambda w: (w[1], w[0]))
    inside = "".join(t for x1, y1, x2, _, t in reading if y1 > 20 and x1 >= left - 1 and x2 <= right + 1)
    for text in texts:
        assert text.replace(" ", "") in inside, f"not shown whole inside its column: {text}"
    width, rgb = _pixels(out / "book.pdf", page)
    looks = {}
    for text in texts:
        x1, y1, _, y2, _ = next(w for w in words if w[0] >= left - 1 and text.startswith(w[4]))
        pixel = (int((y1 + y2) / 2) * width + int(x1) - 3) * 3
        looks[next((m for m in (OVERDUE, DUE_THIS_SHIFT) if text.startswith(m)), "")] = tuple(rgb[pixel : pixel + 3])
    assert looks == {OVERDUE: (255, 199, 206), DUE_THIS_SHIFT: (255, 235, 156), "": (255, 255, 255)}
