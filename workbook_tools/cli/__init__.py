"""The `workbook-tools` command: a thin shell over the library.

Each command parses its arguments, calls one library function and prints.
Problems the user can fix (WorkbookToolsError) become one Chinese line on
stderr and exit status 2; validation errors in a workbook give exit status 1.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from workbook_tools import __version__
from workbook_tools.cli.progress import Progress
from workbook_tools.core.archive import ARCHIVED, ArchiveMark, SheetArchive
from workbook_tools.core.changes import Change, placement_note
from workbook_tools.core.findings import Finding
from workbook_tools.core.gc_pause import gc_paused
from workbook_tools.core.records import WorkbookCheck
from workbook_tools.core.validate import check_workbook
from workbook_tools.errors import OutputError, WorkbookToolsError
from workbook_tools.spec.lists import AGENTS as AGENT_LIST
from workbook_tools.spec.reports import DAILY, PERIODS, RESULTS
from workbook_tools.spec.settings_sheet import SETTINGS
from workbook_tools.spec.sheets import BY_KEY, BY_TITLE, CHASE_SUMMARY, HANDOVER, LEDGERS, RESENDS, RETURNS
from workbook_tools.spec.types import display_width
from workbook_tools.xlsx.backups import BACKUPS_KEPT
from workbook_tools.xlsx.properties import archive_mark
from workbook_tools.xlsx.reader import date1904
from workbook_tools.xlsx.templates import TEAM_FILE, TEMPLATE_DIR, build_templates, build_workbook, stale_templates
from workbook_tools.xlsx.writer import WorkbookFile, refuse_if_open, write_new_file

if TYPE_CHECKING:
    from workbook_tools.core.handover import HandoverResult
    from workbook_tools.core.tallies import Reading
    from workbook_tools.spec.types import Sheet

T = TypeVar("T")
EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2
DEMO_FILE = "demo-team.xlsx"


class UserError(click.ClickException):
    """A WorkbookToolsError on its way out: the message alone, exit status 2."""

    exit_code = EXIT_UNUSABLE

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(self.message, err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WorkbookToolsError as exc:
            raise UserError(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbook-tools")
def cli() -> None:
    """售后工作簿工具：校验、交接班、日汇总、催款汇总、周报和月报、归档。"""


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _print_check(path: Path, check: WorkbookCheck) -> None:
    sheets = "、".join(f"{t.table.sheet}（{len(t.records)} 行）" for t in check.tables)
    click.echo(f"{path.name}：已识别 {sheets}")
    for f in check.findings:
        click.echo(f"  {f.severity.label}  {_pad(f.sheet + '!' + f.cell, 14)}  {_pad(f.code, 24)}  {f.message}")
    if check.findings:
        click.echo(f"  共 {check.errors} 个错误、{check.warnings} 个警告。")
    else:
        click.echo("  没有发现问题。")


def _check(book: WorkbookFile, day: date, cross_checks: bool = True, progress: Progress | None = None) -> WorkbookCheck:
    """Validate a workbook read from a file, in its own date system."""
    grids = book.grids()
    if progress is not None:
        progress.phase(f"正在校验 {book.path.name}")
    return check_workbook(grids, day, date1904=date1904(book.data, book.path.name), cross_checks=cross_checks)


def _archive_mark(book: WorkbookFile) -> ArchiveMark | None:
    from workbook_tools.xlsx.opc import Package

    return archive_mark(Package(book.data))


def _findings_json(path: Path, findings: tuple[Finding, ...]) -> list[dict[str, str]]:
    return [{"file": str(path), **f.as_dict()} for f in findings]


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 数组（每个问题一项），供脚本读取。")
def validate(files: tuple[Path, ...], as_json: bool) -> None:
    """校验一个或多个工作簿，列出每个有问题的单元格。

    退出码：0 没有错误（可能有警告），1 有错误，2 文件无法使用。
    """
    today = date.today()
    results, unusable, errors = [], False, 0
    for path in files:
        try:
            with gc_paused(), Progress() as progress:
                progress.phase(f"正在校验 {path.name}")
                check = _check(WorkbookFile.open(path), today)
        except WorkbookToolsError as exc:
            click.echo(str(exc), err=True)
            unusable = True
            continue
        errors += check.errors
        if as_json:
            results += _findings_json(path, check.findings)
        else:
            _print_check(path, check)
    if as_json:
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    sys.exit(EXIT_UNUSABLE if unusable else EXIT_FINDINGS if errors else 0)


def _sheets_option(value: str | None) -> tuple[Sheet, ...]:
    if not value:
        return LEDGERS
    chosen = []
    for name in (v.strip() for v in value.replace("，", ",").split(",") if v.strip()):
        spec = BY_TITLE.get(name) or BY_KEY.get(name)
        if spec is None:
            known = "、".join(s.title for s in LEDGERS)
            raise OutputError(f"没有名为「{name}」的表，可选：{known}。")
        chosen.append(spec)
    return tuple(chosen)


@cli.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--sheets", help=f"只要这些表，用逗号分隔，如「{RETURNS.title},{RESENDS.title}」；默认全部。")
@click.option("--force", is_flag=True, help="文件已存在时覆盖（覆盖前先备份）。")
def new(out: Path, sheets: str | None, force: bool) -> None:
    """按模板新建一个空白工作簿（含「设置」表）。"""
    if out.suffix.lower() != ".xlsx":
        raise OutputError(f"「{out.name}」的扩展名应为 .xlsx。")
    specs = _sheets_option(sheets)
    backup = write_new_file(out, build_workbook(specs), overwrite=force, keep_backup=True)
    _backup_note(backup)
    click.echo(f"已新建 {out}：")
    for spec in specs:
        click.echo(f"  {spec.title}：{spec.description}")
    click.echo("  设置：下拉选项和平台规则时限，可按团队需要修改。")


@cli.command("build-templates")
@click.option("--check", is_flag=True, help="只检查 templates_xlsx/ 是否与表定义一致，不写文件。")
@click.option("--out", type=click.Path(path_type=Path), help="模板目录，默认为源码中的 templates_xlsx/。")
def build_templates_command(check: bool, out: Path | None) -> None:
    """由表定义重新生成 templates_xlsx/ 中的模板。"""
    if out is None:
        if not (TEMPLATE_DIR.parent / "pyproject.toml").is_file():
            raise OutputError("这里不是 workbook-tools 的源码目录，找不到 templates_xlsx/，请用 --out 指定目录。")
        out = TEMPLATE_DIR
    if check:
        stale = stale_templates(out)
        if stale:
            click.echo(f"模板已过期：{'、'.join(stale)}，请运行 workbook-tools build-templates 后提交。", err=True)
            sys.exit(EXIT_FINDINGS)
        click.echo(f"{out} 中的模板都是最新的。")
        return
    for path in build_templates(out):
        click.echo(f"已生成 {path}")


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("workbook-tools-demo"),
    show_default=True,
    help="示例文件输出目录。",
)
def demo(out: Path) -> None:
    """生成几天的示例数据（含几处故意写错的行），校验给你看，再做一次交接班、催款汇总和日汇总。"""
    from workbook_tools.cli.demo import AGENTS, make_demo
    from workbook_tools.core.handover import handover
    from workbook_tools.core.totals import chase_summary, daily_totals

    today = date.today()
    data = make_demo(today)
    path = out / DEMO_FILE
    write_new_file(path, build_workbook(LEDGERS, data.rows, {AGENT_LIST.name: AGENTS}), overwrite=True)
    counts = "、".join(f"{s.title} {len(data.rows[s])} 行" for s in LEDGERS if s in data.rows)
    click.echo(f"已按模板 {TEAM_FILE} 写入示例工作簿 {path}：{counts}。")
    click.echo(f"其中 {len(data.planted)} 处是故意写错的，{RESULTS.title}如下：\n")
    with WorkbookFile.editing(path) as book:
        check = _check(book, today)
        _print_check(path, check)
        shift_end = datetime.combine(today, datetime.min.time()).replace(hour=18)
        handed = handover(check, AGENTS[0], AGENTS[1], shift_end)
        _, chase = chase_summary(check, shift_end)
        _save(book, [handed.change, chase], None, False)
    with WorkbookFile.editing(path) as book:
        _, daily = daily_totals(_check(book, today), today, shift_end)
        _save(book, [daily], None, False)
    click.echo(
        f"\n又以 {shift_end:%H:%M} {AGENTS[0]}交给{AGENTS[1]}做了一次交接班（{handed.written} 项，"
        f"{handed.overdue} 项已超时），并生成了催款汇总和{DAILY.title}。"
    )
    click.echo(
        f"用 Excel 打开 {path}，看「{HANDOVER.title}」「{CHASE_SUMMARY.title}」和「{DAILY.title}」；改好错误后再运行："
        f"workbook-tools validate {path}"
    )


@cli.command("build-addin")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("WorkbookTools.xlam"),
    show_default=True,
    help="加载项文件写到哪里。",
)
def build_addin_command(out: Path) -> None:
    """由 macros/ 中的源文件生成 Excel 加载项 WorkbookTools.xlam（「售后工具」选项卡）。"""
    from workbook_tools.addin.build import build_package

    write_new_file(out, build_package(), overwrite=True)
    click.echo(f"已生成 {out}。")


@cli.command("install-addin")
@click.option(
    "--dir", "folder", type=click.Path(path_type=Path), help="装到这个目录（默认是 Excel 启动时加载的文件夹）。"
)
@click.option(
    "--build-in-excel",
    is_flag=True,
    help="让本机的 Excel 自己生成加载项（Windows；Excel 不接受我们生成的加载项时用，需要先允许访问 VBA 项目）。",
)
def install_addin_command(folder: Path | None, build_in_excel: bool) -> None:
    """安装 Excel 加载项：生成 WorkbookTools.xlam 放进 Excel 的启动文件夹，并记下按钮要用的 Python。"""
    from workbook_tools.addin.install import click_extras, install

    package = None
    if build_in_excel:
        from workbook_tools.addin.excel_build import build_in_excel as build

        package = build()
    done = install(folder, package)
    made = "（由本机的 Excel 生成）" if build_in_excel else ""
    click.echo(f"已安装加载项{made}：{done.addin}\n团队模板：{done.template}\n按钮使用的 Python 记在：{done.config}")
    click.echo(
        "下一步：1. 完全退出 Excel 再打开，功能区会出现「售后工具」选项卡；"
        "2. 如果提示宏已被禁用，请在「文件 → 选项 → 信任中心 → 信任中心设置 → 受信任位置」里添加上面的文件夹，"
        "或在提示栏点「启用内容」；3. 运行 workbook-tools doctor --excel 检查。"
    )
    extras = click_extras()
    if extras:
        click.echo(
            f"提示：这个 Python 里装了 {'、'.join(extras)}，xlwings 每次点击按钮都会导入它们（每次多等约 0.5～1 秒）；"
            "想快一些，可以为 workbook-tools 单独建一个虚拟环境，在里面安装并重新运行 install-addin。"
        )


@cli.command("doctor")
@click.option("--dir", "folder", type=click.Path(path_type=Path), help="加载项所在目录（默认是 Excel 的启动文件夹）。")
@click.option(
    "--excel",
    "in_excel",
    is_flag=True,
    help="再在 Excel 里自检：打开加载项，运行自检宏，像按钮一样调用 Python（需要装了 Excel 的 Windows 或 macOS）。",
)
def doctor_command(folder: Path | None, in_excel: bool) -> None:
    """检查按钮需要的东西：Python、xlwings、加载项及其版本、模板、按钮使用的 Python；加 --excel 时在 Excel 里自检。"""
    from workbook_tools.addin.install import doctor

    in_excel_checks = []
    if in_excel:
        from workbook_tools.addin.self_test import excel_checks

        in_excel_checks = excel_checks(folder)  # first: without Excel, one line and exit status 2
    checks = doctor(folder) + in_excel_checks
    for check in checks:
        click.echo(f"{'✓' if check.ok else '✗'} {check.what}" + ("" if check.ok else f"：{check.fix}"))
    missing = sum(not c.ok for c in checks)
    click.echo("一切就绪。" if not missing else f"有 {missing} 项需要处理。")
    sys.exit(0 if not missing else EXIT_FINDINGS)


def output_options(command: Callable[..., None]) -> Callable[..., None]:
    """--out, --force and --json, shared by every command that writes into a workbook."""
    command = click.option("--json", "as_json", is_flag=True, help="同时把写入的内容以 JSON 输出，供脚本读取。")(
        command
    )
    command = click.option("--force", is_flag=True, help="--out 指定的文件已存在时覆盖它（覆盖前先备份）。")(command)
    return click.option(
        "--out",
        type=click.Path(path_type=Path),
        help="写到另一个文件；不写时直接更新原文件（先写临时文件再替换，原文件被打开时拒绝）。",
    )(command)


def _moment(text: str | None, option: str) -> datetime:
    if not text:
        return datetime.now().replace(second=0, microsecond=0)
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise OutputError(f"{option} 的「{text}」不是有效时间，请写成 2026-11-22 18:00 这样的格式。") from None


def _day(text: str | None, option: str = "--date") -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise OutputError(f"{option} 的「{text}」不是有效日期，请写成 2026-11-22 这样的格式。") from None


def _backup_note(backup: Path | None) -> None:
    if backup is not None:
        click.echo(f"改动前的版本已备份为 {backup}（每个工作簿保留最近 {BACKUPS_KEPT} 份）。", err=True)


def _save(
    book: WorkbookFile,
    changes: Iterable[Change | None],
    out: Path | None,
    force: bool,
    properties: dict[str, str] | None = None,
    prepared: bytes | None = None,
) -> Path | None:
    made = [c for c in changes if c is not None]
    if not made and out is None:
        return None
    saved = book.save(made, out, force, properties, prepared)
    for change in made:
        if note := placement_note(change):
            click.echo(note, err=True)
    _backup_note(saved.backup)
    return saved.path


def _update(
    file: Path,
    day: date,
    phase: str,
    work: Callable[[WorkbookCheck], tuple[T, list[Change | None]]],
    out: Path | None,
    force: bool,
    with_archive: Callable[[WorkbookFile, WorkbookCheck], WorkbookCheck] | None = None,
) -> tuple[T, Path | None]:
    """Open, check and change a workbook, then save it (to `out`, or safely in place), showing progress.

    The workbook's lock is held from the read to the save: a second command on
    the same workbook waits here, then works on this one's result.
    """
    with gc_paused(), Progress() as progress:
        progress.phase(f"正在等待其他人写完 {file.name}")
        with WorkbookFile.editing(file) as book:
            progress.phase(f"正在读取 {file.name}")
            check = _check(book, day)
            if with_archive is not None:
                check = with_archive(book, check)
            progress.phase(phase)
            result, changes = work(check)
            return result, _save(book, changes, out, force)


def _excluded_note(excluded: list[str]) -> None:
    if excluded:
        click.echo(
            f"注意：{len(excluded)} 行有校验错误，没有计入（{'、'.join(excluded[:5])}"
            f"{'等' if len(excluded) > 5 else ''}），运行 workbook-tools validate 查看并改正。"
        )


def _emit_json(data: object) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@cli.command("handover")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--from", "from_agent", help=f"{HANDOVER.from_agent.header}（下班的人）。")
@click.option("--to", "to_agent", help=f"{HANDOVER.to_agent.header}（接班的人）。")
@click.option("--at", help="交接时间，如「2026-11-22 18:00」；默认现在。")
@output_options
def handover_command(
    file: Path,
    from_agent: str | None,
    to_agent: str | None,
    at: str | None,
    out: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """交接班：把所有未完成的事项写进交接表，最急的在前（不写姓名时按「设置」表的排班）。"""
    from workbook_tools.core.handover import check_agents, handover

    if from_agent is not None or to_agent is not None:
        check_agents(from_agent, to_agent)
    moment = _moment(at, "--at")

    def work(check: WorkbookCheck) -> tuple[HandoverResult, list[Change | None]]:
        handed = handover(check, from_agent, to_agent, moment)
        return handed, [handed.change]

    result, written = _update(file, moment.date(), f"正在写入{HANDOVER.title}", work, out, force)
    if as_json:
        _emit_json({"written": result.written, "items": list(result.items)})
        return
    summary = f"已交接 {result.written} 项，其中 {result.overdue} 项已超时" if result.written else "没有新的交接事项"
    click.echo(
        summary + (f"；{result.already} 项之前已交给{HANDOVER.to_agent.header}" if result.already else "") + "。"
    )
    for item in result.items:
        click.echo(f"  {item['state']}  {_pad(item['source'], 14)}  {item['action']}")
    if written:
        click.echo(f"已写入 {written} 的「{HANDOVER.title}」。")


@cli.command("acknowledge")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--agent", help=f"确认接收的{HANDOVER.to_agent.header}；不写时按「{SETTINGS.title}」表的排班，即现在当班的人。"
)
@click.option("--at", help=f"{HANDOVER.acknowledged_at.header}，如「2026-11-22 18:10」；默认现在。")
@output_options
def acknowledge_command(
    file: Path, agent: str | None, at: str | None, out: Path | None, force: bool, as_json: bool
) -> None:
    """承接人确认已收到交接：在交接表填上确认时间（不写姓名时按「设置」表的排班）。"""
    from workbook_tools.core.handover import Acknowledgement, acknowledge, check_agents

    if agent is not None:
        check_agents(agent)
    moment = _moment(at, "--at")

    def work(check: WorkbookCheck) -> tuple[Acknowledgement, list[Change | None]]:
        done = acknowledge(check, agent, moment)
        return done, [done.change]

    done, written = _update(file, moment.date(), "正在确认交接", work, out, force)
    if as_json:
        _emit_json({"acknowledged": done.count, "agent": done.agent})
        return
    click.echo(f"{done.agent} 已确认 {done.count} 项交接。" + (f"已写入 {written}。" if written else ""))


DB_HELP = (
    "归档数据库，如 postgresql://用户名:密码@服务器/数据库；不写时用环境变量 WORKBOOK_TOOLS_DB，"
    "再没有就是工作簿所在文件夹里的 workbook-tools.archive.sqlite。"
)


def _check_db(file: Path, db: str | None) -> None:
    """A wrong --db is refused before the workbook is read."""
    if db:
        from workbook_tools.store.archive import database

        database(file, db)


def _with_archive(
    file: Path,
    db: str | None,
    making: str,
    reading: Reading,
) -> Callable[[WorkbookFile, WorkbookCheck], WorkbookCheck]:
    def with_archive(book: WorkbookFile, check: WorkbookCheck) -> WorkbookCheck:
        """The check with the workbook's archived rows; a workbook never archived needs no database (nor its
        libraries: SQLAlchemy is imported only here)."""
        mark = _archive_mark(book)
        if mark is None:
            return check
        from workbook_tools.store.archive import with_archive as read

        return read(check, file, mark, db, f"生成{making}", reading)

    return with_archive


@cli.command("daily-totals")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--date", "day", help="汇总哪一天，如 2026-11-22；默认今天。")
@click.option("--at", help="按这个时间算未处理、已超时和自动关闭，如「2026-11-22 18:00」；默认现在。")
@click.option("--db", help=DB_HELP + "已归档的行和工作簿里的行一起汇总。")
@output_options
def daily_totals_command(
    file: Path, day: str | None, at: str | None, db: str | None, out: Path | None, force: bool, as_json: bool
) -> None:
    """日汇总：生成「日汇总」表（当天和近 7 天的退件、重发、质量问题、催款、交接），已归档的行一起算。"""
    from workbook_tools.core.totals import daily_reading, daily_totals

    chosen = _day(day)
    moment = _moment(at, "--at")
    _check_db(file, db)

    def work(check: WorkbookCheck) -> tuple[dict[str, Any], list[Change | None]]:
        figures, sheet = daily_totals(check, chosen, moment)
        return figures, [sheet]

    result, written = _update(
        file,
        chosen,
        f"正在生成{DAILY.title}",
        work,
        out,
        force,
        _with_archive(file, db, DAILY.title, daily_reading(chosen, ARCHIVED)),
    )
    if as_json:
        _emit_json(result)
        return
    r, c = result["returns"], result["chase"]
    click.echo(
        f"{result['date']}：退件 {r['count']} 单 {r['parcels']} 件 {r['qty']} 个；"
        f"重发 {result['resends']['count']} 单（未发出 {result['resends']['open']}）；"
        f"{DAILY.overview['quality']} {result['quality']['count']}；催款 {c['to_chase']} 单，催回 {c['paid']} 单 "
        f"{c['paid_amount']:.2f} 元；未处理 {result['open_items']} 项，已超时 {result['overdue']} 项。"
    )
    _excluded_note(result["excluded_rows"])
    click.echo(f"已写入 {written} 的「{DAILY.title}」表。")


@cli.command("chase-summary")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--at", help="按这个时间判断订单是否已自动关闭，如「2026-11-22 18:00」；默认现在。")
@output_options
def chase_summary_command(file: Path, at: str | None, out: Path | None, force: bool, as_json: bool) -> None:
    """催款汇总：按天、按催款人统计，写进催款汇总表。"""
    from workbook_tools.core.totals import chase_summary

    moment = _moment(at, "--at")

    def work(check: WorkbookCheck) -> tuple[dict[str, Any], list[Change | None]]:
        summary, change = chase_summary(check, moment)
        return summary, [change]

    result, written = _update(file, moment.date(), "正在生成催款汇总", work, out, force)
    if as_json:
        _emit_json(result)
        return
    for row in result["rows"]:
        rate = row["paid"] / row["to_chase"]
        click.echo(
            f"  {row['date']}  {_pad(row['agent'], 8)}  需催 {row['to_chase']:>3}  "
            f"{CHASE_SUMMARY.contacted.header} {row['contacted']:>3}  "
            f"催回 {row['paid']:>3}（{rate:.0%}） {row['paid_amount']:>9.2f} 元  关闭 {row['closed']:>3}"
        )
    _excluded_note(result["excluded_rows"])
    if written:
        click.echo(f"已写入 {written} 的「{CHASE_SUMMARY.title}」。")


@cli.command("report")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--period", type=click.Choice(list(PERIODS)), required=True, help="week：周报（周一到周日）；month：月报。"
)
@click.option("--date", "day", help="报哪一周或哪个月：含这一天的那一周（月），如 2026-11-22；默认今天。")
@click.option("--at", help="按这个时间判断订单是否已自动关闭，如「2026-11-22 18:00」；默认现在。")
@click.option("--db", help=DB_HELP + "已归档的行和工作簿里的行一起统计。")
@output_options
def report_command(
    file: Path,
    period: str,
    day: str | None,
    at: str | None,
    db: str | None,
    out: Path | None,
    force: bool,
    as_json: bool,
) -> None:
    """周报、月报：生成「周报」或「月报」表，每个数字旁边是上一周（月）和变化，已归档的行一起算。"""
    from workbook_tools.core.report import period_report, report_reading

    sheet = PERIODS[period]
    chosen = _day(day)
    moment = _moment(at, "--at")
    _check_db(file, db)

    def work(check: WorkbookCheck) -> tuple[dict[str, Any], list[Change | None]]:
        figures, tab = period_report(check, sheet, chosen, moment)
        return figures, [tab]

    reading = report_reading(sheet, chosen, ARCHIVED)
    archive = _with_archive(file, db, sheet.title, reading)
    result, written = _update(file, chosen, f"正在生成{sheet.title}", work, out, force, archive)
    if as_json:
        _emit_json(result)
        return
    r, c = result["refunds"], result["chase"]
    click.echo(
        f"{sheet.title} {result['from']} 至 {result['to']}：退款 {r['count']} 笔 {r['amount']:.2f} 元"
        f"（超时 {r['timed_out']} 笔）；催款 {c['to_chase']} 单，催回 {c['paid']} 单 {c['paid_amount']:.2f} 元；"
        f"重复售后的买家 {len(result['repeat_buyers'])} 位。"
    )
    click.echo(f"已写入 {written} 的「{sheet.title}」表。")


def _archive_plans(
    book: WorkbookFile, check: WorkbookCheck, day: date, now: datetime, chosen: Collection[Sheet], progress: Progress
) -> tuple[list[SheetArchive], list[Change]]:
    """The archive's plan without the rows that hold a note, a picture or a link and those a formula that stays
    points at alone (they would become #REF!), planned again until no such row is left: a row kept keeps its own
    formulas, and an item stays whole. With it, the changes that carry it out: the cells naming rows by number
    (交接表's 来源) renamed, and the rows deleted."""
    from workbook_tools.core.archive import archive_plan
    from workbook_tools.core.row_names import renamed_rows
    from workbook_tools.xlsx.opc import Package
    from workbook_tools.xlsx.pinned_rows import FormulaLinks
    from workbook_tools.xlsx.row_objects import formula_cells, rows_holding

    progress.phase("正在挑选要归档的行")
    package = Package(book.data)
    parts = package.sheet_parts()
    holding = {
        t.table.sheet: rows_holding(package, parts[t.table.sheet]) for t in check.tables if t.table.spec in chosen
    }
    pinned: dict[str, set[int]] = {}
    links = None
    while True:
        plans = [p for p in archive_plan(check, day, now, pinned, holding) if p.spec in chosen]
        deleting = {p.sheet: [r.row for r in p.rows] for p in plans if p.rows}
        links = links or FormulaLinks(package, deleting)  # the first plan deletes the most
        more = links.pinned(deleting) if deleting else {}
        if not more:
            gone = {p.sheet: [r.row for r in p.rows] for p in plans}
            naming = {t.table.sheet for t in check.tables if t.table.spec.names_rows or t.table.spec.references}
            formulas = {sheet: formula_cells(package, parts[sheet]) for sheet in naming}
            return plans, [*renamed_rows(check, gone, formulas), *(p.change() for p in plans if p.rows)]
        for sheet, rows in more.items():
            pinned.setdefault(sheet, set()).update(rows)


@cli.command("archive")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--before", required=True, help="归档这一天之前的已办结行，如 2026-01-01（这一天及以后的行留在工作簿里）。"
)
@click.option("--db", help=DB_HELP)
@click.option("--sheets", help=f"只归档这些表，用逗号分隔，如「{RETURNS.title},{RESENDS.title}」；默认所有能归档的表。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出归档了哪些表、多少行，供脚本读取。")
def archive_command(file: Path, before: str, db: str | None, sheets: str | None, as_json: bool) -> None:
    """归档：把早于 --before 的已办结行移进数据库，工作簿只留未办结的和最近的行；一行不丢，可重复运行。"""
    from workbook_tools.store.archive import claim, connected, database, finish, home, store_rows
    from workbook_tools.xlsx.marks import archive_mark_at

    day = _day(before, "--before")
    if day > date.today():
        raise OutputError(f"--before 的「{before}」晚于今天，请写今天或更早的日期。")
    chosen = _sheets_option(sheets) if sheets else ARCHIVED
    refused = [s.title for s in chosen if s not in ARCHIVED]
    if refused:
        raise OutputError(f"「{'、'.join(refused)}」不归档，能归档的表是：{'、'.join(s.title for s in ARCHIVED)}。")
    target = database(file, db)
    now = datetime.now().replace(second=0, microsecond=0)
    with gc_paused(), Progress() as progress:
        progress.phase(f"正在等待其他人写完 {file.name}")
        with WorkbookFile.editing(file) as book:
            progress.phase(f"正在读取 {file.name}")
            # the check (the whole workbook read) is let go once the plan is made: the rewrite needs its memory
            plans, changes = _archive_plans(
                book, _check(book, date.today(), False, progress), day, now, chosen, progress
            )
            leaving = [p for p in plans if p.rows]
            stored, written, own_id = None, None, False
            if leaving:
                progress.phase(f"正在准备改写 {file.name}")
                refuse_if_open(file, file.resolve())  # what refuses the rewrite refuses before any row is stored
                prepared = book.prepare(changes)
                progress.phase("正在写入归档数据库并核对")
                with connected(target) as engine:
                    carries = _archive_mark(book)
                    mark = claim(target, engine, file, carries, archive_mark_at)
                    own_id = carries is not None and mark is not None and mark.workbook != carries.workbook
                    stored = store_rows(target, engine, file, mark, leaving, day)
                    progress.phase(f"正在改写 {file.name}")
                    try:
                        carried = replace(stored.mark, database=home(target, file))
                        written = _save(book, changes, None, False, carried.properties(), prepared)
                    except WorkbookToolsError as exc:
                        raise OutputError(
                            f"{str(exc).rstrip('。')}；要归档的 {sum(len(p.rows) for p in leaving)} 行已存进"
                            f"「{target.shown}」，处理好后再运行同一条命令即可，不会重复也不会丢。"
                        ) from exc
                    finish(target, engine, stored.mark)
    sheets_done = [
        {"sheet": p.sheet, "archived": len(p.rows), "kept": p.kept, "referenced": p.referenced, "holding": p.holding}
        for p in plans
    ]
    if as_json:
        _emit_json(
            {
                "database": target.shown,
                "before": day.isoformat(),
                "archived": sum(len(p.rows) for p in plans),
                "already_in_database": stored.already if stored else 0,
                "sheets": sheets_done,
            }
        )
        return
    if not leaving:
        click.echo(f"没有早于 {day} 的已办结行需要归档，{file.name} 没有改动。")
    else:
        counts = "、".join(f"{p.sheet} {len(p.rows)} 行" for p in leaving)
        click.echo(
            f"已把 {counts} 归档到「{target.shown}」，并从 {written} 中移除；"
            f"未办结的行和 {day} 及以后的行都留在工作簿里。"
        )
    if own_id:
        click.echo(
            f"{file.name} 是另存为的副本或从备份放回的旧版本，已给它自己的归档编号：它之前的归档照旧算在它的汇总里，"
            "之后它和原来那份各归各的。"
        )
    kept = [p for p in plans if p.kept]
    if kept:
        referenced, holding = sum(p.referenced for p in kept), sum(p.holding for p in kept)
        reasons = ["和表格外的内容在同一行", "同一订单还有未办结的行"]
        reasons += [f"有留下的公式只引用它（这样的有 {referenced} 行）"] if referenced else []
        reasons += [f"带着批注、图片或链接（这样的有 {holding} 行）"] if holding else []
        counts = "、".join(f"{p.sheet} {p.kept} 行" for p in kept)
        click.echo(f"另有 {counts} 已办结但{'，或'.join(reasons)}，留在了工作簿里。")


def main() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli()
