"""What the ribbon buttons run: `RunPython "import workbook_tools.excel as x; x.validate()"`.

Each entry point takes the workbook the agent has open (`xw.Book.caller()`),
runs exactly the core the CLI runs, writes through the xlwings backend and ends
with a short Chinese message box. Only the open-source xlwings API is used.
Text arguments arrive as ASCII-escaped Python literals (see `run_python_call`),
never as raw Chinese in the command string.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbook_tools.core.archive import ARCHIVED
from workbook_tools.core.changes import Change, placement_note
from workbook_tools.core.gc_pause import gc_paused
from workbook_tools.core.records import WorkbookCheck
from workbook_tools.core.results import earlier_marks, results_sheet, results_title
from workbook_tools.core.tables import Grid
from workbook_tools.core.validate import check_workbook
from workbook_tools.errors import WorkbookToolsError
from workbook_tools.excel.book import apply_changes, busy, read_grids
from workbook_tools.spec.codes import Severity
from workbook_tools.spec.reports import DAILY, MONTHLY, WEEKLY, PeriodSheet

if TYPE_CHECKING:
    from workbook_tools.core.tallies import Reading

TITLE = "售后工具"
ONLINE = "（这个工作簿是从网址打开的，读不到它是否归档过：归档过的话，请从电脑上的文件夹打开后再点。）"
MARK_FILL = "#FFC7CE"
NOTE_LIMIT = 5  # notes cost a round trip each; 校验结果 lists every finding
NOTE_MARK = "【校验】"
LAST_ROW = 1_048_576
EDIT_MODE = "请先结束单元格编辑（按 Enter 或 Esc）再点击按钮。"
_EDIT_MODE_CODES = {-2146777998, -2147418111}  # VBA_E_IGNORE, RPC_E_CALL_REJECTED: Excel is busy editing a cell


def run_python_call(function: str, **kwargs: object) -> str:
    """The Python statement a button passes to RunPython, with every text as an ASCII literal.

    VBA reads and passes the command in the system code page, which mangles
    Chinese; `ascii()` writes 小美 as '\\u5c0f\\u7f8e', which survives any code page.
    """
    args = ", ".join(f"{name}={value!a}" for name, value in kwargs.items() if value is not None)
    return f"import workbook_tools.excel as x; x.{function}({args})"


def _moment(at: str | None) -> datetime:
    """`at` as the CLI's --at takes it; now when not given (the buttons never give it)."""
    if not at:
        return datetime.now().replace(second=0, microsecond=0)
    try:
        return datetime.strptime(at, "%Y-%m-%d %H:%M")
    except ValueError:
        raise WorkbookToolsError(f"「{at}」不是有效时间，请写成 2026-11-22 18:00 这样的格式。") from None


def explain(error: BaseException) -> str:
    """A message box sentence for an error Excel or xlwings raised."""
    codes = {a for a in getattr(error, "args", ()) if isinstance(a, int)}
    text = " ".join(str(a) for a in getattr(error, "args", ()))
    if codes & _EDIT_MODE_CODES or "Call was rejected" in text:
        return EDIT_MODE
    if "protect" in text.lower() or "保护" in text:
        return "有工作表受密码保护，无法写入：请先在「审阅 → 撤销工作表保护」后再点击按钮。"
    _log(error)
    return (
        f"出错了（{type(error).__name__}），这次的结果可能没写完整，请检查后再点一次；"
        f"如果还出错，请把 {_log_path()} 发给负责工具的同事。"
    )


def _log_path() -> Path:
    base = os.environ.get("LOCALAPPDATA") or str(Path.home() / ".cache")
    return Path(base) / "workbook-tools" / "excel.log"


def _log(error: BaseException) -> None:
    """The code path of an unexpected error, without its message (which may quote a buyer's data)."""
    path = _log_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = "".join(traceback.format_tb(error.__traceback__))
    with path.open("a", encoding="utf-8") as log:
        log.write(f"{datetime.now():%Y-%m-%d %H:%M:%S} {type(error).__name__}\n{frames}\n")


def _api_flag(obj: Any, com_name: str, mac_name: str) -> bool:
    """A yes/no property of an Excel object (Windows COM, macOS AppleScript); other engines: unknown, so no."""
    api: Any = getattr(obj, "api", None)
    try:
        return bool(getattr(api, com_name))  # Windows COM
    except Exception:
        pass
    try:
        return bool(getattr(api, mac_name).get())  # macOS appscript
    except Exception:
        return False


def _protected(sheet: Any) -> bool:
    return _api_flag(sheet, "ProtectContents", "protect_contents")


def _check(book: Any, grids: list[Grid], today: date) -> WorkbookCheck:
    """The core's check of the open workbook; a workbook counting dates from 1904 (older Mac Excel) says so
    through the API, since its bare serial numbers mean other days."""
    return check_workbook(grids, today, date1904=_api_flag(book, "Date1904", "date_1904"))


def _with_archive(
    book: Any,
    check: WorkbookCheck,
    making: str,
    reading: Reading,
) -> tuple[WorkbookCheck, str]:
    """The open workbook's archived rows, read as the CLI reads them, and a sentence to add when that cannot be
    known. Whether rows left it, and in which run, is in the file as saved: the archive refuses a workbook someone
    has open, so the open copy is the saved one (a workbook never saved, encrypted or in another format was never
    archived). One opened from a web address (OneDrive, SharePoint) has no file here to read it from. The database
    is where the CLI looks without --db (WORKBOOK_TOOLS_DB, else the SQLite file beside the workbook)."""
    if "://" in book.fullname:
        return check, ONLINE
    from workbook_tools.xlsx.marks import archive_mark_at

    path = Path(book.fullname)
    mark = archive_mark_at(path) if path.is_file() else None
    if mark is None:
        return check, ""
    from workbook_tools.store.archive import with_archive

    return with_archive(check, path, mark, None, f"生成{making}", reading), ""


def _refuse_protected(book: Any, titles: list[str]) -> None:
    names = {s.name for s in book.sheets}
    for title in titles:
        if title in names and _protected(book.sheets[title]):
            raise WorkbookToolsError(f"「{title}」受密码保护，无法写入：请先在「审阅 → 撤销工作表保护」后再点击按钮。")


def _write(book: Any, grids: list[Grid], change: Change | None) -> str:
    """Apply one change after refusing a protected target; the sentence to add when a tab went elsewhere."""
    if change is None:
        return ""
    _refuse_protected(book, [change.sheet])
    apply_changes(book, grids, [change])
    return placement_note(change)


def _click(book: Any | None, status: str, work: Callable[[Any, list[Grid]], str]) -> str:
    """Run one button's work and show its outcome in a message box; never a traceback."""
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    try:
        with busy(book, status), gc_paused():
            message = work(book, read_grids(book))
    except WorkbookToolsError as error:
        message = str(error)
    except Exception as error:
        message = explain(error)
    book.app.alert(message, title=TITLE)
    return message


def _ours(note: Any) -> bool:
    """A note we added (and nobody rewrote since); engines that cannot read note text trust our record."""
    try:
        return bool(note.text.startswith(NOTE_MARK))
    except NotImplementedError:
        return True


def _quote(text: str) -> str:
    return text.replace('"', '""')


def _validate(book: Any, grids: list[Grid]) -> str:
    check = _check(book, grids, date.today())
    marked, noted = earlier_marks(grids)
    results, _ = results_title(grids)
    _refuse_protected(book, [results])
    new_marks = []
    for table in (t.table for t in check.tables):
        if table.sheet in marked:
            continue
        formula = f"=COUNTIF('{results}'!$A:$A,\"{_quote(table.sheet)}!\"&ADDRESS(ROW(),COLUMN(),4))>0"
        area = book.sheets[table.sheet].range((table.header_row + 1, 1), (LAST_ROW, max(table.last_col, 1)))
        area.conditional_formats.add_custom(formula, fill_color=MARK_FILL)
        new_marks.append(table.sheet)
    for address in noted:
        sheet_name, cell = address.rsplit("!", 1)
        if sheet_name in {s.name for s in book.sheets}:
            note = book.sheets[sheet_name].range(cell).note
            if note is not None and _ours(note):
                note.delete()
    notes = []
    for f in [f for f in check.findings if f.severity is Severity.ERROR][:NOTE_LIMIT]:
        target = book.sheets[f.sheet].range(f.cell)
        if target.note is None:
            target.add_note(NOTE_MARK + f.message)
            notes.append(f"{f.sheet}!{f.cell}")
    _write(book, grids, results_sheet(check, notes, marked + new_marks, _moment(None)))
    if not check.findings:
        return "校验完成：没有发现问题。"
    return f"校验完成：{check.errors} 个错误、{check.warnings} 个警告，已在表中标红，详见「{results}」表。"


def validate(book: Any | None = None) -> str:
    """校验 button: mark every problem cell and list all findings on 校验结果."""
    return _click(book, "正在校验…", _validate)


def shift_handover(
    book: Any | None = None, from_agent: str | None = None, to_agent: str | None = None, at: str | None = None
) -> str:
    """交接班 button: names from the add-in's prompt, else from the roster on 设置."""
    from workbook_tools.core.handover import handover
    from workbook_tools.spec.sheets import HANDOVER

    def work(book: Any, grids: list[Grid]) -> str:
        moment = _moment(at)
        result = handover(_check(book, grids, moment.date()), from_agent, to_agent, moment)
        note = _write(book, grids, result.change)
        if not result.written:
            return f"没有新的交接事项（{result.already} 项之前已交接过）。" + note
        sheet = result.change.sheet if result.change else HANDOVER.title
        return f"已交接 {result.written} 项，其中 {result.overdue} 项已超时，见「{sheet}」。" + note

    return _click(book, "正在交接班…", work)


def acknowledge(book: Any | None = None, agent: str | None = None, at: str | None = None) -> str:
    """确认接班 button: the name from the add-in's prompt, else the agent the roster on 设置 puts on duty now."""
    from workbook_tools.core.handover import acknowledge as confirm
    from workbook_tools.spec.sheets import HANDOVER

    def work(book: Any, grids: list[Grid]) -> str:
        moment = _moment(at)
        done = confirm(_check(book, grids, moment.date()), agent, moment)
        note = _write(book, grids, done.change)
        sheet = done.change.sheet if done.change else HANDOVER.title
        if not done.count:
            return f"「{sheet}」里没有交给{done.agent}、还没确认的交接事项。" + note
        return (
            f"已确认 {done.count} 项交给{done.agent}的交接，"
            f"{HANDOVER.acknowledged_at.header}填为 {moment:%m-%d %H:%M}，见「{sheet}」。" + note
        )

    return _click(book, "正在确认接班…", work)


def _day(day: str | None) -> date:
    try:
        return date.fromisoformat(day) if day else date.today()
    except ValueError:
        raise WorkbookToolsError(f"「{day}」不是有效日期，请写成 2026-11-22 这样的格式。") from None


def daily_totals(book: Any | None = None, day: str | None = None, at: str | None = None) -> str:
    """日汇总 button: today unless the prompt gave a day (YYYY-MM-DD)."""
    from workbook_tools.core.totals import daily_reading
    from workbook_tools.core.totals import daily_totals as compute

    def work(book: Any, grids: list[Grid]) -> str:
        chosen = _day(day)
        check, unknown = _with_archive(book, _check(book, grids, chosen), DAILY.title, daily_reading(chosen, ARCHIVED))
        result, sheet = compute(check, chosen, _moment(at))
        note = _write(book, grids, sheet) + unknown
        skipped = f"；{len(result['excluded_rows'])} 行有错误未计入" if result["excluded_rows"] else ""
        return (
            f"已生成 {result['date']} 的「{sheet.title}」：未处理 {result['open_items']} 项，"
            f"已超时 {result['overdue']} 项{skipped}。" + note
        )

    return _click(book, f"正在生成{DAILY.title}…", work)


def _period_report(book: Any | None, period: PeriodSheet, day: str | None, at: str | None) -> str:
    """周报 / 月报 of the period holding `day` (today by default), from the rows in the open workbook."""
    from workbook_tools.core.report import period_report, report_reading

    def work(book: Any, grids: list[Grid]) -> str:
        chosen = _day(day)
        reading = report_reading(period, chosen, ARCHIVED)
        check = _check(book, grids, chosen)
        check, unknown = _with_archive(book, check, period.title, reading)
        result, sheet = period_report(check, period, chosen, _moment(at))
        note = _write(book, grids, sheet) + unknown
        refunds, chase = result["refunds"], result["chase"]
        return (
            f"已生成 {result['from']} 至 {result['to']} 的「{sheet.title}」：退款 {refunds['count']} 笔，"
            f"超时 {refunds['timed_out']} 笔；催回 {chase['paid']} 单。" + note
        )

    return _click(book, f"正在生成{period.title}…", work)


def weekly_report(book: Any | None = None, day: str | None = None, at: str | None = None) -> str:
    """周报 button: this week, Monday to Sunday, beside the week before."""
    return _period_report(book, WEEKLY, day, at)


def monthly_report(book: Any | None = None, day: str | None = None, at: str | None = None) -> str:
    """月报 button: this month beside the month before."""
    return _period_report(book, MONTHLY, day, at)


def chase_summary(book: Any | None = None, at: str | None = None) -> str:
    """催款汇总 button."""
    from workbook_tools.core.totals import chase_summary as compute
    from workbook_tools.spec.sheets import CHASE_SUMMARY

    def work(book: Any, grids: list[Grid]) -> str:
        moment = _moment(at)
        result, change = compute(_check(book, grids, moment.date()), moment)
        note = _write(book, grids, change)
        days = len({row["date"] for row in result["rows"]})
        sheet = change.sheet if change else CHASE_SUMMARY.title
        return f"已更新「{sheet}」：{days} 天、{len(result['rows'])} 行。" + note

    return _click(book, "正在汇总催款…", work)
