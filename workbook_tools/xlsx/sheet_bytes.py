"""A worksheet's rows read from its bytes, and when that reads them as an XML parser would.

A ledger's sheet XML runs to tens of megabytes, and lxml's tree of it to ten
times that, so deleting rows (row_stream.py) and finding the rows formulas point
at (pinned_rows.py) scan the bytes of its sheetData. That is right only when a
tag's spelling says what it is: the text is UTF-8 without CDATA, no namespace is
declared inside the rows, the sheet's namespace is spelt with one prefix only,
and every row, cell and formula is spelt with that prefix. `sheet_rows` says
whether it is; a sheet for which it says no goes through its tree.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import cache

_NAME = rb"[A-Za-z_][\w.-]*"
SHEET_DATA = re.compile(rb"<(?:(" + _NAME + rb"):)?sheetData\b[^>]*>(.*)</(?:" + _NAME + rb":)?sheetData\s*>", re.S)
_ROOT = re.compile(rb"<(?:" + _NAME + rb":)?worksheet\b[^>]*>")
_DECLARATION = re.compile(rb"""\sxmlns(?::([\w.-]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*["']([\w.-]+)["']""")


@dataclass(frozen=True)
class Tags:
    """The patterns of a sheet's rows, cells and formulas, spelt with its prefix (literal, so the scans are fast)."""

    row: re.Pattern[bytes]  # every row start tag
    numbered: re.Pattern[bytes]  # a row start tag with its number
    number: re.Pattern[bytes]  # the number in a row's or a cell's `r`
    formula: re.Pattern[bytes]  # a formula's start tag and its text
    attributed: re.Pattern[bytes]  # a formula's attributes, and its text unless it has none (a shared member)
    text: re.Pattern[bytes]  # the text of every formula that has one
    row_tag: bytes
    cell_tag: bytes


@cache
def tags(prefix: bytes) -> Tags:
    """The patterns for a sheet whose tags are spelt with `prefix` (b"x:", or b"" for none)."""
    p = re.escape(prefix)
    return Tags(
        row=re.compile(rb"<" + p + rb"row[\s>/]"),
        numbered=re.compile(rb"<" + p + rb"""row\s[^>]*?(?<=\s)r\s*=\s*["'](\d+)["']"""),
        number=re.compile(rb"(<" + p + rb"""(?:row|c)\s[^>]*?(?<=\s)r\s*=\s*["'][A-Za-z]{0,3})(\d+)(?=["'])"""),
        formula=re.compile(rb"(<" + p + rb"f(?:\s[^>]*)?(?<!/)>)([^<]*)(?=</" + p + rb"f\s*>)"),
        attributed=re.compile(rb"<" + p + rb"f(\s[^>]*?)?(?:/>|>([^<]*)</" + p + rb"f\s*>)"),
        text=re.compile(rb"<" + p + rb"f(?:\s[^>]*)?(?<!/)>([^<]+)</" + p + rb"f\s*>"),
        row_tag=b"<" + prefix + b"row ",
        cell_tag=b"<" + prefix + b"c ",
    )


@dataclass(frozen=True)
class SheetRows:
    """A sheet's sheetData as bytes: where its rows start and end in the sheet, and the tags they are spelt with."""

    match: re.Match[bytes]  # the whole sheetData; group 2 is its rows
    tags: Tags

    @property
    def content(self) -> bytes:
        return self.match[2]


def sheet_rows(data: bytes) -> SheetRows | None:
    """The sheet's rows when reading them as bytes reads them as a parser would (see the module docstring)."""
    match, root = SHEET_DATA.search(data), _ROOT.search(data)
    if match is None or root is None:
        return None
    encoding = _ENCODING.match(data)
    if encoding is not None and encoding[1].lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
        return None
    name, content = match[1] or b"", match[2]
    if b"xmlns" in data[match.start() : match.start(2)] or b"xmlns" in content or b"<![CDATA[" in content:
        return None
    declared = {found[0]: found[1] or found[2] for found in _DECLARATION.findall(root[0])}
    if name not in declared or sum(uri == declared[name] for uri in declared.values()) != 1:
        return None
    if name and (b"<c " in content or b"<f>" in content or b"<f " in content or b"<row " in content):
        return None  # cells spelt without the sheet's prefix (or text that looks so)
    if not name and (b":c " in content or b":f>" in content or b":f " in content or b":row " in content):
        return None  # cells spelt with a prefix the sheet does not use (or text that looks so)
    return SheetRows(match, tags(name + b":" if name else b""))


# a link's start tag (in <hyperlinks>, after the rows) and its attributes, each quoted either way
HYPERLINK_TAG = re.compile(rb"""<(?:[\w.-]+:)?hyperlink((?:\s+[\w:.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*/?>""")


def attribute(attributes: bytes, name: bytes) -> str | None:
    """An attribute's value in a start tag's `attributes` (as HYPERLINK_TAG gives them), unescaped."""
    found = re.search(rb"(?<=\s)" + re.escape(name) + rb"""\s*=\s*(?:"([^"]*)"|'([^']*)')""", attributes)
    return html.unescape((found[1] if found[1] is not None else found[2]).decode()) if found else None
