"""A checked workbook: each recognised sheet's rows, cleaned, with the findings about them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from workbook_tools.core.findings import Finding
from workbook_tools.core.settings import Settings
from workbook_tools.core.tables import Grid, Table
from workbook_tools.spec.codes import Severity
from workbook_tools.spec.types import Column, Sheet

NO_COLUMNS: frozenset[Column] = frozenset()


@dataclass(frozen=True, slots=True)
class Record:
    """One ledger row, its values cleaned; a cell that failed reads as None and is named in `bad`.

    A row is read by declared columns only: `record[RETURNS.quantity]` is the
    clean value (None when blank, failed or when the team's sheet has no such
    column); a column of another sheet is a KeyError, never a silent None.
    `has_errors` says whether any error finding points at this row (a duplicate
    or a missing value too): totals leave such rows out and list them instead.
    """

    spec: Sheet
    row: int
    values: dict[Column, Any]
    bad: frozenset[Column] = NO_COLUMNS
    has_errors: bool = False

    def __getitem__(self, column: Column) -> Any:
        try:
            return self.values[column]
        except KeyError:
            if self.spec.owns(column):
                return None
            raise KeyError(f"「{column.header}」 is not a column of {self.spec.title}") from None


@dataclass(frozen=True)
class TableCheck:
    table: Table
    records: tuple[Record, ...]
    findings: tuple[Finding, ...]


@dataclass(frozen=True)
class WorkbookCheck:
    settings: Settings
    tables: tuple[TableCheck, ...]
    findings: tuple[Finding, ...]
    grids: tuple[Grid, ...] = ()  # every sheet as read, ours or not
    date1904: bool = False  # the workbook counts its serial numbers from 1904: a cell read after validation needs it
    archived: tuple[Record, ...] = ()  # rows moved to the archive that a command reads with the workbook's own
    # what the archive's database tallied for a command (core/tallies.py): by asked tally, its groups
    archived_counts: Mapping[Any, Mapping[tuple[Any, ...], Any]] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(f.severity is Severity.ERROR for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity is Severity.WARNING for f in self.findings)

    def of(self, spec: Sheet) -> list[TableCheck]:
        """The recognised tables of one declared sheet (a workbook may hold two, e.g. by month)."""
        return [t for t in self.tables if t.table.spec is spec]

    def target(self, spec: Sheet) -> TableCheck | None:
        """The table of `spec` a command writes into, when several sheets hold it: the one named exactly like the
        declaration, else one named by an alias, else the first in the workbook."""
        tables = self.of(spec)
        for names in ((spec.title,), spec.aliases):
            named = [t for t in tables if t.table.sheet.strip() in names]
            if named:
                return named[0]
        return tables[0] if tables else None

    def rows(self, spec: Sheet) -> list[Record]:
        """Every row of `spec`'s tables that has no error, and its archived rows: what figures are made of."""
        return [r for t in self.of(spec) for r in t.records if not r.has_errors] + [
            r for r in self.archived if r.spec is spec
        ]
