"""Filling in the declared templates (spec/rowrules.py) with one row's values and the settings in force."""

from __future__ import annotations

from datetime import date
from typing import Any

from workbook_tools.core.settings import Settings
from workbook_tools.core.values import mask_name, mask_phone, moment_text
from workbook_tools.spec.rowrules import FIELD, Get, Template
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.types import Column, Kind, Sheet


def as_text(column: Column, value: Any) -> str:
    """A value as generated text shows it: dates plainly, a buyer's phone or name masked."""
    text = moment_text(value) if isinstance(value, date) else str(value)
    if column.personal:
        return mask_phone(text) if column.kind is Kind.PHONE else mask_name(text)
    return text


def render(template: Template, spec: Sheet, get: Get, settings: Settings, extra: dict[str, str] | None = None) -> str:
    """The template filled in; `extra` gives the fields a template may have besides the row's (Quota's `until`)."""
    columns = {c.key: c for c in spec.columns}

    def fill(field: str) -> str:
        if field == "sheet":
            return spec.title
        if extra and field in extra:
            return extra[field]
        if field.startswith("rules."):
            return f"{settings.rule(getattr(RULES, field[6:])):g}"
        if field.endswith(".header"):
            return columns[field[:-7]].header
        if "|" in field:
            *keys, last = field.split("|")
            for key in keys:
                value = get(columns[key])
                if value is not None:
                    return as_text(columns[key], value)
            return last
        key, _, prefix = field.partition("?")
        value = get(columns[key])
        return "" if value is None else prefix + as_text(columns[key], value)

    return FIELD.sub(lambda match: fill(match.group(1)), template.text)
