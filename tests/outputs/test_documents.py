"""The one list of the month's documents: every command that records or rereads a month writes all of them."""

import datetime as dt
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xlsx_tracker.base.workspace import Workspace, init_workspace
from xlsx_tracker.cli import main
from xlsx_tracker.mail import sending
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.run import month_run
from xlsx_tracker.month.split import split
from xlsx_tracker.month.state import load_state
from xlsx_tracker.outputs.bulletin import bulletin_name
from xlsx_tracker.outputs.documents import DOCUMENT_KEYS, DOCUMENTS
from xlsx_tracker.outputs.notices import receipt_stem, reminder_stem
from xlsx_tracker.outputs.report import details_name, report_name
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
        "details": [folder / details_name(month)],
        "bulletin": [folder / bulletin_name(month)],
        "receipts": [receipt_stem(folder, u, month).with_suffix(s) for u in SENT for s in (".xlsx", ".txt")],
        "reminders": [reminder_stem(folder, u).with_suffix(s) for u in units if u not in SENT for s in (".txt", ".eml")],
    }


def test_the_list_holds_each_document_once():
    assert DOCUMENT_KEYS == ("report", "details", "receipts", "reminders", "bulletin", "problems")
    assert [d.label for d in DOCUMENTS] == ["调度报告", "调度明细", "回执", "催报通知", "通报", "问题清单"]


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
    lines = [line for line in result.output.split("\n") if line.startswith(("调度报告", "调度明细", "回执", "催报通知", "通报"))]
    assert lines == [f"调度报告:{folder / report_name(MONTH)}", f"调度明细:{folder / details_name(MONTH)}", f"回执 2 份:{folder / '回执'}",
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


@pytest.fixture(scope="module")
def reviewed(rewritten):
    """Every document deleted, then a review passing one claim applied: review --apply writes them all again."""
    workspace, _, _ = rewritten
    cli(workspace, "review", "--month", MONTH)
    sheet = workspace.month_reports(MONTH) / review_name(MONTH)
    book = openpyxl.load_workbook(sheet)
    row = next(r for r in book["审核"].iter_rows(min_row=3) if r[0].value)
    row[7].value, row[9].value = "通过", "审核人甲"  # 审核结果, 审核人
    book.save(sheet)
    for paths in expected_files(workspace, MONTH).values():
        for path in paths:
            path.unlink()
    result = cli(workspace, "review", "--month", MONTH, "--apply", str(sheet))
    return workspace, result


@pytest.mark.parametrize("key", DOCUMENT_KEYS)
def test_review_apply_rewrites_every_document(reviewed, key):
    workspace, result = reviewed
    assert "已记入审核结果:通过(销号)1 项,退回 0 项。" in result.output.split("\n")
    missing = [str(p) for p in expected_files(workspace, MONTH)[key] if not p.is_file()]
    assert missing == []


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


@pytest.fixture
def fresh(tmp_path, calendar, month_of, filled_return):
    """A month of its own for a test that changes it: issued, 司法局 and 政府办 returned, not yet merged."""
    workspace = init_workspace(tmp_path / "工作区")
    run = month_of(load_master_or_fail(workspace), calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))}
    for unit in SENT:
        filled_return(issued[unit], workspace.inbox_dir(MONTH) / "2024-05-17", seed=3)
    return workspace, issued


def test_a_bulletin_the_office_edited_is_never_overwritten(fresh):
    import docx

    workspace, _ = fresh
    cli(workspace, "merge", "--month", MONTH)
    path = expected_files(workspace, MONTH)["bulletin"][0]
    edited = docx.Document(str(path))
    edited.add_paragraph("办公室补充的一段话。")
    edited.save(str(path))
    before = path.read_bytes()
    result = cli(workspace, "report", "--month", MONTH)
    assert path.read_bytes() == before
    beside = sorted(path.parent.glob(f"{path.stem}(更新于 *时*分).docx"))
    assert len(beside) == 1
    assert f"注意:原通报在生成后被修改过,没有覆盖,仍是“{path.name}”;新生成的是“{beside[0].name}”。" in result.output.split("\n")


def test_a_bulletin_left_as_written_is_rewritten_in_place(fresh):
    workspace, _ = fresh
    cli(workspace, "merge", "--month", MONTH)
    result = cli(workspace, "report", "--month", MONTH)
    path = expected_files(workspace, MONTH)["bulletin"][0]
    assert sorted(p.name for p in path.parent.glob("*.docx")) == [path.name]
    assert "注意:" not in result.output


def test_a_document_open_in_excel_is_named_and_the_others_are_written(fresh, monkeypatch):
    import os

    workspace, _ = fresh
    cli(workspace, "merge", "--month", MONTH)
    locked = workspace.problem_list(MONTH)
    real_replace = os.replace

    def replace(source, target):  # Windows: Excel keeps the file it has open
        if str(target) == str(locked):
            raise PermissionError(13, "in use")
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace)
    for path in expected_files(workspace, MONTH)["report"]:
        path.unlink()
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "report", "--month", MONTH])
    assert result.exit_code == 1
    assert result.output.strip().split("\n")[-1] == (
        f"错误:以下文件正在 Excel、WPS 或 Word 中打开,没有更新:“{locked.name}”。"
        f"请关闭后运行 xlsx-tracker report --month {MONTH},重新生成本月的全部文件。")
    assert all(p.is_file() for p in expected_files(workspace, MONTH)["report"])  # written before the CSV was refused


def test_a_review_that_records_nothing_rewrites_nothing(fresh):
    workspace, _ = fresh
    cli(workspace, "merge", "--month", MONTH)
    cli(workspace, "review", "--month", MONTH)
    report = expected_files(workspace, MONTH)["report"][0]
    report.unlink()
    result = cli(workspace, "review", "--month", MONTH, "--apply", str(workspace.month_reports(MONTH) / review_name(MONTH)))
    assert result.output.strip().split("\n")[-2:] == ["已记入审核结果:通过(销号)0 项,退回 0 项。", "没有记入新的审核结果,本月的文件没有重新生成。"]
    assert not report.exists()


def test_a_reminder_of_a_unit_that_has_since_returned_is_removed(fresh, filled_return):
    workspace, issued = fresh
    cli(workspace, "merge", "--month", MONTH)
    stale = reminder_stem(workspace.month_reports(MONTH), "财政局")
    assert stale.with_suffix(".eml").is_file()
    filled_return(issued["财政局"], workspace.inbox_dir(MONTH) / "2024-05-18", seed=4)
    cli(workspace, "merge", "--month", MONTH)
    assert not stale.with_suffix(".eml").exists() and not stale.with_suffix(".txt").exists()
    assert receipt_stem(workspace.month_reports(MONTH), "财政局", MONTH).with_suffix(".txt").is_file()


def held_open(monkeypatch, *held: Path):
    """Windows: a file open in Excel or a mail client cannot be removed."""
    unlink = Path.unlink

    def refusing(path, missing_ok=False):
        if path in held:
            raise PermissionError(13, "另一个程序正在使用此文件", str(path))
        unlink(path, missing_ok=missing_ok)
    monkeypatch.setattr(Path, "unlink", refusing)


def test_a_stale_reminder_held_open_is_never_sent_and_the_month_goes_on(fresh, filled_return, monkeypatch):
    workspace, issued = fresh
    cli(workspace, "merge", "--month", MONTH)
    stale = reminder_stem(workspace.month_reports(MONTH), "财政局")
    filled_return(issued["财政局"], workspace.inbox_dir(MONTH) / "2024-05-18", seed=4)
    held_open(monkeypatch, stale.with_suffix(".eml"))
    result = cli(workspace, "merge", "--month", MONTH)
    assert result.exit_code == 0, result.output
    assert stale.with_suffix(".eml").exists() and not stale.with_suffix(".txt").exists()  # its text went first
    run = month_run(workspace, MONTH)
    planned = sending.plan(run, "reminders", load_state(run).liaisons)
    assert "财政局" not in [o.unit for o in planned.planned]
    monkeypatch.undo()
    cli(workspace, "report", "--month", MONTH)  # closed: the next run removes it
    assert not stale.with_suffix(".eml").exists()


def test_a_stale_notice_text_held_open_is_named_and_the_other_documents_are_written(fresh, filled_return, monkeypatch):
    workspace, issued = fresh
    cli(workspace, "merge", "--month", MONTH)
    first, later = sorted(["财政局", "教育局"], key=load_master_or_fail(workspace).registry.units.index)
    stale = reminder_stem(workspace.month_reports(MONTH), first).with_suffix(".txt")
    for unit in (first, later):
        filled_return(issued[unit], workspace.inbox_dir(MONTH) / "2024-05-18", seed=4)
    held_open(monkeypatch, stale)
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "merge", "--month", MONTH])
    assert result.exit_code == 1 and result.output.strip().split("\n")[-1] == (
        f"错误:汇总结果已记入台账。以下文件正在 Excel、WPS 或 Word 中打开,没有更新:“{stale.name}”。"
        f"请关闭后运行 xlsx-tracker report --month {MONTH},重新生成本月的全部文件。")
    assert expected_files(workspace, MONTH)["bulletin"][0].is_file()
    assert receipt_stem(workspace.month_reports(MONTH), first, MONTH).with_suffix(".txt").is_file()
    gone = reminder_stem(workspace.month_reports(MONTH), later)  # the units after it are still cleared
    assert not gone.with_suffix(".txt").exists() and not gone.with_suffix(".eml").exists()


def test_report_says_when_the_lights_differ_from_those_recorded(fresh):
    workspace, _ = fresh
    cli(workspace, "merge", "--month", MONTH)
    settings = workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("red_not_returned = true", "red_not_returned = false"),
                        encoding="utf-8")
    result = cli(workspace, "report", "--month", MONTH)
    [line] = [line for line in result.output.split("\n") if line.startswith("提醒:")]
    assert line.startswith("提醒:按现在的设置和台账,30 个单位的亮灯与本月汇总或审核时记入台账的不同:")
    assert "组织部(红灯→绿灯)" in line
    assert line.endswith("以后各月的“连续红灯”按台账记入的结果计算;如以现在的结果为准,请再运行一次 merge(不会重复入账)。")


def test_a_dry_run_of_one_file_writes_that_units_receipt_and_no_reminder(fresh, tmp_path):
    workspace, issued = fresh
    one = next(workspace.inbox_dir(MONTH).rglob("司法局_*.xlsx"))
    out = tmp_path / "预检"
    result = cli(workspace, "merge", "--month", MONTH, "--dry-run", "--out", str(out), str(one))
    assert sorted(p.name for p in out.rglob("*") if p.is_file() and p.parent.name in ("回执", "催报")) == [
        f"回执_司法局_{MONTH}.txt", f"回执_司法局_{MONTH}.xlsx"]
    assert "催报通知" not in result.output


@pytest.fixture
def trapped(fresh, filled_return):
    """A month with the traps: a declared veto, a blank form, two dated copies of one unit, an error."""
    workspace, issued = fresh
    inbox = workspace.inbox_dir(MONTH)
    filled_return(issued["民政局"], inbox / "2024-05-17", seed=5, statuses={"否决1": "已发生", "否决2": "未发生"},
                  values={"否决1": {"本月工作进展": "5月发生一起败诉"}})
    filled_return(issued["财政局"], inbox / "2024-05-17", fill=False)  # untouched: 报送空表
    filled_return(issued["教育局"], inbox / "2024-05-18", seed=6)
    filled_return(issued["教育局"], inbox / "2024-05-19", seed=7)  # the later folder wins, no tie
    result = cli(workspace, "merge", "--month", MONTH)
    return workspace, result


def test_every_view_of_a_trapped_month_agrees(trapped):
    import docx

    workspace, result = trapped
    files = expected_files(workspace, MONTH)
    book = openpyxl.load_workbook(files["report"][0], read_only=True)
    chased = {row[0] for row in book["催办名单"].iter_rows(min_row=3, values_only=True) if row and row[0]}
    reminded = {p.stem.removeprefix("催报_") for p in (workspace.month_reports(MONTH) / "催报").glob("催报_*.txt")}
    assert chased == reminded
    assert "财政局" in chased and "财政局" in (workspace.month_reports(MONTH) / "催报" / "催报_财政局.txt").read_text(encoding="utf-8")
    overview = {row[0]: row[1] for row in book["总览"].iter_rows(values_only=True) if row and row[0]}
    assert overview["需催办单位数(见“催办名单”)"] == len(chased)
    assert overview["报送空表单位数"] == 1
    text = "\n".join(p.text for p in docx.Document(str(files["bulletin"][0])).paragraphs)
    good = text.split("(一)进展较好的单位")[1].split("(二)进展滞后的单位")[0]
    lagging = text.split("(二)进展滞后的单位")[1].split("三、存在的问题")[0]
    assert "民政局" not in good and "民政局" not in lagging  # named once, in the veto paragraph
    assert "民政局(否决1)申报已发生否决项情形" in text
    assert "报送空表。财政局报回的工作簿未填写任何内容,视为未报送。" in text
    assert "按文件名顺序" not in result.output and "无法判断哪份在后" not in result.output  # dated folders decide


def test_the_demo_month_s_documents_agree(demo):
    import docx

    root = next(line.split(":", 1)[1] for line in demo.output.split("\n") if line.startswith("演示工作区:"))
    workspace = Workspace(Path(root))
    folder = workspace.month_reports(MONTH)
    book = openpyxl.load_workbook(folder / report_name(MONTH), read_only=True)
    chased = {row[0] for row in book["催办名单"].iter_rows(min_row=3, values_only=True) if row and row[0]}
    reminded = {p.stem.removeprefix("催报_") for p in (folder / "催报").glob("催报_*.txt")}
    assert chased == reminded and len(chased) == int(next(
        line for line in demo.output.split("\n") if line.startswith(f"[{MONTH}] 催报通知 ")).split()[2])
    lights = {row[1]: row[2] for row in book["亮灯"].iter_rows(min_row=3, values_only=True) if row and row[0] == "单位"}
    text = "\n".join(p.text for p in docx.Document(str(folder / bulletin_name(MONTH))).paragraphs)
    good = text.split("(一)进展较好的单位")[1].split("(二)进展滞后的单位")[0]
    praised = {unit for unit in lights if f"{unit}(" in good}
    assert praised and all(lights[unit] == "绿灯" for unit in praised)
    scores = {row[1]: row[7] for row in book["部门得分"].iter_rows(min_row=3, values_only=True) if row and row[1]}
    assert len(scores) == 32 and all(scores[unit].startswith("按时") for unit in praised)
