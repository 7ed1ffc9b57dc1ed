"""Findings: what validation reports, each with a stable code and a message made from its template."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from workbook_tools.core.tables import cell_name
from workbook_tools.spec.codes import CODES, Code, Severity


@dataclass(frozen=True, kw_only=True)
class Finding:
    sheet: str
    cell: str
    column: str
    code: Code
    severity: Severity
    message: str
    row: int = field(default=0, repr=False)
    col: int = field(default=0, repr=False)

    def as_dict(self) -> dict[str, str]:
        return {
            "sheet": self.sheet,
            "cell": self.cell,
            "column": self.column,
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
        }


def finding(sheet: str, row: int, col: int, column: str, code: Code, **fields: object) -> Finding:
    severity, template = CODES[code]
    cell = cell_name(row, col)
    fields.setdefault("detail", "")
    message = template.format(where=f"{sheet}!{cell}", column=column, **fields)
    return Finding(
        sheet=sheet, cell=cell, column=column, code=code, severity=severity, message=message, row=row, col=col
    )


def flatten(findings: Iterable[Finding], *names: str) -> list[tuple[Any, ...]]:
    """Short tuples for tests and summaries: `flatten(fs, "cell", "code")`."""
    names = names or ("sheet", "cell", "code")
    return [tuple(getattr(f, n) for n in names) for f in findings]
