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
    """事项类型 of a handover row; its 时限规则 names the rule its deadline follows (editable on 设置).

    Seeds: 缺货 (客服岗位规范 三.4, 四.6: out-of-stock orders get a message within the shift), 拦截件 (四.6: checked
    at every end of shift until the parcel is back in the warehouse), 中差评 (九.5: a review that needs an answer is
    answered at once; 网络客服服务实务 任务二), 投诉 (十一.5: handled, or passed up, at once; 任务三/四): each is the
    receiving shift's to do, so each follows the shift's length (团队排班).
    """

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
    REFUSED_CALL = "拒绝退款后电联"  # 回访 is a satisfaction call in 售后服务手册 第六章; this one explains a refusal
    PROBLEM_PARCEL = "疑难件"
    OUT_OF_STOCK = "缺货"
    INTERCEPTED = "拦截件"
    REVIEW = "中差评"
    COMPLAINT = "投诉"
    CALLBACK = "回访跟进"
    SPOT_CHECK = "抽查整改"
    PARCEL = "物流异常"
    PARCEL_RETURN = "疑难件退回"
    INTERCEPT_RETURN = "拦截件退回"
    CLAIM = "快递理赔"
    APPROVAL = "主管审批"
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
        *(RULES.shift.title,) * 4,
        RULES.callback_follow_up.title,
        RULES.spot_check_fix.title,
        RULES.parcel_follow_up.title,
        RULES.problem_parcel_return.title,
        RULES.intercept_return.title,
        RULES.claim_paid.title,
        RULES.approval_within.title,
        "",
    )
    synonyms: ClassVar[dict[str, str]] = {"拒绝退款回访": REFUSED_CALL}  # its name until issue 15


class PostagePayer(ChoiceList):
    """Who pays a return's postage (售后服务手册 第二章、第三章: the cause decides). Not a list of its own on 设置:
    these are the words of 退回类型's 邮费承担方 column there, and of 退件表's 邮费承担方 cells."""

    title, name = "邮费承担方", "PostagePayer"
    strict = False
    CUSTOMER = "客户"
    SHOP = "我司"
    COURIER = "快递"
    INSURANCE = "运费险"  # the buyer's or the shop's shipping insurance pays (a 7 天无理由 return usually)


class ReturnType(ChoiceList):
    """Why a parcel came back (售后服务手册 第二章); who pays postage follows the cause."""

    title, name = "退回类型", "ReturnType"
    attribute = PostagePayer.title
    ALLERGY = "过敏"
    QUALITY = "产品质量问题"
    SHIPPING = "发货问题"
    COURIER = "快递原因"
    CUSTOMER = "客户原因"
    REFUSED = "拒收"  # 第二章 二.Ⅰ: the buyer refuses the parcel at the door; the usual cause is the buyer's own
    SLOW = "缺货/发货慢"  # 第二章 二.Ⅰ 我司原因 a.缺货 c.发货不及时; 淘宝客服售后处理技巧 一.1 (发货比较慢)
    WRONG_ITEM = "错发"  # 第三章 二.Ⅰ/Ⅱ 我司原因 a.错发
    MISSING_ITEM = "漏发"  # 第二章 二.Ⅰ 我司原因 b.漏发产品
    DAMAGED = "破损"  # 第一章 Ⅳ 破损件; 第二章 二.Ⅰ 快递原因 a.破损、丢失 (损失由快递承担)
    LOST = "丢件"  # 第一章 Ⅳ 丢件
    attribute_values = (
        PostagePayer.CUSTOMER,
        PostagePayer.SHOP,
        PostagePayer.SHOP,
        PostagePayer.COURIER,
        PostagePayer.CUSTOMER,
        PostagePayer.CUSTOMER,
        PostagePayer.SHOP,
        PostagePayer.SHOP,
        PostagePayer.SHOP,
        PostagePayer.COURIER,
        PostagePayer.COURIER,
    )


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
    OUT_OF_AREA = "超区重发"  # 售后服务手册 第一章 Ⅲ 超区件; 网络客服服务实务 任务一 (快递超区)
    PROBLEM_PARCEL = "疑难件重发"  # 售后服务手册 第一章 Ⅱ 疑难件
    OUT_OF_STOCK = "缺货补发"  # 售后服务手册 第二章 二.Ⅰ a.缺货: sent when the stock arrives
    NO_REASON_EXCHANGE = "无理由换货"  # 售后服务手册 第三章 二.Ⅱ b.无理由换货
    SAMPLES = "小样/赠品补寄"  # 售后服务手册 第二章 二.Ⅱ (补中小样, 送些赠品), 第三章 二.Ⅰ
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
    SHORT = "少件"  # 售后服务手册 第三章 二.Ⅰ 产品质量问题 a.少量 (出厂量少); fewer pieces than the order
    AUTHENTICITY = "真伪质疑"  # 网络客服服务实务 任务三 (产品纠纷: 品质、真伪), 任务四
    OTHER = "其他"


class Responsible(ChoiceList):
    """Who caused a problem: the leads count losses by it (客服岗位规范 六: 快递, 厂家, our errors).

    我司 is split into the warehouse (picking and packing: 错发, 漏发) and customer service (a wrong promise, a
    slow answer), so the leads see whose errors cost money. Rows written before say 我司: still valid (we cannot
    tell which of the two it was), never offered.
    """

    title, name = "责任方", "Responsible"
    WAREHOUSE = "仓库"
    SERVICE = "客服"
    COURIER = "快递"
    FACTORY = "厂家"
    CUSTOMER = "客户"
    retired = ("我司",)


class IssueSolution(ChoiceList):
    title, name = "处理方案", "IssueSolution"
    REISSUE = "补发"
    REFUND = "退款"
    PRICE_DIFFERENCE = "退差价"
    SAMPLES = "补中小样"
    GIFT = "赠品"
    EXCHANGE = "换货"
    TEACH = "教会使用"
    CONTAINER = "寄空瓶/容器"  # 售后服务手册 第二章 二.Ⅱ b (使用受阻：寄个空瓶), 第三章 二.Ⅰ b (寄个能装产品的容器)
    DECLINED_ALLERGY = "不予处理（过敏）"  # 第二章 二.Ⅱ 客户原因 a.过敏, 第三章 过敏问题: the buyer's own cost


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
    synonyms: ClassVar[dict[str, str]] = {
        "淘宝网": TAOBAO,
        "淘宝店": TAOBAO,
        "天猫商城": TMALL,
        "天猫店": TMALL,
        "tmall": TMALL,
        "pdd": PDD,
        "拼多多平台": PDD,
        "拼多多店": PDD,
    }
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
    # the words of the shop backends' order and logistics states
    synonyms: ClassVar[dict[str, str]] = {
        "买家已付款": UNSHIPPED,
        "待发货": UNSHIPPED,
        "等待卖家发货": UNSHIPPED,
        "卖家已发货": SHIPPED,
        "待收货": SHIPPED,
        "等待买家确认收货": SHIPPED,
        "已揽收": SHIPPED,
        "运输中": SHIPPED,
        "派送中": SHIPPED,
        "已收货": RECEIVED,
        "买家已签收": RECEIVED,
        "交易成功": RECEIVED,
    }


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
        "待商家处理": PENDING,
        "等待商家处理": PENDING,
        "买家已经申请退款，等待卖家同意": PENDING,
        "处理中": PENDING,
        "卖家已同意": AGREED,
        "商家已同意": AGREED,
        "卖家已拒绝": REFUSED,
        "商家已拒绝": REFUSED,
        "卖家拒绝退款": REFUSED,
        "等待买家退货": AWAITING_RETURN,
        "待买家发货": AWAITING_RETURN,
        "卖家已经同意退款申请，等待买家退货": AWAITING_RETURN,
        "买家已发货": RETURNED,
        "等待卖家确认收货": RETURNED,
        "待商家收货": RETURNED,
        "等待商家收货": RETURNED,
        "买家已经退货，等待卖家确认收货": RETURNED,
        "退款成功": REFUNDED,
        "退款关闭": CLOSED,
        "售后关闭": CLOSED,
    }


class CallbackType(ChoiceList):
    """What a 回访 call is about: 003 第六章 四、电话回访话术 (Ⅰ 收到货后, Ⅱ 未收到货, Ⅲ 缺货电话通知)."""

    title, name = "回访类型", "CallbackType"
    RECEIVED = "收货后回访"
    NOT_RECEIVED = "未收货回访"
    OUT_OF_STOCK = "缺货通知"


class CallbackMethod(ChoiceList):
    """How a buyer was called back (003 第六章 二、回访方式; the seed keeps only the chapter's headings: its 话术 are
    for 电话回访, and 旺旺 and 短信 are the other ways 003 第五章 reaches a buyer)."""

    title, name = "回访方式", "CallbackMethod"
    strict = False
    PHONE = "电话"
    WANGWANG = "旺旺"
    SMS = "短信"


class Satisfaction(ChoiceList):
    """What the buyer says of the after-sales service (000 §六.9 满意度: 对售后处理的整体满意度)."""

    title, name = "满意度", "Satisfaction"
    VERY = "非常满意"
    SATISFIED = "满意"
    NEUTRAL = "一般"
    UNSATISFIED = "不满意"


class FollowState(ChoiceList):
    """Whether a problem a 回访 found is solved (003 第六章 五.Ⅲ 回访工作信息收集及反馈)."""

    title, name = "跟进状态", "FollowState"
    NONE = "无需跟进"
    PENDING = "待跟进"
    SOLVED = "已解决"


class FixState(ChoiceList):
    """Whether an agent has put right what a spot check found (003 第七章 七、抽查记录)."""

    title, name = "整改状态", "FixState"
    NONE = "无需整改"
    PENDING = "待整改"
    DONE = "已整改"


class ParcelProblem(ChoiceList):
    """What is wrong with a parcel on its way (003 第一章 五、各类快递件问题处理: Ⅱ 疑难件 by its two causes, Ⅲ 超区件,
    Ⅳ 破损丢件; 000 §四.6 拦截快递件; 003 第一章 注: 延长收货时间)."""

    title, name = "异常类型", "ParcelProblem"
    STUCK_CUSTOMER = "疑难件（客户原因）"
    STUCK_COURIER = "疑难件（快递原因）"
    OUT_OF_AREA = "超区件"
    LOST = "丢件"
    DAMAGED = "破损"
    INTERCEPTED = "拦截件"
    EXTENDED = "延长收货"


class ParcelPlan(ChoiceList):
    """What is done about it (003 第一章 五.Ⅱ 催件、重发、原件退回; Ⅲ 安排重发、转其他能到的快递、客户自提;
    注: 延长收货)."""

    title, name = "异常处理方案", "ParcelPlan"
    CHASE = "催件"
    RESEND = "重发"
    OTHER_COURIER = "转其他快递"
    PICK_UP = "客户自提"
    RETURN = "原件退回"
    EXTEND = "延长收货"


class ParcelState(ChoiceList):
    """Where the original parcel is (003 第一章 五.Ⅱ 跟踪原件退回; 000 §四.6 商品是否有退回到仓库)."""

    title, name = "原件状态", "ParcelState"
    IN_TRANSIT = "在途"
    RETURNED = "已退回"
    DELIVERED = "已签收"
    LOST = "丢失"


class Inspection(ChoiceList):
    """What the warehouse found in a returned parcel (003 第三章: 影响 / 不影响二次销售; 第四章 收到退货，验货完毕)."""

    title, name = "验货结果", "Inspection"
    strict = False
    GOOD = "不影响二次销售"
    DEFECTIVE = "影响二次销售"
    PARTLY = "部分影响二次销售"
    MISMATCH = "与登记不符"


class StockState(ChoiceList):
    """Whether a return is back in stock (003 第二章 三.12: 仓库在收到退件以后需要录入库存软件，并进行上架处理)."""

    title, name = "入库状态", "StockState"
    PENDING = "待入库"
    SHELVED = "已入库上架"


class FactoryState(ChoiceList):
    """Where a factory defect is on its way back (003 第三章: 出厂问题的国内产品需汇总返厂处理)."""

    title, name = "返厂状态", "FactoryState"
    PENDING = "待返厂"
    SENT = "已返厂"
    CONFIRMED = "厂家已确认"


class ApprovalState(ChoiceList):
    """The lead's answer on money (002 任务一: 退换货、退款金额、补偿需要售后主管审批)."""

    title, name = "审批状态", "ApprovalState"
    PENDING = "待审批"
    APPROVED = "已批准"
    REJECTED = "已驳回"


class Agents(ChoiceList):
    """The team's agents: empty by default, filled in by the team."""

    title, name = "值班人员", "Agents"
    strict = False


ORDER_STATUS = OrderStatus()
HANDOVER_STATE = HandoverState()
ITEM_TYPE = ItemType()
POSTAGE_PAYER = PostagePayer()
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
CALLBACK_TYPE = CallbackType()
CALLBACK_METHOD = CallbackMethod()
SATISFACTION = Satisfaction()
FOLLOW_STATE = FollowState()
FIX_STATE = FixState()
PARCEL_PROBLEM = ParcelProblem()
PARCEL_PLAN = ParcelPlan()
PARCEL_STATE = ParcelState()
INSPECTION = Inspection()
STOCK_STATE = StockState()
FACTORY_STATE = FactoryState()
APPROVAL_STATE = ApprovalState()
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
    CALLBACK_TYPE,
    CALLBACK_METHOD,
    SATISFACTION,
    FOLLOW_STATE,
    FIX_STATE,
    PARCEL_PROBLEM,
    PARCEL_PLAN,
    PARCEL_STATE,
    INSPECTION,
    STOCK_STATE,
    FACTORY_STATE,
    APPROVAL_STATE,
    AGENTS,
)
