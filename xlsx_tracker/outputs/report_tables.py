"""What the monthly 调度 workbooks say, as plain rows from the month state: each table sheet, the key figures with
their month-on-month change, the veto alarm and the words of 说明. `report` lays these out with xlsxwriter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..base.layout import STATUS
from ..base.model import SECTION_LABELS
from ..base.problems import PROBLEM_COLUMNS, problem_row, severity_summary
from ..base.words import clip
from ..calendar.workdays import month_label
from ..intake.reconcile import answer_rules
from ..master.issued import task_id_order
from ..master.tasklist import Master
from ..month.figures import FIGURES, LEVEL1_DEFINITION, done_without_evidence, key_figures, veto_names
from ..month.followups import follow_up_rule
from ..month.lights import GREEN, RED, YELLOW, indicator_bands, light_rules
from ..month.rows import BLANK_FORM_RULE
from ..month.scoring import scoring_rules
from ..month.state import LIAISON_FIELDS, MonthState, fate


@dataclass
class Table:
    """One sheet's table: a title, headers, rows, and how to print it."""

    sheet: str
    title: str
    headers: list[str]
    widths: list[float]
    rows: list[list]
    styles: list[str | None] = field(default_factory=list)  # a status per row, for its colour
    landscape: bool = True
    filter: bool = True
    chart: dict | None = None  # {"title", "name", "colour"}: a bar chart of column 1 (names) against column 2
    flagged: tuple[str, list[list]] | None = None  # a heading and rows printed under the table


def tables(master: Master, state: MonthState, previous: MonthState | None) -> list[Table]:
    """The report's table sheets after 总览 and 一级指标 (说明 is laid out on its own)."""
    return [_lights(master, state), _scores(state, previous), _indicators(state), _follow_ups(state)]


def detail_tables(master: Master, state: MonthState) -> list[Table]:
    """The sheets of 调度明细, the office's working tables."""
    return [_details(state), _evidence(state), _missing_evidence(state), _liaisons(master, state), _problems(state), _files(state)]


def _scores(state: MonthState, previous: MonthState | None) -> Table:
    prev = {u.unit: u for u in previous.units} if previous else {}
    rows = []
    for s in state.units:
        old = prev.get(s.unit)
        # scores to one decimal, as the 通报 and the console print them (month/summary.points)
        rows.append([s.rank, s.unit, round(s.total, 1), round(s.progress_points, 1), s.timeliness_points, s.quality_points,
                     round(s.progress, 1), s.timeliness_text, s.received_at[:16], s.received_how, s.problem_count,
                     round(old.total, 1) if old else "", round(s.total - old.total, 1) if old else "", old.rank if old else ""])
    return Table("部门得分", f"部门得分排名({month_label(state.month)})",
                 ["排名", "单位", "总分", "进度分", "及时分", "质量分", "平均进度(%)", "报送情况", "收到时间", "收到时间依据",
                  "问题数", "上月总分", "变化", "上月排名"],
                 [5, 20, 7, 7, 7, 7, 10, 10, 15, 13, 6, 8, 7, 8], rows,
                 chart={"title": "各单位得分", "name": "总分", "colour": "#70AD47", "value_col": 2, "sheet": "得分图"})


def _indicators(state: MonthState) -> Table:
    rows, styles = [], []
    for item in state.indicators:
        i = item.indicator
        if item.is_veto:  # a self-declaration: who declared it, never a completion rate
            rows.append([SECTION_LABELS[i.section], i.number, i.level1, clip(i.text, 60, "…"), item.assignments,
                         "", "", "", item.status, item.veto_note])
        else:
            rows.append([SECTION_LABELS[i.section], i.number, i.level1, clip(i.text, 60, "…"), item.assignments, item.done,
                         round(item.percent_done, 1), round(item.progress, 1), item.status, ""])
        styles.append(item.status)
    return Table("指标进度", f"指标进度({state.main_indicators}项指标及附加项)",
                 ["板块", "序号", "一级指标", "三级指标(摘要)", "任务数", "已完成", "完成率(%)", "平均进度(%)", "状态", "说明"],
                 [6, 5, 18, 50, 7, 7, 9, 9, 9, 20], rows, styles)


def _details(state: MonthState) -> Table:
    rows, styles = [], []
    for r in state.rows:
        v = r.values
        rows.append([r.assignment.task_id, clip(r.assignment.task.indicator_text, 24, "…"), r.assignment.unit, r.status, r.review,
                     v.get("本月工作进展", ""), v.get("存在问题及需协调事项", ""), v.get("预计完成时间", "")])
        styles.append(r.status)
    # eight columns of about 130 characters: A4 landscape at a readable size (the source file is on 文件清单)
    return Table("任务明细", "任务明细",
                 ["编号", "三级指标(摘要)", "责任单位", STATUS, "审核", "本月工作进展", "存在问题及需协调事项", "预计完成时间"],
                 [8, 22, 13, 10, 7, 34, 22, 11], rows, styles)


def _follow_ups(state: MonthState) -> Table:
    rows = [[u.unit, u.light, ";".join(u.reasons), u.liaison.get("姓名", ""), u.liaison.get("职务", ""), u.liaison.get("联系电话", "")]
            for u in state.follow_ups]
    return Table("催办名单", f"催办名单(共 {len(rows)} 个单位)", ["单位", "亮灯", "催办原因", "联络员", "职务", "联系电话"],
                 [18, 7, 64, 10, 12, 16], rows, [u.light for u in state.follow_ups], filter=False)


def _lights(master: Master, state: MonthState) -> Table:
    """Units first (worst first), then the indicators that are not green, grouped by reason (number and short name)."""
    order = {RED: 0, YELLOW: 1, GREEN: 2}
    units = sorted(state.unit_lights, key=lambda x: (order[x.light], -x.reds_running))
    rows = [["单位", x.key, x.light, ";".join(x.reasons), x.reds_running or "", "列入约谈/挂牌督办" if x.watch else ""] for x in units]
    names = {item.indicator.label: clip(item.indicator.text, 14, "…") for item in state.indicators}
    for light, words, labels in indicator_bands(master.settings.lights, state.indicator_lights):
        listed = ";".join(f"{label} {names.get(label, '')}".strip() for label in labels)
        rows.append(["指标", f"{len(labels)} 项指标", light, f"{words}:{listed}", "", ""])
    counts = {light: sum(1 for x in state.unit_lights if x.light == light) for light in (RED, YELLOW, GREEN)}
    title = (f"亮灯情况(单位:红灯 {counts[RED]} 个、黄灯 {counts[YELLOW]} 个、绿灯 {counts[GREEN]} 个;"
             f"序时进度 {state.pace:.1f}%)")
    return Table("亮灯", title, ["类别", "单位/指标", "亮灯", "原因", "连续红灯(月)", "督办"], [6, 20, 7, 76, 12, 14],
                 rows, [row[2] for row in rows])


def _evidence(state: MonthState) -> Table:
    entries = sorted(state.evidence, key=lambda e: (task_id_order(e.get("编号", "")), e["单位"]))
    rows = [[e.get("编号", ""), e["单位"], e.get("材料名称", ""), e.get("材料类型", ""), e.get("网址", ""),
             e.get("备注", ""), e["来源文件"]] for e in entries]
    return Table("证明材料目录", f"证明材料目录(共 {len(rows)} 条)", ["编号", "单位", "材料名称", "材料类型", "网址", "备注", "来源文件"],
                 [8, 14, 34, 13, 34, 18, 22], rows, filter=False)


def _missing_evidence(state: MonthState) -> Table:
    """Tasks reported 已完成 with no evidence listed: a table of its own, every printed column filled."""
    by_key = {(r.assignment.task_id, r.assignment.unit): r for r in state.rows}
    rows = [[task_id, unit, clip(by_key[(task_id, unit)].assignment.task.indicator_text, 40, "…"),
             by_key[(task_id, unit)].values.get("本月工作进展", "")] for task_id, unit in done_without_evidence(state)]
    return Table("待补材料", f"已报“已完成”但未登记证明材料的任务(共 {len(rows)} 项)", ["编号", "单位", "三级指标(摘要)", "本月工作进展"],
                 [9, 16, 44, 50], rows)


def _liaisons(master: Master, state: MonthState) -> Table:
    rows = [[u, *(state.liaisons.get(u, {}).get(k, "") for k in LIAISON_FIELDS)] for u in master.registry.units]
    return Table("联络员名单", f"{master.settings.work}工作联络员名单", ["单位", *LIAISON_FIELDS],
                 [22, 10, 16, 14, 26], rows, landscape=False, filter=False)


def _problems(state: MonthState) -> Table:
    rows = [problem_row(p) for p in state.problems]
    return Table("校验问题", f"校验问题({severity_summary(state.problems)})", PROBLEM_COLUMNS, [6, 14, 14, 24, 10, 7, 62], rows)


def _files(state: MonthState) -> Table:
    rows = [[s.file_name, s.unit, s.receipt_time[:16], s.receipt_source, fate(state, s)] for s in state.submissions]
    return Table("文件清单", f"文件清单(本月已入账文件 {len(rows)} 个)", ["文件", "单位", "收到时间", "收到时间依据", "处理结果"],
                 [34, 14, 15, 13, 56], rows)


def overview_figures(state: MonthState, previous: MonthState | None) -> list[list]:
    """总览's key figures: name, this month, last month, change (signed), and whether the change is good."""
    now, before = key_figures(state), key_figures(previous) if previous else {}
    rows = []
    for figure in FIGURES:
        value, old = now[figure.key], before.get(figure.key)
        change = round(value - old, 1) if old is not None else ""
        verdict = "" if change in ("", 0) else ("good" if (change > 0) == figure.higher_is_better else "bad")
        rows.append([figure.label(state), value, "" if old is None else old, change, verdict])
    return rows


def veto_banner(state: MonthState) -> str:
    if not state.vetoes:
        return ""
    return f"⚠ 否决项警示:{veto_names(state)} 申报存在否决项情形,请立即核实处置!"


def answer_lines(answers) -> list[str]:
    """The answer rules in force and the 报送空表 rule, each in the words that sit beside the code applying it."""
    return [*answer_rules(answers), *([BLANK_FORM_RULE] if answers.blank_form_is_missing else [])]


def readme_lines(master: Master, state: MonthState, generated: dt.datetime) -> list[str]:
    rules = master.settings.scoring
    return [
        "一、怎样阅读本报告",
        "“总览”一页给出本月概况、亮红灯的单位及原因和关键指标(与上月比较);“一级指标”为各一级指标的平均进度;",
        f"“亮灯”列出各单位亮灯及原因,未亮绿灯的指标按落后幅度分组列出;“部门得分”按总分排名,“得分图”为其图示;“指标进度”逐项列出{state.main_indicators}项指标及附加项的完成情况;",
        "“催办名单”列出需催办的单位、原因及联络员电话。每个单位每项任务的填报内容、证明材料目录、联络员名单、校验问题和文件清单在同一文件夹的“调度明细”工作簿中。",
        "二、“总览”各项指标的含义(“变化”= 本月 − 上月,带正负号;绿色表示向好,红色表示变差)",
        *[f"{index}. {figure.label(state)}:{figure.describe(state)}" for index, figure in enumerate(FIGURES, start=1)],
        f"{len(FIGURES) + 1}. {LEVEL1_DEFINITION}",
        "三、评分规则(可在 master_template/settings.toml 中调整)",
        *scoring_rules(rules),
        f"6. 催办:符合下列情形之一的单位列入催办名单:{follow_up_rule(rules)}。",
        "7. 重复报送:同一单位同月多次报送的,依次以下发时间最新、收到时间最晚(邮件服务器收件时间或收件目录日期,两份都有时才比较)、"
        "文档保存时间最晚(两份都有可信的保存时间时才比较)的文件为准,不用文件在电脑上的修改时间;其余文件保留存档并在校验问题中写明依据。"
        "缺少可比时间、无法判断先后的,暂采用时间信息完整的一份,列为“提醒”,请人工确认。",
        *[f"{i}. 填报要求(空的回答不得分,可在 [answers] 中调整):{line}"
          for i, line in enumerate(answer_lines(master.settings.answers), start=8)],
        "四、亮灯规则(可在 master_template/settings.toml 的 [lights] 中调整)",
        *light_rules(master.settings.lights),
        f"五、截止日:{master.settings.report_day.describe()}前;{state.deadline.rule}。",
        f"六、本报告由 xlsx-tracker 于 {generated:%Y-%m-%d %H:%M} 根据台账生成,总任务清单版本 {master.version}。",
    ]


