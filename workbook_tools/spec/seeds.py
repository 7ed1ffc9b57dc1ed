"""The seed documents rules and list values come from, by the names a team can look them up under.

设置's 依据 column names a document and its chapter as a reader finds them in it
(「售后服务手册 第四章 退款」), never a file name or a number of ours.
"""

from __future__ import annotations

# seeds/003: 淘宝零售部售后服务手册（整理版）; 第一章 快递查询 … 第五章 催款, 第六章 回访, 第七章 回访抽查
SOP = "售后服务手册"
# seeds/002: the course 网络客服服务实务; 任务一 售后流程, 任务二 评价, 任务三 纠纷类型, 任务四 纠纷处理, 任务五 交接
COURSE = "网络客服服务实务"
# seeds/000: the shop's duties of 售前, 售后 and 机动岗 in parts 三 to 十一 (the document's own title is cut off)
DUTIES = "客服岗位规范"
# seeds/001: 淘宝客服售后处理技巧与沟通方法解析
TIPS = "淘宝客服售后处理技巧"
# not a seed: what chase (催付) guides commonly advise (../shared/domain.md)
CHASE_ADVICE = "催付常见做法"
