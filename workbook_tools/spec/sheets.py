"""The team's sheets, choice lists and platform rules, declared once.

Sources: ../shared/domain.md and the seed SOPs it cites. Templates, header
matching, validation and the 设置 sheet are all derived from what is here.
"""
from __future__ import annotations

from workbook_tools.spec.types import ChoiceList, Column, Kind, Role, Rule, SheetSpec

SETTINGS_TITLE = "设置"

# --- choice lists (kept on 设置, editable by the team) ------------------------
ORDER_STATUS = ChoiceList("订单状态", "OrderStatus",
                          ("等待买家付款", "买家已付款", "卖家已发货", "交易成功", "退款中", "交易关闭"))
HANDOVER_STATE = ChoiceList("交接状态", "HandoverState", ("待处理", "已转交", "已完成"))
RETURN_TYPE = ChoiceList("退回类型", "ReturnType",
                         ("过敏", "产品质量问题", "发货问题", "快递原因", "客户原因"),
                         attribute="邮费承担方",
                         attribute_values=("客户", "我司", "我司", "快递", "客户"))
RETURN_SOLUTION = ChoiceList("解决方案", "ReturnSolution",
                             ("退款", "换货", "重发", "补发", "退差价", "赠品补偿"))
RETURN_RESULT = ChoiceList("处理结果", "ReturnResult",
                           ("待处理", "已退款", "已换货", "已重发", "已退差价", "已补偿", "已拒绝"),
                           strict=False)
CARRIER = ChoiceList("承运商", "Carrier",
                     ("顺丰速运", "中通快递", "圆通速递", "申通快递", "韵达快递", "极兔速递", "邮政EMS", "京东物流"),
                     strict=False)
RESEND_REASON = ChoiceList("发件原因", "ResendReason",
                           ("过敏换货", "质量问题换货", "破损补发", "丢件补发", "错发重发", "漏发补发", "其他"),
                           strict=False)
ISSUE_TYPE = ChoiceList("问题类型", "IssueType",
                        ("质量问题", "破损", "漏液", "丢件", "错发", "漏发", "过敏", "使用问题", "包装问题", "其他"))
RESPONSIBLE = ChoiceList("责任方", "Responsible", ("我司", "快递", "厂家", "客户"))
ISSUE_SOLUTION = ChoiceList("处理方案", "IssueSolution",
                            ("补发", "退款", "退差价", "补中小样", "赠品", "换货", "教会使用"))
CLAIM_STATE = ChoiceList("索赔状态", "ClaimState", ("无需索赔", "待索赔", "索赔中", "已赔付", "已拒赔"))
YES_NO = ChoiceList("是否", "YesNo", ("是", "否"))
ISSUE_STATE = ChoiceList("结案状态", "IssueState", ("处理中", "已结案"))
CHASE_METHOD = ChoiceList("催款方式", "ChaseMethod", ("电话", "旺旺", "短信"))
CHASE_ANSWER = ChoiceList("接听情况", "ChaseAnswer", ("本人接听", "非本人接听", "未接通"))
CHASE_RESULT = ChoiceList("催款结果", "ChaseResult", ("已付款", "未付款", "已关闭"))
AGENTS = ChoiceList("值班人员", "Agents", (), strict=False)

ITEM_TYPE = ChoiceList("事项类型", "ItemType",
                       ("退件确认", "重发", "质量问题", "催款", "退款申请（未发货）", "退款申请（已发货）",
                        "拒绝退款回访", "疑难件", "其他"),
                       strict=False, attribute="时限规则",
                       attribute_values=("买家寄出退货后卖家确认收货", "重发件寄出", "卖家答复退货退款申请",
                                         "未付款订单自动关闭", "未发货退款：卖家不处理自动同意",
                                         "已发货退款：卖家不处理自动同意", "拒绝退款后电话联系买家",
                                         "疑难件联系不上买家", ""))

CHOICE_LISTS = (ORDER_STATUS, HANDOVER_STATE, ITEM_TYPE, RETURN_TYPE, RETURN_SOLUTION, RETURN_RESULT, CARRIER,
                RESEND_REASON, ISSUE_TYPE, RESPONSIBLE, ISSUE_SOLUTION, CLAIM_STATE, YES_NO,
                ISSUE_STATE, CHASE_METHOD, CHASE_ANSWER, CHASE_RESULT, AGENTS)

# --- platform time rules (domain.md "Platform time rules") --------------------
RULES = (
    Rule("unpaid_close", "未付款订单自动关闭", 3, "天", "003 第五章", "Rule_UnpaidClose"),
    Rule("refund_unshipped", "未发货退款：卖家不处理自动同意", 2, "天", "003 第四章", "Rule_RefundUnshipped"),
    Rule("refund_shipped", "已发货退款：卖家不处理自动同意", 7, "天", "003 第四章", "Rule_RefundShipped"),
    Rule("seller_reply", "卖家答复退货退款申请", 5, "天", "002 任务一 第二节", "Rule_SellerReply"),
    Rule("return_confirm", "买家寄出退货后卖家确认收货", 10, "天", "002", "Rule_ReturnConfirm"),
    Rule("buyer_ship_return", "买家收货后寄回退货", 7, "天", "002", "Rule_BuyerShipReturn"),
    Rule("problem_parcel", "疑难件联系不上买家", 4, "天", "003 第一章 Ⅱ", "Rule_ProblemParcel"),
    Rule("refused_refund_call", "拒绝退款后电话联系买家", 48, "小时", "000 §九.2", "Rule_RefusedRefundCall"),
    Rule("refund_only_check", "仅退款队列查看间隔", 30, "分钟", "000 §3.5", "Rule_RefundOnlyCheck"),
    Rule("pdd_appeal", "拼多多处罚申诉时限", 24, "小时", "001", "Rule_PddAppeal"),
    Rule("resend_ship", "重发件寄出", 1, "天", "003 第一章 Ⅳ（立即补发）", "Rule_ResendShip"),
    Rule("max_chases", "24 小时内同一买家最多催款次数", 3, "次", "domain.md", "Rule_MaxChases"),
    Rule("shift", "一个班次的时长（本班到期的范围）", 8, "小时", "团队排班", "Rule_Shift"),
)
RULES_BY_KEY = {rule.key: rule for rule in RULES}

# --- shift roster on 设置: who hands over to whom when the button is clicked without names ---
ROSTER_HEADERS = ("班次", "开始", "结束", "人员")
ROSTER_SHIFTS = (("早班", "08:00", "16:00"), ("晚班", "16:00", "24:00"))

# --- column families shared by several sheets --------------------------------
_BUYER_NAMES = ("买家ID", "ID号", "客户ID", "旺旺ID", "旺旺名", "买家旺旺", "客户旺旺", "买家昵称")
_ORDER_NAMES = ("订单号", "订单编号", "订单编码", "原订单编码", "订单ID")
_TRACKING_NAMES = ("物流单号", "快递单号", "运单号", "新物流单号")


def _others(names: tuple[str, ...], header: str) -> tuple[str, ...]:
    return tuple(n for n in names if n != header)


def buyer_id(header: str, required: bool = True, role: Role = Role.SERVICE) -> Column:
    return Column(header, Kind.TEXT, _others(_BUYER_NAMES, header), required=required, role=role,
                  hint="买家拍下订单时的旺旺名", width=16)


def order_no(header: str, required: bool = True, role: Role = Role.SERVICE) -> Column:
    return Column(header, Kind.ID, _others(_ORDER_NAMES, header), required=required, role=role,
                  hint="订单号按文本填写，直接粘贴，不要让 Excel 变成 1.23E+18", width=22)


def tracking_no(header: str, required: bool = False, role: Role = Role.WAREHOUSE) -> Column:
    return Column(header, Kind.ID, _others(_TRACKING_NAMES, header), required=required, role=role,
                  hint="快递单号按文本填写，一个包裹一行", width=20)


def agent(header: str, required: bool = True, aliases: tuple[str, ...] = ()) -> Column:
    return Column(header, Kind.CHOICE, aliases, required=required, choices=AGENTS,
                  hint="值班人员名单在「设置」表，可自行增删", width=10)


def carrier() -> Column:
    return Column("承运商", Kind.CHOICE, ("快递公司",), choices=CARRIER, role=Role.WAREHOUSE, width=12)


def register_date(role: Role = Role.SERVICE) -> Column:
    return Column("日期", Kind.DATE, ("登记日期",), required=True, role=role,
                  hint="登记日期，如 2026-11-03")


def product(role: Role = Role.SERVICE, required: bool = True) -> Column:
    return Column("产品名称", Kind.TEXT, ("商品名称", "宝贝名称", "产品"), required=required, role=role,
                  hint="发货系统中该产品（含规格）的全称", width=24)


def quantity(role: Role = Role.SERVICE) -> Column:
    return Column("数量", Kind.INT, ("件数", "个数"), required=True, role=role, minimum=1,
                  hint="每款产品每个规格的个数，正整数")


def money(header: str, required: bool = False, aliases: tuple[str, ...] = ()) -> Column:
    return Column(header, Kind.MONEY, aliases, required=required, minimum=0, hint="金额（元），不带单位")


def remarks() -> Column:
    return Column("备注", Kind.TEXT, ("说明",), width=24)


def _this(column: str) -> str:
    return "{t}[[#This Row],[" + column + "]]"


# --- the sheets ---------------------------------------------------------------
HANDOVER = SheetSpec(
    "交接表", "handover", "Handover",
    (
        buyer_id("买家ID"),
        order_no("订单号", required=False),
        Column("订单状态", Kind.CHOICE, ("交易状态",), choices=ORDER_STATUS, width=14),
        money("订单价格", aliases=("订单金额", "金额")),
        Column("订单描述", Kind.TEXT, ("问题描述",), width=24),
        Column("交接处理", Kind.TEXT, ("交接事项", "处理事项"), required=True, width=36,
               hint="下一班要做什么、在什么时间之前"),
        agent("交接人"),
        agent("承接人", aliases=("接班人",)),
        Column("时间", Kind.DATETIME, ("交接时间",), required=True, hint="交接时间，如 2026-11-03 18:00"),
        Column("来源", Kind.TEXT, width=14, hint="该事项来自哪张表哪一行"),
        Column("截止时间", Kind.DATETIME, ("最晚处理时间",), hint="平台规则规定的最晚处理时间"),
        Column("状态", Kind.CHOICE, ("处理状态",), required=True, choices=HANDOVER_STATE),
        Column("确认时间", Kind.DATETIME, ("接收确认时间",), hint="承接人确认收到交接的时间"),
        Column("事项类型", Kind.CHOICE, (), choices=ITEM_TYPE, width=16,
               hint="决定截止时间按哪条平台规则算；没填截止时间时按交接时间加该规则的时限"),
        Column("事项编号", Kind.TEXT, (), role=Role.COMPUTED, width=11,
               hint="交接班自动生成，同一事项每次交接编号相同，请勿修改"),
    ),
    aliases=("交接班表", "客服工作交接表"),
    duplicate_key=("时间", "买家ID", "订单号", "交接处理"),
    description="每班下班前的交接：未完成的退款、重发、质量问题和催款，由下一班确认接收。",
)

RETURNS = SheetSpec(
    "退件表", "returns", "Returns",
    (
        register_date(Role.WAREHOUSE),
        tracking_no("物流单号", required=True),
        carrier(),
        buyer_id("ID号", required=False),
        order_no("订单编码", required=False),
        Column("退回类型", Kind.CHOICE, ("退货原因", "退回原因"), choices=RETURN_TYPE, width=14,
               hint="退回原因：过敏、产品质量问题、发货问题、快递原因、客户原因"),
        product(Role.WAREHOUSE),
        quantity(Role.WAREHOUSE),
        Column("解决方案", Kind.CHOICE, ("处理方案",), choices=RETURN_SOLUTION, width=12),
        Column("处理结果", Kind.CHOICE, (), choices=RETURN_RESULT, width=12,
               hint="空着或「待处理」表示还没办完，会进入交接班"),
        Column("邮费承担方", Kind.TEXT, ("邮费承担",), role=Role.COMPUTED,
               formula='IF(' + _this("退回类型") + '="","",IFERROR(VLOOKUP(' + _this("退回类型")
               + ',Map_ReturnType,2,FALSE),"待定"))',
               hint="按退回类型自动判断（设置表可改）；特殊情况可直接改写本格"),
        Column("合计", Kind.INT, (), role=Role.COMPUTED,
               formula='IF(' + _this("产品名称") + '="","",SUMIFS({t}[数量],{t}[产品名称],'
               + _this("产品名称") + '))',
               hint="该产品（含规格）退回个数的总和，自动计算"),
        remarks(),
    ),
    aliases=("退换件表", "退货表", "退件登记表"),
    duplicate_key=("物流单号", "订单编码", "产品名称"),
    description="仓库收到退件后登记（红色列仓库填，蓝色列客服填），合计按产品自动汇总。",
)

RESENDS = SheetSpec(
    "重发单", "resends", "Resends",
    (
        register_date(),
        agent("填写人", aliases=("登记人",)),
        buyer_id("客户ID"),
        order_no("原订单编码"),
        product(),
        quantity(),
        Column("发件原因", Kind.CHOICE, ("重发原因", "换货原因"), required=True, choices=RESEND_REASON, width=14),
        tracking_no("新物流单号"),
        carrier(),
        Column("发出日期", Kind.DATE, ("发货日期",), role=Role.WAREHOUSE, hint="重发件寄出的日期"),
        remarks(),
    ),
    aliases=("重发表", "补发单", "换货单"),
    duplicate_key=("日期", "原订单编码", "产品名称", "发件原因"),
    description="换货、补发、重发登记；仓库填上新物流单号和发出日期后才算发出。",
)

QUALITY = SheetSpec(
    "质量问题表", "quality", "Quality",
    (
        register_date(),
        agent("登记人", aliases=("填写人",)),
        buyer_id("客户ID"),
        order_no("订单编码"),
        product(required=False),
        Column("问题类型", Kind.CHOICE, ("问题分类",), required=True, choices=ISSUE_TYPE, width=12),
        Column("责任方", Kind.CHOICE, ("责任归属",), choices=RESPONSIBLE),
        Column("问题描述", Kind.TEXT, ("情况描述",), width=30),
        Column("凭证张数", Kind.INT, ("照片张数", "图片张数"), minimum=0,
               hint="客户拍的照片张数；破损件至少 2 张"),
        Column("处理方案", Kind.CHOICE, ("解决方案",), choices=ISSUE_SOLUTION, width=12),
        money("补偿金额"),
        money("快递损失费用", aliases=("快递损失",)),
        Column("索赔状态", Kind.CHOICE, (), choices=CLAIM_STATE),
        money("已追回金额"),
        Column("返厂", Kind.CHOICE, ("是否返厂",), choices=YES_NO),
        agent("跟进人", required=False),
        Column("状态", Kind.CHOICE, ("处理状态",), required=True, choices=ISSUE_STATE),
        Column("结案日期", Kind.DATE, (), required_when=("状态", "已结案")),
    ),
    aliases=("售后问题表", "质量问题登记表"),
    duplicate_key=("订单编码", "产品名称", "问题类型"),
    description="客户反映的每个问题：破损、丢件、质量问题、快递损失和返厂，跟进到结案。",
)

CHASE_DETAIL = SheetSpec(
    "催款明细表", "chase_detail", "ChaseDetail",
    (
        Column("拍下时间", Kind.DATETIME, ("下单时间", "成交时间"), required=True),
        buyer_id("买家ID"),
        order_no("订单编号"),
        money("订单金额", required=True, aliases=("应付金额", "实付款")),
        Column("收货人", Kind.TEXT, ("收件人",), personal=True),
        Column("联系电话", Kind.PHONE, ("电话", "手机", "手机号", "收货人电话"), personal=True,
               hint="订单详情里的收货人手机或座机", width=15),
        Column("催款日期", Kind.DATE, (), required=True),
        agent("催款人"),
        Column("催款方式", Kind.CHOICE, (), required=True, choices=CHASE_METHOD),
        Column("接听情况", Kind.CHOICE, (), choices=CHASE_ANSWER),
        Column("客户反馈", Kind.TEXT, ("买家反馈",), width=24),
        Column("催款结果", Kind.CHOICE, (), choices=CHASE_RESULT),
        Column("付款时间", Kind.DATETIME, ()),
        Column("自动关闭时间", Kind.DATETIME, ("关闭时间",), role=Role.COMPUTED,
               formula='IF(' + _this("拍下时间") + '="","",' + _this("拍下时间") + '+Rule_UnpaidClose)',
               hint="拍下时间加上「设置」表的自动关闭天数"),
        remarks(),
    ),
    aliases=("催款明细", "催付明细表"),
    description="每天导出前一天未付款订单逐个催付，记下联系情况和结果。",
)


CHASE_SUMMARY = SheetSpec(
    "催款汇总表", "chase_summary", "ChaseSummary",
    (
        Column("日期", Kind.DATE, ("催款日期",), required=True, role=Role.COMPUTED),
        Column("催款人", Kind.TEXT, (), required=True, role=Role.COMPUTED),
        Column("需催单数", Kind.INT, (), role=Role.COMPUTED, minimum=0),
        Column("已联系", Kind.INT, (), role=Role.COMPUTED, minimum=0),
        Column("联系率", Kind.RATE, (), role=Role.COMPUTED),
        Column("催回单数", Kind.INT, (), role=Role.COMPUTED, minimum=0),
        Column("催回金额", Kind.MONEY, (), role=Role.COMPUTED, minimum=0),
        Column("成功率", Kind.RATE, (), role=Role.COMPUTED),
        Column("关闭单数", Kind.INT, (), role=Role.COMPUTED, minimum=0),
    ),
    aliases=("催款汇总", "催付汇总表"),
    duplicate_key=("日期", "催款人"),
    description="按天、按催款人汇总催款结果，由「催款汇总」按钮生成。",
)

LEDGERS = (HANDOVER, RETURNS, RESENDS, QUALITY, CHASE_DETAIL, CHASE_SUMMARY)
BY_TITLE = {spec.title: spec for spec in LEDGERS}
BY_KEY = {spec.key: spec for spec in LEDGERS}
