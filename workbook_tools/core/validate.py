"""Validation: every problem of every sheet, as findings with stable codes.

Findings are collected, never raised: a lead fixing a pasted ledger wants the
whole list at once. Each message names the cell and says what to do.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from workbook_tools.core.approval import awaiting, line
from workbook_tools.core.changes import generated
from workbook_tools.core.crosscheck import cross_findings
from workbook_tools.core.findings import Finding, finding
from workbook_tools.core.records import NO_COLUMNS, Record, TableCheck, WorkbookCheck
from workbook_tools.core.settings import Settings, read_settings
from workbook_tools.core.tables import HEADER_SCAN_ROWS, Grid, Table, find_tables
from workbook_tools.core.values import (
    BadValue,
    is_blank,
    is_unlikely_date,
    likely_dates,
    mask_name,
    mask_phone,
    moment_text,
    parser_for,
)
from workbook_tools.errors import NoKnownSheet
from workbook_tools.spec.codes import Severity
from workbook_tools.spec.reports import DAILY
from workbook_tools.spec.settings_sheet import SETTINGS
from workbook_tools.spec.sheets import ARCHIVE_WORDS, HANDOVER, LEDGERS, RETURNS
from workbook_tools.spec.types import LIST_SEPARATOR, Column, Kind, Sheet


def show(column: Column, value: object) -> str:
    """A cell value as a message may quote it: short, and masked when personal."""
    if isinstance(value, date):
        text = moment_text(value)
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


def _date_example(column: Column) -> str:
    return "2026-11-03 14:30 这样的日期和时间" if column.kind is Kind.DATETIME else "2026-11-03 这样的日期"


def _cell_findings(
    table: Table, row: int, check: _ColumnCheck, raw: object, settings: Settings, today: date
) -> tuple[object, list[Finding]]:
    column = check.column
    where = (table.sheet, row, table.columns[column], column.header)
    try:
        value = check.parse(raw)
    except BadValue as error:
        quoted = error.code in ("order_no_precision_lost", "bad_phone", "cell_error")  # the detail is the value to show
        shown = error.detail if quoted else show(column, raw)
        detail = error.detail
        if error.code == "bad_date" and detail:
            detail = f"（{detail}）"
        return None, [
            finding(
                *where, error.code, value=shown, detail=detail, fix=_number_fix(column), example=_date_example(column)
            )
        ]
    if column.minimum is not None and value < column.minimum:
        return None, [
            finding(
                *where,
                "bad_number",
                value=show(column, raw),
                detail=f"不能小于 {column.minimum:g}",
                fix=_number_fix(column),
            )
        ]
    if column.kind.dated and is_unlikely_date(value, today):
        return value, [
            finding(*where, "unlikely_date", value=show(column, value), earliest=likely_dates(today)[0].year)
        ]
    if column.choices is not None and column.choices.strict:
        choices = settings.choices(column.choices)
        if value not in settings.accepted(column.choices):
            listed = "、".join(choices[:8]) + ("等" if len(choices) > 8 else "")
            return None, [
                finding(*where, "bad_choice", value=show(column, raw), choices=listed, list=column.choices.title)
            ]
    return value, []


def _row_findings(
    table: Table,
    conditional: list[Column],
    row: int,
    values: dict[Column, Any],
    bad: frozenset[Column],
    settings: Settings,
) -> list[Finding]:
    """Checks across one row's cells: columns required by another's value, limits set by another column, and the
    evidence a case needs."""
    found = []
    for column in conditional:
        assert column.required_when is not None
        other, expected = column.required_when
        if values.get(other) == expected and values.get(column) is None and column not in bad:
            found.append(
                finding(
                    table.sheet,
                    row,
                    table.columns[column],
                    column.header,
                    "missing_required",
                    detail=f"（{other.header}为「{expected}」时必填）",
                )
            )
    if table.spec.one_of and all(values.get(c) is None for c in table.spec.one_of):
        present = [c for c in table.spec.one_of if table.has(c)]
        if present and not any(c in bad for c in present):
            names = "、".join(c.header for c in table.spec.one_of)
            found.append(
                finding(
                    table.sheet,
                    row,
                    table.columns[present[0]],
                    present[0].header,
                    "missing_required",
                    detail=f"（{names}至少填一项）",
                )
            )
    for listed in table.spec.listed_by:
        value, by = values.get(listed.column), values.get(listed.by)
        assert listed.by.choices is not None and listed.by.choices.attribute is not None  # ListedBy.check
        assert listed.column.choices is not None
        # answers the team's own list lacks do not count: a 设置 from before message answers existed has 旺旺 rows
        # recorded as 本人接听, and nothing to change them to
        offered = settings.choices(listed.column.choices)
        allowed = tuple(v for v in settings.listed(listed.by.choices, by) if v in offered) if value and by else ()
        if allowed and value not in allowed:
            found.append(
                finding(
                    table.sheet,
                    row,
                    table.columns[listed.column],
                    listed.column.header,
                    "answer_mismatch",
                    value=value,
                    by=listed.by.header,
                    by_value=by,
                    choices=LIST_SEPARATOR.join(allowed),
                    attribute=listed.by.choices.attribute,
                )
            )
    for limit in table.spec.limits:
        amount, most = values.get(limit.column), values.get(limit.limit)
        if amount is not None and most is not None and limit.broken(amount, most):
            found.append(
                finding(
                    table.sheet,
                    row,
                    table.columns[limit.column],
                    limit.column.header,
                    limit.code,
                    value=show(limit.column, amount),
                    other=limit.limit.header,
                    limit=show(limit.limit, most),
                )
            )
    found += [
        finding(
            table.sheet,
            row,
            table.columns[rule.column],
            rule.column.header,
            rule.code,
            value=show(rule.column, values.get(rule.column)),
        )
        for rule in table.spec.forbidden
        if table.has(rule.column) and rule.when.holds(values.get)
    ]
    for rule in table.spec.sums:
        parts, total = [values.get(c) for c in rule.parts], values.get(rule.total)
        counted = sum(p or 0 for p in parts)
        filled = total is not None and any(p is not None for p in parts) and not bad & {*rule.parts, rule.total}
        if filled and counted != total:
            first = next(c for c, p in zip(rule.parts, parts, strict=True) if p is not None)
            found.append(
                finding(
                    table.sheet,
                    row,
                    table.columns[first],
                    first.header,
                    rule.code,
                    value=show(first, counted),
                    parts="＋".join(f"「{c.header}」" for c in rule.parts),
                    other=rule.total.header,
                    limit=show(rule.total, total),
                )
            )
    approval = table.spec.approval
    if (
        approval is not None
        and table.has(approval.amount)
        and not bad & {approval.amount, approval.above}
        and awaiting(values.get, approval, settings)
    ):
        above = approval.above
        most = line(values.get, approval, settings)
        found.append(
            finding(
                table.sheet,
                row,
                table.columns[approval.amount],
                approval.amount.header,
                approval.code,
                value=show(approval.amount, values.get(approval.amount)),
                limit=show(above, most) if isinstance(above, Column) else f"{settings.rule(above) if above else 0:g}",
                other=above.header if isinstance(above, Column) else "",
                state=values.get(approval.state) or DAILY.unfilled,
                state_column=approval.state.header,
                approved=approval.approved,
            )
        )
    evidence = table.spec.evidence
    if (
        evidence is not None
        and settings.usable(evidence.rule)
        and table.has(evidence.photos)
        and evidence.when.holds(values.get)
    ):
        photos, minimum = values.get(evidence.photos), settings.rule(evidence.rule)
        if evidence.photos not in bad and (photos or 0) < minimum:
            found.append(
                finding(
                    table.sheet,
                    row,
                    table.columns[evidence.photos],
                    evidence.photos.header,
                    "missing_evidence",
                    value=photos or 0,
                    minimum=minimum,
                    case=evidence.when.values[0],
                )
            )
    return found


def _duplicate_findings(table: Table, values: dict[Column, list[Any]], bad: dict[int, set[Column]]) -> list[Finding]:
    spec = table.spec
    key = [c for c in (spec.duplicate_key or [c for c in spec.columns if not c.computed]) if c in values]
    if not key:
        return []
    columns = []
    for column in key:  # a cell that failed is compared as typed
        cells = values[column]
        failed = [i for i, columns_bad in bad.items() if column in columns_bad]
        if failed:
            cells = list(cells)
            for i in failed:
                cells[i] = str(table.cells[column][i]).strip()
        columns.append(cells)
    seen: dict[tuple[Any, ...], int] = {}
    found = []
    for index, row_key in enumerate(zip(*columns, strict=True)):
        if row_key.count(None) == len(row_key):
            continue
        first = seen.setdefault(row_key, index)
        if first != index:
            found.append(
                finding(
                    table.sheet,
                    table.row_numbers[index],
                    table.columns[key[0]],
                    key[0].header,
                    "duplicate_row",
                    other=table.row_numbers[first],
                    keys="、".join(f"「{c.header}」" for c in key),
                )
            )
    return found


@dataclass(frozen=True)
class _ColumnCheck:
    """What a clean value of an input column must satisfy (decided once per column, not per cell)."""

    column: Column
    parse: Callable[[object], Any]
    allowed: frozenset[str] | None
    window: tuple[date, date] | None


def _column_checks(table: Table, settings: Settings, today: date, date1904: bool) -> list[_ColumnCheck]:
    checks = []
    for column in table.spec.columns:
        if not table.has(column) or column.computed:
            continue
        allowed = (
            frozenset(settings.accepted(column.choices))
            if column.choices is not None and column.choices.strict
            else None
        )
        checks.append(
            _ColumnCheck(
                column,
                reader_for(column, today, date1904),
                allowed,
                likely_dates(today) if column.kind.dated else None,
            )
        )
    return checks


def reader_for(column: Column, today: date, date1904: bool = False) -> Callable[[object], Any]:
    """How a non-blank cell of `column` is read: its kind's parser, then the words teams use for a choice."""
    parse = parser_for(column.kind, today, date1904)
    choices = column.choices
    if choices is None:
        return parse

    def read(raw: object) -> Any:
        value = parse(raw)
        return choices.read(value) if isinstance(value, str) else value

    return read


_FAILED = object()  # a cell the fast path could not accept: _cell_findings says why


def _read_column(raws: list[Any], check: _ColumnCheck) -> tuple[list[Any], list[int], list[int]]:
    """A column's clean values, and the indexes of its blank cells and of the cells that need a closer look.

    Cells repeat a lot (choices, products, days, quantities), so each distinct
    raw value is judged once; only when a column mixes number types (1, 1.0,
    True and Decimal(1) are one dict key but may read differently) is every
    cell judged.
    """
    minimum, parse, allowed, window = check.column.minimum, check.parse, check.allowed, check.window

    def judge(raw: object) -> object:
        if is_blank(raw):
            return None
        try:
            value = parse(raw)
        except BadValue:
            return _FAILED
        if minimum is not None and value < minimum:
            return _FAILED
        if (
            window is not None
            and not window[0] <= (value.date() if isinstance(value, datetime) else value) <= window[1]
        ):
            return _FAILED
        if allowed is not None and value not in allowed:
            return _FAILED
        return value

    verdicts: Any
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


def _missing_columns(table: Table, values: dict[Column, list[Any]]) -> list[Finding]:
    """A column the rows need that the sheet does not have (a header mistyped beyond recognition, or never added):
    always for a required column, for one required by another's value when a row has that value. Said once, at the
    header, rather than on every row."""
    found = []
    first = min(table.columns.values())
    for column in table.spec.columns:
        if table.has(column) or column.computed:
            continue
        needed = column.required
        if column.required_when is not None:
            other, expected = column.required_when
            needed = any(value == expected for value in values.get(other, ()))
        if needed:
            found.append(
                finding(table.sheet, table.header_row, first, column.header, "missing_column", value=column.header)
            )
    return found


def check_table(table: Table, settings: Settings, today: date, date1904: bool = False) -> TableCheck:
    """Column by column: every cell is read by its column's parser; only failing cells build a message.

    `date1904`: the workbook counts serial numbers from 1904 (older Mac Excel), so a bare
    number in a date column is read in that system.
    """
    findings = [
        finding(table.sheet, table.header_row, u.col, u.text, "unknown_header", value=u.text, suggestion=u.suggestion)
        for u in table.unknown_headers
    ]
    row_numbers = table.row_numbers
    values: dict[Column, list[Any]] = {}
    bad: dict[int, set[Column]] = {}  # row index -> columns whose cell has an error
    for check in _column_checks(table, settings, today, date1904):
        column = check.column
        col, raws = table.columns[column], table.cells[column]
        values[column], blank, failed = _read_column(raws, check)
        if column.required:
            findings += [finding(table.sheet, row_numbers[i], col, column.header, "missing_required") for i in blank]
        for i in failed:
            values[column][i], cell_findings = _cell_findings(table, row_numbers[i], check, raws[i], settings, today)
            if cell_findings and cell_findings[0].severity is Severity.ERROR:
                bad.setdefault(i, set()).add(column)
            findings += cell_findings
    for column in table.spec.columns:
        if column.computed and column.kind is Kind.TEXT and table.has(column):
            # the word its formula shows, or the one an agent typed over it (邮费承担方: 运费险); never checked
            values[column] = [(raw.strip() or None) if isinstance(raw, str) else None for raw in table.cells[column]]
    columns = list(values)
    rows = zip(*values.values(), strict=True) if columns else iter([()] * len(row_numbers))
    row_values = [dict(zip(columns, row, strict=True)) for row in rows]
    conditional = [c for c in table.spec.columns if c.required_when is not None and table.has(c)]
    spec = table.spec
    if (
        conditional
        or spec.evidence is not None
        or spec.one_of
        or spec.listed_by
        or spec.limits
        or spec.forbidden
        or spec.sums
        or spec.approval
    ):
        for i, cells in enumerate(row_values):
            findings += _row_findings(
                table, conditional, row_numbers[i], cells, frozenset(bad[i]) if i in bad else NO_COLUMNS, settings
            )
    findings += _duplicate_findings(table, values, bad)
    findings += _missing_columns(table, values)
    findings.sort(key=lambda f: (f.row, f.col))
    errors = {f.row for f in findings if f.severity is Severity.ERROR}
    records = tuple(
        Record(table.spec, number, cells, frozenset(bad[i]) if i in bad else NO_COLUMNS, number in errors)
        for i, (number, cells) in enumerate(zip(row_numbers, row_values, strict=True))
    )
    return TableCheck(table, records, tuple(findings))


def check_workbook(grids: list[Grid], today: date, date1904: bool = False, cross_checks: bool = True) -> WorkbookCheck:
    """Validate every recognised sheet of a workbook; NoKnownSheet when there is none.

    `date1904`: the workbook's serial numbers count from 1904 (see `check_table`).
    `cross_checks=False` leaves out the findings that compare rows of different sheets: no row's `has_errors`
    depends on them, and that is all the archive asks (which rows may leave), on a year of rows.
    """
    settings = read_settings(grids)
    candidates = [g for g in grids if g.name.strip() != SETTINGS.title and not generated(g)]
    recognised = find_tables(candidates)
    findings = [
        finding(SETTINGS.title, b.row, b.col, b.column, b.error.code, value=b.shown, detail=b.error.detail, fix=b.fix)
        for b in settings.bad_cells
    ]
    tables = []
    for table in recognised:
        word = archive_word(table.sheet)
        if word:
            findings.append(
                finding(table.sheet, 1, 1, "", "archive_copy", name=table.sheet, title=table.spec.title, word=word)
            )
        else:
            tables.append(table)
    if not tables:
        names = "、".join(spec.title for spec in LEDGERS)
        examples = "".join(f"「{c.header}」" for c in (HANDOVER.order_no, RETURNS.date))
        raise NoKnownSheet(f"没有找到可识别的表（{names}）：请确认表头行写有{examples}等列名。")
    known = {t.sheet for t in recognised}
    findings += [
        _unrecognised(grid, spec)
        for grid in candidates
        if grid.name not in known
        for spec in LEDGERS
        if grid.name.strip() in (spec.title, *spec.aliases)
    ]
    checks = tuple(check_table(t, settings, today, date1904) for t in tables)
    for table_check in checks:
        findings += table_check.findings
    workbook = WorkbookCheck(settings, checks, (), tuple(grids), date1904=date1904)
    findings += _several(workbook)
    order = {t.sheet: i for i, t in enumerate(tables)}
    if cross_checks:
        findings += sorted(cross_findings(checks, settings), key=lambda f: (order[f.sheet], f.row, f.col))
    return replace(workbook, findings=tuple(findings))


def archive_word(sheet_name: str) -> str:
    """The word that marks a sheet as kept for the record (「交接表 备份」), or ""."""
    name = sheet_name.lower()
    return next((word for word in ARCHIVE_WORDS if word in name), "")


def _unrecognised(grid: Grid, spec: Sheet) -> Finding:
    examples = "".join(f"「{c.header}」" for c in spec.columns if c.required)
    return finding(
        grid.name,
        1,
        1,
        "",
        "unrecognised_sheet",
        name=grid.name,
        title=spec.title,
        rows=HEADER_SCAN_ROWS,
        examples=examples,
    )


def _several(check: WorkbookCheck) -> list[Finding]:
    """A warning on each sheet we will not write into when several hold the same ledger we write."""
    found = []
    for spec in LEDGERS:
        tables = [t.table for t in check.of(spec)]
        chosen = check.target(spec)
        if not spec.written or len(tables) < 2 or chosen is None:
            continue
        names = "、".join(f"「{t.sheet}」" for t in tables)
        found += [
            finding(
                t.sheet,
                t.header_row,
                t.span[0],
                "",
                "several_ledgers",
                count=len(tables),
                title=spec.title,
                names=names,
                chosen=chosen.table.sheet,
            )
            for t in tables
            if t is not chosen.table
        ]
    return found
