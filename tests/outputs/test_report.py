"""The whole cycle over two months — split, filled returns, merge, report — checked against hand-computed values."""

import datetime as dt
import zipfile

import openpyxl
import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.demo import simulate
from xlsx_tracker.month.figures import FIGURES
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.report import DETAIL_SHEETS, SHEETS, build_details, build_report

INJECTION = '=HYPERLINK("http://evil.example/","点我领取")'
DONE_NA = "无此情形(已作说明)"
# month -> unit -> (saved at, {task id: (status, planned date)})
RETURNS = {
    "2024-04": {
        "区委办": (dt.datetime(2024, 4, 20, 10), {"96": ("已完成", None), "99": ("已完成", None), "加分1": (DONE_NA, None),
                                                 "加分2": (DONE_NA, None), "否决1": ("未发生", None), "否决2": ("未发生", None)}),
        "人大办": (dt.datetime(2024, 4, 25, 10), {"95": ("完成", None), "加分1": ("推进中", None), "加分2": ("未启动", None),
                                                 "否决1": ("未发生", None), "否决2": ("未发生", None)}),
    },
    "2024-05": {
        "区委办": (dt.datetime(2024, 5, 18, 10), {"96": ("已完成", None), "99": ("推进中", None), "加分1": (DONE_NA, None),
                                                 "加分2": (DONE_NA, None), "否决1": ("未发生", None), "否决2": ("未发生", None)}),
        "人大办": (dt.datetime(2024, 5, 20, 16), {"95": ("已完成", None), "加分1": ("推进中", dt.datetime(2024, 5, 10)),
                                                 "加分2": ("未启动", None), "否决1": ("已发生", None), "否决2": ("未发生", None)}),
    },
}


def typed_as_text(task_id, column):
    """A defect: the cell holds its text as typed into a text-formatted cell, as the issued workbook's editable cells are."""
    def change(book):
        book[layout.TASK_SHEET].cell(simulate.task_rows(book)[task_id], simulate.column(column)).data_type = "s"
    return change


def filled_exactly(filled_return, issued, inbox, rows, saved_at, injection=False):
    """The unit's workbook with only the given rows filled: status, planned date (else year end) and a short text."""
    def values(task_id):
        status, planned = rows[task_id]
        text = INJECTION if injection and task_id == "96" else f"{task_id}项进展"
        return {"进展状态": status, "预计完成时间": planned or dt.datetime(2024, 12, 31), "本月工作进展": text}
    return filled_return(issued, inbox, fill=False, values={task_id: values(task_id) for task_id in rows},
                         liaison=("王海", "办公室主任", "0471-6218000"),
                         defects=[typed_as_text("96", "本月工作进展")] if injection and "96" in rows else [], saved=saved_at)


@pytest.fixture(scope="module")
def cycle(tmp_path_factory, master, calendar, month_of, filled_return):
    workspace = init_workspace(tmp_path_factory.mktemp("cycle") / "工作区")
    results = {}
    for month, returns in RETURNS.items():
        run = month_of(master, calendar, month, workspace)
        issued = {s.unit: s for s in split(run, issued_at=dt.datetime.fromisoformat(f"{month}-02 09:00"))}
        inbox = workspace.root / "inbox" / month
        for unit, (saved, rows) in returns.items():
            # 区委办's returns are filed by the day they arrived; 人大办's only carry their saved time (an estimate)
            folder = inbox / saved.strftime("%Y-%m-%d") if unit == "区委办" else inbox
            filled_exactly(filled_return, issued[unit], folder, rows, saved, injection=month == "2024-05")
        merge(run, inbox, now=dt.datetime(2024, 6, 1))
        path, state = build_report(run, generated=dt.datetime(2024, 6, 1, 9))
        details = build_details(run, state, generated=dt.datetime(2024, 6, 1, 9))
        results[month] = (path, state, openpyxl.load_workbook(path), openpyxl.load_workbook(details))
    return workspace, results


def score_row(book, unit):
    sheet = book["部门得分"]
    return next([c.value for c in row] for row in sheet.iter_rows(min_row=3) if row[1].value == unit)


def test_hand_computed_scores_april(cycle):
    _, results = cycle
    book = results["2024-04"][2]
    # 区委办: all done → 60 + on time 20 + no problems 20
    assert score_row(book, "区委办")[:11] == [1, "区委办", 100, 60, 20, 20, 100, "按时", "2024-04-20", "收件目录日期", 0]
    # 人大办: (100 + 50 + 0) / 3 = 50% → 30; late → 10; one near-miss status → 20 - 2 = 18
    assert score_row(book, "人大办")[:11] == [2, "人大办", 58, 30, 10, 18, 50, "逾期(推定)", "2024-04-25 10:00", "保存时间(推定)", 1]
    assert score_row(book, "司法局")[:11] == [3, "司法局", 0, 0, 0, 0, 0, "未报送", None, None, 0]


def test_hand_computed_scores_and_changes_may(cycle):
    _, results = cycle
    book = results["2024-05"][2]
    # 区委办: (100 + 50 + 100 + 100) / 4 = 87.5% → 52.5 + 20 + 20 = 92.5, was 100 → -7.5
    assert score_row(book, "区委办") == [1, "区委办", 92.5, 52.5, 20, 20, 87.5, "按时", "2024-05-18", "收件目录日期", 0, 100, -7.5, 1]
    # 人大办: 50% → 30 + 20 + 20 = 70, was 58 → +12
    assert score_row(book, "人大办") == [2, "人大办", 70, 30, 20, 20, 50, "按时(推定)", "2024-05-20 16:00", "保存时间(推定)", 0, 58, 12, 2]


def test_overview_key_figures_with_last_month(cycle):
    _, results = cycle
    sheet = results["2024-05"][2]["总览"]
    figures = overview_rows(sheet)
    assert list(figures) == [  # every figure 说明 defines, in its order; the master has 100 indicators
        "按时报送单位数", "逾期报送单位数", "未报送单位数", "报送空表单位数", "总体平均进度(%)", "已完成指标数(共100项)", "已完成任务数",
        "已销号任务数", "待审核任务数", "已退回任务数", "校验问题:错误(条)", "校验问题:提醒(条)", "校验问题:提示(条)",
        "报送有错误的单位数", "否决项情形(单位数)", "需催办单位数(见“催办名单”)"]
    assert [c.value for c in figures["按时报送单位数"]] == [2, 1, 1]
    assert [c.value for c in figures["逾期报送单位数"]] == [0, 1, -1]
    assert [c.value for c in figures["未报送单位数"]] == [30, 30, 0]
    assert [c.value for c in figures["否决项情形(单位数)"]] == [1, 0, 1]
    assert [c.value for c in figures["校验问题:提醒(条)"]] == [0, 1, -1]


def overview_rows(sheet) -> dict:
    """总览's key figure table: name -> [this month, last month, change] cells."""
    start = next(r for r in range(1, 40) if sheet.cell(r, 1).value == "关键指标")
    return {sheet.cell(r, 1).value: [sheet.cell(r, c) for c in (2, 3, 4)] for r in range(start + 1, start + 1 + len(FIGURES))}


def test_changes_are_signed_and_coloured_by_direction(cycle):
    _, results = cycle
    figures = overview_rows(results["2024-05"][2]["总览"])
    on_time, late, vetoes = figures["按时报送单位数"][2], figures["逾期报送单位数"][2], figures["否决项情形(单位数)"][2]
    assert on_time.number_format == "+0;-0;0" and on_time.font.color.rgb.endswith("007A33")  # one more on time: better
    assert late.font.color.rgb.endswith("007A33")  # one fewer late: better, though the number fell
    assert vetoes.font.color.rgb.endswith("C00000")  # one veto more: worse
    flat = figures["未报送单位数"][2]  # 30 both months
    assert (flat.value, flat.font.color.rgb[-6:], flat.font.bold) == (0, "000000", False)  # no change: black, not bold
    progress = figures["总体平均进度(%)"][2]
    assert progress.number_format == "+0.0;-0.0;0.0"


def test_every_overview_figure_is_defined_on_the_readme_sheet(cycle):
    _, results = cycle
    text = "\n".join(str(r[0].value) for r in results["2024-05"][2]["说明"].iter_rows() if r[0].value)
    lines = text.split("\n")
    for figure in FIGURES:  # each figure's label and definition, numbered in the order of 总览
        assert sum(1 for line in lines if line.split(". ", 1)[-1].startswith(figure.name.split("(共")[0])) == 1
    assert "6. 已完成指标数(共100项):100项指标中,全部任务(含各分项、各责任单位)均为“已完成”或“无此情形(已作说明)”的指标数。" in lines
    # the follow-up figure and rule say every reason a unit is chased for, as the 催办名单 gives them
    conditions = ("未报送;报送空表;逾期报送;报送的表格有“错误”级问题;有任务超过预计完成时间或完成时限仍未完成;有任务连续2期“未启动”;"
                  "有任务本月进展与上月一字不差(未更新);有任务审核退回;有任务预计完成时间延后")
    assert f"16. 需催办单位数(见“催办名单”):符合下列情形之一的单位数:{conditions}。" in lines
    assert f"6. 催办:符合下列情形之一的单位列入催办名单:{conditions}。" in lines
    assert "进度分 = 60 × 平均进度(%)÷ 100" in text


def test_veto_banner_only_when_declared(cycle):
    _, results = cycle
    assert results["2024-05"][2]["总览"]["A2"].value == "⚠ 否决项警示:人大办(否决1) 申报存在否决项情形,请立即核实处置!"
    assert not str(results["2024-04"][2]["总览"]["A2"].value).startswith("⚠")


def test_follow_up_list(cycle):
    _, results = cycle
    sheet = results["2024-05"][2]["催办名单"]
    rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=3) if r[0].value}
    # 人大办 wrote “加分1项进展” again in May: the same words as April's, for unfinished work
    assert rows["人大办"] == ["人大办", "红灯", "1 项超过预计完成时间仍未完成:加分1;1 项连续2期未启动:加分2;2 项本月进展未更新:加分1、加分2",
                             "王海", "办公室主任", "0471-6218000"]
    assert rows["司法局"][1:3] == ["红灯", "未报送"]
    assert rows["区委办"][1:3] == ["黄灯", "1 项本月进展未更新:99"]  # on time and done elsewhere, but 99's text is April's
    assert len(rows) == 32
    april = {r[0].value: r[2].value for r in results["2024-04"][2]["催办名单"].iter_rows(min_row=3) if r[0].value}
    assert april["人大办"] == "逾期报送(2024-04-25收到)"


def test_unit_text_is_never_a_formula(cycle):
    _, results = cycle
    sheet = results["2024-05"][3]["任务明细"]
    [cell] = [r[5] for r in sheet.iter_rows(min_row=3) if r[0].value == "96" and r[2].value == "区委办"]
    assert cell.value == INJECTION and cell.data_type == "s"
    assert cell.quotePrefix is True  # stays text even when someone edits the cell and presses Enter


def test_sheets_order_print_setup_and_filters(cycle):
    _, results = cycle
    book = results["2024-05"][2]
    assert book.sheetnames == SHEETS
    assert results["2024-05"][3].sheetnames == DETAIL_SHEETS
    details = results["2024-05"][3]["任务明细"]
    assert details.auto_filter.ref == f"A2:H{2 + 481}"
    assert details.print_title_rows == "$2:$2"
    assert details.page_setup.paperSize == 9 and details.page_setup.orientation == "landscape"
    assert book["总览"].oddHeader.right.text == "2024年5月"
    colours = {row[3].value: row[3].fill.fgColor.rgb[-6:] for row in details.iter_rows(min_row=3)}
    assert colours == {"未报送": "D9D9D9", "已完成": "C6EFCE", "推进中": "FFEB9C", "未启动": "FFC7CE", DONE_NA: "DDEBF7",
                       "未发生": "C6EFCE", "已发生": "FF0000"}


def test_indicator_progress_and_evidence_flags(cycle):
    _, results = cycle
    book = results["2024-05"][2]
    rows = {(r[0].value, r[1].value): [c.value for c in r] for r in book["指标进度"].iter_rows(min_row=3) if r[0].value}
    # indicator 96 has three units (区委办、政府办、司法局); only 区委办 reported it done
    assert rows[("指标", 96)][4:] == [3, 1, 33.3, 33.3, "推进中", None]
    # a veto row names who declared it and has no completion rate
    assert rows[("否决项", 1)][4:] == [32, None, None, None, "已发生", "已发生:人大办;申报未发生 1 个单位;未申报 30 个单位"]
    assert rows[("否决项", 2)][4:] == [32, None, None, None, "待申报", "申报未发生 2 个单位;未申报 30 个单位"]
    flagged = [r[0].value for r in results["2024-05"][3]["待补材料"].iter_rows(min_row=3) if r[1].value in ("区委办", "人大办")]
    assert "96" in flagged and "95" in flagged


def test_native_charts(cycle):
    _, results = cycle
    with zipfile.ZipFile(results["2024-05"][0]) as archive:
        charts = sorted(n for n in archive.namelist() if n.startswith("xl/charts/chart"))
        assert charts == ["xl/charts/chart1.xml", "xl/charts/chart2.xml"]
        first, second = (archive.read(c).decode("utf-8") for c in charts)
    assert "<c:f>一级指标!$A$3:$A$11</c:f>" in first  # the nine 一级指标 of the table above the chart
    assert "部门得分" in second and "<c:barChart>" in second


def test_problems_sheet_lists_every_problem_in_full(cycle):
    _, results = cycle
    sheet = results["2024-04"][3]["校验问题"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3) if r[0].value]
    assert sheet["A1"].value == "校验问题(错误 0 条,提醒 1 条,提示 0 条)"
    assert rows == [["提醒", "进展状态不规范", "人大办", "人大办_2024-04.xlsx", "任务清单", "C3",
                     "进展状态“完成”不是下拉选项,已按“已完成”处理。请从下拉列表选择。"]]  # leadership reads categories, not codes
    assert [r for r in rows if r[2] == "司法局"] == []  # not returning is a unit status (催办名单), not a problem


def test_veto_rows_are_not_red_when_units_only_failed_to_return(cycle):
    """Regression: 30 units not returned made both 否决项 rows read 已发生 while 总览 said 0 veto events."""
    _, results = cycle
    book = results["2024-04"][2]
    rows = {(r[0].value, r[1].value): r for r in book["指标进度"].iter_rows(min_row=3) if r[0].value}
    for number in (1, 2):
        row = rows[("否决项", number)]
        assert (row[8].value, row[9].value) == ("待申报", "申报未发生 2 个单位;未申报 30 个单位")
        assert row[8].fill.fgColor.rgb.endswith("D9D9D9")  # grey, never the red of 已发生
    assert overview_rows(book["总览"])["否决项情形(单位数)"][0].value == 0


def test_second_month_workbook_is_prefilled_from_the_ledger(cycle):
    workspace, _ = cycle
    book = openpyxl.load_workbook(workspace.sheets_dir("2024-05") / "人大办_2024-05.xlsx")
    sheet = book[layout.TASK_SHEET]
    rows = {sheet.cell(r, 1).value: r for r in range(3, sheet.max_row + 1)}
    assert sheet.cell(rows["95"], simulate.column("进展状态")).value == "已完成"  # April's normalised value carried forward
    assert sheet.cell(rows["95"], simulate.column("本月工作进展")).value == "95项进展"
    assert book[layout.LIAISON_SHEET]["B3"].value == "王海"


def test_charts_carry_their_data_for_viewers_that_draw_from_the_cache(cycle):
    """The report is written row by row (constant_memory), so the charts' cached names and values are given
    explicitly: a preview that draws from the cache shows the same bars as Excel."""
    import re
    import zipfile

    _, results = cycle
    path, state, *_ = results["2024-05"]
    with zipfile.ZipFile(path) as archive:
        charts = [archive.read(n).decode() for n in sorted(archive.namelist()) if n.startswith("xl/charts/chart")]
    counts = sorted(int(n) for xml in charts for n in re.findall(r'<c:strCache><c:ptCount val="(\d+)"', xml))
    assert counts == sorted([len(state.level1), len(state.units)])
    assert all("<c:numCache>" in xml and '<c:ptCount val="0"' not in xml for xml in charts)


def test_every_sheet_is_set_up_for_a4_paper(cycle):
    _, results = cycle
    report, details = results["2024-05"][2], results["2024-05"][3]
    for book in (report, details):
        for sheet in book.worksheets:
            setup = sheet.page_setup
            assert setup.paperSize == 9, sheet.title
            assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (None, 1), sheet.title  # width fitted
            assert sheet.print_area, sheet.title
    orientation = {s.title: s.page_setup.orientation for s in report.worksheets}
    assert orientation == {"总览": "portrait", "一级指标": "portrait", "亮灯": "landscape", "部门得分": "landscape",
                           "指标进度": "landscape", "催办名单": "landscape", "说明": "landscape"}
    assert {report["总览"].page_setup.fitToHeight, report["一级指标"].page_setup.fitToHeight} <= {None, 1}  # one page each (1 is the default)
    assert report["指标进度"].page_setup.fitToHeight == 0  # as many pages as it needs
    assert report["部门得分"].print_title_rows == "$2:$2" and report["部门得分"].print_area == "'部门得分'!$A$1:$N$34"  # title, header, 32 units
    assert [c.title for c in report.chartsheets] == ["得分图"]


def test_page_one_says_the_month_in_words_and_names_the_red_units(cycle):
    _, results = cycle
    sheet = results["2024-05"][2]["总览"]
    lines = [r[0].value for r in sheet.iter_rows(max_col=1) if r[0].value]
    start = lines.index("一、本月概况")
    # 32 units: 区委办 on time (a dated folder), 人大办 on time by its saved time, 30 silent; 2 / 32 = 6.25 % → 6.2 %
    assert lines[start + 1] == "本月应报送单位32个,按时报送2个,逾期报送0个,未报送30个,按时报送率6.2%。"
    assert lines[start + 3].startswith("亮灯情况:红灯31个、黄灯1个、绿灯0个。")
    assert lines[start + 5] == "1个单位自查申报存在否决项情形,须立即核实处置。"
    reds = lines[lines.index("二、亮红灯的单位(31个)") + 1:lines.index("三、关键指标(“变化”:绿色向好,红色变差)")]
    assert reds[0].startswith("未报送(30个):") and "司法局" in reds[0]
    assert reds[1].startswith("人大办:申报否决项情形已发生(否决1)")
    assert sheet["A2"].value.startswith("⚠ 否决项警示")  # the veto alarm above the words
