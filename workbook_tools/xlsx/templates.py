"""Building workbooks from the declarations: the templates, `new` and the demo.

XlsxWriter writes them: it makes native Excel tables, data validation and
charts, and gives the same bytes for the same input (fixed zip timestamps),
which is what lets CI tell a stale template from a fresh one.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name

from workbook_tools.core.changes import Highlight, Look, NewSheet, Style
from workbook_tools.core.handover import urgent_handover_rows
from workbook_tools.spec.lists import PLATFORM
from workbook_tools.spec.settings_sheet import SETTINGS
from workbook_tools.spec.sheets import HANDOVER, LEDGERS
from workbook_tools.spec.types import ChoiceList, Column, Kind, Role, Sheet, display_width

BUILD_DATE = datetime(2026, 1, 1)  # fixed document date: builds must be reproducible
LAST_ROW = 1_048_575  # 0-based last row of a sheet: validation covers the whole column
TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates_xlsx"
TEAM_FILE = "team.xlsx"


def xlsxwriter_format(look: Look) -> dict[str, Any]:
    """XlsxWriter's format properties for a block style's look."""
    props: dict[str, Any] = {}
    if look.bold:
        props["bold"] = True
    if look.italic:
        props["italic"] = True
    if look.size:
        props["font_size"] = look.size
    if look.font_color:
        props["font_color"] = look.font_color
    if look.border:
        props["border"] = 1
    if look.top_border:
        props["top"] = 1
    if look.center:
        props.update(align="center", valign="vcenter")
    if look.wrap:
        props["text_wrap"] = True
    if look.fill:
        props["bg_color"] = look.fill
    return props


def template_files() -> dict[str, tuple[Sheet, ...]]:
    """File name in templates_xlsx/ → the sheets it holds (设置 is added to each)."""
    return {TEAM_FILE: LEDGERS, **{f"{spec.key}.xlsx": (spec,) for spec in LEDGERS}}


def lists_for(specs: Iterable[Sheet]) -> list[ChoiceList]:
    used = {c.choices.name for spec in specs for c in spec.columns if c.choices is not None}
    return [cl for cl in SETTINGS.lists if cl.name in used]


class _Builder:
    def __init__(self, out: io.BytesIO, date1904: bool = False) -> None:
        self.book = xlsxwriter.Workbook(
            out,
            {
                "in_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "date_1904": date1904,
            },
        )
        self.book.set_properties({"title": "售后工作簿", "company": "workbook-tools", "created": BUILD_DATE})
        self.formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def fmt(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.formats:
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    def cell_format(self, kind: Kind, wrap: bool = False) -> Any:
        return self.fmt(num_format=kind.number_format, **({"text_wrap": True} if wrap else {}))

    def highlight(self, sheet: Any, highlights: Iterable[Highlight]) -> None:
        """Conditional formats in priority order (XlsxWriter ranks them as they are added)."""
        for h in highlights:
            first_row, first_col, last_row, last_col = h.area
            sheet.conditional_format(
                first_row - 1,
                first_col - 1,
                last_row - 1,
                last_col - 1,
                {"type": "formula", "criteria": "=" + h.formula, "format": self.fmt(**xlsxwriter_format(h.look))},
            )

    def header_format(self, role: Role) -> Any:
        return self.fmt(bold=True, bg_color=role.fill, border=1, align="center", valign="vcenter", text_wrap=True)

    def ledger(self, spec: Sheet, rows: Sequence[Mapping[Column, Any]]) -> None:
        sheet = self.book.add_worksheet(spec.title)
        last_data_row = max(1, len(rows))
        columns = []
        for index, column in enumerate(spec.columns):
            cell_format = self.cell_format(column.kind, column.wrap)
            sheet.set_column(index, index, column.display_width, cell_format)
            options: dict[str, Any] = {
                "header": column.header,
                "header_format": self.header_format(column.role),
                "format": cell_format,
            }
            if column.formula:
                options["formula"] = "=" + column.formula.format(t=spec.table)
            columns.append(options)
            self._validation(sheet, index, column)
        sheet.add_table(
            0,
            0,
            last_data_row,
            len(spec.columns) - 1,
            {"name": spec.table, "columns": columns, "style": "Table Style Light 1"},
        )
        for r, row in enumerate(rows, start=1):
            for index, column in enumerate(spec.columns):
                if not column.computed and row.get(column) is not None:
                    self._write(sheet, r, index, row[column], column.kind, self.cell_format(column.kind, column.wrap))
        if spec is HANDOVER:
            positions = {column: i for i, column in enumerate(spec.columns, start=1)}
            self.highlight(sheet, urgent_handover_rows(positions, (2, 1, LAST_ROW + 1, len(positions))))
        sheet.set_row(0, 30)
        sheet.freeze_panes(1, 0)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)  # printed: every column on the page width, header on every page
        sheet.repeat_rows(0)

    def _write(self, sheet: Any, row: int, col: int, value: Any, kind: Kind, cell_format: Any = None) -> None:
        """Cells hold what a person typed: a str stays text even in a date column."""
        cell_format = cell_format or self.fmt(num_format=kind.number_format)
        if value is None:
            sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, datetime | date):
            if kind not in (Kind.DATE, Kind.DATETIME):
                cell_format = self.fmt(num_format=Kind.DATETIME.number_format)
            sheet.write_datetime(row, col, value, cell_format)
        elif isinstance(value, bool):
            sheet.write_boolean(row, col, value, cell_format)
        elif isinstance(value, int | float | Decimal):
            sheet.write_number(
                row,
                col,
                float(value),
                self.fmt(num_format="General") if kind in (Kind.ID, Kind.TEXT, Kind.PHONE) else cell_format,
            )
        else:
            sheet.write_string(row, col, str(value), cell_format)

    def _validation(self, sheet: Any, col: int, column: Column) -> None:
        if column.computed:
            return
        options: dict[str, Any]
        if column.choices is not None:
            cl = column.choices
            options = {
                "validate": "list",
                "source": f"=List_{cl.name}",
                "error_type": "stop" if cl.strict else "information",
                "error_title": "不是可选项",
                "error_message": f"请从下拉列表选择；要加新选项，请在「{SETTINGS.title}」表的「{cl.title}」列添加。",
            }
        elif column.kind in (Kind.DATE, Kind.DATETIME):
            options = {
                "validate": "date",
                "criteria": "between",
                "minimum": datetime(2000, 1, 1),
                "maximum": datetime(2099, 12, 31),
                "error_type": "warning",
                "error_title": "日期不对",
                "error_message": "请填写 2026-11-03 这样的日期。",
            }
        elif column.kind in (Kind.INT, Kind.MONEY):
            options = {
                "validate": "integer" if column.kind is Kind.INT else "decimal",
                "criteria": ">=",
                "value": column.minimum or 0,
                "error_type": "stop",
                "error_title": "数字不对",
                "error_message": f"请填写不小于 {column.minimum or 0:g} 的数字，不带单位。",
            }
        elif column.hint:
            options = {"validate": "any"}
        else:
            return
        if column.hint:
            options.update(input_title=column.header[:32], input_message=column.hint[:255])
        sheet.data_validation(1, col, LAST_ROW, col, options)

    def settings(self, lists: Sequence[ChoiceList], values: Mapping[str, Sequence[str]]) -> None:
        title, rules = SETTINGS.title, SETTINGS.rules.all
        sheet = self.book.add_worksheet(title)
        head = self.header_format(Role.SERVICE)
        names = SETTINGS.rule_columns
        headers = names.all()
        sheet.write_row(0, 0, headers, head)
        for r, rule in enumerate(rules, start=1):
            sheet.write_string(r, headers.index(names.rule), rule.title)
            sheet.write_number(r, headers.index(names.value), rule.value)
            for platform in names.platforms:
                own = dict(PLATFORM.own_rules[platform]).get(rule)
                if own is not None:
                    sheet.write_number(r, headers.index(platform), own)
            sheet.write_string(r, headers.index(names.unit), rule.unit.value)
            sheet.write_string(r, headers.index(names.source), rule.source)
            self.book.define_name(rule.name, f"='{title}'!${xl_col_to_name(headers.index(names.value))}${r + 1}")
        for offset, line in enumerate(SETTINGS.legend):
            sheet.write_string(len(rules) + 2 + offset, 0, line, self.fmt(italic=True, font_color="#595959"))
        roster = len(rules) + 2 + len(SETTINGS.legend) + 1
        sheet.write_row(roster, 0, SETTINGS.roster_columns.all(), head)
        for offset, (shift, start, end) in enumerate(SETTINGS.roster_defaults, start=1):
            sheet.write_row(roster + offset, 0, (shift, start, end), self.fmt(num_format="@"))
        sheet.set_column(0, 0, 34)
        sheet.set_column(1, headers.index(names.unit), 8)
        sheet.set_column(headers.index(names.source), headers.index(names.source), 18)
        col = len(SETTINGS.rule_columns.all()) + 1
        last = SETTINGS.list_rows + 1
        for cl in lists:
            entries = list(values.get(cl.name, cl.values))
            sheet.write_string(0, col, cl.title, head)
            sheet.write_column(1, col, entries, self.fmt(num_format="@"))
            sheet.set_column(
                col, col, max(display_width(cl.title), *map(display_width, entries), 8) + 2, self.fmt(num_format="@")
            )
            letter = xl_col_to_name(col)
            self.book.define_name(
                f"List_{cl.name}",
                f"=OFFSET('{title}'!${letter}$2,0,0,MAX(1,COUNTA('{title}'!${letter}$2:${letter}${last})),1)",
            )
            if cl.attribute:
                col += 1
                sheet.write_string(0, col, cl.attribute, head)
                sheet.write_column(1, col, cl.attribute_values, self.fmt(num_format="@"))
                width = max(display_width(cl.attribute) + 4, *(display_width(v) + 2 for v in cl.attribute_values))
                sheet.set_column(col, col, min(width, 40), self.fmt(num_format="@"))
                self.book.define_name(f"Map_{cl.name}", f"='{title}'!${letter}$2:${xl_col_to_name(col)}${last}")
            col += 1
        sheet.freeze_panes(1, 0)

    def generated(self, new: NewSheet) -> None:
        """A tab we generate (日汇总, or a ledger the workbook lacked), block by block."""
        sheet = self.book.add_worksheet(new.title)
        for block in new.blocks:
            if block.style is Style.TITLE:
                sheet.set_row(block.row - 1, 24)
            for r, values in enumerate(block.rows):
                for c, value in enumerate(values):
                    look = xlsxwriter_format(block.style.look)
                    kind = block.kinds[c] if c < len(block.kinds) else None
                    if block.style is Style.HEADER and c < len(new.header_fills):
                        look["bg_color"] = new.header_fills[c]
                    if kind is not None:
                        look["num_format"] = kind.number_format
                    if c < len(block.wraps) and block.wraps[c]:
                        look["text_wrap"] = True
                    self._write(sheet, block.row - 1 + r, block.col - 1 + c, value, kind or Kind.TEXT, self.fmt(**look))
        for col, width in new.widths.items():
            sheet.set_column(col - 1, col - 1, width)
        if new.freeze_row:
            sheet.freeze_panes(new.freeze_row, 0)
        self.highlight(sheet, new.highlights)
        for spec in new.charts:
            chart = self.book.add_chart({"type": spec.kind})
            for name, (r1, c1, r2, c2) in spec.series:
                chart.add_series(
                    {
                        "name": name,
                        "categories": [new.title, *_zero(spec.categories)],
                        "values": [new.title, r1 - 1, c1 - 1, r2 - 1, c2 - 1],
                    }
                )
            chart.set_title({"name": spec.title})
            chart.set_legend({"position": "bottom"} if len(spec.series) > 1 else {"none": True})
            sheet.insert_chart(spec.anchor[0] - 1, spec.anchor[1] - 1, chart, {"x_scale": 1.2})

    def close(self) -> None:
        self.book.close()


def _zero(area: tuple[int, int, int, int]) -> list[int]:
    return [n - 1 for n in area]


def build_workbook(
    specs: Sequence[Sheet],
    rows: Mapping[Sheet, Sequence[Mapping[Column, Any]]] | None = None,
    list_values: Mapping[str, Sequence[str]] | None = None,
) -> bytes:
    """A workbook holding `specs` (in declaration order) and 设置, as .xlsx bytes.

    `rows` maps a sheet to rows of raw cell values by column; `list_values`
    replaces a choice list's default entries (by list name).
    """
    out = io.BytesIO()
    builder = _Builder(out)
    ordered = [spec for spec in LEDGERS if spec in specs]
    for spec in ordered:
        builder.ledger(spec, (rows or {}).get(spec, ()))
    builder.settings(lists_for(ordered), list_values or {})
    builder.close()
    return out.getvalue()


def build_generated_sheet(new: NewSheet, date1904: bool) -> bytes:
    """A one-sheet workbook holding `new`, to be grafted into a team's workbook that counts dates as `date1904` says."""
    out = io.BytesIO()
    builder = _Builder(out, date1904)
    builder.generated(new)
    builder.close()
    return out.getvalue()


def build_templates(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, specs in template_files().items():
        path = out_dir / name
        path.write_bytes(build_workbook(specs))
        written.append(path)
    return written


def stale_templates(directory: Path) -> list[str]:
    """Names of template files that are missing or differ from a fresh build."""
    return [
        name
        for name, specs in template_files().items()
        if not (directory / name).is_file() or (directory / name).read_bytes() != build_workbook(specs)
    ]
