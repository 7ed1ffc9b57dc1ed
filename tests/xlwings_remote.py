"""A real `xw.Book` without Excel: xlwings' remote engine over a JSON snapshot of an .xlsx.

The remote engine is part of xlwings PRO (free for noncommercial use); only the
tests use it, under XLWINGS_LICENSE_KEY=noncommercial, and they carry the
`xlwings_remote` marker so a commercial user can deselect them. It records
every change as an action; `replay` applies those actions to a copy of the file
with openpyxl (not our writer), so the outcome can be read back and compared.
"""

from __future__ import annotations

import functools
import os
import pickle
import re
import zipfile
from copy import copy
from datetime import date, datetime, time
from pathlib import Path

import openpyxl
from openpyxl.comments import Comment
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Font, PatternFill, Side
from python_calamine import CalamineWorkbook

from workbook_tools.core.tables import cell_name
from workbook_tools.core.text_fit import wrapped_height

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # tests only, before xlwings registers engines
LISTED_RULES = "workbook_tools_listed_rules"  # the sheet's conditional formats, for Excel-like listing
NO_OP = {"setCalculation", "setScreenUpdating", "alert", "deleteChart"}


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    if isinstance(value, date):
        return datetime.combine(value, time()).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    return "" if value is None else value


def _error_values(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Cells showing an error value (#N/A), which calamine reads as blank, by sheet."""
    with zipfile.ZipFile(path) as package:
        if not any(b't="e"' in package.read(n) for n in package.namelist() if n.startswith("xl/worksheets/")):
            return {}
    book = openpyxl.load_workbook(path, data_only=True)
    return {
        sheet.title: {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.data_type == "e"}
        for sheet in book.worksheets
    }


def snapshot(path: Path) -> dict:
    """What an Excel client would send for this workbook: values, tables, notes."""
    import xlwings as xw

    values = CalamineWorkbook.from_path(str(path))
    styled = openpyxl.load_workbook(path)
    sheets = []
    errors = _error_values(path)
    for name in values.sheet_names:
        rows = values.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for (row, col), text in errors.get(name, {}).items():  # Excel sends an error value as its text
            rows[row - 1][col - 1] = text
        width = max((len(r) for r in rows), default=0)
        sheet = styled[name]
        tables = []
        for table in sheet.tables.values():
            first, last = table.ref.split(":")
            header_end = cell_name(
                openpyxl.utils.cell.coordinate_from_string(first)[1],
                openpyxl.utils.cell.column_index_from_string(openpyxl.utils.cell.coordinate_from_string(last)[0]),
            )
            top = openpyxl.utils.cell.coordinate_from_string(first)
            bottom = openpyxl.utils.cell.coordinate_from_string(last)
            tables.append(
                {
                    "name": table.name,
                    "range_address": f"${top[0]}${top[1]}:${bottom[0]}${bottom[1]}",
                    "header_row_range_address": f"{first}:{header_end}",
                    "data_body_range_address": f"{top[0]}{top[1] + 1}:{last}",
                    "total_row_range_address": None,
                    "show_headers": True,
                    "show_totals": False,
                    "table_style": "TableStyleLight1",
                    "show_autofilter": True,
                    "show_table_style_column_stripes": False,
                    "show_table_style_first_column": False,
                    "show_table_style_last_column": False,
                    "show_table_style_row_stripes": True,
                    "row_count": bottom[1] - top[1],
                }
            )
        sheets.append(
            {
                "name": name,
                "values": [[_cell(v) for v in row] for row in rows] or [[]],
                "used_range_address": f"$A$1:${cell_name(len(rows), width).replace(str(len(rows)), '')}${len(rows)}"
                if rows and width
                else None,
                "pictures": [],
                "shapes": [],
                "charts": [],
                "tables": tables,
                "visibility": "Visible",
                "print_area": None,
                "show_gridlines": True,
                "pivot_tables": [],
                "notes": [
                    {"address": f"${cell.column_letter}${cell.row}", "text": cell.comment.text}
                    for row in sheet.iter_rows()
                    for cell in row
                    if cell.comment
                ],
                LISTED_RULES: [
                    {"type": "Custom", "formula": "=" + rule.formula[0]}
                    for area in sheet.conditional_formatting
                    for rule in area.rules
                    if rule.formula
                ],
            }
        )
    return {
        "version": xw.__version__,
        "client": "Office.js",
        "book": {"name": path.name, "active_sheet_index": 0, "selection": "A1", "calculation": "Automatic"},
        "names": [],
        "sheets": sheets,
    }


def _listed_conditional_formats(self):
    """The sheet's rules as desktop Excel lists them (the remote engine reads them only asynchronously)."""
    from xlwings.pro import _xlremote

    return _xlremote.ConditionalFormats(self, [dict(rule) for rule in self.sheet.api.get(LISTED_RULES, [])])


def _register_remote_engine() -> None:
    """If xlwings was imported before the key was set, its PRO engines were skipped: add the remote one now."""
    import xlwings as xw

    if "remote" not in xw.engines.engines_by_name:
        from xlwings.main import Engine
        from xlwings.pro import _xlremote

        xw.engines.add(Engine(impl=_xlremote.engine))
    from xlwings.pro import _xlremote

    _xlremote.Range.conditional_formats = property(_listed_conditional_formats)


@functools.lru_cache(maxsize=8)
def _snapshot(path: Path, stamp: tuple[int, int]) -> bytes:
    return pickle.dumps(snapshot(path))


def remote_book(path: Path):
    """A remote-engine Book over `path` as it is now (snapshots are reused while the file is unchanged)."""
    import xlwings as xw

    _register_remote_engine()
    stat = path.stat()
    return xw.Book(json=pickle.loads(_snapshot(path, (stat.st_mtime_ns, stat.st_size))))


def _value(value: object) -> object:
    """What Excel makes of a value the client writes: the engine sends dates as ISO text, Excel parses them."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2}:\d{2})?", value):
        return datetime.fromisoformat(value)
    return value


def _fonted(cell, **changes) -> None:
    font = copy(cell.font)
    for name, value in changes.items():
        setattr(font, name, value)
    cell.font = font


def _aligned(cell, **changes) -> None:
    alignment = copy(cell.alignment)
    for name, value in changes.items():
        setattr(alignment, name, value)
    cell.alignment = alignment


BORDER_SIDES = {"edge_top": "top", "edge_bottom": "bottom", "edge_left": "left", "edge_right": "right"}


def _bordered(sheet, top: int, left: int, rows: int, columns: int, side: str, style: str | None) -> None:
    """A border side of a range as Excel draws it: edges on the outer cells, inside lines between cells."""
    for r in range(top, top + rows):
        for c in range(left, left + columns):
            border = copy(sheet.cell(r, c).border)
            edges = {
                "edge_top": r == top,
                "edge_bottom": r == top + rows - 1,
                "edge_left": c == left,
                "edge_right": c == left + columns - 1,
            }
            if edges.get(side):
                setattr(border, BORDER_SIDES[side], Side(style=style))
            elif side == "inside_horizontal":
                if r > top:
                    border.top = Side(style=style)
                if r < top + rows - 1:
                    border.bottom = Side(style=style)
            elif side == "inside_vertical":
                if c > left:
                    border.left = Side(style=style)
                if c < left + columns - 1:
                    border.right = Side(style=style)
            sheet.cell(r, c).border = border


FONT_ATTRIBUTES = {"bold": "b", "italic": "i", "size": "sz"}
LINE_STYLES = {"continuous": "thin", None: None}
ALIGNMENTS = {
    "Center": "center",
    "Left": "left",
    "Right": "right",
    "General": "general",
    "Top": "top",
    "Bottom": "bottom",
}


def _column_format(sheet, column: int) -> str:
    """The number format of a column's <col> element (openpyxl files one element under its first letter)."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min and dimension.max and dimension.min <= column <= dimension.max:
            return dimension.number_format
    return "General"


def _cells(sheet, action: dict) -> list:
    top, left = action["start_row"] + 1, action["start_column"] + 1
    return [sheet.cell(top + r, left + c) for r in range(action["row_count"]) for c in range(action["column_count"])]


def _one(args: object) -> object:
    return args[0] if isinstance(args, list) else args


def _delete_whole_rows(sheet, top: int, rows: int, columns: int, shift: object) -> None:
    """What Excel does when whole rows are deleted: cells, row heights and tables below move up, a table loses
    the rows it had there (openpyxl's delete_rows moves only the cells)."""
    assert columns == 16_384 and _one(shift) == "up", "only whole rows are deleted"
    heights = {r: d.height for r, d in sheet.row_dimensions.items() if d.height}
    sheet.delete_rows(top, rows)
    for r in list(sheet.row_dimensions):
        sheet.row_dimensions[r].height = None
    for r, height in heights.items():
        if r < top:
            sheet.row_dimensions[r].height = height
        elif r >= top + rows:
            sheet.row_dimensions[r - rows].height = height

    def moved(row: int) -> int:
        return row if row < top else max(top - 1, row - rows) if row < top + rows else row - rows

    for table in sheet.tables.values():
        first, last = table.ref.split(":")
        (c1, r1), (c2, r2) = (openpyxl.utils.cell.coordinate_from_string(x) for x in (first, last))
        table.ref = f"{c1}{moved(r1)}:{c2}{moved(r2)}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref


def _argb(colour: str) -> str:
    return "FF" + colour.lstrip("#").upper()


def _add_on_top(sheet, area: str, rule) -> None:
    """Excel puts a rule added through its API above the sheet's others."""
    existing = [r for cf in sheet.conditional_formatting for r in cf.rules]
    for other in existing:
        other.priority += 1
    sheet.conditional_formatting.add(area, rule)
    rule.priority = 1


def _autofit_row(sheet, row: int) -> None:
    """Excel fits a row to its wrapped text with the fonts it draws; here the file backend's estimate stands in."""
    widths = {c: d.width for d in sheet.column_dimensions.values() if d.width for c in range(d.min, d.max + 1)}
    cells = [
        (cell.value, widths.get(cell.column) or 9.140625)
        for cell in sheet[row]
        if isinstance(cell.value, str) and cell.alignment.wrap_text
    ]
    sheet.row_dimensions[row].height = wrapped_height(cells)


def replay(path: Path, actions: list[dict], out: Path) -> dict[str, int]:
    """Apply recorded actions to a copy of `path` with openpyxl; returns how many charts each sheet got."""
    book = openpyxl.load_workbook(path)
    charts: dict[str, int] = {}
    for action in actions:
        func, args = action["func"], action["args"]
        if func in NO_OP:
            continue
        if func == "addSheet":
            book.create_sheet(args[1], args[0])
            continue
        sheet = book.worksheets[action["sheet_position"]]
        if func == "sheetClear":
            index = book.worksheets.index(sheet)
            book.remove(sheet)
            book.create_sheet(sheet.title, index)
            continue
        if func == "resizeTable":
            list(sheet.tables.values())[args[0]].ref = args[1].replace("$", "")
            continue
        if func in ("addChart", "setChartType", "setChartSourceData"):
            charts[sheet.title] = charts.get(sheet.title, 0) + (func == "addChart")
            continue
        if func == "freezePaneAtRange":
            sheet.freeze_panes = f"A{int(args[0].split(':')[1]) + 1}"
            continue
        top, left = action["start_row"] + 1, action["start_column"] + 1
        rows, columns = action["row_count"], action["column_count"]
        if func == "rangeDelete":
            _delete_whole_rows(sheet, top, rows, columns, args)
            continue

        if func == "setValues":
            for r, row in enumerate(action["values"]):
                for c, value in enumerate(row):
                    cell = sheet.cell(top + r, left + c)
                    if not cell.has_style:  # Excel gives a new cell its column's format
                        cell.number_format = _column_format(sheet, cell.column)
                    cell.value = None if value in ("", None) else _value(value)
        elif func == "setNumberFormat":
            for cell in _cells(sheet, action):
                cell.number_format = args[0]
        elif func == "setRangeColors":
            for r, row in enumerate(args[0]):
                for c, colour in enumerate(row):
                    if colour not in ("keep", None):
                        sheet.cell(top + r, left + c).fill = PatternFill("solid", fgColor=colour.lstrip("#"))
        elif func == "setColumnWidth":
            for c in range(left, left + columns):
                sheet.column_dimensions[openpyxl.utils.get_column_letter(c)].width = _one(args)
        elif func == "setRowHeight":
            for r in range(top, top + rows):
                sheet.row_dimensions[r].height = _one(args)
        elif func == "setFontProperty":
            name, value = args
            for cell in _cells(sheet, action):
                if name == "color":
                    _fonted(cell, color="FF" + value.lstrip("#").upper())
                else:
                    _fonted(cell, **{FONT_ATTRIBUTES[name]: value})
        elif func == "setBorderProperty":
            side, attribute, value = args
            assert attribute == "line_style", action
            _bordered(sheet, top, left, rows, columns, side, LINE_STYLES[value])
        elif func == "setWrapText":
            for cell in _cells(sheet, action):
                _aligned(cell, wrap_text=_one(args))
        elif func in ("setHorizontalAlignment", "setVerticalAlignment"):
            which = "horizontal" if func == "setHorizontalAlignment" else "vertical"
            for cell in _cells(sheet, action):
                _aligned(cell, **{which: ALIGNMENTS[_one(args)]})
        elif func == "addConditionalFormat":
            area = f"{cell_name(top, left)}:{cell_name(top + rows - 1, left + columns - 1)}"
            rule = args[0]
            font = Font(color=_argb(rule["font_color"])) if rule.get("font_color") else None
            fill = PatternFill(bgColor=_argb(rule["fill_color"])) if rule.get("fill_color") else None
            _add_on_top(sheet, area, FormulaRule(formula=[rule["formula"].lstrip("=")], font=font, fill=fill))
        elif func == "setRowHidden":
            for r in range(top, top + rows):
                sheet.row_dimensions[r].hidden = _one(args)
        elif func == "setAutofit" and _one(args) == "rows":
            for r in range(top, top + rows):
                _autofit_row(sheet, r)
        elif func == "addNote":
            sheet[args[0].replace("$", "")].comment = Comment(args[1], "workbook-tools")
        elif func == "deleteNote":
            sheet.cell(top, left).comment = None
        else:
            raise AssertionError(f"replay does not know the action {func}: {action}")
    book.save(out)
    return charts
