"""Finding the ledgers as teams keep them: a header far down, a sheet we cannot read, several sheets for one ledger."""

from __future__ import annotations

import openpyxl

from workbook_tools.core.findings import flatten
from workbook_tools.core.tables import Grid
from workbook_tools.core.validate import check_workbook
from workbook_tools.xlsx.reader import read_grids

from conftest import TODAY, parts, run, write_xlsx

AT = f"{TODAY} 18:00"
RETURNS = ["日期", "物流单号", "ID号", "订单编码", "产品名称", "数量", "处理结果"]
HANDOVER = ["买家ID", "订单号", "交接处理", "交接人", "承接人", "时间", "状态"]
PENDING = ["jenny王", "410001", "查物流", "莉莉", "小美", f"{TODAY} 09:00", "待处理"]


def test_a_header_under_a_logo_and_a_title_block_is_found():
    title_block = [["XX旗舰店"], [], ["售后退件登记"], ["仓库：杭州一号库", None, "负责人：王姐"], *([[]] * 10)]
    grid = Grid("退件登记", [*title_block, RETURNS, [TODAY.isoformat(), "SF1", "jenny王", "SO1", "眼霜", 1, None]])
    (table,) = check_workbook([grid], TODAY).tables
    assert (table.table.spec.key, table.table.header_row, [r.row for r in table.records]) == ("returns", 15, [16])


def test_a_sheet_named_like_a_ledger_whose_header_cannot_be_read_is_reported(tmp_path):
    path = write_xlsx(
        tmp_path / "team.xlsx",
        {
            "退件表": [RETURNS, [TODAY.isoformat(), "SF1", "b", "SO1", "眼霜", 1]],
            "交接表": [["日期", "内容", "人"], [TODAY.isoformat(), "早会", "小美"]],
        },
    )
    result = run("validate", path)
    assert result.exit_code == 0 and "交接表!A1" in result.stdout and "unrecognised_sheet" in result.stdout
    assert "像是交接表，但前 60 行里没有找到它的表头" in result.stdout


def test_a_copy_kept_for_the_record_is_neither_checked_nor_written(tmp_path):
    path = write_xlsx(
        tmp_path / "team.xlsx",
        {
            "退件表": [RETURNS, [TODAY.isoformat(), "SF1", "b", "SO1", "眼霜", 1, None]],
            "交接表": [HANDOVER],
            "交接表 备份": [HANDOVER, ["坏数据", None, None, None, None, "昨天", "待处理"]],
        },
    )
    check = check_workbook(read_grids(path), TODAY)
    assert flatten(check.findings, "sheet", "cell", "code") == [("交接表 备份", "A1", "archive_copy")]
    copy_before = {n: d for n, d in parts(path).items() if n == "xl/worksheets/sheet3.xml"}
    assert run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT).exit_code == 0
    book = openpyxl.load_workbook(path)
    assert book["交接表"].max_row == 2 and book["交接表 备份"].max_row == 2
    assert {n: d for n, d in parts(path).items() if n in copy_before} == copy_before


def test_with_two_handover_sheets_the_one_named_exactly_is_written_and_the_user_is_told(tmp_path):
    path = write_xlsx(
        tmp_path / "team.xlsx",
        {
            "交接表 11月": [HANDOVER, PENDING],
            "交接表": [HANDOVER],
            "退件表": [RETURNS, [TODAY.isoformat(), "SF1", "b", "SO1", "眼霜", 1, None]],
        },
    )
    validated = run("validate", path)
    assert "交接表 11月!A1" in validated.stdout and "写入时只用「交接表」" in validated.stdout
    assert run("handover", path, "--from", "小美", "--to", "阿强", "--at", AT).exit_code == 0
    book = openpyxl.load_workbook(path)
    assert [c.value for c in book["交接表 11月"][2]] == PENDING  # read (its item is carried), never written
    carried = [row[2] for row in book["交接表"].iter_rows(min_row=2, values_only=True)]
    assert sorted(carried)[0].startswith("查物流") and len(carried) == 2
