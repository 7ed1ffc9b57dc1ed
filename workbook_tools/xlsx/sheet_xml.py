"""Reading one worksheet within time and memory that follow the cells it holds.

python-calamine lays a sheet out as one dense block over its used cells: one
value at XFD1048576 besides a table at A1 asks for 17 billion cells (and Rust
aborts the process when that allocation fails); a formula filled down a
million rows asks for a million full rows. So before calamine sees a sheet,
its XML is measured with C-speed searches (nothing is parsed in Python):

- the rows are cut into pieces (the whole sheet, for every normal sheet) such
  that the block calamine lays out for each piece holds at most `DENSE_CELLS`
  cells: the bound is checked against every cell reference of the piece, so a
  dimension or a reference that lies only makes the pieces smaller;
- calamine decodes each piece as it is, so every value reads the same on
  every path, and the pieces are placed at their rows and columns; every row
  that holds nothing is one shared empty list. A sheet that would still need
  more than `GRID_SLOTS` list slots is refused.

XML written an unusual way (namespace prefixes, the reference not first, cells
without a reference) is first brought to the usual layout; only cells without
a reference need Python's attention one by one.

Formula cells the file holds no result for (files written by scripts) become
`UNCALCULATED`, and cells showing an error value its text (#N/A, as Excel's
API hands it over): never a blank or a 0.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import Any

from workbook_tools.core import tables
from workbook_tools.core.tables import cell_name, too_large
from workbook_tools.core.values import UNCALCULATED
from workbook_tools.errors import InputFileError
from workbook_tools.xlsx.opc import column_number
from workbook_tools.xlsx.package_checks import MAIN_NS, PACKAGE_REL_NS, REL_NS

DENSE_CELLS = 1_000_000  # cells calamine may lay out at once (~64 bytes each in Rust while it reads, 8 in Python)
PACKAGE_BYTES = 16 * 2**20  # sheet XML per package built for calamine
_FIRST_REF = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"')
_FIRST_CONTENT = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"[^>]*(?<!/)>')  # a cell that is not self-closing
_REF = re.compile(rb'(?:^|\s)r\s*=\s*["\']([A-Z]{1,3})(\d{1,7})["\']')
_ROW_NUMBER = re.compile(rb'(?:^|\s)r\s*=\s*["\'](\d{1,7})["\']')
_TYPE = re.compile(rb'(?:^|\s)t\s*=\s*["\']([^"\']*)["\']')
_R_NOT_FIRST = re.compile(rb'<c((?:\s+(?!r\s*=)[\w:.-]+\s*=\s*(?:"[^"]*"|\'[^\']*\'))+)\s+r\s*=\s*"([^"]*)"')
_ROOT = re.compile(rb"<(?:([\w.-]+):)?worksheet\b([^>]*)>")
_TAG = re.compile(rb"<(/?)(?:[\w.-]+:)?(row|c)(?=[\s/>])([^>]*)>")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f[\s/>]")
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\s*>\s*[^<\s]")
_EMPTY_VALUE = re.compile(rb"<(?:[\w.-]+:)?v\b")
_UNCACHED_ENDS = (b"</f></c>", b"<v></v></c>", b"/></c>")
_ERROR_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"[^>]*?\st="e"[^>]*(?<!/)>(.*?)</c>', re.DOTALL)
_ERROR_TEXT = re.compile(rb"<v>([^<]*)</v>")
_SHEET_DATA = b"<sheetData>"


def _letters_at_most(limit: str) -> str:
    """A regular expression for column letters up to `limit` (AD: A to Z, then AA to AD)."""
    options = [f"[A-Z]{{1,{len(limit) - 1}}}"] if len(limit) > 1 else []
    for i, ch in enumerate(limit):
        if ch > "A":
            options.append(limit[:i] + f"[A-{chr(ord(ch) - 1)}]" + "[A-Z]" * (len(limit) - i - 1))
    options.append(limit)
    return "(?:" + "|".join(options) + ")"


def _any_digits(count: int) -> str:
    return f"\\d{{{count}}}" if count else ""


def _same_width(low: str, high: str) -> str:
    """A regular expression for the digit strings of one width from `low` to `high`."""
    if low == high:
        return low
    if low[0] == high[0]:
        return low[0] + _same_width(low[1:], high[1:])
    rest = len(low) - 1
    options = []
    first, last = low[0], high[0]
    if low[1:] != "0" * rest:
        options.append(low[0] + _same_width(low[1:], "9" * rest))
        first = chr(ord(first) + 1)
    if high[1:] != "9" * rest:
        options.append(high[0] + _same_width("0" * rest, high[1:]))
        last = chr(ord(last) - 1)
    if first <= last:
        options.append(f"[{first}-{last}]" + _any_digits(rest))
    return "(?:" + "|".join(options) + ")"


def numbers_between(low: int, high: int) -> str:
    """A regular expression for the row numbers `low` to `high` (no leading zeros); the widest numbers first."""
    options, whole_widths = [], []
    for width in range(len(str(low)), len(str(high)) + 1):
        first, last = max(low, 10 ** (width - 1)), min(high, 10**width - 1)
        if first == 10 ** (width - 1) and last == 10**width - 1:
            whole_widths.append(width)
        else:
            options.append(_same_width(str(first), str(last)))
    options.reverse()
    if whole_widths:
        options.append(f"[1-9]\\d{{{min(whole_widths) - 1},{max(whole_widths) - 1}}}")
    return "(?:" + "|".join(options) + ")"


def _measure(xml: bytes, start: int, end: int) -> int | None:
    """The cells calamine lays out for the rows in xml[start:end], at most; None when a cell is not where it says.

    The first and last cells give the rows, the widest cell found so far the
    columns; one search then looks for any cell beyond them (a self-closing
    cell holds nothing and is left out), widening the columns when that is all
    it finds.
    """
    first = _FIRST_REF.search(xml, start, end)
    last_at = xml.rfind(b'<c r="', start, end)
    if first is None:
        return None if re.compile(rb"<c[\s>]").search(xml, start, end) else 0
    last = _FIRST_REF.match(xml, last_at)
    if last is None:
        return None
    low, high = int(first[2]), int(last[2])
    if low > high:
        return None
    rows = numbers_between(low, high)
    widest = max(first[1].decode(), last[1].decode(), key=column_number)
    at = start
    while True:
        beyond = re.compile(f'<c(?=[\\s/>])(?! r="{_letters_at_most(widest)}{rows}")(?![^>]*/>)'.encode()).search(
            xml, at, end
        )
        if beyond is None:
            return (high - low + 1) * column_number(widest)
        ref = _FIRST_REF.match(xml, beyond.start())
        if ref is None or not low <= int(ref[2]) <= high:
            return None
        widest, at = ref[1].decode(), beyond.start()


def _row_cuts(xml: bytes, start: int, end: int, parts: int) -> list[int]:
    """Row boundaries cutting xml[start:end] into about `parts` pieces of equal length (none for a single row)."""
    cuts: list[int] = []
    for i in range(1, parts):
        cut = xml.find(b"<row", start + (end - start) * i // parts, end)
        if cut > (cuts[-1] if cuts else start):
            cuts.append(cut)
    if not cuts and (cut := xml.rfind(b"<row", start + 1, end)) > start:
        cuts.append(cut)
    return cuts


def pieces(xml: bytes) -> list[tuple[int, int]] | None:
    """Byte ranges of whole rows, in order, each laid out by calamine within DENSE_CELLS (or a single row);
    None when the XML is not laid out the usual way."""
    begin = xml.find(_SHEET_DATA)
    if begin < 0:
        return [] if re.search(rb"<sheetData\s*/>", xml) else None
    begin += len(_SHEET_DATA)
    end = xml.find(b"</sheetData>", begin)
    if end < 0:
        return None
    found, todo = [], [(begin, end)]
    while todo:
        start, stop = todo.pop()
        bound = _measure(xml, start, stop)
        if bound is None:
            return None
        cuts = _row_cuts(xml, start, stop, -(-bound // DENSE_CELLS)) if bound > DENSE_CELLS else []
        if cuts:
            todo += reversed(list(zip([start, *cuts], [*cuts, stop], strict=True)))
        else:  # within the bound, or a single row: at most 16,384 cells
            found.append((start, stop))
    return found


def _usual(xml: bytes) -> bytes:
    """The sheet without a namespace prefix on its own elements, and with each cell's reference first."""
    root = _ROOT.search(xml)
    if root is not None and root[1]:
        prefix = root[1]
        xml = re.sub(rb"<(/?)" + re.escape(prefix) + rb":", rb"<\1", xml)
        xml = xml.replace(b"<worksheet", b'<worksheet xmlns="' + MAIN_NS.encode() + b'"', 1)
    return _R_NOT_FIRST.sub(rb'<c r="\2"\1', xml)


def _rewritten(xml: bytes) -> bytes:
    """The cells that hold something, each written out with the reference calamine would give it.

    A cell's own reference wins; a cell without one follows the previous cell
    of its row, and a row without a number follows the previous row.
    Self-closing cells and rows hold nothing and move nothing.
    """
    rows: dict[int, list[bytes]] = {}
    row_index = col_index = 0  # 0-based, as calamine counts
    opened: tuple[int, bytes, int] | None = None
    for tag in _TAG.finditer(xml):
        closing, name, attrs = tag[1], tag[2], tag[3]
        if attrs.endswith(b"/"):
            continue
        if name == b"row":
            if closing:
                row_index, col_index = row_index + 1, 0
            elif (number := _ROW_NUMBER.search(attrs)) is not None:
                row_index = int(number[1]) - 1
        elif closing and opened is not None:
            row, start_tag, body_start = opened
            rows.setdefault(row, []).append(start_tag + xml[body_start : tag.start()] + b"</c>")
            opened = None
        elif not closing:
            ref = _REF.search(attrs)
            row, col = (int(ref[2]) - 1, column_number(ref[1].decode()) - 1) if ref else (row_index, col_index)
            col_index = col + 1
            kept = _REF.sub(b"", attrs)
            opened = (row, f'<c r="{cell_name(row + 1, col + 1)}"'.encode() + kept + b">", tag.end())
    root = _ROOT.search(xml)
    namespaces = b"".join(re.findall(rb'\sxmlns:[\w.-]+\s*=\s*(?:"[^"]*"|\'[^\']*\')', root[2])) if root else b""
    body = b"".join(b'<row r="%d">' % (row + 1) + b"".join(cells) + b"</row>" for row, cells in sorted(rows.items()))
    return f'<worksheet xmlns="{MAIN_NS}"'.encode() + namespaces + b"><sheetData>" + body + b"</sheetData></worksheet>"


def _is_uncalculated(attrs: bytes, body: bytes) -> bool:
    """A formula cell without a result: no value at all, or an empty one where only a text result may be empty."""
    if not _FORMULA.search(body) or _VALUE.search(body):
        return False
    kind = _TYPE.search(attrs)
    return not (_EMPTY_VALUE.search(body) and kind is not None and kind[1] == b"str")  # Excel's cached "" is <v></v>


def uncalculated_cells(xml: bytes) -> list[tuple[int, int]]:
    """(row, column) of each formula cell without a result, in a sheet laid out the usual way."""
    if b"<f>" not in xml and b"<f " not in xml:
        return []
    found = set()
    for end in _UNCACHED_ENDS:
        at = xml.find(end)
        while at >= 0:
            start = xml.rfind(b"<c ", 0, at)
            tag_end = xml.find(b">", start)
            ref = _FIRST_REF.match(xml, start)
            if ref is not None and _is_uncalculated(xml[start + 2 : tag_end], xml[tag_end + 1 : at + len(end)]):
                found.add((int(ref[2]), column_number(ref[1].decode())))
            at = xml.find(end, at + 1)
    return sorted(found)


class PieceReader:
    """Calamine over pieces of a sheet, in small packages that hold only what decoding them needs."""

    def __init__(self, package: zipfile.ZipFile, date1904: bool) -> None:
        self.package = package
        self.date1904 = date1904

    def _book(self, xml: bytes, ranges: list[tuple[int, int]]) -> Any:
        """A package of the pieces as sheets p1, p2, …

        Each piece opens with an empty text at column A of the first row that holds
        something, so calamine's block starts at column A (no row needs padding in
        Python) and no higher than the piece's first value.
        """
        from python_calamine import CalamineWorkbook

        count = range(1, len(ranges) + 1)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as mini:
            mini.writestr(
                "_rels/.rels",
                f'<Relationships xmlns="{PACKAGE_REL_NS}"><Relationship Id="rId1" '
                f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
            )
            mini.writestr(
                "xl/workbook.xml",
                f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr date1904="{int(self.date1904)}"/><sheets>'
                + "".join(f'<sheet name="p{i}" sheetId="{i}" r:id="rId{i}"/>' for i in count)
                + "</sheets></workbook>",
            )
            mini.writestr(
                "xl/_rels/workbook.xml.rels",
                f'<Relationships xmlns="{PACKAGE_REL_NS}">'
                + "".join(
                    f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/p{i}.xml"/>' for i in count
                )
                + "</Relationships>",
            )
            names = set(self.package.namelist())
            for part in ("xl/styles.xml", "xl/sharedStrings.xml"):  # where calamine looks for them
                if part in names:
                    mini.writestr(part, self.package.read(part))
            view = memoryview(xml)
            for i, (start, end) in zip(count, ranges, strict=True):
                first = _FIRST_CONTENT.search(xml, start, end)
                with mini.open(f"xl/worksheets/p{i}.xml", "w") as sheet:
                    sheet.write(b'<worksheet xmlns="' + MAIN_NS.encode() + b'"><sheetData>')
                    if first is not None:
                        sheet.write(b'<c r="A%s" t="inlineStr"><is><t></t></is></c>' % first[1])
                    sheet.write(view[start:end])
                    sheet.write(b"</sheetData></worksheet>")
        out.seek(0)
        return CalamineWorkbook.from_filelike(out)

    def read(self, xml: bytes, ranges: list[tuple[int, int]]) -> Iterator[Any]:
        """Each range of rows of `xml` as a calamine sheet, a package of them at a time."""
        batch: list[tuple[int, int]] = []
        for number, (start, end) in enumerate(ranges, start=1):
            batch.append((start, end))
            if number == len(ranges) or sum(e - s for s, e in batch) >= PACKAGE_BYTES:
                book = self._book(xml, batch)
                yield from (book.get_sheet_by_name(f"p{i}") for i in range(1, len(batch) + 1))
                batch = []


def _place(rows: list[list[Any]], sheet: Any) -> int:
    """Put a calamine sheet's block at its rows and columns in `rows`; the list slots it added."""
    if sheet.start is None:
        return 0
    top, left = sheet.start  # 0-based
    block = sheet.to_python(skip_empty_area=True)
    if left:
        pad = [""] * left
        block = [pad + values for values in block]
    if top >= len(rows):
        rows.extend([[]] * (top - len(rows)))  # one shared empty row for each row that holds nothing
        rows.extend(block)
    else:  # pieces overlap only when a sheet's rows are written out of order
        for row, values in enumerate(block, start=top):
            rows.extend([[]] * (row + 1 - len(rows)))
            merged = rows[row] + [""] * (len(values) - len(rows[row]))
            rows[row] = [v if v != "" else old for v, old in zip(values, merged, strict=False)] + merged[len(values) :]
    return sum(map(len, block))


def error_cells(xml: bytes) -> list[tuple[int, int, str]]:
    """(row, column, text) of each cell showing an error value (#N/A, #DIV/0!, …), which calamine reads as blank."""
    if b't="e"' not in xml:
        return []
    found = []
    for match in _ERROR_CELL.finditer(xml):
        value = _ERROR_TEXT.search(match[3])
        text = value[1].decode("utf-8", "replace").strip() if value else ""
        found.append((int(match[2]), column_number(match[1].decode()), text or "#N/A"))
    return found


def mark(rows: list[list[Any]], cells: Iterable[tuple[int, int, object]]) -> None:
    """Put each value at its (row, column), growing the grid where calamine left the cell out."""
    for row, col, value in cells:
        rows.extend([] for _ in range(row - len(rows)))
        if len(rows[row - 1]) < col:
            rows[row - 1] = rows[row - 1] + [""] * (col - len(rows[row - 1]))
        rows[row - 1][col - 1] = value


def read_rows(xml: bytes, whole: Callable[[], Any], reader: PieceReader, sheet: str, file: str) -> list[list[Any]]:
    """A worksheet's rows from row 1 and column A; `whole()` is calamine's sheet when it fits at once."""
    ranges = pieces(xml)
    if ranges is None:
        xml = _usual(xml)
        ranges = pieces(xml)
    if ranges is None:
        xml = _rewritten(xml)
        ranges = pieces(xml)
    if ranges is None:  # pragma: no cover - a rewritten sheet is laid out the usual way
        raise InputFileError(f"「{file}」的「{sheet}」表无法读取，请用 Excel 打开并另存一份再试。")

    rows: list[list[Any]] = []
    slots = 0
    for piece in [whole()] if len(ranges) == 1 else reader.read(xml, ranges):  # one range: the whole sheet
        slots += _place(rows, piece)
        if slots > tables.GRID_SLOTS:
            raise too_large(file, sheet)
    mark(rows, chain(((row, col, UNCALCULATED) for row, col in uncalculated_cells(xml)), error_cells(xml)))
    return rows
