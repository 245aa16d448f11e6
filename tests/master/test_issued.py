"""Returns are judged against what was issued, and deadlines against when the office received the file."""

import datetime as dt
import shutil

import openpyxl
import pytest

from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

from ..fields import fields

MONTH = "2024-05"
UNITS = ["司法局", "政府办", "区委办"]


def filled_returns(filled_return, issued, inbox, units, saved=dt.datetime(2024, 5, 19, 10)):
    """Each unit's workbook filled and left untouched otherwise, saved on the 19th."""
    return {unit: filled_return(issued[unit], inbox, seed=seed, saved=saved) for seed, unit in enumerate(units)}


@pytest.fixture
def issued_month(tmp_path, calendar, month_of):
    workspace = init_workspace(tmp_path / "工作区")
    master = load_master_or_fail(workspace)
    issued = {s.unit: s for s in split(month_of(master, calendar, MONTH, workspace), issued_at=dt.datetime(2024, 5, 6, 9))}
    return workspace, issued


def edit_master(workspace, task_id: str, column: str, text: str) -> None:
    """What staff do in Excel: change a cell of the 任务分工 sheet and save."""
    book = openpyxl.load_workbook(workspace.master_file)
    sheet = book["任务分工"]
    header = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == task_id)
    row[header.index(column)].value = text
    book.save(workspace.master_file)


def test_a_master_edited_after_split_causes_no_false_problem(issued_month, calendar, tmp_path, filled_return, month_of):
    workspace, issued = issued_month
    filled_returns(filled_return, issued, tmp_path / "收件箱", UNITS)
    edit_master(workspace, "21", "申报材料要求", "请提供(下发后改写的要求)")
    edit_master(workspace, "96", "本项承担事项", "下发后新增的说明")
    edited = load_master_or_fail(workspace)
    result = merge(month_of(edited, calendar, MONTH, workspace), tmp_path / "收件箱", now=dt.datetime(2024, 5, 21))
    assert sorted(result.accepted) == sorted(UNITS)
    assert [p for p in result.problems if p.unit] == []  # nothing against any unit
    assert fields(result.problems, ["code", "severity", "message"]) == [[
        "master-edited-after-issue", "info",
        "总任务清单在下发后有改动:编号 21、96 的内容与下发时不同。报回文件按下发时的内容核对,不会因此判为改动;下次下发时按新内容。"]]


def test_without_a_snapshot_the_current_master_is_the_judge(issued_month, calendar, tmp_path, filled_return, month_of):
    """A workbook issued before snapshots were kept is still checked, against today's master."""
    workspace, issued = issued_month
    filled_returns(filled_return, issued, tmp_path / "收件箱", ["司法局"])
    workspace.ledger_file.unlink()  # as a ledger written by the first release: no issue snapshot
    master = load_master_or_fail(workspace)
    result = merge(month_of(master, calendar, MONTH, workspace), tmp_path / "收件箱", now=dt.datetime(2024, 5, 21))
    assert list(result.accepted) == ["司法局"] and result.problems == []


@pytest.mark.parametrize(("folder", "received", "expected"), [
    ("2024-05-25", None, ("逾期", "2024-05-25", "收件目录日期")),  # saved on the 19th, arrived on the 25th
    ("2024年5月20日", None, ("按时", "2024-05-20", "收件目录日期")),
    ("", dt.date(2024, 5, 25), ("逾期", "2024-05-25", "汇总时指定")),
    ("20240520", dt.date(2024, 5, 25), ("按时", "2024-05-20", "收件目录日期")),  # the folder is more precise than the option
    ("", None, ("按时(推定)", "2024-05-19 10:00:00", "保存时间(推定)")),
])
def test_timeliness_follows_the_receipt_time(issued_month, calendar, tmp_path, folder, received, expected, filled_return, month_of):
    workspace, issued = issued_month
    inbox = tmp_path / "收件箱"
    [path] = filled_returns(filled_return, issued, tmp_path / "filled", ["司法局"]).values()
    (inbox / folder).mkdir(parents=True, exist_ok=True)
    shutil.copy(path, inbox / folder / path.name)
    master = load_master_or_fail(workspace)
    result = merge(month_of(master, calendar, MONTH, workspace), inbox, now=dt.datetime(2024, 5, 28), received=received)
    score = result.state.unit("司法局")
    assert (score.timeliness_text, score.received_at, score.received_how) == expected


def test_snapshots_are_kept_as_shared_text_and_decoded_once(tmp_path):
    """Units given the same rows share one snapshot text; a return is judged against its decoded rows."""
    from xlsx_tracker.master.issued import IssuedRows, from_snapshot
    from xlsx_tracker.month import ledger

    conn = ledger.connect(tmp_path / "ledger.sqlite")
    same = [["1", {"编号": "1", "截止日期": "2024-05-20"}, False], ["91", {"编号": "91"}, True]]
    for unit, rows in (("001区司法局", same), ("002区司法局", same), ("政府办", same[:1])):
        ledger.record_issue(conn, MONTH, unit, "2024-05-06 09:00:00", "v1", "2024-05-20", rows)
    snapshots = ledger.issues(conn, MONTH)
    first, second = (snapshots[u]["2024-05-06 09:00:00"] for u in ("001区司法局", "002区司法局"))
    assert first is second and isinstance(first, str)
    assert from_snapshot(first) is from_snapshot(second)  # decoded once
    given, recorded = IssuedRows(None, None, snapshots).for_return("002区司法局", "2024-05-06 09:00:00")
    assert recorded and list(given.rows) == ["1", "91"] and given.veto_ids == {"91"}
    assert given.rows["1"]["截止日期"] == "2024-05-20"


def test_without_a_snapshot_a_master_edited_since_is_said(issued_month, calendar, tmp_path, filled_return, month_of):
    """Issued before snapshots were kept, and the master edited since: judged against today's master, and said so."""
    workspace, issued = issued_month
    issued_version = load_master_or_fail(workspace).version
    filled_returns(filled_return, issued, tmp_path / "收件箱", ["司法局"])
    workspace.ledger_file.unlink()
    edit_master(workspace, "7", "申报材料要求", "下发后改写的要求")  # not a task of 司法局: its rows still match
    master = load_master_or_fail(workspace)
    assert master.version != issued_version
    result = merge(month_of(master, calendar, MONTH, workspace), tmp_path / "收件箱", now=dt.datetime(2024, 5, 21))
    assert list(result.accepted) == ["司法局"]
    assert [(p.code, p.file, p.sheet, p.cell, p.unit, p.severity, p.message) for p in result.problems] == [
        ("master-changed", "司法局_2024-05.xlsx", "", "", "司法局", "info",
         f"该表按旧版总任务清单({issued_version})下发,现行版本为 {master.version};已按现行任务核对。")]
