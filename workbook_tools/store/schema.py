"""The archive's tables, made from the declarations: one per archived ledger, a column per declared column.

Columns take their type from `Column.kind` (dates as dates, money as Numeric,
identifiers as text) and their name from `Column.key` (ASCII); the header is the
column's comment. Beside them: where the row came from, when it left, its
fingerprint and which copy of identical rows it is (two identical rows are two
rows), and the team's own columns as JSON text.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeEngine

from workbook_tools.core.archive import ARCHIVED
from workbook_tools.spec.types import Kind, Sheet

METADATA = MetaData()
KEY = BigInteger().with_variant(Integer(), "sqlite")  # SQLite numbers rows only through INTEGER PRIMARY KEY

RUNS = Table(
    "archive_runs",
    METADATA,
    Column("run_id", KEY, primary_key=True, autoincrement=True),
    Column("source_workbook", Text, nullable=False),  # the workbook's id (core.archive.ArchiveMark)
    Column("source_path", Text, nullable=False),  # where it was when archived: finds a refused run's id again
    Column("before_day", Date, nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=True),  # empty while the workbook has not been rewritten
    comment="每次归档：哪个工作簿、归档哪天之前的行、工作簿是否已改写",
)

FORKS = Table(
    "archive_forks",
    METADATA,
    Column("source_workbook", Text, primary_key=True),  # the id a copy (or an older version) of a workbook was given
    Column("parent_workbook", Text, nullable=False),  # the id it carried until then
    Column("parent_run", KEY, ForeignKey(RUNS.c.run_id), nullable=False),  # its history: the parent's runs up to it
    Column("source_path", Text, nullable=False),  # where it was: a refused first run under the new id is found again
    Column("made_at", DateTime, nullable=False),
    comment="另存为的副本、从备份恢复的旧工作簿：从哪个工作簿的哪一次归档分出来",
)


def _type(kind: Kind) -> TypeEngine[Any]:
    types: dict[Kind, TypeEngine[Any]] = {
        Kind.DATE: Date(),
        Kind.DATETIME: DateTime(),
        Kind.INT: BigInteger(),
        Kind.MONEY: Numeric(15, 2),  # parse_money keeps two decimals below 10^12 yuan
        Kind.RATE: Float(),
    }
    return types.get(kind, Text())


def _ledger_table(spec: Sheet) -> Table:
    assert spec.archive is not None
    name = f"archive_{spec.key}"
    return Table(
        name,
        METADATA,
        Column("archive_id", KEY, primary_key=True, autoincrement=True),
        Column("source_workbook", Text, nullable=False),  # the workbook's id, which it carries (ArchiveMark)
        Column("source_name", Text, nullable=False),  # its file name, as people call it
        Column("source_sheet", Text, nullable=False),
        Column("source_row", Integer, nullable=False),
        Column("archived_at", DateTime, nullable=False),
        Column("archive_run", KEY, ForeignKey(RUNS.c.run_id), nullable=False),
        Column("row_checksum", String(64), nullable=False),
        Column("copy_no", Integer, nullable=False),
        Column("team_columns", Text, nullable=False),
        *(Column(c.key, _type(c.kind), comment=c.header) for c in spec.columns),
        UniqueConstraint("source_workbook", "source_sheet", "row_checksum", "copy_no", name=f"{name}_one_copy"),
        Index(f"{name}_by_day", "source_workbook", spec.archive.by.key),
        comment=spec.title,
    )


TABLES = {spec: _ledger_table(spec) for spec in ARCHIVED}
