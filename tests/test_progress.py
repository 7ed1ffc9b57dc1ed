"""A long command says what it is doing; a quick one, or one whose output goes to a file, stays silent."""
from __future__ import annotations

import io
import time

from workbook_tools.progress import DELAY, Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_phase_is_shown_and_cleared_afterwards():
    screen = Terminal()
    with Progress(screen) as progress:
        progress.phase("正在校验 team.xlsx")
        time.sleep(DELAY + 0.5)
    shown = screen.getvalue()
    assert "正在校验 team.xlsx" in shown and "秒）" in shown
    assert shown.endswith("\r\033[K")


def test_a_quick_command_shows_nothing():
    screen = Terminal()
    with Progress(screen) as progress:
        progress.phase("正在校验 team.xlsx")
    assert screen.getvalue() == ""


def test_nothing_is_written_when_stderr_is_not_a_terminal():
    redirected = io.StringIO()
    with Progress(redirected) as progress:
        progress.phase("正在校验")
        time.sleep(DELAY + 0.3)
    assert redirected.getvalue() == ""
