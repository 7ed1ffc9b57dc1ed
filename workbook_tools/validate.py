"""Validation: every problem of every sheet, as findings with stable codes.

Findings are collected, never raised: a lead fixing a pasted ledger wants the
whole list at once. Each message names the cell and says what to do.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Iterable

from .errors import NoKnownSheet
from .schema import Column, Kind
from .settings import Settings, read_settings
from .sheets import LEDGERS, QUALITY, SETTINGS_TITLE
from .tables import Grid, Table, cell_name, find_tables
from .values import BadValue, coerce, is_blank, is_unlikely_date, mask_name, mask_phone


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.ERROR else "警告"


E, W = Severity.ERROR, Severity.WARNING
CODES: dict[str, tuple[Severity, str]] = {
    "missing_required": (E, "{where}：「{column}」没有填写{detail}，请补上。"),
    "bad_date": (E, "{where}：「{column}」的「{value}」不是有效日期{detail}，请写成 2026-11-03 这样的日期。"),
    "unlikely_date": (W, "{where}：「{column}」的日期 {value} 早于 2000 年或晚于明年，请核对年份。"),
    "bad_number": (E, "{where}：「{column}」的「{value}」{detail}，{fix}。"),
    "bad_choice": (E, "{where}：「{column}」的「{value}」不是可选项，请从下拉列表选择（{choices}），"
                      "或先在「设置」表的「{list}」列加上它。"),
    "order_no_precision_lost": (E, "{where}：「{column}」已被 Excel 存成数字 {value}，末几位已变成 0，"
                                   "请把该列设为文本格式后从订单后台重新复制粘贴。"),
    "bad_phone": (E, "{where}：「{column}」的「{value}」不是有效的手机或座机号码，请对照订单详情改正。"),
    "duplicate_row": (E, "{where}：与第 {other} 行重复登记（{keys}相同），请删除多余的一行。"),
    "missing_evidence": (E, "{where}：破损件只有 {value} 张凭证照片，至少要 2 张，请让客户补拍后更新「凭证张数」。"),
    "unknown_header": (W, "{where}：表头「{value}」不是已知列名，是否应为「{suggestion}」？"
                          "请改正表头，否则这一列不会被校验。"),
}
MIN_EVIDENCE_PHOTOS = 2  # seed 003 ch.1 §Ⅳ: 破损 needs 2–3 photos


@dataclass(frozen=True)
class Finding:
    sheet: str
    cell: str
    column: str
    code: str
    severity: Severity
    message: str
    row: int = field(default=0, repr=False)
    col: int = field(default=0, repr=False)

    def as_dict(self) -> dict[str, str]:
        return {"sheet": self.sheet, "cell": self.cell, "column": self.column, "code": self.code,
                "severity": self.severity.value, "message": self.message}


def finding(sheet: str, row: int, col: int, column: str, code: str, **fields: object) -> Finding:
    severity, template = CODES[code]
    cell = cell_name(row, col)
    fields.setdefault("detail", "")
    message = template.format(where=f"{sheet}!{cell}", column=column, **fields)
    return Finding(sheet, cell, column, code, severity, message, row, col)


def flatten(findings: Iterable[Finding], *names: str) -> list[tuple]:
    """Short tuples for tests and summaries: `flatten(fs, "cell", "code")`."""
    names = names or ("sheet", "cell", "code")
    return [tuple(getattr(f, n) for n in names) for f in findings]


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


def _row_findings(table: Table, record: Record) -> list[Finding]:
    found = []
    for column in table.spec.columns:
        if column.required_when is None or not table.has(column.header):
            continue
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


def check_table(table: Table, settings: Settings, today: date) -> TableCheck:
    findings = [finding(table.sheet, table.header_row, u.col, u.text, "unknown_header",
                        value=u.text, suggestion=u.suggestion) for u in table.unknown_headers]
    columns = [c for c in table.spec.columns if table.has(c.header) and not c.computed]
    records = []
    for row in table.rows:
        values: dict[str, object] = {}
        bad = set()
        row_findings = []
        for column in columns:
            raw = row.values[column.header]
            if is_blank(raw):
                values[column.header] = None
                if column.required:
                    row_findings.append(finding(table.sheet, row.number, table.columns[column.header],
                                                column.header, "missing_required"))
                continue
            value, cell_findings = _cell_findings(table, row.number, column, raw, settings, today)
            values[column.header] = value
            if cell_findings and cell_findings[0].severity is Severity.ERROR:
                bad.add(column.header)
            row_findings += cell_findings
        record = Record(row.number, values, frozenset(bad))
        records.append(record)
        findings += row_findings + _row_findings(table, record)
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
    return WorkbookCheck(settings, checks, tuple(findings))
