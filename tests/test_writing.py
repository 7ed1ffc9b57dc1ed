"""Writing into a team's workbook: only our parts change, nothing else is lost, refusals change nothing."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from workbook_tools.cli.demo import AGENTS
from workbook_tools.core.totals import chase_summary
from workbook_tools.core.validate import check_workbook
from workbook_tools.errors import OutputError
from workbook_tools.spec.sheets import LEDGERS
from workbook_tools.xlsx.locking import lock_path
from workbook_tools.xlsx.templates import build_workbook
from workbook_tools.xlsx.writer import WorkbookFile

from conftest import demo_workbook, parts, run, team_workbook

TODAY = date.today()


OWNED = {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"}


@pytest.mark.parametrize(
    "command, changed_sheet",
    [
        (["handover", "--from", "小美", "--to", "阿强"], "xl/worksheets/sheet3.xml"),
        (["acknowledge", "--agent", "阿强"], None),
        (["daily-totals"], None),
        (["chase-summary"], None),
    ],
)
def test_only_the_parts_a_command_owns_change(tmp_path, command, changed_sheet):
    path = team_workbook(tmp_path / "team.xlsx", TODAY)
    before = parts(path)
    original = path.read_bytes()
    result = run(command[0], path, *command[1:])
    assert result.exit_code == 0, result.output
    after = parts(path)
    changed = {name for name in before if name in after and before[name] != after[name]}
    assert changed <= OWNED | ({changed_sheet} if changed_sheet else set())
    assert set(before) <= set(after), "a part was dropped"
    for kept in (
        "xl/drawings/drawing1.xml",
        "xl/charts/chart1.xml",
        "xl/media/image1.png",
        "xl/comments1.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
        "xl/worksheets/sheet4.xml",
    ):
        assert after[kept] == before[kept], kept
    with zipfile.ZipFile(path) as package:
        assert package.testzip() is None
        raw = {i.filename: (i.compress_size, i.CRC) for i in package.infolist()}
    with zipfile.ZipFile(io.BytesIO(original)) as package:  # unchanged parts are copied compressed, not re-deflated
        assert all(
            raw[i.filename] == (i.compress_size, i.CRC) for i in package.infolist() if i.filename not in changed | OWNED
        )


def test_a_generated_tab_is_replaced_not_duplicated_and_keeps_the_teams_drawings(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx", TODAY)
    assert run("daily-totals", path).exit_code == 0
    first = parts(path)
    assert run("daily-totals", path, "--date", (TODAY - timedelta(days=1)).isoformat()).exit_code == 0
    second = parts(path)
    assert openpyxl.load_workbook(path).sheetnames == ["退件表", "催款明细表", "交接表", "图表", "日汇总"]
    assert len([n for n in second if n.startswith("xl/charts/")]) == len(
        [n for n in first if n.startswith("xl/charts/")]
    )
    assert second["xl/media/image1.png"] == first["xl/media/image1.png"]


def test_the_team_workbook_reads_the_same_in_openpyxl_after_every_command(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx", TODAY)
    before = openpyxl.load_workbook(path)
    for command in (
        ["handover", "--from", "小美", "--to", "阿强"],
        ["acknowledge", "--agent", "阿强"],
        ["daily-totals"],
        ["chase-summary"],
    ):
        assert run(command[0], path, *command[1:]).exit_code == 0
    after = openpyxl.load_workbook(path)
    for name in ("退件表", "催款明细表", "图表"):
        old, new = before[name], after[name]
        assert [[(c.value, c.number_format) for c in row] for row in old.iter_rows()] == [
            [(c.value, c.number_format) for c in row] for row in new.iter_rows()
        ]
    old, new = before["退件表"], after["退件表"]
    assert new["G2"].comment.text == old["G2"].comment.text
    assert [str(d.sqref) for d in new.data_validations.dataValidation] == ["D2:D100"]
    assert len(new.conditional_formatting) == len(old.conditional_formatting) == 1
    assert after.defined_names["退件数量"].attr_text == "退件表!$F$2:$F$100"
    header = [c.value for c in after["交接表"][1]]
    assert header[:7] == [c.value for c in before["交接表"][1]]


@pytest.mark.libreoffice
def test_libreoffice_reads_every_old_cell_and_recalculates_after_handover(libreoffice, tmp_path):
    path = demo_workbook(tmp_path / "demo.xlsx", TODAY)
    before = libreoffice.sheets(path)
    assert run("handover", path, "--from", "小美", "--to", "阿强").exit_code == 0
    assert run("chase-summary", path).exit_code == 0
    after = libreoffice.sheets(path)
    for sheet, rows in before.items():
        if sheet == "交接表":  # the old rows stay as they were, new ones follow
            assert after[sheet][: len(rows)] == rows and len(after[sheet]) > len(rows)
        elif sheet == "催款汇总表":  # generated: same header, rows replaced
            assert after[sheet][0] == rows[0] and after[sheet][1][1] in AGENTS
        else:
            assert after[sheet] == rows, sheet  # 退件表's 合计 and 邮费承担方 formulas still give the same values


def test_handover_twice_for_the_same_shift_writes_once(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx", TODAY)
    at = f"{TODAY} 18:00"
    first = run("handover", path, "--from", "小美", "--to", "阿强", "--at", at, "--json")
    written = json.loads(first.stdout)
    rows_after_first = openpyxl.load_workbook(path)["交接表"].max_row
    second = run("handover", path, "--from", "小美", "--to", "阿强", "--at", at, "--json")
    assert json.loads(second.stdout) == {"written": 0, "items": []}
    assert openpyxl.load_workbook(path)["交接表"].max_row == rows_after_first == written["written"] + 1
    sheet = openpyxl.load_workbook(path)["交接表"]
    header = [c.value for c in sheet[1]]
    sources = [row[header.index("来源")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sources == [item["source"] for item in written["items"]]


@pytest.mark.parametrize(
    "args, message",
    [
        (["daily-totals", "--date", "2026-13-01"], "不是有效日期"),
        (["daily-totals", "--date", "昨天"], "不是有效日期"),
        (["handover", "--from", "小美"], "请写明交接人和承接人"),
        (["handover", "--from", "小美", "--to", "阿强", "--at", "今晚六点"], "不是有效时间"),
        (["acknowledge"], "请写明承接人，或在「设置」表的排班里填上每班的人员"),
        (["acknowledge", "--agent", " "], "请写明承接人（--agent 姓名）"),
    ],
)
def test_bad_options_change_nothing(tmp_path, args, message):
    path = team_workbook(tmp_path / "team.xlsx", TODAY)
    before = path.read_bytes()
    result = run(args[0], path, *args[1:])
    assert result.exit_code == 2 and message in result.stderr and result.stderr.count("\n") == 1
    assert path.read_bytes() == before


@pytest.mark.parametrize("lock", ["~$team.xlsx", ".~lock.team.xlsx#"])
@pytest.mark.parametrize(
    "command", [["handover", "--from", "小美", "--to", "阿强"], ["daily-totals"], ["chase-summary"]]
)
def test_a_workbook_open_in_excel_is_not_written(tmp_path, lock, command):
    path = team_workbook(tmp_path / "team.xlsx", TODAY)
    (tmp_path / lock).write_bytes(b"owner")
    before = path.read_bytes()
    result = run(command[0], path, *command[1:])
    assert result.exit_code == 2 and "正在 Excel 中打开" in result.stderr
    assert path.read_bytes() == before
    left = sorted(p.name for p in tmp_path.iterdir() if p != lock_path(path))
    assert left == sorted([lock, "team.xlsx"])  # no temporary file left


def test_a_workbook_changed_by_someone_else_meanwhile_is_not_overwritten(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx", TODAY)
    book = WorkbookFile.open(path)
    _, change = chase_summary(check_workbook(book.grids(), TODAY), datetime.now())
    someone_else = build_workbook(LEDGERS)  # a colleague saved their version in the meantime
    path.write_bytes(someone_else)
    with pytest.raises(OutputError, match="被别人修改过"):
        book.save([change])
    assert path.read_bytes() == someone_else


def test_out_writes_a_copy_and_leaves_the_original(tmp_path):
    path = team_workbook(tmp_path / "team.xlsx", TODAY)
    before = path.read_bytes()
    copy = tmp_path / "汇总.xlsx"
    assert run("daily-totals", path, "--out", copy).exit_code == 0
    assert path.read_bytes() == before
    assert "日汇总" in openpyxl.load_workbook(copy).sheetnames


AT = f"{TODAY} 20:00"
MOMENT = datetime.combine(TODAY, datetime.min.time()).replace(hour=20)


def test_handover_json_is_what_the_library_wrote(tmp_path):
    from workbook_tools.core.handover import handover

    path = demo_workbook(tmp_path / "demo.xlsx", TODAY)
    expected = handover(check_workbook(WorkbookFile.open(path).grids(), TODAY), "小美", "阿强", MOMENT)
    result = run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT, "--json")
    assert json.loads(result.stdout) == {"written": expected.written, "items": list(expected.items)}
    assert expected.written > 0


def test_daily_totals_json_is_what_the_library_computed(tmp_path):
    from workbook_tools.core.totals import daily_totals

    path = demo_workbook(tmp_path / "demo.xlsx", TODAY)
    expected, _ = daily_totals(check_workbook(WorkbookFile.open(path).grids(), TODAY), TODAY, MOMENT)
    result = run("daily-totals", path, "--date", TODAY.isoformat(), "--at", AT, "--json")
    assert json.loads(result.stdout) == expected
    assert all(isinstance(expected["returns"][k], int) for k in ("count", "parcels", "qty"))
    assert isinstance(expected["chase"]["paid_amount"], float)


def test_chase_summary_json_is_what_was_written_into_the_sheet(tmp_path):
    path = demo_workbook(tmp_path / "demo.xlsx", TODAY)
    result = json.loads(run("chase-summary", path, "--at", AT, "--json").stdout)
    sheet = openpyxl.load_workbook(path)["催款汇总表"]
    written = [(*row[:4], row[5], row[6], row[8]) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert written == [
        (
            datetime.fromisoformat(r["date"]),
            r["agent"],
            r["to_chase"],
            r["contacted"],
            r["paid"],
            r["paid_amount"],
            r["closed"],
        )
        for r in result["rows"]
    ]
    assert {r["agent"] for r in result["rows"]} >= {"合计"}


@pytest.mark.libreoffice
def test_the_daily_tab_renders_with_its_tables_and_charts(libreoffice, tmp_path):
    import shutil
    import subprocess
    import sys

    from conftest import ROOT
    from libreoffice import REQUIRED

    if not shutil.which("pdftoppm"):
        if REQUIRED:
            pytest.fail("pdftoppm (poppler-utils) is required in CI")
        pytest.skip("pdftoppm is not installed")
    path = demo_workbook(tmp_path / "demo.xlsx", TODAY)
    assert run("daily-totals", path, "--at", AT).exit_code == 0
    out = tmp_path / "render"
    subprocess.run(
        [sys.executable, str(ROOT / "tools" / "render_sheet.py"), str(path), "日汇总", str(out)],
        check=True,
        timeout=300,
    )
    png = out / "demo-日汇总.png"
    assert png.stat().st_size > 20_000
    page = len(openpyxl.load_workbook(path, read_only=True).sheetnames)
    text = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), str(out / "demo.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for label in ("日汇总", "退件单数", "退件按退回类型", "近 7 天趋势", "催回金额"):
        assert label in text
