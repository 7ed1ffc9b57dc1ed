"""A long command says what it is doing; a quick one, or one whose output goes to a file, stays silent; a command
runs without the cyclic collector's rescans of its rows and hands the collector back however it ends."""

from __future__ import annotations

import gc
import io
import shutil
import time

import pytest
from click.testing import CliRunner

from workbook_tools import cli as cli_module
from workbook_tools.cli.progress import TIMES_VARIABLE, Progress, phase_times
from workbook_tools.core.gc_pause import gc_paused
from workbook_tools.errors import WorkbookToolsError
from workbook_tools.xlsx.templates import TEAM_FILE

from conftest import ROOT


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_long_phase_is_shown_and_cleared_afterwards():
    screen = Terminal()
    with Progress(screen, delay=0.1, tick=0.02) as progress:
        progress.phase("正在校验 team.xlsx")
        time.sleep(0.3)
    shown = screen.getvalue()
    assert "正在校验 team.xlsx" in shown and "秒）" in shown
    assert shown.endswith("\r\033[K")


def test_a_quick_command_shows_nothing():
    screen = Terminal()
    with Progress(screen) as progress:
        progress.phase("正在校验 team.xlsx")
    assert screen.getvalue() == ""


def test_asked_for_times_each_phase_says_how_long_it_took(monkeypatch):
    """WORKBOOK_TOOLS_TIMES=1: where a run's time goes (benchmarks/archive.py reads it), even to a file."""
    monkeypatch.setenv(TIMES_VARIABLE, "1")
    redirected = io.StringIO()
    with Progress(redirected) as progress:
        progress.phase("正在读取 team.xlsx")
        time.sleep(0.2)
        progress.phase("正在校验 team.xlsx")
    (first, took), (second, _) = phase_times(redirected.getvalue())
    assert (first, second) == ("正在读取 team.xlsx", "正在校验 team.xlsx") and 0.2 <= took < 2
    monkeypatch.delenv(TIMES_VARIABLE)
    with Progress(redirected) as progress:
        progress.phase("正在读取 team.xlsx")
    assert len(phase_times(redirected.getvalue())) == 2


def test_nothing_is_written_when_stderr_is_not_a_terminal():
    redirected = io.StringIO()
    with Progress(redirected, delay=0.1, tick=0.02) as progress:
        progress.phase("正在校验")
        time.sleep(0.3)
    assert redirected.getvalue() == ""


def _record_collector(seen: list[bool]):
    def check(grids, day, **options):
        seen.append(gc.isenabled())
        raise WorkbookToolsError("测试：读到一半出错。")

    return check


@pytest.mark.parametrize("args", [["validate"], ["daily-totals"]])
def test_a_command_pauses_the_cyclic_collector_and_restores_it_even_when_it_fails(tmp_path, monkeypatch, args):
    seen: list[bool] = []
    monkeypatch.setattr(cli_module, "check_workbook", _record_collector(seen))
    team = shutil.copy(ROOT / "templates_xlsx" / TEAM_FILE, tmp_path / TEAM_FILE)
    result = CliRunner().invoke(cli_module.cli, [*args, str(team)])
    assert seen == [False]
    assert "测试：读到一半出错。" in result.output
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused():
    gc.disable()
    try:
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()
