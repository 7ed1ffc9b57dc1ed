"""Cell references after whole rows of a sheet are deleted, as Excel rewrites them.

A reference below the deleted rows moves up by the number deleted above it; a
range loses the deleted rows it spans; a reference left with no row at all
becomes #REF! (Excel's own answer). Text inside string literals and brackets
(structured references such as `Returns[[#This Row],[数量]]`) and references
into other workbooks (`[1]退件表!A2`) are never touched, nor are whole columns
(`A:A`), which deletion cannot change.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from typing import NamedTuple

REF_ERROR = "#REF!"
_CELL = r"\$?[A-Z]{1,3}\$?\d+"
_ROWS = r"\$?\d+:\$?\d+"
_SHEET = r"(?:'(?:[^']|'')+'|[\w.\u0080-\uffff]+)!"
# a reference, maybe qualified by its sheet; not part of a name (Map_X1), a function (LOG10() or a number (1.5E3)
_REFERENCE = re.compile(
    rf"(?<![\w.\u0080-\uffff$'])(?P<sheet>{_SHEET})?(?P<ref>{_CELL}(?::{_CELL})?|{_ROWS})(?![\w(.\[!\u0080-\uffff])"
)
# a reference into another workbook ([1]退件表!A2, '[1]退 件'!A2: its sheet of that name is not this one's; a sheet's
# own name holds no bracket)
_EXTERNAL = rf"(?:\[[^\[\]]*\]{_SHEET}|'\[[^\]']*\](?:[^']|'')*'!)(?:{_CELL}(?::{_CELL})?|{_ROWS})"
# string literals, references into other workbooks, brackets (structured references)
_SKIPPED = re.compile(rf'"(?:[^"]|"")*"|{_EXTERNAL}|\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\]')
_PART = re.compile(r"(\$?)([A-Z]{0,3})(\$?)(\d+)")


class RowMap:
    """Where each row of a sheet goes when `deleted` rows are deleted (sorted, distinct, 1-based)."""

    def __init__(self, deleted: Sequence[int]) -> None:
        self.deleted = sorted(set(deleted))
        self.gone = set(self.deleted)
        self.first = self.deleted[0] if self.deleted else 0
        starts: list[int] = []
        ends: list[int] = []
        for row in self.deleted:
            if ends and row == ends[-1] + 1:
                ends[-1] = row
            else:
                starts.append(row)
                ends.append(row)
        self.starts, self.ends = starts, ends

    def new(self, row: int) -> int:
        """The new number of a row that stays."""
        return row - bisect_left(self.deleted, row)

    def area(self, top: int, bottom: int) -> tuple[int, int] | None:
        """The rows `top`..`bottom` become, or None when every one of them is deleted."""
        if top in self.gone:
            run = bisect_right(self.starts, top) - 1
            top = self.ends[run] + 1
        if bottom in self.gone:
            run = bisect_right(self.starts, bottom) - 1
            bottom = self.starts[run] - 1
        if top > bottom:
            return None
        return self.new(top), self.new(bottom)

    def touches(self, top: int, bottom: int) -> bool:
        """Whether any row from `top` to `bottom` is deleted."""
        return bisect_right(self.deleted, bottom) > bisect_left(self.deleted, top)


def _unquote(sheet: str) -> str:
    name = sheet[:-1]
    return name[1:-1].replace("''", "'") if name.startswith("'") else name


def shift_area(ref: str, rows: RowMap) -> str | None:
    """`A5`, `$A$5:$C$9` or `5:9` after the deletion; None when nothing of it is left."""
    ends = [_PART.fullmatch(end) for end in ref.split(":")]
    if any(m is None for m in ends):
        return ref
    numbers = [int(m[4]) for m in ends if m is not None]
    moved = rows.area(numbers[0], numbers[-1])
    if moved is None:
        return None
    return ":".join(
        f"{m[1]}{m[2]}{m[3]}{value}" for m, value in zip(ends, moved[: len(ends)], strict=True) if m is not None
    )


def shift_sqref(sqref: str, rows: RowMap) -> str:
    """A space-separated list of areas (a validation's or a conditional format's cells); "" when none is left."""
    kept = [shift_area(area, rows) for area in sqref.split()]
    return " ".join(area for area in kept if area)


def shift_formula(text: str, rows: RowMap, sheet: str, on_sheet: bool, relative: bool = True) -> str:
    """A formula after the deletion: references to `sheet` (unqualified ones too when the formula is `on_sheet`);
    with `relative` false, only those that name a row with `$` (the others were moved by their offset already)."""
    if not rows.deleted or not _REFERENCE.search(text):
        return text

    def moved(match: re.Match[str]) -> str:
        qualifier = match["sheet"]
        if (qualifier is None and not on_sheet) or (qualifier is not None and _unquote(qualifier) != sheet):
            return match[0]
        if not relative and not any(end[3] == "$" for end in _PART.finditer(match["ref"])):
            return match[0]
        area = shift_area(match["ref"], rows)
        return REF_ERROR if area is None else (qualifier or "") + area

    return _outside_literals(text, lambda part: _REFERENCE.sub(moved, part))


class Area(NamedTuple):
    """The rows a reference spans; a row written without `$` moves with the formula when it is filled down."""

    sheet: str | None  # the sheet it names, None when it names none (the formula's own sheet)
    top: int
    bottom: int
    top_fixed: bool
    bottom_fixed: bool

    def offset(self, by: int) -> Area:
        """The area in a copy of the formula `by` rows lower (a shared formula's member)."""
        top = self.top if self.top_fixed else self.top + by
        bottom = self.bottom if self.bottom_fixed else self.bottom + by
        return Area(self.sheet, top, bottom, self.top_fixed, self.bottom_fixed)


def areas(text: str) -> list[Area]:
    """The cell and row references of a formula, outside string literals and brackets."""
    parts = [text] if '"' not in text and "[" not in text else _SKIPPED.split(text)
    found = []
    for part in parts:
        for match in _REFERENCE.finditer(part):
            ends = [_PART.fullmatch(end) for end in match["ref"].split(":")]
            if any(m is None for m in ends):
                continue
            fixed = [m[3] == "$" or (not m[2] and m[1] == "$") for m in ends if m is not None]
            numbers = [int(m[4]) for m in ends if m is not None]
            sheet = _unquote(match["sheet"]) if match["sheet"] else None
            found.append(Area(sheet, numbers[0], numbers[-1], fixed[0], fixed[-1]))
    return found


def _outside_literals(text: str, change: Callable[[str], str]) -> str:
    out, last = [], 0
    for literal in _SKIPPED.finditer(text):
        out += [change(text[last : literal.start()]), literal[0]]
        last = literal.end()
    out.append(change(text[last:]))
    return "".join(out)
