"""The key figures every view shows (总览, the 通报, the console), each with the words that define it.

A figure is looked up by its key, never by its display label; the label and definition are filled with
the month's own facts (how many indicators the master has, the follow-up rule in force).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.problems import severity_counts
from .rows import DONE, PENDING, RETURNED, REVIEWED


@dataclass(frozen=True)
class Figure:
    key: str
    name: str  # str.format template: {indicators}
    definition: str  # printed on the report's 说明; str.format template: {indicators}, {follow_up}
    higher_is_better: bool  # colours the month-on-month change

    def label(self, state) -> str:
        return self.name.format(**_facts(state))

    def describe(self, state) -> str:
        return self.definition.format(**_facts(state))


def _facts(state) -> dict:
    return {"indicators": state.main_indicators, "follow_up": state.follow_up_rule}


FIGURES = [
    Figure("on_time", "按时报送单位数", "收到时间不晚于报送截止日的单位数。收到时间依次以邮件服务器收件时间、收件目录的日期文件夹、"
           "汇总时指定的日期为准;都没有时以文件自身的保存时间推定,并标注“推定”。", True),
    Figure("late", "逾期报送单位数", "已报送、但收到时间晚于报送截止日的单位数。", False),
    Figure("not_returned", "未报送单位数", "本月没有任何可采用文件的单位数(不含报送空表的单位)。", False),
    Figure("blank_forms", "报送空表单位数", "报回的工作簿未填写任何内容的单位数:不算报送、不算按时,列入催办名单。", False),
    Figure("progress", "总体平均进度(%)", "全部单位全部任务(不含否决项)单项进度的平均值;单项进度按评分规则第1条折算,未报送的任务计0。", True),
    Figure("indicators_done", "已完成指标数(共{indicators}项)",
           "{indicators}项指标中,全部任务(含各分项、各责任单位)均为“已完成”或“无此情形(已作说明)”的指标数。", True),
    Figure("tasks_done", "已完成任务数", "进展状态为“已完成”或“无此情形(已作说明)”的任务数(每个单位的每项任务计一次,不含否决项)。", True),
    Figure("reviewed", "已销号任务数", "办公室审核材料后“通过”、已销号的任务数(累计)。", True),
    Figure("pending", "待审核任务数", "单位报“已完成”或“无此情形”、尚待办公室审核的任务数。", False),
    Figure("returned", "已退回任务数", "本月审核“退回”、须单位补充后重新报送的任务数。", False),
    Figure("errors", "校验问题:错误(条)", "回收文件中“错误”级问题的条数:内容未被采用或文件未被采用,须改正。", False),
    Figure("warnings", "校验问题:提醒(条)", "“提醒”级问题的条数:内容已按规则处理后采用,请单位下次注意。错误和提醒都扣质量分。", False),
    Figure("infos", "校验问题:提示(条)", "“提示”级问题的条数:仅供了解(如收到的材料、格式自动转换),不扣分。", False),
    Figure("error_units", "报送有错误的单位数", "报送的表格有“错误”级问题、须改正后重新报送的单位数。", False),
    Figure("veto_units", "否决项情形(单位数)", "自查申报否决项情形“已发生”的单位数。", False),
    Figure("follow_ups", "需催办单位数(见“催办名单”)", "符合下列情形之一的单位数:{follow_up}。", False),
]
FIGURE_BY_KEY = {figure.key: figure for figure in FIGURES}
LEVEL1_DEFINITION = "一级指标平均进度(%):该一级指标下全部任务(不含否决项、加分项)单项进度的平均值。"


def key_figures(state) -> dict[str, float]:
    """The figures of 总览 by key, in the order of FIGURES."""
    returned = [u for u in state.units if u.returned]
    by_severity = severity_counts(state.problems)
    values = {
        "on_time": sum(1 for u in returned if u.on_time),
        "late": sum(1 for u in returned if not u.on_time),
        "not_returned": sum(1 for u in state.units if not u.returned and not u.blank),
        "blank_forms": sum(1 for u in state.units if u.blank),
        "progress": round(state.overall_progress, 1),
        "indicators_done": state.indicators_done,
        "tasks_done": sum(1 for r in state.rows if r.counted_status in DONE),
        "reviewed": sum(1 for r in state.rows if r.review == REVIEWED),
        "pending": sum(1 for r in state.rows if r.review == PENDING),
        "returned": sum(1 for r in state.rows if r.review == RETURNED),
        "errors": by_severity["error"], "warnings": by_severity["warning"], "infos": by_severity["info"],
        "error_units": sum(1 for f in state.follow_ups if "errors" in f.kinds),
        "veto_units": len({r.assignment.unit for r in state.vetoes}),
        "follow_ups": len(state.follow_ups),
    }
    return {figure.key: values[figure.key] for figure in FIGURES}


def veto_names(state) -> str:
    """Units that declared a veto situation, each once with its items: 司法局(否决1、否决2)、……"""
    items: dict[str, list[str]] = {}
    for record in state.vetoes:
        items.setdefault(record.assignment.unit, []).append(record.assignment.task_id)
    return "、".join(f"{unit}({'、'.join(dict.fromkeys(ids))})" for unit, ids in sorted(items.items()))


def done_without_evidence(state) -> list[tuple[str, str]]:
    """(task id, unit) of rows reported 已完成 with no evidence entry for that task."""
    listed = {(e["单位"], e.get("编号", "")) for e in state.evidence}
    return [(r.assignment.task_id, r.assignment.unit) for r in state.rows
            if r.status == "已完成" and (r.assignment.unit, r.assignment.task_id) not in listed]
