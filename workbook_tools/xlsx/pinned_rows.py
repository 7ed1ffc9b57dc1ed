"""Rows a deletion must leave where they are because a formula that stays points at them and at nothing else.

Deleting rows turns a reference that is left with no row at all into #REF!, as
Excel does (a range that keeps some of its rows only shrinks): 「=A2」 typed in
the row below to say "the same day as above", a summary's =退件表!H7, a
defined name of one cell. The archive asks, before it deletes anything, which of
the rows it means to delete are all that some reference from a formula that
stays points at (a cell formula on a row that stays, on any sheet; a defined
name; another sheet's validation or conditional format; a chart's data range;
a link to a cell), and keeps them. A row kept so keeps its own formulas too, so
what they point at stays as well (=A3 in A4, =A2 in A3).
"""

from __future__ import annotations

import bisect
import html
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from typing import NamedTuple

from lxml import etree

from workbook_tools.xlsx.opc import Package, chart_parts, q, spellings
from workbook_tools.xlsx.references import Area, areas
from workbook_tools.xlsx.sheet_bytes import HYPERLINK_TAG, SHEET_DATA, attribute, sheet_rows

_ATTRIBUTE = re.compile(rb"""([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_RULES = ("{*}formula", "{*}formula1", "{*}formula2", "{*}f")  # a validation's or conditional format's formulas
_PARSER = etree.XMLParser(huge_tree=True)


class _Link(NamedTuple):
    """A reference from a formula to rows of a sheet rows are deleted from."""

    sheet: str | None  # where the formula is; None for a defined name
    row: int | None  # the row it is on; None when it stays whatever is deleted (a defined name, a validation)
    target: str
    top: int
    bottom: int


class _CellFormula(NamedTuple):
    """A cell's formula that refers to rows by number, or belongs to a formula filled down."""

    row: int
    group: str | None  # a shared formula's group
    areas: tuple[Area, ...] | None  # None for a shared formula's member (the group's first cell holds the text)


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
            entities = b"&#" in data  # a name spelt with character references (openpyxl) is looked for only then
            others = [
                t for t, spelt in names.items() if t != sheet and any(s in data for s in spelt[: 3 if entities else 1])
            ]
            if sheet in names or others:
                self._read_cells(sheet, data)
                for link in HYPERLINK_TAG.findall(data) if b"location" in data else ():  # a link to a cell
                    self._add(sheet, None, areas(attribute(link, b"location") or ""))
            if others:  # validations and formats pointing at another sheet's rows
                found = SHEET_DATA.search(data)
                rest = data[: found.start()] + data[found.end() :] if found else data
                for rule in etree.fromstring(rest, _PARSER).iter(*_RULES):
                    self._add(sheet, None, areas(rule.text or ""), own=False)
        defined = package.xml("xl/workbook.xml").find(q("definedNames"))
        for name in defined if defined is not None else ():
            self._add(None, None, areas(name.text or ""), own=False)
        for chart in {part for sheet in self._deleting for part in chart_parts(package, sheet)}:
            for formula in package.xml(chart).iter("{*}f", "{*}sqref"):  # a chart's data ranges
                self._add(None, None, areas(formula.text or ""), own=False)

    def _add(self, sheet: str | None, row: int | None, found: Iterable[Area], by: int = 0, own: bool = True) -> None:
        """Keep the references `found` (`by` rows below where they are written) that the deletion could empty;
        `own`: a reference naming no sheet points at `sheet`."""
        for written in found:
            area = written.offset(by) if by else written
            target = area.sheet if area.sheet is not None else sheet if own else None
            gone = self._deleting.get(target) if target is not None else None
            if target is None or not gone or (target == sheet and row is not None and area.top <= row <= area.bottom):
                continue  # nothing leaves there, or the formula's own row: it stays while the formula does
            if all(r in gone for r in range(area.top, area.bottom + 1)):
                self.links.append(_Link(sheet, row, target, area.top, area.bottom))

    def _read_cells(self, sheet: str, data: bytes) -> None:
        masters: dict[str, _CellFormula] = {}
        members = []
        for formula in _cell_formulas(data):
            if formula.group is None:
                self._add(sheet, formula.row, formula.areas or ())
                continue
            if formula.areas is not None:
                masters[formula.group] = formula
            members.append(formula)
        for member in members:  # each member's references are the first cell's, moved as far down as it is
            master = masters.get(member.group or "")
            if master is not None and master.areas:
                self._add(sheet, member.row, master.areas, member.row - master.row)

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


_DIGITS = re.compile(r"\d+")
_PROBE = 100_000  # the first number a probe writes; areas() reads any number
_Shape = tuple[tuple[str | None, int, int, bool, bool], ...]  # each area's sheet, numbers' places and `$`s


def _areas(text: str, shapes: dict[str, _Shape | None]) -> tuple[Area, ...]:
    """A formula's references, read once per shape: a column of formulas (=H5*I5, =H6*I6...) differs only in
    its numbers, so the formula with each number replaced by a marker is read once, and the markers say which
    numbers are the rows. A sheet's name with a number in it is read formula by formula."""
    shape = _DIGITS.sub("0", text)
    if shape not in shapes:
        numbers = iter(range(_PROBE, _PROBE + len(text)))
        probe = areas(_DIGITS.sub(lambda _: str(next(numbers)), text))
        certain = not any(a.sheet and _DIGITS.search(a.sheet) for a in probe)
        marks = tuple((a.sheet, a.top - _PROBE, a.bottom - _PROBE, a.top_fixed, a.bottom_fixed) for a in probe)
        shapes[shape] = marks if certain else None
    found = shapes[shape]
    if found is None:
        return tuple(areas(text))
    runs = _DIGITS.findall(text)
    return tuple(Area(sheet, int(runs[top]), int(runs[bottom]), tf, bf) for sheet, top, bottom, tf, bf in found)


def _cell_formulas(data: bytes) -> Iterator[_CellFormula]:
    """The formulas in a sheet's cells that refer to rows by number or are filled down, read from its bytes (a
    ledger's sheet is tens of megabytes, its formulas one text repeated down a column, or structured references);
    through its tree when a row does not carry its number or the bytes cannot be read for certain (sheet_bytes)."""
    found = sheet_rows(data)
    if found is None:
        yield from _tree_formulas(data)
        return
    content, tags = found.content, found.tags
    shapes: dict[str, _Shape | None] = {}
    read = {text: _areas(html.unescape(text.decode()), shapes) for text in set(tags.text.findall(content))}
    if b"shared" not in content and not any(read.values()):
        return  # most ledgers: one formula down a column, or structured references only
    starts: list[int] = []
    numbers: list[int] = []
    for match in tags.attributed.finditer(content):
        attributes, raw = match[1] or b"", match[2]
        group = None
        if b"shared" in attributes:
            named = {m[1]: (m[2] or m[3] or b"").decode() for m in _ATTRIBUTE.finditer(attributes)}
            group = named.get(b"si") if named.get(b"t") == "shared" else None
        if not raw:  # a shared formula's member
            if group is None:
                continue
            written = None
        elif (written := read.get(raw)) is None:
            written = read[raw] = _areas(html.unescape(raw.decode()), shapes)
        if group is None and not written:
            continue
        if not starts:  # the rows, once a formula needs its row's number
            numbered = list(tags.numbered.finditer(content))
            if len(numbered) != len(tags.row.findall(content)):  # a row without its number follows the one before
                yield from _tree_formulas(data)
                return
            starts, numbers = [m.start() for m in numbered], [int(m[1]) for m in numbered]
        yield _CellFormula(numbers[bisect.bisect_right(starts, match.start()) - 1], group, written)


def _tree_formulas(data: bytes) -> Iterator[_CellFormula]:
    number = 0
    for row in etree.fromstring(data, _PARSER).iter(q("row")):
        number = int(row.get("r") or number + 1)
        for formula in row.iter(q("f")):
            group = formula.get("si") if formula.get("t") == "shared" else None
            written = tuple(areas(formula.text)) if formula.text else None
            if group is not None or written:
                yield _CellFormula(number, group, written)
