"""The platform time rules and limits a team keeps on 设置 (domain.md, "Platform time rules")."""

from __future__ import annotations

from workbook_tools.spec.types import Rule, RuleBook, Unit


class PlatformRules(RuleBook):
    unpaid_close = Rule("未付款订单自动关闭", 3, Unit.DAYS, "003 第五章", "Rule_UnpaidClose")
    refund_unshipped = Rule("未发货退款：卖家不处理自动同意", 2, Unit.DAYS, "003 第四章", "Rule_RefundUnshipped")
    refund_shipped = Rule("已发货退款：卖家不处理自动同意", 7, Unit.DAYS, "003 第四章", "Rule_RefundShipped")
    seller_reply = Rule("卖家答复退货退款申请", 5, Unit.DAYS, "002 任务一 第二节", "Rule_SellerReply")
    return_confirm = Rule("买家寄出退货后卖家确认收货", 10, Unit.DAYS, "002", "Rule_ReturnConfirm")
    buyer_ship_return = Rule("买家收货后寄回退货", 7, Unit.DAYS, "002", "Rule_BuyerShipReturn")
    problem_parcel = Rule("疑难件联系不上买家", 4, Unit.DAYS, "003 第一章 Ⅱ", "Rule_ProblemParcel")
    refused_refund_call = Rule("拒绝退款后电话联系买家", 48, Unit.HOURS, "000 §九.2", "Rule_RefusedRefundCall")
    refund_only_check = Rule("仅退款队列查看间隔", 30, Unit.MINUTES, "000 §3.5", "Rule_RefundOnlyCheck")
    pdd_appeal = Rule("拼多多处罚申诉时限", 24, Unit.HOURS, "001", "Rule_PddAppeal")
    resend_ship = Rule("重发件寄出", 1, Unit.DAYS, "003 第一章 Ⅳ（立即补发）", "Rule_ResendShip")
    max_chases = Rule("24 小时内同一买家最多催款次数", 3, Unit.TIMES, "domain.md", "Rule_MaxChases")
    shift = Rule("一个班次的时长（本班到期的范围）", 8, Unit.HOURS, "团队排班", "Rule_Shift")
    evidence_photos = Rule("破损件最少凭证张数", 2, Unit.PHOTOS, "003 第一章 Ⅳ", "Rule_EvidencePhotos")
    hide_passed_on = Rule("交接后隐藏已转交的行", 1, Unit.SWITCH, "团队习惯", "Rule_HidePassedOn")


RULES = PlatformRules()
