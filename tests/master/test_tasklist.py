"""The master workbook read back after hand edits, and the problems a broken one gives."""

import openpyxl

from xlsx_tracker.master.tasklist import TASK_SHEET, UNIT_SHEET, build_master, load_master

from ..fields import fields


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
    assert fields(master.problems, ["code", "sheet", "severity"]) == [["uncovered-indicator", "任务分工", "warning"]]
    assert "指标第7项没有任何报送事项" in master.problems[0].message


def test_cell_emptied_is_an_error_at_its_cell(workspace):
    def empty(book):
        sheet = book[TASK_SHEET]
        sheet.cell(row_of(sheet, "7"), 8).value = None
    edit_master(workspace, empty)
    master = load_master(workspace)
    assert fields(master.errors, ["code", "sheet", "cell"]) == [["empty-cell", "任务分工", "H11"]]
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


# ---------------------------------------------------------------- each problem of a hand-edited master, at its cell

WHERE = "master_template/任务清单.xlsx"


def found(workspace, code):
    """(file, sheet, cell, severity, message) of each problem of that code in the master as it now is."""
    return [(p.file, p.sheet, p.cell, p.severity, p.message) for p in load_master(workspace).problems if p.code == code]


def test_a_renamed_required_header(workspace):
    edit_master(workspace, lambda book: setattr(book[UNIT_SHEET]["A1"], "value", "单位"))
    assert found(workspace, "missing-header") == [(WHERE, "单位名录", "1:1", "error", "表头缺少列:单位名称。请恢复第1行的列标题。")]


def test_an_alias_that_is_already_another_units_name(workspace):
    justice = row_of(openpyxl.load_workbook(workspace.master_file)[UNIT_SHEET], "司法局")
    edit_master(workspace, lambda book: book[UNIT_SHEET].append(["气象局", "司法局", ""]))  # row 34
    assert found(workspace, "duplicate-unit") == [
        (WHERE, "单位名录", "A34", "error", f"“司法局”在单位名录中出现两次(另见 A{justice})。每个名称只能属于一个单位。")]


def test_an_indicator_number_that_is_not_a_number(workspace):
    edit_master(workspace, lambda book: setattr(book["指标"]["B2"], "value", "一"))
    assert found(workspace, "bad-indicator") == [
        (WHERE, "指标", "A2", "error", "板块“指标”或序号“一”无效:板块应为 指标/加分项/否决项,序号为整数。")]
    assert [p.code for p in load_master(workspace).errors] == ["bad-indicator", "unknown-indicator"]  # task 1 has lost its indicator


def test_a_task_in_an_unknown_section(workspace):
    def misfile(book):
        sheet = book[TASK_SHEET]
        sheet.cell(row_of(sheet, "7"), 2).value = "指标项"
    edit_master(workspace, misfile)
    assert found(workspace, "bad-value") == [(WHERE, "任务分工", "B11", "error", "板块“指标项”无效,应为 指标/加分项/否决项。")]


def test_a_task_number_given_twice(workspace):
    def repeat(book):
        sheet = book[TASK_SHEET]
        sheet.cell(row_of(sheet, "8/1"), 1).value = "7"
    edit_master(workspace, repeat)
    assert found(workspace, "duplicate-id") == [(WHERE, "任务分工", "A12", "error", "编号“7”重复(另见 A11)。请改为唯一编号。")]


def test_a_master_without_the_roster_sheet(workspace):
    edit_master(workspace, lambda book: book.remove(book["联络员"]))
    master = load_master(workspace)
    assert master.errors == [] and master.roster == {}
    assert found(workspace, "roster-missing") == [(WHERE, "", "", "info",
        "总任务清单中没有“联络员”表,通知和回执将没有联系人。可运行 xlsx-tracker roster import 文件 导入附件2,或运行 xlsx-tracker master build 补上该表。")]


def test_a_roster_row_of_an_unknown_unit_and_a_unit_given_twice(workspace):
    def roster(book):
        sheet = book["联络员"]
        sheet["A2"].value, sheet["B2"].value = "气象局", "陈静"
        sheet["A4"].value, sheet["B4"].value = "区委办", "刘芳"  # the row of 组织部 now names 区委办 again
        sheet["B3"].value = "王海"
    edit_master(workspace, roster)
    master = load_master(workspace)
    assert [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in master.problems] == [
        ("roster-unknown-unit", WHERE, "联络员", "A2", "error", master.registry.unknown_message("气象局")),
        ("roster-duplicate", WHERE, "联络员", "A4", "error", "“区委办”的联络员填了两行,只采用了第一行。请删除多余的一行。")]
    assert master.registry.unknown_message("气象局").startswith("未知单位“气象局”")
    assert master.roster["区委办"]["姓名"] == "王海"  # the first row is taken
