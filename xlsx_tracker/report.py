"""report: the monthly 调度 workbook for leadership, written with xlsxwriter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import xlsxwriter

from . import ledger
from .master import Master
from .merge import SEVERITY_TEXT
from .model import SECTION_LABELS
from .score import DONE, MonthState, month_state
from .sheetio import atomic_path
from .workdays import Calendar, month_label, monthly_deadline, parse_month
from .workspace import Workspace

SHEETS = ["总览", "部门得分", "指标进度", "任务明细", "催办名单", "证明材料目录", "联络员名单", "校验问题", "说明"]
STATUS_COLOURS = {"已完成": "#C6EFCE", "无此情形(已作说明)": "#DDEBF7", "推进中": "#FFEB9C", "未启动": "#FFC7CE",
                  "未报送": "#D9D9D9", "未发生": "#C6EFCE", "已发生": "#FF0000"}


def report_name(month: str) -> str:
    return f"{month_label(month)}法治政府建设示范创建工作调度报告.xlsx"


def previous_month(month: str) -> str:
    year, number = parse_month(month)
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def build_report(workspace: Workspace, master: Master, calendar: Calendar, month: str,
                 policy: str | None = None, generated: dt.datetime | None = None) -> tuple[Path, MonthState]:
    policy = policy or master.settings.policy
    conn = ledger.connect(workspace.ledger_file)
    try:
        state = month_state(master, conn, month, monthly_deadline(calendar, month, master.settings.monthly_day, policy))
        prev_month = previous_month(month)
        previous = None
        if ledger.accepted(conn, prev_month):
            previous = month_state(master, conn, prev_month,
                                   monthly_deadline(calendar, prev_month, master.settings.monthly_day, policy))
    finally:
        conn.close()
    path = workspace.reports_dir / month / report_name(month)
    with atomic_path(path) as tmp:
        ReportWriter(master, state, previous, generated or dt.datetime.now()).write(tmp)
    return path, state


class ReportWriter:
    def __init__(self, master: Master, state: MonthState, previous: MonthState | None, generated: dt.datetime):
        self.master, self.state, self.previous = master, state, previous
        self.generated = generated.replace(microsecond=0)
        self.title = f"{master.settings.district}{month_label(state.month)}法治政府建设示范创建工作调度报告"

    def write(self, path: Path) -> None:
        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                              "strings_to_numbers": False})
        book.set_properties({"title": self.title, "author": self.master.settings.office, "created": self.generated})
        self.f = _formats(book)
        sheets = {name: book.add_worksheet(name) for name in SHEETS}
        self._overview(book, sheets["总览"])
        self._scores(book, sheets["部门得分"])
        self._indicators(sheets["指标进度"])
        self._details(sheets["任务明细"])
        self._follow_ups(sheets["催办名单"])
        self._evidence(sheets["证明材料目录"])
        self._liaisons(sheets["联络员名单"])
        self._problems(sheets["校验问题"])
        self._readme(sheets["说明"])
        book.close()

    # ------------------------------------------------------------ helpers

    def _table(self, sheet, first_row: int, headers: list[str], widths: list[float], rows: list[list],
               row_formats: list | None = None) -> int:
        for col, (name, width) in enumerate(zip(headers, widths)):
            sheet.set_column(col, col, width)
            sheet.write_string(first_row, col, name, self.f["head"])
        for index, values in enumerate(rows):
            fmt = (row_formats[index] if row_formats else None) or self.f["cell"]
            for col, value in enumerate(values):
                self._write(sheet, first_row + 1 + index, col, value, fmt)
        return first_row + len(rows)

    def _write(self, sheet, row: int, col: int, value, fmt) -> None:
        if value is None or value == "":
            sheet.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            sheet.write_string(row, col, "是" if value else "否", fmt)
        elif isinstance(value, (int, float)):
            sheet.write_number(row, col, value, fmt)
        else:
            sheet.write_string(row, col, str(value), fmt)  # unit text stays text, never a formula

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

    def _status_format(self, status: str):
        return self.f.get(f"status:{status}", self.f["cell"])

    # ------------------------------------------------------------ sheets

    def _overview(self, book, sheet) -> None:
        state, f = self.state, self.f
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 3, 14)
        sheet.merge_range(0, 0, 0, 3, self.title, f["title"])
        row = 1
        if state.vetoes:
            names = "、".join(sorted({f"{r.assignment.unit}({r.assignment.task_id})" for r in state.vetoes}))
            sheet.merge_range(row, 0, row, 3, f"⚠ 否决项警示:{names} 申报存在否决项情形,请立即核实处置!", f["banner"])
            sheet.set_row(row, 36)
            row += 1
        sheet.merge_range(row, 0, row, 3, f"报送截止:{state.deadline.describe()};{state.deadline.rule}。生成时间:{self.generated:%Y-%m-%d %H:%M}", f["note"])
        row += 2
        self._table(sheet, row, ["关键指标", "本月", "上月", "变化"], [40, 14, 14, 14], self._key_figures())
        chart_row = row + len(self._key_figures()) + 2
        self._level1_chart(book, sheet, chart_row)
        self._page(sheet, -1, 0, landscape=False)

    def _key_figures(self) -> list[list]:
        now, before = _figures(self.state), _figures(self.previous) if self.previous else {}
        rows = []
        for name, value in now.items():
            old = before.get(name)
            change = round(value - old, 1) if isinstance(old, (int, float)) else ""
            rows.append([name, value, "" if old is None else old, change])
        return rows

    def _level1_chart(self, book, sheet, first_row: int) -> None:
        data = list(self.state.level1.items())
        sheet.write_string(first_row, 0, "一级指标", self.f["head"])
        sheet.write_string(first_row, 1, "平均进度(%)", self.f["head"])
        for index, (name, value) in enumerate(data, start=1):
            sheet.write_string(first_row + index, 0, name, self.f["cell"])
            sheet.write_number(first_row + index, 1, round(value, 1), self.f["num"])
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": "平均进度(%)", "categories": ["总览", first_row + 1, 0, first_row + len(data), 0],
                          "values": ["总览", first_row + 1, 1, first_row + len(data), 1],
                          "data_labels": {"value": True}, "fill": {"color": "#4472C4"}})
        chart.set_title({"name": "各一级指标平均进度"})
        chart.set_x_axis({"min": 0, "max": 100})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 760, "height": 400})
        sheet.insert_chart(first_row + len(data) + 2, 0, chart)

    def _scores(self, book, sheet) -> None:
        prev = {u.unit: u for u in self.previous.units} if self.previous else {}
        headers = ["排名", "单位", "总分", "进度分", "及时分", "质量分", "平均进度(%)", "报送情况", "问题数", "上月总分", "变化", "上月排名"]
        rows = []
        for s in self.state.units:
            old = prev.get(s.unit)
            rows.append([s.rank, s.unit, s.total, round(s.progress_points, 2), s.timeliness_points, s.quality_points,
                         round(s.progress, 1), s.timeliness_text, s.problem_count,
                         old.total if old else "", round(s.total - old.total, 2) if old else "", old.rank if old else ""])
        sheet.merge_range(0, 0, 0, len(headers) - 1, f"部门得分排名({month_label(self.state.month)})", self.f["title"])
        last = self._table(sheet, 1, headers, [6, 22, 8, 8, 8, 8, 11, 9, 7, 9, 7, 8], rows)
        sheet.autofilter(1, 0, last, len(headers) - 1)
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": "总分", "categories": ["部门得分", 2, 1, last, 1], "values": ["部门得分", 2, 2, last, 2],
                          "data_labels": {"value": True}, "fill": {"color": "#70AD47"}})
        chart.set_title({"name": "各单位得分"})
        chart.set_x_axis({"min": 0, "max": 100})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9}, "interval_unit": 1})
        chart.set_size({"width": 640, "height": max(400, 26 * len(rows) + 80)})
        sheet.insert_chart(1, len(headers) + 1, chart)
        self._page(sheet, 1, len(headers) - 1)

    def _indicators(self, sheet) -> None:
        headers = ["板块", "序号", "一级指标", "三级指标(摘要)", "任务数", "已完成", "完成率(%)", "平均进度(%)", "状态"]
        rows, formats = [], []
        for item in self.state.indicators:
            i = item.indicator
            status = item.status if i.section != "veto" else ("已发生" if item.done < item.assignments else "未发生")
            rows.append([SECTION_LABELS[i.section], i.number, i.level1, _short(i.text, 60), item.assignments, item.done,
                         round(item.percent_done, 1), round(item.progress, 1), status])
            formats.append(self._status_format(status))
        sheet.merge_range(0, 0, 0, len(headers) - 1, "指标进度(100项指标及附加项)", self.f["title"])
        last = self._table(sheet, 1, headers, [7, 5, 22, 50, 7, 7, 9, 9, 9], rows, formats)
        sheet.autofilter(1, 0, last, len(headers) - 1)
        self._page(sheet, 1, len(headers) - 1)

    def _details(self, sheet) -> None:
        headers = ["编号", "三级指标(摘要)", "责任单位", "进展状态", "本月工作进展", "存在问题及需协调事项", "预计完成时间", "来源文件"]
        rows, formats = [], []
        for r in self.state.rows:
            v = r.values
            rows.append([r.assignment.task_id, _short(r.assignment.task.indicator_text, 40), r.assignment.unit, r.status,
                         v.get("本月工作进展", ""), v.get("存在问题及需协调事项", ""), v.get("预计完成时间", ""), r.source])
            formats.append(self._status_format(r.status))
        sheet.merge_range(0, 0, 0, len(headers) - 1, "任务明细", self.f["title"])
        last = self._table(sheet, 1, headers, [9, 34, 16, 12, 40, 30, 12, 26], rows, formats)
        sheet.autofilter(1, 0, last, len(headers) - 1)
        self._page(sheet, 1, len(headers) - 1)

    def _follow_ups(self, sheet) -> None:
        headers = ["单位", "催办原因", "联络员", "职务", "联系电话"]
        rows = [[u.unit, ";".join(u.reasons), u.liaison.get("姓名", ""), u.liaison.get("职务", ""), u.liaison.get("联系电话", "")]
                for u in self.state.follow_ups]
        sheet.merge_range(0, 0, 0, len(headers) - 1, f"催办名单(共 {len(rows)} 个单位)", self.f["title"])
        self._table(sheet, 1, headers, [20, 70, 10, 12, 16], rows)
        self._page(sheet, 1, len(headers) - 1)

    def _evidence(self, sheet) -> None:
        headers = ["编号", "单位", "材料名称", "材料类型", "网址", "备注", "来源文件"]
        entries = sorted(self.state.evidence, key=lambda e: (_id_key(e.get("编号", "")), e["单位"]))
        rows = [[e.get("编号", ""), e["单位"], e.get("材料名称", ""), e.get("材料类型", ""), e.get("网址", ""),
                 e.get("备注", ""), e["来源文件"]] for e in entries]
        missing = self._done_without_evidence()
        sheet.merge_range(0, 0, 0, len(headers) - 1, f"证明材料目录(共 {len(rows)} 条)", self.f["title"])
        last = self._table(sheet, 1, headers, [9, 16, 40, 14, 44, 20, 26], rows)
        flag_row = last + 2
        sheet.merge_range(flag_row, 0, flag_row, 3, f"已报“已完成”但未登记证明材料的任务(共 {len(missing)} 项)", self.f["flag_head"])
        for index, (task_id, unit) in enumerate(missing, start=1):
            sheet.write_string(flag_row + index, 0, task_id, self.f["flag"])
            sheet.write_string(flag_row + index, 1, unit, self.f["flag"])
        self._page(sheet, 1, len(headers) - 1)

    def _done_without_evidence(self) -> list[tuple[str, str]]:
        listed = {(e["单位"], e.get("编号", "")) for e in self.state.evidence}
        return [(r.assignment.task_id, r.assignment.unit) for r in self.state.rows
                if r.status == "已完成" and (r.assignment.unit, r.assignment.task_id) not in listed]

    def _liaisons(self, sheet) -> None:
        headers = ["单位", "姓名", "职务", "联系电话"]
        rows = [[u, self.state.liaisons.get(u, {}).get("姓名", ""), self.state.liaisons.get(u, {}).get("职务", ""),
                 self.state.liaisons.get(u, {}).get("联系电话", "")] for u in self.master.registry.units]
        sheet.merge_range(0, 0, 0, 3, "法治政府建设示范创建工作联络员名单(附件2)", self.f["title"])
        self._table(sheet, 1, headers, [26, 14, 20, 18], rows)
        self._page(sheet, 1, 3, landscape=False)

    def _problems(self, sheet) -> None:
        headers = ["代码", "级别", "单位", "文件", "工作表", "单元格", "说明"]
        rows = [[p.code, SEVERITY_TEXT.get(p.severity, p.severity), p.unit, p.file, p.sheet, p.cell, p.message]
                for p in self.state.problems]
        sheet.merge_range(0, 0, 0, len(headers) - 1, f"校验问题(共 {len(rows)} 条)", self.f["title"])
        last = self._table(sheet, 1, headers, [20, 6, 16, 28, 12, 8, 70], rows)
        sheet.autofilter(1, 0, max(last, 1), len(headers) - 1)
        self._page(sheet, 1, len(headers) - 1)

    def _readme(self, sheet) -> None:
        rules = self.master.settings.scoring
        weights = ";".join(f"{k} = {v}" for k, v in rules.status_progress.items())
        lines = [
            "一、怎样阅读本报告",
            "“总览”给出本月关键指标及与上月的变化;“部门得分”按总分排名;“指标进度”逐项列出100项指标及附加项的完成情况;",
            "“任务明细”为每个单位每项任务的填报内容;“催办名单”列出未报送、逾期报送、超期未完成或连续未启动的单位及联络员电话;",
            "“证明材料目录”汇总各单位登记的材料,并列出已报完成但未登记材料的任务;“校验问题”列出回收表格中发现的全部问题及其单元格位置。",
            "二、评分规则(可在 master_template/settings.toml 中调整)",
            f"1. 单项进度:{weights};本月未报送的任务记为“未报送”,进度为0。否决项不计入进度。",
            f"2. 单位得分(满分100)= 进度分 {rules.progress_points:g} × 平均进度 + 及时分 + 质量分。",
            f"3. 及时分:按时报送 {rules.on_time_points:g} 分,逾期报送 {rules.late_points:g} 分,未报送 0 分。"
            "报送时间以文件自身记录的最后保存时间为准(无此记录时取文件修改时间),不晚于截止日即为按时。",
            f"4. 质量分:满分 {rules.quality_points:g} 分,该单位文件每有一条“错误”或“提醒”级校验问题扣 {rules.points_per_problem:g} 分,"
            "扣完为止;“提示”级不扣分。未报送单位质量分为0。",
            "5. 指标进度:一项指标的全部任务(含各分项、各责任单位)均为“已完成”或“无此情形(已作说明)”时,该指标计为完成;同时列出完成任务的百分比。",
            f"6. 催办:未报送、逾期报送、超过预计完成时间仍未完成、连续 {rules.stalled_cycles} 期“未启动”的单位列入催办名单。",
            "7. 重复报送:同一单位同月多次报送的,以下发时间最新、其次保存时间最新的文件为准,其余文件保留存档并在校验问题中注明。",
            f"三、截止日:每月{self.master.settings.monthly_day}日前;{self.state.deadline.rule}。",
            f"四、本报告由 xlsx-tracker 于 {self.generated:%Y-%m-%d %H:%M} 根据台账生成,总任务清单版本 {self.master.version}。",
        ]
        sheet.set_column(0, 0, 120)
        for row, line in enumerate(lines):
            sheet.write_string(row, 0, line, self.f["title_left"] if line[:2] in ("一、", "二、", "三、", "四、") else self.f["wrap"])
        self._page(sheet, -1, 0)


def _figures(state: MonthState) -> dict[str, float]:
    returned = [u for u in state.units if u.returned]
    return {
        "按时报送单位数": sum(1 for u in returned if u.on_time),
        "逾期报送单位数": sum(1 for u in returned if not u.on_time),
        "未报送单位数": sum(1 for u in state.units if not u.returned),
        "总体平均进度(%)": round(state.overall_progress, 1),
        "已完成指标数(共100项)": state.indicators_done,
        "已完成任务数": sum(1 for r in state.rows if r.status in DONE),
        "校验问题数(错误+提醒)": sum(1 for p in state.problems if p.severity in ("error", "warning") and p.code != "not-returned"),
        "否决项情形(单位数)": len({r.assignment.unit for r in state.vetoes}),
        "需催办单位数(见“催办名单”)": len(state.follow_ups),
    }


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _id_key(task_id: str) -> tuple:
    head = task_id.split("/")[0].split("-")[0]
    return (0, int(head), task_id) if head.isdigit() else (1, 0, task_id)


def _formats(book) -> dict:
    base = {"border": 1, "valign": "top", "text_wrap": True, "font_size": 10}
    formats = {
        "title": book.add_format({"bold": True, "font_size": 15, "align": "center", "valign": "vcenter"}),
        "title_left": book.add_format({"bold": True, "font_size": 12}),
        "head": book.add_format({**base, "bold": True, "bg_color": "#1F4E78", "font_color": "#FFFFFF", "align": "center"}),
        "cell": book.add_format(base),
        "num": book.add_format({**base, "num_format": "0.0"}),
        "note": book.add_format({"font_size": 10, "font_color": "#595959", "text_wrap": True}),
        "banner": book.add_format({"bold": True, "font_size": 14, "font_color": "#FFFFFF", "bg_color": "#C00000",
                                   "align": "center", "valign": "vcenter", "text_wrap": True}),
        "flag_head": book.add_format({"bold": True, "bg_color": "#FFC7CE", "border": 1}),
        "flag": book.add_format({**base, "bg_color": "#FFF2CC"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
    }
    for status, colour in STATUS_COLOURS.items():
        font = "#FFFFFF" if colour == "#FF0000" else "#000000"
        formats[f"status:{status}"] = book.add_format({**base, "bg_color": colour, "font_color": font})
    return formats
