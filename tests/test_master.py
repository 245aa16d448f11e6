"""The master workbook read back after hand edits, and the problems a broken one gives."""

import openpyxl

from xlsx_tracker.base.model import Problems
from xlsx_tracker.master.tasklist import TASK_SHEET, UNIT_SHEET, build_master, load_master


def edit_master(workspace, change):
    book = openpyxl.load_workbook(workspace.master_file)
    change(book)
    book.save(workspace.master_file)


def row_of(sheet, task_id):
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == task_id)


def test_embedded_master_reads_back_clean(master):
    assert master.problems == []
    assert (len(master.indicators), len(master.tasks), len(master.assignments()), len(master.registry.units)) == (104, 101, 481, 32)


def test_unit_added_by_hand_gets_every_all_units_task(workspace):
    edit_master(workspace, lambda book: book[UNIT_SHEET].append(["气象局", "气象台", "新增"]))
    master = load_master(workspace)
    assert master.problems == []
    assert [a.task_id for a in master.assignments_for("气象局")] == ["加分1", "加分2", "否决1", "否决2"]


def test_task_reassigned_through_an_alias(workspace):
    def reassign(book):
        sheet = book[TASK_SHEET]
        sheet.cell(row_of(sheet, "7"), 8).value = "发改委、卫健委"
    edit_master(workspace, reassign)
    master = load_master(workspace)
    assert next(t for t in master.tasks if t.task_id == "7").units == ("发展和改革委员会", "卫生健康委员会")


def test_row_deleted_warns_that_indicator_is_not_issued(workspace):
    edit_master(workspace, lambda book: book[TASK_SHEET].delete_rows(row_of(book[TASK_SHEET], "7")))
    master = load_master(workspace)
    assert Problems(master.problems).flatten(["code", "sheet", "severity"]) == [["uncovered-indicator", "任务分工", "warning"]]
    assert "指标第7项没有任何报送事项" in master.problems[0].message


def test_cell_emptied_is_an_error_at_its_cell(workspace):
    def empty(book):
        sheet = book[TASK_SHEET]
        sheet.cell(row_of(sheet, "7"), 8).value = None
    edit_master(workspace, empty)
    master = load_master(workspace)
    assert Problems(master.errors).flatten(["code", "sheet", "cell"]) == [["empty-cell", "任务分工", "H11"]]
    assert master.errors[0].message == "“责任单位”为空。请填写,或删除整行。"


def test_unknown_unit_in_master_names_cell_and_fix(workspace):
    def typo(book):
        sheet = book[TASK_SHEET]
        sheet.cell(row_of(sheet, "7"), 8).value = "发改局"
    edit_master(workspace, typo)
    [problem] = load_master(workspace).errors
    assert (problem.code, problem.cell) == ("unknown-unit", "H11")
    assert problem.message.startswith("未知单位名称“发改局”(编号 7)")


def test_missing_sheet_and_duplicate_id(workspace):
    def break_it(book):
        del book["指标"]
        sheet = book[TASK_SHEET]
        sheet.cell(row_of(sheet, "8/1"), 1).value = "7"
    edit_master(workspace, break_it)
    codes = [p.code for p in load_master(workspace).errors]
    assert codes[0] == "missing-sheet"
    assert "unknown-indicator" in codes


def test_regenerating_keeps_the_edited_unit_table(workspace):
    edit_master(workspace, lambda book: book[UNIT_SHEET].append(["气象局", "", ""]))
    build_master(workspace)
    assert "气象局" in load_master(workspace).registry.units
