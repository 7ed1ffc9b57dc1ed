"""The team's sheets, declared once: columns, aliases, choices, roles, formulas, and how rows are followed up.

Sources: ../shared/domain.md and the seed SOPs it cites. Templates, header
matching, validation, the handover and the totals all read what is here.
"""

from __future__ import annotations

from workbook_tools.spec.lists import (
    AFTER_SALES_TYPE,
    AGENTS,
    CARRIER,
    CHASE_ANSWER,
    CHASE_METHOD,
    CHASE_RESULT,
    CLAIM_STATE,
    HANDOVER_STATE,
    ISSUE_SOLUTION,
    ISSUE_STATE,
    ISSUE_TYPE,
    ITEM_TYPE,
    ORDER_STATUS,
    PLATFORM,
    REQUEST_STATE,
    RESEND_REASON,
    RESPONSIBLE,
    RETURN_RESULT,
    RETURN_SOLUTION,
    RETURN_TYPE,
    SHIPPING_STATE,
    UNPAID_REASON,
    YES_NO,
)
from workbook_tools.spec.rowrules import (
    All,
    Always,
    AnyOf,
    Archive,
    AtMost,
    Case,
    Deadline,
    Evidence,
    Filled,
    FollowUp,
    Is,
    ListedBy,
    Not,
    Template,
)
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.types import LIST_SEPARATOR, Column, Kind, Role, Sheet

# --- column families shared by several sheets --------------------------------
_BUYER_NAMES = ("买家ID", "ID号", "客户ID", "旺旺ID", "旺旺名", "买家旺旺", "客户旺旺", "买家昵称")
_ORDER_NAMES = ("订单号", "订单编号", "订单编码", "原订单编码", "订单ID")
_TRACKING_NAMES = ("物流单号", "快递单号", "运单号", "新物流单号")


def _others(names: tuple[str, ...], header: str) -> tuple[str, ...]:
    return tuple(n for n in names if n != header)


def buyer_id(header: str, required: bool = True, role: Role = Role.SERVICE) -> Column:
    return Column(
        header,
        Kind.TEXT,
        aliases=_others(_BUYER_NAMES, header),
        required=required,
        role=role,
        hint="买家拍下订单时的旺旺名",
        width=16,
    )


def order_no(header: str, required: bool = True, role: Role = Role.SERVICE) -> Column:
    return Column(
        header,
        Kind.ID,
        aliases=_others(_ORDER_NAMES, header),
        required=required,
        role=role,
        hint="订单号按文本填写，直接粘贴，不要让 Excel 变成 1.23E+18",
        width=22,
    )


def tracking_no(header: str, required: bool = False, role: Role = Role.WAREHOUSE) -> Column:
    return Column(
        header,
        Kind.ID,
        aliases=_others(_TRACKING_NAMES, header),
        required=required,
        role=role,
        hint="快递单号按文本填写，一个包裹一行",
        width=20,
    )


def agent(header: str, required: bool = True, aliases: tuple[str, ...] = ()) -> Column:
    return Column(
        header,
        Kind.CHOICE,
        aliases=aliases,
        required=required,
        choices=AGENTS,
        hint="值班人员名单在「设置」表，可自行增删",
        width=10,
    )


def carrier() -> Column:
    return Column("承运商", Kind.CHOICE, aliases=("快递公司",), choices=CARRIER, role=Role.WAREHOUSE, width=12)


def register_date(role: Role = Role.SERVICE) -> Column:
    return Column("日期", Kind.DATE, aliases=("登记日期",), required=True, role=role, hint="登记日期，如 2026-11-03")


def product(role: Role = Role.SERVICE, required: bool = True) -> Column:
    return Column(
        "产品名称",
        Kind.TEXT,
        aliases=("商品名称", "宝贝名称", "产品"),
        required=required,
        role=role,
        hint="发货系统中该产品（含规格）的全称",
        width=24,
    )


def quantity(role: Role = Role.SERVICE) -> Column:
    return Column(
        "数量",
        Kind.INT,
        aliases=("件数", "个数"),
        required=True,
        role=role,
        minimum=1,
        hint="每款产品每个规格的个数，正整数",
    )


def money(header: str, required: bool = False, aliases: tuple[str, ...] = ()) -> Column:
    return Column(header, Kind.MONEY, aliases=aliases, required=required, minimum=0, hint="金额（元），不带单位")


def remarks() -> Column:
    return Column("备注", Kind.TEXT, aliases=("说明",), width=24)


def this_row(column: Column) -> str:
    """A structured reference to `column` in the same row of the table ({t} is the table's name)."""
    return "{t}[[#This Row],[" + column.header + "]]"


# --- the sheets ---------------------------------------------------------------
class Handover(Sheet):
    title, key, table = "交接表", "handover", "Handover"
    aliases = ("交接班表", "客服工作交接表")
    description = "每班下班前的交接：未完成的退款、重发、质量问题和催款，由下一班确认接收。"
    manual_prefix = "HO"  # 事项编号 of a row typed into 交接表 itself

    buyer_id = buyer_id("买家ID", required=False)
    due_at = Column("截止时间", Kind.DATETIME, aliases=("最晚处理时间",), hint="平台规则规定的最晚处理时间")
    item_type = Column(
        "事项类型",
        Kind.CHOICE,
        choices=ITEM_TYPE,
        width=16,
        hint="决定截止时间按哪条平台规则算；没填截止时间时按交接时间加该规则的时限",
    )
    order_no = order_no("订单号", required=False)
    order_status = Column("订单状态", Kind.CHOICE, aliases=("交易状态",), choices=ORDER_STATUS, width=14)
    price = money("订单价格", aliases=("订单金额", "金额"))
    details = Column("订单描述", Kind.TEXT, aliases=("问题描述",), width=28, wrap=True)
    instruction = Column(
        "交接处理",
        Kind.TEXT,
        aliases=("交接事项", "处理事项"),
        required=True,
        width=44,
        wrap=True,
        hint="下一班要做什么、在什么时间之前",
    )
    progress = Column(
        "本班进展",
        Kind.TEXT,
        aliases=("处理进展", "跟进情况", "跟进进展"),
        width=30,
        wrap=True,
        hint="本班对该事项做了什么、结果如何；下次交接班时带到该事项的新一行，不会丢",
    )
    from_agent = agent("交接人")
    to_agent = agent("承接人", aliases=("接班人",))
    at = Column("时间", Kind.DATETIME, aliases=("交接时间",), required=True, hint="交接时间，如 2026-11-03 18:00")
    source = Column("来源", Kind.TEXT, width=14, hint="该事项来自哪张表哪一行")
    state = Column("状态", Kind.CHOICE, aliases=("处理状态",), required=True, choices=HANDOVER_STATE)
    acknowledged_at = Column("确认时间", Kind.DATETIME, aliases=("接收确认时间",), hint="承接人确认收到交接的时间")
    item_no = Column(
        "事项编号", Kind.TEXT, role=Role.COMPUTED, width=16, hint="交接班自动生成，同一事项每次交接编号相同，请勿修改"
    )

    duplicate_key = (at, item_no, buyer_id, order_no, instruction)  # one item handed over twice at once
    one_of = (buyer_id, order_no, source)  # an item says whose, which order, or which ledger row it is
    written = True
    # never archived (no `archive`): each handover reads the earlier rows of an item (事项编号, 本班进展,
    # 确认时间) to carry progress on and to know what was handed over already


class Resends(Sheet):
    title, key, table = "重发单", "resends", "Resends"
    aliases = ("重发表", "补发单", "换货单")
    description = "换货、补发、重发登记；仓库填上新物流单号和发出日期后才算发出。"

    date = register_date()
    filled_by = agent("填写人", aliases=("登记人",))
    buyer_id = buyer_id("客户ID")
    order_no = order_no("原订单编码")
    product = product()
    quantity = quantity()
    reason = Column(
        "发件原因", Kind.CHOICE, aliases=("重发原因", "换货原因"), required=True, choices=RESEND_REASON, width=14
    )
    new_tracking_no = tracking_no("新物流单号")
    carrier = carrier()
    shipped_on = Column("发出日期", Kind.DATE, aliases=("发货日期",), role=Role.WAREHOUSE, hint="重发件寄出的日期")
    remarks = remarks()

    archive = Archive(date)
    duplicate_key = (date, order_no, product, reason)
    follow_up = FollowUp(
        "RS",
        ITEM_TYPE.RESEND,
        open_when=Not(Filled(new_tracking_no)),
        deadline=Deadline(date, RULES.resend_ship),
        key=(date, order_no, product, reason),
        buyer=buyer_id,
        order=order_no,
        describe=Template("{reason|重发} {product|产品未填}{quantity?×}"),
        action=Template(
            "催仓库发出；发出后在{sheet}填写{new_tracking_no.header}和{shipped_on.header}，"
            "把新单号告诉买家，买家垫付了邮费的退还给买家"
        ),
    )


class Returns(Sheet):
    title, key, table = "退件表", "returns", "Returns"
    aliases = ("退换件表", "退货表", "退件登记表")
    description = "仓库收到退件后登记（红色列仓库填，蓝色列客服填），合计按产品自动汇总。"

    date = register_date(Role.WAREHOUSE)
    tracking_no = tracking_no("物流单号", required=True)
    carrier = carrier()
    buyer_id = buyer_id("ID号", required=False)
    order_no = order_no("订单编码", required=False)
    return_type = Column(
        "退回类型",
        Kind.CHOICE,
        aliases=("退货原因", "退回原因"),
        choices=RETURN_TYPE,
        width=14,
        hint="退回原因：" + "、".join(RETURN_TYPE.values),
    )
    product = product(Role.WAREHOUSE)
    quantity = quantity(Role.WAREHOUSE)
    solution = Column("解决方案", Kind.CHOICE, aliases=("处理方案",), choices=RETURN_SOLUTION, width=12)
    result = Column(
        "处理结果",
        Kind.CHOICE,
        choices=RETURN_RESULT,
        width=12,
        hint=f"空着或「{RETURN_RESULT.PENDING}」表示还没办完，会进入交接班",
    )
    payer = Column(
        RETURN_TYPE.attribute or "",
        Kind.TEXT,
        aliases=("邮费承担",),
        role=Role.COMPUTED,
        formula=f'IF({this_row(return_type)}="","",IFERROR(VLOOKUP({this_row(return_type)},'
        f'Map_{RETURN_TYPE.name},2,FALSE),"待定"))',
        hint="按退回类型自动判断（设置表可改）；特殊情况可直接改写本格",
    )
    total = Column(
        "合计",
        Kind.INT,
        role=Role.COMPUTED,
        formula=f'IF({this_row(product)}="","",SUMIFS({{t}}[{quantity.header}],{{t}}[{product.header}],'
        f"{this_row(product)}))",
        hint="该产品（含规格）退回个数的总和，自动计算",
    )
    remarks = remarks()

    archive = Archive(date)
    duplicate_key = (tracking_no, order_no, product)
    follow_up = FollowUp(
        "RT",
        ITEM_TYPE.RETURN,
        open_when=Is(result, (None, RETURN_RESULT.PENDING)),
        deadline=Deadline(date, RULES.return_confirm),
        key=(tracking_no, order_no, product),
        buyer=buyer_id,
        order=order_no,
        order_status=((Is(solution, (RETURN_SOLUTION.REFUND,)), ORDER_STATUS.REFUNDING),),
        describe=Template("退件（{return_type|类型未填}）{product|产品未填}{quantity?×}"),
        action=Template("核对退件后{solution|确定处理方案}，并在{sheet}填写{result.header}；逾期平台自动退款"),
        cases=(
            Case(
                Is(solution, (RETURN_SOLUTION.EXCHANGE,)),
                Deadline(date, RULES.return_confirm),
                ITEM_TYPE.RETURN,
                Template(
                    f"核对退件后在{Resends.title}登记换货、催仓库发出，发出后告诉买家新单号并退还买家垫付的邮费；"
                    "再在{sheet}填写{result.header}"
                ),
            ),
        ),
    )


class Quality(Sheet):
    title, key, table = "质量问题表", "quality", "Quality"
    aliases = ("售后问题表", "质量问题登记表")
    description = "客户反映的每个问题：破损、丢件、质量问题、快递损失和返厂，跟进到结案。"

    date = register_date()
    registered_by = agent("登记人", aliases=("填写人",))
    buyer_id = buyer_id("客户ID")
    order_no = order_no("订单编码")
    product = product(required=False)
    issue_type = Column("问题类型", Kind.CHOICE, aliases=("问题分类",), required=True, choices=ISSUE_TYPE, width=12)
    responsible = Column("责任方", Kind.CHOICE, aliases=("责任归属",), choices=RESPONSIBLE)
    details = Column("问题描述", Kind.TEXT, aliases=("情况描述",), width=30)
    photos = Column(
        "凭证张数",
        Kind.INT,
        aliases=("照片张数", "图片张数"),
        minimum=0,
        hint=f"客户拍的照片张数；{ISSUE_TYPE.DAMAGED}件至少 {RULES.evidence_photos.value:g} 张",
    )
    solution = Column("处理方案", Kind.CHOICE, aliases=("解决方案",), choices=ISSUE_SOLUTION, width=12)
    compensation = money("补偿金额")
    courier_loss = money("快递损失费用", aliases=("快递损失",))
    claim_state = Column("索赔状态", Kind.CHOICE, choices=CLAIM_STATE)
    recovered = money("已追回金额")
    factory_return = Column("返厂", Kind.CHOICE, aliases=("是否返厂",), choices=YES_NO)
    follower = agent("跟进人", required=False)
    state = Column("状态", Kind.CHOICE, aliases=("处理状态",), required=True, choices=ISSUE_STATE)
    closed_on = Column("结案日期", Kind.DATE, required_when=(state, ISSUE_STATE.CLOSED))

    archive = Archive(date)
    duplicate_key = (order_no, product, issue_type)
    evidence = Evidence(Is(issue_type, (ISSUE_TYPE.DAMAGED,)), photos, RULES.evidence_photos)
    follow_up = FollowUp(
        "QI",
        ITEM_TYPE.QUALITY,
        open_when=Not(Is(state, (ISSUE_STATE.CLOSED,))),
        deadline=Deadline(date, RULES.seller_reply),
        key=(date, order_no, product, issue_type),
        buyer=buyer_id,
        order=order_no,
        describe=Template("{issue_type|问题}：{details|product|}"),
        notes=((Is(claim_state, (CLAIM_STATE.TO_CLAIM, CLAIM_STATE.CLAIMING)), "，快递索赔未完成"),),
        action=Template("跟进{solution|处理方案}，答复买家；结案后在{sheet}填写{state.header}和{closed_on.header}"),
    )


class AfterSales(Sheet):
    title, key, table = "售后单", "after_sales", "AfterSales"
    aliases = ("退款跟进表", "售后登记表", "退款登记表", "售后申请表")
    description = "后台的每个售后申请（仅退款、退货退款、换货、补寄）一行：平台时限内不处理，平台自动同意。"

    platform = Column("平台", Kind.CHOICE, aliases=("店铺平台",), required=True, choices=PLATFORM, width=9)
    request_no = Column(
        "售后单号",
        Kind.ID,
        aliases=("退款编号", "退款单号", "售后编号"),
        required=True,
        width=20,
        hint="后台的退款编号，按文本粘贴",
    )
    order_no = order_no("订单编号")
    buyer_id = buyer_id("买家ID")
    request_type = Column(
        "售后类型", Kind.CHOICE, aliases=("退款类型", "申请类型"), required=True, choices=AFTER_SALES_TYPE, width=11
    )
    shipping = Column("发货状态", Kind.CHOICE, aliases=("物流状态",), required=True, choices=SHIPPING_STATE, width=10)
    applied_at = Column(
        "申请时间", Kind.DATETIME, aliases=("退款申请时间",), required=True, hint="后台显示的申请时间，精确到分钟"
    )
    requested = money("申请金额", aliases=("退款申请金额",))
    reason = Column("申请原因", Kind.TEXT, aliases=("退款原因",), width=16)
    state = Column(
        "状态", Kind.CHOICE, aliases=("售后状态", "退款状态"), required=True, choices=REQUEST_STATE, width=11
    )
    returned_at = Column(
        "买家寄回时间",
        Kind.DATETIME,
        aliases=("买家退货时间", "退货时间"),
        required_when=(state, REQUEST_STATE.RETURNED),
        hint="买家填写退货单号的时间（后台有显示）；确认收货的时限从这里算",
    )
    return_tracking = Column(
        "退货物流单号", Kind.ID, aliases=("退货单号", "退回单号"), width=20, hint="买家寄回的快递单号，按文本粘贴"
    )
    platform_due = Column(
        "平台超时时间",
        Kind.DATETIME,
        aliases=("超时时间", "处理截止时间"),
        hint="后台显示的超时时间，有就照抄：截止时间以它为准",
    )
    handler = agent("处理人", required=False)
    handled_at = Column(
        "处理时间",
        Kind.DATETIME,
        aliases=("同意/拒绝时间",),
        required_when=(state, REQUEST_STATE.REFUSED),
        hint="同意或拒绝的时间；拒绝后的回访时限从这里算",
    )
    refund = Column(
        "退款金额",
        Kind.MONEY,
        minimum=0,
        required_when=(state, REQUEST_STATE.REFUNDED),
        hint="实际退给买家的金额（元）",
    )
    refunded_at = Column("退款时间", Kind.DATETIME)
    remarks = remarks()

    archive = Archive(applied_at)
    duplicate_key = (platform, request_no)
    limits = (AtMost(refund, requested, "refund_exceeds_request"),)
    # how the parcel a buyer sends back is found in 退件表: its tracking number, else the order
    return_parcel = ((return_tracking, Returns.tracking_no), (order_no, Returns.order_no))
    parcel_note = "；退件已到：{source}"  # on the request's handover item
    request_note = "；售后申请：{source}"  # on the returned parcel's
    refunds = Is(request_type, (AFTER_SALES_TYPE.REFUND_ONLY, AFTER_SALES_TYPE.RETURN_REFUND))
    follow_up = FollowUp(
        "AS",
        ITEM_TYPE.REQUEST,
        open_when=Not(
            AnyOf(
                (
                    Is(state, (REQUEST_STATE.REFUNDED, REQUEST_STATE.CLOSED)),
                    All((Is(state, (REQUEST_STATE.AGREED,)), Is(request_type, (AFTER_SALES_TYPE.REFUND_ONLY,)))),
                )
            )
        ),
        deadline=Deadline(applied_at, RULES.seller_reply),
        key=(platform, request_no),
        buyer=buyer_id,
        order=order_no,
        price=requested,
        platform=platform,
        given_deadline=platform_due,
        order_status=((refunds, ORDER_STATUS.REFUNDING),),
        describe=Template(
            "{platform|}{request_type|售后}申请{requested?¥}：{reason|未写原因}（{shipping|发货状态未填}）"
        ),
        action=Template("核实后同意（告知退货地址）或拒绝（写明原因、上传凭证），拿不准先联系买家；逾期平台自动同意"),
        cases=(
            Case(
                Is(state, (REQUEST_STATE.REFUSED,)),
                Deadline(handled_at, RULES.refused_refund_call),
                ITEM_TYPE.REFUSED_CALL,
                Template(
                    "电话联系买家说明拒绝原因，结果记在{remarks.header}；"
                    f"联系后把{{state.header}}改为{REQUEST_STATE.CLOSED}（或按协商结果处理）"
                ),
            ),
            Case(
                Is(state, (REQUEST_STATE.RETURNED,)),
                Deadline(returned_at, RULES.return_confirm),
                ITEM_TYPE.RETURN,
                Template(
                    "退件到了核对产品，在后台确认收货并退款，"
                    f"再把{{state.header}}改为{REQUEST_STATE.REFUNDED}；逾期平台自动退款"
                ),
            ),
            Case(
                AnyOf(
                    (
                        Is(state, (REQUEST_STATE.AWAITING_RETURN,)),
                        All((Is(state, (REQUEST_STATE.AGREED,)), Is(request_type, (AFTER_SALES_TYPE.RETURN_REFUND,)))),
                    )
                ),
                Deadline(handled_at, RULES.buyer_ship_return),
                ITEM_TYPE.AWAITING_RETURN,
                Template(
                    "等买家寄回：买家填了单号就记入{return_tracking.header}、"
                    f"把{{state.header}}改为{REQUEST_STATE.RETURNED}；逾期不寄回售后自动关闭"
                ),
            ),
            Case(
                Is(state, (REQUEST_STATE.AGREED,)),
                Deadline(handled_at, RULES.resend_ship),
                ITEM_TYPE.RESEND,
                Template(f"在{Resends.title}登记{{request_type}}并催仓库发出，发出后把新单号告诉买家"),
            ),
            Case(
                Is(shipping, (SHIPPING_STATE.UNSHIPPED,)),
                Deadline(applied_at, RULES.refund_unshipped),
                ITEM_TYPE.REFUND_UNSHIPPED,
                Template("还没发货：先拦住仓库别发，再同意退款；买家愿意继续要货就请他撤销申请；逾期平台自动同意"),
            ),
            Case(
                All((Is(shipping, (SHIPPING_STATE.SHIPPED,)), Is(request_type, (AFTER_SALES_TYPE.REFUND_ONLY,)))),
                Deadline(applied_at, RULES.refund_shipped),
                ITEM_TYPE.REFUND_SHIPPED,
                Template(
                    "已发货未签收：查物流，追回包裹后同意退款；追不回先拒绝（写明原因、上传凭证）并联系买家；"
                    "逾期平台自动同意"
                ),
            ),
        ),
    )


class ChaseDetail(Sheet):
    title, key, table = "催款明细表", "chase_detail", "ChaseDetail"
    aliases = ("催款明细", "催付明细表")
    description = "每天导出前一天未付款订单逐个催付，记下联系情况和结果。"

    placed_at = Column("拍下时间", Kind.DATETIME, aliases=("下单时间", "成交时间"), required=True)
    buyer_id = buyer_id("买家ID")
    order_no = order_no("订单编号")
    amount = money("订单金额", required=True, aliases=("应付金额", "实付款"))
    consignee = Column("收货人", Kind.TEXT, aliases=("收件人",), personal=True)
    phone = Column(
        "联系电话",
        Kind.PHONE,
        aliases=("电话", "手机", "手机号", "收货人电话"),
        personal=True,
        hint="订单详情里的收货人手机或座机；隐私号（如 17012345678-1234）和后台打码的号码（如 138****8000）照原样粘贴",
        width=18,
    )
    chased_at = Column(
        "催款时间",
        Kind.DATETIME,
        aliases=("催款日期",),
        required=True,
        hint="催款的日期和时间，如 2026-11-22 14:30；只写日期也可以",
    )
    agent = agent("催款人")
    method = Column("催款方式", Kind.CHOICE, aliases=("联系方式",), required=True, choices=CHASE_METHOD)
    answer = Column(
        "接听情况",
        Kind.CHOICE,
        aliases=("联系情况", "回复情况"),
        choices=CHASE_ANSWER,
        width=12,
        hint=f"{CHASE_METHOD.PHONE}填{CHASE_METHOD.default_attributes()[CHASE_METHOD.PHONE]}；"
        f"{LIST_SEPARATOR.join(CHASE_METHOD.values[1:])}填{CHASE_METHOD.default_attributes()[CHASE_METHOD.SMS]}"
        f"（各方式可选哪些，在「设置」表的「{CHASE_METHOD.attribute}」列）",
    )
    feedback = Column("客户反馈", Kind.TEXT, aliases=("买家反馈",), width=24)
    unpaid_reason = Column(
        "未付原因",
        Kind.CHOICE,
        aliases=("未付款原因", "不付款原因"),
        choices=UNPAID_REASON,
        width=14,
        hint="买家为什么还没付款；可从下拉列表选，也可以自己写",
    )
    result = Column("催款结果", Kind.CHOICE, choices=CHASE_RESULT)
    paid_at = Column("付款时间", Kind.DATETIME)
    closes_at = Column(
        "自动关闭时间",
        Kind.DATETIME,
        aliases=("关闭时间",),
        role=Role.COMPUTED,
        formula=f'IF({this_row(placed_at)}="","",{this_row(placed_at)}+{RULES.unpaid_close.name})',
        hint="拍下时间加上「设置」表的自动关闭天数",
    )
    remarks = remarks()

    archive = Archive(chased_at)
    listed_by = (ListedBy(answer, method),)  # 接听情况 fits the 催款方式 (电话: 本人接听…, 旺旺: 已回复…)
    follow_up = FollowUp(
        "CH",
        ITEM_TYPE.CHASE,
        open_when=Not(Is(result, (CHASE_RESULT.PAID, CHASE_RESULT.CLOSED))),
        deadline=Deadline(placed_at, RULES.unpaid_close),
        key=(order_no,),
        buyer=buyer_id,
        order=order_no,
        price=amount,
        one_per=order_no,
        latest_by=chased_at,
        lapses=True,
        order_status=((Always(), ORDER_STATUS.AWAITING_PAYMENT),),
        describe=Template("未付款订单 ¥{amount|?}（上次：{answer|method|未记录}）"),
        action=Template("再次催付，结果记入{sheet}；24 小时内同一买家不超过 {rules.max_chases} 次"),
    )


class ChaseSummary(Sheet):
    title, key, table = "催款汇总表", "chase_summary", "ChaseSummary"
    aliases = ("催款汇总", "催付汇总表")
    description = "按天、按催款人汇总催款结果，由「催款汇总」按钮生成。"
    total_agent = "合计"  # the 催款人 of each day's total row

    date = Column("日期", Kind.DATE, aliases=("催款日期",), required=True, role=Role.COMPUTED)
    agent = Column("催款人", Kind.TEXT, required=True, role=Role.COMPUTED)
    to_chase = Column("需催单数", Kind.INT, role=Role.COMPUTED, minimum=0)
    contacted = Column("已联系", Kind.INT, role=Role.COMPUTED, minimum=0)
    contact_rate = Column("联系率", Kind.RATE, role=Role.COMPUTED)
    paid = Column("催回单数", Kind.INT, role=Role.COMPUTED, minimum=0)
    paid_amount = Column("催回金额", Kind.MONEY, role=Role.COMPUTED, minimum=0)
    success_rate = Column("成功率", Kind.RATE, role=Role.COMPUTED)
    closed = Column("关闭单数", Kind.INT, role=Role.COMPUTED, minimum=0)

    written = True
    duplicate_key = (date, agent)


HANDOVER = Handover()
RETURNS = Returns()
RESENDS = Resends()
QUALITY = Quality()
AFTER_SALES = AfterSales()
CHASE_DETAIL = ChaseDetail()
CHASE_SUMMARY = ChaseSummary()

LEDGERS: tuple[Sheet, ...] = (HANDOVER, AFTER_SALES, RETURNS, RESENDS, QUALITY, CHASE_DETAIL, CHASE_SUMMARY)
# A sheet whose name says it is kept for the record is read by nobody and written by nobody.
ARCHIVE_WORDS = ("备份", "副本", "存档", "归档", "历史", "旧", "copy", "backup", "bak", "old", "archive")
BY_TITLE = {spec.title: spec for spec in LEDGERS}
BY_KEY = {spec.key: spec for spec in LEDGERS}

for _spec in LEDGERS:
    if _spec.follow_up is not None:
        _spec.follow_up.check(_spec, RULES)
    for _listed in _spec.listed_by:
        _listed.check(_spec)
