"""The library's advice in the page's words: where a message tells a clerk to type a command or add an option, the page
names its own button or box instead. Each entry is the library's text as written ({month} standing for a month such as
2024-05); a test checks that every one still occurs in the library, so a reworded message cannot slip past unchanged."""

from __future__ import annotations

import re

# (the library's words, the page's words)
PAGE_WORDS = [
    ("(确需重新生成请加 --force)", "(确需重新生成请勾选“覆盖本月已下发的工作簿”后再点“拆分下发”)"),
    ("如确需用这份通知替换,请加 --force;", "如确需用这份通知替换,请勾选“替换已有的该年数据”后再导入;"),
    ("用 `xlsx-tracker calendar import 文件` 导入(参见 README“截止日与节假日数据”一节);或加 --assume-weekends 仅按周末推算,结果将标注“暂定”。",
     "在本页“设置”中粘贴通知全文,点“导入放假通知”。"),
    ("公布后请用 `xlsx-tracker calendar import` 导入。", "公布后请在“设置”页粘贴通知全文导入。"),
    ("请关闭后运行 xlsx-tracker report --month {month},重新生成本月的全部文件。", "请关闭后在“报告”页重新下载(会重新生成本月的全部文件)。"),
    ("请先运行:xlsx-tracker split --month {month}", "请先在“拆分下发”页点“拆分下发”。"),
    ("请先运行 xlsx-tracker merge 或 report。", "请先在“收取报回”页点“汇总”。"),
    ("请稍后再运行一次 merge", "请稍后再点一次“汇总”"),
    ("请再运行一次 merge(不会重复入账)", "请再点一次“汇总”(不会重复入账)"),
    ("重新运行 fetch 会接着收取", "再点一次“从邮箱收取”会接着收取"),
]
_COMPILED = [(re.compile(re.escape(words).replace(re.escape("{month}"), r"\d{4}-\d{2}")), replacement)
             for words, replacement in PAGE_WORDS]


def for_page(text: str) -> str:
    for pattern, replacement in _COMPILED:
        text = pattern.sub(lambda _, r=replacement: r, text)
    return text
