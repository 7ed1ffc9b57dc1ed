"""Writing leaving rows to the archive database, proving they arrived, and reading them back for figures.

Rows go in one transaction, which commits only after every row has been read
back and its fingerprint recomputed from what the database holds. A run stays
unfinished until the workbook has been rewritten: when the rewrite is refused
or fails, the rows stay in the database, and the next run takes the same rows
of the workbook as those copies instead of writing them again.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, create_engine, insert, or_, select, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from workbook_tools.core.archive import ARCHIVED, SheetArchive, checksum
from workbook_tools.core.records import Record
from workbook_tools.errors import ArchiveError
from workbook_tools.spec.types import Column, Kind, Sheet
from workbook_tools.store.schema import METADATA, RUNS, TABLES

SQLITE_SUFFIX = ".archive.sqlite"
_SCHEMES = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "sqlite": "sqlite"}


def default_database(workbook: Path) -> Path:
    """The SQLite file beside a workbook: 退件表.xlsx → 退件表.archive.sqlite."""
    return workbook.with_name(workbook.stem + SQLITE_SUFFIX)


@dataclass(frozen=True)
class Database:
    url: str  # as SQLAlchemy takes it
    shown: str  # as a message names it (no password)
    file: Path | None  # the SQLite file, if it is one


def database(workbook: Path, given: str | None) -> Database:
    """The archive a workbook's rows go to: `given` (postgresql://… or sqlite:///…), else SQLite beside it."""
    if not given:
        path = default_database(workbook.resolve())
        return Database(f"sqlite:///{path}", str(path), path)
    try:
        url = make_url(given.strip())
    except ArgumentError:
        url = None
    scheme = url.drivername.partition("+")[0] if url is not None else ""
    if url is None or scheme not in _SCHEMES or (scheme != "sqlite" and not url.host and not url.query):
        raise ArchiveError(
            f"--db 的「{given}」不是能用的数据库地址，请写成 postgresql://用户名:密码@服务器/数据库，"
            "或不写（用工作簿旁边的 SQLite 文件）。"
        )
    url = url.set(drivername=_SCHEMES[scheme])
    file = Path(url.database) if scheme == "sqlite" and url.database else None
    return Database(url.render_as_string(hide_password=False), url.render_as_string(hide_password=True), file)


def _unreachable(db: Database, exc: BaseException) -> ArchiveError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:160]
    return ArchiveError(
        f"连不上归档数据库「{db.shown}」（{reason}），这次没有归档，工作簿没有改动；请检查地址、用户名、密码和网络后再试。"
    )


@contextmanager
def connected(db: Database) -> Iterator[Engine]:
    """An engine on the archive; a database that cannot be reached is one sentence, not a traceback."""
    options: dict[str, Any] = {}
    if db.file is None:
        options["connect_args"] = {"connect_timeout": 10}
    try:
        engine = create_engine(db.url, **options)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise _unreachable(db, exc) from exc
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def transaction(db: Database, engine: Engine) -> Iterator[Connection]:
    try:
        with engine.begin() as connection:
            yield connection
    except SQLAlchemyError as exc:
        raise _unreachable(db, exc) from exc


@dataclass(frozen=True)
class Stored:
    run: int
    written: int  # rows copied in this run
    already: int  # rows an unfinished earlier run had copied already


def _db_row(spec: Sheet, values: dict[Column, Any]) -> dict[str, Any]:
    return {c.key: values.get(c) for c in spec.columns}


def _values(spec: Sheet, row: Any) -> dict[Column, Any]:
    mapping = row._mapping
    return {c: mapping[c.key] for c in spec.columns}


def store_rows(db: Database, engine: Engine, workbook: Path, plans: Sequence[SheetArchive], before: date) -> Stored:
    """Copy every leaving row into the archive in one transaction, checked, and open a run for them."""
    identity, now = str(workbook.resolve()), datetime.now().replace(microsecond=0)
    written = already = 0
    with transaction(db, engine) as connection:
        METADATA.create_all(connection)
        started = connection.execute(insert(RUNS).values(source_workbook=identity, before_day=before, started_at=now))
        run = int(started.inserted_primary_key[0]) if started.inserted_primary_key else 0
        for plan in plans:
            if not plan.rows:
                continue
            table = TABLES[plan.spec]
            mine = and_(table.c.source_workbook == identity, table.c.source_sheet == plan.sheet)
            copies: dict[str, int] = defaultdict(int)
            pending: dict[str, list[int]] = defaultdict(list)
            query = select(table.c.archive_id, table.c.row_checksum, table.c.copy_no, RUNS.c.finished_at).join(
                RUNS, RUNS.c.run_id == table.c.archive_run
            )
            for archive_id, digest, copy_no, finished in connection.execute(query.where(mine)):
                copies[digest] = max(copies[digest], copy_no)
                if finished is None:
                    pending[digest].append(archive_id)
            expected: Counter[str] = Counter()
            ours: list[int] = []
            new = []
            for leaving in plan.rows:
                expected[leaving.checksum] += 1
                if pending[leaving.checksum]:
                    ours.append(pending[leaving.checksum].pop())
                    already += 1
                    continue
                copies[leaving.checksum] += 1
                new.append(
                    {
                        "source_workbook": identity,
                        "source_name": workbook.name,
                        "source_sheet": plan.sheet,
                        "source_row": leaving.row,
                        "archived_at": now,
                        "archive_run": run,
                        "row_checksum": leaving.checksum,
                        "copy_no": copies[leaving.checksum],
                        "team_columns": leaving.extras,
                        **_db_row(plan.spec, leaving.values),
                    }
                )
            if new:
                connection.execute(insert(table), new)
            written += len(new)
            if Counter(_read_back(connection, plan.spec, table, mine, run, ours)) != expected:
                raise _mismatch(db, plan)
    return Stored(run, written, already)


def _read_back(connection: Connection, spec: Sheet, table: Any, mine: Any, run: int, ours: list[int]) -> list[str]:
    """The fingerprints of this run's rows, recomputed from what the database holds now."""
    ours_or_run = or_(table.c.archive_run == run, *(table.c.archive_id.in_(chunk) for chunk in _chunks(ours)))
    rows = connection.execute(select(table).where(and_(mine, ours_or_run)))
    return [checksum(spec, _values(spec, row), row.team_columns) for row in rows]


def _chunks(values: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """Lists short enough for one IN (…) on every database (SQLite allowed 999 variables before 3.32)."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def _mismatch(db: Database, plan: SheetArchive) -> ArchiveError:
    return ArchiveError(
        f"「{plan.sheet}」的行写进归档数据库「{db.shown}」后读回核对不一致，已撤销这次写入，工作簿没有改动；"
        "请把工作簿和这句话发给维护人员。"
    )


def finish(db: Database, engine: Engine, workbook: Path) -> None:
    """The workbook has been rewritten: every unfinished run of it is done (its rows are now only in the archive)."""
    with transaction(db, engine) as connection:
        connection.execute(
            update(RUNS)
            .where(and_(RUNS.c.source_workbook == str(workbook.resolve()), RUNS.c.finished_at.is_(None)))
            .values(finished_at=datetime.now().replace(microsecond=0))
        )


def archived_records(db: Database, workbook: Path, first: date, last: date) -> list[Record]:
    """Archived rows of `workbook` that any of their dates puts between `first` and `last` (and the other rows of
    the items they belong to), as the core reads ledger rows; none when there is no archive yet."""
    if db.file is not None and not db.file.exists():
        return []
    start, end = datetime.combine(first, time()), datetime.combine(last, time.max)
    identity = str(workbook.resolve())
    records: list[Record] = []
    with connected(db) as engine, transaction(db, engine) as connection:
        for spec in ARCHIVED:
            table = TABLES[spec]
            if not engine.dialect.has_table(connection, table.name):
                continue
            within = or_(
                *(
                    table.c[c.key].between(start, end)
                    if c.kind is Kind.DATETIME
                    else table.c[c.key].between(first, last)
                    for c in spec.columns
                    if c.kind.dated
                )
            )
            mine = table.c.source_workbook == identity
            rows = list(connection.execute(select(table).where(and_(mine, within))))
            follow_up = spec.follow_up
            if follow_up is not None and follow_up.one_per is not None:
                key = table.c[follow_up.one_per.key]
                items = {row._mapping[key.name] for row in rows} - {None}
                seen = {row.archive_id for row in rows}
                for chunk in _chunks(sorted(items)):
                    more = connection.execute(select(table).where(and_(mine, key.in_(chunk))))
                    rows += [row for row in more if row.archive_id not in seen]
            records += [Record(spec, row.source_row, _values(spec, row)) for row in rows]
    return records
