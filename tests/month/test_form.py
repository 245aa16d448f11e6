"""The unit's form read back with openpyxl: 宋体 throughout, the summary's link to its full text, the 编号 forms on
填报说明, the line on what was carried from last month, carried dates as dates, and the form's own checks (red marks
from the same rule table as merge, input messages, the counter at the top)."""

import dataclasses
import datetime as dt
import re
import zipfile

import openpyxl
import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.base.problems import EMPTY_STATUS, INVALID_STATUS
from xlsx_tracker.base.words import ELLIPSIS
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.master.answer_rules import ANSWER_RULES
from xlsx_tracker.master.settings import Answers
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.form_parts import COUNT_NAMES, REFUSED, REMINDED
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

ISSUED = dt.datetime(2024, 5, 6, 9, 0)
UNIT = "司法局"
INPUTS = layout.EDITABLE_COLUMNS


def letter(name: str) -> str:
    return "ABCDEFGHIJ"[layout.TASK_COLUMNS.index(name)]


@pytest.fixture(scope="module")
def first_month(tmp_path_factory, master, calendar, month_of):
    """May issued with nothing to carry (no ledger): the first month."""
    [sheet] = split(month_of(master, calendar, "2024-05"), out_dir=tmp_path_factory.mktemp("first"), units=[UNIT], issued_at=ISSUED)
    return sheet


@pytest.fixture(scope="module")
def book(first_month):
    return openpyxl.load_workbook(first_month.path)


@pytest.fixture(scope="module")
def tasks(book):
    return book[layout.TASK_SHEET]


def task_rows(sheet) -> dict[str, int]:
    return {sheet.cell(r, 1).value: r for r in range(layout.FIRST_DATA_ROW + 1, sheet.max_row + 1) if sheet.cell(r, 1).value}


@pytest.fixture(scope="module")
def carried(tmp_path_factory, calendar, month_of, filled_return):
    """April returned by 司法局 (every row filled) and merged; May issued from it: April's answers carried."""
    workspace = init_workspace(tmp_path_factory.mktemp("carried") / "工作区")
    master = load_master_or_fail(workspace)
    april = month_of(master, calendar, "2024-04", workspace)
    [issued] = split(april, units=[UNIT], issued_at=dt.datetime(2024, 4, 2, 9))
    first, second, *_ = [a.task_id for a in master.assignments_for(UNIT)]
    planned = {first: dt.datetime(2024, 4, 30)}  # before May's issue, unfinished: yellow in May; every other date after it
    filled_return(issued, workspace.inbox_dir("2024-04"), seed=4, statuses={first: "推进中", second: "推进中"},
                  values=lambda task_id: {"预计完成时间": planned.get(task_id, dt.datetime(2024, 6, 30))})
    merge(april, workspace.inbox_dir("2024-04"), now=dt.datetime(2024, 4, 19, 9))
    may = month_of(master, calendar, "2024-05", workspace)
    [sheet] = split(may, units=[UNIT], issued_at=ISSUED)
    return workspace, may, sheet, first, second


# ---------------------------------------------------------------- 宋体 throughout

def test_no_calibri_in_any_style_or_the_default_font(first_month, book):
    assert {font.name for font in book._fonts} == {"宋体"}
    assert book._named_styles["Normal"].font.name == "宋体"  # empty cells and newly typed text
    styles = zipfile.ZipFile(first_month.path).read("xl/styles.xml").decode("utf-8")
    assert "Calibri" not in styles
    assert "<scheme" not in styles  # a "minor" scheme would show Latin text in the theme's Calibri
    assert '<charset val="134"/>' in styles  # GB2312: a client without 宋体 substitutes a Chinese font
    for sheet in book.worksheets:
        assert {cell.font.name for row in sheet.iter_rows() for cell in row} <= {"宋体"}, sheet.title


def test_inputs_are_set_at_least_at_10_5_points(tasks):
    row = layout.FIRST_DATA_ROW + 1
    sizes = {name: tasks[f"{letter(name)}{row}"].font.sz for name in layout.TASK_COLUMNS}
    assert min(sizes.values()) >= 10.5, sizes
    assert tasks["A2"].font.b and tasks["A2"].font.sz >= 10.5


# ---------------------------------------------------------------- the summary and its full text

def test_each_summary_links_to_its_full_text_in_one_click(book, tasks):
    """A HYPERLINK formula on the locked summary cell (followed in a protected sheet, and wrapped by LibreOffice too)
    to the same row of 任务说明, which holds the same 编号."""
    reference = book[layout.REFERENCE_SHEET]
    rows = task_rows(tasks)
    assert rows
    for task_id, row in rows.items():
        cell = tasks.cell(row, 2)
        match = re.fullmatch(r'=HYPERLINK\("#\'(.+)\'!A(\d+)","(.*)"\)', cell.value)
        assert match, cell.value
        sheet, target, _ = match.groups()
        assert (sheet, int(target)) == (layout.REFERENCE_SHEET, row)
        assert reference.cell(int(target), 1).value == task_id
        assert cell.protection.locked and cell.protection.hidden  # the formula is not shown in the formula bar
        assert cell.font.u == "single" and cell.alignment.wrap_text
    assert tasks.protection.sheet and tasks.protection.selectLockedCells is False  # locked cells stay selectable: clickable


def test_a_long_summary_ends_at_a_boundary_not_inside_a_word(first_month, book):
    """Cut summaries end with …… after a whole clause (or before a bracket); the rest of the text starts at a boundary."""
    values = openpyxl.load_workbook(first_month.path, data_only=True)[layout.TASK_SHEET]
    reference = book[layout.REFERENCE_SHEET]
    cut = 0
    for task_id, row in task_rows(values).items():
        summary = values.cell(row, 2).value
        part = reference.cell(row, 5).value
        full = " ".join((reference.cell(row, 4).value if part == "全部申报材料" else part).split())
        if not summary.endswith((ELLIPSIS, ELLIPSIS + ")", ELLIPSIS + "\uff09")):
            assert summary == full, task_id
            continue
        cut += 1
        kept = summary[: summary.index(ELLIPSIS)]
        assert full.startswith(kept), task_id
        rest = full[len(kept):]
        assert rest[0] in "。;\uff1b,\uff0c、:\uff1a(\uff08《“" or kept[-1] in ")\uff09》”" or rest[0].isspace(), (task_id, kept, rest[:5])
    assert cut >= 10


def test_the_guide_explains_the_forms_of_an_id(book):
    text = "".join(str(c.value) for row in book[layout.GUIDE_SHEET].iter_rows() for c in row if c.value)
    for said in ("“12”指第12项指标", "“47-51/4”指第47至51项指标申报材料要求中的第4项", "“加分2”指加分项第2项",
                 "“否决1”指否决项第1项", "“4/2”指第4项指标申报材料要求中的第2项", "“26-29”指第26至29项指标(合并报送)"):
        assert said in text, said
    assert "点击任务摘要即跳到" in text and "显示为红色" in text


def test_every_form_of_id_in_the_master_is_explained(master):
    """The forms the guide names cover every id the master gives (a new form would need its line)."""
    forms = {r"\d+": "12", r"\d+/\d+": "4/2", r"\d+-\d+": "26-29", r"\d+-\d+/\d+": "47-51/4", r"\d+-\d+/\d+-\d+": "34-46/3-4",
             r"加分\d+": "加分2", r"否决\d+": "否决1"}
    for task in master.tasks:
        assert any(re.fullmatch(form, task.task_id) for form in forms), task.task_id


# ---------------------------------------------------------------- what was carried, and dates

def test_the_first_month_carries_nothing_and_says_how_to_fill(tasks):
    assert tasks["A1"].value.startswith(f"{UNIT} 2024年5月任务进展")
    assert tasks["D1"].value.startswith("请逐项填写白色单元格")
    assert "上月" not in tasks["D1"].value


def test_the_top_line_says_which_answers_were_carried(carried):
    _, _, sheet, _, _ = carried
    tasks = openpyxl.load_workbook(sheet.path)[layout.TASK_SHEET]
    filled = [r for r in task_rows(tasks).values() if tasks[f"{letter(layout.STATUS)}{r}"].value]
    assert len(filled) == sheet.rows  # every April row came back filled
    assert tasks["D1"].value == f"以下 {len(filled)} 项的进展状态、预计完成时间等已按上月报送内容预填,请逐项核对更新。"


def test_carried_dates_are_real_dates_in_a_date_format(carried, tasks):
    _, _, sheet, first, second = carried
    may = openpyxl.load_workbook(sheet.path)[layout.TASK_SHEET]
    rows = task_rows(may)
    for task_id, day in ((first, dt.datetime(2024, 4, 30)), (second, dt.datetime(2024, 6, 30))):
        cell = may[f"{letter('预计完成时间')}{rows[task_id]}"]
        assert (cell.value, cell.data_type, cell.number_format) == (day, "d", "yyyy-mm-dd")
        assert cell.protection.locked is False
    empty = tasks[f"{letter('预计完成时间')}{layout.FIRST_DATA_ROW + 1}"]  # an empty date cell: a date format, not text
    assert empty.value is None and empty.number_format == "yyyy-mm-dd"
    assert tasks[f"{letter('联系电话')}{layout.FIRST_DATA_ROW + 1}"].number_format == "@"  # phone numbers stay text


def test_merge_reads_carried_dates_as_it_read_them(carried, filled_return):
    """May sent back as issued: the carried dates come back as the same ISO dates, with no date problem."""
    workspace, may, sheet, first, second = carried
    filled_return(sheet, workspace.inbox_dir("2024-05"), fill=False, statuses={first: "已完成"},
                  values={first: {"本月工作进展": "已印发"}})
    result = merge(may, workspace.inbox_dir("2024-05"), now=dt.datetime(2024, 5, 18, 9))
    assert [p.code for p in result.problems if "date" in p.code] == []
    values = {r.assignment.task_id: r.values for r in result.state.rows if r.assignment.unit == UNIT}
    assert (values[first]["预计完成时间"], values[second]["预计完成时间"]) == ("2024-04-30", "2024-06-30")


# ---------------------------------------------------------------- the form checks itself

def marks(sheet) -> list[tuple[str, str, str, str]]:
    """(range, formula, fill, font colour) of every conditional format of the data rows."""
    found = []
    for cf in sheet.conditional_formatting:
        for rule in cf.rules:
            if str(cf.sqref) != "G1":
                found.append((str(cf.sqref), rule.formula[0], rule.dxf.fill.bgColor.rgb[-6:], rule.dxf.font.color.rgb[-6:]))
    return found


def test_red_marks_the_answers_merge_refuses(tasks):
    """Red (Excel's 差 style) on 本月工作进展 for each answer rule in force, on 进展状态 when a started row has none;
    yellow (中性) on an unfinished task's date before the issue date, which merge does not refuse."""
    rows = task_rows(tasks)
    first, last = min(rows.values()), max(rows.values())
    veto = sorted(r for t, r in rows.items() if t.startswith("否决"))
    found = marks(tasks)

    def one(cells: str, says: str):
        [mark] = [m for m in found if m[0] == cells and says in m[1]]
        return mark

    red, yellow = (REFUSED["bg_color"][1:], REFUSED["font_color"][1:]), (REMINDED["bg_color"][1:], REMINDED["font_color"][1:])
    main, vetoes = f"D{first}:D{veto[0] - 1}", f"D{veto[0]}:D{veto[-1]}"
    assert one(main, f'(TRIM($C{first})="无此情形(已作说明)")')[2:] == red
    assert one(main, f'(TRIM($C{first})="已完成")')[2:] == red
    assert one(vetoes, f'(TRIM($C{veto[0]})="已发生")')[2:] == red
    empty = one(f"C{first}:C{last}", f"AND((LEN(TRIM(SUBSTITUTE(SUBSTITUTE(SUBSTITUTE($C{first},")
    assert empty[2:] == red and f"$D{first}&$E{first}&$F{first}&$G{first}&$H{first}&$I{first}" in empty[1]  # started rows only
    late = one(f"G{first}:G{veto[0] - 1}", f"$G{first}<DATE(2024,5,6)")
    assert late[2:] == yellow and f'(TRIM($C{first})="已完成")' in late[1]
    # a pasted status not in the list: merge refuses it (invalid-status) or says what it read it as (status-normalized)
    pasted = one(f"C{first}:C{veto[0] - 1}", f'(TRIM($C{first})="推进中")')
    assert pasted[2:] == red and pasted[1].endswith(f'(TRIM($C{first})="已销号"))=0)')
    assert one(f"C{veto[0]}:C{veto[-1]}", f'(TRIM($C{veto[0]})="未发生")')[2:] == red
    assert len(found) == 7
    assert max(len(formula) for _, formula, _, _ in found) <= 255  # what Excel's rule dialog takes
    # the texts merge reads a status from are marked too: a pasted 完成 is read as 已完成, 不涉及 as 无此情形
    assert f'(TRIM($C{first})="完成")' in one(main, f'(TRIM($C{first})="已完成")')[1]
    assert f'(TRIM($C{first})="不涉及")' in one(main, "无此情形")[1]


def test_a_rule_switched_off_in_settings_marks_nothing(tmp_path, master, calendar, month_of):
    answers = Answers(explain_not_applicable=True, progress_for_done=False, account_for_veto=False)
    relaxed = dataclasses.replace(master, settings=dataclasses.replace(master.settings, answers=answers))
    [sheet] = split(month_of(relaxed, calendar, "2024-05"), out_dir=tmp_path, units=[UNIT], issued_at=ISSUED)
    book = openpyxl.load_workbook(sheet.path)
    found = marks(book[layout.TASK_SHEET])
    [progress] = [f for cells, f, _, _ in found if cells.startswith("D")]  # 本月工作进展: 无此情形 only
    assert progress.startswith('AND(((TRIM($C3)="无此情形(已作说明)")')
    assert len(found) == 5  # 无此情形, the empty status, two of statuses not in the list, the date
    assert "form_unexplained" in book.defined_names
    assert "已完成" not in book.defined_names["form_unexplained"].attr_text and "已发生" not in book.defined_names["form_unexplained"].attr_text
    guide = "".join(str(c.value) for row in book[layout.GUIDE_SHEET].iter_rows() for c in row if c.value)
    assert "选“已完成”的,须在" not in guide and "选“无此情形(已作说明)”的,须在" in guide


def test_the_marks_come_from_the_rule_table_merge_reads():
    """One table: each rule's problem is what merge reports on the 本月工作进展 cell the form marks red."""
    from xlsx_tracker.month.form_parts import FormChecks

    checks = FormChecks([(2, False), (3, False), (4, True)], Answers(), ISSUED.date())
    found = checks.marks()
    assert [m.code for m in found if m.refused] == [rule.code for rule in ANSWER_RULES] + [EMPTY_STATUS, INVALID_STATUS, INVALID_STATUS]
    assert [(m.column, m.rows) for m in found if m.code in {r.code for r in ANSWER_RULES}] == [("本月工作进展", [2, 3])] * 2 + [("本月工作进展", [4])]


def test_every_input_cell_carries_an_input_message(book, tasks):
    def prompts(sheet):
        found = {}
        for validation in sheet.data_validations.dataValidation:
            for cell_range in validation.sqref.ranges:
                for row in sheet.iter_rows(min_row=cell_range.min_row, max_row=cell_range.max_row,
                                           min_col=cell_range.min_col, max_col=cell_range.max_col):
                    for cell in row:
                        assert cell.coordinate not in found, cell.coordinate  # one rule a cell
                        found[cell.coordinate] = validation
        return found

    for sheet, first_col, last_col, rows in ((tasks, 3, 9, task_rows(tasks).values()),
                                             (book[layout.EVIDENCE_SHEET], 1, 5, range(3, 3 + layout.EVIDENCE_ROWS)),
                                             (book[layout.LIAISON_SHEET], 2, 5, [3])):
        found = prompts(sheet)
        for row in rows:
            for col in range(first_col, last_col + 1):
                cell = sheet.cell(row, col)
                validation = found.get(cell.coordinate)
                assert validation is not None and validation.showInputMessage, (sheet.title, cell.coordinate)
                assert validation.prompt and len(validation.prompt) <= 255 and 0 < len(validation.promptTitle) <= 32
    rows = task_rows(tasks)
    status = prompts(tasks)[f"C{rows['21']}"].prompt
    assert "“无此情形(已作说明)”或“已完成”" in status
    progress = prompts(tasks)[f"D{rows['21']}"].prompt
    assert "写明本单位为何不涉及" in progress and "写明完成情况" in progress
    assert "发生的时间、事由和处置情况" in prompts(tasks)[f"D{rows['否决1']}"].prompt
    assert "下发日期(2024-05-06)" in prompts(tasks)[f"G{rows['21']}"].prompt


def test_the_counter_counts_with_formulas_and_shows_the_count_when_issued(first_month, book, tasks):
    """The top line is a formula over three workbook names (SUMPRODUCT, in Excel 2007+, WPS and LibreOffice);
    its value is written too, for a viewer that does not calculate."""
    formula = tasks["G1"].value
    assert formula.startswith("=IF(form_unfilled+form_invalid+form_unexplained+form_overdue=0,\"已全部填写。\",\"还有 \"&MID(")
    for name in COUNT_NAMES:
        text = book.defined_names[name].attr_text
        assert text.startswith("SUMPRODUCT(") and f"'{layout.TASK_SHEET}'!$C$" in text, name
        assert not re.search(r"\b(TEXTJOIN|IFS|LET|FILTER|CONCAT|XLOOKUP)\(", text)
    assert tasks["G1"].protection.hidden and tasks["G1"].protection.locked
    value = openpyxl.load_workbook(first_month.path, data_only=True)[layout.TASK_SHEET]["G1"].value
    assert value == f"还有 {first_month.rows} 项未填写进展状态。"
    [done] = [cf for cf in tasks.conditional_formatting if str(cf.sqref) == "G1"]
    assert done.rules[0].formula == ['$G$1="已全部填写。"'] and done.rules[0].dxf.fill.bgColor.rgb.endswith("C6EFCE")


def test_the_counter_of_a_carried_month_counts_the_past_date(carried):
    _, _, sheet, _, _ = carried
    value = openpyxl.load_workbook(sheet.path, data_only=True)[layout.TASK_SHEET]["G1"].value
    assert value == "还有 1 项预计完成时间已过。"  # every status carried; the first task's April date is past


def test_every_conditional_format_formula_fits_excels_255_characters(tmp_path, calendar, month_of):
    from xlsx_tracker.base.workspace import init_workspace
    from xlsx_tracker.master.tasklist import load_master_or_fail

    workspace = init_workspace(tmp_path / "工作区")
    run = month_of(load_master_or_fail(workspace), calendar, "2024-05", workspace)
    issued = split(run, issued_at=dt.datetime(2024, 5, 6, 9), units=["司法局"])
    book = openpyxl.load_workbook(issued[0].path)
    formulas = [rule.formula[0] for sheet in book.worksheets for cf in sheet.conditional_formatting for rule in cf.rules if rule.formula]
    assert formulas and max(len(f) for f in formulas) <= 255
    assert all("CHAR(160)" in f for f in formulas if "LEN(TRIM(" in f)  # a web page's no-break space is empty, as merge reads it
