"""The tabs we generate whole (日汇总, 周报 and 月报, 校验结果): their titles and every label they show.

Labels that name a ledger's column or value are built from that declaration,
so a renamed column renames its row here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbook_tools.spec.figures import paid_label
from workbook_tools.spec.lists import CLAIM_STATE, FACTORY_STATE, RETURN_TYPE
from workbook_tools.spec.sheets import (
    AFTER_SALES,
    CALLBACKS,
    CHASE_SUMMARY,
    DISPUTES,
    PARCEL_ISSUES,
    QUALITY,
    RESENDS,
    RETURNS,
    REVIEWS,
    SPOT_CHECKS,
)

WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class DailySheet:
    """日汇总: one day beside the `trend_days` before it, overview first, then breakdowns and the trend."""

    title: str = "日汇总"
    trend_days: int = 7
    unfilled: str = "未填"  # a breakdown's row for rows that leave the column blank
    undecided: str = "待定"  # a postage payer the 设置 sheet does not give
    none: str = "（无）"  # an empty table's only row

    @property
    def week(self) -> str:
        return f"近 {self.trend_days} 天"

    def heading(self, day: str) -> str:
        return f"{self.title} {day}"

    def note(self, at: str, first: str, last: str) -> str:
        return f"生成于 {at}；{self.week} = {first} 至 {last}；未处理和超时按生成时计算。"

    @property
    def overview_header(self) -> tuple[str, str, str]:
        return ("指标", "当天", self.week)

    @property
    def signature(self) -> tuple[int, tuple[str, ...]]:
        """What row of a 日汇总 we generated holds: a sheet of that name without it is the team's own."""
        return (4, self.overview_header)

    @property
    def overview(self) -> dict[str, str]:
        """Overview row labels by figure."""
        return {
            "return_rows": "退件单数",
            "return_parcels": "退件包裹（件）",
            "return_qty": "退回数量（个）",
            "resends": "重发单数",
            "resends_open": "重发未发出",
            "quality": QUALITY.title.removesuffix("表"),
            "compensation": paid_label(QUALITY.compensation.header),
            "courier_loss": f"{QUALITY.courier_loss.header}（元）",
            "to_chase": CHASE_SUMMARY.to_chase.header,
            "paid": CHASE_SUMMARY.paid.header,
            "paid_amount": f"{CHASE_SUMMARY.paid_amount.header}（元）",
            "closed": f"未付款{CHASE_SUMMARY.closed.header}",
            "requests": f"{AFTER_SALES.title.removesuffix('单')}申请（单）",
            "refund_amount": paid_label(AFTER_SALES.refund.header),
            "requests_open": f"未处理{AFTER_SALES.title}（当前）",
            "requests_overdue": f"已超时{AFTER_SALES.title}（当前）",
            "handovers": "交接事项",
            "unacknowledged": "交接未确认",
            "open_items": "未处理事项（当前）",
            "overdue": "已超时事项（当前）",
        }

    def by(self, subject: str, header: str, weekly: bool = False) -> str:
        return f"{subject}按{header}" + (f"（{self.week}）" if weekly else "")

    @property
    def tables(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Breakdown tables: title and header, by key."""
        day, week = "当天", self.week
        return {
            "return_type": (self.by("退件", RETURNS.return_type.header), (RETURNS.return_type.header, day, week)),
            "payer": (RETURNS.payer.header, ("承担方", day, week)),
            "product": (self.by("退回数量", "产品"), (RETURNS.product.header, day, week)),
            "resend_reason": (
                self.by("重发", RESENDS.reason.header, True),
                (RESENDS.reason.header, "已发出", "未发出"),
            ),
            "issue_type": (
                self.by(QUALITY.title.removesuffix("表"), "类型", True),
                (QUALITY.issue_type.header, "件数", QUALITY.compensation.header, QUALITY.courier_loss.header),
            ),
            "responsible": (
                self.by(QUALITY.title.removesuffix("表"), QUALITY.responsible.header, True),
                (QUALITY.responsible.header, "件数"),
            ),
            "factory": (
                f"{FACTORY_STATE.PENDING}（寄出前一直列出）",
                (
                    "登记日期",
                    QUALITY.product.header,
                    QUALITY.issue_type.header,
                    QUALITY.order_no.header,
                    QUALITY.factory.header,
                ),
            ),
            "trend": (
                f"{week}趋势",
                ("日期", "退件", "重发", QUALITY.title.removesuffix("表"), "催回单数", "催回金额"),
            ),
            "excluded": ("未计入的行（有校验错误，请先改正）", ("来源",)),
        }

    @property
    def chart_series(self) -> tuple[str, str]:
        return ("当天", self.week)

    def day_label(self, month_day: str, weekday: int) -> str:
        return f"{month_day} 周{WEEKDAYS[weekday]}"


@dataclass(frozen=True)
class ResultsSheet:
    """校验结果: every finding, and the record of the marks the Excel button left (see excel/)."""

    title: str = "校验结果"
    header: tuple[str, ...] = ("位置", "表", "单元格", "列", "级别", "代码", "说明")
    marked_prefix: str = "已设标记的表："
    noted_prefix: str = "已加批注的单元格："
    nothing: str = "没有发现问题。"

    @property
    def signature(self) -> tuple[int, tuple[str, ...]]:
        return (4, self.header)

    def summary(self, at: str, errors: int, warnings: int) -> str:
        return f"校验于 {at}：{errors} 个错误、{warnings} 个警告。改正后再点「校验」，标记会自动更新。"


DAILY = DailySheet()
RESULTS = ResultsSheet()


@dataclass(frozen=True)
class PeriodSheet:
    """周报 and 月报: a week (Monday to Sunday) or a calendar month, each figure beside the period before it."""

    period: str  # the --period word and the "period" of --json
    title: str
    noun: str  # 周, 月
    label_format: str = "%m-%d"  # a period's name in the trend: the day it starts, or its month
    trend_periods: int = 8  # how many periods the trend shows, this one last
    repeat_days: int = 30  # a repeat buyer has two or more cases within this many days
    repeat_cases: int = 2
    none: str = "（无）"
    unfilled: str = "未填"
    no_orders: str = "工作簿里没有订单数，所以没有算退件占订单的比例。"

    def heading(self, first: str, last: str) -> str:
        return f"{self.title} {first} 至 {last}"

    def note(self, at: str, first: str, last: str) -> str:
        noun = self.noun
        return f"生成于 {at}；上{noun} = {first} 至 {last}；已归档的行一起计算；变化 = 本{noun} − 上{noun}。"

    @property
    def compare_header(self) -> tuple[str, str, str, str]:
        return ("指标", f"本{self.noun}", f"上{self.noun}", "变化")

    @property
    def signature(self) -> tuple[int, tuple[str, ...]]:
        """What row of a 周报/月报 we generated holds: a sheet of that name without it is the team's own."""
        return (4, self.compare_header)

    @property
    def overview(self) -> dict[str, str]:
        """Overview row labels by figure."""
        return {
            "refunds": f"{AFTER_SALES.refund.header.removesuffix('金额')}笔数",
            "refund_amount": paid_label(AFTER_SALES.refund.header),
            "median_hours": f"{AFTER_SALES.applied_at.header}到{AFTER_SALES.refunded_at.header}（小时，中位数）",
            "p90_hours": f"{AFTER_SALES.applied_at.header}到{AFTER_SALES.refunded_at.header}（小时，90% 分位）",
            "timed_out": "超时处理的退款（笔）",
            "to_chase": CHASE_SUMMARY.to_chase.header,
            "paid": CHASE_SUMMARY.paid.header,
            "paid_amount": f"{CHASE_SUMMARY.paid_amount.header}（元）",
            "contact_rate": CHASE_SUMMARY.contact_rate.header,
            "success_rate": CHASE_SUMMARY.success_rate.header,
            "repeat_buyers": f"重复售后的买家（{self.repeat_days} 天内 {self.repeat_cases} 次及以上）",
        }

    @property
    def agent_figures(self) -> dict[str, str]:
        """Per-agent figure labels by key."""
        return {
            "registered": f"登记（{RESENDS.title}、{QUALITY.title}）",
            "handled": f"处理（{AFTER_SALES.title}、结案）",
            "overdue": "交接时已超时",
            "unacknowledged": "交接未确认",
            "to_chase": CHASE_SUMMARY.to_chase.header,
            "paid": CHASE_SUMMARY.paid.header,
            "calls": f"{CALLBACKS.title.removesuffix('表')}（次）",
            "checks": f"{SPOT_CHECKS.title.removesuffix('表')}（次）",
            "score": f"抽查平均{SPOT_CHECKS.score.header}",
        }

    @property
    def carrier_figures(self) -> dict[str, str]:
        return {
            "loss": QUALITY.courier_loss.header,
            "claimed": PARCEL_ISSUES.claimed.header,
            "recovered": QUALITY.recovered.header,
            "open_claims": f"未完成索赔（{CLAIM_STATE.TO_CLAIM}、{CLAIM_STATE.CLAIMING}）",
        }

    @property
    def tables(self) -> dict[str, tuple[str, tuple[str, ...]]]:
        """Breakdown tables: title and header, by key."""
        this, last, change = self.compare_header[1:]
        return {
            "agents": ("按客服", ("客服", "指标", this, last, change)),
            "carriers": (
                f"按{RETURNS.carrier.header}：快递损失和索赔",
                (RETURNS.carrier.header, "指标", this, last, change),
            ),
            "returns": (
                f"退件按产品和{RETURNS.return_type.header}（本{self.noun}）",
                (RETURNS.product.header, RETURNS.return_type.header, "单数", RETURNS.quantity.header),
            ),
            "allergy": (
                f"{RETURN_TYPE.ALLERGY}按产品（本{self.noun}）",
                (RETURNS.product.header, "单数", RETURNS.quantity.header),
            ),
            "issues": (
                f"{QUALITY.title.removesuffix('表')}按产品和{QUALITY.issue_type.header}（本{self.noun}）",
                (QUALITY.product.header, QUALITY.issue_type.header, "件数"),
            ),
            "causes": (
                f"{REVIEWS.title.removesuffix('表')}按{REVIEWS.reason.header}、"
                f"{DISPUTES.title.removesuffix('表')}按{DISPUTES.dispute_type.header}",
                ("表", f"{REVIEWS.reason.header}/{DISPUTES.dispute_type.header}", this, last),
            ),
            "repeat_buyers": (
                self.overview["repeat_buyers"],
                (AFTER_SALES.buyer_id.header, "次数"),
            ),
            "trend": (
                f"近 {self.trend_periods} {self.noun}趋势",
                (
                    self.noun,
                    "退件",
                    QUALITY.title.removesuffix("表"),
                    self.overview["refunds"],
                    CHASE_SUMMARY.paid.header,
                ),
            ),
            "excluded": (DAILY.tables["excluded"][0], DAILY.tables["excluded"][1]),
        }

    @property
    def chart_series(self) -> tuple[str, str]:
        return (f"本{self.noun}", f"上{self.noun}")


WEEKLY = PeriodSheet("week", "周报", "周")
MONTHLY = PeriodSheet("month", "月报", "月", "%Y-%m")
PERIODS = {s.period: s for s in (WEEKLY, MONTHLY)}
