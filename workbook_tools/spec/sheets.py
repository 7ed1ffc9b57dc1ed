"""The team's sheets, declared once: columns, aliases, choices, roles, formulas, and how rows are followed up.

Sources: ../shared/domain.md and the seed SOPs it cites. Templates, header
matching, validation, the handover and the totals all read what is here.
"""

from __future__ import annotations

from datetime import timedelta

from workbook_tools.spec.codes import Code
from workbook_tools.spec.figures import Count, Open, Total, count_label, money_label, open_label, paid_label
from workbook_tools.spec.lists import (
    AFTER_SALES_TYPE,
    AGENTS,
    APPROVAL_STATE,
    CALLBACK_METHOD,
    CALLBACK_TYPE,
    CARRIER,
    CHASE_ANSWER,
    CHASE_METHOD,
    CHASE_RESULT,
    CLAIM_STATE,
    DISPUTE_STATE,
    DISPUTE_TYPE,
    FACTORY_STATE,
    FIX_STATE,
    FOLLOW_STATE,
    HANDOVER_STATE,
    INSPECTION,
    ISSUE_SOLUTION,
    ISSUE_STATE,
    ISSUE_TYPE,
    ITEM_TYPE,
    ORDER_STATUS,
    PARCEL_PLAN,
    PARCEL_PROBLEM,
    PARCEL_STATE,
    PLATFORM,
    POSTAGE_PAYER,
    REQUEST_STATE,
    RESEND_REASON,
    RESPONSIBLE,
    RETURN_RESULT,
    RETURN_SOLUTION,
    RETURN_TYPE,
    REVIEW_ACTION,
    REVIEW_REASON,
    REVIEW_RESULT,
    REVIEW_TYPE,
    SATISFACTION,
    SHIPPING_STATE,
    STOCK_STATE,
    UNPAID_REASON,
    YES_NO,
)
from workbook_tools.spec.rowrules import (
    All,
    Always,
    AnyOf,
    Approval,
    Archive,
    AtLeast,
    Case,
    Deadline,
    Evidence,
    Filled,
    FollowUp,
    Forbidden,
    Is,
    ListedBy,
    Not,
    Quota,
    References,
    SumsTo,
    Template,
)
from workbook_tools.spec.rules import RULES
from workbook_tools.spec.types import LIST_SEPARATOR, Column, Kind, Role, Rule, Sheet

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


def approval_columns() -> tuple[Column, Column, Column]:
    """审批人, 审批状态, 审批时间: on every sheet that pays money (002 任务一: 补偿需要售后主管审批)."""
    return (
        agent("审批人", required=False),
        Column(
            "审批状态",
            Kind.CHOICE,
            choices=APPROVAL_STATE,
            hint=f"金额超过「设置」表的审批线时，主管批准后选「{APPROVAL_STATE.APPROVED}」",
        ),
        Column("审批时间", Kind.DATETIME),
    )


def lead_approval(
    amount: Column,
    state: Column,
    since: Column,
    above: Rule | Column | None,
    prefix: str,
    describe: str,
    why: str,
    code: Code = "needs_approval",
) -> Approval:
    """The lead approves `amount` (002 任务一: 退换货、退款金额、补偿需要售后主管审批) in the columns
    `approval_columns` gives; the lead's item says `why` and how to record the answer."""
    return Approval(
        amount,
        state,
        APPROVAL_STATE.APPROVED,
        since,
        above,
        RULES.approval_within,
        prefix,
        ITEM_TYPE.APPROVAL,
        Template(describe),
        Template(
            f"主管：{why}，请审批；批准后在{{sheet}}把{{approval_state.header}}改为{APPROVAL_STATE.APPROVED}"
            "并填写{approver.header}和{approved_at.header}"
        ),
        code,
    )


def approval_figures(subject: str) -> tuple[Open, Open]:
    """What waits for the lead now, count and amount (「待审批补偿（当前）」, 「待审批补偿金额（元）」)."""
    return (
        Open("awaiting", count_label(f"{APPROVAL_STATE.PENDING}{subject}", "当前"), item_type=ITEM_TYPE.APPROVAL),
        Open(
            "awaiting_amount",
            money_label(f"{APPROVAL_STATE.PENDING}{subject}金额"),
            item_type=ITEM_TYPE.APPROVAL,
            amount=True,
        ),
    )


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
    names_rows = (source, instruction)  # 来源, and the notes the handover adds (；退件已到：退件表!57)
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
        hint=f"按退回类型自动判断（设置表可改）；有{POSTAGE_PAYER.INSURANCE}赔付的写「{POSTAGE_PAYER.INSURANCE}」，"
        "特殊情况也可直接改写本格",
    )
    total = Column(
        "合计",
        Kind.INT,
        role=Role.COMPUTED,
        formula=f'IF({this_row(product)}="","",SUMIFS({{t}}[{quantity.header}],{{t}}[{product.header}],'
        f"{this_row(product)}))",
        hint="该产品（含规格）退回个数的总和，自动计算",
    )
    # 003 第三章 影响 / 不影响二次销售; 第四章 收到退货，验货完毕: the warehouse inspects what came back
    inspection = Column("验货结果", Kind.CHOICE, choices=INSPECTION, role=Role.WAREHOUSE, width=16)
    good = Column("良品数", Kind.INT, minimum=0, role=Role.WAREHOUSE, hint="不影响二次销售的个数")
    defective = Column("次品数", Kind.INT, minimum=0, role=Role.WAREHOUSE, hint="影响二次销售的个数")
    stock = Column(  # 003 第二章 三.12: 录入库存软件，并进行上架处理
        "入库状态", Kind.CHOICE, choices=STOCK_STATE, role=Role.WAREHOUSE, width=12
    )
    remarks = remarks()

    archive = Archive(date)
    duplicate_key = (tracking_no, order_no, product)
    sums = (SumsTo((good, defective), quantity, "inspection_mismatch"),)
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
    responsible = Column(
        "责任方",
        Kind.CHOICE,
        aliases=("责任归属",),
        choices=RESPONSIBLE,
        hint=f"{RESPONSIBLE.WAREHOUSE}：错发、漏发、打包；{RESPONSIBLE.SERVICE}：答复、承诺、登记出错",
    )
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
    recovered = money("理赔到账金额", aliases=("已追回金额", "理赔金额"))  # what the courier's claim (理赔) paid
    factory_return = Column("返厂", Kind.CHOICE, aliases=("是否返厂",), choices=YES_NO)
    follower = agent("跟进人", required=False)
    state = Column("状态", Kind.CHOICE, aliases=("处理状态",), required=True, choices=ISSUE_STATE)
    closed_on = Column("结案日期", Kind.DATE, required_when=(state, ISSUE_STATE.CLOSED))
    # 003 第三章: 出厂问题的国内产品需汇总返厂处理 — collected, sent back in batches, confirmed by the factory
    carrier = carrier()  # the parcel the problem came in (003 第一章 五.Ⅳ 破损丢件)
    tracking_no = tracking_no("物流单号")
    factory_state = Column("返厂状态", Kind.CHOICE, choices=FACTORY_STATE, role=Role.WAREHOUSE)
    factory_batch = Column("返厂批次", Kind.TEXT, role=Role.WAREHOUSE, hint="同一批寄回厂家的编号，如 2026-11-A")
    factory_date = Column("返厂日期", Kind.DATE, role=Role.WAREHOUSE, required_when=(factory_state, FACTORY_STATE.SENT))
    factory = Column("厂家", Kind.TEXT, width=14)
    approver, approval_state, approved_at = approval_columns()

    archive = Archive(date)
    duplicate_key = (order_no, product, issue_type)
    approval = lead_approval(
        compensation,
        approval_state,
        date,
        RULES.approval_above,
        "QA",
        "{issue_type|问题}补偿 ¥{compensation}：{details|product|}",
        "补偿超过 {rules.approval_above} 元",
    )
    figures = approval_figures("补偿")  # 002 任务一: the lead sees what waits for approval, count and amount
    # waits to go back to the factory until it has gone, however long ago it was registered (日汇总's list)
    awaiting_factory = AnyOf(
        (
            Is(factory_state, (FACTORY_STATE.PENDING,)),
            All((Is(factory_return, (YES_NO.YES,)), Is(factory_state, (None,)))),
        )
    )
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
        hint="同意或拒绝的时间；拒绝后电联的时限从这里算",
    )
    refund = Column(
        "退款金额",
        Kind.MONEY,
        minimum=0,
        required_when=(state, REQUEST_STATE.REFUNDED),
        hint="实际退给买家的金额（元）",
    )
    refunded_at = Column(
        "退款时间",
        Kind.DATETIME,
        required_when=(state, REQUEST_STATE.REFUNDED),
        hint="退款到账的时间：日汇总按它算当天的退款金额",
    )
    remarks = remarks()
    approver, approval_state, approved_at = approval_columns()  # 002 任务一: 退款金额需要售后主管进行审批

    archive = Archive(applied_at)
    duplicate_key = (platform, request_no)
    # a refund above what the buyer asked for is the lead's to allow (002 任务一): an error until 已批准
    approval = lead_approval(
        refund,
        approval_state,
        applied_at,
        requested,
        "AA",
        "退款 ¥{refund} 超过申请金额 ¥{requested}：{reason|platform|}",
        "退款超过买家申请的金额",
        "refund_exceeds_request",
    )
    figures = approval_figures("退款")  # refunds above the request that wait for the lead
    limits = (
        # nothing about a request happens before the buyer asked
        AtLeast(returned_at, applied_at, "before_request"),
        AtLeast(platform_due, applied_at, "before_request"),
        AtLeast(handled_at, applied_at, "before_request"),
        AtLeast(refunded_at, applied_at, "before_request"),
    )
    returns_parcel = Is(request_type, (AFTER_SALES_TYPE.RETURN_REFUND, AFTER_SALES_TYPE.EXCHANGE))
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
        key=(request_no,),  # not the platform: correcting 「PDD」 to 拼多多 must not make it another item
        unique=True,
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
                Deadline(returned_at, RULES.return_confirm, otherwise=applied_at),
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
        quota=Quota(
            buyer_id,
            chased_at,
            RULES.max_chases,
            timedelta(hours=24),
            Template("这位买家 24 小时内已催满 {rules.max_chases} 次：{until} 以前不要再催，买家付款了就记入{sheet}"),
        ),
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


class Callbacks(Sheet):
    """003 第六章 售后服务回访SOP (the seed keeps its headings: 一、回访目标 … 五.Ⅲ 回访工作信息收集及反馈)."""

    title, key, table = "回访表", "callbacks", "Callbacks"
    aliases = ("回访登记表", "售后回访表")
    description = "售后回访（收货后、未收货、缺货通知）每通一行；买家反映的问题跟进到解决。"

    # 003 第六章 五.Ⅰ 管易系统导单, Ⅱ 按区域分时间段回访: the day of the call
    date = Column("回访日期", Kind.DATE, aliases=("日期",), required=True, hint="回访的日期，如 2026-11-03")
    buyer_id = buyer_id("买家ID")
    order_no = order_no("订单编号", required=False)  # 五.Ⅰ: calls are made from the orders the system exports
    call_type = Column(  # 四、话术: Ⅰ 收到货后, Ⅱ 未收到货, Ⅲ 缺货电话通知
        "回访类型", Kind.CHOICE, required=True, choices=CALLBACK_TYPE, width=13
    )
    method = Column("回访方式", Kind.CHOICE, choices=CALLBACK_METHOD)  # 二、回访方式
    caller = agent("回访人")  # 三、回访人员需具备条件
    answer = Column("接听情况", Kind.CHOICE, choices=CHASE_ANSWER, width=12)  # as 003 第五章's calls record it
    satisfaction = Column("满意度", Kind.CHOICE, choices=SATISFACTION)  # 000 §六.9 满意度 (售后)
    feedback = Column("问题反馈", Kind.TEXT, width=28, wrap=True, hint="买家在回访中反映的问题或建议")  # 五.Ⅲ
    needs_follow_up = Column(  # 五.Ⅲ 信息收集及反馈: what the buyer raised goes on to someone who solves it
        "需跟进", Kind.CHOICE, choices=YES_NO, hint="买家反映的问题还要处理就选「是」，会进入交接班"
    )
    state = Column("状态", Kind.CHOICE, aliases=("跟进状态",), choices=FOLLOW_STATE)

    duplicate_key = (date, buyer_id, order_no, call_type)
    archive = Archive(date)
    follow_up = FollowUp(
        "CB",
        ITEM_TYPE.CALLBACK,
        open_when=All((Is(needs_follow_up, (YES_NO.YES,)), Not(Is(state, (FOLLOW_STATE.SOLVED,))))),
        deadline=Deadline(date, RULES.callback_follow_up),
        key=(date, buyer_id, order_no, call_type),
        buyer=buyer_id,
        order=order_no,
        describe=Template("{call_type}：{feedback|satisfaction|买家反映了问题}"),
        action=Template(f"联系买家解决回访中反映的问题，解决后在{{sheet}}把{{state.header}}改为{FOLLOW_STATE.SOLVED}"),
    )
    figures = (
        Count("calls", count_label("回访", "次"), date),
        Count(
            "unsatisfied",
            count_label(f"回访{SATISFACTION.UNSATISFIED}", "次"),
            date,
            Is(satisfaction, (SATISFACTION.UNSATISFIED,)),
        ),
        Count(
            "to_follow", count_label(f"回访{needs_follow_up.header}", "次"), date, Is(needs_follow_up, (YES_NO.YES,))
        ),
        Open("open", open_label("回访跟进")),
        Open("overdue", open_label("回访跟进", overdue=True), overdue=True),
    )


CALLBACKS = Callbacks()


class SpotChecks(Sheet):
    """003 第七章 售后服务回访抽查SOP (headings only in the seed: 抽查目的 … 七、抽查记录); 000 §六.8 聊天记录抽查."""

    title, key, table = "回访抽查表", "spot_checks", "SpotChecks"
    aliases = ("抽查表", "回访抽查记录")
    description = "主管抽查回访：评分、问题和整改要求，跟进到整改完成。"

    date = Column("抽查日期", Kind.DATE, aliases=("日期",), required=True)  # 第七章 四、抽查时间
    agent = agent("被抽查人")  # 三、抽查对象
    callback = Column(  # 五、抽查方式: one 回访 listened to again
        "抽查的回访",
        Kind.TEXT,
        width=16,
        hint=f"被抽查的那次回访在{Callbacks.title}的哪一行，如 {Callbacks.title}!12（只写行号 12 也可以）",
    )
    score = Column("评分", Kind.INT, minimum=0, hint="按二、衡量指标打分，满分 100")  # 二、衡量指标
    problems = Column("问题", Kind.TEXT, width=28, wrap=True)  # 七、抽查记录; 000 §六.8 态度、心态与质量
    fix_required = Column("整改要求", Kind.TEXT, width=28, wrap=True)  # 七、抽查记录
    fix_state = Column("整改状态", Kind.CHOICE, choices=FIX_STATE)

    duplicate_key = (date, agent, callback)
    references = (References(callback, CALLBACKS, "missing_reference"),)  # the call listened to was recorded
    archive = Archive(date)
    follow_up = FollowUp(
        "SC",
        ITEM_TYPE.SPOT_CHECK,
        open_when=Is(fix_state, (FIX_STATE.PENDING,)),
        deadline=Deadline(date, RULES.spot_check_fix),
        key=(date, agent, callback),
        buyer=None,
        order=None,
        describe=Template("{agent}的回访抽查{score?评分 }：{problems|fix_required|有问题}"),
        action=Template(f"{{agent}}按整改要求改正，主管复查后在{{sheet}}把{{fix_state.header}}改为{FIX_STATE.DONE}"),
    )
    figures = (
        Count("checks", count_label("回访抽查", "次"), date),
        Count("to_fix", count_label(f"抽查{FIX_STATE.PENDING}", "次"), date, Is(fix_state, (FIX_STATE.PENDING,))),
        Open("open", open_label("抽查整改")),
    )


class ParcelIssues(Sheet):
    """003 第一章 售后服务快递查询SOP 五、各类快递件问题处理; 000 §四.6 (拦截件), §九.3 (异常物流早跟进), §十.1 (疑难件
    发现以后要做记录，定期跟踪)."""

    title, key, table = "物流异常表", "parcel_issues", "ParcelIssues"
    aliases = ("异常件登记表", "疑难件登记表", "物流异常登记表")
    description = "疑难件、超区件、丢件、破损、拦截件、延长收货：每件一行，跟进到原件有着落、理赔到账、结案。"

    found_on = Column(  # 000 §十.1: 每天物流跟踪，疑难件发现以后要做记录
        "发现日期", Kind.DATE, aliases=("日期", "登记日期"), required=True, hint="发现异常的日期，如 2026-11-03"
    )
    tracking_no = tracking_no("物流单号", required=True, role=Role.SERVICE)  # 003 第一章 二、查询快递
    carrier = carrier()
    order_no = order_no("订单编号")  # 二.Ⅰ: 用客户ID/订单编号从店铺后台调出订单
    buyer_id = buyer_id("买家ID")
    problem = Column(  # 五.Ⅱ 疑难件（客户原因 / 快递原因）, Ⅲ 超区件, Ⅳ 破损丢件; 000 §四.6 拦截件; 注: 延长收货
        "异常类型", Kind.CHOICE, aliases=("异常原因",), required=True, choices=PARCEL_PROBLEM, width=17
    )
    plan = Column("处理方案", Kind.CHOICE, choices=PARCEL_PLAN, width=12)  # 五.Ⅱ、Ⅲ 的处理方案
    original = Column("原件状态", Kind.CHOICE, choices=PARCEL_STATE)  # 五.Ⅱ 跟踪原件退回
    refunded = Column(  # 000 §四.6: 后台已退款拦截的更是要注意商品是否有退回到仓库
        "已退款", Kind.CHOICE, choices=YES_NO, hint="后台已经退款的拦截件，要跟到原件退回仓库"
    )
    back_on = Column("原件回仓日期", Kind.DATE, role=Role.WAREHOUSE, hint="原件退回仓库的日期")  # 000 §四.6
    claim_state = Column("索赔状态", Kind.CHOICE, choices=CLAIM_STATE)  # 003 第二章 快递损失费用
    claimed = money("索赔金额")
    paid = money("理赔到账金额", aliases=("理赔金额",))
    follower = agent("跟进人", required=False)  # 000 §九.4 事务跟进处理，谨防其它客服遗漏
    state = Column("状态", Kind.CHOICE, aliases=("处理状态",), required=True, choices=ISSUE_STATE)
    closed_on = Column("结案日期", Kind.DATE, required_when=(state, ISSUE_STATE.CLOSED))

    duplicate_key = (found_on, tracking_no, problem)
    claim_open = Is(claim_state, (CLAIM_STATE.TO_CLAIM, CLAIM_STATE.CLAIMING))  # a claim stays open until paid
    refunded_not_back = All(  # 000 §四.6: refunded, intercepted, and not back in the warehouse yet
        (
            Is(problem, (PARCEL_PROBLEM.INTERCEPTED,)),
            Is(refunded, (YES_NO.YES,)),
            Not(Is(original, (PARCEL_STATE.RETURNED,))),
        )
    )
    forbidden = (Forbidden(All((Is(state, (ISSUE_STATE.CLOSED,)), claim_open)), claim_state, "closed_with_open_claim"),)
    archive = Archive(found_on)
    follow_up = FollowUp(
        "LP",
        ITEM_TYPE.PARCEL,
        open_when=AnyOf((Not(Is(state, (ISSUE_STATE.CLOSED,))), claim_open, refunded_not_back)),
        deadline=Deadline(found_on, RULES.parcel_follow_up),  # 000 §九.3 异常物流早跟进
        key=(found_on, tracking_no, problem),
        buyer=buyer_id,
        order=order_no,
        describe=Template("{problem}：{carrier|}{tracking_no}（原件{original|状态未填}）"),
        notes=((claim_open, "，快递理赔未到账"),),
        action=Template(
            "查物流、联系快递{plan?按方案}，进展告诉买家；处理完在{sheet}填写{state.header}和{closed_on.header}"
        ),
        cases=(
            Case(
                refunded_not_back,
                Deadline(found_on, RULES.intercept_return),
                ITEM_TYPE.INTERCEPT_RETURN,
                Template(
                    "已退款的拦截件：每天下班前查原件是否退回仓库；退回后在{sheet}填写{back_on.header}，"
                    f"把{{original.header}}改为{PARCEL_STATE.RETURNED}"
                ),
            ),
            Case(  # 003 第一章 五.Ⅱ: 4 天内仍无法联系到客户，通知当地快递一周内将件退回
                All((Is(problem, (PARCEL_PROBLEM.STUCK_CUSTOMER,)), Is(plan, (PARCEL_PLAN.RETURN,)))),
                Deadline(found_on, RULES.problem_parcel_return),
                ITEM_TYPE.PARCEL_RETURN,
                Template(
                    "催快递一周内把原件退回仓库，等买家来联系、确认电话和地址后重新发出；"
                    f"原件回仓后填写{{back_on.header}}，把{{original.header}}改为{PARCEL_STATE.RETURNED}"
                ),
            ),
            Case(
                Is(problem, (PARCEL_PROBLEM.STUCK_CUSTOMER,)),
                Deadline(found_on, RULES.problem_parcel),
                ITEM_TYPE.PROBLEM_PARCEL,
                Template(
                    "电话联系、旺旺留言，确认买家的电话和地址；{rules.problem_parcel} 天内联系不上，"
                    f"通知当地快递退回原件，把{{plan.header}}改为{PARCEL_PLAN.RETURN}"
                ),
            ),
            Case(  # 003 第一章 五.Ⅳ: 破损丢件 马上安排补发
                All((Is(problem, (PARCEL_PROBLEM.LOST, PARCEL_PROBLEM.DAMAGED)), Is(plan, (None,)))),
                Deadline(found_on, RULES.resend_ship),
                ITEM_TYPE.RESEND,
                Template(
                    f"向买家致歉，马上补发（在{Resends.title}登记），"
                    f"在{{sheet}}把{{plan.header}}改为{PARCEL_PLAN.RESEND}，跟进到买家收到"
                ),
            ),
            Case(
                claim_open,
                Deadline(found_on, RULES.claim_paid),
                ITEM_TYPE.CLAIM,
                Template(
                    "向快递跟进理赔，到账后在{sheet}填写{paid.header}，"
                    f"把{{claim_state.header}}改为{CLAIM_STATE.PAID}，再结案"
                ),
            ),
        ),
    )
    figures = (
        Count("found", count_label("物流异常", "件"), found_on),
        Count(
            "lost_damaged",
            count_label(LIST_SEPARATOR.join((PARCEL_PROBLEM.LOST, PARCEL_PROBLEM.DAMAGED)), "件"),
            found_on,
            Is(problem, (PARCEL_PROBLEM.LOST, PARCEL_PROBLEM.DAMAGED)),
        ),
        Total("claimed", money_label(claimed.header), found_on, amount=claimed),
        Total("paid", money_label(paid.header), found_on, amount=paid),
        Open("open", open_label("物流异常")),
        Open("overdue", open_label("物流异常", overdue=True), overdue=True),
    )


class Reviews(Sheet):
    """网络客服服务实务 任务一 （四）评价, 第四节 评价处理流程; 任务二 中差评处理规范 (第三节: 查明原因、处理原则、
    联系工具)."""

    title, key, table = "评价表", "reviews", "Reviews"
    aliases = ("中差评登记表", "中差评表", "回评登记表")
    description = "中评、差评、追评每条一行：查明原因、联系买家、跟进到结案；评价期（成交后 45 天）内处理完。"

    date = Column("日期", Kind.DATE, aliases=("评价日期",), required=True, hint="买家评价的日期，如 2026-11-03")
    platform = Column("平台", Kind.CHOICE, aliases=("店铺平台",), choices=PLATFORM, width=9)
    order_no = order_no("订单编号")  # 任务一 （四）: 回评专员 新增回评单, by the order
    buyer_id = buyer_id("买家ID")
    deal_on = Column(  # 第四节: 评价有效区内（成交后 3-45 天）
        "成交日期", Kind.DATE, aliases=("成交时间", "下单日期"), hint="订单成交的日期：评价期从这天算 45 天"
    )
    review_type = Column("评价类型", Kind.CHOICE, required=True, choices=REVIEW_TYPE)  # 任务二 中差评; 追评
    content = Column("评价内容", Kind.TEXT, width=30, wrap=True)  # 第二节 (二): 了解中差评的内容
    reason = Column("原因", Kind.CHOICE, aliases=("差评原因",), choices=REVIEW_REASON)  # 第三节 1.查明原因
    action = Column("处理方式", Kind.CHOICE, choices=REVIEW_ACTION, width=12)  # 第三节 4.联系工具; 图7-7 补偿流程
    result = Column("处理结果", Kind.CHOICE, choices=REVIEW_RESULT, width=14)  # 图7-7: 评价修改 / 不接受
    compensation = money("补偿金额")  # 任务一 （四）: 赔付金额……回评专员要提交上级领导进行审批
    handler = agent("处理人", required=False, aliases=("回评专员",))
    state = Column("状态", Kind.CHOICE, aliases=("处理状态",), required=True, choices=ISSUE_STATE)
    approver, approval_state, approved_at = approval_columns()

    duplicate_key = (order_no, buyer_id, review_type)
    # 任务一 （四）: compensation for a review goes to the lead; platforms forbid paying for a changed review, so any
    # amount here waits for approval, and its finding says why
    approval = lead_approval(
        compensation,
        approval_state,
        date,
        None,
        "RA",
        "{review_type}补偿 ¥{compensation}：{content|reason|}",
        "评价上的补偿都要审批（平台禁止用补偿换买家改评价）",
        "review_compensation",
    )
    archive = Archive(date)
    follow_up = FollowUp(
        "RV",
        ITEM_TYPE.REVIEW_WINDOW,
        open_when=Not(Is(state, (ISSUE_STATE.CLOSED,))),
        # the window runs from the deal; without its date, from the review (the latest the deal can have been)
        deadline=Deadline(deal_on, RULES.review_window, otherwise=date),
        key=(order_no, buyer_id, review_type),
        buyer=buyer_id,
        order=order_no,
        describe=Template("{platform|}{review_type}：{content|reason|未写内容}"),
        action=Template(
            "查明原因（服务、质量、恶意、心情、快递），先旺旺、不在线再电话联系买家并回复解释；"
            "评价期内处理完，结案后在{sheet}填写{result.header}和{state.header}"
        ),
    )
    figures = (
        Count("reviews", count_label("中差评", "条"), date),
        Count("bad", count_label(REVIEW_TYPE.BAD, "条"), date, Is(review_type, (REVIEW_TYPE.BAD,))),
        Count(
            "malicious",
            count_label(f"{REVIEW_REASON.MALICIOUS}评价", "条"),
            date,
            Is(reason, (REVIEW_REASON.MALICIOUS,)),
        ),
        Count("changed", count_label(REVIEW_RESULT.CHANGED, "条"), date, Is(result, (REVIEW_RESULT.CHANGED,))),
        Total("compensation", paid_label(f"评价{compensation.header}"), date, amount=compensation),
        Open("open", open_label("中差评")),
        Open("overdue", open_label("中差评", overdue=True), overdue=True),
        *approval_figures("评价补偿"),
    )


class Disputes(Sheet):
    """网络客服服务实务 任务一 （五）维权 (图7-8 维权流程), 第三节 维权处理; 任务三 纠纷的分类; 任务四 处理各种纠纷;
    淘宝客服售后处理技巧 (拼多多 处罚 申诉时效 24 小时)."""

    title, key, table = "投诉维权表", "disputes", "Disputes"
    aliases = ("维权登记表", "投诉登记表", "维权表", "纠纷登记表")
    description = "买家投诉、维权每单一行：理由、店铺回复、处理意见，完结时记下责任部门、责任人和处罚考核。"

    date = Column("日期", Kind.DATE, aliases=("投诉日期", "维权日期"), required=True)  # 维权记录 每日新增登记
    platform = Column("平台", Kind.CHOICE, aliases=("店铺平台",), required=True, choices=PLATFORM, width=9)
    dispute_no = Column(  # 图7-8: 新增维权单
        "维权单号", Kind.ID, aliases=("投诉编号", "维权编号"), width=20, hint="后台的投诉或维权编号，按文本粘贴"
    )
    order_no = order_no("订单编号")  # 与原销售订单进行关联
    buyer_id = buyer_id("买家ID")
    dispute_type = Column(  # 任务三: 产品纠纷、物流纠纷、服务纠纷、收付款纠纷
        "纠纷类型", Kind.CHOICE, aliases=("投诉类型",), required=True, choices=DISPUTE_TYPE
    )
    grounds = Column("维权理由", Kind.TEXT, aliases=("投诉理由",), width=24, wrap=True)  # 买家提出的维权理由
    reply = Column("店铺回复", Kind.TEXT, width=24, wrap=True)  # 网店的回复、最终解释
    opinion = Column("处理意见", Kind.TEXT, width=24, wrap=True)  # 处理意见进行跟踪记录
    compensation = money("补偿金额")  # 图7-8 补偿流程; 第三节: 符合事实的情况，给与一定的补偿
    department = Column("责任部门", Kind.TEXT, width=12)  # 维权单完结时将责任部门、责任人、处罚考核结果记录完全
    owner = Column("责任人", Kind.TEXT, width=10)
    assessment = Column("处罚考核", Kind.TEXT, width=16)
    penalty_at = Column(  # 淘宝客服售后处理技巧 四、如何申诉: 在申诉时效（24小时）内进行申诉
        "处罚时间", Kind.DATETIME, aliases=("违规时间",), hint="平台处罚通知的时间（拼多多：24 小时内可申诉）"
    )
    appealed_at = Column("申诉时间", Kind.DATETIME, hint="提交申诉的时间")
    handler = agent("处理人", required=False, aliases=("维权专员",))
    state = Column("状态", Kind.CHOICE, aliases=("维权状态",), required=True, choices=DISPUTE_STATE)
    closed_on = Column("完结日期", Kind.DATE, aliases=("结案日期",), required_when=(state, DISPUTE_STATE.DONE))
    approver, approval_state, approved_at = approval_columns()

    duplicate_key = (platform, dispute_no, order_no, dispute_type)
    approval = lead_approval(  # 002 任务一: 补偿需要售后主管审批
        compensation,
        approval_state,
        date,
        RULES.approval_above,
        "DA",
        "{dispute_type}纠纷补偿 ¥{compensation}：{grounds|}",
        "补偿超过 {rules.approval_above} 元",
    )
    appeal_open = All((Is(platform, (PLATFORM.PDD,)), Filled(penalty_at), Not(Filled(appealed_at))))
    archive = Archive(date)
    follow_up = FollowUp(
        "DP",
        ITEM_TYPE.DISPUTE,
        open_when=Is(state, (DISPUTE_STATE.OPEN,)),
        deadline=Deadline(date, RULES.dispute_follow_up),
        key=(platform, dispute_no, order_no, dispute_type),
        buyer=buyer_id,
        order=order_no,
        platform=platform,
        describe=Template("{platform}{dispute_type}纠纷：{grounds|dispute_no|未写理由}"),
        action=Template(
            "联系买家核实并回复，处理意见记入{sheet}；买家撤销或完结后填写{state.header}，"
            "完结时记下{department.header}、{owner.header}和{assessment.header}"
        ),
        cases=(
            Case(
                appeal_open,
                Deadline(penalty_at, RULES.pdd_appeal),
                ITEM_TYPE.PDD_APPEAL,
                Template(
                    "拼多多处罚：处罚后 {rules.pdd_appeal} 小时内在商家后台【店铺管理】-【订单活动】-"
                    "【负面消费者体验申诉】申诉，申诉后在{sheet}填写{appealed_at.header}"
                ),
            ),
        ),
    )
    figures = (
        Count("disputes", count_label("投诉维权", "单"), date),
        Count(
            "penalties",
            count_label(f"{PLATFORM.PDD}处罚", "单"),
            date,
            All((Is(platform, (PLATFORM.PDD,)), Filled(penalty_at))),
        ),
        Count(
            "withdrawn",
            count_label(f"投诉{DISPUTE_STATE.WITHDRAWN}", "单"),
            date,
            Is(state, (DISPUTE_STATE.WITHDRAWN,)),
        ),
        Total("compensation", paid_label(f"维权{compensation.header}"), date, amount=compensation),
        Open("open", open_label("投诉维权")),
        Open("overdue", open_label("投诉维权", overdue=True), overdue=True),
        *approval_figures("维权补偿"),
    )


HANDOVER = Handover()
RETURNS = Returns()
RESENDS = Resends()
QUALITY = Quality()
AFTER_SALES = AfterSales()
CHASE_DETAIL = ChaseDetail()
CHASE_SUMMARY = ChaseSummary()
SPOT_CHECKS = SpotChecks()
PARCEL_ISSUES = ParcelIssues()
REVIEWS = Reviews()
DISPUTES = Disputes()

LEDGERS: tuple[Sheet, ...] = (
    HANDOVER,
    AFTER_SALES,
    RETURNS,
    RESENDS,
    QUALITY,
    CHASE_DETAIL,
    CHASE_SUMMARY,
    CALLBACKS,
    SPOT_CHECKS,
    PARCEL_ISSUES,
    REVIEWS,
    DISPUTES,
)
# A sheet whose name says it is kept for the record is read by nobody and written by nobody.
ARCHIVE_WORDS = ("备份", "副本", "存档", "归档", "历史", "旧", "copy", "backup", "bak", "old", "archive")
BY_TITLE = {spec.title: spec for spec in LEDGERS}
BY_KEY = {spec.key: spec for spec in LEDGERS}

for _spec in LEDGERS:
    if _spec.follow_up is not None:
        _spec.follow_up.check(_spec, RULES)
    for _listed in _spec.listed_by:
        _listed.check(_spec)
    if _spec.approval is not None:
        _spec.approval.check(_spec, RULES)
    for _figure in _spec.figures:
        _figure.check(_spec)
    if len({_figure.key for _figure in _spec.figures}) != len(_spec.figures):
        raise TypeError(f"{type(_spec).__name__}: two figures share a key")
