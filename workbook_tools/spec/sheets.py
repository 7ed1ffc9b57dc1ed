"""The team's sheets, declared once: columns, aliases, choices, roles, formulas, and how rows are followed up.

Sources: ../shared/domain.md and the seed SOPs it cites. Templates, header
matching, validation, the handover and the totals all read what is here.
"""

from __future__ import annotations

from workbook_tools.spec.lists import (
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
    RESEND_REASON,
    RESPONSIBLE,
    RETURN_RESULT,
    RETURN_SOLUTION,
    RETURN_TYPE,
    UNPAID_REASON,
    YES_NO,
)
from workbook_tools.spec.rowrules import Always, Deadline, Evidence, Filled, FollowUp, Is, ListedBy, Not, Template
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
    order_no = order_no("订单号", required=False)
    order_status = Column("订单状态", Kind.CHOICE, aliases=("交易状态",), choices=ORDER_STATUS, width=14)
    price = money("订单价格", aliases=("订单金额", "金额"))
    details = Column("订单描述", Kind.TEXT, aliases=("问题描述",), width=24)
    instruction = Column(
        "交接处理",
        Kind.TEXT,
        aliases=("交接事项", "处理事项"),
        required=True,
        width=36,
        hint="下一班要做什么、在什么时间之前",
    )
    progress = Column(
        "本班进展",
        Kind.TEXT,
        aliases=("处理进展", "跟进情况", "跟进进展"),
        width=30,
        hint="本班对该事项做了什么、结果如何；下次交接班时带到该事项的新一行，不会丢",
    )
    from_agent = agent("交接人")
    to_agent = agent("承接人", aliases=("接班人",))
    at = Column("时间", Kind.DATETIME, aliases=("交接时间",), required=True, hint="交接时间，如 2026-11-03 18:00")
    source = Column("来源", Kind.TEXT, width=14, hint="该事项来自哪张表哪一行")
    due_at = Column("截止时间", Kind.DATETIME, aliases=("最晚处理时间",), hint="平台规则规定的最晚处理时间")
    state = Column("状态", Kind.CHOICE, aliases=("处理状态",), required=True, choices=HANDOVER_STATE)
    acknowledged_at = Column("确认时间", Kind.DATETIME, aliases=("接收确认时间",), hint="承接人确认收到交接的时间")
    item_type = Column(
        "事项类型",
        Kind.CHOICE,
        choices=ITEM_TYPE,
        width=16,
        hint="决定截止时间按哪条平台规则算；没填截止时间时按交接时间加该规则的时限",
    )
    item_no = Column(
        "事项编号", Kind.TEXT, role=Role.COMPUTED, width=11, hint="交接班自动生成，同一事项每次交接编号相同，请勿修改"
    )

    duplicate_key = (at, item_no, buyer_id, order_no, instruction)  # one item handed over twice at once
    one_of = (buyer_id, order_no, source)  # an item says whose, which order, or which ledger row it is
    written = True


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
    )


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
        action=Template("催仓库发出，并在{sheet}填写{new_tracking_no.header}和{shipped_on.header}"),
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
CHASE_DETAIL = ChaseDetail()
CHASE_SUMMARY = ChaseSummary()

LEDGERS: tuple[Sheet, ...] = (HANDOVER, RETURNS, RESENDS, QUALITY, CHASE_DETAIL, CHASE_SUMMARY)
# A sheet whose name says it is kept for the record is read by nobody and written by nobody.
ARCHIVE_WORDS = ("备份", "副本", "存档", "归档", "历史", "旧", "copy", "backup", "bak", "old", "archive")
BY_TITLE = {spec.title: spec for spec in LEDGERS}
BY_KEY = {spec.key: spec for spec in LEDGERS}

for _spec in LEDGERS:
    if _spec.follow_up is not None:
        _spec.follow_up.check(_spec, RULES)
    for _listed in _spec.listed_by:
        _listed.check(_spec)
