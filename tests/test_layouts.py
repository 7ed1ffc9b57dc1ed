"""Team layouts the package writer meets: filled-down formulas, neighbours under the ledger, tables sized ahead,
calcChain, and a team's own sheet with one of our names. Each command runs on each layout; what we do not own
comes out cell for cell as it went in."""

from __future__ import annotations

import functools
import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from openpyxl.worksheet.formula import ArrayFormula

from conftest import TODAY, add_calc_chain, parts, run

AT = f"{TODAY} 18:00"
HANDOVER_HEADER = ["买家ID", "订单号", "交接处理", "交接人", "承接人", "时间", "状态"]
SUMMARY_HEADER = ["日期", "催款人", "需催单数", "已联系", "联系率", "催回单数", "催回金额", "成功率", "关闭单数"]
CHASE_HEADER = ["拍下时间", "买家ID", "订单编号", "订单金额", "催款日期", "催款人", "催款方式", "接听情况", "催款结果"]
RETURNS_HEADER = ["日期", "物流单号", "ID号", "订单编码", "产品名称", "数量", "处理结果"]


def rewrite(path: Path, part: str, change: Callable[[str], str]) -> None:
    """Rewrite one part of a package as Excel would have saved it (XlsxWriter cannot write every feature)."""
    with zipfile.ZipFile(path) as package:
        contents = {info.filename: package.read(info) for info in package.infolist()}
    contents[part] = change(contents[part].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in contents.items():
            package.writestr(name, data)


def share(xml: str, column: str, first: int, last: int, index: int = 0) -> str:
    """Turn the formulas of `column`first..last into one filled-down (shared) formula, as Excel stores them."""
    for row in range(first, last + 1):
        cell = f"{column}{row}"
        if row == first:
            xml = re.sub(
                rf'(<c r="{cell}"[^>]*>)<f>',
                rf'\1<f t="shared" ref="{column}{first}:{column}{last}" si="{index}">',
                xml,
            )
        else:
            xml = re.sub(rf'(<c r="{cell}"[^>]*>)<f>[^<]*</f>', rf'\1<f t="shared" si="{index}"/>', xml)
    return xml


def chase_rows(sheet, first_row: int = 1) -> None:
    sheet.write_row(0, 0, CHASE_HEADER)
    for n in range(4):
        sheet.write_row(
            first_row + n,
            0,
            [
                f"{TODAY} 0{n}:00",
                f"买家{n}",
                f"41000{n}",
                89,
                TODAY.isoformat(),
                "小美",
                "电话",
                "本人接听",
                "已付款" if n % 2 else "未付款",
            ],
        )


def summary_with_filled_formulas(path: Path, rows: int = 8) -> Path:
    """催款汇总表 whose 联系率 the team filled down as a formula, and a formula column of their own."""
    book = xlsxwriter.Workbook(path)
    chase_rows(book.add_worksheet("催款明细表"))
    summary = book.add_worksheet("催款汇总表")
    summary.write_row(0, 0, [*SUMMARY_HEADER, "备注公式"])
    for r in range(1, rows + 1):
        summary.write_formula(r, 4, f"=IF(C{r + 1}=0,0,D{r + 1}/C{r + 1})", None, 0)
        summary.write_formula(r, 9, f'=B{r + 1}&"的汇总"', None, "")
    book.close()
    xml = "xl/worksheets/sheet2.xml"
    rewrite(path, xml, lambda text: share(share(text, "E", 2, rows + 1), "J", 2, rows + 1, index=1))
    return path


def _formulas(path: Path, sheet: str) -> dict[str, str]:
    found = {}
    for row in openpyxl.load_workbook(path)[sheet].iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                found[cell.coordinate] = cell.value
    return found


def _shared(path: Path, part: str) -> tuple[set[str], set[str]]:
    """(ids of shared formulas with a master, ids used by dependents) in one sheet part."""
    text = zipfile.ZipFile(path).read(part).decode()
    masters = set(re.findall(r'<f t="shared" ref="[^"]+" si="(\d+)"', text))
    used = set(re.findall(r'<f t="shared" si="(\d+)"', text))
    return masters, used


def test_writing_into_a_filled_down_formula_gives_every_other_cell_its_own_formula(tmp_path):
    path = summary_with_filled_formulas(tmp_path / "team.xlsx")
    result = run("chase-summary", path, "--at", AT)
    assert result.exit_code == 0, result.output
    masters, used = _shared(path, "xl/worksheets/sheet2.xml")
    assert used <= masters  # no dependent left without its master
    formulas = _formulas(path, "催款汇总表")
    written = 3  # one day, one agent and its 合计: rows 2-3 hold values now
    assert "E2" not in formulas and "E3" not in formulas
    assert formulas["E4"] == "=IF(C4=0,0,D4/C4)" and formulas["E9"] == "=IF(C9=0,0,D9/C9)"
    assert formulas["J2"] == '=B2&"的汇总"' and formulas["J9"] == '=B9&"的汇总"'  # the team's column, untouched
    assert written == 3


@pytest.mark.libreoffice
def test_libreoffice_computes_the_expanded_formulas(libreoffice, tmp_path):
    path = summary_with_filled_formulas(tmp_path / "team.xlsx")
    assert run("chase-summary", path, "--at", AT).exit_code == 0
    rows = libreoffice.sheets(path)["催款汇总表"]
    assert [row[9] for row in rows[1:4]] == ["小美的汇总", "合计的汇总", "的汇总"]


def summary_with_array_formula(path: Path) -> Path:
    book = xlsxwriter.Workbook(path)
    chase_rows(book.add_worksheet("催款明细表"))
    summary = book.add_worksheet("催款汇总表")
    summary.write_row(0, 0, SUMMARY_HEADER)
    summary.write_array_formula("E2:E4", "{=D2:D4/C2:C4}")
    book.close()
    return path


def test_an_array_formula_in_a_column_we_write_is_refused_and_nothing_changes(tmp_path):
    path = summary_with_array_formula(tmp_path / "team.xlsx")
    before = path.read_bytes()
    result = run("chase-summary", path, "--at", AT)
    assert result.exit_code == 2 and "数组公式（E2:E4）" in result.stderr and result.stderr.count("\n") == 1
    assert path.read_bytes() == before


def handover_with_neighbours(path: Path, gap: int, excel_table: bool = True) -> Path:
    """交接表 (3 rows) with a merged note `gap` rows under it and a roster table below that."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("交接表")
    rows = [[f"买家{n}", f"41000{n}", "查物流", "小美", "阿强", f"{TODAY} 09:00", "已完成"] for n in range(3)]
    if excel_table:
        sheet.add_table(0, 0, 3, 6, {"name": "Team", "columns": [{"header": h} for h in HANDOVER_HEADER], "data": rows})
    else:
        sheet.write_row(0, 0, HANDOVER_HEADER)
        for n, row in enumerate(rows, start=1):
            sheet.write_row(n, 0, row)
    note = 3 + gap
    sheet.merge_range(note, 0, note, 6, "注：交接前先核对物流，再写交接处理。")
    sheet.add_table(
        note + 2,
        0,
        note + 4,
        3,
        {
            "name": "Roster",
            "columns": [{"header": h} for h in ("班次", "开始", "结束", "人员")],
            "data": [["早班", "08:00", "16:00", "小美"], ["晚班", "16:00", "24:00", "阿强"]],
        },
    )
    returns = book.add_worksheet("退件表")
    returns.write_row(0, 0, RETURNS_HEADER)
    for n in range(5):
        returns.write_row(n + 1, 0, [TODAY.isoformat(), f"SF{n}", f"买家{n}", f"SO{n}", "眼霜", 1, None])
    book.close()
    return path


@pytest.mark.parametrize("excel_table", [True, False])
def test_no_room_under_the_ledger_is_refused_with_where_and_what_to_do(tmp_path, excel_table):
    path = handover_with_neighbours(tmp_path / "team.xlsx", gap=2, excel_table=excel_table)
    before = path.read_bytes()
    result = run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert "「交接表」第 6 行起是别的内容" in result.stderr and "没有空间再写 5 行" in result.stderr
    assert path.read_bytes() == before


def test_with_room_the_ledger_grows_into_it_and_never_over_its_neighbours(tmp_path):
    path = handover_with_neighbours(tmp_path / "team.xlsx", gap=8)
    before = openpyxl.load_workbook(path)["交接表"]
    result = run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["交接表"]
    assert sheet.tables["Team"].ref == "A1:G9" and sheet.tables["Roster"].ref == before.tables["Roster"].ref
    assert [str(r) for r in sheet.merged_cells.ranges] == [str(r) for r in before.merged_cells.ranges]
    for row in before.iter_rows(min_row=12):  # the note and the roster, cell for cell
        for cell in row:
            assert sheet[cell.coordinate].value == cell.value
    assert sorted(sheet.cell(r, 2).value for r in range(5, 10)) == ["SO0", "SO1", "SO2", "SO3", "SO4"]


def tables_sized_ahead(path: Path) -> Path:
    """催款汇总表 and 交接表 as Excel tables the team sized for a hundred and fifty rows."""
    book = xlsxwriter.Workbook(path)
    chase_rows(book.add_worksheet("催款明细表"))
    summary = book.add_worksheet("催款汇总表")
    summary.add_table(0, 0, 99, 8, {"name": "Summary", "columns": [{"header": h} for h in SUMMARY_HEADER]})
    handover = book.add_worksheet("交接表")
    handover.add_table(
        0,
        0,
        49,
        6,
        {
            "name": "Team",
            "columns": [{"header": h} for h in HANDOVER_HEADER],
            "data": [["买家0", "410000", "查物流", "小美", "阿强", f"{TODAY} 09:00", "待处理"]],
        },
    )
    book.close()
    return path


def test_a_table_sized_ahead_is_filled_and_never_shrunk(tmp_path):
    path = tables_sized_ahead(tmp_path / "team.xlsx")
    assert run("chase-summary", path, "--at", AT).exit_code == 0
    assert run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT).exit_code == 0
    saved = openpyxl.load_workbook(path)
    assert saved["催款汇总表"].tables["Summary"].ref == "A1:I100"
    assert saved["交接表"].tables["Team"].ref == "A1:G50"
    assert saved["交接表"]["A3"].value is not None  # appended right under the typed row, inside the table


def with_calc_chain(path: Path) -> Path:
    """A workbook as Excel saves it: a calcChain listing its formula cells."""
    summary_with_filled_formulas(path)
    add_calc_chain(path, "".join(f'<c r="E{r}" i="2"/>' for r in range(2, 10)))
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["chase-summary", "--at", AT],
        ["daily-totals", "--at", AT],
        ["handover", "--from", "小美", "--to", "阿强", "--at", AT],
    ],
)
def test_calc_chain_never_names_a_cell_without_a_formula(tmp_path, command):
    path = with_calc_chain(tmp_path / "team.xlsx")
    assert run(command[0], path, *command[1:]).exit_code == 0
    after = parts(path)
    assert "xl/calcChain.xml" not in after  # dropped: Excel rebuilds it, and a stale one makes it repair the file
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"] + after["[Content_Types].xml"]


def team_sheets_with_our_names(path: Path) -> Path:
    """The team's own 日汇总 and 交接表 (their layout, a comment), and ledgers we recognise elsewhere."""
    book = xlsxwriter.Workbook(path)
    chase_rows(book.add_worksheet("催款明细表"))
    returns = book.add_worksheet("退件表")
    returns.write_row(0, 0, RETURNS_HEADER)
    returns.write_row(1, 0, [TODAY.isoformat(), "SF1", "买家1", "SO1", "眼霜", 1, None])
    daily = book.add_worksheet("日汇总")
    daily.write_row(0, 0, ["日期", "组长点评", "明日安排"])
    daily.write_row(1, 0, [TODAY.isoformat(), "退件偏多", "补货"])
    daily.write_comment("B2", "组长写的")
    handover = book.add_worksheet("交接表")
    handover.write_row(0, 0, ["日期", "内容", "人"])
    handover.write_row(1, 0, [TODAY.isoformat(), "早会记录", "小美"])
    book.close()
    return path


@pytest.mark.parametrize(
    "command, ours",
    [
        (["daily-totals", "--at", AT], "日汇总（2）"),
        (["handover", "--from", "小美", "--to", "阿强", "--at", AT], "交接表（2）"),
    ],
)
def test_a_team_sheet_with_our_name_is_left_alone_and_the_user_is_told(tmp_path, command, ours):
    path = team_sheets_with_our_names(tmp_path / "team.xlsx")
    before = parts(path)
    team_parts = {
        name: data
        for name, data in before.items()
        if name.startswith(("xl/worksheets/sheet3", "xl/worksheets/sheet4", "xl/comments"))
    }
    result = run(command[0], path, *command[1:])
    assert result.exit_code == 0, result.output
    assert f"没有改动它；这次写在「{ours}」" in result.stderr
    after = parts(path)
    assert {name: after[name] for name in team_parts} == team_parts
    assert ours in openpyxl.load_workbook(path).sheetnames
    again = run(command[0], path, *command[1:])  # the next run finds its own tab again
    assert again.exit_code == 0 and "（3）" not in again.stderr
    assert openpyxl.load_workbook(path).sheetnames.count(ours) == 1


def formulas_on_our_tab(path: Path) -> Path:
    """A team's dashboard whose filled-down formulas read our 日汇总 (made by an earlier run)."""
    book = xlsxwriter.Workbook(path)
    chase_rows(book.add_worksheet("催款明细表"))
    board = book.add_worksheet("看板")
    board.write_row(0, 0, ["指标", "当天"])
    for r in range(1, 6):
        board.write_formula(r, 0, f"='日汇总'!A{r + 4}", None, "")
        board.write_formula(r, 1, f"='日汇总'!B{r + 4}", None, 0)
    board.write_array_formula("D2:D3", "{=B2:B3*2}")
    book.close()
    rewrite(path, "xl/worksheets/sheet2.xml", lambda text: share(share(text, "A", 2, 6), "B", 2, 6, index=1))
    assert run("daily-totals", path, "--at", AT).exit_code == 0
    return path


def stray_cells(path: Path, note: bool = False) -> Path:
    """Ledgers with a stray value at XFD1048576 on each sheet (Ctrl+End, a slip, a paste far out); with `note`,
    a note typed in the column right of 交接表's headers, without a header of its own."""
    path.write_bytes(_stray_cells(note))
    return path


@functools.cache
def _stray_cells(note: bool) -> bytes:
    """Built once: XlsxWriter walks every row up to the stray cell (a second per sheet)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    handover = book.add_worksheet("交接表")
    handover.write_row(0, 0, HANDOVER_HEADER)
    handover.write_row(1, 0, ["买家0", "410000", "查物流", "小美", "阿强", f"{TODAY} 09:00", "待处理"])
    if note:
        handover.write(1, len(HANDOVER_HEADER), "买家说周五后再联系")
    chase_rows(book.add_worksheet("催款明细表"))
    returns = book.add_worksheet("退件表")
    returns.write_row(0, 0, RETURNS_HEADER)
    returns.write_row(1, 0, [TODAY.isoformat(), "SF1", "买家1", "SO1", "眼霜", 1, None])
    for sheet in book.worksheets():
        sheet.write(1_048_575, 16_383, "x")
    book.close()
    return out.getvalue()


@pytest.mark.parametrize("note", [False, True])
def test_a_stray_cell_far_out_neither_blocks_the_ledger_nor_moves_its_new_columns(tmp_path, note):
    path = stray_cells(tmp_path / "team.xlsx", note)
    result = run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT)
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(path)["交接表"]
    headers = [cell.value for cell in sheet[1] if cell.value is not None]
    added = len(headers) - len(HANDOVER_HEADER)
    first_new = len(HANDOVER_HEADER) + 1 + note  # right of the headers, and of a note typed beside them
    assert added > 0 and [sheet.cell(1, c).value for c in range(first_new, first_new + added)] == headers[-added:]
    filled = [row for row in range(2, 60) if sheet.cell(row, 1).value is not None]
    assert len(filled) > 1 and filled == list(range(2, 2 + len(filled)))  # the new items right under the old one
    assert sheet["XFD1048576"].value == "x" and sheet.max_row == 1_048_576
    if note:
        assert sheet.cell(2, len(HANDOVER_HEADER) + 1).value == "买家说周五后再联系"


LAYOUTS = {
    "formulas on our tab": formulas_on_our_tab,
    "filled-down formulas": summary_with_filled_formulas,
    "array formula": summary_with_array_formula,
    "neighbours, no room": lambda path: handover_with_neighbours(path, gap=2),
    "neighbours, room": lambda path: handover_with_neighbours(path, gap=8),
    "neighbours, no table": lambda path: handover_with_neighbours(path, gap=8, excel_table=False),
    "tables sized ahead": tables_sized_ahead,
    "calcChain": with_calc_chain,
    "team sheets with our names": team_sheets_with_our_names,
    "stray cells far out": stray_cells,
}
COMMANDS = {
    "validate": ["validate"],
    "handover": ["handover", "--from", "小美", "--to", "阿强", "--at", AT],
    "acknowledge": ["acknowledge", "--agent", "阿强", "--at", AT],
    "daily-totals": ["daily-totals", "--at", AT],
    "chase-summary": ["chase-summary", "--at", AT],
}
OWN_SHEETS = {"handover": "交接表", "acknowledge": "交接表", "daily-totals": "日汇总", "chase-summary": "催款汇总表"}


def _cells(path: Path) -> dict[str, dict[str, object]]:
    """Every cell of every sheet as written (formulas as their text), merged ranges and tables included."""
    book = openpyxl.load_workbook(path)

    def value(cell: Any) -> object:
        formula = cell.value
        return (formula.ref, formula.text) if isinstance(formula, ArrayFormula) else formula

    return {
        sheet.title: {
            # the cells the sheet holds: iter_rows() would walk the whole rectangle up to a stray cell at XFD1048576
            **{cell.coordinate: value(cell) for cell in sheet._cells.values() if cell.value is not None},
            "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
            "tables": {t.name: t.ref for t in sheet.tables.values()},
        }
        for sheet in book.worksheets
    }


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_command_on_every_layout_writes_soundly_or_refuses_and_keeps_what_is_not_ours(tmp_path, layout, command):
    path = LAYOUTS[layout](tmp_path / "team.xlsx")
    before, cells = path.read_bytes(), _cells(path)
    result = run(COMMANDS[command][0], path, *COMMANDS[command][1:])
    if result.exit_code == 2:  # a refusal: one line, and the file as it was
        assert result.stderr.count("\n") == 1 and path.read_bytes() == before
        return
    assert result.exit_code in (0, 1), result.output  # the validators of conftest check the file written
    after = _cells(path)
    ours = {name for name in after if name.startswith(OWN_SHEETS.get(command, "\0"))} - {
        name for name in cells if name == OWN_SHEETS.get(command) and _not_recognised(cells[name])
    }
    for name, old in cells.items():
        if name in ours:  # the sheet the command writes: the team's cells outside the ledger's columns stay
            kept = {k: v for k, v in old.items() if k in ("merged",) or _outside_ledger(k, old)}
            assert {k: after[name].get(k) for k in kept} == kept, name
        else:
            assert after[name] == old, name


def _not_recognised(cells: dict[str, object]) -> bool:
    return cells.get("B1") in ("内容", "组长点评")  # the team's own 交接表 / 日汇总 in team_sheets_with_our_names


def _outside_ledger(coordinate: str, cells: dict[str, object]) -> bool:
    """A cell below the ledger's neighbours or right of its columns (the team's own), not one we may write."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", coordinate)
    return bool(match) and (match[1] > "I" or int(match[2]) > 11)
