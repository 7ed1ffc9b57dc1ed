"""The Excel buttons, run on xlwings' own Book API (remote engine) and compared with the headless path."""
from __future__ import annotations

import ast
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from conftest import ROOT
from workbook_tools import excel
from workbook_tools.cli import cli
from workbook_tools.cli.demo import AGENTS, make_demo
from workbook_tools.spec.sheets import LEDGERS, RETURNS
from workbook_tools.xlsx.templates import build_workbook
from workbook_tools.core.validate import RESULTS_TITLE, check_workbook
from workbook_tools.xlsx.files import read_grids

pytestmark = pytest.mark.xlwings_remote
TODAY = date.today()
AT = f"{TODAY} 18:00"
WRITES = {"setValues", "addSheet", "sheetClear", "setNumberFormat", "setRangeColors", "setColumnWidth", "resizeTable",
          "addConditionalFormat", "addNote", "deleteNote", "addChart"}


@pytest.fixture(scope="module")
def remote():
    import xlwings_remote

    return xlwings_remote


def demo_file(path: Path, extra_returns: int = 0) -> Path:
    rows = make_demo(TODAY).rows
    base = rows[RETURNS.title][0]
    rows[RETURNS.title] = rows[RETURNS.title] + [
        {**base, "物流单号": f"SF9{n:012d}", "订单编码": f"SO9{n:08d}", "处理结果": "已退款"} for n in range(extra_returns)]
    path.write_bytes(build_workbook(LEDGERS, rows, {"Agents": AGENTS}))
    return path


def click(remote, path: Path, button, **kwargs) -> tuple[str, list[dict]]:
    book = remote.remote_book(path)
    message = button(book, **kwargs)
    return message, book.json()["actions"]


def sheet_values(path: Path, name: str) -> list[list]:
    """A sheet's values; floats to 10 significant digits (openpyxl, which replays, prints fewer than we do)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(skip_empty_area=False)
    return [[float(f"{v:.10g}") if isinstance(v, float) else v for v in row] for row in rows]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_handover_in_excel_writes_what_the_cli_writes(remote, tmp_path):
    path = demo_file(tmp_path / "book.xlsx")
    message, actions = click(remote, path, excel.shift_handover, from_agent="小美", to_agent="阿强", at=AT)
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    headless = tmp_path / "cli.xlsx"
    assert run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT, "--out", headless).exit_code == 0
    assert sheet_values(tmp_path / "excel.xlsx", "交接表") == sheet_values(headless, "交接表")
    assert message.startswith("已交接 ") and "项已超时" in message
    assert openpyxl.load_workbook(tmp_path / "excel.xlsx")["交接表"].tables["Handover"].ref == \
        openpyxl.load_workbook(headless)["交接表"].tables["Handover"].ref


def test_daily_totals_in_excel_give_the_cli_figures_and_two_charts(remote, tmp_path):
    path = demo_file(tmp_path / "book.xlsx")
    _, actions = click(remote, path, excel.daily_totals, day=TODAY.isoformat(), at=AT)
    charts = remote.replay(path, actions, tmp_path / "excel.xlsx")
    headless = tmp_path / "cli.xlsx"
    assert run("daily-totals", path, "--date", TODAY.isoformat(), "--at", AT, "--out", headless).exit_code == 0
    assert sheet_values(tmp_path / "excel.xlsx", "日汇总") == sheet_values(headless, "日汇总")
    assert charts == {"日汇总": 2}


def test_chase_summary_in_excel_writes_what_the_cli_writes(remote, tmp_path):
    path = demo_file(tmp_path / "book.xlsx")
    _, actions = click(remote, path, excel.chase_summary, at=AT)
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    headless = tmp_path / "cli.xlsx"
    assert run("chase-summary", path, "--at", AT, "--out", headless).exit_code == 0
    assert sheet_values(tmp_path / "excel.xlsx", "催款汇总表") == sheet_values(headless, "催款汇总表")


def test_validate_in_excel_lists_the_headless_findings_and_marks_them(remote, tmp_path):
    path = demo_file(tmp_path / "book.xlsx")
    message, actions = click(remote, path, excel.validate)
    remote.replay(path, actions, tmp_path / "excel.xlsx")
    findings = check_workbook(read_grids(path), TODAY).findings
    listed = [tuple(row[:7]) for row in sheet_values(tmp_path / "excel.xlsx", RESULTS_TITLE)[4:]]
    assert listed == [(f"{f.sheet}!{f.cell}", f.sheet, f.cell, f.column, f.severity.label, f.code, f.message)
                      for f in findings]
    book = openpyxl.load_workbook(tmp_path / "excel.xlsx")
    for sheet in ("退件表", "重发单", "质量问题表", "催款明细表"):
        (rule,) = [r for cf in book[sheet].conditional_formatting for r in cf.rules]
        assert f'"{sheet}!"&ADDRESS(ROW(),COLUMN(),4)' in rule.formula[0]
    errors = [f for f in findings if f.severity.value == "error"][:excel.NOTE_LIMIT]
    assert [book[f.sheet][f.cell].comment.text for f in errors] == [excel.NOTE_MARK + f.message for f in errors]
    assert message == "校验完成：9 个错误、3 个警告，已在表中标红，详见「校验结果」表。"


def test_validate_again_replaces_its_own_notes_adds_no_second_rule_and_keeps_the_teams_notes(remote, tmp_path):
    path = demo_file(tmp_path / "book.xlsx")
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
}


def test_round_trips_per_click_do_not_grow_with_the_rows(remote, tmp_path, capsys):
    small = demo_file(tmp_path / "small.xlsx")
    large = demo_file(tmp_path / "large.xlsx", extra_returns=10_000)
    counts = {}
    for name, (button, kwargs) in BUTTONS.items():
        counts[name] = tuple(len(click(remote, path, button, **kwargs)[1]) for path in (small, large))
    with capsys.disabled():
        print("\nExcel calls (recorded actions) per click, demo workbook vs. +10,000 return rows:")
        for name, (few, many) in counts.items():
            print(f"  {name:15s} {few:3d} {many:3d}")
    for few, many in counts.values():
        assert abs(few - many) <= 2 and max(few, many) <= 30


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
    path = demo_file(tmp_path / "book.xlsx")
    for button, kwargs, text in ((excel.daily_totals, {"day": "2026-13-01"}, "不是有效日期"),
                                 (excel.shift_handover, {"from_agent": "小美"}, "请写明交接人和承接人")):
        message, actions = click(remote, path, button, **kwargs)
        assert text in message
        assert not WRITES & {a["func"] for a in actions}


def test_chinese_names_travel_as_ascii_and_arrive_intact(remote, tmp_path):
    command = excel.run_python_call("shift_handover", from_agent="小美", to_agent="阿强（晚班）")
    assert command.isascii()
    call = ast.parse(command).body[-1].value
    kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
    assert kwargs == {"from_agent": "小美", "to_agent": "阿强（晚班）"}
    path = demo_file(tmp_path / "book.xlsx")
    message, _ = click(remote, path, getattr(excel, call.func.attr), **kwargs, at=AT)
    assert message.startswith("已交接")


@pytest.mark.parametrize("error, expected", [
    (Exception(-2146777998, "", None, None), excel.EDIT_MODE),
    (Exception(-2147418111, "Call was rejected by callee.", None, None), excel.EDIT_MODE),
    (Exception(-2146827284, "The cell or chart you're trying to change is on a protected sheet.", None, None),
     "受密码保护"),
])
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


def test_runtime_code_never_imports_xlwings_pro():
    for source in (ROOT / "workbook_tools").rglob("*.py"):
        text = source.read_text(encoding="utf-8")
        assert "xlwings.pro" not in text and "from xlwings import pro" not in text, source.name

