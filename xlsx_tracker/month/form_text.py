"""The words of a unit's form: the short task text and its link to the full text, the 填报要求 of 填报说明 (what an
编号 means), the line on what was carried from last month, and the input message of each cell."""

from __future__ import annotations

import datetime as dt

from ..base import layout
from ..base.model import Assignment, Carried
from ..base.words import clip
from ..master.answer_rules import PROGRESS, rules_in_force
from ..master.issued import COOPERATING_MARK, WHOLE_GROUP
from ..master.settings import STATUSES, Answers, Settings
from .form_parts import closed

SUMMARY_LENGTH = 40  # characters of the task shown beside the inputs: three lines of its column at most
# What an 编号 says (the forms master.seed gives them): told on 填报说明, since a code such as 47-51/4 is not obvious.
ID_FORMS = ("编号的写法:“12”指第12项指标;“4/2”指第4项指标申报材料要求中的第2项;“26-29”指第26至29项指标(合并报送);"
            "“47-51/4”指第47至51项指标申报材料要求中的第4项;“34-46/3-4”指其中的第3至4项;"
            "“加分2”指加分项第2项;“否决1”指否决项第1项。")


def guide_lines(settings: Settings, issued: dt.date, checklist: bool = True) -> list[str]:
    """填报要求 on 填报说明: how to fill the form, the answer rules in force, what the 编号 and the colours mean.
    checklist: the plan's own indicator list (编号 like 4/2, veto items, one 情况说明 per indicator); an imported task
    list numbers its tasks as the office did and has none of these."""
    rules = "".join(rule.hint for rule in rules_in_force(settings.answers) if checklist or not rule.veto)
    veto = ";否决项为自查申报,存在所列情形的选“已发生”,否则选“未发生”。" if checklist else "。"
    lines = [
        "“任务清单”表只列本单位承担的任务:左侧灰色的编号和任务摘要已锁定,右侧白色列请逐项填写。点击任务摘要即跳到"
        "“任务说明”表中该项任务的全文(" + ("三级指标、申报材料要求、情况说明题目、牵头单位等" if checklist else "任务内容、牵头和责任单位、完成时限等")
        + ",与“任务清单”同一行)。",
        ID_FORMS if checklist else "编号是任务在本办任务分工表中的先后顺序(第几项),“任务说明”表中有每项任务的原文。",
        "进展状态请从下拉列表中选择:" + " / ".join(STATUSES) + veto + rules,
        "表格会自行检查:需要补充或改正的单元格显示为红色,“任务清单”顶部一行显示还有几项未填写、几项需要补充;"
        "尚未完成而预计完成时间已过的显示为黄色,请更新日期。选中单元格时显示填写提示。报送前请处理全部红色单元格。",
        "每项指标提供一份情况说明,包含主要举措、重要成效和突出亮点,简明扼要,一般不超过500字,最多不超过1000字;"
        "“情况说明题目”列有指定题目的,请按该题目撰写。" if checklist else
        "“本月工作进展”请写明本月做了什么、进展到哪一步,简明扼要,一般不超过500字。",
        "证明材料登记在“证明材料目录”表:每条写明编号、材料名称、类型和网址。正式文件扫描为PDF,以原文件名命名;涉密材料可提供纸质件。"
        "联络员信息填在“联络员”表。",
        f"预计完成时间请填日期(如 {issued.year}-12-31),尚未完成的任务不应早于下发日期({issued.isoformat()});联系电话请填数字。",
        "请勿增删行、改动表名或灰色内容。可直接在 Excel、WPS 或 LibreOffice 中填写并保存(.xlsx),文件名可不改;"
        f"于截止日前以邮件附件发送至 {settings.contact_email}。重复报送的,以最后一次为准。",
    ]
    return [f"{number}. {line}" for number, line in enumerate(lines, start=1)]


def carried_line(assignments: list[Assignment], carried: Carried) -> str:
    """Which answers were carried from last month (the first month: how to fill the sheet)."""
    ids = [a.task_id for a in assignments if not closed(carried.reviews.get(a.task_id))
           and any(v not in (None, "") for k, v in carried.rows.get(a.task_id, {}).items() if k in layout.EDITABLE_COLUMNS)]
    shut = sum(1 for a in assignments if closed(carried.reviews.get(a.task_id)))
    closed_note = f"另有 {shut} 项已审核销号,不必再报。" if shut else ""
    if not ids:
        return "请逐项填写白色单元格;选中单元格可看填写提示,红色的须补充或改正,黄色的请更新日期。" + closed_note
    return f"以下 {len(ids)} 项的进展状态、预计完成时间等已按上月报送内容预填,请逐项核对更新。" + closed_note


def prompt(title: str, message: str) -> dict:
    """An input message only (no rule): what the cell expects, shown when it is chosen (Excel, WPS and LibreOffice)."""
    return {"validate": "any", "input_title": title[:32], "input_message": message[:255]}


PROMPTS = {  # the input messages of the cells that have no rule of their own
    "已形成材料": "本月已形成的文件、方案、报告等材料的名称;材料本身登记在“证明材料目录”表。",
    "存在问题及需协调事项": "工作中遇到的问题和需要协调解决的事项;没有的填“无”。",
    "责任人": "本项任务的具体负责人姓名。",
    "材料名称": "材料的名称,正式文件写明文件名称和文号。",
    "网址": "材料在网上公开的,填以 http:// 或 https:// 开头的完整网址。",
    "备注": "其他需要说明的情况,可不填。",
    "姓名": "联络员姓名。",
    "职务": "联络员职务。",
    "电子邮箱": "联络员的电子邮箱,如 name@example.com;通知和回执发往此邮箱。",
}


def status_prompt(answers: Answers, veto: bool) -> str:
    """The 进展状态 cell's input message: the choices, and which of them need their text in 本月工作进展."""
    needs = [f"“{rule.status}”" for rule in rules_in_force(answers) if rule.veto == veto]
    told = f"选{'或'.join(needs)}的,须在“{PROGRESS}”中写明情况,未写的该栏显示为红色。" if needs else ""
    return ("否决项为自查申报:存在所列情形的选“已发生”,否则选“未发生”。" if veto else "请从下拉列表中选择本项任务的进展。") + told


def progress_prompt(answers: Answers, veto: bool) -> str:
    """The 本月工作进展 cell's input message: what to write, and each rule in force on the row's section."""
    lead = "否决项未发生的可不填。" if veto else "写明本月做了哪些工作、取得了什么进展。"
    return (lead + "".join(rule.hint for rule in rules_in_force(answers) if rule.veto == veto))[:255]


def summary_link(row: int, summary: str) -> str:
    """The summary cell's formula: a link to the task's row on 任务说明 (the same row), showing the summary.
    Excel, WPS and LibreOffice all follow "#'sheet'!A1"."""
    text = summary.replace('"', '""')
    return f'=HYPERLINK("#\'{layout.REFERENCE_SHEET}\'!A{row + 1}","{text}")'


def task_summary(locked: dict) -> str:
    """The short task text beside the inputs: this unit's part when the task is split, else the indicator, cut at a
    boundary within SUMMARY_LENGTH (base.words.clip). The full text is one click away: the cell links to the task's
    row on 任务说明."""
    part = locked["本单位承担事项"]
    own = part.removeprefix(COOPERATING_MARK)
    mark = part[:len(part) - len(own)]  # 【配合】 stays in front: the unit sees its role at a glance
    return clip(mark + (own if own and own != WHOLE_GROUP else locked["三级指标"]), SUMMARY_LENGTH)
