"""The `workbook-tools` command: a thin shell over the library.

Each command parses its arguments, calls one library function and prints.
Problems the user can fix (WorkbookToolsError) become one Chinese line on
stderr and exit status 2; validation errors in a workbook give exit status 1.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from . import __version__
from .errors import OutputError, WorkbookToolsError
from .sheets import BY_KEY, BY_TITLE, LEDGERS
from .schema import display_width
from .templates import TEAM_FILE, TEMPLATE_DIR, build_templates, build_workbook, stale_templates
from .validate import Finding, WorkbookCheck, check_workbook
from .xlsx_file import read_grids, write_new_file

EXIT_FINDINGS = 1
EXIT_UNUSABLE = 2
DEMO_FILE = "demo-team.xlsx"


class UserError(click.ClickException):
    """A WorkbookToolsError on its way out: the message alone, exit status 2."""

    exit_code = EXIT_UNUSABLE

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        click.echo(self.message, err=True)


class _Group(click.Group):
    def invoke(self, ctx: click.Context):  # noqa: ANN201 - click's signature
        try:
            return super().invoke(ctx)
        except WorkbookToolsError as exc:
            raise UserError(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbook-tools")
def cli() -> None:
    """售后工作簿工具：校验、交接班、日汇总、催款汇总。"""


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
            check = check_workbook(read_grids(path), today)
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


def _sheets_option(value: str | None) -> tuple:
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
@click.option("--sheets", help="只要这些表，用逗号分隔，如「退件表,重发单」；默认全部。")
@click.option("--force", is_flag=True, help="文件已存在时覆盖。")
def new(out: Path, sheets: str | None, force: bool) -> None:
    """按模板新建一个空白工作簿（含「设置」表）。"""
    if out.suffix.lower() != ".xlsx":
        raise OutputError(f"「{out.name}」的扩展名应为 .xlsx。")
    specs = _sheets_option(sheets)
    write_new_file(out, build_workbook(specs), overwrite=force)
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
@click.option("--out", type=click.Path(path_type=Path), default=Path("workbook-tools-demo"),
              show_default=True, help="示例文件输出目录。")
def demo(out: Path) -> None:
    """生成几天的示例数据（含几处故意写错的行），再校验给你看。"""
    from .demo import make_demo

    today = date.today()
    data = make_demo(today)
    path = out / DEMO_FILE
    write_new_file(path, build_workbook(LEDGERS, data.rows, {"Agents": ("小美", "阿强", "莉莉")}), overwrite=True)
    counts = "、".join(f"{s.title} {len(data.rows[s.title])} 行" for s in LEDGERS if s.title in data.rows)
    click.echo(f"已按模板 {TEAM_FILE} 写入示例工作簿 {path}：{counts}。")
    click.echo(f"其中 {len(data.planted)} 处是故意写错的，校验结果如下：\n")
    _print_check(path, check_workbook(read_grids(path), today))
    click.echo(f"\n用 Excel 打开 {path} 可以看到下拉选项、自动合计和表头颜色；改好后再运行："
               f"workbook-tools validate {path}")


def main() -> None:
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    cli()
