"""Deleting rows of a big sheet without building its whole tree.

A ledger's sheet XML runs to tens of megabytes, and lxml's tree of it to ten
times that: archiving a year of rows held 700 MiB for one sheet. Rows are
independent of each other in the XML once no formula is shared between cells
(a shared or array formula ties cells of several rows together): then the rows
that go are skipped as bytes, never parsed, and the rows that stay are parsed a
run at a time, changed and written out again. The rest of the sheet (its
validations, formats, merged ranges...) is small and goes through the tree as
before, with an empty sheetData into which the rows are put back.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Container
from dataclasses import dataclass

from lxml import etree

_NAME = rb"[A-Za-z_][\w.-]*"
_SHEET_DATA = re.compile(rb"<(?:(" + _NAME + rb"):)?sheetData\b[^>]*>(.*)</(?:" + _NAME + rb":)?sheetData\s*>", re.S)
_EMPTY_SHEET_DATA = re.compile(rb"<(?:" + _NAME + rb":)?sheetData\s*/>")
_ROOT = re.compile(rb"<(?:" + _NAME + rb":)?worksheet\b[^>]*>")
_DECLARATION = re.compile(rb"""\sxmlns(?::[\w.-]+)?\s*=\s*(?:"[^"]*"|'[^']*')""")
_ROW = re.compile(rb"<(?:" + _NAME + rb":)?row[\s>/]")
_NUMBERED_ROW = re.compile(rb"<(?:" + _NAME + rb""":)?row\s[^>]*?(?<=\s)r\s*=\s*["'](\d+)["']""")
_TIED = re.compile(rb"""\st\s*=\s*["'](?:shared|array|dataTable)["']""")  # a formula over cells of several rows
_PARSER = etree.XMLParser(huge_tree=True, remove_blank_text=False)
RUN = 2_000  # rows parsed at a time


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


def stream_rows(data: bytes, gone: Container[int], change: Callable[[etree._Element], None]) -> StreamedRows | None:
    """The sheet's rows but those numbered in `gone`, each run of them parsed into a sheetData element that
    `change` renumbers in place; None when the sheet needs its whole tree (formulas tied across rows, rows
    without their number, CDATA)."""
    match, root = _SHEET_DATA.search(data), _ROOT.search(data)
    if match is None or root is None:
        return None
    content = match[2]
    if _TIED.search(content) or b"<![CDATA[" in content:
        return None
    prefix = match[1] + b":" if match[1] else b""
    wrapper = (
        b"<" + prefix + b"sheetData" + b"".join(_DECLARATION.findall(root[0])) + b">",
        b"</" + prefix + b"sheetData>",
    )
    numbered = list(_NUMBERED_ROW.finditer(content))
    if len(numbered) != len(_ROW.findall(content)):  # a row without its number follows the one before
        return None
    starts = [m.start() for m in numbered] + [len(content)]
    out = [content[: starts[0]]]
    run: list[bytes] = []

    def flush() -> None:
        element = etree.fromstring(wrapper[0] + b"".join(run) + wrapper[1], _PARSER)
        change(element)
        text = etree.tostring(element, encoding="UTF-8", xml_declaration=False)
        out.append(text[text.index(b">") + 1 : text.rindex(b"</")])
        run.clear()

    for row, (start, end) in zip(numbered, itertools.pairwise(starts), strict=True):
        if int(row[1]) not in gone:
            run.append(content[start:end])
            if len(run) == RUN:
                flush()
    if run:
        flush()
    return StreamedRows(
        data[: match.start(2)] + data[match.end(2) :],
        b"".join(out),
        data[match.start() : match.start(2)],
        data[match.end(2) : match.end()],
    )
