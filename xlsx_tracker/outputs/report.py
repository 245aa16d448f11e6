"""report: the monthly 调度 workbook for leadership.

`tables(...)` decides what to say, as plain rows, from the month state; `ReportWriter` lays it out
with xlsxwriter. Other views of the same state render the same figures.
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from ..base.layout import STATUS
from ..base.model import SECTION_LABELS
from ..base.problems import PROBLEM_COLUMNS, problem_row, severity_summary
from ..base.sheetio import Formats, atomic_path, excel_text, wrapped_height
from ..base.workspace import workspace_lock
from ..calendar.workdays import month_label
from ..intake.reconcile import answer_rules
from ..master.issued import task_id_order
from ..master.tasklist import Master
from ..month.figures import FIGURES, LEVEL1_DEFINITION, done_without_evidence, key_figures, veto_names
from ..month.followups import follow_up_rule
from ..month.lights import GREEN, RED, YELLOW, light_rules
from ..month.rows import BLANK_FORM_RULE
from ..month.run import MonthRun
from ..month.scoring import scoring_rules
from ..month.state import LIAISON_FIELDS, MonthState, fate, has_returns, load_state

SHEETS = ["总览", "亮灯", "部门得分", "指标进度", "任务明细", "催办名单", "证明材料目录", "待补材料", "联络员名单", "校验问题", "文件清单", "说明"]
STATUS_COLOURS = {"已完成": "#C6EFCE", "无此情形(已作说明)": "#DDEBF7", "推进中": "#FFEB9C", "未启动": "#FFC7CE",
                  "未报送": "#D9D9D9", "未发生": "#C6EFCE", "已发生": "#FF0000", "待申报": "#D9D9D9",
                  "绿灯": "#00B050", "黄灯": "#FFC000", "红灯": "#FF0000"}


def report_name(month: str) -> str:
    return f"{month_label(month)}法治政府建设示范创建工作调度报告.xlsx"


def build_report(run: MonthRun, state: MonthState | None = None, generated: dt.datetime | None = None,
                 on_wait=None) -> tuple[Path, MonthState]:
    """Write the month's report from its state (read from the ledger unless given) and last month's."""
    run.require_issued()
    with workspace_lock(run.workspace, on_wait):
        state = state or load_state(run)
        earlier = run.previous()
        previous = load_state(earlier) if has_returns(earlier) else None
        path = run.workspace.reports_dir / run.month / report_name(run.month)
        with atomic_path(path) as tmp:
            ReportWriter(run.master, state, previous, generated or dt.datetime.now()).write(tmp)
    # xlsxwriter's workbook, sheets and formats refer to each other: freed now rather than at some later collection,
    # before the 通报 builds its table (report at 3,200 units: peak 167 -> 148 MiB)
    gc.collect()
    return path, state


# ---------------------------------------------------------------- what to say


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
    """Every table sheet of the report (总览 and 说明 are laid out on their own)."""
    return [_lights(master, state), _scores(state, previous), _indicators(state), _details(state), _follow_ups(state),
            _evidence(state), _missing_evidence(state), _liaisons(master, state), _problems(state), _files(state)]


def _scores(state: MonthState, previous: MonthState | None) -> Table:
    prev = {u.unit: u for u in previous.units} if previous else {}
    rows = []
    for s in state.units:
        old = prev.get(s.unit)
        rows.append([s.rank, s.unit, s.total, round(s.progress_points, 2), s.timeliness_points, s.quality_points,
                     round(s.progress, 1), s.timeliness_text, s.received_at[:16], s.received_how, s.problem_count,
                     old.total if old else "", round(s.total - old.total, 2) if old else "", old.rank if old else ""])
    return Table("部门得分", f"部门得分排名({month_label(state.month)})",
                 ["排名", "单位", "总分", "进度分", "及时分", "质量分", "平均进度(%)", "报送情况", "收到时间", "收到时间依据",
                  "问题数", "上月总分", "变化", "上月排名"],
                 [6, 22, 8, 8, 8, 8, 11, 11, 16, 14, 7, 9, 7, 8], rows,
                 chart={"title": "各单位得分", "name": "总分", "colour": "#70AD47", "value_col": 2})


def _indicators(state: MonthState) -> Table:
    rows, styles = [], []
    for item in state.indicators:
        i = item.indicator
        if item.is_veto:  # a self-declaration: who declared it, never a completion rate
            rows.append([SECTION_LABELS[i.section], i.number, i.level1, _short(i.text, 60), item.assignments,
                         "", "", "", item.status, item.veto_note])
        else:
            rows.append([SECTION_LABELS[i.section], i.number, i.level1, _short(i.text, 60), item.assignments, item.done,
                         round(item.percent_done, 1), round(item.progress, 1), item.status, ""])
        styles.append(item.status)
    return Table("指标进度", f"指标进度({state.main_indicators}项指标及附加项)",
                 ["板块", "序号", "一级指标", "三级指标(摘要)", "任务数", "已完成", "完成率(%)", "平均进度(%)", "状态", "说明"],
                 [7, 5, 22, 50, 7, 7, 9, 9, 9, 24], rows, styles)


def _details(state: MonthState) -> Table:
    rows, styles = [], []
    for r in state.rows:
        v = r.values
        rows.append([r.assignment.task_id, _short(r.assignment.task.indicator_text, 24), r.assignment.unit, r.status, r.review,
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
    """Units first (worst first), then the indicators that are not green."""
    order = {RED: 0, YELLOW: 1, GREEN: 2}
    units = sorted(state.unit_lights, key=lambda x: (order[x.light], -x.reds_running))
    rows = [["单位", x.key, x.light, ";".join(x.reasons), x.reds_running or "", "列入约谈/挂牌督办" if x.watch else ""] for x in units]
    flagged = [x for x in state.indicator_lights if x.light != GREEN]
    rows += [["指标", x.key, x.light, ";".join(x.reasons), "", ""] for x in flagged]
    counts = {light: sum(1 for x in state.unit_lights if x.light == light) for light in (RED, YELLOW, GREEN)}
    title = (f"亮灯情况(单位:红灯 {counts[RED]} 个、黄灯 {counts[YELLOW]} 个、绿灯 {counts[GREEN]} 个;"
             f"序时进度 {state.pace:.0f}%)")
    return Table("亮灯", title, ["类别", "单位/指标", "亮灯", "原因", "连续红灯(月)", "督办"], [7, 22, 7, 60, 10, 16],
                 rows, [row[2] for row in rows])


def _evidence(state: MonthState) -> Table:
    entries = sorted(state.evidence, key=lambda e: (task_id_order(e.get("编号", "")), e["单位"]))
    rows = [[e.get("编号", ""), e["单位"], e.get("材料名称", ""), e.get("材料类型", ""), e.get("网址", ""),
             e.get("备注", ""), e["来源文件"]] for e in entries]
    return Table("证明材料目录", f"证明材料目录(共 {len(rows)} 条)", ["编号", "单位", "材料名称", "材料类型", "网址", "备注", "来源文件"],
                 [9, 16, 40, 14, 44, 20, 26], rows, filter=False)


def _missing_evidence(state: MonthState) -> Table:
    """Tasks reported 已完成 with no evidence listed: a table of its own, every printed column filled."""
    by_key = {(r.assignment.task_id, r.assignment.unit): r for r in state.rows}
    rows = [[task_id, unit, _short(by_key[(task_id, unit)].assignment.task.indicator_text, 40),
             by_key[(task_id, unit)].values.get("本月工作进展", "")] for task_id, unit in done_without_evidence(state)]
    return Table("待补材料", f"已报“已完成”但未登记证明材料的任务(共 {len(rows)} 项)", ["编号", "单位", "三级指标(摘要)", "本月工作进展"],
                 [9, 16, 44, 50], rows)


def _liaisons(master: Master, state: MonthState) -> Table:
    rows = [[u, *(state.liaisons.get(u, {}).get(k, "") for k in LIAISON_FIELDS)] for u in master.registry.units]
    return Table("联络员名单", "法治政府建设示范创建工作联络员名单(附件2)", ["单位", *LIAISON_FIELDS],
                 [24, 12, 18, 16, 28], rows, landscape=False, filter=False)


def _problems(state: MonthState) -> Table:
    rows = [problem_row(p) for p in state.problems]
    return Table("校验问题", f"校验问题({severity_summary(state.problems)})", PROBLEM_COLUMNS, [6, 16, 16, 28, 12, 8, 70], rows)


def _files(state: MonthState) -> Table:
    rows = [[s.file_name, s.unit, s.receipt_time[:16], s.receipt_source, fate(state, s)] for s in state.submissions]
    return Table("文件清单", f"文件清单(本月已入账文件 {len(rows)} 个)", ["文件", "单位", "收到时间", "收到时间依据", "处理结果"],
                 [36, 16, 16, 14, 60], rows)


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
        f"“总览”给出本月关键指标及与上月的变化;“部门得分”按总分排名;“指标进度”逐项列出{state.main_indicators}项指标及附加项的完成情况;",
        "“任务明细”为每个单位每项任务的填报内容;“催办名单”列出需催办的单位、原因及联络员电话;",
        "“证明材料目录”汇总各单位登记的材料,并列出已报完成但未登记材料的任务;“校验问题”列出回收表格中发现的全部问题及其单元格位置。",
        "二、“总览”各项指标的含义(“变化”= 本月 − 上月,带正负号;绿色表示向好,红色表示变差)",
        *[f"{index}. {figure.label(state)}:{figure.describe(state)}" for index, figure in enumerate(FIGURES, start=1)],
        f"{len(FIGURES) + 1}. {LEVEL1_DEFINITION}",
        "三、评分规则(可在 master_template/settings.toml 中调整)",
        *scoring_rules(rules),
        f"6. 催办:符合下列情形之一的单位列入催办名单:{follow_up_rule(rules)}。",
        "7. 重复报送:同一单位同月多次报送的,以下发时间最新、其次保存时间最新、再次收到时间最新的文件为准,其余文件保留存档并在校验问题中写明依据;"
        "时间都相同无法判断先后的,列为“提醒”,请人工确认。",
        *[f"{i}. 填报要求(空的回答不得分,可在 [answers] 中调整):{line}"
          for i, line in enumerate(answer_lines(master.settings.answers), start=8)],
        "四、亮灯规则(可在 master_template/settings.toml 的 [lights] 中调整)",
        *light_rules(master.settings.lights),
        f"五、截止日:每月{master.settings.monthly_day}日前;{state.deadline.rule}。",
        f"六、本报告由 xlsx-tracker 于 {generated:%Y-%m-%d %H:%M} 根据台账生成,总任务清单版本 {master.version}。",
    ]


# ---------------------------------------------------------------- how to lay it out


class ReportWriter:
    def __init__(self, master: Master, state: MonthState, previous: MonthState | None, generated: dt.datetime):
        self.master, self.state, self.previous = master, state, previous
        self.generated = generated.replace(microsecond=0)
        self.title = f"{master.settings.district}{month_label(state.month)}法治政府建设示范创建工作调度报告"

    def write(self, path: Path) -> None:
        # constant_memory: each row goes to disk once the next begins (every sheet is written top to bottom);
        # holding 3,200 units' cells took 100 MB
        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                              "strings_to_numbers": False, "constant_memory": True})
        book.set_properties({"title": self.title, "author": self.master.settings.office, "created": self.generated})
        self.f = Formats(book, _format_props())
        self._overview(book, book.add_worksheet(SHEETS[0]))
        for table in tables(self.master, self.state, self.previous):
            self._table_sheet(book, table)
        self._readme(book.add_worksheet(SHEETS[-1]))
        book.close()

    def _table_sheet(self, book, table: Table) -> None:
        """Title, table, filter, flagged rows, chart and print setup: the same steps for every table sheet."""
        sheet = book.add_worksheet(table.sheet)
        last_col = len(table.headers) - 1
        sheet.merge_range(0, 0, 0, last_col, table.title, self.f["title"])
        last = self._table(sheet, 1, table.headers, table.widths, table.rows, table.styles)
        if table.filter:
            sheet.autofilter(1, 0, max(last, 1), last_col)
        if table.flagged:
            self._flagged(sheet, last + 2, *table.flagged)
        if table.chart:
            self._bar_chart(book, sheet, table, last)
        self._page(sheet, 1, last_col, table.landscape)

    def _flagged(self, sheet, first_row: int, heading: str, rows: list[list]) -> None:
        sheet.merge_range(first_row, 0, first_row, 3, heading, self.f["flag_head"])
        for index, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                self._write(sheet, first_row + index, col, value, "flag")

    def _bar_chart(self, book, sheet, table: Table, last: int) -> None:
        spec = table.chart
        chart = book.add_chart({"type": "bar"})
        # the data cached in the chart too: with constant_memory xlsxwriter cannot read it back from the sheet,
        # and viewers that draw from the cache (previews, Protected View) would show an empty chart
        chart.add_series({"name": spec["name"], "categories": [table.sheet, 2, 1, last, 1],
                          "values": [table.sheet, 2, spec["value_col"], last, spec["value_col"]],
                          "categories_data": [row[1] for row in table.rows],
                          "values_data": [row[spec["value_col"]] for row in table.rows],
                          "data_labels": {"value": True}, "fill": {"color": spec["colour"]}})
        chart.set_title({"name": spec["title"], "name_font": {"name": TITLE_FONT, "size": 12}})
        chart.set_x_axis({"min": 0, "max": 100, "name": spec["name"] + "(分)", "name_font": {"name": BODY_FONT, "size": 9}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9, "name": BODY_FONT}, "interval_unit": 1,
                          "name": "单位", "name_font": {"name": BODY_FONT, "size": 9}})
        chart.set_size({"width": 640, "height": max(400, 26 * len(table.rows) + 80)})
        sheet.insert_chart(1, len(table.headers) + 1, chart)

    def _table(self, sheet, first_row: int, headers: list[str], widths: list[float], rows: list[list],
               styles: list[str | None] | None = None) -> int:
        for col, (name, width) in enumerate(zip(headers, widths)):
            sheet.set_column(col, col, width)
            sheet.write_string(first_row, col, name, self.f["head"])
        sheet.set_row(first_row, max(wrapped_height(name, width) for name, width in zip(headers, widths, strict=True)))
        for index, values in enumerate(rows):
            style = f"status:{styles[index]}" if styles and f"status:{styles[index]}" in self.f else "cell"
            self._row(sheet, first_row + 1 + index, values, widths, style)
        return first_row + len(rows)

    def _row(self, sheet, row: int, values: list, widths: list[float], style: str) -> None:
        for col, value in enumerate(values):
            self._write(sheet, row, col, value, style)
        # rows as tall as their longest wrapped text: nothing prints cut
        sheet.set_row(row, max(wrapped_height(excel_text(str(v)), w) for v, w in zip(values, widths, strict=False)))

    def _write(self, sheet, row: int, col: int, value, style: str) -> None:
        if value is None or value == "":
            sheet.write_blank(row, col, None, self.f[style])
        elif isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否", self.f[style])
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, self.f[style])
        else:  # unit text stays text, never a formula, and is cut (saying so) past Excel's cell limit
            text = excel_text(str(value))
            sheet.write_string(row, col, text, self.f.text(style, text))

    def _page(self, sheet, header_row: int, last_col: int, landscape: bool = True) -> None:
        sheet.set_paper(9)
        if landscape:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header_row)
        sheet.set_header(f"&L{self.master.settings.district}法治政府建设示范创建&R{month_label(self.state.month)}")
        sheet.set_footer("&C第 &P 页,共 &N 页")
        sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        if header_row >= 0 and last_col > 0:
            sheet.freeze_panes(header_row + 1, 0)

    def _overview(self, book, sheet) -> None:
        state, f = self.state, self.f
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 3, 14)
        sheet.merge_range(0, 0, 0, 3, self.title, f["title"])
        row = 1
        banner = veto_banner(state)
        if banner:
            sheet.merge_range(row, 0, row, 3, banner, f["banner"])
            sheet.set_row(row, 36)
            row += 1
        sheet.merge_range(row, 0, row, 3, f"报送截止:{state.deadline.describe()};{state.deadline.rule}。生成时间:{self.generated:%Y-%m-%d %H:%M}", f["note"])
        row += 2
        figures, widths = overview_figures(state, self.previous), [40, 14, 14, 14]
        self._table(sheet, row, ["关键指标", "本月", "上月", "变化"], widths, [])
        for index, (*values, change, verdict) in enumerate(figures, start=row + 1):
            self._row(sheet, index, [*values, ""], widths, "cell")
            if change != "":  # signed, green when better, red when worse (as 说明 defines each figure)
                style = f"change_{verdict or 'flat'}_{'int' if float(change).is_integer() else 'float'}"
                sheet.write_number(index, 3, change, self.f[style])
        self._level1_chart(book, sheet, row + len(figures) + 2)
        self._page(sheet, -1, 0, landscape=False)
        sheet.fit_to_pages(1, 1)  # 总览 is one page

    def _level1_chart(self, book, sheet, first_row: int) -> None:
        data = list(self.state.level1.items())
        sheet.write_string(first_row, 0, "一级指标", self.f["head"])
        sheet.write_string(first_row, 1, "平均进度(%)", self.f["head"])
        for index, (name, value) in enumerate(data, start=1):
            self._write(sheet, first_row + index, 0, name, "cell")
            sheet.write_number(first_row + index, 1, round(value, 1), self.f["num"])
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": "平均进度(%)", "categories": ["总览", first_row + 1, 0, first_row + len(data), 0],
                          "values": ["总览", first_row + 1, 1, first_row + len(data), 1],
                          "categories_data": [name for name, _ in data], "values_data": [round(v, 1) for _, v in data],
                          "data_labels": {"value": True}, "fill": {"color": "#4472C4"}})
        chart.set_title({"name": "各一级指标平均进度", "name_font": {"name": TITLE_FONT, "size": 12}})
        chart.set_x_axis({"min": 0, "max": 100, "name": "平均进度(%)", "name_font": {"name": BODY_FONT, "size": 9}})
        chart.set_y_axis({"reverse": True, "name": "一级指标", "name_font": {"name": BODY_FONT, "size": 9},
                          "num_font": {"name": BODY_FONT, "size": 9}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 640, "height": 330})  # with the figures above, one A4 page
        sheet.insert_chart(first_row + len(data) + 2, 0, chart)

    def _readme(self, sheet) -> None:
        sheet.set_column(0, 0, 110)
        for row, line in enumerate(readme_lines(self.master, self.state, self.generated)):
            heading = line[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")
            sheet.write_string(row, 0, line, self.f["title_left"] if heading else self.f["wrap"])
            sheet.set_row(row, 22 if heading else wrapped_height(line, 110, 11))  # lines never run into each other
        self._page(sheet, -1, 0)


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


BODY_FONT, TITLE_FONT = "宋体", "黑体"


def _format_props() -> dict[str, dict]:
    base = {"border": 1, "valign": "top", "text_wrap": True, "font_size": 10, "font_name": BODY_FONT}
    formats = {
        "title": {"font_name": TITLE_FONT, "font_size": 15, "align": "center", "valign": "vcenter"},
        "title_left": {"font_name": TITLE_FONT, "font_size": 12},
        "head": {**base, "bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "align": "center"},
        "cell": base,
        "num": {**base, "num_format": "0.0"},
        "note": {"font_name": BODY_FONT, "font_size": 10, "font_color": "#595959", "text_wrap": True},
        "banner": {"font_name": TITLE_FONT, "bold": True, "font_size": 14, "font_color": "#FFFFFF", "bg_color": "#C00000",
                   "align": "center", "valign": "vcenter", "text_wrap": True},
        "flag_head": {"font_name": TITLE_FONT, "bold": True, "bg_color": "#FFC7CE", "border": 1},
        "flag": {**base, "bg_color": "#FFF2CC"},
        "wrap": {"font_name": BODY_FONT, "font_size": 11, "text_wrap": True, "valign": "top"},
    }
    for status, colour in STATUS_COLOURS.items():
        font = "#FFFFFF" if colour == "#FF0000" else "#000000"
        formats[f"status:{status}"] = {**base, "bg_color": colour, "font_color": font}
    for verdict, colour in (("good", "#007A33"), ("bad", "#C00000"), ("flat", "#000000")):
        for kind, pattern in (("int", "+0;-0;0"), ("float", "+0.0;-0.0;0.0")):
            formats[f"change_{verdict}_{kind}"] = {**base, "num_format": pattern, "font_color": colour, "bold": verdict != "flat"}
    return formats
