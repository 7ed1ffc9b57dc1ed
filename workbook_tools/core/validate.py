"""Validation: every problem of every sheet, as findings with stable codes.

Findings are collected, never raised: a lead fixing a pasted ledger wants the
whole list at once. Each message names the cell and says what to do.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field
from datetime import date, datetime

from workbook_tools.core.changes import Block, NewSheet
from workbook_tools.core.crosscheck import cross_findings
from workbook_tools.errors import NoKnownSheet
from workbook_tools.spec.types import Column, Kind
from workbook_tools.core.settings import Settings, read_settings
from workbook_tools.spec.sheets import LEDGERS, QUALITY, SETTINGS_TITLE
from workbook_tools.core.findings import Finding, Severity, finding
from workbook_tools.core.tables import Grid, Table, find_tables
from workbook_tools.core.values import BadValue, coerce, is_blank, is_unlikely_date, likely_dates, mask_name, mask_phone, parser_for

MIN_EVIDENCE_PHOTOS = 2  # seed 003 ch.1 §Ⅳ: 破损 needs 2–3 photos
_NONE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Record:
    """One ledger row, its values cleaned; cells that failed are None and named in `bad`.

    `errors` names every column with an error finding on this row (a duplicate or
    a missing value too): totals leave such rows out and list them instead.
    """

    row: int
    values: dict[str, object]
    bad: frozenset[str] = field(default=frozenset())
    errors: frozenset[str] = field(default=frozenset())


@dataclass(frozen=True)
class TableCheck:
    table: Table
    records: tuple[Record, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class WorkbookCheck:
    settings: Settings
    tables: tuple[TableCheck, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)


def show(column: Column, value: object) -> str:
    """A cell value as a message may quote it: short, and masked when personal."""
    if isinstance(value, datetime):
        text = value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.min.time() else value.strftime("%Y-%m-%d")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        text = str(int(value))
    else:
        text = str(value).strip()
    if column.personal:
        text = mask_phone(text) if column.kind is Kind.PHONE else mask_name(text)
    return text if len(text) <= 30 else text[:29] + "…"


def _number_fix(column: Column) -> str:
    low = 0 if column.minimum is None else column.minimum
    if column.kind is Kind.INT:
        return f"请填写不小于 {low:g} 的整数"
    if column.kind is Kind.RATE:
        return "请填写百分比，如 35%"
    return f"请填写不小于 {low:g} 的金额，如 12.50"


def _cell_findings(table: Table, row: int, column: Column, raw: object, settings: Settings,
                   today: date) -> tuple[object, list[Finding]]:
    where = (table.sheet, row, table.columns[column.header], column.header)
    try:
        value = coerce(column.kind, raw, today)
    except BadValue as error:
        shown = error.detail if error.code in ("order_no_precision_lost", "bad_phone") else show(column, raw)
        detail = error.detail
        if error.code == "bad_date" and detail:
            detail = f"（{detail}）"
        return None, [finding(*where, error.code, value=shown, detail=detail, fix=_number_fix(column))]
    if column.minimum is not None and value < column.minimum:
        return None, [finding(*where, "bad_number", value=show(column, raw),
                              detail=f"不能小于 {column.minimum:g}", fix=_number_fix(column))]
    if column.kind in (Kind.DATE, Kind.DATETIME) and is_unlikely_date(value, today):
        return value, [finding(*where, "unlikely_date", value=show(column, value))]
    if column.choices is not None and column.choices.strict:
        choices = settings.choices(column.choices)
        if value not in choices:
            listed = "、".join(choices[:8]) + ("等" if len(choices) > 8 else "")
            return None, [finding(*where, "bad_choice", value=show(column, raw), choices=listed,
                                  list=column.choices.title)]
    return value, []


def _row_findings(table: Table, conditional: list[Column], row: int, values: dict[str, object],
                  bad: frozenset[str] | set[str]) -> list[Finding]:
    """Checks across one row's cells; `conditional` are the sheet's columns with a required_when."""
    found = []
    for column in conditional:
        other, expected = column.required_when
        if values.get(other) == expected and values.get(column.header) is None and column.header not in bad:
            found.append(finding(table.sheet, row, table.columns[column.header], column.header,
                                 "missing_required", detail=f"（{other}为「{expected}」时必填）"))
    if table.spec is QUALITY and table.has("凭证张数") and values.get("问题类型") == "破损":
        photos = values.get("凭证张数")
        if "凭证张数" not in bad and (photos or 0) < MIN_EVIDENCE_PHOTOS:
            found.append(finding(table.sheet, row, table.columns["凭证张数"], "凭证张数",
                                 "missing_evidence", value=photos or 0))
    return found


def _duplicate_findings(table: Table, values: dict[str, list], bad: dict[int, set[str]]) -> list[Finding]:
    spec = table.spec
    key = [h for h in (spec.duplicate_key or [c.header for c in spec.columns if not c.computed])
           if h in values]
    if not key:
        return []
    columns = []
    for h in key:  # a cell that failed is compared as typed
        column = values[h]
        failed = [i for i, headers in bad.items() if h in headers]
        if failed:
            column = list(column)
            for i in failed:
                column[i] = str(table.cells[h][i]).strip()
        columns.append(column)
    seen: dict[tuple, int] = {}
    found = []
    for index, row_key in enumerate(zip(*columns)):
        if row_key.count(None) == len(row_key):
            continue
        first = seen.setdefault(row_key, index)
        if first != index:
            found.append(finding(table.sheet, table.row_numbers[index], table.columns[key[0]], key[0],
                                 "duplicate_row", other=table.row_numbers[first],
                                 keys="、".join(f"「{h}」" for h in key)))
    return found


def _column_checks(table: Table, settings: Settings, today: date) -> list[tuple]:
    """Per input column: its parser, and what a clean value must satisfy (decided once, not per cell)."""
    checks = []
    for column in table.spec.columns:
        if not table.has(column.header) or column.computed:
            continue
        allowed = (frozenset(settings.choices(column.choices))
                   if column.choices is not None and column.choices.strict else None)
        dated = column.kind in (Kind.DATE, Kind.DATETIME)
        checks.append((column, parser_for(column.kind, today), allowed, dated))
    return checks


_FAILED = object()  # a cell the fast path could not accept: _cell_findings says why


def _read_column(raws: list, column: Column, parse, allowed: frozenset | None, dated: bool,
                 window: tuple[date, date]) -> tuple[list, list[int], list[int]]:
    """A column's clean values, and the indexes of its blank cells and of the cells that need a closer look.

    Cells repeat a lot (choices, products, days, quantities), so each distinct
    raw value is judged once; only when a column mixes number types (1, 1.0,
    True and Decimal(1) are one dict key but may read differently) is every
    cell judged.
    """
    minimum = column.minimum
    earliest, latest = window

    def judge(raw: object) -> object:
        if is_blank(raw):
            return None
        try:
            value = parse(raw)
        except BadValue:
            return _FAILED
        if minimum is not None and value < minimum:
            return _FAILED
        if dated and not earliest <= (value.date() if isinstance(value, datetime) else value) <= latest:
            return _FAILED
        if allowed is not None and value not in allowed:
            return _FAILED
        return value

    if sum(issubclass(kind, numbers.Number) for kind in set(map(type, raws))) > 1:
        values = list(map(judge, raws))
        verdicts = values
    else:
        outcome = {raw: judge(raw) for raw in set(raws)}
        values = list(map(outcome.__getitem__, raws))
        verdicts = outcome.values()
    blank = [i for i, value in enumerate(values) if value is None] if None in verdicts else []
    failed = [i for i, value in enumerate(values) if value is _FAILED] if _FAILED in verdicts else []
    for i in failed:
        values[i] = None
    return values, blank, failed


def check_table(table: Table, settings: Settings, today: date) -> TableCheck:
    """Column by column: every cell is read by its column's parser; only failing cells build a message."""
    findings = [finding(table.sheet, table.header_row, u.col, u.text, "unknown_header",
                        value=u.text, suggestion=u.suggestion) for u in table.unknown_headers]
    row_numbers = table.row_numbers
    window = likely_dates(today)
    values: dict[str, list] = {}
    bad: dict[int, set[str]] = {}  # row index -> columns whose cell has an error
    for column, parse, allowed, dated in _column_checks(table, settings, today):
        header, col = column.header, table.columns[column.header]
        raws = table.cells[header]
        values[header], blank, failed = _read_column(raws, column, parse, allowed, dated, window)
        if column.required:
            findings += [finding(table.sheet, row_numbers[i], col, header, "missing_required") for i in blank]
        for i in failed:
            values[header][i], cell_findings = _cell_findings(table, row_numbers[i], column, raws[i], settings, today)
            if cell_findings and cell_findings[0].severity is Severity.ERROR:
                bad.setdefault(i, set()).add(header)
            findings += cell_findings
    headers = list(values)
    rows = zip(*values.values()) if headers else ((),) * len(row_numbers)
    row_values = [dict(zip(headers, row)) for row in rows]
    conditional = [c for c in table.spec.columns if c.required_when is not None and table.has(c.header)]
    if conditional or table.spec is QUALITY:
        for i, cells in enumerate(row_values):
            findings += _row_findings(table, conditional, row_numbers[i], cells, bad.get(i, _NONE))
    findings += _duplicate_findings(table, values, bad)
    findings.sort(key=lambda f: (f.row, f.col))
    errors: dict[int, set[str]] = {}
    for f in findings:
        if f.severity is Severity.ERROR:
            errors.setdefault(f.row, set()).add(f.column)
    records = tuple(Record(number, cells, frozenset(bad[i]) if i in bad else _NONE,
                           frozenset(errors[number]) if number in errors else _NONE)
                    for i, (number, cells) in enumerate(zip(row_numbers, row_values)))
    return TableCheck(table, records, tuple(findings))


def check_workbook(grids: list[Grid], today: date) -> WorkbookCheck:
    """Validate every recognised sheet of a workbook; NoKnownSheet when there is none."""
    settings = read_settings(grids)
    tables = find_tables([g for g in grids if g.name.strip() != SETTINGS_TITLE])
    if not tables:
        names = "、".join(spec.title for spec in LEDGERS)
        raise NoKnownSheet(f"没有找到可识别的表（{names}）：请确认表头行写有「订单号」「日期」等列名。")
    findings = [finding(SETTINGS_TITLE, b.row, b.col, b.column, b.error.code, value=b.value,
                        detail=b.error.detail, fix="请填写数字") for b in settings.bad_cells]
    checks = tuple(check_table(t, settings, today) for t in tables)
    for check in checks:
        findings += check.findings
    order = {t.sheet: i for i, t in enumerate(tables)}
    findings += sorted(cross_findings(checks, settings), key=lambda f: (order[f.sheet], f.row, f.col))
    return WorkbookCheck(settings, checks, tuple(findings))


RESULTS_TITLE = "校验结果"
RESULTS_HEADER = ("位置", "表", "单元格", "列", "级别", "代码", "说明")


def results_sheet(check: WorkbookCheck, notes: list[str], marked: list[str], at: datetime) -> NewSheet:
    """The 校验结果 tab: every finding with its address (column A drives the marks in the ledgers).

    `marked` (sheets carrying our highlight rule) and `notes` (cells we put a note
    on) are kept on the tab, so the next run can tell its own marks from the team's.
    """
    rows = tuple((f"{f.sheet}!{f.cell}", f.sheet, f.cell, f.column, f.severity.label, f.code, f.message)
                 for f in check.findings) or (("", "", "", "", "", "", "没有发现问题。"),)
    summary = f"校验于 {at:%Y-%m-%d %H:%M}：{check.errors} 个错误、{check.warnings} 个警告。改正后再点「校验」，标记会自动更新。"
    return NewSheet(RESULTS_TITLE, (
        Block(1, 1, ((summary,),), style="title"),
        Block(2, 1, ((MARKED_PREFIX + "|".join(marked),), (NOTED_PREFIX + "|".join(notes),)), style="note"),
        Block(4, 1, (RESULTS_HEADER,), style="header"),
        Block(5, 1, rows)), widths={1: 16, 2: 12, 3: 12, 4: 12, 5: 12, 6: 24, 7: 90}, freeze_row=4)


MARKED_PREFIX = "已设标记的表："
NOTED_PREFIX = "已加批注的单元格："


def earlier_marks(grids: list[Grid]) -> tuple[list[str], list[str]]:
    """What an earlier run recorded on 校验结果: (sheets with our rule, cells with our note)."""
    grid = next((g for g in grids if g.name == RESULTS_TITLE), None)
    found = {MARKED_PREFIX: [], NOTED_PREFIX: []}
    for row in grid.rows[:4] if grid else ():
        text = row[0] if row and isinstance(row[0], str) else ""
        for prefix in found:
            if text.startswith(prefix):
                found[prefix] = [part for part in text[len(prefix):].split("|") if part]
    return found[MARKED_PREFIX], found[NOTED_PREFIX]
