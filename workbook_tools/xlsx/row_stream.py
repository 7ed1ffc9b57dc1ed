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
whose rows cannot be read this way for certain (a row or cell without its
number, CDATA, namespaces declared inside the rows or a second prefix for the
sheet's namespace, an encoding other than UTF-8) goes through the whole tree.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from workbook_tools.xlsx.references import RowMap

_NAME = rb"[A-Za-z_][\w.-]*"
_SHEET_DATA = re.compile(rb"<(?:(" + _NAME + rb"):)?sheetData\b[^>]*>(.*)</(?:" + _NAME + rb":)?sheetData\s*>", re.S)
_EMPTY_SHEET_DATA = re.compile(rb"<(?:" + _NAME + rb":)?sheetData\s*/>")
_ROOT = re.compile(rb"<(?:" + _NAME + rb":)?worksheet\b[^>]*>")
_DECLARATION = re.compile(rb"""\sxmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*["']([\w.-]+)["']""")
_TIED = re.compile(rb"""\st\s*=\s*["'](?:shared|array|dataTable)["']""")  # a formula over cells of several rows


@dataclass(frozen=True)
class _Tags:
    """The patterns of a sheet's rows, cells and formulas, spelt with its prefix (literal, so the scans are fast)."""

    row: re.Pattern[bytes]  # every row start tag
    numbered: re.Pattern[bytes]  # a row start tag with its number
    number: re.Pattern[bytes]  # the number in a row's or a cell's `r`
    formula: re.Pattern[bytes]  # a formula's text
    row_tag: bytes
    cell_tag: bytes


@functools.cache
def _tags(prefix: bytes) -> _Tags:
    p = re.escape(prefix)
    return _Tags(
        row=re.compile(rb"<" + p + rb"row[\s>/]"),
        numbered=re.compile(rb"<" + p + rb"""row\s[^>]*?(?<=\s)r\s*=\s*["'](\d+)["']"""),
        number=re.compile(rb"(<" + p + rb"""(?:row|c)\s[^>]*?(?<=\s)r\s*=\s*["'][A-Za-z]{0,3})(\d+)(?=["'])"""),
        formula=re.compile(rb"(<" + p + rb"f(?:\s[^>]*)?(?<!/)>)([^<]*)(?=</" + p + rb"f\s*>)"),
        row_tag=b"<" + prefix + b"row ",
        cell_tag=b"<" + prefix + b"c ",
    )


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


def _plain(data: bytes, root: bytes, open_tag: bytes, prefix: bytes) -> bool:
    """UTF-8, and the sheet's namespace spelt one way only: then a tag's spelling says what it is."""
    encoding = _ENCODING.match(data)
    if encoding is not None and encoding[1].lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return False
    if b"xmlns" in open_tag:
        return False
    declared: dict[bytes, bytes] = {found[0]: found[1] or found[2] for found in _DECLARATION.findall(root)}
    if prefix not in declared:
        return False
    return sum(uri == declared[prefix] for uri in declared.values()) == 1


def _tied(content: bytes) -> bool:
    if b"shared" not in content and b"array" not in content and b"dataTable" not in content:
        return False  # a substring test is fast; the pattern tries every whitespace of the sheet
    return _TIED.search(content) is not None


def stream_rows(data: bytes, rows: RowMap, shift: Callable[[str], str]) -> StreamedRows | None:
    """The sheet's rows but the deleted ones, renumbered, with `shift` applied to each formula's text; None when
    the sheet needs its whole tree (see the module docstring)."""
    match, root = _SHEET_DATA.search(data), _ROOT.search(data)
    if match is None or root is None:
        return None
    prefix = match[1] or b""
    open_tag, content = data[match.start() : match.start(2)], match[2]
    if not _plain(data, root[0], open_tag, prefix):
        return None
    if b"xmlns" in content or b"<![CDATA[" in content or _tied(content):
        return None
    tags = _tags(prefix + b":" if prefix else b"")
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


def _moved(run: bytes, by: int, tags: _Tags, shift: Callable[[str], str]) -> bytes | None:
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
