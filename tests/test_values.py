"""Cell values typed the way agents type them."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbook_tools.core.values import (
    BadValue,
    mask_phone,
    parse_date,
    parse_datetime,
    parse_id,
    parse_int,
    parse_money,
    parse_phone,
)

TODAY = date(2026, 11, 22)
EXCEL_EPOCH = date(1899, 12, 30)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("2026/11/3", date(2026, 11, 3)),
        ("2026.11.3", date(2026, 11, 3)),
        ("11月3日", date(2026, 11, 3)),
        ("2026年11月3日", date(2026, 11, 3)),
        ("2026-11-03", date(2026, 11, 3)),
        ("20261103", date(2026, 11, 3)),
        (46329, date(2026, 11, 3)),  # Excel serial number
        (datetime(2026, 11, 3, 9, 30), date(2026, 11, 3)),
        ("１１月３日", date(2026, 11, 3)),  # full-width digits
        ("1月2日", date(2027, 1, 2)),  # in late November, early January is the coming one
    ],
)
def test_dates_in_the_spellings_agents_type(typed, expected):
    assert parse_date(typed, TODAY) == expected


def test_a_date_without_year_means_the_nearest_one():
    assert parse_date("12月30日", date(2027, 1, 3)) == date(2026, 12, 30)
    assert parse_date("1月3日", date(2026, 12, 30)) == date(2027, 1, 3)


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("2026年11月3日 14点30分", datetime(2026, 11, 3, 14, 30)),
        ("2026-11-03 14:30", datetime(2026, 11, 3, 14, 30)),
        ("2026/11/3 23:59:59", datetime(2026, 11, 3, 23, 59, 59)),
        (46329.75, datetime(2026, 11, 3, 18, 0)),
    ],
)
def test_datetimes(typed, expected):
    assert parse_datetime(typed, TODAY) == expected


@pytest.mark.parametrize("typed", ["2026/13/45", "11月31日", "2026/02/30", "明天", "3", "abc", True, 60, -5])
def test_not_a_date(typed):
    with pytest.raises(BadValue) as caught:
        parse_date(typed, TODAY)
    assert caught.value.code == "bad_date"


@given(
    st.dates(min_value=date(1901, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(
        [
            "{d.year}/{d.month}/{d.day}",
            "{d.year}.{d.month}.{d.day}",
            "{d.year}年{d.month}月{d.day}日",
            "{d:%Y-%m-%d}",
            "{d:%Y%m%d}",
            "serial",
        ]
    ),
)
@settings(max_examples=300)
def test_every_spelling_of_a_date_reads_back_as_that_date(day, spelling):
    typed = (day - EXCEL_EPOCH).days if spelling == "serial" else spelling.format(d=day)
    assert parse_date(typed, TODAY) == day


@given(st.dates(min_value=TODAY - timedelta(days=300), max_value=TODAY + timedelta(days=60)))
def test_month_and_day_alone_read_as_the_latest_such_date_at_most_two_months_ahead(day):
    """Ledgers record what happened: 「5.20」 typed in November is last May, not next May."""
    for spelling in ("{d.month}月{d.day}日", "{d.month}.{d.day}", "{d.month}-{d.day}", "{d.month}/{d.day}"):
        assert parse_date(spelling.format(d=day), TODAY) == day


@pytest.mark.parametrize("stored", [1.23456789012346e18, 4123456789012345678, "1.23457E+18", "4.12345678901235E+18"])
def test_an_order_number_excel_stored_as_a_number_has_lost_digits(stored):
    with pytest.raises(BadValue) as caught:
        parse_id(stored)
    assert caught.value.code == "order_no_precision_lost"


@given(st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_order_numbers_kept_as_text_survive_whole(digits):
    assert parse_id(digits) == digits


@given(st.integers(min_value=0, max_value=10**15 - 1))
def test_order_numbers_of_up_to_15_digits_stored_as_numbers_are_exact(number):
    assert parse_id(float(number)) == str(number)


def test_order_numbers_with_spaces_or_full_width_digits():
    assert parse_id(" 4123 4567 ") == "41234567"
    assert parse_id("４１２３４５６７") == "41234567"


@given(st.decimals(min_value=0, max_value=10**7, places=2), st.sampled_from(["¥{:,}", "{}元", "￥{}", "{}"]))
def test_money_with_currency_marks(amount, spelling):
    assert parse_money(spelling.format(amount)) == amount


@pytest.mark.parametrize("typed, expected", [(3, 3), (3.0, 3), ("2", 2), ("2件", 2), ("２瓶", 2), ("-1", -1)])
def test_quantities(typed, expected):
    assert parse_int(typed) == expected


@pytest.mark.parametrize("typed", ["两瓶", 2.5, "", "1e3", True])
def test_not_a_quantity(typed):
    with pytest.raises(BadValue, match="bad_number"):
        parse_int(typed)


@pytest.mark.parametrize(
    "typed, expected",
    [
        (13800138000.0, "13800138000"),
        ("138-0013-8000", "13800138000"),
        ("+86 138 0013 8000", "13800138000"),
        ("021-12345678", "02112345678"),
        ("400-812-3123", "4008123123"),
    ],
)
def test_phone_numbers(typed, expected):
    assert parse_phone(typed) == expected


def test_a_bad_phone_number_is_reported_masked():
    with pytest.raises(BadValue) as caught:
        parse_phone("1380013800")
    assert caught.value.code == "bad_phone"
    assert caught.value.detail == "138****3800"


def test_masking_keeps_only_the_ends():
    assert mask_phone("13800138000") == "138****8000"
