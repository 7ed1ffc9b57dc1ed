"""The user's Excel, reached through xlwings' open-source API, for `doctor --excel` and `--build-in-excel`.

An Excel we start is ours to quit; one the user already has open is attached to
and left running. Without Excel (no Windows or macOS, or Excel not installed)
the command says so in one line.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from workbook_tools.errors import WorkbookToolsError

SEND = "请把这句话发给负责工具的同事。"


class ExcelUnavailable(WorkbookToolsError):
    """There is no Excel here to drive."""


def on(platform: str) -> bool:
    """Whether this is `platform`, decided when called (tests of the Windows and macOS paths run anywhere)."""
    return sys.platform == platform


@dataclass(frozen=True)
class Session:
    app: Any
    attached: bool  # the user's own Excel, started as they start it (add-ins in its startup folder are loaded)


@contextmanager
def excel(platforms: tuple[str, ...], missing: str, attach: bool) -> Iterator[Session]:
    """Excel on one of `platforms`; `missing` is the sentence for a machine without it."""
    if sys.platform not in platforms:
        raise ExcelUnavailable(missing)
    import xlwings as xw

    try:
        running = xw.apps.active if attach and xw.apps.count else None
        app = running or xw.App(visible=attach, add_book=False)
    except Exception as error:  # no Excel installed, or it would not start: COM and AppleScript errors alike
        raise ExcelUnavailable(missing) from error
    try:
        yield Session(app, running is not None)
    finally:
        if running is None:
            app.quit()


def error_text(error: BaseException) -> str:
    """What Excel said, from a COM error's exception info or an AppleScript error's message."""
    texts = [str(a) for a in getattr(error, "args", ()) if isinstance(a, str)]
    for arg in getattr(error, "args", ()):
        if isinstance(arg, tuple):
            texts += [str(a) for a in arg if isinstance(a, str) and a]
    return "；".join(dict.fromkeys(t.strip() for t in texts if t.strip())) or type(error).__name__
