"""Writing leaving rows to the archive database, proving they arrived, and reading them back for figures.

Rows go in one transaction, which commits only after every row has been read
back and found equal, value by value and with its fingerprint, to the row that
left the workbook. A run stays
unfinished until the workbook has been rewritten: when the rewrite is refused
or fails, the rows stay in the database, and the next run takes the same rows
of the workbook as those copies instead of writing them again.

A workbook's rows are known by the id it carries (`ArchiveMark`). A copy made
with Save As, or an older version put back from a backup, carries the same id:
before it is archived it is given an id of its own, whose history is the shared
one up to its run (`claim`, the `archive_forks` table), so neither workbook
stores a row twice nor counts the other's. The mark also names the database
(`home`): an archive or a report against another one is refused, so that no
workbook's archive is split between two databases and no report is short.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Connection, Engine, and_, create_engine, delete, insert, inspect, or_, select, text, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from workbook_tools.core.archive import ARCHIVED, ArchiveMark, Leaving, SheetArchive
from workbook_tools.core.records import Record, WorkbookCheck
from workbook_tools.core.tallies import Asked, Group, Reading
from workbook_tools.errors import ArchiveError
from workbook_tools.spec.types import Column, Kind, Sheet
from workbook_tools.store.schema import FORKS, METADATA, RUNS, TABLES
from workbook_tools.store.tallies import tallied

SQLITE_FILE = "workbook-tools.archive.sqlite"
DB_VARIABLE = "WORKBOOK_TOOLS_DB"  # the archive's URL when no --db names one: the buttons have no options
_SCHEMES = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "sqlite": "sqlite"}
BESIDE = f"工作簿旁边的 {SQLITE_FILE}"  # how a workbook names the default archive: a move with the file keeps it
_WHERE = ("host", "hostaddr", "port", "dbname")  # the query keys of a PostgreSQL address that say which database


def default_database(workbook: Path) -> Path:
    """The SQLite file in a workbook's folder, one for every workbook there (each keyed by its own id): a workbook
    renamed still finds its archive, and one moved finds it when the file moves with it."""
    return workbook.parent / SQLITE_FILE


@dataclass(frozen=True)
class Database:
    url: URL  # as SQLAlchemy takes it: an object, so a path with 「?」 or 「#」 stays a path
    shown: str  # as a message names it (no password)
    file: Path | None  # the SQLite file, if it is one
    doing: str = "归档"  # what a failure to reach it stopped, as a message says it


def _sqlite(path: Path) -> Database:
    return Database(URL.create("sqlite", database=str(path)), str(path), path)


def database(workbook: Path, given: str | None) -> Database:
    """The archive a workbook's rows go to: `given` (postgresql://… or sqlite:///…), else the one the environment
    variable names (how a team on a shared server points the buttons at it), else SQLite beside the workbook.

    A relative SQLite path is taken from the workbook's folder, as the default is: the same --db finds the same
    archive from any folder, and a button (whose working folder is Excel's) finds it too. SQLite without a file
    (in memory) is refused: rows written there would vanish when the command ends."""
    source = "--db" if given else f"环境变量 {DB_VARIABLE}"
    given = given or os.environ.get(DB_VARIABLE)
    if not given:
        return _sqlite(default_database(workbook.resolve()))
    try:
        url = make_url(given.strip())
    except ArgumentError:
        url = None
    scheme = url.drivername.partition("+")[0] if url is not None else ""
    no_file = scheme == "sqlite" and url is not None and (not url.database or url.database.startswith(":memory:"))
    if url is None or scheme not in _SCHEMES or no_file or (scheme != "sqlite" and not url.host and not url.query):
        shown = given if url is None else url.render_as_string(hide_password=True)
        raise ArchiveError(
            f"{source} 的「{shown}」不是能用的数据库地址，请写成 postgresql://用户名:密码@服务器/数据库 或 "
            "sqlite:///文件路径，或不写（用工作簿旁边的 SQLite 文件）。"
        )
    if scheme == "sqlite":
        assert url.database is not None
        return _sqlite(workbook.resolve().parent / Path(url.database).expanduser())
    url = url.set(drivername=_SCHEMES[scheme])
    return Database(url, url.render_as_string(hide_password=True), None)


_THIS_MACHINE = {"localhost", "127.0.0.1", "::1", "[::1]"}  # one server however this machine is named


def home(db: Database, workbook: Path) -> str:
    """The database as a workbook's mark names it (`ArchiveMark.database`): the SQLite file beside it as `BESIDE`
    (a workbook moved with that file still finds it), another SQLite file in its folder by the path from there,
    one elsewhere by its full path (a copy of the file is not the archive: it falls behind), a server by its address
    without user name and password (each agent may sign in as someone else), its default port and options other
    than where the database is."""
    if db.file is not None:
        path, folder = db.file.resolve(), workbook.resolve().parent
        if path == default_database(workbook.resolve()):
            return BESIDE
        # a file in the workbook's folder (or below) is named from there, as --db takes it: the folder may move
        return f"sqlite:///{path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path}"
    url = db.url
    host = url.host.lower() if url.host else None
    where = URL.create(
        "postgresql",
        host="localhost" if host in _THIS_MACHINE else host,
        port=None if url.port == 5432 else url.port,
        database=url.database,
        query={key: value for key, value in url.query.items() if key in _WHERE},
    )
    return unquote(where.render_as_string())  # a label to read and compare, not to connect with


def _how_to_reach(where: str) -> str:
    if where == BESIDE:
        return f"不写 --db（按钮：不设环境变量 {DB_VARIABLE}）"
    if where.startswith("sqlite:"):
        return f"用 --db {where}（按钮：环境变量 {DB_VARIABLE}）"
    return f"用 --db 写明「{where}」和用户名、密码（按钮：环境变量 {DB_VARIABLE}）"


def _elsewhere(db: Database, workbook: Path, mark: ArchiveMark) -> ArchiveError | None:
    """The refusal of a database that is not the one the workbook names: rows archived into a second one would be
    missing from every report on the first, and a report on the second would miss the first's."""
    if mark.database is None or mark.database == home(db, workbook):
        return None
    return ArchiveError(
        f"「{workbook.name}」的归档在「{mark.database}」里，「{db.shown}」里没有它的归档，这次没有{db.doing}，"
        f"工作簿没有改动；一个工作簿的归档只能放在一个数据库里，请{_how_to_reach(mark.database)}再运行。"
    )


def _unreachable(db: Database, exc: BaseException) -> ArchiveError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0][:160]
    return ArchiveError(
        f"连不上归档数据库「{db.shown}」（{reason}），这次没有{db.doing}，工作簿没有改动；"
        "请检查地址、用户名、密码和网络后再试。"
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
    except (SQLAlchemyError, engine.dialect.loaded_dbapi.Error) as exc:  # the driver's own, where we use its cursor
        raise _unreachable(db, exc) from exc


@dataclass(frozen=True)
class Stored:
    mark: ArchiveMark  # what the rewritten workbook carries
    written: int  # rows copied in this run
    already: int  # rows an unfinished earlier run had copied already


BATCH = 5_000  # rows per INSERT: few round trips, and never every row's parameters at once


def _values(spec: Sheet, row: Any) -> dict[Column, Any]:
    """A row as the core reads it; a column the archive's table lacks (declared after it was made, and no run
    since) reads as blank."""
    mapping = row._mapping
    return {c: mapping.get(c.key) for c in spec.columns}


def workbook_id(db: Database, engine: Engine, workbook: Path, mark: ArchiveMark | None) -> str:
    """The workbook's id in the archive: the one it carries; else the one an earlier run on this very file gave it
    before its rewrite was refused (so a re-run takes those rows as its own); else a new one."""
    if mark is not None:
        return mark.workbook
    with transaction(db, engine) as connection:
        if engine.dialect.has_table(connection, RUNS.name):
            refused = connection.execute(
                select(RUNS.c.source_workbook)
                .where(and_(RUNS.c.source_path == str(workbook.resolve()), RUNS.c.finished_at.is_(None)))
                .order_by(RUNS.c.run_id.desc())
                .limit(1)
            ).scalar()
            if refused:
                return str(refused)
    return str(uuid.uuid4())


@dataclass(frozen=True)
class _Run:
    run_id: int
    source_path: str
    finished: bool


def claim(
    db: Database,
    engine: Engine,
    workbook: Path,
    mark: ArchiveMark | None,
    mark_at: Callable[[Path], ArchiveMark | None],
) -> ArchiveMark | None:
    """The mark this run archives under (`store_rows`): the workbook's own, or a new id for a workbook whose id is
    shared, with the shared history up to its run (`_fork`).

    An id is shared when a run of the archive finished after the workbook's run
    (it is an older version of itself: a backup put back, a copy whose twin was
    archived since), or when a file the id's runs worked on is still there,
    carries the same id (`mark_at`) and is another file (a copy made with Save
    As): rows of one would otherwise be stored a second time by the other, and
    the other's counted as its own. A database that is not the workbook's, or
    does not know its mark, is refused (`_elsewhere`, `_not_found`).
    """
    if mark is None:
        return None
    if refused := _elsewhere(db, workbook, mark):
        raise refused
    if db.file is not None and not db.file.exists():  # not made empty by asking it
        raise _not_found(db, workbook)
    with transaction(db, engine) as connection:
        runs = (
            [
                _Run(int(run_id), str(path), finished is not None)
                for run_id, path, finished in connection.execute(
                    select(RUNS.c.run_id, RUNS.c.source_path, RUNS.c.finished_at).where(
                        RUNS.c.source_workbook == mark.workbook
                    )
                )
            ]
            if engine.dialect.has_table(connection, RUNS.name)
            else []
        )
    if not any(run.run_id == mark.run for run in runs):
        raise _not_found(db, workbook)
    behind = any(run.finished and run.run_id > mark.run for run in runs)
    if behind or any(_twin(Path(path), workbook, mark, mark_at) for path in {run.source_path for run in runs}):
        return replace(mark, workbook=_fork(db, engine, workbook, mark))
    return mark


def _twin(path: Path, workbook: Path, mark: ArchiveMark, mark_at: Callable[[Path], ArchiveMark | None]) -> bool:
    """Whether another file than `workbook` is at `path` and carries its id. A path that is gone (the workbook was
    moved or renamed), another mount of the same file, or a file that cannot be read tells of no copy."""
    try:
        if not path.is_file() or os.path.samefile(path, workbook):
            return False
    except OSError:
        return False
    found = mark_at(path)
    return found is not None and found.workbook == mark.workbook


def _fork(db: Database, engine: Engine, workbook: Path, mark: ArchiveMark) -> str:
    """An id of its own for a workbook that shares `mark`'s: the one a refused run of this very file was given
    (so a re-run takes those rows over), else a new one. Its history, the parent's runs up to `mark.run`, is in
    `archive_forks`; the id is written to the workbook with its first rewrite."""
    where = str(workbook.resolve())
    with transaction(db, engine) as connection:
        METADATA.create_all(connection, tables=[FORKS])
        given = connection.execute(
            select(FORKS.c.source_workbook).where(
                and_(
                    FORKS.c.parent_workbook == mark.workbook,
                    FORKS.c.parent_run == mark.run,
                    FORKS.c.source_path == where,
                )
            )
        ).scalars()
        for identity in given:
            finished = select(RUNS.c.run_id).where(
                and_(RUNS.c.source_workbook == identity, RUNS.c.finished_at.is_not(None))
            )
            if connection.execute(finished.limit(1)).first() is None:  # it never left the workbook: take it again
                return str(identity)
        identity = str(uuid.uuid4())
        connection.execute(
            insert(FORKS).values(
                source_workbook=identity,
                parent_workbook=mark.workbook,
                parent_run=mark.run,
                source_path=where,
                made_at=datetime.now().replace(microsecond=0),
            )
        )
    return identity


def _history(engine: Engine, connection: Connection, mark: ArchiveMark) -> list[tuple[str, int]]:
    """The ids and runs whose rows are the workbook's: its own up to its run, and each id it was forked from, up to
    the run it was forked at."""
    history = [(mark.workbook, mark.run)]
    if not engine.dialect.has_table(connection, FORKS.name):
        return history
    query = select(FORKS.c.parent_workbook, FORKS.c.parent_run)
    while parent := connection.execute(query.where(FORKS.c.source_workbook == history[-1][0])).first():
        if any(parent[0] == identity for identity, _ in history):
            break
        history.append((str(parent[0]), int(parent[1])))
    return history


def store_rows(
    db: Database, engine: Engine, workbook: Path, mark: ArchiveMark | None, plans: Sequence[SheetArchive], before: date
) -> Stored:
    """Copy every leaving row into the archive in one transaction, checked, and open a run for them.

    Rows of an earlier run whose rewrite was refused are still in the workbook:
    each one the workbook still has is taken over by this run instead of being
    copied again, and the others (changed or deleted in the workbook since) go.
    """
    identity = workbook_id(db, engine, workbook, mark)
    now = datetime.now().replace(microsecond=0)
    written = already = 0
    with transaction(db, engine) as connection:
        METADATA.create_all(connection)
        _add_declared_columns(connection)
        mine_runs = and_(RUNS.c.source_workbook == identity, RUNS.c.finished_at.is_(None))
        if mark is not None:  # killed between its rewrite and `finish`: its rows did leave the workbook
            connection.execute(update(RUNS).where(and_(mine_runs, RUNS.c.run_id <= mark.run)).values(finished_at=now))
        refused = list(connection.execute(select(RUNS.c.run_id).where(mine_runs)).scalars())
        started = connection.execute(
            insert(RUNS).values(
                source_workbook=identity, source_path=str(workbook.resolve()), before_day=before, started_at=now
            )
        )
        run = int(started.inserted_primary_key[0]) if started.inserted_primary_key else 0
        for plan in plans:
            if not plan.rows:
                continue
            table = TABLES[plan.spec]
            mine = and_(table.c.source_workbook == identity, table.c.source_sheet == plan.sheet)
            copies: dict[str, int] = defaultdict(int)
            pending: dict[str, list[int]] = defaultdict(list)
            for archive_id, digest, copy_no, archive_run in connection.execute(
                select(table.c.archive_id, table.c.row_checksum, table.c.copy_no, table.c.archive_run).where(mine)
            ):
                copies[digest] = max(copies[digest], copy_no)
                if archive_run in refused:
                    pending[digest].append(archive_id)
            ours: list[int] = []
            new: list[Leaving] = []
            copy_numbers: list[int] = []
            for leaving in plan.rows:
                if taken := pending.get(leaving.checksum):
                    ours.append(taken.pop())
                    continue
                copies[leaving.checksum] += 1
                new.append(leaving)
                copy_numbers.append(copies[leaving.checksum])
            source = {
                "source_workbook": identity,
                "source_name": workbook.name,
                "source_sheet": plan.sheet,
                "archived_at": now,
                "archive_run": run,
            }
            for start in range(0, len(new), BATCH):
                batch = new[start : start + BATCH]
                declared = zip(*(leaving.values for leaving in batch), strict=True)
                columns: dict[str, Sequence[Any]] = {
                    **{name: [value] * len(batch) for name, value in source.items()},
                    "source_row": [leaving.row for leaving in batch],
                    "row_checksum": [leaving.checksum for leaving in batch],
                    "copy_no": copy_numbers[start : start + BATCH],
                    "team_columns": [leaving.extras for leaving in batch],
                    **dict(zip((c.key for c in plan.spec.columns), declared, strict=True)),
                }
                _insert(connection, table, columns)
            written += len(new)
            already += len(ours)
            for chunk in _chunks(ours):
                connection.execute(update(table).where(table.c.archive_id.in_(chunk)).values(archive_run=run))
            expected = Counter((*leaving.values, leaving.extras, leaving.checksum) for leaving in plan.rows)
            found = _read_back(connection, plan.spec, table, and_(mine, table.c.archive_run == run))
            if dict(found) != dict(expected):  # dicts compare in C, on each row's hash as it was stored
                raise _mismatch(db, plan)
        for table in TABLES.values() if refused else ():  # a refused run's rows the workbook no longer has as they were
            connection.execute(
                delete(table).where(and_(table.c.source_workbook == identity, table.c.archive_run.in_(refused)))
            )
    return Stored(ArchiveMark(identity, run), written, already)


def _columns(connection: Connection, table: Any) -> set[str]:
    return {column["name"] for column in inspect(connection).get_columns(table.name)}


def _add_declared_columns(connection: Connection) -> None:
    """A ledger that gained a column since its archive was made: the archive's table gains it too (empty for
    the rows archived before). create_all makes missing tables only; ADD COLUMN of a nullable column is the
    same statement on SQLite and PostgreSQL, the type as SQLAlchemy writes it for the database."""
    quote = connection.dialect.identifier_preparer.quote
    for table in TABLES.values():
        have = _columns(connection, table)
        for column in table.columns:
            if column.name not in have:
                kind = column.type.compile(dialect=connection.dialect)
                connection.execute(text(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(column.name)} {kind}"))


def _statement(connection: Connection, statement: Any) -> tuple[str, Any]:
    """A Core statement as SQLAlchemy compiles it for this database, with its parameters in the driver's style."""
    compiled = statement.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    return str(compiled), tuple(params[name] for name in compiled.positiontup or ()) if compiled.positional else params


def _insert(connection: Connection, table: Any, columns: dict[str, Sequence[Any]]) -> None:
    """Rows given column by column, through the driver's executemany: the statement is SQLAlchemy's (insert(table)
    compiled for this database) and each value is bound as SQLAlchemy binds it for its column's type, a column at a
    time. SQLAlchemy's own executemany builds and converts a parameter set per row: for a year of rows that cost
    twice what the database takes to store them."""
    dialect = connection.dialect
    compiled = insert(table).compile(dialect=dialect, column_keys=list(columns))
    bound = {}
    for name, values in columns.items():
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        bound[name] = values if process is None else _each_distinct(process, values)
    if compiled.positional:
        rows: list[Any] = list(zip(*(bound[name] for name in compiled.positiontup or ()), strict=True))
    else:
        rows = [dict(zip(bound, row, strict=True)) for row in zip(*bound.values(), strict=True)]
    with closing(connection.connection.cursor()) as cursor:
        cursor.executemany(str(compiled), rows)


def _each_distinct(convert: Callable[[Any], Any], values: Sequence[Any]) -> list[Any]:
    """`convert` of each value, called once per distinct value (a year of rows has a few hundred days), unless the
    values mix types that are one dict key but may convert differently (1, 1.0, True)."""
    if len(set(map(type, values)) - {type(None)}) > 1:
        return list(map(convert, values))
    converted = {value: convert(value) for value in set(values)}
    return list(map(converted.__getitem__, values))


def _read_back(connection: Connection, spec: Sheet, table: Any, rows: Any) -> Counter[tuple[Any, ...]]:
    """Each of `rows` as the database holds it now (its declared values as SQLAlchemy reads them, its team columns
    and its stored fingerprint), a batch at a time. The driver's rows are converted a column at a time by the
    converters SQLAlchemy takes from the same types for each value of each row (its Row per row cost more than the
    database's reading)."""
    dialect = connection.dialect
    columns = [*(table.c[c.key] for c in spec.columns), table.c.team_columns, table.c.row_checksum]
    found: Counter[tuple[Any, ...]] = Counter()
    with closing(connection.connection.cursor()) as cursor:
        cursor.execute(*_statement(connection, select(*columns).where(rows)))
        convert = [
            c.type.dialect_impl(dialect).result_processor(dialect, described[1])
            for c, described in zip(columns, cursor.description, strict=True)
        ]
        while batch := cursor.fetchmany(BATCH):
            raw = zip(*batch, strict=True)
            values = [held if f is None else list(map(f, held)) for held, f in zip(raw, convert, strict=True)]
            found.update(zip(*values, strict=True))
    return found


def _chunks(values: Sequence[Any], size: int = 500) -> list[Sequence[Any]]:
    """Lists short enough for one IN (…) on every database (SQLite allowed 999 variables before 3.32)."""
    return [values[i : i + size] for i in range(0, len(values), size)]


def _mismatch(db: Database, plan: SheetArchive) -> ArchiveError:
    return ArchiveError(
        f"「{plan.sheet}」的行写进归档数据库「{db.shown}」后读回核对不一致，这次写入已回滚，工作簿没有改动；"
        "请把工作簿和这句话发给维护人员。"
    )


def finish(db: Database, engine: Engine, mark: ArchiveMark) -> None:
    """The workbook has been rewritten (and carries `mark`): every unfinished run of it is done."""
    with transaction(db, engine) as connection:
        connection.execute(
            update(RUNS)
            .where(and_(RUNS.c.source_workbook == mark.workbook, RUNS.c.finished_at.is_(None)))
            .values(finished_at=datetime.now().replace(microsecond=0))
        )


def _not_found(db: Database, workbook: Path) -> ArchiveError:
    return ArchiveError(
        f"「{workbook.name}」有行已归档，但「{db.shown}」里没有它的归档，这次没有{db.doing}，工作簿没有改动；"
        f"请用 --db（按钮：环境变量 {DB_VARIABLE}）写明归档时用的数据库，"
        f"或把归档时工作簿旁边的 {SQLITE_FILE} 放回它旁边。"
    )


def read_archive(
    db: Database, workbook: Path, mark: ArchiveMark, reading: Reading
) -> tuple[list[Record], dict[Asked, dict[tuple[Any, ...], Group]]]:
    """What a command reads of the rows that left `workbook` (by its mark): those of `reading.sheets` that any of
    their dates puts between its first and last day (and the other rows of the items they belong to), as the core
    reads ledger rows; and `reading.asked`, tallied by the database. A database that does not know the workbook is
    refused: figures without its archived rows would be wrong without saying so, as would one on a database that is
    not the workbook's (said once a server is reached: one out of reach is said first)."""
    if db.file is not None and not db.file.exists():
        raise _elsewhere(db, workbook, mark) or _not_found(db, workbook)
    first, last = reading.first, reading.last
    start, end = datetime.combine(first, time()), datetime.combine(last, time.max)
    records: list[Record] = []
    counts: dict[Asked, dict[tuple[Any, ...], Group]] = {}
    with connected(db) as engine, transaction(db, engine) as connection:
        if refused := _elsewhere(db, workbook, mark):
            raise refused
        known = (
            engine.dialect.has_table(connection, RUNS.name)
            and connection.execute(
                select(RUNS.c.run_id).where(and_(RUNS.c.source_workbook == mark.workbook, RUNS.c.run_id == mark.run))
            ).first()
        )
        if not known:
            raise _not_found(db, workbook)

        history = _history(engine, connection, mark)

        def mine(table: Any) -> Any:  # rows of a later run whose rewrite was refused are still in the workbook
            return or_(*(and_(table.c.source_workbook == w, table.c.archive_run <= run) for w, run in history))

        present = {spec for spec in ARCHIVED if engine.dialect.has_table(connection, TABLES[spec].name)}
        for spec in reading.sheets:
            if spec not in present:
                continue
            table = TABLES[spec]
            within = or_(
                *(
                    table.c[c.key].between(start, end)
                    if c.kind is Kind.DATETIME
                    else table.c[c.key].between(first, last)
                    for c in spec.columns
                    if c.kind.dated
                )
            )
            held = [column for column in table.columns if column.name in _columns(connection, table)]
            rows = list(connection.execute(select(*held).where(and_(mine(table), within))))
            follow_up = spec.follow_up
            if follow_up is not None and follow_up.one_per is not None:
                key = table.c[follow_up.one_per.key]
                items = {row._mapping[key.name] for row in rows} - {None}
                seen = {row.archive_id for row in rows}
                for chunk in _chunks(sorted(items)):
                    more = connection.execute(select(*held).where(and_(mine(table), key.in_(chunk))))
                    rows += [row for row in more if row.archive_id not in seen]
            records += [Record(spec, row.source_row, _values(spec, row)) for row in rows]
        for asked_ in reading.asked:
            if asked_.tally.sheet in present:
                table = TABLES[asked_.tally.sheet]
                counts[asked_] = tallied(connection, mine(table), asked_, _columns(connection, table))
    return records, counts


def with_archive(
    check: WorkbookCheck,
    workbook: Path,
    mark: ArchiveMark,
    given: str | None,
    doing: str,
    reading: Reading,
) -> WorkbookCheck:
    """`check` with what a command reads of the workbook's archive (`read_archive`), in the database `given` (a
    URL) or else the SQLite file beside the workbook: the CLI and the buttons read it alike. `doing` is what a
    refusal says was not done (生成月报)."""
    db = replace(database(workbook, given), doing=doing)
    records, counts = read_archive(db, workbook, mark, reading)
    return replace(check, archived=tuple(records), archived_counts=counts)
