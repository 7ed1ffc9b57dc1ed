"""The platform time rules and limits a team keeps on 设置 (domain.md, "Platform time rules")."""

from __future__ import annotations

from workbook_tools.spec.seeds import CHASE_ADVICE, COURSE, DUTIES, SOP, TIPS
from workbook_tools.spec.types import Rule, RuleBook, Unit


class PlatformRules(RuleBook):
    unpaid_close = Rule("未付款订单自动关闭", 3, Unit.DAYS, f"{SOP} 第五章 催款", "Rule_UnpaidClose")
    refund_unshipped = Rule(
        "未发货退款：卖家不处理自动同意", 2, Unit.DAYS, f"{SOP} 第四章 退款", "Rule_RefundUnshipped"
    )
    refund_shipped = Rule("已发货退款：卖家不处理自动同意", 7, Unit.DAYS, f"{SOP} 第四章 退款", "Rule_RefundShipped")
    seller_reply = Rule("卖家答复退货退款申请", 5, Unit.DAYS, f"{COURSE} 任务一 第二节", "Rule_SellerReply")
    return_confirm = Rule("买家寄出退货后卖家确认收货", 10, Unit.DAYS, f"{COURSE} 任务一", "Rule_ReturnConfirm")
    buyer_ship_return = Rule("买家收货后寄回退货", 7, Unit.DAYS, f"{COURSE} 任务一", "Rule_BuyerShipReturn")
    # 4 days of trying to reach the buyer, then the courier sends the parcel back
    problem_parcel = Rule(
        "疑难件最多联系买家几天",
        4,
        Unit.DAYS,
        f"{SOP} 第一章 Ⅱ 疑难件",
        "Rule_ProblemParcel",
        aliases=("疑难件联系不上买家",),
    )
    refused_refund_call = Rule("拒绝退款后电话联系买家", 48, Unit.HOURS, f"{DUTIES} 九.2", "Rule_RefusedRefundCall")
    refund_only_check = Rule(
        "仅退款多久查一次",
        30,
        Unit.MINUTES,
        f"{DUTIES} 三.5、九.2",
        "Rule_RefundOnlyCheck",
        aliases=("仅退款队列查看间隔",),
    )
    pdd_appeal = Rule("拼多多处罚申诉时限", 24, Unit.HOURS, TIPS, "Rule_PddAppeal")
    resend_ship = Rule("重发件寄出", 1, Unit.DAYS, f"{SOP} 第一章 Ⅳ 破损丢件（立即补发）", "Rule_ResendShip")
    max_chases = Rule("24 小时内同一买家最多催款次数", 3, Unit.TIMES, CHASE_ADVICE, "Rule_MaxChases")
    shift = Rule("一个班次的时长（本班到期的范围）", 8, Unit.HOURS, "团队排班", "Rule_Shift")
    evidence_photos = Rule("破损件最少凭证张数", 2, Unit.PHOTOS, f"{SOP} 第一章 Ⅳ 破损丢件", "Rule_EvidencePhotos")
    callback_follow_up = Rule(
        "回访反映的问题跟进", 1, Unit.DAYS, f"{SOP} 第六章 五.Ⅲ 回访工作信息收集及反馈", "Rule_CallbackFollowUp"
    )
    spot_check_fix = Rule("回访抽查问题整改", 3, Unit.DAYS, f"{SOP} 第七章 七 抽查记录", "Rule_SpotCheckFix")
    parcel_follow_up = Rule(
        "物流异常跟进", 1, Unit.DAYS, f"{DUTIES} 九.3、十.1（异常物流早跟进）", "Rule_ParcelFollowUp"
    )
    problem_parcel_return = Rule(
        "疑难件联系不上后原件退回仓库",
        11,
        Unit.DAYS,
        f"{SOP} 第一章 Ⅱ 疑难件（4 天联系不上，快递一周内退回）",
        "Rule_ProblemReturn",
    )
    intercept_return = Rule("已退款拦截件退回仓库", 7, Unit.DAYS, f"{DUTIES} 四.6", "Rule_InterceptReturn")
    claim_paid = Rule("快递理赔到账", 30, Unit.DAYS, f"{DUTIES} 十.1（定期跟踪）", "Rule_ClaimPaid")
    approval_above = Rule(
        "补偿超过多少元需主管审批", 50, Unit.YUAN, f"{COURSE} 任务一（补偿需要售后主管审批）", "Rule_ApprovalAbove"
    )
    approval_within = Rule(
        "主管审批补偿", 1, Unit.DAYS, f"{COURSE} 任务一（补偿需要售后主管审批）", "Rule_ApprovalWithin"
    )
    hide_passed_on = Rule("交接后隐藏已转交的行", 1, Unit.SWITCH, "团队习惯", "Rule_HidePassedOn")


RULES = PlatformRules()
