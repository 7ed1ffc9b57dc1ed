"""The command line: exit codes, one clear line on bad input, JSON equal to the library's result."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date, time

import openpyxl
import pytest

from workbook_tools.cli import DEMO_FILE, cli
from workbook_tools.cli.demo import make_demo
from workbook_tools.core.findings import flatten
from workbook_tools.core.validate import check_workbook
from workbook_tools.core.values import parse_phone
from workbook_tools.spec.lists import CHASE_ANSWER, CHASE_METHOD, UNPAID_REASON
from workbook_tools.spec.sheets import CHASE_DETAIL, LEDGERS, RESENDS, RETURNS
from workbook_tools.xlsx.reader import read_grids
from workbook_tools.xlsx.templates import build_workbook, template_files

from conftest import ROOT, run, write_xlsx

TEMPLATES = ROOT / "templates_xlsx"


def test_every_template_validates_clean():
    result = run("validate", *sorted(TEMPLATES.glob("*.xlsx")))
    assert result.exit_code == 0, result.output
    assert result.stdout.count("没有发现问题") == len(template_files())


def test_the_demo_writes_a_workbook_whose_planted_mistakes_validation_reports(tmp_path):
    result = run("demo", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    path = tmp_path / DEMO_FILE
    planted = make_demo(date.today()).planted
    assert len(planted) >= 8
    validated = run("validate", "--json", path)
    assert validated.exit_code == 1
    found = [(f["sheet"], f["cell"], f["code"]) for f in json.loads(validated.stdout)]
    assert sorted(found) == sorted((p.sheet, p.cell, p.code) for p in planted)
    for p in planted:
        assert f"{p.sheet}!{p.cell}" in result.stdout


def test_the_demo_chases_as_teams_do_today():
    chases = make_demo(date.today()).rows[CHASE_DETAIL]
    assert {r[CHASE_DETAIL.method] for r in chases} == set(CHASE_METHOD.values)
    assert {CHASE_ANSWER.REPLIED, CHASE_ANSWER.READ, CHASE_ANSWER.UNREAD} <= {r[CHASE_DETAIL.answer] for r in chases}
    assert all(r[CHASE_DETAIL.chased_at].time() != time() for r in chases)  # every chase says the hour
    assert all(r[CHASE_DETAIL.unpaid_reason] in UNPAID_REASON.values for r in chases)
    assert any("-" in parse_phone(r[CHASE_DETAIL.phone]) or "*" in r[CHASE_DETAIL.phone] for r in chases)


def test_json_output_equals_the_librarys_findings(tmp_path):
    path = tmp_path / "demo.xlsx"
    data = make_demo(date.today())
    path.write_bytes(build_workbook(LEDGERS, data.rows))
    result = run("validate", "--json", path)
    expected = [{"file": str(path), **f.as_dict()} for f in check_workbook(read_grids(path), date.today()).findings]
    assert json.loads(result.stdout) == expected
    assert set(expected[0]) == {"file", "sheet", "cell", "column", "code", "severity", "message"}


def _empty_workbook(path):
    openpyxl.Workbook().save(path)
    return path


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "没有这个文件.xlsx", "找不到文件"),
        (
            lambda d: (d / "notes.xlsx").write_text("这不是工作簿", encoding="utf-8") and d / "notes.xlsx",
            "不是有效的 Excel 文件",
        ),
        (lambda d: (d / "notes.txt").write_text("x") and d / "notes.txt", "不是 Excel 工作簿"),
        (
            lambda d: (d / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)) and d / "old.xls",
            "旧版 .xls 格式",
        ),
        (lambda d: _empty_workbook(d / "empty.xlsx"), "没有找到可识别的表"),
        (
            lambda d: write_xlsx(d / "other.xlsx", {"通讯录": [["姓名", "部门", "分机"], ["张三", "财务", 8001]]}),
            "没有找到可识别的表",
        ),
    ],
)
def test_unusable_input_gives_one_chinese_line_and_exit_2(tmp_path, make, message):
    path = make(tmp_path)
    before = path.read_bytes() if path.exists() else None
    result = run("validate", path)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # no traceback escaped
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert (path.read_bytes() if path.exists() else None) == before


def _truncated(data: bytes) -> bytes:
    return data[:3000]


def _corrupted(data: bytes) -> bytes:
    """The zip directory intact, a sheet's compressed bytes scrambled."""
    spoiled = bytearray(data)
    for i in range(1150, 1400):
        spoiled[i] ^= 0x5A
    return bytes(spoiled)


@pytest.mark.parametrize("damage, message", [(_truncated, "不是有效的 Excel 文件"), (_corrupted, "已损坏，无法读取")])
def test_the_installed_command_prints_no_traceback_on_a_damaged_file(tmp_path, damage, message):
    damaged = tmp_path / "damaged.xlsx"
    damaged.write_bytes(damage((TEMPLATES / "team.xlsx").read_bytes()))
    result = subprocess.run(
        [sys.executable, "-m", "workbook_tools", "validate", str(damaged)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert result.returncode == 2
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("「damaged.xlsx」") and message in line


def test_new_writes_the_chosen_sheets_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "我们的退件.xlsx"
    result = run("new", out, "--sheets", "退件表,resends")
    assert result.exit_code == 0, result.output
    assert openpyxl.load_workbook(out).sheetnames == [RETURNS.title, RESENDS.title, "设置"]
    assert out.read_bytes() == build_workbook((RETURNS, RESENDS))
    digest = hashlib.sha256(out.read_bytes()).digest()
    again = run("new", out)
    assert again.exit_code == 2 and "已存在" in again.stderr
    assert hashlib.sha256(out.read_bytes()).digest() == digest
    assert run("new", out, "--force").exit_code == 0
    assert out.read_bytes() == (TEMPLATES / "team.xlsx").read_bytes()


def test_new_refuses_an_unknown_sheet_name(tmp_path):
    result = run("new", tmp_path / "x.xlsx", "--sheets", "退货表格")
    assert result.exit_code == 2 and "没有名为「退货表格」的表" in result.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_build_templates_check_notices_a_stale_folder(tmp_path):
    assert run("build-templates", "--out", tmp_path).exit_code == 0
    assert run("build-templates", "--check", "--out", tmp_path).exit_code == 0
    (tmp_path / "team.xlsx").write_bytes(b"old")
    result = run("build-templates", "--check", "--out", tmp_path)
    assert result.exit_code == 1 and "team.xlsx" in result.stderr


def test_warnings_alone_exit_0(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx",
        {"退件表": [["日期", "物流单号", "订单编码", "产品名称", "数量"], ["2062-11-20", "SF1", "SO1", "眼霜", 1]]},
    )
    result = run("validate", path)
    assert result.exit_code == 0
    assert flatten(check_workbook(read_grids(path), date.today()).findings, "code") == [("unlikely_date",)]


COMMANDS = sorted(cli.commands)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_chinese_help(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert cli.commands[command].help and any("\u4e00" <= ch <= "\u9fff" for ch in cli.commands[command].help)


@pytest.mark.parametrize("command", COMMANDS)
def test_the_readme_documents_every_command(command):
    assert f"workbook-tools {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [line for line in first_block.splitlines() if line.startswith("python3 -m venv")]
    assert len(commands) == 2
    assert commands[1] in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
