"""日汇总 figures follow from a sheet's declaration: a sheet declared here, with no code of its own, gets its figures.

The sheet below is not one of the team's: it proves that counting, adding up
and open items need nothing but the declaration (spec/figures.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from workbook_tools.core.deadlines import OpenItem
from workbook_tools.core.figures import declared_figures, figures_json
from workbook_tools.core.records import Record, TableCheck, WorkbookCheck
from workbook_tools.core.settings import Settings
from workbook_tools.core.tables import Table
from workbook_tools.spec.figures import Count, Open, Total
from workbook_tools.spec.rowrules import Deadline, FollowUp, Is, Template
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.types import Column, Kind, Sheet

DAY = date(2026, 11, 22)
AT = datetime(2026, 11, 22, 20, 0)
DAYS = [DAY - timedelta(days=n) for n in range(6, -1, -1)]


class Visits(Sheet):
    title, key, table = "拜访表", "visits", "Visits"

    day = Column("日期", Kind.DATE)
    buyer = Column("买家", Kind.TEXT)
    mood = Column("心情", Kind.TEXT)
    paid = Column("金额", Kind.MONEY)
    state = Column("状态", Kind.TEXT)

    follow_up = FollowUp(
        "VS",
        "其他",
        open_when=Is(state, (None,)),
        deadline=Deadline(day, RULES.seller_reply),
        key=(day, buyer),
        buyer=buyer,
        order=buyer,
        describe=Template("{buyer}"),
        action=Template("{sheet}"),
    )
    figures = (
        Count("visits", "拜访（次）", day),
        Count("cross", "生气", day, Is(mood, ("生气",))),
        Total("paid", "金额（元）", day, Is(mood, ("生气",)), amount=paid),
        Open("open", "未办"),
        Open("overdue", "超时", overdue=True),
    )


VISITS = Visits()


def _check(rows: list[tuple[date, str, str, str | None, str | None]]) -> WorkbookCheck:
    records = tuple(
        Record(
            VISITS,
            n,
            {
                VISITS.day: day,
                VISITS.buyer: buyer,
                VISITS.mood: mood,
                VISITS.paid: None if paid is None else Decimal(paid),
                VISITS.state: state,
            },
            has_errors=buyer == "坏",
        )
        for n, (day, buyer, mood, paid, state) in enumerate(rows, start=2)
    )
    columns = {c: n for n, c in enumerate(VISITS.columns, start=1)}
    table = Table(
        spec=VISITS,
        sheet=VISITS.title,
        header_row=1,
        columns=columns,
        row_numbers=tuple(r.row for r in records),
        cells={},
    )
    return WorkbookCheck(Settings(), (TableCheck(table, records, ()),), ())


def _item(row: int, due_at: datetime, sheet: str = "拜访表") -> OpenItem:
    return OpenItem(
        key=f"VS-{row}",
        sheet=sheet,
        row=row,
        item_type="其他",
        buyer_id=None,
        order_no=None,
        order_status=None,
        price=None,
        description="",
        action="",
        due_at=due_at,
    )


ROWS = [
    (DAY, "a", "生气", "10.5", None),
    (DAY, "b", "平静", "99", "完"),
    (DAY, "坏", "生气", "1000", None),  # an error in the row: counted nowhere
    (DAY - timedelta(days=1), "c", "生气", "2", None),
    (DAY - timedelta(days=6), "d", "平静", None, None),
    (DAY - timedelta(days=7), "e", "生气", "7", None),  # before the window
    (DAY + timedelta(days=1), "f", "生气", "7", None),  # after the day
]


def test_every_declared_figure_on_the_day_and_over_the_window():
    items = [_item(2, AT - timedelta(hours=1)), _item(5, AT + timedelta(days=2)), _item(9, AT, "别的表")]
    found = declared_figures(_check(ROWS), DAYS, items, AT, (VISITS,))
    assert [(f.figure.label, f.day, f.window) for f in found] == [
        ("拜访（次）", 2, 4),
        ("生气", 1, 2),
        ("金额（元）", 10.5, 12.5),
        ("未办", 2, 2),
        ("超时", 1, 1),
    ]
    assert figures_json(found) == {"visits": {"visits": 2, "cross": 1, "paid": 10.5, "open": 2, "overdue": 1}}


def test_a_workbook_without_the_sheet_shows_none_of_its_figures():
    empty = WorkbookCheck(Settings(), (), ())
    assert declared_figures(empty, DAYS, [], AT, (VISITS,)) == []


def test_a_figure_that_names_another_sheets_column_or_no_date_fails_at_declaration():
    with pytest.raises(TypeError, match="another sheet"):
        Count("x", "x", VISITS.day, Is(Column("别的", Kind.TEXT), ("a",))).check(VISITS)
    with pytest.raises(TypeError, match="not a date"):
        Count("x", "x", VISITS.mood).check(VISITS)
    with pytest.raises(TypeError, match="not money"):
        Total("x", "x", VISITS.day, amount=VISITS.mood).check(VISITS)
    with pytest.raises(TypeError, match="nothing follows up"):
        Open("x", "x").check(Sheet())
