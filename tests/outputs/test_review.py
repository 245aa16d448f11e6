"""审核销号 over two months: passed, returned, re-submitted and passed; a tampered review file; counts by status."""

import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner

from xlsx_tracker.base import layout
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.cli import main
from xlsx_tracker.demo import simulate
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.month.state import load_state
from xlsx_tracker.outputs.report import build_report
from xlsx_tracker.outputs.review import apply_review, write_review

UNIT = "司法局"


def return_month(filled_return, run, month, done: set[str], texts=None):
    """司法局 returns its workbook: the tasks in done as 已完成 (with a listed evidence), the rest 推进中."""
    [sheet] = split(run, units=[UNIT], issued_at=dt.datetime.fromisoformat(f"{month}-02 09:00"))

    def veto(task_id):
        return str(task_id).startswith("否决")

    filled_return(sheet, run.workspace.root / "inbox" / month / f"{month}-15", fill=False,
                  statuses=lambda t: "未发生" if veto(t) else "已完成" if t in done else "推进中",
                  values=lambda t: None if veto(t) else {"本月工作进展": (texts or {}).get(t, f"{month} {t} 进展")},
                  evidence=[(t, f"{t} 文件", "正式文件(PDF)", "http://www.example.gov.cn/a.html") for t in sorted(done)],
                  saved=dt.datetime.fromisoformat(f"{month}-15 09:00"))
    return merge(run, run.workspace.root / "inbox" / month, now=dt.datetime.fromisoformat(f"{month}-21 09:00")).state


def decide(path, decisions: dict[str, tuple[str, str]]):
    """What the office does in Excel: pick 通过/退回 and write a reason."""
    book = openpyxl.load_workbook(path)
    sheet = book["审核"]
    for row in sheet.iter_rows(min_row=3):
        if row[1].value in decisions:
            row[7].value, row[8].value = decisions[row[1].value]
            row[9].value = "张审核"
    book.save(path)


@pytest.fixture(scope="module")
def two_months(tmp_path_factory, calendar, month_of, filled_return):
    workspace = init_workspace(tmp_path_factory.mktemp("review") / "工作区")
    master = load_master_or_fail(workspace)
    april, may = (month_of(master, calendar, m, workspace) for m in ("2024-04", "2024-05"))
    state = return_month(filled_return, april, "2024-04", {"21", "22"})
    path, count = write_review(april, state)
    decide(path, {"21": ("通过", ""), "22": ("退回", "缺少印发文件的扫描件")})
    applied = apply_review(april, state, path)
    april_state = load_state(april)
    state = return_month(filled_return, may, "2024-05", {"22"})
    may_book = openpyxl.load_workbook(workspace.sheets_dir("2024-05") / f"{UNIT}_2024-05.xlsx")
    may_path, may_count = write_review(may, state)
    decide(may_path, {"22": ("通过", "")})
    apply_review(may, state, may_path)
    return workspace, (count, applied, april_state), (may_book, may_count, load_state(may))


def row_of(state, task_id):
    return next(r for r in state.rows if r.assignment.unit == UNIT and r.assignment.task_id == task_id)


def test_passed_and_returned_in_the_first_month(two_months):
    _, (count, applied, state), _ = two_months
    assert count == 2 and applied.passed == [(UNIT, "21")] and applied.returned == [(UNIT, "22")] and applied.problems == []
    assert (row_of(state, "21").review, row_of(state, "22").review, row_of(state, "22").review_reason) == ("已销号", "已退回", "缺少印发文件的扫描件")
    [follow] = [f for f in state.follow_ups if f.unit == UNIT]
    assert "1 项审核退回:22" in follow.reasons


def test_a_returned_claim_goes_back_to_the_unit_and_comes_back_for_review(two_months):
    _, _, (book, count, state) = two_months
    sheet = book[layout.TASK_SHEET]
    row = simulate.task_rows(book)["22"]
    # the reason reaches the unit in the locked 审核意见 column, never inside its own cells
    assert "缺少印发文件的扫描件" in sheet.cell(row, simulate.column(layout.REVIEW_COLUMN)).value
    assert "缺少印发文件的扫描件" not in str(sheet.cell(row, simulate.column("存在问题及需协调事项")).value)
    assert count == 1  # 21 stays closed; 22 was claimed again and waited for review
    assert (row_of(state, "21").review, row_of(state, "22").review) == ("已销号", "已销号")


def test_counts_by_status_on_the_overview(two_months, month_of):
    workspace, _, _ = two_months
    master = load_master_or_fail(workspace)
    path, _ = build_report(month_of(master, load_calendar(workspace), "2024-04", workspace))
    sheet = openpyxl.load_workbook(path)["总览"]
    figures = {r[0].value: r[1].value for r in sheet.iter_rows(min_row=3) if r[0].value}
    assert (figures["已销号任务数"], figures["待审核任务数"], figures["已退回任务数"]) == (1, 0, 1)


def load_calendar(workspace):
    from xlsx_tracker.calendar.workdays import load_calendar as load
    return load(workspace.master_dir)[0]


def tamper(path):
    """A review file filled carelessly: a locked text changed, a mark not in the list, 退回 without a reason, a made-up row."""
    book = openpyxl.load_workbook(path)
    sheet = book["审核"]
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=3)}
    rows["21"][4].value = "改过的进展"  # a locked text changed
    rows["21"][7].value = "通过"
    rows["22"][7].value = "同意"  # not a valid mark
    rows["24"][7].value = "退回"  # no reason
    rows["25"][7].value = "通过"
    sheet.cell(sheet.max_row + 1, 1).value, sheet.cell(sheet.max_row, 2).value = UNIT, "999"  # a row that was never a claim
    book.save(path)


def test_a_tampered_review_file_is_checked_like_any_return(tmp_path, calendar, month_of, filled_return):
    workspace = init_workspace(tmp_path / "工作区")
    run = month_of(load_master_or_fail(workspace), calendar, "2024-04", workspace)
    state = return_month(filled_return, run, "2024-04", {"21", "22", "24", "25"})
    path, _ = write_review(run, state)
    tamper(path)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "review", "--month", "2024-04", "--apply", str(path)])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().split("\n")
    assert lines[:4] == [
        "[错误·审核文件有误] 审核_2024-04.xlsx / 审核 / E3:“本月工作进展”与生成审核文件时的内容不同,本行未采用。请勿改动灰色单元格。",
        "[错误·审核文件有误] 审核_2024-04.xlsx / 审核 / H4:审核结果“同意”无效,应为“通过”或“退回”,本行未采用。",
        "[错误·审核文件有误] 审核_2024-04.xlsx / 审核 / I5:选择“退回”时必须填写退回理由,本行未采用。",
        "[错误·审核文件有误] 审核_2024-04.xlsx / 审核 / B7:“司法局”的编号“999”不是本月待审核的事项(可能已审核或被改动),本行未采用。",
    ]
    assert lines[4:7] == ["已记入审核结果:通过(销号)1 项,退回 0 项;另有 4 行未采用,见上。",
                          "各单位得分和亮灯没有变化。",  # a pass of a claim already counted as done (count_unreviewed_as_done)
                          "已按审核结果重新生成本月的文件:"]
    folder = workspace.root / "reports" / "2024-04"
    assert lines[7:10] == [f"  调度报告:{folder / '2024年4月法治政府建设示范创建工作调度报告.xlsx'}",
                           f"  调度明细:{folder / '2024年4月法治政府建设示范创建工作调度明细.xlsx'}", f"  回执 1 份:{folder / '回执'}"]
    assert row_of(load_state(run), "25").review == "已销号" and row_of(load_state(run), "21").review == "待审核"


def test_each_review_line_not_taken_is_a_problem_at_its_cell(tmp_path, calendar, month_of, filled_return):
    workspace = init_workspace(tmp_path / "工作区")
    run = month_of(load_master_or_fail(workspace), calendar, "2024-04", workspace)
    state = return_month(filled_return, run, "2024-04", {"21", "22", "24", "25"})
    path, _ = write_review(run, state)
    tamper(path)
    applied = apply_review(run, state, path, reviewer="张审核")
    assert [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in applied.problems] == [
        ("review-tampered", "审核_2024-04.xlsx", "审核", "E3", "error", "“本月工作进展”与生成审核文件时的内容不同,本行未采用。请勿改动灰色单元格。"),
        ("review-invalid-mark", "审核_2024-04.xlsx", "审核", "H4", "error", "审核结果“同意”无效,应为“通过”或“退回”,本行未采用。"),
        ("review-no-reason", "审核_2024-04.xlsx", "审核", "I5", "error", "选择“退回”时必须填写退回理由,本行未采用。"),
        ("review-unknown-row", "审核_2024-04.xlsx", "审核", "B7", "error",
         "“司法局”的编号“999”不是本月待审核的事项(可能已审核或被改动),本行未采用。"),
    ]
    assert (applied.passed, applied.returned) == ([("司法局", "25")], [])
