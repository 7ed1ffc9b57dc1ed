"""Reading cell values the way agents type them, and masking buyers' personal data.

Each `parse_*` returns the clean value or raises `BadValue` with a finding code;
blank cells never reach them (see `is_blank`). Text is read by explicit
grammars, never by a guessing parser: a spelling that could mean two things
(「12,5」, 「18:00」 in a date column) is reported, not picked.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Final

from workbook_tools.spec.codes import Code
from workbook_tools.spec.types import Kind


class BadValue(ValueError):
    """A cell value that cannot be read as its column's kind."""

    def __init__(self, code: Code, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Uncalculated:
    """A formula cell whose file holds no result (written by a script, never calculated by a spreadsheet program).

    Its value is unknown: reading it as blank or 0 would count a figure wrong
    without a word, so every parser refuses it.
    """

    def __str__(self) -> str:
        return "公式"


UNCALCULATED: Final = Uncalculated()

# What Excel, WPS and LibreOffice show in a cell whose formula failed (or where such a value was pasted): both
# backends hand it over as this text, and every parser refuses it (its value is unknown, neither blank nor 0).
ERROR_TEXTS = frozenset(
    ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!", "#CALC!")
)

EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
CELL_TEXT_LIMIT = 32767  # the characters one Excel cell holds
EXCEL_EPOCH = datetime(1899, 12, 30)
EXCEL_1904_EPOCH = datetime(1904, 1, 1)  # older Mac Excel; a workbook says which (workbookPr date1904)
EXCEL_1904_MAX_SERIAL = EXCEL_MAX_SERIAL - 1462
# Excel's API (xlwings) hands a cell formatted as a time of day over as that time on the epoch's day.
_EPOCH_DAYS = frozenset((EXCEL_EPOCH.date(), EXCEL_1904_EPOCH.date()))
YEARLESS_AHEAD = timedelta(days=60)  # a date typed without a year is the latest one at most this far ahead

_SCIENTIFIC = re.compile(r"[+-]?\d(?:\.\d+)?[eE][+]?\d+")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}|[48]00\d{7}")
_MASKED = re.compile(r"(?:1[3-9*]|[048*])[\d*]*\d{4}")
_PHONE_SEPARATORS = re.compile(r"[\s\-()（）]")
# An extension after a number: 隐私号 (a platform's virtual number, 11 digits and a 4-digit extension) as backends
# show it, 17012345678-1234, 17012345678转1234, 17012345678,1234, 17012345678#1234, 17012345678_1234,
# 17012345678 1234, 17012345678(转1234); and a landline's extension, 021-12345678-801.
_EXT_MARK = r"(?:转|分机号?|ext\.?|x|#|,|_|-|~)"
_EXTENSION = re.compile(
    rf"(?P<main>.*?[\d*])(?:\s*{_EXT_MARK}\s*|\s+|\s*[(\[【]\s*{_EXT_MARK}?\s*)(?P<ext>\d{{1,6}})\s*[)\]】]?"
)
_SPACES = re.compile(r"\s+")


def normalize_text(value: object) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), outer spaces removed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _refuse_unknown(value: object) -> None:
    """Refuse a cell whose value is unknown: a formula without a result, or an error value."""
    if value is UNCALCULATED:
        raise BadValue("formula_not_calculated", "公式没有保存计算结果")
    if isinstance(value, str) and value.strip() in ERROR_TEXTS:
        raise BadValue("cell_error", value.strip())


def excel_epoch(date1904: bool) -> datetime:
    return EXCEL_1904_EPOCH if date1904 else EXCEL_EPOCH


def _from_serial(value: float, date1904: bool) -> datetime:
    if math.isnan(value):
        raise BadValue("bad_date", "不是有效的 Excel 日期序号")
    if date1904:
        if not 0 <= value <= EXCEL_1904_MAX_SERIAL:
            raise BadValue("bad_date", "不是有效的 Excel 日期序号")
        return EXCEL_1904_EPOCH + timedelta(days=value)
    # Excel's 1900 system counts a 29 February 1900 that never was (serial 60).
    if not 1 <= value <= EXCEL_MAX_SERIAL or 60 <= value < 61:
        raise BadValue("bad_date", "不是有效的 Excel 日期序号")
    base = EXCEL_EPOCH if value >= 61 else EXCEL_EPOCH + timedelta(days=1)
    return base + timedelta(days=value)


# --- dates and times typed as text -------------------------------------------------------------

_CN_DIGITS = {**dict(zip("零一二三四五六七八九", range(10), strict=True)), "〇": 0, "两": 2}
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十]+")
_WEEKDAY = re.compile(r"[(\[]?\s*(?:周|星期|礼拜)([一二三四五六日天1-7])\s*[)\]]?")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "7": 6}
_DATE = (
    r"(?:(?P<y8>\d{4})(?P<m8>\d{2})(?P<d8>\d{2})"
    r"|(?:(?P<y>\d+)\s*(?P<ysep>[-/.年])\s*)?(?P<m>\d{1,2})\s*(?P<msep>[-/.月])\s*(?P<d>\d{1,2})\s*[日号]?)"
)
_TIME = (
    r"(?P<half_day>凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|夜间)?\s*(?P<h>\d{1,2})\s*"
    r"(?:(?P<colon>:)\s*(?P<mi>\d{1,2})(?:\s*:\s*(?P<s>\d{1,2})(?:\.\d+)?)?"
    r"|(?P<dian>[点时])\s*(?:(?P<half>半)|(?P<quarter>[1-3])\s*刻|(?P<mi2>\d{1,2})\s*分?(?:\s*(?P<s2>\d{1,2})\s*秒)?|整)?)?"
    r"\s*(?P<ampm>am|pm|a\.m\.|p\.m\.)?"
)
_DATE_TIME = re.compile(rf"(?:{_DATE})?\s*(?:t|,)?\s*(?:{_TIME})?")
_AFTERNOON = {"下午", "傍晚", "晚上", "夜里", "夜间"}


def _cn_number(match: re.Match[str]) -> str:
    """「十一」→11, 「二十二」→22, 「二〇二六」→2026 (digit by digit when there is no 十)."""
    text = match.group()
    if "十" not in text:
        return "".join(str(_CN_DIGITS[ch]) for ch in text)
    tens, _, units = text.partition("十")
    if "十" in units or len(tens) > 1 or len(units) > 1:
        return text  # not a number we read; the grammar below refuses it
    return str((_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0))


def _year_for(month: int, day: int, today: date) -> date:
    """A date typed without a year (「11.22」, 「11月22日」) is the latest one at most two months ahead.

    Ledgers record what already happened, and a deadline typed by hand lies
    days or weeks ahead: the nearest date in either direction would turn a
    row from seven months ago into one five months in the future.
    """
    latest = today + YEARLESS_AHEAD
    for year in (latest.year, latest.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:  # 29 February in a common year: a slip, not a date years back
            continue
        if candidate <= latest:
            return candidate
    raise BadValue("bad_date", "日期不存在")


def _clock(fields: dict[str, str | None]) -> time | None:
    if fields["h"] is None:
        return None
    hour = int(fields["h"])
    if not (fields["colon"] or fields["dian"] or fields["ampm"]):
        raise BadValue("bad_date")  # a bare number after a date: neither a time nor part of the date
    if fields["half"]:
        minute = 30
    elif fields["quarter"]:
        minute = 15 * int(fields["quarter"])
    else:
        minute = int(fields["mi"] or fields["mi2"] or 0)
    second = int(fields["s"] or fields["s2"] or 0)
    half_day, ampm = fields["half_day"], fields["ampm"]
    if ampm:
        if not 1 <= hour <= 12 or half_day:
            raise BadValue("bad_date", "时间不存在")
        hour = hour % 12 + (12 if ampm.startswith("p") else 0)
    elif half_day in _AFTERNOON or half_day == "中午":
        if hour == 12 and half_day != "中午":
            raise BadValue("bad_date", "12 点是中午还是半夜说不清")
        if hour < 12 and (half_day != "中午" or hour < 11):
            hour += 12
    elif half_day and hour > 12:
        raise BadValue("bad_date", "时间不存在")
    elif half_day == "凌晨" and hour == 12:
        hour = 0
    if not (hour <= 23 and minute <= 59 and second <= 59):
        raise BadValue("bad_date", "时间不存在")
    return time(hour, minute, second)


def _calendar_day(fields: dict[str, str | None], today: date) -> date | None:
    if fields["y8"]:
        year, month, day = int(fields["y8"]), int(fields["m8"] or 0), int(fields["d8"] or 0)
    elif fields["m"]:
        month, day = int(fields["m"]), int(fields["d"] or 0)
        if fields["y"] is None:
            return _year_for(month, day, today)
        if len(fields["y"]) != 4:
            raise BadValue("bad_date", "年份请写完整的 4 位")
        year = int(fields["y"])
    else:
        return None
    try:
        return date(year, month, day)
    except ValueError as exc:
        raise BadValue("bad_date", "日期不存在") from exc


def read_date_time(text: str, today: date) -> tuple[date | None, time | None]:
    """The calendar day and the time of day a text names; either may be absent, anything else is refused."""
    text = normalize_text(text).lower()
    weekday = None
    if marked := _WEEKDAY.search(text):
        weekday = _WEEKDAYS.get(marked[1], int(marked[1]) - 1 if marked[1].isdigit() else None)
        text = (text[: marked.start()] + " " + text[marked.end() :]).strip()
    text = _CN_NUMBER.sub(_cn_number, text)
    match = _DATE_TIME.fullmatch(text)
    if match is None or not text:
        raise BadValue("bad_date")
    fields = match.groupdict()
    day, clock = _calendar_day(fields, today), _clock(fields)
    if day is None and clock is None:
        raise BadValue("bad_date")
    if weekday is not None and day is not None and day.weekday() != weekday:
        raise BadValue("bad_date", "星期几与日期对不上")
    return day, clock


def parse_datetime(value: object, today: date, date1904: bool = False) -> datetime:
    """A moment: a date alone means its midnight; a time alone is refused (which day it belongs to is unknown)."""
    if isinstance(value, date):
        if (value.date() if isinstance(value, datetime) else value) in _EPOCH_DAYS:
            raise BadValue("bad_date", "只有时间，没有日期")
        return value if isinstance(value, datetime) else datetime.combine(value, time())
    if isinstance(value, bool):
        raise BadValue("bad_date")
    if isinstance(value, (int, float)):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            day, _ = read_date_time(str(int(value)), today)
            assert day is not None, "eight digits always name a day"
            return datetime.combine(day, time())
        return _from_serial(float(value), date1904)
    if isinstance(value, time):  # an Excel cell formatted as a time of day
        raise BadValue("bad_date", "只有时间，没有日期")
    if isinstance(value, timedelta):
        raise BadValue("bad_date", "是一段时长，不是日期")
    _refuse_unknown(value)
    day, clock = read_date_time(str(value), today)
    if day is None:
        raise BadValue("bad_date", "只有时间，没有日期")
    return datetime.combine(day, clock or time())


def parse_date(value: object, today: date, date1904: bool = False) -> date:
    return parse_datetime(value, today, date1904).date()


def moment_text(value: date) -> str:
    """A date or a moment as a message shows it: 2026-11-22, or 2026-11-22 14:05 when it says the hour."""
    if isinstance(value, datetime) and value.time() != time():
        return value.strftime("%Y-%m-%d %H:%M")
    return value.strftime("%Y-%m-%d")


def likely_dates(today: date) -> tuple[date, date]:
    """Dates outside this window (before 2000, more than a year ahead) are almost always a typo in the year."""
    return date(2000, 1, 1), today + timedelta(days=366)


def is_unlikely_date(value: date | datetime, today: date) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    earliest, latest = likely_dates(today)
    return not earliest <= day <= latest


# --- numbers typed as text ---------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")  # 1,234,567.50: commas group thousands
_CURRENCY = re.compile(r"^(?:¥|rmb|cny|人民币)\s*|\s*(?:元|块钱|块|rmb|cny)$", re.IGNORECASE)
_UNITS = re.compile(r"\s*(?:个|件|瓶|盒|支|套|张|单|只|包|袋|条|双|台|份|箱|pcs)$", re.IGNORECASE)
AMBIGUOUS_SEPARATORS = "分不清「,」「.」是小数点还是千位分隔符"


def _number_text(text: str, what: str) -> Decimal:
    """A decimal typed as text: 1234.5, 1,234.50 (commas group thousands), full-width digits, a sign.

    「12,5」 and 「1.234,50」 are how other countries write 12.5 and 1234.50,
    and a slip of the finger here: either reading may be wrong, so neither is taken.
    """
    text = text.replace("\u2212", "-")  # the minus sign of word processors
    if _PLAIN_NUMBER.fullmatch(text):
        digits = text
    elif _GROUPED_NUMBER.fullmatch(text):
        digits = text.replace(",", "")
    elif re.fullmatch(r"[+-]?[\d.,]*\d[\d.,]*", text) and ("," in text or text.count(".") > 1):
        raise BadValue("bad_number", AMBIGUOUS_SEPARATORS)
    else:
        raise BadValue("bad_number", f"不是{what}")
    try:
        return Decimal(digits)
    except InvalidOperation as exc:  # pragma: no cover - the patterns above admit only decimals
        raise BadValue("bad_number", f"不是{what}") from exc


INT_LIMIT = 2**63 - 1  # the largest whole number a database column holds; a count beyond it is a typo


def _whole(number: int) -> int:
    if abs(number) > INT_LIMIT:
        raise BadValue("bad_number", "数字过大")
    return number


def parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise BadValue("bad_number", "不是数字")
    if isinstance(value, int):
        return _whole(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue("bad_number", "不是数字")
        if not value.is_integer():
            raise BadValue("bad_number", "应为整数")
        return _whole(int(value))
    _refuse_unknown(value)
    number = _number_text(_UNITS.sub("", normalize_text(value)), "整数")
    if number != number.to_integral_value():
        raise BadValue("bad_number", "应为整数")
    return _whole(int(number))


MONEY_LIMIT = Decimal(10) ** 12  # yuan; anything larger is a typo, and would overflow Decimal's precision


def parse_money(value: object) -> Decimal:
    if isinstance(value, bool):
        raise BadValue("bad_number", "不是金额")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue("bad_number", "不是金额")
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
    else:
        _refuse_unknown(value)
        amount = _number_text(_CURRENCY.sub("", normalize_text(value)), "金额")
    if not amount.is_finite():
        raise BadValue("bad_number", "不是金额")
    if abs(amount) >= MONEY_LIMIT:
        raise BadValue("bad_number", "金额过大")
    cents = amount.quantize(Decimal("0.01"))
    return cents if cents else cents.copy_abs()  # -0.001 rounds to -0.00, which is 0.00 (as a database gives it)


def parse_rate(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        rate = float(value)
    else:
        _refuse_unknown(value)
        text = normalize_text(value)
        percent = text.endswith("%")
        rate = float(_number_text(text[:-1].strip() if percent else text, "比例"))
        rate = rate / 100 if percent else rate
    if not math.isfinite(rate):
        raise BadValue("bad_number", "不是比例")
    return rate


def parse_id(value: object) -> str:
    """Order and tracking numbers are text; a number of 16+ digits has lost its tail.

    Excel keeps 15 significant digits, so an order number it stored as a number
    ends in zeros that were never typed; the only fix is pasting it again as text.
    """
    if value.__class__ is str and value.isascii() and value.isalnum():
        return value  # the usual case: nothing to normalise
    if isinstance(value, bool):
        raise BadValue("bad_number", "不是单号")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
            raise BadValue("order_no_precision_lost", format(value, "g"))
        if abs(int(value)) >= 10**15:
            raise BadValue("order_no_precision_lost", format(value, ".14E"))
        return str(int(value))
    _refuse_unknown(value)
    text = _SPACES.sub("", normalize_text(value))
    if _SCIENTIFIC.fullmatch(text):
        raise BadValue("order_no_precision_lost", text)
    return text


def _whole_number(text: str) -> str | None:
    """A number without an extension, as typed or as a backend masks it; None when it is neither."""
    text = _PHONE_SEPARATORS.sub("", text)
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text) or _is_masked(text):
        return text
    return None


def _is_masked(text: str) -> bool:
    """A number as shop backends show it to the seller: digits and asterisks, as long as a number, begun like one, the
    last four digits shown (they tell two buyers apart): 138****8000 (淘宝, 天猫, 拼多多, 京东), *******8000 and
    ****8000 (only the tail), 021-****5678 and 0755****5678 (landlines)."""
    return 7 <= len(text) <= 12 and text.count("*") >= 2 and _MASKED.fullmatch(text) is not None


def parse_phone(value: object) -> str:
    """A buyer's phone as the order shows it: a number (+86 and separators dropped), a masked number, or either with
    an extension (a 隐私号), which reads as number-extension: 「17012345678转1234」 → 17012345678-1234."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        _refuse_unknown(value)
        text = normalize_text(value).lower()
    whole = _whole_number(text)
    if whole is not None:
        return whole
    extension = _EXTENSION.fullmatch(text)
    if extension is not None:
        main = _whole_number(extension["main"])
        if main is not None:
            return f"{main}-{extension['ext']}"
    raise BadValue("bad_phone", mask_phone(_PHONE_SEPARATORS.sub("", text)))


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # invisible in Excel; exports leave them (_x0000_)


def parse_text(value: object) -> str:
    """Text as typed, without outer spaces and without control characters other programs leave in an export
    (nobody sees them, they would make one product two, and PostgreSQL cannot hold a NUL); line breaks stay."""
    if value.__class__ is str:
        text = value.strip() if value.isprintable() else _CONTROL.sub("", value).strip()
        if text[:1] == "#":
            _refuse_unknown(text)
        return text
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    _refuse_unknown(value)
    return str(value).strip()


def mask_phone(text: str) -> str:
    """138****8000: enough to tell two buyers apart, not enough to call them; a 隐私号's extension is hidden whole
    (17012345678-1234 → 170****5678-****), as the number and the extension together reach the buyer."""
    number, dash, extension = text.rpartition("-")
    if dash and len(number) >= 7 and extension.isdigit() and len(extension) <= 6:
        return mask_phone(number) + "-" + "*" * len(extension)
    if len(text) >= 7:
        return text[:3] + "****" + text[-4:]
    return "*" * len(text)


def mask_name(text: str) -> str:
    return text[:1] + "*" * min(len(text) - 1, 3) if text else text


def parser_for(kind: Kind, today: date, date1904: bool = False) -> Callable[[object], Any]:
    """The function that reads a non-blank cell of a column of `kind` (chosen once per column, not per cell).

    `date1904`: the workbook counts its serial numbers from 1904 (older Mac Excel).
    """
    if kind is Kind.DATE:
        return lambda value: parse_date(value, today, date1904)
    if kind is Kind.DATETIME:
        return lambda value: parse_datetime(value, today, date1904)
    return {
        Kind.INT: parse_int,
        Kind.MONEY: parse_money,
        Kind.RATE: parse_rate,
        Kind.ID: parse_id,
        Kind.PHONE: parse_phone,
    }.get(kind, parse_text)


def coerce(kind: Kind, value: object, today: date, date1904: bool = False) -> Any:
    """The clean value of a non-blank cell for a column of `kind`."""
    return parser_for(kind, today, date1904)(value)
