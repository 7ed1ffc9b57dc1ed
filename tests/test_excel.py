"""The Excel buttons, run on xlwings' own Book API (remote engine) and compared with the headless path.

The parity tests run every command through both backends on the same workbook
and compare what a person would see: values and formulas, number formats,
fonts, fills, borders, alignment, table extents and frozen rows.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from workbook_tools import excel
from workbook_tools.core.archive import ARCHIVED
from workbook_tools.core.totals import daily_reading
from workbook_tools.core.validate import check_workbook
from workbook_tools.excel.book import runs
from workbook_tools.spec.codes import Severity
from workbook_tools.spec.reports import DAILY, RESULTS
from workbook_tools.xlsx.reader import read_grids

from conftest import ROOT, TODAY, demo_workbook, ledger_with_error_values, run, staff_roster, write_xlsx

pytestmark = pytest.mark.xlwings_remote
AT = f"{TODAY} 18:00"
LATER = f"{TODAY} 18:10"
WRITES = {
    "setValues",
    "addSheet",
    "sheetClear",
    "setNumberFormat",
    "setRangeColors",
    "setColumnWidth",
    "resizeTable",
    "addConditionalFormat",
    "addNote",
    "deleteNote",
    "addChart",
    "setFontProperty",
    "setBorderProperty",
    "setWrapText",
    "setHorizontalAlignment",
    "setVerticalAlignment",
    "freezePaneAtRange",
    "setRowHeight",
    "rangeDelete",
    "setRowHidden",
    "setAutofit",
}


@pytest.fixture(scope="module")
def remote():
    import xlwings_remote

    return xlwings_remote


def click(remote, path: Path, button, **kwargs) -> tuple[str, list[dict]]:
    book = remote.remote_book(path)
    message = button(book, **kwargs)
    return message, book.json()["actions"]


def _colour(colour: Any) -> str | None:
    rgb = getattr(colour, "rgb", None)
    return rgb[-6:].upper() if isinstance(rgb, str) and rgb[-6:] != "000000" else None


def _number(value: Any) -> Any:
    return float(f"{value:.10g}") if isinstance(value, float) else value


def looks(path: Path, sheet_name: str) -> dict[str, Any]:
    """What a person sees of a sheet: every cell's value (formulas as written) and formatting, frozen rows, tables."""
    sheet = openpyxl.load_workbook(path)[sheet_name]
    cells = {}
    for row in sheet.iter_rows():
        for cell in row:
            border = cell.border
            look = (
                _number(cell.value),
                cell.number_format if cell.value is not None else None,
                bool(cell.font.b),
                bool(cell.font.i),
                cell.font.sz if cell.font.sz != 11 else None,
                _colour(cell.font.color),
                _colour(cell.fill.fgColor) if cell.fill.fill_type else None,
                tuple(bool(getattr(border, side).style) for side in ("left", "right", "top", "bottom")),
                bool(cell.alignment.wrap_text),
                cell.alignment.horizontal,
                cell.alignment.vertical,
            )
            if look[0] is not None or any(look[2:4]) or any(v for v in look[4:7]) or any(look[7]) or any(look[8:]):
                cells[cell.coordinate] = look
    heights = {r: d.height for r, d in sheet.row_dimensions.items() if d.height}
    rules = [
        (str(area.sqref), rule.priority, rule.formula, _colour(rule.dxf.fill.bgColor), _colour(rule.dxf.font.color))
        for area in sheet.conditional_formatting
        for rule in area.rules
    ]
    return {
        "cells": cells,
        "freeze": sheet.freeze_panes,
        "tables": {t.name: t.ref for t in sheet.tables.values()},
        "heights": heights,
        "hidden": sorted(r for r, d in sheet.row_dimensions.items() if d.hidden),
        "rules": sorted(rules, key=lambda rule: rule[1]),
    }


def assert_same(file_path: Path, excel_path: Path, sheet: str) -> None:
    headless, in_excel = looks(file_path, sheet), looks(excel_path, sheet)
    assert in_excel["freeze"] == headless["freeze"] and in_excel["tables"] == headless["tables"]
    assert in_excel["heights"] == headless["heights"]
    assert in_excel["hidden"] == headless["hidden"] and in_excel["rules"] == headless["rules"]
    differ = {
        cell: (headless["cells"].get(cell), in_excel["cells"].get(cell))
        for cell in headless["cells"].keys() | in_excel["cells"].keys()
        if headless["cells"].get(cell) != in_excel["cells"].get(cell)
    }
    assert differ == {}


def _charts(path: Path) -> int:
    with zipfile.ZipFile(path) as package:
        return sum(name.startswith("xl/charts/chart") for name in package.namelist())


COMMANDS = {  # button, its arguments, the CLI command doing the same, the sheet both write
    "handover": (
        excel.shift_handover,
        {"from_agent": "小美", "to_agent": "阿强", "at": AT},
        ["handover", "--from", "小美", "--to", "阿强", "--at", AT],
        "交接表",
    ),
    "daily_totals": (
        excel.daily_totals,
        {"day": TODAY.isoformat(), "at": AT},
        ["daily-totals", "--date", TODAY.isoformat(), "--at", AT],
        "日汇总",
    ),
    "chase_summary": (excel.chase_summary, {"at": AT}, ["chase-summary", "--at", AT], "催款汇总表"),
    "weekly_report": (
        excel.weekly_report,
        {"day": TODAY.isoformat(), "at": AT},
        ["report", "--period", "week", "--date", TODAY.isoformat(), "--at", AT],
        "周报",
    ),
    "monthly_report": (
        excel.monthly_report,
        {"day": TODAY.isoformat(), "at": AT},
        ["report", "--period", "month", "--date", TODAY.isoformat(), "--at", AT],
        "月报",
    ),
    "acknowledge": (
        excel.acknowledge,
        {"agent": "阿强", "at": LATER},
        ["acknowledge", "--agent", "阿强", "--at", LATER],
        "交接表",
    ),
}
BEFORE = {"acknowledge": ["handover", "--from", "小美", "--to", "阿强", "--at", AT]}  # what the workbook needs first


def both_backends(remote, path: Path, tmp_path: Path, name: str) -> tuple[Path, Path, dict[str, int]]:
    button, kwargs, command, _ = COMMANDS[name]
    if name in BEFORE:
        assert run(BEFORE[name][0], path, *BEFORE[name][1:]).exit_code == 0
    message, actions = click(remote, path, button, **kwargs)
    assert message.startswith("已"), message
    in_excel = tmp_path / f"{name}-excel.xlsx"
    charts = remote.replay(path, actions, in_excel)
    headless = tmp_path / f"{name}-file.xlsx"
    result = run(command[0], path, *command[1:], "--out", headless)
    assert result.exit_code == 0, result.output
    return headless, in_excel, charts


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_gives_the_same_sheet_in_excel_and_in_the_file(remote, tmp_path, name):
    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    headless, in_excel, charts = both_backends(remote, path, tmp_path, name)
    sheet = COMMANDS[name][3]
    assert_same(headless, in_excel, sheet)
    if name in ("daily_totals", "weekly_report", "monthly_report"):
        assert charts == {sheet: 2} and _charts(headless) == 2


def test_a_second_handover_updates_the_same_cells_in_both(remote, tmp_path):
    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    assert run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT).exit_code == 0
    message, actions = click(
        remote, path, excel.shift_handover, from_agent="阿强", to_agent="莉莉", at=f"{TODAY} 23:00"
    )
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    result = run(
        "handover", path, "--from", "阿强", "--to", "莉莉", "--at", f"{TODAY} 23:00", "--out", tmp_path / "file.xlsx"
    )
    assert result.exit_code == 0 and message.startswith("已交接")
    assert_same(tmp_path / "file.xlsx", tmp_path / "excel.xlsx", "交接表")


def test_without_a_name_the_agent_on_duty_confirms_alike_in_excel_and_in_the_file(remote, tmp_path):
    """确认接班 with the prompt left empty: the roster on 设置 says who has just taken over."""
    path = staff_roster(demo_workbook(tmp_path / "book.xlsx", TODAY), {"早班": "小美", "晚班": "阿强"})
    handed = run("handover", path, "--at", f"{TODAY} 15:50", "--json")  # 小美 hands over to 阿强 by the roster
    assert handed.exit_code == 0, handed.output
    written = json.loads(handed.stdout)["written"]
    message, actions = click(remote, path, excel.acknowledge, at=f"{TODAY} 16:10")
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    result = run("acknowledge", path, "--at", f"{TODAY} 16:10", "--json", "--out", tmp_path / "file.xlsx")
    assert result.exit_code == 0 and json.loads(result.stdout) == {"acknowledged": written, "agent": "阿强"}
    assert message == f"已确认 {written} 项交给阿强的交接，确认时间填为 11-22 16:10，见「交接表」。"
    assert_same(tmp_path / "file.xlsx", tmp_path / "excel.xlsx", "交接表")
    sheet = openpyxl.load_workbook(tmp_path / "excel.xlsx")["交接表"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, row, strict=False)) for row in sheet.iter_rows(min_row=2, values_only=True)]
    confirmed = [r["确认时间"] for r in rows if r["承接人"] == "阿强" and r["状态"] == "待处理"]
    assert len(confirmed) == written and set(confirmed) == {datetime.combine(TODAY, time(16, 10))}
    message, actions = click(remote, tmp_path / "excel.xlsx", excel.acknowledge, at=f"{TODAY} 16:20")
    assert message == "「交接表」里没有交给阿强、还没确认的交接事项。" and not WRITES & {a["func"] for a in actions}


def formula_workbook(path: Path) -> Path:
    """交接表 with formulas between the rows a handover changes: a team's own 状态 and 事项编号 formulas."""
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet("交接表")
    header = ["买家ID", "订单号", "交接处理", "交接人", "承接人", "时间", "状态", "事项编号", "备注"]
    sheet.write_row(0, 0, header)
    for r, (state, number) in enumerate(
        (("待处理", "HO-AAAAAA"), (None, None), ("待处理", "HO-BBBBBB"), (None, None), ("待处理", "HO-CCCCCC")), start=1
    ):
        sheet.write_row(r, 0, [f"买家{r}", f"41000{r}", "查物流", "小美", "阿强", f"{TODAY} 09:00"])
        if state:
            sheet.write(r, 6, state)
            sheet.write(r, 7, number)
        else:  # a row the team closes with formulas: 状态 and 事项编号 computed
            sheet.write_formula(r, 6, f'=IF(A{r + 1}<>"","已完成","")', None, "已完成")
            sheet.write_formula(r, 7, '="HO-"&ROW()', None, f"HO-{r + 1}")
        sheet.write_formula(r, 8, f"=LEN(C{r + 1})", None, 3)
    book.close()
    return path


def test_formulas_between_edited_cells_survive_in_both_backends(remote, tmp_path):
    path = formula_workbook(tmp_path / "formulas.xlsx")
    message, actions = click(remote, path, excel.shift_handover, from_agent="阿强", to_agent="莉莉", at=AT)
    written = [a for a in actions if a["func"] == "setValues"]
    assert all(a["row_count"] == 1 for a in written if a["start_row"] < 6)  # runs never span rows 3 and 5
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    result = run("handover", path, "--from", "阿强", "--to", "莉莉", "--at", AT, "--out", tmp_path / "file.xlsx")
    assert result.exit_code == 0 and message.startswith("已交接")
    for out in (tmp_path / "excel.xlsx", tmp_path / "file.xlsx"):
        sheet = openpyxl.load_workbook(out)["交接表"]
        assert [sheet[f"G{r}"].value for r in range(2, 7)] == [
            "已转交",
            '=IF(A3<>"","已完成","")',
            "已转交",
            '=IF(A5<>"","已完成","")',
            "已转交",
        ], out.name
        assert sheet["H3"].value == '="HO-"&ROW()' and sheet["I4"].value == "=LEN(C4)"
    assert_same(tmp_path / "file.xlsx", tmp_path / "excel.xlsx", "交接表")


def test_runs_group_adjacent_rows_only():
    assert runs([7, 1, 2, 3, 9, 10]) == [(1, 3), (7, 7), (9, 10)]
    assert runs([]) == []


def test_validate_in_excel_lists_the_headless_findings_and_marks_them(remote, tmp_path):
    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    message, actions = click(remote, path, excel.validate)
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    findings = check_workbook(read_grids(path), TODAY).findings
    sheet = openpyxl.load_workbook(tmp_path / "excel.xlsx")[RESULTS.title]
    listed = [tuple(c.value for c in row[:7]) for row in sheet.iter_rows(min_row=5)]
    assert listed == [
        (f"{f.sheet}!{f.cell}", f.sheet, f.cell, f.column, f.severity.label, f.code, f.message) for f in findings
    ]
    book = openpyxl.load_workbook(tmp_path / "excel.xlsx")
    for name in ("退件表", "重发单", "质量问题表", "催款明细表"):
        (rule,) = [r for cf in book[name].conditional_formatting for r in cf.rules]
        assert f'"{name}!"&ADDRESS(ROW(),COLUMN(),4)' in rule.formula[0]
    errors = [f for f in findings if f.severity is Severity.ERROR][: excel.NOTE_LIMIT]
    assert [book[f.sheet][f.cell].comment.text for f in errors] == [excel.NOTE_MARK + f.message for f in errors]
    assert message == "校验完成：17 个错误、9 个警告，已在表中标红，详见「校验结果」表。"


def test_error_values_reach_the_core_alike_from_excel_and_from_the_file(remote, tmp_path):
    """Excel's API hands #N/A over as None unless asked for its text (err_to_str): both paths must report it."""
    path = ledger_with_error_values(tmp_path / "book.xlsx")
    _, actions = click(remote, path, excel.validate)
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "excel.xlsx")[RESULTS.title]
    listed = [(row[0].value, row[5].value) for row in sheet.iter_rows(min_row=5)]
    findings = check_workbook(read_grids(path), TODAY).findings
    assert listed == [(f"{f.sheet}!{f.cell}", f.code) for f in findings] and len(listed) == 4
    assert {code for _, code in listed} == {"cell_error"}


def test_validate_again_replaces_its_own_notes_adds_no_second_rule_and_keeps_the_teams_notes(remote, tmp_path):
    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    first = check_workbook(read_grids(path), TODAY).findings[0]
    team = openpyxl.load_workbook(path)
    team[first.sheet][first.cell].comment = openpyxl.comments.Comment("仓库：客户说明天补拍", "莉莉")
    team.save(path)
    _, actions = click(remote, path, excel.validate)
    remote.replay(path, actions, tmp_path / "once.xlsx")
    _, again = click(remote, tmp_path / "once.xlsx", excel.validate)
    remote.replay(tmp_path / "once.xlsx", again, tmp_path / "twice.xlsx")
    funcs = [a["func"] for a in again]
    assert "addConditionalFormat" not in funcs
    assert funcs.count("deleteNote") == funcs.count("addNote") == excel.NOTE_LIMIT - 1
    book = openpyxl.load_workbook(tmp_path / "twice.xlsx")
    assert book[first.sheet][first.cell].comment.text == "仓库：客户说明天补拍"
    assert sum(1 for r in book[first.sheet].conditional_formatting for _ in r.rules) == 1


BUTTONS = {
    "validate": (excel.validate, {}),
    "shift_handover": (excel.shift_handover, {"from_agent": "小美", "to_agent": "阿强", "at": AT}),
    "daily_totals": (excel.daily_totals, {"at": AT}),
    "chase_summary": (excel.chase_summary, {"at": AT}),
    "acknowledge": (excel.acknowledge, {"agent": "阿强", "at": AT}),
    "weekly_report": (excel.weekly_report, {"at": AT}),
}


def test_round_trips_per_click_do_not_grow_with_the_rows(remote, tmp_path, capsys):
    small = demo_workbook(tmp_path / "small.xlsx", TODAY)
    large = demo_workbook(tmp_path / "large.xlsx", TODAY, extra_returns=3_000)
    counts = {}
    for name, (button, kwargs) in BUTTONS.items():
        counts[name] = tuple(len(click(remote, path, button, **kwargs)[1]) for path in (small, large))
    with capsys.disabled():
        print("\nExcel calls (recorded actions) per click, demo workbook vs. +3,000 return rows:")
        for name, (few, many) in counts.items():
            print(f"  {name:15s} {few:3d} {many:3d}")
    for few, many in counts.values():
        assert abs(few - many) <= 2 and max(few, many) <= 150


def test_settings_are_restored_and_nothing_is_written_when_the_workbook_has_none_of_our_sheets(remote, tmp_path):
    other = tmp_path / "other.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["姓名", "部门", "分机"])
    book.save(other)
    for button, kwargs in BUTTONS.values():
        message, actions = click(remote, other, button, **kwargs)
        assert "没有找到可识别的表" in message
        assert [a["func"] for a in actions] == ["setCalculation", "setCalculation", "alert"]
        assert [a["args"][0] for a in actions[:2]] == ["Manual", "Automatic"]
        assert actions[-1]["args"][:2] == [message, excel.TITLE]


def test_a_bad_day_or_missing_names_write_nothing(remote, tmp_path):
    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    for button, kwargs, text in (
        (excel.daily_totals, {"day": "2026-13-01"}, "不是有效日期"),
        (excel.monthly_report, {"day": "2026-13-01"}, "不是有效日期"),
        (excel.shift_handover, {"from_agent": "小美"}, "请写明交接人和承接人"),
        (excel.acknowledge, {"at": AT}, "请写明承接人，或在「设置」表的排班里填上每班的人员"),
    ):
        message, actions = click(remote, path, button, **kwargs)
        assert text in message
        assert not WRITES & {a["func"] for a in actions}


def test_chinese_names_travel_as_ascii_and_arrive_intact(remote, tmp_path):
    command = excel.run_python_call("shift_handover", from_agent="小美", to_agent="阿强（晚班）")
    assert command.isascii()
    call = ast.parse(command).body[-1].value
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    assert kwargs == {"from_agent": "小美", "to_agent": "阿强（晚班）"}
    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    message, _ = click(remote, path, getattr(excel, call.func.attr), **kwargs, at=AT)
    assert message.startswith("已交接")


@pytest.mark.parametrize(
    "error, expected",
    [
        (Exception(-2146777998, "", None, None), excel.EDIT_MODE),
        (Exception(-2147418111, "Call was rejected by callee.", None, None), excel.EDIT_MODE),
        (
            Exception(-2146827284, "The cell or chart you're trying to change is on a protected sheet.", None, None),
            "受密码保护",
        ),
    ],
)
def test_excel_errors_become_a_sentence(error, expected):
    assert expected in excel.explain(error)


def test_an_unexpected_error_is_logged_without_its_message(tmp_path, monkeypatch):
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path))
    phone = "".join(["138", "0013", "8000"])  # a buyer's number the failing code was looking at
    try:
        raise KeyError(phone)
    except KeyError as error:
        message = excel.explain(error)
    log = (tmp_path / "workbook-tools" / "excel.log").read_text(encoding="utf-8")
    assert "KeyError" in message and "KeyError" in log and "13800138000" not in log


def test_importing_the_entry_points_needs_no_excel_and_does_not_load_xlwings():
    code = "import sys, workbook_tools.excel; print('xlwings' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_archived_rows_leave_a_ledger_the_same_way_in_excel(remote, tmp_path):
    from workbook_tools.core.archive import archive_plan
    from workbook_tools.excel.book import apply_changes as in_excel
    from workbook_tools.xlsx.package import apply_changes as in_file
    from workbook_tools.xlsx.templates import build_generated_sheet

    today = date.today()
    path = demo_workbook(tmp_path / "team.xlsx", today)
    grids = read_grids(path)
    plans = [p for p in archive_plan(check_workbook(grids, today), today, datetime.now()) if p.rows]
    assert len(plans) >= 3
    changes = [p.change() for p in plans]
    file_path, excel_path = tmp_path / "file.xlsx", tmp_path / "excel.xlsx"
    file_path.write_bytes(in_file(path.read_bytes(), changes, build_generated_sheet))
    book = remote.remote_book(path)
    in_excel(book, grids, changes)
    actions = book.json()["actions"]
    assert {a["func"] for a in actions} <= {"rangeDelete"} | remote.NO_OP
    assert sum(a["func"] == "rangeDelete" for a in actions) == sum(len(runs(c.rows)) for c in changes)
    remote.replay(path, actions, excel_path)
    for plan in plans:
        assert_same(file_path, excel_path, plan.sheet)


def test_validating_loads_no_library_a_click_does_not_need(tmp_path):
    """Every click starts a fresh Python: openpyxl (needed only to cut a filled-down formula) and pandas cost
    tenths of a second each to import."""
    code = (
        "import sys; from workbook_tools.cli import main\n"
        f"sys.argv = ['workbook-tools', 'validate', {str(ROOT / 'templates_xlsx' / 'team.xlsx')!r}]\n"
        "try: main()\n"
        "except SystemExit: pass\n"
        "print(sorted(m for m in ('openpyxl', 'pandas', 'numpy') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_a_teams_own_handover_sheet_gets_the_same_wrapping_colours_and_hidden_rows_in_excel(remote, tmp_path):
    """Two handovers: the second hands the first one's rows on (hidden) and finds the colours already there."""
    path = tmp_path / "team.xlsx"
    write_xlsx(
        path,
        {
            "退件表": [
                ["日期", "物流单号", "ID号", "订单编码", "退回类型", "产品名称", "数量", "解决方案", "处理结果"],
                ["2026-11-12", "SF1", "小鱼儿爱吃糖", "SO1", "过敏", "紧致眼霜 15g", 1, "退款", None],
                ["2026-11-21", "SF3", "cherry_lin", "SO3", "发货问题", "氨基酸洗面奶 100g", 1, "重发", "待处理"],
            ],
            "交接表": [["状态", "交接处理", "买家ID", "时间", "承接人", "交接人", "订单号"]],
        },
    )
    steps = (("小美", "阿强", "2026-11-22 18:00"), ("阿强", "小美", "2026-11-23 08:00"))
    in_excel, headless = path, path
    for n, (giver, taker, at) in enumerate(steps):
        _, actions = click(remote, in_excel, excel.shift_handover, from_agent=giver, to_agent=taker, at=at)
        in_excel = tmp_path / f"excel{n}.xlsx"
        remote.replay(path if n == 0 else tmp_path / f"excel{n - 1}.xlsx", actions, in_excel)
        out = tmp_path / f"file{n}.xlsx"
        assert run("handover", headless, "--from", giver, "--to", taker, "--at", at, "--out", out).exit_code == 0
        headless = out
    seen = looks(in_excel, "交接表")
    assert len(seen["rules"]) == 2 and len(seen["hidden"]) == 2
    assert_same(headless, in_excel, "交接表")


def _figures(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """A generated tab's values down to its list of rows with errors (which names rows where they are now)."""
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    return rows[: next(i for i, row in enumerate(rows) if row[0] == DAILY.tables["excluded"][0])]


@pytest.mark.parametrize("name", ["daily_totals", "weekly_report", "monthly_report"])
def test_the_buttons_count_archived_rows_as_the_cli_does(remote, tmp_path, monkeypatch, name):
    """After archiving, 日汇总/周报/月报 clicked in Excel read the archive beside the workbook: same figures as
    before archiving (the remote engine names a book without its folder, as the folder it is opened from)."""
    button, kwargs, command, sheet = COMMANDS[name]
    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    assert run(command[0], path, *command[1:], "--out", tmp_path / "before.xlsx").exit_code == 0
    archived = run("archive", path, "--before", TODAY.isoformat(), "--json")
    assert archived.exit_code == 0 and json.loads(archived.stdout)["archived"] > 0, archived.output
    monkeypatch.chdir(tmp_path)
    message, actions = click(remote, path, button, **kwargs)
    assert message.startswith("已"), message
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    assert _figures(tmp_path / "excel.xlsx", sheet) == _figures(tmp_path / "before.xlsx", sheet)


def test_an_encrypted_or_unreadable_file_behind_the_book_counts_as_never_archived(remote, tmp_path, monkeypatch):
    """The mark is read from the file as saved; a file that is no package (encrypted with an open password, say)
    was never archived (the archive cannot rewrite it): the button works as before, no error box."""
    path = demo_workbook(tmp_path / "book.xlsx", TODAY)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "book.xlsx").write_bytes(b"\xd0\xcf\x11\xe0 an encrypted workbook is an OLE file, not a zip")
    monkeypatch.chdir(elsewhere)  # the remote engine names the book without its folder
    message, _ = click(remote, path, excel.daily_totals, day=TODAY.isoformat(), at=AT)
    assert message.startswith("已生成"), message


def test_a_book_opened_from_a_web_address_says_its_archive_cannot_be_read(remote, tmp_path):
    from types import SimpleNamespace

    from workbook_tools.xlsx.reader import read_grids

    check = excel._check(None, read_grids(demo_workbook(tmp_path / "book.xlsx", TODAY)), TODAY)
    online = SimpleNamespace(fullname="https://d.docs.live.net/3f2a/售后/book.xlsx")
    assert excel._with_archive(online, check, DAILY.title, daily_reading(TODAY, ARCHIVED)) == (check, excel.ONLINE)
    local = SimpleNamespace(fullname=str(tmp_path / "never-saved.xlsx"))
    assert excel._with_archive(local, check, DAILY.title, daily_reading(TODAY, ARCHIVED)) == (check, "")
