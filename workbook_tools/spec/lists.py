"""The drop-down lists kept on 设置 (editable by the team), with the values logic refers to by name.

Sources: ../shared/domain.md and the seeds it cites. Order on 设置 follows `ALL`.
"""

from __future__ import annotations

from typing import ClassVar

from workbook_tools.spec.rules import RULES
from workbook_tools.spec.types import LIST_SEPARATOR, ChoiceList, Rule


class OrderStatus(ChoiceList):
    title, name = "订单状态", "OrderStatus"
    AWAITING_PAYMENT = "等待买家付款"
    PAID = "买家已付款"
    SHIPPED = "卖家已发货"
    COMPLETED = "交易成功"
    REFUNDING = "退款中"
    CLOSED = "交易关闭"


class HandoverState(ChoiceList):
    title, name = "交接状态", "HandoverState"
    PENDING = "待处理"
    PASSED_ON = "已转交"
    DONE = "已完成"
    synonyms: ClassVar[dict[str, str]] = {
        "处理中": PENDING,
        "未处理": PENDING,
        "跟进中": PENDING,
        "待跟进": PENDING,
        "未完成": PENDING,
        "已处理": DONE,
        "完成": DONE,
        "已办结": DONE,
        "已解决": DONE,
        "已办": DONE,
        "转交": PASSED_ON,
    }


class ItemType(ChoiceList):
    """事项类型 of a handover row; its 时限规则 names the rule its deadline follows (editable on 设置)."""

    title, name = "事项类型", "ItemType"
    strict = False
    attribute = "时限规则"
    RETURN = "退件确认"
    RESEND = "重发"
    QUALITY = "质量问题"
    CHASE = "催款"
    REFUND_UNSHIPPED = "退款申请（未发货）"
    REFUND_SHIPPED = "退款申请（已发货）"
    REQUEST = "售后申请"
    AWAITING_RETURN = "等待买家退货"
    REFUSED_CALL = "拒绝退款回访"
    PROBLEM_PARCEL = "疑难件"
    OTHER = "其他"
    attribute_values = (
        RULES.return_confirm.title,
        RULES.resend_ship.title,
        RULES.seller_reply.title,
        RULES.unpaid_close.title,
        RULES.refund_unshipped.title,
        RULES.refund_shipped.title,
        RULES.seller_reply.title,
        RULES.buyer_ship_return.title,
        RULES.refused_refund_call.title,
        RULES.problem_parcel.title,
        "",
    )


class ReturnType(ChoiceList):
    """Why a parcel came back (003 ch.2); who pays postage follows the cause."""

    title, name = "退回类型", "ReturnType"
    attribute = "邮费承担方"
    ALLERGY = "过敏"
    QUALITY = "产品质量问题"
    SHIPPING = "发货问题"
    COURIER = "快递原因"
    CUSTOMER = "客户原因"
    attribute_values = ("客户", "我司", "我司", "快递", "客户")


class ReturnSolution(ChoiceList):
    title, name = "解决方案", "ReturnSolution"
    REFUND = "退款"
    EXCHANGE = "换货"
    RESEND = "重发"
    REISSUE = "补发"
    PRICE_DIFFERENCE = "退差价"
    GIFT = "赠品补偿"


class ReturnResult(ChoiceList):
    title, name = "处理结果", "ReturnResult"
    strict = False
    PENDING = "待处理"
    REFUNDED = "已退款"
    EXCHANGED = "已换货"
    RESENT = "已重发"
    DIFFERENCE_REFUNDED = "已退差价"
    COMPENSATED = "已补偿"
    REFUSED = "已拒绝"


class Carrier(ChoiceList):
    title, name = "承运商", "Carrier"
    strict = False
    SF = "顺丰速运"
    ZTO = "中通快递"
    YTO = "圆通速递"
    STO = "申通快递"
    YUNDA = "韵达快递"
    JT = "极兔速递"
    EMS = "邮政EMS"
    JD = "京东物流"


class ResendReason(ChoiceList):
    title, name = "发件原因", "ResendReason"
    strict = False
    ALLERGY_EXCHANGE = "过敏换货"
    QUALITY_EXCHANGE = "质量问题换货"
    DAMAGED = "破损补发"
    LOST = "丢件补发"
    WRONG_ITEM = "错发重发"
    MISSING_ITEM = "漏发补发"
    OTHER = "其他"


class IssueType(ChoiceList):
    title, name = "问题类型", "IssueType"
    QUALITY = "质量问题"
    DAMAGED = "破损"
    LEAKING = "漏液"
    LOST = "丢件"
    WRONG_ITEM = "错发"
    MISSING_ITEM = "漏发"
    ALLERGY = "过敏"
    USAGE = "使用问题"
    PACKAGING = "包装问题"
    OTHER = "其他"


class Responsible(ChoiceList):
    title, name = "责任方", "Responsible"
    SHOP = "我司"
    COURIER = "快递"
    FACTORY = "厂家"
    CUSTOMER = "客户"


class IssueSolution(ChoiceList):
    title, name = "处理方案", "IssueSolution"
    REISSUE = "补发"
    REFUND = "退款"
    PRICE_DIFFERENCE = "退差价"
    SAMPLES = "补中小样"
    GIFT = "赠品"
    EXCHANGE = "换货"
    TEACH = "教会使用"


class ClaimState(ChoiceList):
    title, name = "索赔状态", "ClaimState"
    NOT_NEEDED = "无需索赔"
    TO_CLAIM = "待索赔"
    CLAIMING = "索赔中"
    PAID = "已赔付"
    REFUSED = "已拒赔"


class YesNo(ChoiceList):
    title, name = "是否", "YesNo"
    YES = "是"
    NO = "否"


class IssueState(ChoiceList):
    title, name = "结案状态", "IssueState"
    OPEN = "处理中"
    CLOSED = "已结案"


class ChaseAnswer(ChoiceList):
    """How a chase went: a call's answers (003 ch.5: 本人 / 非本人 / 未接通) and a message's.

    计入已联系 says which count as 已联系 in 联系率: the buyer was reached. A call
    answered by someone else counts (the SOP's 话术 for 非本人 leaves the message
    with them), so does a message the buyer has read (已读未回: the reminder reached
    them, they chose not to answer); 未接通 and 未读 do not: nobody is known to have
    heard of the order.
    """

    title, name = "接听情况", "ChaseAnswer"
    attribute = "计入已联系"
    BUYER = "本人接听"
    SOMEONE_ELSE = "非本人接听"
    NO_ANSWER = "未接通"
    REPLIED = "已回复"
    READ = "已读未回"
    UNREAD = "未读"
    attribute_values = (YesNo.YES, YesNo.YES, YesNo.NO, YesNo.YES, YesNo.YES, YesNo.NO)


_CALL_ANSWERS = (ChaseAnswer.BUYER, ChaseAnswer.SOMEONE_ELSE, ChaseAnswer.NO_ANSWER)
_MESSAGE_ANSWERS = (ChaseAnswer.REPLIED, ChaseAnswer.READ, ChaseAnswer.UNREAD)


class ChaseMethod(ChoiceList):
    """How a buyer was chased; 可选接听情况 lists the 接听情况 each way can have (a team adds a way, its answers)."""

    title, name = "催款方式", "ChaseMethod"
    attribute = "可选接听情况"
    PHONE = "电话"
    WANGWANG = "旺旺"
    QIANNIU = "千牛"
    SMS = "短信"
    PDD_MESSAGE = "拼多多消息"
    attribute_values = (
        LIST_SEPARATOR.join(_CALL_ANSWERS),
        *(LIST_SEPARATOR.join(_MESSAGE_ANSWERS),) * 4,
    )


class ChaseResult(ChoiceList):
    title, name = "催款结果", "ChaseResult"
    PAID = "已付款"
    UNPAID = "未付款"
    CLOSED = "已关闭"


class UnpaidReason(ChoiceList):
    """Why a buyer had not paid, as shops record it when chasing (the reasons 催付 guides sort buyers by); teams add
    their own."""

    title, name = "未付原因", "UnpaidReason"
    strict = False
    FORGOT = "忘记付款"
    HESITATING = "还在考虑"
    WAITING_FOR_DISCOUNT = "等优惠或比价"
    PAYMENT_PROBLEM = "付款遇到问题"
    WRONG_ORDER = "拍错或重拍"
    NOT_WANTED = "不想买了"
    OTHER = "其他"


class Platform(ChoiceList):
    """Where an order was placed: each platform's after-sales limits may differ (domain.md).

    `own_rules` are the defaults that differ from the rule table's 数值 column
    (which is 淘宝/天猫's); on 设置 each has a column of its own, and a team adds
    a platform by adding it to this list and a column of that name.
    """

    title, name = "平台", "Platform"
    TAOBAO = "淘宝"
    TMALL = "天猫"
    PDD = "拼多多"
    # domain.md: Pinduoduo's after-sales steps run on roughly 48 hours
    own_rules: ClassVar[dict[str, tuple[tuple[Rule, float], ...]]] = {
        PDD: ((RULES.refund_shipped, 2), (RULES.seller_reply, 2), (RULES.return_confirm, 2)),
    }


class AfterSalesType(ChoiceList):
    title, name = "售后类型", "AfterSalesType"
    REFUND_ONLY = "仅退款"
    RETURN_REFUND = "退货退款"
    EXCHANGE = "换货"
    REISSUE = "补寄"
    synonyms: ClassVar[dict[str, str]] = {"退款": REFUND_ONLY, "退货": RETURN_REFUND, "补发": REISSUE}


class ShippingState(ChoiceList):
    title, name = "发货状态", "ShippingState"
    UNSHIPPED = "未发货"
    SHIPPED = "已发货"
    RECEIVED = "已签收"
    synonyms: ClassVar[dict[str, str]] = {"买家已付款": UNSHIPPED, "卖家已发货": SHIPPED, "已收货": RECEIVED}


class RequestState(ChoiceList):
    """A request's state as the shop backend words it (the synonyms are the backends' own phrases)."""

    title, name = "售后状态", "RequestState"
    PENDING = "待处理"
    AGREED = "已同意"
    REFUSED = "已拒绝"
    AWAITING_RETURN = "待买家退货"
    RETURNED = "买家已退货"
    REFUNDED = "已退款"
    CLOSED = "已关闭"
    synonyms: ClassVar[dict[str, str]] = {
        "等待卖家同意": PENDING,
        "待卖家处理": PENDING,
        "处理中": PENDING,
        "卖家已同意": AGREED,
        "卖家已拒绝": REFUSED,
        "卖家拒绝退款": REFUSED,
        "等待买家退货": AWAITING_RETURN,
        "买家已发货": RETURNED,
        "等待卖家确认收货": RETURNED,
        "退款成功": REFUNDED,
        "退款关闭": CLOSED,
        "售后关闭": CLOSED,
    }


class Agents(ChoiceList):
    """The team's agents: empty by default, filled in by the team."""

    title, name = "值班人员", "Agents"
    strict = False


ORDER_STATUS = OrderStatus()
HANDOVER_STATE = HandoverState()
ITEM_TYPE = ItemType()
RETURN_TYPE = ReturnType()
RETURN_SOLUTION = ReturnSolution()
RETURN_RESULT = ReturnResult()
CARRIER = Carrier()
RESEND_REASON = ResendReason()
ISSUE_TYPE = IssueType()
RESPONSIBLE = Responsible()
ISSUE_SOLUTION = IssueSolution()
CLAIM_STATE = ClaimState()
YES_NO = YesNo()
ISSUE_STATE = IssueState()
CHASE_METHOD = ChaseMethod()
CHASE_ANSWER = ChaseAnswer()
CHASE_RESULT = ChaseResult()
UNPAID_REASON = UnpaidReason()
PLATFORM = Platform()
AFTER_SALES_TYPE = AfterSalesType()
SHIPPING_STATE = ShippingState()
REQUEST_STATE = RequestState()
AGENTS = Agents()

ALL: tuple[ChoiceList, ...] = (
    ORDER_STATUS,
    HANDOVER_STATE,
    ITEM_TYPE,
    RETURN_TYPE,
    RETURN_SOLUTION,
    RETURN_RESULT,
    CARRIER,
    RESEND_REASON,
    ISSUE_TYPE,
    RESPONSIBLE,
    ISSUE_SOLUTION,
    CLAIM_STATE,
    YES_NO,
    ISSUE_STATE,
    CHASE_METHOD,
    CHASE_ANSWER,
    CHASE_RESULT,
    UNPAID_REASON,
    PLATFORM,
    AFTER_SALES_TYPE,
    SHIPPING_STATE,
    REQUEST_STATE,
    AGENTS,
)
