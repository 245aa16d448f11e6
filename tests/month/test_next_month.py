"""What the office decided reaches the unit's next workbook: a closed task locked as 已销号, a return's reason in the
locked 审核意见 column — never written into the unit's own cells — and a return that carries 已销号 changes nothing."""

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from xlsx_tracker.base import layout
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.cli import main
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.month.state import load_state
from xlsx_tracker.outputs.review import review_name

UNIT = "司法局"


def cli(workspace, *args):
    result = CliRunner().invoke(main, ["-w", str(workspace.root), *args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def decided(tmp_path_factory, calendar, month_of, filled_return):
    """April: 司法局 claims its first two tasks done; the office passes the first and returns the second. May is issued."""
    workspace = init_workspace(tmp_path_factory.mktemp("next") / "工作区")
    master = load_master_or_fail(workspace)
    april = month_of(master, calendar, "2024-04", workspace)
    [sheet] = split(april, units=[UNIT], issued_at=dt.datetime(2024, 4, 2, 9))
    first, second, *_ = [a.task_id for a in master.assignments_for(UNIT)]
    filled_return(sheet, workspace.inbox_dir("2024-04"), fill=False,
                  statuses={first: "已完成", second: "已完成"},
                  values={first: {"本月工作进展": "已印发"}, second: {"本月工作进展": "已起草", "存在问题及需协调事项": "无"}})
    merge(april, workspace.inbox_dir("2024-04"), now=dt.datetime(2024, 4, 19, 9))
    cli(workspace, "review", "--month", "2024-04")
    path = workspace.month_reports("2024-04") / review_name("2024-04")
    book = openpyxl.load_workbook(path)
    rows = {r[1].value: r for r in book["审核"].iter_rows(min_row=3) if r[0].value}
    rows[first][7].value, rows[first][9].value = "通过", "甲"
    rows[second][7].value, rows[second][8].value, rows[second][9].value = "退回", "缺少印发文件", "甲"
    book.save(path)
    cli(workspace, "review", "--month", "2024-04", "--apply", str(path))
    may = month_of(master, calendar, "2024-05", workspace)
    [issued] = split(may, units=[UNIT], issued_at=dt.datetime(2024, 5, 2, 9))
    return workspace, may, issued, first, second


def task_cells(path, task_id):
    sheet = openpyxl.load_workbook(path)[layout.TASK_SHEET]
    header = [c.value for c in sheet[layout.HEADER_ROW + 1]]
    row = next(r for r in sheet.iter_rows(min_row=layout.FIRST_DATA_ROW + 1) if r[0].value == task_id)
    return sheet, dict(zip(header, row, strict=True))


def test_a_closed_task_shows_as_closed_and_locked(decided):
    _, _, issued, first, _ = decided
    sheet, cells = task_cells(issued.path, first)
    assert cells[layout.STATUS].value == "已销号" and cells[layout.STATUS].protection.locked
    assert cells[layout.REVIEW_COLUMN].value == "已销号(审核通过,本项不必再报)"
    assert cells[layout.REVIEW_COLUMN].protection.locked
    closed_cell = cells[layout.STATUS].coordinate
    assert not any(closed_cell in str(v.sqref).split() for v in sheet.data_validations.dataValidation)  # no list offered


def test_a_return_reason_is_in_the_locked_column_not_in_the_units_cells(decided):
    _, _, issued, _, second = decided
    _, cells = task_cells(issued.path, second)
    assert cells[layout.REVIEW_COLUMN].value == "审核退回:缺少印发文件。请按此补充后在本月重新申报。"
    assert cells["存在问题及需协调事项"].value == "无"  # the unit's own text, as it wrote it
    assert not cells["存在问题及需协调事项"].protection.locked and cells[layout.REVIEW_COLUMN].protection.locked


def test_a_return_carrying_the_closed_status_changes_nothing(decided, filled_return):
    workspace, may, issued, first, _ = decided
    inbox = workspace.inbox_dir("2024-05")
    filled_return(issued, inbox, fill=False)  # sent back as issued: 已销号 still in its locked cell
    result = merge(may, inbox, now=dt.datetime(2024, 5, 18, 9))
    _, cells = task_cells(issued.path, first)
    closed_row = {cells[name].coordinate for name in (layout.STATUS, "本月工作进展")}
    assert [p.code for p in result.problems if p.cell in closed_row] == []  # neither invalid nor 已完成 without text
    state = load_state(may)
    row = next(r for r in state.rows_of(UNIT) if r.assignment.task_id == first)
    assert (row.review, row.counted_status) == ("已销号", "已完成")
    # sent back exactly as issued (last month's answers and evidence as split carried them): 报送空表
    assert (state.unit(UNIT).blank, state.unit(UNIT).returned, state.follow_up_of(UNIT).kinds[0]) == (True, False, "blank")
