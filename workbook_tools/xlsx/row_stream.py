"""Deleting rows of a big sheet as bytes, without building its tree.

A ledger's sheet XML runs to tens of megabytes, and lxml's tree of it to ten
times that. Rows are independent of each other in the XML once no formula is
shared between cells (a shared or array formula ties cells of several rows
together): then the rows that go are skipped as bytes, and the rows that stay
are copied as bytes with two things changed, which are all that deleting rows
above them changes inside them: the number each row and each cell carries in
its `r` attribute, and the references of their formulas. The rest of the sheet
(its validations, formats, merged ranges...) is small and goes through the tree
as before, with an empty sheetData into which the rows are put back. A sheet
whose rows cannot be read this way for certain (sheet_bytes.sheet_rows says
no, or a row or cell does not carry its number) goes through the whole tree.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from workbook_tools.xlsx.references import RowMap
from workbook_tools.xlsx.sheet_bytes import Tags, sheet_rows

_EMPTY_SHEET_DATA = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheetData\s*/>")
_TIED = re.compile(rb"""\st\s*=\s*["'](?:shared|array|dataTable)["']""")  # a formula over cells of several rows


@dataclass(frozen=True)
class StreamedRows:
    rest: bytes  # the sheet with its sheetData emptied
    rows: bytes  # the rows that stay, changed, as they go back in
    open_tag: bytes
    close_tag: bytes

    def splice(self, rest: bytes) -> bytes:
        """`rest` (the emptied sheet, changed and written out) with the rows back in its sheetData."""
        empty = _EMPTY_SHEET_DATA.search(rest)
        assert empty is not None, "lxml writes an empty sheetData as one empty element"
        return rest[: empty.start()] + self.open_tag + self.rows + self.close_tag + rest[empty.end() :]


def _tied(content: bytes) -> bool:
    if b"shared" not in content and b"array" not in content and b"dataTable" not in content:
        return False  # a substring test is fast; the pattern tries every whitespace of the sheet
    return _TIED.search(content) is not None


def stream_rows(data: bytes, rows: RowMap, shift: Callable[[str], str]) -> StreamedRows | None:
    """The sheet's rows but the deleted ones, renumbered, with `shift` applied to each formula's text; None when
    the sheet needs its whole tree (see the module docstring)."""
    found = sheet_rows(data)
    if found is None or _tied(found.content):
        return None
    match, content, tags = found.match, found.content, found.tags
    open_tag = data[match.start() : match.start(2)]
    numbered = list(tags.numbered.finditer(content))
    if len(numbered) != len(tags.row.findall(content)):  # a row without its number follows the one before
        return None
    starts = [m.start() for m in numbered] + [len(content)]
    runs: list[list[int]] = []  # [start, end, by]: kept rows in a row that all move up by `by`
    gone, new, last = rows.gone, rows.new, -1
    for row, start, end in zip(numbered, starts, starts[1:], strict=False):
        number = int(row[1])
        if number in gone:
            continue
        by = number - new(number)
        if last == start and runs[-1][2] == by:
            runs[-1][1] = end
        else:
            runs.append([start, end, by])
        last = end
    out = [content[: starts[0]]]
    for start, end, by in runs:
        moved = _moved(content[start:end], by, tags, shift)
        if moved is None:
            return None
        out.append(moved)
    return StreamedRows(
        data[: match.start(2)] + data[match.end(2) :], b"".join(out), open_tag, data[match.end(2) : match.end()]
    )


def _moved(run: bytes, by: int, tags: Tags, shift: Callable[[str], str]) -> bytes | None:
    """Rows that move up by `by`, with their formulas' references shifted; None when a row or cell of them does
    not carry its number where it is looked for."""
    if by:
        run, found = tags.number.subn(lambda m: m[1] + str(int(m[2]) - by).encode(), run)
        if found != run.count(tags.row_tag) + run.count(tags.cell_tag):
            return None

    def formula(m: re.Match[bytes]) -> bytes:
        text = html.unescape(m[2].decode())
        moved = shift(text)
        return m[0] if moved == text else m[1] + _escaped(moved).encode()

    return tags.formula.sub(formula, run)


def _escaped(text: str) -> str:
    """Text as element content (xml.sax.saxutils would bring urllib and http into every command)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
