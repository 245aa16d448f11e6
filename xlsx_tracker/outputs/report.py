"""report: the monthly 调度 workbook for leadership.

`tables(...)` decides what to say, as plain rows, from the month state; `ReportWriter` lays it out
with xlsxwriter. Other views of the same state render the same figures.
"""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path

import xlsxwriter

from ..base.sheetio import Formats, atomic_path, excel_text, wrapped_height
from ..base.workspace import workspace_lock
from ..calendar.workdays import month_label
from ..master.settings import DEFAULT_WORK
from ..master.tasklist import Master
from ..month.lights import RED
from ..month.run import MonthRun
from ..month.state import MonthState, has_returns, load_state
from ..month.summary import overall_sentences, red_unit_lines
from .report_tables import (
    Table,
    detail_tables,
    overview_figures,
    readme_lines,
    tables,
    veto_banner,
)

# the report is for paper and for a glance (about 15 A4 pages at 32 units); the office's working tables, which run
# to hundreds of rows, are a second workbook, 调度明细, written beside it
SHEETS = ["总览", "一级指标", "亮灯", "部门得分", "得分图", "指标进度", "催办名单", "说明"]
DETAIL_SHEETS = ["任务明细", "证明材料目录", "待补材料", "联络员名单", "校验问题", "文件清单"]
STATUS_COLOURS = {"已完成": "#C6EFCE", "无此情形(已作说明)": "#DDEBF7", "推进中": "#FFEB9C", "未启动": "#FFC7CE",
                  "未报送": "#D9D9D9", "未发生": "#C6EFCE", "已发生": "#FF0000", "待申报": "#D9D9D9",
                  "绿灯": "#00B050", "黄灯": "#FFC000", "红灯": "#FF0000"}


def report_name(month: str, work: str = DEFAULT_WORK) -> str:
    return f"{month_label(month)}{work}工作调度报告.xlsx"


def details_name(month: str, work: str = DEFAULT_WORK) -> str:
    return f"{month_label(month)}{work}工作调度明细.xlsx"


def build_report(run: MonthRun, state: MonthState | None = None, generated: dt.datetime | None = None,
                 on_wait=None) -> tuple[Path, MonthState]:
    """Write the month's report from its state (read from the ledger unless given) and last month's."""
    run.require_issued()
    with workspace_lock(run.workspace, on_wait):
        state = state or load_state(run)
        earlier = run.previous()
        previous = load_state(earlier) if has_returns(earlier) else None
        path = run.workspace.reports_dir / run.month / report_name(run.month, run.master.settings.work)
        with atomic_path(path) as tmp:
            ReportWriter(run.master, state, previous, generated or run.master.settings.now()).write(tmp)
    # xlsxwriter's workbook, sheets and formats refer to each other: freed now rather than at some later collection,
    # before the 通报 builds its table (report at 3,200 units: peak 167 -> 148 MiB)
    gc.collect()
    return path, state


def build_details(run: MonthRun, state: MonthState, generated: dt.datetime | None = None, on_wait=None) -> Path:
    """Write the month's 调度明细: every task row, the evidence lists, liaisons, problems and files."""
    run.require_issued()
    with workspace_lock(run.workspace, on_wait):
        path = run.workspace.reports_dir / run.month / details_name(run.month, run.master.settings.work)
        with atomic_path(path) as tmp:
            ReportWriter(run.master, state, None, generated or run.master.settings.now()).write_details(tmp)
    gc.collect()
    return path



# ---------------------------------------------------------------- how to lay it out


class ReportWriter:
    def __init__(self, master: Master, state: MonthState, previous: MonthState | None, generated: dt.datetime):
        self.master, self.state, self.previous = master, state, previous
        self.generated = generated.replace(microsecond=0)
        self.title = f"{master.settings.district}{month_label(state.month)}{master.settings.work}工作调度报告"

    def write(self, path: Path) -> None:
        book = self._book(path, self.title)
        self._overview(book.add_worksheet(SHEETS[0]))
        self._level1(book, book.add_worksheet(SHEETS[1]))
        for table in tables(self.master, self.state, self.previous):
            self._table_sheet(book, table)
        self._readme(book.add_worksheet(SHEETS[-1]))
        book.close()

    def write_details(self, path: Path) -> None:
        book = self._book(path, self.title.replace("调度报告", "调度明细"))
        for table in detail_tables(self.master, self.state):
            self._table_sheet(book, table)
        book.close()

    def _book(self, path: Path, title: str):
        # constant_memory: each row goes to disk once the next begins (every sheet is written top to bottom);
        # holding 3,200 units' cells took 100 MB
        book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                              "strings_to_numbers": False, "constant_memory": True})
        book.set_properties({"title": title, "author": self.master.settings.office, "created": self.generated})
        self.f = Formats(book, _format_props())
        return book

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
        self._page(sheet, 1, last_col, table.landscape)
        sheet.print_area(0, 0, max(last, 1) + (len(table.flagged[1]) + 2 if table.flagged else 0), last_col)
        if table.chart:
            self._bar_chart(book, table, last)

    def _flagged(self, sheet, first_row: int, heading: str, rows: list[list]) -> None:
        sheet.merge_range(first_row, 0, first_row, 3, heading, self.f["flag_head"])
        for index, values in enumerate(rows, start=1):
            for col, value in enumerate(values):
                self._write(sheet, first_row + index, col, value, "flag")

    def _bar_chart(self, book, table: Table, last: int) -> None:
        """The table's chart on a sheet of its own: one landscape page, never squeezed beside the table."""
        spec = table.chart
        chart = book.add_chart({"type": "bar"})
        # the data cached in the chart too: with constant_memory xlsxwriter cannot read it back from the sheet,
        # and viewers that draw from the cache (previews, Protected View) would show an empty chart
        chart.add_series({"name": spec["name"], "categories": [table.sheet, 2, 1, last, 1],
                          "values": [table.sheet, 2, spec["value_col"], last, spec["value_col"]],
                          "categories_data": [row[1] for row in table.rows],
                          "values_data": [row[spec["value_col"]] for row in table.rows],
                          "data_labels": {"value": True, "font": {"name": BODY_FONT, "size": 9}}, "fill": {"color": spec["colour"]}})
        chart.set_title({"name": f"{spec['title']}({month_label(self.state.month)})", "name_font": {"name": TITLE_FONT, "size": 14}})
        chart.set_x_axis({"min": 0, "max": 100, "name": spec["name"] + "(分)", "name_font": {"name": BODY_FONT, "size": 10},
                          "num_font": {"name": BODY_FONT, "size": 9}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True, "num_font": {"size": 9, "name": BODY_FONT}, "interval_unit": 1,
                          "name": "单位", "name_font": {"name": BODY_FONT, "size": 10}})
        sheet = book.add_chartsheet(spec["sheet"])
        sheet.set_chart(chart)
        sheet.set_paper(9)
        sheet.set_portrait()  # one bar a unit: the page's length gives each its label
        sheet.set_header(f"&L{self.master.settings.district}{self.master.settings.work}&R{month_label(self.state.month)}")

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
        # rows as tall as their longest wrapped text: nothing prints cut. Each cell's text is worked out once, for
        # the cell and for the height: a province's 调度明细 is half a million cells.
        height = wrapped_height("", 1)  # one line
        for col, value in enumerate(values):
            text = self._write(sheet, row, col, value, style)
            if col < len(widths):
                height = max(height, wrapped_height(text, widths[col]))
        sheet.set_row(row, height)

    def _write(self, sheet, row: int, col: int, value, style: str) -> str:
        """Write one cell; returns the text it shows."""
        if value is None or value == "":
            sheet.write_blank(row, col, None, self.f[style])
            return ""
        if isinstance(value, bool):
            text = "是" if value else "否"
            sheet.write_string(row, col, text, self.f[style])
            return text
        if isinstance(value, (int, float)):
            sheet.write_number(row, col, value, self.f[style])
            return str(value)
        text = excel_text(str(value))  # unit text stays text, never a formula, and is cut (saying so) past Excel's cell limit
        sheet.write_string(row, col, text, self.f.text(style, text))
        return text

    def _page(self, sheet, header_row: int, last_col: int, landscape: bool = True) -> None:
        sheet.set_paper(9)
        if landscape:
            sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header_row)
        sheet.set_header(f"&L{self.master.settings.district}{self.master.settings.work}&R{month_label(self.state.month)}")
        sheet.set_footer("&C第 &P 页,共 &N 页")
        sheet.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        if header_row >= 0 and last_col > 0:
            sheet.freeze_panes(header_row + 1, 0)

    def _overview(self, sheet) -> None:
        """Page 1, one A4 page a leader reads in half a minute: the month in words, the red units, the key figures."""
        state, f, widths = self.state, self.f, [52, 14, 14, 14]
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.merge_range(0, 0, 0, 3, self.title, f["title"])
        sheet.set_row(0, 30)
        row = 1
        banner = veto_banner(state)
        if banner:
            sheet.merge_range(row, 0, row, 3, banner, f["banner"])
            sheet.set_row(row, 36)
            row += 1
        note = f"报送截止:{state.deadline.describe()};{state.deadline.rule}。生成时间:{self.generated:%Y-%m-%d %H:%M}"
        row = self._paragraphs(sheet, row, [note], "note")
        row = self._paragraphs(sheet, row + 1, ["一、本月概况"], "title_left")
        row = self._paragraphs(sheet, row, overall_sentences(state), "para")
        reds = red_unit_lines(state)
        row = self._paragraphs(sheet, row + 1, [f"二、亮红灯的单位({sum(1 for x in state.unit_lights if x.light == RED)}个)"], "title_left")
        row = self._paragraphs(sheet, row, reds or ["本月没有亮红灯的单位。"], "para")
        row = self._paragraphs(sheet, row + 1, ["三、关键指标(“变化”:绿色向好,红色变差)"], "title_left")
        figures = overview_figures(state, self.previous)
        self._table(sheet, row, ["关键指标", "本月", "上月", "变化"], widths, [])
        for index, (*values, change, verdict) in enumerate(figures, start=row + 1):
            self._row(sheet, index, [*values, ""], widths, "cell")
            if change != "":  # signed, green when better, red when worse (as 说明 defines each figure)
                style = f"change_{verdict or 'flat'}_{'int' if float(change).is_integer() else 'float'}"
                sheet.write_number(index, 3, change, self.f[style])
        last = row + len(figures)
        self._page(sheet, -1, 0, landscape=False)
        sheet.print_area(0, 0, last, 3)
        sheet.fit_to_pages(1, 1)  # 总览 is one page

    def _paragraphs(self, sheet, row: int, lines: list[str], style: str) -> int:
        """Lines of text across the page's four columns, each row as tall as its wrapped text; returns the next row."""
        for line in lines:
            sheet.merge_range(row, 0, row, 3, line, self.f[style])
            sheet.set_row(row, wrapped_height(line, 90, 11) if style == "para" else 20)
            row += 1
        return row

    def _level1(self, book, sheet) -> None:
        """一级指标: the nine first-level indicators' average progress, as a table and a chart below it, one page."""
        data = list(self.state.level1.items())
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 1, 14)
        sheet.merge_range(0, 0, 0, 1, f"各一级指标平均进度({month_label(self.state.month)})", self.f["title"])
        sheet.set_row(0, 30)
        self._table(sheet, 1, ["一级指标", "平均进度(%)"], [40, 14], [[name, round(value, 1)] for name, value in data])
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": "平均进度(%)", "categories": [SHEETS[1], 2, 0, 1 + len(data), 0],
                          "values": [SHEETS[1], 2, 1, 1 + len(data), 1],
                          "categories_data": [name for name, _ in data], "values_data": [round(v, 1) for _, v in data],
                          "data_labels": {"value": True, "font": {"name": BODY_FONT, "size": 10}}, "fill": {"color": "#4472C4"}})
        chart.set_title({"name": "各一级指标平均进度", "name_font": {"name": TITLE_FONT, "size": 12}})
        chart.set_x_axis({"min": 0, "max": 100, "name": "平均进度(%)", "name_font": {"name": BODY_FONT, "size": 10},
                          "num_font": {"name": BODY_FONT, "size": 10}})
        chart.set_y_axis({"reverse": True, "name_font": {"name": BODY_FONT, "size": 10}, "num_font": {"name": BODY_FONT, "size": 10}})
        chart.set_legend({"none": True})
        chart.set_size({"width": 560, "height": 420})
        sheet.insert_chart(len(data) + 3, 0, chart)
        self._page(sheet, 1, 1, landscape=False)
        sheet.print_area(0, 0, len(data) + 26, 1)
        sheet.fit_to_pages(1, 1)

    def _readme(self, sheet) -> None:
        sheet.set_column(0, 0, 110)
        for row, line in enumerate(readme_lines(self.master, self.state, self.generated)):
            heading = line[:2] in ("一、", "二、", "三、", "四、", "五、", "六、")
            sheet.write_string(row, 0, line, self.f["title_left"] if heading else self.f["wrap"])
            sheet.set_row(row, 22 if heading else wrapped_height(line, 110, 11))  # lines never run into each other
        self._page(sheet, -1, 0)
        sheet.print_area(0, 0, row, 0)


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
        "para": {"font_name": BODY_FONT, "font_size": 11, "text_wrap": True, "valign": "top"},
    }
    for status, colour in STATUS_COLOURS.items():
        font = "#FFFFFF" if colour == "#FF0000" else "#000000"
        formats[f"status:{status}"] = {**base, "bg_color": colour, "font_color": font}
    for verdict, colour in (("good", "#007A33"), ("bad", "#C00000"), ("flat", "#000000")):
        for kind, pattern in (("int", "+0;-0;0"), ("float", "+0.0;-0.0;0.0")):
            formats[f"change_{verdict}_{kind}"] = {**base, "num_format": pattern, "font_color": colour, "bold": verdict != "flat"}
    return formats
