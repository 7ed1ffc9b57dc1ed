"""Two colleagues clicking at once, and a writer killed half-way: nothing reported written is lost, ever.

Writers are separate processes (forked, so each starts in milliseconds, with
its own file descriptors and so its own lock), running the real command on a
1.5 MB workbook (a team's photos make workbooks that size).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from workbook_tools.spec.sheets import HANDOVER
from workbook_tools.xlsx import locking
from workbook_tools.xlsx import writer as xlsx_file
from workbook_tools.xlsx.backups import backup_folder, backups_of
from workbook_tools.xlsx.locking import leftovers

from conftest import noise_png, run, team_workbook

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the writers are forked processes")
FORK = multiprocessing.get_context("fork")
START = datetime(2026, 11, 22, 18, 0)
AGENTS = ("小美", "阿强", "小丽")


def big_team_workbook(path: Path) -> Path:
    return team_workbook(path, picture=noise_png(700))


def handover_at(path: Path, n: int) -> list[str]:
    """The n-th handover of the day: a minute after the one before, to the next agent in turn."""
    at = START + timedelta(minutes=n)
    return ["handover", str(path), "--from", AGENTS[n % 3], "--to", AGENTS[(n + 1) % 3], "--at", f"{at:%Y-%m-%d %H:%M}"]


def _writer(connection, barrier) -> None:  # type: ignore[no-untyped-def]
    """A colleague at another PC: runs each command it is handed at the same moment as the other one."""
    while (args := connection.recv()) is not None:
        barrier.wait()
        started = time.monotonic()
        result = run(*args, "--json")
        connection.send((result.exit_code, result.stdout, result.stderr, started, time.monotonic()))


def rows_written(path: Path) -> list[tuple[object, object, object]]:
    sheet = openpyxl.load_workbook(path, read_only=True)[HANDOVER.title]
    header = None
    found = []
    for row in sheet.iter_rows(values_only=True):
        if header is None:
            header = list(row)
            columns = [header.index(c.header) for c in (HANDOVER.from_agent, HANDOVER.to_agent, HANDOVER.at)]
            continue
        found.append(tuple(row[i] for i in columns))
    return found


def test_two_writers_at_once_both_either_write_or_refuse_and_no_written_change_is_lost(tmp_path):
    path = big_team_workbook(tmp_path / "team.xlsx")
    assert path.stat().st_size > 1_000_000
    barrier = FORK.Barrier(2)
    pipes = [FORK.Pipe() for _ in range(2)]
    writers = [FORK.Process(target=_writer, args=(child, barrier), daemon=True) for _, child in pipes]
    for writer in writers:
        writer.start()
    outcomes, overlapping = [], 0
    try:
        for round_number in range(6):
            jobs = [handover_at(path, 2 * round_number + w) for w in range(2)]
            for (parent, _), job in zip(pipes, jobs, strict=True):
                parent.send(job)
            results = [parent.recv() for parent, _ in pipes]
            outcomes += list(zip(jobs, results, strict=True))
            (_, _, _, start_a, end_a), (_, _, _, start_b, end_b) = results
            overlapping += start_a < end_b and start_b < end_a
    finally:
        for parent, _ in pipes:
            parent.send(None)
        for writer in writers:
            writer.join(10)
    assert overlapping >= 3, "the two writers hardly ran at the same time"
    assert [code for _, (code, *_) in outcomes] == [0] * len(outcomes), "the second should wait its turn, then write"
    rows = rows_written(path)
    written = 0
    for job, (code, stdout, stderr, _, _) in outcomes:
        assert code in (0, 2), stderr
        if code == 2:  # refused: one line, and nothing of it in the workbook
            assert stderr.count("\n") == 1 and "Traceback" not in stderr
            continue
        expected = (job[3], job[5], datetime.strptime(job[7], "%Y-%m-%d %H:%M"))
        count = int(stdout.split('"written": ')[1].split(",")[0])
        assert rows.count(expected) == count, f"the change of {job[3:]} reported written is missing"
        written += count
    assert written > 0 and len(rows) == written  # and nothing else appeared


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _after(function: Callable[..., object]) -> Callable[..., object]:
    """`function`, then the process dies: a writer killed right after that step of the write."""

    def then_killed(*args: object, **kwargs: object) -> object:
        result = function(*args, **kwargs)
        _kill_self()
        return result

    return then_killed


KILL_POINTS: dict[str, Callable[[], None]] = {
    "while checking what it wrote": lambda: setattr(xlsx_file, "check_written", lambda *a: _kill_self()),
    "after writing the temporary file": lambda: setattr(xlsx_file, "_write_temp", _after(xlsx_file._write_temp)),
    "after the backup": lambda: setattr(xlsx_file, "prune", _after(xlsx_file.prune)),
    "after the rename, holding the lock": lambda: setattr(xlsx_file, "_sync_folder", lambda folder: _kill_self()),
}


def _killed_writer(path: Path, n: int, point: str | None) -> None:
    if point is not None:
        KILL_POINTS[point]()
    run(*handover_at(path, n))
    os._exit(0)


def is_whole_workbook(path: Path) -> bool:
    with zipfile.ZipFile(path) as package:
        if package.testzip() is not None:
            return False
    book = CalamineWorkbook.from_path(str(path))
    return HANDOVER.title in book.sheet_names and bool(book.get_sheet_by_name(HANDOVER.title).to_python())


def test_a_writer_killed_anywhere_leaves_the_old_or_the_new_workbook_and_the_next_run_cleans_up(tmp_path, monkeypatch):
    path = big_team_workbook(tmp_path / "team.xlsx")
    monkeypatch.setattr(locking, "LOCK_WAIT_SECONDS", 2.0)  # a lock a killed writer held must not block the next
    seed = int.from_bytes(os.urandom(4), "big")
    chance = random.Random(seed)
    started = time.monotonic()
    assert run(*handover_at(path, 0)).exit_code == 0
    duration = time.monotonic() - started
    points: list[tuple[str | None, float | None]] = [(p, None) for p in KILL_POINTS]
    points += [(None, chance.uniform(0, duration)) for _ in range(4)]
    for n, (point, delay) in enumerate(points, start=1):  # run n hands everything on to someone new
        old = path.read_bytes()
        writer = FORK.Process(target=_killed_writer, args=(path, n, point))
        writer.start()
        if delay is not None:
            time.sleep(delay)
            os.kill(writer.pid, signal.SIGKILL)
        writer.join(30)
        where = point or f"at {delay:.3f} s of {duration:.3f} s (seed {seed})"
        assert writer.exitcode == -signal.SIGKILL or delay is not None, where
        now = path.read_bytes()
        assert now == old or is_whole_workbook(path), f"half a workbook after a kill {where}"
        if now != old:
            assert backups_of(path)[-1].read_bytes() == old, f"no backup of the replaced version, killed {where}"
        assert run(*handover_at(path, n)).exit_code == 0, f"the run after a kill {where} failed"  # no stale lock
        assert leftovers(path, [path.parent, backup_folder(path)]) == [], f"leftovers after a kill {where}"
    assert {p for p, _ in points if p} == set(KILL_POINTS)
