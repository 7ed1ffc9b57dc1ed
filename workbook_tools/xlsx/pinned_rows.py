"""Rows a deletion must leave where they are because a formula that stays points at them and at nothing else.

Deleting rows turns a reference that is left with no row at all into #REF!, as
Excel does (a range that keeps some of its rows only shrinks): 「=A2」 typed in
the row below to say "the same day as above", a summary's =退件表!H7, a
defined name of one cell. The archive asks, before it deletes anything, which of
the rows it means to delete are all that some reference from a formula that
stays points at (a cell formula on a row that stays, on any sheet; a defined
name; another sheet's validation or conditional format), and keeps them. A row
kept so keeps its own formulas too, so what they point at stays as well
(=A3 in A4, =A2 in A3).
"""

from __future__ import annotations

import bisect
import html
import re
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import cache

from lxml import etree

from workbook_tools.xlsx.package import Package, q, spellings
from workbook_tools.xlsx.references import Area, areas

_SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData\b[^>]*>(.*)</(?:[\w.-]+:)?sheetData\s*>", re.S)
_ROW = re.compile(rb"<(?:[\w.-]+:)?row[\s>/]")
_NUMBERED = re.compile(rb"""<(?:[\w.-]+:)?row\s[^>]*?(?<=\s)r\s*=\s*["'](\d+)["']""")
_FORMULA = re.compile(rb"<(?:[\w.-]+:)?f(\s[^>]*)?(?:/>|>([^<]*)</(?:[\w.-]+:)?f\s*>)")
_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_ENCODING = re.compile(rb"""\A(?:\xef\xbb\xbf)?<\?xml[^>]*?\sencoding\s*=\s*["']([\w.-]+)["']""")
_RULES = ("{*}formula", "{*}formula1", "{*}formula2", "{*}f")  # a validation's or conditional format's formulas
_PARSER = etree.XMLParser(huge_tree=True)


@dataclass(frozen=True)
class _Link:
    """A reference from a formula to rows of a sheet rows are deleted from."""

    sheet: str | None  # where the formula is; None for a defined name
    row: int | None  # the row it is on; None when it stays whatever is deleted (a defined name, a validation)
    target: str
    top: int
    bottom: int


@dataclass(frozen=True)
class _CellFormula:
    row: int
    kind: str | None  # "shared", "array"... None for a plain formula
    group: str | None  # a shared formula's group
    text: str | None  # None for a shared formula's member (the group's first cell holds the text)


@cache
def _areas(text: str) -> tuple[Area, ...]:
    """A formula's references; a ledger repeats one formula down a column, so each text is read once."""
    return tuple(areas(text))


class FormulaLinks:
    """The references that could lose every row they point at when `deleting` (sheet -> rows) is deleted, read
    once; `pinned` answers for `deleting` or any part of it (a reference that could empty under a part could
    under the whole)."""

    def __init__(self, package: Package, deleting: Mapping[str, Collection[int]]) -> None:
        self._deleting = {sheet: set(rows) for sheet, rows in deleting.items() if rows}
        self.links: list[_Link] = []
        names = {sheet: spellings(sheet) for sheet in self._deleting}
        for sheet, part in package.sheet_parts().items():
            data = package.read(part)
            others = [t for t, spelt in names.items() if t != sheet and any(s in data for s in spelt)]
            if sheet in names or others:
                self._read_cells(sheet, data)
            if others:  # validations and formats pointing at another sheet's rows
                found = _SHEET_DATA.search(data)
                rest = data[: found.start()] + data[found.end() :] if found else data
                for rule in etree.fromstring(rest, _PARSER).iter(*_RULES):
                    self._add(sheet, None, rule.text, own=False)
        defined = package.xml("xl/workbook.xml").find(q("definedNames"))
        for name in defined if defined is not None else ():
            self._add(None, None, name.text, own=False)

    def _add(self, sheet: str | None, row: int | None, text: str | None, by: int = 0, own: bool = True) -> None:
        """Keep the references of `text` (`by` rows below where it is written) that the deletion could empty;
        `own`: a reference naming no sheet points at `sheet`."""
        for written in _areas(text) if text else ():
            area = written.offset(by) if by else written
            target = area.sheet if area.sheet is not None else sheet if own else None
            gone = self._deleting.get(target) if target is not None else None
            if target is not None and gone and all(r in gone for r in range(area.top, area.bottom + 1)):
                self.links.append(_Link(sheet, row, target, area.top, area.bottom))

    def _read_cells(self, sheet: str, data: bytes) -> None:
        masters: dict[str, _CellFormula] = {}
        members = []
        for formula in _cell_formulas(data):
            if formula.kind == "shared" and formula.group is not None:
                if formula.text is not None:
                    masters[formula.group] = formula
                members.append(formula)
            else:
                self._add(sheet, formula.row, formula.text)
        for member in members:  # each member's references are the first cell's, moved as far down as it is
            master = masters.get(member.group or "")
            if master is not None:
                self._add(sheet, member.row, master.text, member.row - master.row)

    def pinned(self, deleting: Mapping[str, Collection[int]]) -> dict[str, set[int]]:
        """The rows of `deleting` that must stay (sheet -> rows); empty when the deletion breaks no reference."""
        gone = {sheet: set(rows) for sheet, rows in deleting.items()}
        pinned: dict[str, set[int]] = defaultdict(set)
        changed = True
        while changed:  # a row kept keeps its formulas: what they point at stays too
            changed = False
            for link in self.links:
                rows = gone.get(link.target)
                if not rows or (link.sheet is not None and link.row in gone.get(link.sheet, ())):
                    continue
                area = range(link.top, link.bottom + 1)
                if all(row in rows for row in area):
                    rows.difference_update(area)
                    pinned[link.target].update(area)
                    changed = True
        return dict(pinned)


def _cell_formulas(data: bytes) -> Iterator[_CellFormula]:
    """The formulas in a sheet's cells, read from its bytes (a ledger's sheet is tens of megabytes); through its
    tree when a row does not carry its number or the text is not plain UTF-8."""
    found = _SHEET_DATA.search(data)
    encoding = _ENCODING.match(data)
    utf8 = encoding is None or encoding[1].lower().replace(b"_", b"-") in (b"utf-8", b"utf8")
    numbered = list(_NUMBERED.finditer(found[1])) if found else []
    if found is None or not utf8 or b"<![CDATA[" in found[1] or len(numbered) != len(_ROW.findall(found[1])):
        yield from _tree_formulas(data)
        return
    starts = [m.start() for m in numbered]
    for match in _FORMULA.finditer(found[1]):
        row = int(numbered[bisect.bisect_right(starts, match.start()) - 1][1])
        attributes = {m[1]: (m[2] or m[3] or b"").decode() for m in _ATTRIBUTE.finditer(match[1] or b"")}
        text = html.unescape(match[2].decode()) if match[2] is not None else None
        yield _CellFormula(row, attributes.get(b"t"), attributes.get(b"si"), text)


def _tree_formulas(data: bytes) -> Iterator[_CellFormula]:
    number = 0
    for row in etree.fromstring(data, _PARSER).iter(q("row")):
        number = int(row.get("r") or number + 1)
        for formula in row.iter(q("f")):
            yield _CellFormula(number, formula.get("t"), formula.get("si"), formula.text)
