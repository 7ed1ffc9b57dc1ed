"""Cell values typed the way agents type them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from workbook_tools.core.values import (
    AMBIGUOUS_SEPARATORS,
    UNCALCULATED,
    BadValue,
    coerce,
    mask_phone,
    parse_date,
    parse_datetime,
    parse_id,
    parse_int,
    parse_money,
    parse_phone,
    parse_rate,
    parse_text,
)
from workbook_tools.spec.types import Kind

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


@pytest.mark.parametrize("typed", ["2026/13/45", "11月31日", "2月29日", "2026/02/30", "明天", "3", "abc", True, 60, -5])
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


@pytest.mark.parametrize("typed", ["两瓶", 2.5, "", "1e3", True, 2**63, "99999999999999999999", 1e19, -(2**63)])
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
        # 隐私号: a platform's virtual number and its extension, however the backend or the agent wrote them
        ("17012345678-1234", "17012345678-1234"),
        ("17012345678转1234", "17012345678-1234"),
        ("170 1234 5678 转 1234", "17012345678-1234"),
        ("17012345678,1234", "17012345678-1234"),
        ("17012345678，1234", "17012345678-1234"),
        ("17012345678#1234", "17012345678-1234"),
        ("17012345678 1234", "17012345678-1234"),
        ("17012345678(转1234)", "17012345678-1234"),
        ("021-12345678-801", "02112345678-801"),
        # masked as the backends show the number to the seller: the last four digits always visible
        ("138****8000", "138****8000"),
        ("１３８＊＊＊＊８０００", "138****8000"),
        ("*******8000", "*******8000"),
        ("021-****5678", "021****5678"),
        ("170****5678转1234", "170****5678-1234"),
    ],
)
def test_phone_numbers(typed, expected):
    assert parse_phone(typed) == expected


@pytest.mark.parametrize(
    "typed",
    ["1380013800", "1380013800-1234", "17012345678-1234567", "138****800", "1**********", "138****8000转", "旺旺联系"],
)
def test_not_a_phone_number(typed):
    with pytest.raises(BadValue, match="bad_phone"):
        parse_phone(typed)


def test_a_bad_phone_number_is_reported_masked():
    with pytest.raises(BadValue) as caught:
        parse_phone("1380013800")
    assert caught.value.code == "bad_phone"
    assert caught.value.detail == "138****3800"


def test_masking_keeps_only_the_ends():
    assert mask_phone("13800138000") == "138****8000"
    assert mask_phone("17012345678-1234") == "170****5678-****"  # the number and its extension reach the buyer


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("11.22", datetime(2026, 11, 22)),
        ("11-22 14:05", datetime(2026, 11, 22, 14, 5)),
        ("11/22 14:05:30", datetime(2026, 11, 22, 14, 5, 30)),
        ("2026-11-22 14:05", datetime(2026, 11, 22, 14, 5)),
        ("2026-11-22T14:05:00", datetime(2026, 11, 22, 14, 5)),
        ("11月22日 下午3点", datetime(2026, 11, 22, 15, 0)),
        ("11.22 下午3点半", datetime(2026, 11, 22, 15, 30)),
        ("11月22日晚上8点15分", datetime(2026, 11, 22, 20, 15)),
        ("11月22日 中午12点", datetime(2026, 11, 22, 12, 0)),
        ("11月22日 凌晨2点", datetime(2026, 11, 22, 2, 0)),
        ("十一月二十二日 下午三点", datetime(2026, 11, 22, 15, 0)),
        ("二〇二六年十一月二十二日", datetime(2026, 11, 22)),
        ("11.22（周日）", datetime(2026, 11, 22)),
        ("2026/11/22 星期日 9:05 PM", datetime(2026, 11, 22, 21, 5)),
        ("１１．２２　１４：０５", datetime(2026, 11, 22, 14, 5)),  # full-width
    ],
)
def test_dates_and_times_in_the_spellings_chinese_teams_type(typed, expected):
    assert parse_datetime(typed, TODAY) == expected


@pytest.mark.parametrize("kind", [Kind.DATE, Kind.DATETIME])
@pytest.mark.parametrize(
    "typed",
    ["18:00", "18:00:00", "下午3点", "3点半", time(18, 0), datetime(1899, 12, 30, 18, 0), datetime(1904, 1, 1, 18)],
)
def test_a_time_without_a_day_is_not_a_date(kind, typed):
    """Which day 「18:00」 belongs to is unknown (typed today, or days ago): reported, never today's date.

    A cell formatted as a time comes from calamine as a time, from Excel's API as that time on the epoch's day.
    """
    with pytest.raises(BadValue) as caught:
        coerce(kind, typed, TODAY)
    assert (caught.value.code, caught.value.detail) == ("bad_date", "只有时间，没有日期")


@pytest.mark.parametrize(
    "typed, detail",
    [
        ("11.22（周六）", "星期几与日期对不上"),
        ("26.11.22", "年份请写完整的 4 位"),
        ("11月22日 晚上12点", "12 点是中午还是半夜说不清"),
        ("11.22 25:00", "时间不存在"),
        ("11.22 3", ""),  # a bare number after a date: neither a time nor part of the date
        ("11.20-11.22", ""),
        ("明天下午", ""),
    ],
)
def test_spellings_that_could_mean_two_things_are_reported(typed, detail):
    with pytest.raises(BadValue) as caught:
        parse_datetime(typed, TODAY)
    assert (caught.value.code, caught.value.detail) == ("bad_date", detail)


SPELLINGS = st.sampled_from(
    [
        "{m.year}-{m.month}-{m.day} {m.hour}:{m.minute:02d}",
        "{m.year}/{m.month:02d}/{m.day:02d} {m.hour:02d}:{m.minute:02d}:{m.second:02d}",
        "{m.year}年{m.month}月{m.day}日 {m.hour}点{m.minute}分",
        "{m.year}.{m.month}.{m.day}T{m.hour}:{m.minute:02d}",
        "{m.month}.{m.day} {m.hour}:{m.minute:02d}",
        "{m.month}月{m.day}日{half_day}{hour12}点{m.minute}分",
    ]
)


@given(
    st.datetimes(min_value=datetime.combine(TODAY, time()) - timedelta(days=300), max_value=datetime(2026, 12, 31)),
    SPELLINGS,
)
@settings(max_examples=300)
def test_every_spelling_of_a_moment_reads_back_as_that_moment(moment, spelling):
    moment = moment.replace(microsecond=0, second=moment.second if "second" in spelling else 0)
    half_day = ("凌晨", "上午", "中午", "下午", "晚上")[
        (moment.hour >= 6) + (moment.hour >= 12) + (moment.hour >= 13) + (moment.hour >= 18)
    ]
    hour12 = moment.hour - 12 if moment.hour > 12 else moment.hour
    typed = spelling.format(m=moment, half_day=half_day, hour12=hour12)
    assert parse_datetime(typed, TODAY) == moment


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
def test_serial_numbers_of_a_1904_workbook_count_from_1904(day):
    serial = (day - date(1904, 1, 1)).days
    assert parse_date(serial, TODAY, date1904=True) == day
    assert parse_date(serial + 1462, TODAY) == day  # the same day in the 1900 system


FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


@given(
    st.decimals(min_value=0, max_value=10**9, places=2),
    st.sampled_from(["{:,}", "¥{:,}", "￥{}", "{}元", "{:,}元", "RMB {}", "{}块", "人民币{:,}"]),
    st.booleans(),
)
@example(Decimal("1234.50"), "{:,}", False)
@settings(max_examples=300)
def test_money_typed_as_text_reads_as_the_amount(amount, spelling, full_width):
    typed = spelling.format(amount)
    assert parse_money(typed.translate(FULL_WIDTH) if full_width else typed) == amount


@given(
    st.one_of(
        st.builds("{},{}".format, st.integers(0, 999), st.integers(0, 99)),  # 12,5 / 12,50: a decimal comma
        st.builds("{}.{:03d},{:02d}".format, st.integers(1, 999), st.integers(0, 999), st.integers(0, 99)),
        st.builds("{}.{:03d}.{:03d}".format, st.integers(1, 999), st.integers(0, 999), st.integers(0, 999)),
        st.builds("{},{:02d}".format, st.integers(1000, 10**6), st.integers(0, 99)),
    ),
    st.sampled_from(["{}", "¥{}", "{}元"]),
)
@example("12,5", "{}")
@example("1.234,50", "{}")
def test_numbers_whose_separators_could_mean_two_things_are_reported_not_guessed(typed, spelling):
    with pytest.raises(BadValue) as caught:
        parse_money(spelling.format(typed))
    assert (caught.value.code, caught.value.detail) == ("bad_number", AMBIGUOUS_SEPARATORS)


@pytest.mark.parametrize("typed, expected", [("1,000", 1000), ("１，２００件", 1200), ("3只", 3), ("+2", 2)])
def test_quantities_with_thousands_separators_and_units(typed, expected):
    assert parse_int(typed) == expected


@pytest.mark.parametrize("typed", ["1,5", "1.000,0"])
def test_a_quantity_with_ambiguous_separators_is_reported(typed):
    with pytest.raises(BadValue, match=AMBIGUOUS_SEPARATORS):
        parse_int(typed)


@pytest.mark.parametrize("typed", ["nan", "inf", float("inf"), "1e400"])
def test_a_rate_is_a_finite_number(typed):
    with pytest.raises(BadValue, match="bad_number"):
        parse_rate(typed)


@pytest.mark.parametrize("kind", list(Kind))
def test_a_formula_without_a_result_is_never_read_as_blank_or_zero(kind):
    with pytest.raises(BadValue) as caught:
        coerce(kind, UNCALCULATED, TODAY)
    assert caught.value.code == "formula_not_calculated"


@pytest.mark.parametrize(
    "typed, expected",
    [("眼霜\x00", "眼霜"), ("\x1b眼\x07霜 ", "眼霜"), ("第一行\n第二行", "第一行\n第二行"), ("a\tb", "a\tb")],
)
def test_text_loses_the_control_characters_exports_leave_but_keeps_line_breaks(typed, expected):
    assert parse_text(typed) == expected


def test_money_that_rounds_to_minus_zero_is_zero():
    assert str(parse_money("-0.001")) == "0.00" and str(parse_money(-0.004)) == "0.00"
