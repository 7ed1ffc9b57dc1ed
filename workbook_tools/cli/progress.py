"""What a long command is doing, on the terminal: nothing for quick ones, a line with a spinner after a second.

With WORKBOOK_TOOLS_TIMES=1 it also says, when the command ends, how long each
phase took (on stderr, one line each): where a slow run's time goes, which
benchmarks/archive.py reads.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import threading
import time
from typing import TextIO

DELAY = 1.0  # seconds before anything is shown
TICK = 0.2
TIMES_VARIABLE = "WORKBOOK_TOOLS_TIMES"
_TIME_LINE = re.compile(r"^用时 ([\d.]+) 秒：(.*)$", re.M)


def phase_times(output: str) -> list[tuple[str, float]]:
    """The phases and their seconds in what a command wrote with WORKBOOK_TOOLS_TIMES=1."""
    return [(phase, float(seconds)) for seconds, phase in _TIME_LINE.findall(output)]


class Progress:
    def __init__(self, stream: TextIO | None = None, delay: float = DELAY, tick: float = TICK) -> None:
        self.stream = stream or sys.stderr
        self.delay, self.tick = delay, tick
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.text = ""
        self.times = os.environ.get(TIMES_VARIABLE) == "1"
        self._phases: list[tuple[str, float]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._started = 0.0

    def phase(self, text: str) -> None:
        self.text = text
        self._phases.append((text, time.perf_counter()))

    def __enter__(self) -> Progress:
        if self.enabled:
            self._started = time.monotonic()
            self._thread = threading.Thread(target=self._spin, daemon=True)
            self._thread.start()
        return self

    def _spin(self) -> None:
        shown = False
        for mark in itertools.cycle("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"):
            if self._stop.wait(self.tick):
                break
            elapsed = time.monotonic() - self._started
            if elapsed >= self.delay:
                self.stream.write(f"\r{mark} {self.text}（{elapsed:.0f} 秒）\033[K")
                self.stream.flush()
                shown = True
        if shown:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
        if self.times:
            ends = [start for _, start in self._phases[1:]] + [time.perf_counter()]
            for (text, start), end in zip(self._phases, ends, strict=True):
                self.stream.write(f"用时 {end - start:.3f} 秒：{text}\n")
