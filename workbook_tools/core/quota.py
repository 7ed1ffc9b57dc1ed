"""How much of a `Quota` (spec/rowrules.py) the rows have used at a moment, and when it allows a row again."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, time, timedelta

from workbook_tools.core.records import Record
from workbook_tools.core.settings import Settings
from workbook_tools.spec.rowrules import Quota


def timed(moment: datetime) -> bool:
    """Whether a moment says the hour: a day typed alone reads as its midnight, and nobody chases at 00:00 sharp."""
    return moment.time() != time()


def plus(moment: datetime, delta: timedelta) -> datetime:
    """`moment` moved by `delta`, held at the calendar's ends (a year mistyped as 9999 is a warning, not a crash)."""
    try:
        return moment + delta
    except OverflowError:
        return datetime.max if delta > timedelta() else datetime.min


def free_again(quota: Quota, rows: Iterable[Record], settings: Settings, at: datetime) -> datetime | None:
    """When the quota allows a row again, if `rows` (those of one `per` value) have used it up at `at`; else None.

    A row counts from its moment for `quota.window`, a row with a day alone for the rest of that day. Rows
    after `at` do not count: a slip of the keyboard into the future does not stop today's work.
    """
    ends = []
    for row in rows:
        moment = row[quota.moment]
        if not isinstance(moment, datetime) or moment > at:
            continue
        end = plus(moment, quota.window) if timed(moment) else plus(moment, timedelta(days=1))
        if end > at:
            ends.append(end)
    limit = int(settings.rule(quota.limit))  # a count: a whole number from 1 up (core/settings.py COUNTS)
    if len(ends) < limit:
        return None
    ends.sort()
    return ends[len(ends) - limit]  # once the oldest of the rows over one below the limit have counted out
