"""The locked short task text (the 任务 column: a link to the full text whose value is the summary) is checked like
the other locked texts; a link saved without its value (by a program that does not compute formulas) is not a change."""

import datetime as dt

import openpyxl
import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.base.words import clip
from xlsx_tracker.demo import simulate
from xlsx_tracker.intake.reconcile import issued_summary, reconcile
from xlsx_tracker.month.form_text import summary_link, task_summary
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

from ..fields import fields
from .returned_rows import ISSUED, returned

MONTH = "2024-05"
SUMMARY_COL = layout.TASK_COLUMNS.index(layout.SUMMARY_COLUMN)
CHANGED = "锁定的“任务”内容被改动,已按下发原文处理。请勿修改灰色单元格。"


def short(task_id, summary=None, **editable):
    """A row of today's task sheet, its 任务 cell as given (default: what split writes)."""
    text = task_summary(ISSUED.rows[task_id]) if summary is None else summary
    status = "未发生" if task_id in ISSUED.veto_ids else "推进中"
    return [{"编号": task_id, "任务": text, "进展状态": status, **editable}.get(name) for name in layout.TASK_COLUMNS]


def full(task_id):
    return [ISSUED.rows[task_id].get(name) for name in layout.REFERENCE_COLUMNS]


def checked(*rows, formulas=None):
    data = returned(*rows, columns=layout.TASK_COLUMNS, reference=[full("1"), full("2"), full("否决1")])
    data.tasks.formulas.update(formulas or {})
    return reconcile(data, ISSUED, "司法局", MONTH).problems


def test_a_changed_summary_is_a_changed_locked_cell():
    problems = checked(short("1"), short("2", summary="本单位不承担此项"), short("否决1"))
    assert fields(problems, ["code", "sheet", "cell", "severity"]) == [["locked-cell-changed", "任务清单", "B4", "error"]]
    assert problems[0].message == CHANGED


def test_a_link_without_its_value_is_not_a_change():
    link = summary_link(3, task_summary(ISSUED.rows["2"]))
    no_value = {(3, SUMMARY_COL): (link.removeprefix("="), False)}
    assert checked(short("1", summary=""), short("2", summary=link), short("否决1"), formulas=no_value) == []


@pytest.mark.parametrize("limit", [12, 20, 40, 200])
def test_the_summary_split_writes_at_any_length_is_as_issued(limit):
    locked = {**ISSUED.rows["1"], "本单位承担事项": "组织开展《中华人民共和国行政复议法(2023年修订)及其配套规定》的学习宣传和培训考核工作"}
    assert issued_summary(clip(locked["本单位承担事项"], limit), locked)
    assert not issued_summary("组织开展《中华人民共和国行政诉讼法》……", locked)  # another text, cut the same way
    assert not issued_summary("……", locked)


# ---------------------------------------------------------------- in returned workbooks


@pytest.fixture
def issued_month(workspace, master, calendar, month_of):
    run = month_of(master, calendar, MONTH, workspace)
    return run, {s.unit: s for s in split(run, units=["司法局", "政府办", "区委办"], issued_at=dt.datetime(2024, 5, 6, 9))}


def test_returned_workbooks(issued_month, filled_return, tmp_path):
    run, issued = issued_month
    inbox = tmp_path / "收件箱"
    edited = filled_return(issued["司法局"], inbox, seed=1, defects=[lambda b: simulate.tamper_locked(b, next(iter(simulate.task_rows(b))),
                                                                                                   layout.SUMMARY_COLUMN, "(已删减)")])
    # openpyxl, like any program that does not compute formulas, saves the links without their values
    untouched_links = filled_return(issued["政府办"], inbox, seed=2)
    (inbox / "区委办_2024-05.xlsx").write_bytes(issued["区委办"].path.read_bytes())  # as issued: the links keep their values
    result = merge(run, inbox, now=dt.datetime(2024, 5, 19, 9))
    assert openpyxl.load_workbook(untouched_links)[layout.TASK_SHEET]["B3"].value.startswith("=HYPERLINK(")
    assert openpyxl.load_workbook(issued["区委办"].path, data_only=True)[layout.TASK_SHEET]["B3"].value
    locked = [p for p in result.problems if p.code == "locked-cell-changed"]
    assert [(p.file, p.unit, p.sheet, p.cell, p.message) for p in locked] == [(edited.name, "司法局", "任务清单", "B3", CHANGED)]


def test_a_summary_cut_by_the_older_split_is_as_issued_too():
    text = "深入推进依法行政,全面建设法治政府,持续深化行政执法体制改革,完善行政执法程序,规范行政裁量权基准制度"
    expected = {"本单位承担事项": text, "三级指标": "指标原文"}
    assert issued_summary(text[:35] + "…", expected)  # how forms issued before this layout cut it
    assert issued_summary(task_summary(expected), expected)
    assert not issued_summary(text[:10] + "改动过的…", expected)
    assert not issued_summary("…", expected)  # an ellipsis alone is nothing issued


def test_a_cached_formula_text_is_not_a_change():
    assert not issued_summary('=HYPERLINK("#\'任务说明\'!A3","x")', {"本单位承担事项": "y", "三级指标": ""})
