"""Names live in the declarations only: logic reaches columns through them, and a broken reference fails loudly."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from workbook_tools.core.findings import flatten
from workbook_tools.core.handover import handover
from workbook_tools.core.tables import Grid
from workbook_tools.core.validate import check_workbook
from workbook_tools.spec.reports import DAILY, RESULTS
from workbook_tools.spec.rowrules import Template
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.settings_sheet import SETTINGS
from workbook_tools.spec.sheets import CHASE_DETAIL, LEDGERS, QUALITY, RETURNS

from conftest import ROOT, TODAY, demo_workbook


def declared_names() -> set[str]:
    """Every name a team sees: sheet titles, canonical headers, choice values and list titles, rule titles.

    Aliases are left out: they are other spellings we recognise, and prose may use the same words.
    """
    names = {SETTINGS.title, DAILY.title, RESULTS.title, *SETTINGS.rule_columns.all(), *SETTINGS.roster_columns.all()}
    for spec in LEDGERS:
        names |= {spec.title, *(c.header for c in spec.columns)}
    for choice_list in SETTINGS.lists:
        names |= {choice_list.title, *choice_list.values}
    names |= {rule.title for rule in RULES.all}
    return names


def _docstrings(tree: ast.AST) -> set[int]:
    found = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(body, list)
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
        ):
            found.add(id(body[0].value))
    return found


def literals_outside_the_declarations(root: Path) -> list[str]:
    """String constants outside spec/ that are, or quote, a declared name (docstrings aside)."""
    names = declared_names()
    long_names = [n for n in names if len(n) >= 3]
    found = []
    for path in sorted((root / "workbook_tools").rglob("*.py")):
        if "spec" in path.relative_to(root).parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        skip = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
                text = node.value
                hits = [n for n in names if text == n or f"「{n}」" in text] + [n for n in long_names if n in text]
                if hits:
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {text!r} names {sorted(set(hits))}")
    return found


def test_no_sheet_header_or_choice_is_written_outside_the_declarations():
    assert literals_outside_the_declarations(ROOT) == []


def test_a_literal_planted_in_the_logic_is_found(tmp_path):
    shutil.copytree(ROOT / "workbook_tools", tmp_path / "workbook_tools")
    totals = tmp_path / "workbook_tools" / "core" / "totals.py"
    totals.write_text(totals.read_text(encoding="utf-8") + '\nCLAIMING = "索赔中"\n', encoding="utf-8")
    assert any("'索赔中'" in line for line in literals_outside_the_declarations(tmp_path))


def _rename_in_declarations(root: Path, sheet_class: str, old: str, new: str) -> None:
    """A copy of the package where one column of one sheet declaration has another attribute name."""
    shutil.copytree(ROOT / "workbook_tools", root / "workbook_tools")
    sheets = root / "workbook_tools" / "spec" / "sheets.py"
    text = sheets.read_text(encoding="utf-8")
    start = text.index(f"class {sheet_class}(Sheet):")
    end = text.find("\nclass ", start + 1)
    body = re.sub(rf"^    {old} = ", f"    {new} = ", text[start:end], flags=re.M)
    assert body != text[start:end]
    sheets.write_text(text[:start] + body + text[end:], encoding="utf-8")


COMMANDS = [["validate"], ["handover", "--from", "小美", "--to", "阿强"], ["daily-totals"], ["chase-summary"]]


@pytest.mark.parametrize(
    "sheet_class, column", [("Quality", "claim_state"), ("ChaseDetail", "answer"), ("Returns", "result")]
)
def test_a_column_renamed_in_a_copy_of_the_declarations_makes_every_command_fail_loudly(tmp_path, sheet_class, column):
    _rename_in_declarations(tmp_path / "copy", sheet_class, column, column + "_renamed")
    book = demo_workbook(tmp_path / "book.xlsx", TODAY)
    before = book.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "copy")}
    for command in COMMANDS:
        done = subprocess.run(
            [sys.executable, "-m", "workbook_tools", command[0], str(book), *command[1:]],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=env,
            check=False,
            cwd=tmp_path / "copy",
        )
        assert (done.returncode, done.stdout) == (1, ""), done.stdout  # nothing printed as if all were well
        assert "Traceback" in done.stderr and column in done.stderr.splitlines()[-1], done.stderr[-500:]
    assert book.read_bytes() == before


def test_a_template_naming_an_unknown_column_is_refused_at_declaration():
    with pytest.raises(TypeError, match="unknown column 'claim_stat'"):
        Template("{claim_stat|未填}").check(QUALITY, RULES)
    with pytest.raises(TypeError, match="unknown rule"):
        Template("{rules.max_chase}").check(QUALITY, RULES)


def test_a_row_read_with_another_sheets_column_is_an_error_not_none():
    ledger = Grid(
        "退件表", [["日期", "物流单号", "订单编码", "产品名称", "数量"], ["2026-11-20", "SF1", "SO1", "眼霜", 1]]
    )
    (record,) = check_workbook([ledger], TODAY).tables[0].records
    assert record[RETURNS.remarks] is None  # a column of this sheet the team's sheet lacks
    with pytest.raises(KeyError, match="订单金额"):
        record[CHASE_DETAIL.amount]


CHASE_HEADER = ["拍下时间", "买家ID", "订单编号", "订单金额", "催款日期", "催款人", "催款方式", "接听情况", "催款结果"]


def _chases(times: int) -> Grid:
    return Grid(
        "催款明细表",
        [
            CHASE_HEADER,
            *[
                [
                    "2026-11-21 20:00",
                    "小鹿乱撞2020",
                    f"410000000000000{n}",
                    89,
                    "2026-11-22",
                    "小美",
                    "电话",
                    "未接通",
                    "未付款",
                ]
                for n in range(times)
            ],
        ],
    )


SETTINGS_WITH_FIVE = Grid("设置", [["规则", "数值", "单位"], ["24 小时内同一买家最多催款次数", 5, "次"]])


def test_with_the_over_chase_rule_at_five_the_handover_and_the_finding_say_five():
    check = check_workbook([_chases(6), SETTINGS_WITH_FIVE], TODAY)
    assert flatten(check.findings, "cell", "code") == [("B7", "over_chased")]
    assert "超过 24 小时内最多 5 次" in check.findings[0].message
    result = handover(check, "小美", "阿强", datetime(2026, 11, 22, 18))
    assert result.items and all("已催满 5 次" in item["action"] for item in result.items)
    within = check_workbook([_chases(4), SETTINGS_WITH_FIVE], TODAY)
    result = handover(within, "小美", "阿强", datetime(2026, 11, 22, 18))
    assert result.items and all("不超过 5 次" in item["action"] for item in result.items)
    assert check_workbook([_chases(5), SETTINGS_WITH_FIVE], TODAY).findings == ()
