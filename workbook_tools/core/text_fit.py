"""How tall a row must be for its wrapped text to show whole.

Excel fits a row to its wrapped text itself when the text is typed or wrapped
in Excel; a file has to say the height, and LibreOffice takes the height the
file gives. The estimate errs on the tall side: it measures with Excel's
default 11-point font, in which a CJK character is about twice as wide as a
digit, and breaks a line a little before the column's edge, as a line of
words does.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from workbook_tools.spec.types import display_width

LINE_HEIGHT = 15.0  # points: one line of the default 11-point font, Excel's default row height
_DIGIT_PX = 7  # what one unit of column width (one digit of the default font) takes, in pixels
_WIDE_PX = 15  # an 11-point CJK character: 11 pt = 14.7 px
_MARGINS_PX = 5  # the cell's padding on both sides
_FILL = 0.92  # a line breaks before the edge when the next word does not fit


def lines(text: str, width: float) -> int:
    """Lines `text` takes in a column `width` characters wide (as a sheet's <col width> gives it)."""
    usable = max(width * _DIGIT_PX - _MARGINS_PX, _WIDE_PX) * _FILL
    count = 0
    for paragraph in text.split("\n"):
        wide = display_width(paragraph) - len(paragraph)  # characters counted twice
        pixels = wide * _WIDE_PX + (len(paragraph) - wide) * _DIGIT_PX
        count += max(1, math.ceil(pixels / usable))
    return count


def wrapped_height(cells: Iterable[tuple[str, float]]) -> float | None:
    """The height (points) of a row holding these (text, column width) wrapped cells; None when one line fits."""
    most = max((lines(text, width) for text, width in cells), default=1)
    return most * LINE_HEIGHT if most > 1 else None
