"""The one list of the month's documents: every command that records or rereads a month writes all of them."""

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlsx_tracker.base.workspace import Workspace, init_workspace
from xlsx_tracker.cli.main import main
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.bulletin import bulletin_name
from xlsx_tracker.outputs.documents import DOCUMENT_KEYS, DOCUMENTS
from xlsx_tracker.outputs.notices import receipt_stem, reminder_stem
from xlsx_tracker.outputs.report import report_name
from xlsx_tracker.outputs.review import review_name

MONTH = "2024-05"
SENT = ["司法局", "政府办"]  # the two units that return; the other 30 get a reminder


def expected_files(workspace, month: str) -> dict[str, list]:
    """Each document's files, by the names its writer gives them (never parsed back from a listing)."""
    folder = workspace.month_reports(month)
    units = load_master_or_fail(workspace).registry.units
    return {
        "problems": [workspace.problem_list(month)],
        "report": [folder / report_name(month)],
        "bulletin": [folder / bulletin_name(month)],
        "receipts": [receipt_stem(folder, u, month).with_suffix(s) for u in SENT for s in (".xlsx", ".txt")],
        "reminders": [reminder_stem(folder, u).with_suffix(s) for u in units if u not in SENT for s in (".txt", ".eml")],
    }


def test_the_list_holds_each_document_once():
    assert DOCUMENT_KEYS == ("problems", "report", "receipts", "reminders", "bulletin")
    assert [d.label for d in DOCUMENTS] == ["问题清单", "调度报告", "回执", "催报通知", "通报"]


def cli(workspace, *args):
    result = CliRunner().invoke(main, ["-w", str(workspace.root), *args], prog_name="xlsx-tracker")
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def merged(tmp_path_factory, calendar, month_of, filled_return):
    """A month merged through the command line: two units returned, thirty silent."""
    workspace = init_workspace(tmp_path_factory.mktemp("documents") / "工作区")
    run = month_of(load_master_or_fail(workspace), calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))}
    for unit in SENT:
        filled_return(issued[unit], workspace.inbox_dir(MONTH) / "2024-05-17", seed=3)
    result = cli(workspace, "merge", "--month", MONTH)
    return workspace, result


def snapshot(workspace) -> dict[str, object]:
    """What the office reads in the documents, to compare two writings of the same month."""
    files = expected_files(workspace, MONTH)
    report = openpyxl.load_workbook(files["report"][0], read_only=True)
    return {
        "files": sorted(str(p.relative_to(workspace.root)) for p in workspace.month_reports(MONTH).rglob("*") if p.is_file()),
        "receipts": {p.name: re.sub(r"回执时间.*", "", p.read_text(encoding="utf-8")) for p in files["receipts"] if p.suffix == ".txt"},
        "reminders": {p.name: p.read_text(encoding="utf-8") for p in files["reminders"] if p.suffix == ".txt"},
        "scores": [list(r) for r in report["部门得分"].iter_rows(values_only=True)],
        "problems": files["problems"][0].read_text(encoding="utf-8-sig"),
    }


@pytest.mark.parametrize("key", DOCUMENT_KEYS)
def test_merge_writes_every_document(merged, key):
    workspace, result = merged
    missing = [str(p) for p in expected_files(workspace, MONTH)[key] if not p.is_file()]
    assert missing == []


def test_merge_names_each_document_it_wrote(merged):
    workspace, result = merged
    folder = workspace.month_reports(MONTH)
    lines = [line for line in result.output.split("\n") if line.startswith(("调度报告", "回执", "催报通知", "通报"))]
    assert lines == [f"调度报告:{folder / report_name(MONTH)}", f"回执 2 份:{folder / '回执'}",
                          f"催报通知 30 份(.txt 可直接粘贴,.eml 为邮件草稿,未发送):{folder / '催报'}",
                          f"通报:{folder / bulletin_name(MONTH)}"]


@pytest.fixture(scope="module")
def rewritten(merged, tmp_path_factory):
    """The reports folder deleted after merge, then report run: the same documents come back."""
    workspace, _ = merged
    before = snapshot(workspace)
    shutil.rmtree(workspace.month_reports(MONTH))
    result = cli(workspace, "report", "--month", MONTH)
    return workspace, before, result


@pytest.mark.parametrize("key", DOCUMENT_KEYS)
def test_report_gives_back_every_document(rewritten, key):
    workspace, _, _ = rewritten
    missing = [str(p) for p in expected_files(workspace, MONTH)[key] if not p.is_file()]
    assert missing == []


def test_report_gives_back_the_same_documents(rewritten):
    workspace, before, result = rewritten
    after = snapshot(workspace)
    merge_only = sorted(f"reports/{MONTH}/{name}" for name in (f"文件清单_{MONTH}.csv",))  # the inbox run's own record
    assert after["files"] == [f for f in before["files"] if f not in merge_only]
    for part in ("receipts", "reminders", "scores", "problems"):
        assert after[part] == before[part], part
    overview = openpyxl.load_workbook(expected_files(workspace, MONTH)["report"][0], read_only=True)["总览"]
    shown = {row[0]: row[1] for row in overview.iter_rows(values_only=True) if row and row[0]}
    summary = next(line for line in result.output.split("\n") if line.startswith("报送单位"))
    assert summary == (f"报送单位 2/32,总体平均进度 {shown['总体平均进度(%)']:.1f}%,已完成指标 {shown['已完成指标数(共100项)']}/100,"
                       "问题:错误 0 条,提醒 0 条,提示 0 条。")


def test_send_previews_the_receipts_report_wrote_back(rewritten):
    workspace, _, _ = rewritten
    result = cli(workspace, "send", "receipts", "--month", MONTH)
    assert result.output.strip().split("\n")[-1] == "预览:将发送回执 0 封;确认无误后加 --yes 发送。"
    assert "没有联络员邮箱、无法发送(请在总任务清单“联络员”表中补充):政府办、司法局" in result.output  # in the order of the unit list


@pytest.mark.parametrize("key", DOCUMENT_KEYS)
def test_review_apply_rewrites_every_document(rewritten, key):
    workspace, _, _ = rewritten
    cli(workspace, "review", "--month", MONTH)
    sheet = workspace.month_reports(MONTH) / review_name(MONTH)
    files = expected_files(workspace, MONTH)[key]
    for path in files:
        path.unlink()
    result = cli(workspace, "review", "--month", MONTH, "--apply", str(sheet))
    assert "已按审核结果重新生成本月的调度报告、通报、回执和催报通知:" in result.output
    missing = [str(p) for p in files if not p.is_file()]
    assert missing == []


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    result = CliRunner().invoke(main, ["demo", "--month", MONTH, "--dir", str(tmp_path_factory.mktemp("demo") / "演示")])
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.parametrize("key", ["problems", "report", "bulletin", "receipts", "reminders"])
@pytest.mark.parametrize("month", ["2024-04", MONTH])
def test_demo_writes_every_document_of_both_months(demo, key, month):
    root = next(line.split(":", 1)[1] for line in demo.output.split("\n") if line.startswith("演示工作区:"))
    workspace = Workspace(Path(root))
    folder = workspace.month_reports(month)
    written = {"problems": [workspace.problem_list(month)], "report": [folder / report_name(month)],
               "bulletin": [folder / bulletin_name(month)]}
    if key in written:
        assert all(p.is_file() for p in written[key])
    else:
        stems = sorted((folder / ("回执" if key == "receipts" else "催报")).glob("*.txt"))
        assert stems, key
        assert f"[{month}] {'回执' if key == 'receipts' else '催报通知'} " in demo.output
