"""Reading cell values the way agents type them, and masking buyers' personal data.

Each `parse_*` returns the clean value or raises `BadValue` with a finding code;
blank cells never reach them (see `is_blank`).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from dateutil import parser as date_parser

from workbook_tools.spec.codes import Code
from workbook_tools.spec.types import Kind


class BadValue(ValueError):
    """A cell value that cannot be read as its column's kind."""

    def __init__(self, code: Code, detail: str = "") -> None:
        super().__init__(code, detail)
        self.code = code
        self.detail = detail


EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
EXCEL_EPOCH = datetime(1899, 12, 30)
_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_YMD8 = re.compile(r"(\d{4})(\d{2})(\d{2})")
_CN_DATE = (
    (re.compile(r"(\d)\s*年\s*"), r"\1-"),
    (re.compile(r"(\d)\s*月\s*"), r"\1-"),
    (re.compile(r"(\d)\s*[日号]\s*"), r"\1 "),
    (re.compile(r"(\d)\s*[点时]\s*(\d+)\s*分?\s*(?:(\d+)\s*秒)?"), r"\1:\2:\3"),
    (re.compile(r"(\d)\s*[点时]\s*$"), r"\1:00"),
)
_SCIENTIFIC = re.compile(r"[+-]?\d(?:\.\d+)?[eE][+]?\d+")
_INT_TEXT = re.compile(r"([+-]?\d+)(?:\.0*)?\s*(?:个|件|瓶|盒|支|套|张|单|pcs)?", re.IGNORECASE)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{9,11}|[48]00\d{7}")
_SPACES = re.compile(r"\s+")


def normalize_text(value: object) -> str:
    """Full-width digits and punctuation to ASCII (NFKC), outer spaces removed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _from_serial(value: float) -> datetime:
    # Excel's 1900 system counts a 29 February 1900 that never was (serial 60).
    if not 1 <= value <= EXCEL_MAX_SERIAL or math.isnan(value) or 60 <= value < 61:
        raise BadValue("bad_date", "不是有效的 Excel 日期序号")
    base = EXCEL_EPOCH if value >= 61 else EXCEL_EPOCH + timedelta(days=1)
    return base + timedelta(days=value)


def _nearest_year(month_day: datetime, today: date) -> datetime:
    """A date typed without a year (「11月3日」) means the one closest to today."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(month_day.replace(year=year))
        except ValueError:  # 29 February in a common year
            continue
    if not candidates:
        raise BadValue("bad_date", "日期不存在")
    now = datetime.combine(today, time())
    return min(candidates, key=lambda d: abs(d - now))


def parse_datetime(value: object, today: date) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, bool):
        raise BadValue("bad_date")
    if isinstance(value, (int, float)):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            return _parse_text_date(str(int(value)), today)
        return _from_serial(float(value))
    return _parse_text_date(normalize_text(value), today)


def _parse_text_date(text: str, today: date) -> datetime:
    match = _ISO.fullmatch(text) or _YMD8.fullmatch(text)
    if match:
        try:
            year, month, day, hour, minute, second = (int(g or 0) for g in (*match.groups(), None, None, None)[:6])
            return datetime(year, month, day, hour, minute, second)
        except ValueError as exc:
            raise BadValue("bad_date", "日期不存在") from exc
    for pattern, replacement in _CN_DATE:
        text = pattern.sub(replacement, text)
    text = text.replace("::", ":00:").rstrip(":").strip()
    date_part = text.split(" ")[0]
    groups = re.findall(r"\d+", date_part)
    if len(groups) not in (2, 3) or re.search(r"[^\d\s:./\-T]", text):
        raise BadValue("bad_date")
    try:
        parsed = date_parser.parse(text, yearfirst=True, dayfirst=False, default=datetime(today.year, 1, 1))
    except (ValueError, OverflowError) as exc:
        raise BadValue("bad_date", "日期不存在") from exc
    return _nearest_year(parsed, today) if len(groups) == 2 else parsed


def parse_date(value: object, today: date) -> date:
    return parse_datetime(value, today).date()


def likely_dates(today: date) -> tuple[date, date]:
    """Dates outside this window (before 2000, more than a year ahead) are almost always a typo in the year."""
    return date(2000, 1, 1), today + timedelta(days=366)


def is_unlikely_date(value: date | datetime, today: date) -> bool:
    day = value.date() if isinstance(value, datetime) else value
    earliest, latest = likely_dates(today)
    return not earliest <= day <= latest


def parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise BadValue("bad_number", "不是数字")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise BadValue("bad_number", "不是数字")
        if not value.is_integer():
            raise BadValue("bad_number", "应为整数")
        return int(value)
    match = _INT_TEXT.fullmatch(normalize_text(value))
    if not match:
        raise BadValue("bad_number", "不是整数")
    return int(match.group(1))


MONEY_LIMIT = Decimal(10) ** 12  # yuan; anything larger is a typo, and would overflow Decimal's precision


def parse_money(value: object) -> Decimal:
    if isinstance(value, bool):
        raise BadValue("bad_number", "不是金额")
    if isinstance(value, float) and not math.isfinite(value):
        raise BadValue("bad_number", "不是金额")
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
    else:
        text = normalize_text(value)
        for token in ("¥", "元", "RMB", "rmb", ",", " "):
            text = text.replace(token, "")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise BadValue("bad_number", "不是金额") from exc
    if not amount.is_finite():
        raise BadValue("bad_number", "不是金额")
    if abs(amount) >= MONEY_LIMIT:
        raise BadValue("bad_number", "金额过大")
    return amount.quantize(Decimal("0.01"))


def parse_rate(value: object) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    text = normalize_text(value)
    try:
        return float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError as exc:
        raise BadValue("bad_number", "不是比例") from exc


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
    text = _SPACES.sub("", normalize_text(value))
    if _SCIENTIFIC.fullmatch(text):
        raise BadValue("order_no_precision_lost", text)
    return text


def parse_phone(value: object) -> str:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = re.sub(r"[\s\-()（）]", "", normalize_text(value))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    raise BadValue("bad_phone", mask_phone(text))


def parse_text(value: object) -> str:
    if value.__class__ is str:
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def mask_phone(text: str) -> str:
    """138****8000: enough to tell two buyers apart, not enough to call them."""
    if len(text) >= 7:
        return text[:3] + "****" + text[-4:]
    return "*" * len(text)


def mask_name(text: str) -> str:
    return text[:1] + "*" * min(len(text) - 1, 3) if text else text


def parser_for(kind: Kind, today: date) -> Callable[[object], Any]:
    """The function that reads a non-blank cell of a column of `kind` (chosen once per column, not per cell)."""
    if kind is Kind.DATE:
        return lambda value: parse_date(value, today)
    if kind is Kind.DATETIME:
        return lambda value: parse_datetime(value, today)
    return {
        Kind.INT: parse_int,
        Kind.MONEY: parse_money,
        Kind.RATE: parse_rate,
        Kind.ID: parse_id,
        Kind.PHONE: parse_phone,
    }.get(kind, parse_text)


def coerce(kind: Kind, value: object, today: date) -> Any:
    """The clean value of a non-blank cell for a column of `kind`."""
    return parser_for(kind, today)(value)
