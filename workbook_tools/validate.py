"""Validation: every problem of every sheet, as findings with stable codes.

Findings are collected, never raised: a lead fixing a pasted ledger wants the
whole list at once. Each message names the cell and says what to do.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime

from .changes import Block, NewSheet
from .crosscheck import cross_findings
from .errors import NoKnownSheet
from .schema import Column, Kind
from .settings import Settings, read_settings
from .sheets import LEDGERS, QUALITY, SETTINGS_TITLE
from .findings import Finding, Severity, finding
from .tables import Grid, Table, find_tables
from .values import BadValue, coerce, is_unlikely_date, likely_dates, mask_name, mask_phone, parser_for

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


def _row_findings(table: Table, conditional: list[Column], record: Record) -> list[Finding]:
    """Checks across one row's cells; `conditional` are the sheet's columns with a required_when."""
    found = []
    for column in conditional:
        other, expected = column.required_when
        if record.values.get(other) == expected and record.values.get(column.header) is None \
                and column.header not in record.bad:
            found.append(finding(table.sheet, record.row, table.columns[column.header], column.header,
                                 "missing_required", detail=f"（{other}为「{expected}」时必填）"))
    if table.spec is QUALITY and table.has("凭证张数") and record.values.get("问题类型") == "破损":
        photos = record.values.get("凭证张数")
        if "凭证张数" not in record.bad and (photos or 0) < MIN_EVIDENCE_PHOTOS:
            found.append(finding(table.sheet, record.row, table.columns["凭证张数"], "凭证张数",
                                 "missing_evidence", value=photos or 0))
    return found


def _duplicate_findings(table: Table, records: list[Record]) -> list[Finding]:
    spec = table.spec
    key = [h for h in (spec.duplicate_key or [c.header for c in spec.columns if not c.computed])
           if table.has(h)]
    if not key:
        return []
    seen: dict[tuple, int] = {}
    found = []
    for record, row in zip(records, table.rows):
        values = tuple(record.values[h] if h not in record.bad else str(row.values[h]).strip() for h in key)
        if all(v is None for v in values):
            continue
        first = seen.setdefault(values, record.row)
        if first != record.row:
            found.append(finding(table.sheet, record.row, table.columns[key[0]], key[0], "duplicate_row",
                                 other=first, keys="、".join(f"「{h}」" for h in key)))
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


def check_table(table: Table, settings: Settings, today: date) -> TableCheck:
    findings = [finding(table.sheet, table.header_row, u.col, u.text, "unknown_header",
                        value=u.text, suggestion=u.suggestion) for u in table.unknown_headers]
    checks = _column_checks(table, settings, today)
    conditional = [c for c in table.spec.columns if c.required_when is not None and table.has(c.header)]
    earliest, latest = likely_dates(today)
    records = []
    for row in table.rows:
        values: dict[str, object] = {}
        bad = set()
        row_findings = []
        for column, parse, allowed, dated in checks:
            raw = row.values[column.header]
            if raw is None or (raw.__class__ is str and not raw.strip()):
                values[column.header] = None
                if column.required:
                    row_findings.append(finding(table.sheet, row.number, table.columns[column.header],
                                                column.header, "missing_required"))
                continue
            try:  # the common case, a clean cell, in as few steps as possible
                value = parse(raw)
                day = (value.date() if isinstance(value, datetime) else value) if dated else None
                clean = ((column.minimum is None or value >= column.minimum)
                         and (day is None or earliest <= day <= latest)
                         and (allowed is None or value in allowed))
            except BadValue:
                clean = False
            if clean:
                values[column.header] = value
                continue
            value, cell_findings = _cell_findings(table, row.number, column, raw, settings, today)
            values[column.header] = value
            if cell_findings and cell_findings[0].severity is Severity.ERROR:
                bad.add(column.header)
            row_findings += cell_findings
        record = Record(row.number, values, frozenset(bad) if bad else _NONE)
        records.append(record)
        findings += row_findings
        if conditional or table.spec is QUALITY:
            findings += _row_findings(table, conditional, record)
    findings += _duplicate_findings(table, records)
    findings.sort(key=lambda f: (f.row, f.col))
    errors: dict[int, set[str]] = {}
    for f in findings:
        if f.severity is Severity.ERROR:
            errors.setdefault(f.row, set()).add(f.column)
    records = [replace(r, errors=frozenset(errors[r.row])) if r.row in errors else r for r in records]
    return TableCheck(table, tuple(records), tuple(findings))


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
