"""The problem catalogue: how a problem is made and shown (on plain data), and that every problem type the library
can emit is provoked and asserted by some test."""

import ast
import pickle
from pathlib import Path

import pytest

from xlsx_tracker.base import problems as catalogue_module
from xlsx_tracker.base.model import Problem
from xlsx_tracker.base.problems import (
    CSV_COLUMNS,
    LIAISON_CHANGED,
    MASTER_EDITED_AFTER_ISSUE,
    MISSING_ROW,
    STATUS_NORMALIZED,
    Code,
    category,
    counted,
    problem,
    problem_line,
    problems_csv_rows,
    severity_summary,
)

TESTS = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- making a problem


def test_a_problem_takes_its_type_severity_and_filled_template():
    found = problem(MISSING_ROW, file="司法局_2024-05.xlsx", sheet="任务清单", unit="司法局", task_id="21")
    assert found == Problem("missing-row", "编号“21”的任务行被删除,本月该项视为未报送。请勿删除行。", "司法局_2024-05.xlsx", "任务清单", "",
                            "司法局", "error")


def test_the_code_stored_is_plain_text():
    found = problem(STATUS_NORMALIZED, cell="C3", raw="完成", status="已完成")
    assert type(found.code) is str and found.code == "status-normalized" and found.severity == "warning"
    assert found.message == "进展状态“完成”不是下拉选项,已按“已完成”处理。请从下拉列表选择。"


def test_only_a_catalogued_type_makes_a_problem():
    with pytest.raises(TypeError, match="problem\\(\\) takes a problem type of this module, not 'missing-row'"):
        problem("missing-row", task_id="21")


def test_a_field_the_template_needs_must_be_given():
    with pytest.raises(KeyError, match="task_id"):
        problem(MISSING_ROW, file="a.xlsx")


def test_a_type_is_equal_to_its_code_and_found_in_the_catalogue():
    assert MISSING_ROW == "missing-row" and MISSING_ROW.code == "missing-row"
    assert (MISSING_ROW.severity, MISSING_ROW.category) == ("error", "增删行")
    assert Code.catalogue["missing-row"] is MISSING_ROW and catalogue_module.CATALOGUE["missing-row"] is MISSING_ROW


def test_a_type_crosses_to_a_worker_process_as_the_same_handle():
    assert pickle.loads(pickle.dumps(MISSING_ROW)) is MISSING_ROW


def test_a_code_defined_twice_or_with_an_unknown_severity_is_refused():
    before = dict(Code.catalogue)
    with pytest.raises(ValueError, match="problem code 'missing-row' defined twice"):
        Code("missing-row", "error", "增删行", "{detail}")
    with pytest.raises(ValueError, match="problem code 'new-code': unknown severity 'fatal'"):
        Code("new-code", "fatal", "新类别", "{detail}")
    assert Code.catalogue == before


def test_every_type_has_a_known_severity_and_a_category():
    assert {c.severity for c in Code.catalogue.values()} == {"error", "warning", "info"}
    assert all(c.category for c in Code.catalogue.values())
    assert len(Code.catalogue) == len(catalogue_module.CATALOGUE)


# ---------------------------------------------------------------- showing problems


def test_the_category_of_a_code_or_the_code_when_unknown():
    assert (category("invalid-status"), category("no-such-code")) == ("进展状态无效", "no-such-code")


def test_a_console_line_with_file_sheet_and_cell():
    found = Problem("duplicate-row", "编号“21”重复出现(首次在 A3),已采用第一行,本行未采用。", "司法局_2024-05.xlsx", "任务清单", "A5")
    assert problem_line(found) == "[错误·增删行] 司法局_2024-05.xlsx / 任务清单 / A5:编号“21”重复出现(首次在 A3),已采用第一行,本行未采用。"


def test_a_console_line_placed_by_its_unit_when_it_has_no_file():
    found = problem(LIAISON_CHANGED, unit="司法局", before="王海", after="张伟")
    assert problem_line(found) == "[提示·联络员变更] 司法局:联络员变更:王海 → 张伟(以本次报回的“联络员”表为准)。"


def test_a_console_line_without_any_place():
    found = problem(MASTER_EDITED_AFTER_ISSUE, ids="21")
    assert problem_line(found) == ("[提示·总表版本] 总任务清单在下发后有改动:编号 21 的内容与下发时不同。"
                                   "报回文件按下发时的内容核对,不会因此判为改动;下次下发时按新内容。")


def test_a_stored_problem_of_a_code_no_longer_catalogued_is_still_shown():
    assert problem_line(Problem("old-code", "旧说明", severity="notice")) == "[notice·old-code] 旧说明"


def test_severity_summary_counts_every_severity_in_one_order():
    found = [Problem("a", "", severity="info"), Problem("b", ""), Problem("c", "", severity="error"), Problem("d", "", severity="info")]
    assert severity_summary(found) == "错误 2 条,提醒 0 条,提示 2 条"
    assert severity_summary([]) == "错误 0 条,提醒 0 条,提示 0 条"


def test_only_errors_and_warnings_cost_points():
    error, warning, info = (Problem(s, "", severity=s) for s in ("error", "warning", "info"))
    assert counted([info, error, warning, info]) == [error, warning]


def test_a_csv_row_ends_with_the_technical_code():
    found = Problem("invalid-phone", "联系电话“待定”无效,未采用。", "政府办.xlsx", "任务清单", "P4", "政府办", "error")
    assert CSV_COLUMNS == ["级别", "类别", "单位", "文件", "工作表", "单元格", "说明", "代码(技术用)"]
    assert problems_csv_rows([found]) == [["错误", "电话无效", "政府办", "政府办.xlsx", "任务清单", "P4", "联系电话“待定”无效,未采用。", "invalid-phone"]]


# ---------------------------------------------------------------- every type is provoked by a test


def asserted_names(path: Path) -> set[str]:
    """Every string and name that a test file uses in an assertion: inside an assert statement, in a module-level
    constant (the expected problems of a fixture, as test_hostile keeps them), or in a parametrize decorator."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    places = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    places += [node for node in tree.body if isinstance(node, (ast.Assign, ast.AnnAssign))]
    places += [d for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) for d in node.decorator_list
               if "parametrize" in ast.unparse(d)]
    found = set()
    for place in places:
        for node in ast.walk(place):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.add(node.value)
            elif isinstance(node, ast.Name):
                found.add(node.id)
            elif isinstance(node, ast.Attribute):
                found.add(node.attr)
    return found


def test_every_problem_type_is_asserted_by_some_test():
    """Each code of the catalogue, as its string ('missing-row') or its name (MISSING_ROW), in some test's assertion:
    a type no test provokes is a message nobody has read."""
    names = {kind.code: name for name, kind in vars(catalogue_module).items() if isinstance(kind, Code)}
    assert sorted(names) == sorted(Code.catalogue)  # every type is a module-level name
    files = [p for p in TESTS.rglob("test_*.py") if p.resolve() != Path(__file__).resolve()]
    asserted = set().union(*(asserted_names(p) for p in files))
    unasserted = sorted(code for code, name in names.items() if code not in asserted and name not in asserted)
    assert unasserted == []
