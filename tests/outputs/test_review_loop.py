"""The review loop as the clerk runs it: a second `review --month` keeps what was filled in, the printed next step
works as typed, --apply finds the sheet by its name, the same sheet applied twice records nothing twice, the
console says what the decisions changed, and the reviewer opens each claim's materials from its row."""

import datetime as dt
import hashlib
import shlex
from types import SimpleNamespace

import openpyxl
import pytest
from click.testing import CliRunner

from xlsx_tracker.cli import main
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month import ledger
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.month.state import load_state
from xlsx_tracker.outputs.review import apply_review, claims, review_sheet
from xlsx_tracker.outputs.sayings import changes

MONTH, UNIT = "2024-06", "司法局"
NOTICE = b"%PDF-1.4 notice for 21"


def veto(task_id):
    return str(task_id).startswith("否决")


@pytest.fixture
def june(workspace, calendar, month_of, filled_return):
    """司法局 claims 21, 22 and 24 done in June, with the notice named for 21 in its 证明材料目录 sent beside.

    (run, send): send(day, texts, files) is the unit sending its workbook again into inbox/2024-06/2024-06-<day>/
    (with 本月工作进展 texts by task and other files beside), merged at once."""
    run = month_of(load_master_or_fail(workspace), calendar, MONTH, workspace)
    [issued] = split(run, units=[UNIT], issued_at=dt.datetime(2024, 6, 3, 9))

    def send(day: int, texts=None, files=None):
        inbox = workspace.root / "inbox" / MONTH / f"{MONTH}-{day}"
        filled_return(issued, inbox, fill=False,
                      statuses=lambda t: "未发生" if veto(t) else "已完成" if t in ("21", "22", "24") else "推进中",
                      values=lambda t: None if veto(t) else {"本月工作进展": (texts or {}).get(t, f"{t} 本月进展")},
                      evidence=[("21", "关于规章备案的通知", "正式文件(PDF)", "http://www.example.gov.cn/21.html")],
                      saved=dt.datetime(2024, 6, day, 9))
        for name, data in (files or {}).items():
            (inbox / name).write_bytes(data)
        return merge(run, workspace.root / "inbox" / MONTH, now=dt.datetime(2024, 6, day, 18)).state

    send(14, files={"关于规章备案的通知.pdf": NOTICE})
    return run, send


def review(workspace, *args):
    return CliRunner().invoke(main, ["-w", str(workspace.root), "review", "--month", MONTH, *args])


def sheet_of(workspace):
    return workspace.month_reports(MONTH) / f"审核_{MONTH}.xlsx"


def quoted(path):
    return f'"{path}"'  # the test workspace's path has a space


def decide(path, decisions: dict[str, tuple[str, str]]):
    """What the office does in Excel: pick 通过/退回, write a reason and its name."""
    book = openpyxl.load_workbook(path)
    for row in book["审核"].iter_rows(min_row=3):
        if row[1].value in decisions:
            row[7].value, row[8].value = decisions[row[1].value]
            row[9].value = "张审核"
    book.save(path)


def filled(path) -> dict[str, tuple[str, str, str]]:
    return {r[1].value: tuple(c.value or "" for c in r[7:10]) for r in openpyxl.load_workbook(path)["审核"].iter_rows(min_row=3)}


def recorded(workspace) -> list[tuple]:
    conn = ledger.connect(workspace.ledger_file)
    try:
        return conn.execute("SELECT unit, task_id, month, decision, reason, reviewer, decided_at FROM reviews ORDER BY task_id").fetchall()
    finally:
        conn.close()


# ---------------------------------------------------------------- 1. a second review --month keeps what was filled in

def test_review_again_keeps_the_decisions_filled_in_and_force_starts_blank(june):
    run, _ = june
    workspace, sheet = run.workspace, sheet_of(run.workspace)
    assert review(workspace).exit_code == 0
    rewritten = review(workspace)  # nothing filled yet: simply written again
    assert rewritten.output.split("\n")[1].startswith("审核材料:")
    decide(sheet, {"21": ("通过", ""), "22": ("退回", "缺少印发文件的扫描件")})
    again = review(workspace)
    assert again.exit_code == 0, again.output
    assert again.output.split("\n")[:2] == [f"待审核事项 3 项:{sheet}", "已保留原审核表中已填写的 2 项审核结果。"]
    assert filled(sheet) == {"21": ("通过", "", "张审核"), "22": ("退回", "缺少印发文件的扫描件", "张审核"), "24": ("", "", "")}
    forced = review(workspace, "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.output.split("\n")[:2] == [f"待审核事项 3 项:{sheet}",
                                             "已按 --force 重新生成空白审核表,原审核表中已填写而尚未记入的 2 项审核结果没有保留。"]
    assert filled(sheet) == {"21": ("", "", ""), "22": ("", "", ""), "24": ("", "", "")}


def test_decisions_already_recorded_are_not_carried_nor_counted_as_lost(june):
    run, _ = june
    workspace, sheet = run.workspace, sheet_of(run.workspace)
    review(workspace)
    decide(sheet, {"21": ("通过", ""), "22": ("退回", "缺少印发文件的扫描件")})
    assert review(workspace, "--apply", str(sheet)).exit_code == 0
    again = review(workspace)  # the sheet still shows both decisions, and the ledger holds them
    assert again.exit_code == 0, again.output
    assert again.output.split("\n")[0] == f"待审核事项 1 项:{sheet}" and "已保留" not in again.output
    assert filled(sheet) == {"24": ("", "", "")}


def test_a_decision_on_a_claim_changed_since_stops_review_until_forced(june):
    run, send = june
    workspace, sheet = run.workspace, sheet_of(run.workspace)
    review(workspace)
    decide(sheet, {"21": ("通过", ""), "22": ("退回", "缺少印发文件的扫描件")})
    send(16, texts={"22": "已印发并公开"})  # the unit sends 22 again with another text: the decision was on the old one
    before = sheet.read_bytes()
    refused = review(workspace)
    assert refused.exit_code == 1
    assert refused.output == (
        f"错误:“审核_{MONTH}.xlsx”中已填写的 1 项审核结果无法带入新的审核表(填写后该事项有了变化,或已不再待审核):"
        "司法局 编号 22“退回(理由:缺少印发文件的扫描件)”。为免丢失,审核表没有重新生成。"
        f"可先运行 xlsx-tracker review --month {MONTH} --apply 审核_{MONTH}.xlsx 记入其余的审核结果;"
        "确定不要这些审核结果时,加 --force 重新生成空白审核表。\n")
    assert sheet.read_bytes() == before  # never lost silently
    forced = review(workspace, "--force")
    assert forced.exit_code == 0, forced.output
    assert forced.output.split("\n")[1] == "已按 --force 重新生成空白审核表,原审核表中已填写而尚未记入的 2 项审核结果没有保留。"


def test_force_and_apply_together_is_a_usage_error(june):
    run, _ = june
    result = review(run.workspace, "--force", "--apply", "审核_2024-06.xlsx")
    assert result.exit_code == 2 and result.output.endswith("错误:--force 只用于重新生成审核表,不能与 --apply 同时使用。\n")


# ---------------------------------------------------------------- 2. and 3. the next step works as printed

def test_the_next_step_is_printed_with_a_path_that_works_from_the_workspace(june, monkeypatch):
    run, _ = june
    workspace = run.workspace
    monkeypatch.chdir(workspace.root)
    result = CliRunner().invoke(main, ["review", "--month", MONTH])
    assert result.exit_code == 0, result.output
    folder = f"reports/{MONTH}"
    assert result.output.split("\n") == [
        f"待审核事项 3 项:{folder}/审核_{MONTH}.xlsx",
        f"审核材料:{folder}/审核材料(1 项共 1 个文件,在审核表中点“收到的材料文件”即可打开)",
        f"审核后运行:xlsx-tracker review --month {MONTH} --apply {folder}/审核_{MONTH}.xlsx",
        ""]
    decide(sheet_of(workspace), {"21": ("通过", "")})
    typed = shlex.split(result.output.split("\n")[2].split(":", 1)[1])
    applied = CliRunner().invoke(main, typed[1:])  # exactly as printed
    assert applied.exit_code == 0, applied.output
    assert applied.output.split("\n")[0] == "已记入审核结果:通过(销号)1 项,退回 0 项。"


def test_from_elsewhere_the_next_step_names_the_workspace_and_the_sheet_absolute(june, tmp_path, monkeypatch):
    run, _ = june
    workspace = run.workspace
    elsewhere = tmp_path / "别处"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    result = review(workspace)
    sheet = sheet_of(workspace).resolve()
    assert result.output.split("\n")[2] == f"审核后运行:xlsx-tracker review -w {quoted(workspace.root.resolve())} --month {MONTH} --apply {quoted(sheet)}"
    decide(sheet, {"21": ("通过", "")})
    applied = CliRunner().invoke(main, shlex.split(result.output.split("\n")[2].split(":", 1)[1])[1:])
    assert applied.exit_code == 0 and applied.output.split("\n")[0] == "已记入审核结果:通过(销号)1 项,退回 0 项。"


def test_apply_finds_the_sheet_by_its_name_in_the_month_reports(june, monkeypatch):
    run, _ = june
    workspace = run.workspace
    review(workspace)
    decide(sheet_of(workspace), {"24": ("通过", "")})
    monkeypatch.chdir(workspace.root)
    result = CliRunner().invoke(main, ["review", "--month", MONTH, "--apply", f"审核_{MONTH}.xlsx"])
    assert result.exit_code == 0, result.output
    assert [r[:5] for r in recorded(workspace)] == [(UNIT, "24", MONTH, "通过", "")]


def test_a_sheet_found_nowhere_is_a_usage_error_naming_both_places(june, monkeypatch):
    run, _ = june
    workspace = run.workspace
    monkeypatch.chdir(workspace.root)
    result = CliRunner().invoke(main, ["review", "--month", MONTH, "--apply", "审核_2024-05.xlsx"])
    assert result.exit_code == 2
    here = workspace.root.resolve()
    assert result.output.split("\n")[-2] == (
        f"错误:'--apply' 的值无效:找不到审核文件“审核_2024-05.xlsx”:当前目录下({here / '审核_2024-05.xlsx'})"
        f"和本月的报告目录中({here / 'reports' / MONTH / '审核_2024-05.xlsx'})都没有。")


# ---------------------------------------------------------------- 4. the same sheet applied twice

def test_the_same_sheet_applied_again_records_nothing_new_and_raises_no_error(june):
    run, _ = june
    workspace, sheet = run.workspace, sheet_of(run.workspace)
    review(workspace)
    decide(sheet, {"21": ("通过", ""), "22": ("退回", "缺少印发文件的扫描件"), "24": ("同意", "")})
    first = review(workspace, "--apply", str(sheet))
    assert first.output.split("\n")[:2] == [
        f"[错误·审核文件有误] 审核_{MONTH}.xlsx / 审核 / H5:审核结果“同意”无效,应为“通过”或“退回”,本行未采用。",
        "已记入审核结果:通过(销号)1 项,退回 1 项;另有 1 行未采用,见上。"]
    ledger_then = recorded(workspace)
    decide(sheet, {"24": ("通过", "")})  # the one wrong row corrected, the whole sheet applied again
    second = review(workspace, "--apply", str(sheet))
    assert second.exit_code == 0, second.output
    assert second.output.split("\n")[0] == "已记入审核结果:通过(销号)1 项,退回 0 项;已记入过 2 项,未重复记入。"
    third = review(workspace, "--apply", str(sheet))
    assert third.output.split("\n") == ["已记入审核结果:通过(销号)0 项,退回 0 项;已记入过 3 项,未重复记入。",
                                        "没有记入新的审核结果,本月的文件没有重新生成。", ""]
    assert recorded(workspace)[:2] == ledger_then  # the decisions recorded first are untouched, their times too


def test_a_row_contradicting_a_recorded_decision_is_an_error(june):
    run, _ = june
    workspace, sheet = run.workspace, sheet_of(run.workspace)
    review(workspace)
    decide(sheet, {"21": ("通过", ""), "22": ("退回", "缺少印发文件的扫描件")})
    review(workspace, "--apply", str(sheet))
    decide(sheet, {"21": ("退回", "材料不全"), "22": ("退回", "另一个理由")})
    result = review(workspace, "--apply", str(sheet))
    assert result.exit_code == 0
    assert result.output.split("\n")[:3] == [
        f"[错误·审核文件有误] 审核_{MONTH}.xlsx / 审核 / H3:“司法局”的编号“21”本月已记入审核结果“通过”,"
        "与本行的“退回(理由:材料不全)”不同,本行未采用(已记入的审核结果不会被改写)。",
        f"[错误·审核文件有误] 审核_{MONTH}.xlsx / 审核 / H4:“司法局”的编号“22”本月已记入审核结果“退回(理由:缺少印发文件的扫描件)”,"
        "与本行的“退回(理由:另一个理由)”不同,本行未采用(已记入的审核结果不会被改写)。",
        "已记入审核结果:通过(销号)0 项,退回 0 项;另有 2 行未采用,见上。"]
    applied = apply_review(run, load_state(run), sheet)
    assert [p.code for p in applied.problems] == ["review-conflict", "review-conflict"]
    assert [r[3:5] for r in recorded(workspace)] == [("通过", ""), ("退回", "缺少印发文件的扫描件")]


# ---------------------------------------------------------------- 5. what the decisions changed

def scored(*units, lights=None):
    """A month as changes() reads it: (unit, total, rank) and each unit's light."""
    lit = {unit: SimpleNamespace(light=light) for unit, light in (lights or {}).items()}
    return SimpleNamespace(units=[SimpleNamespace(unit=u, total=t, rank=r) for u, t, r in units], light_of=lit.get)


def test_changes_name_only_what_changed_for_each_unit():
    before = scored(("民政局", 47.0, 1), ("司法局", 41.25, 2), ("财政局", 30.0, 3), ("教育局", 12.5, 4),
                    lights={"民政局": "绿灯", "司法局": "绿灯", "财政局": "红灯", "教育局": "红灯"})
    after = scored(("民政局", 35.0, 3), ("司法局", 41.25, 1), ("财政局", 30.0, 2), ("教育局", 12.504, 4),
                   lights={"民政局": "黄灯", "司法局": "绿灯", "财政局": "红灯", "教育局": "黄灯"})
    assert changes(before, after) == [
        "民政局:得分 47 → 35,排名 1 → 3,亮灯 绿灯 → 黄灯",
        "司法局:排名 2 → 1",
        "财政局:排名 3 → 2",
        "教育局:亮灯 红灯 → 黄灯",  # 12.5 and 12.504 print alike: no change to show
    ]
    assert changes(before, before) == []


def test_a_unit_without_a_light_before_is_named_so():
    assert changes(scored(("民政局", 0.0, 2)), scored(("民政局", 0.0, 2), lights={"民政局": "红灯"})) == ["民政局:亮灯 未亮灯 → 红灯"]


def test_review_apply_prints_the_changes_before_the_documents(june, calendar, month_of):
    run, _ = june
    workspace, sheet = run.workspace, sheet_of(run.workspace)
    settings = workspace.master_dir / "settings.toml"
    text = settings.read_text(encoding="utf-8")
    assert "count_unreviewed_as_done = true" in text
    settings.write_text(text.replace("count_unreviewed_as_done = true", "count_unreviewed_as_done = false"), encoding="utf-8")
    review(workspace)
    fresh = load_state(month_of(load_master_or_fail(workspace), calendar, MONTH, workspace))  # under the new setting
    decide(sheet, {"21": ("通过", ""), "22": ("通过", ""), "24": ("通过", "")})
    result = review(workspace, "--apply", str(sheet))
    assert result.exit_code == 0, result.output
    after = load_state(month_of(load_master_or_fail(workspace), calendar, MONTH, workspace))
    old, new = (next(u for u in s.units if u.unit == UNIT) for s in (fresh, after))
    assert new.total > old.total  # three items counted as 推进中 until passed now count as done
    lines = result.output.split("\n")
    assert lines[:3] == ["已记入审核结果:通过(销号)3 项,退回 0 项。", "审核后得分、排名或亮灯有变化的单位:",
                         f"  {UNIT}:得分 {round(old.total, 1):g} → {round(new.total, 1):g}"  # one decimal, as every document
                         + (f",亮灯 {fresh.light_of(UNIT).light} → {after.light_of(UNIT).light}"
                            if fresh.light_of(UNIT).light != after.light_of(UNIT).light else "")]
    assert lines[3] == "已按审核结果重新生成本月的文件:"


# ---------------------------------------------------------------- 6. the reviewer opens the evidence

def tree(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_each_claims_materials_are_copied_out_and_linked_from_its_row(june):
    run, send = june
    workspace = run.workspace
    other = b"%PDF-1.4 another notice, same name"
    state = send(16, files={"22_关于规范性文件的情况说明.pdf": b"%PDF-1.4 note for 22"})  # placed by the number in its name
    (workspace.root / "inbox" / MONTH / f"{MONTH}-17").mkdir()
    (workspace.root / "inbox" / MONTH / f"{MONTH}-17" / "关于规章备案的通知.pdf").write_bytes(other)  # the same name again
    state = merge(run, workspace.root / "inbox" / MONTH, now=dt.datetime(2024, 6, 17, 18)).state
    archive = tree(workspace.archive_dir)
    written = review_sheet(run, state)
    root = workspace.month_reports(MONTH) / "审核材料"
    assert (written.folders, written.files, written.missing) == (2, 3, [])
    copied = tree(root)
    assert sorted(copied) == ["21_司法局/关于规章备案的通知(2).pdf", "21_司法局/关于规章备案的通知.pdf",
                              "22_司法局/22_关于规范性文件的情况说明.pdf"]
    assert {copied["21_司法局/关于规章备案的通知.pdf"], copied["21_司法局/关于规章备案的通知(2).pdf"]} == {
        hashlib.sha256(NOTICE).hexdigest(), hashlib.sha256(other).hexdigest()}  # the originals, byte for byte
    assert (root / "22_司法局" / "22_关于规范性文件的情况说明.pdf").read_bytes() == b"%PDF-1.4 note for 22"
    rows = {r[1].value: r[6] for r in openpyxl.load_workbook(written.path)["审核"].iter_rows(min_row=3)}
    assert rows["21"].value == "关于规章备案的通知.pdf;关于规章备案的通知.pdf"
    assert rows["21"].hyperlink.target == "审核材料\\21_司法局"  # relative to the sheet, as Excel writes it
    assert rows["22"].hyperlink.target == "审核材料\\22_司法局"
    assert (rows["24"].value, rows["24"].hyperlink) == ("(无)", None)
    (root / "21_司法局" / "旧文件.pdf").write_bytes(b"left by hand")
    (root / "99_旧事项").mkdir()
    review_sheet(run, state)
    assert tree(root) == copied  # rebuilt: the same files, nothing else
    assert tree(workspace.archive_dir) == archive  # the archive only read


def test_materials_of_a_claim_no_longer_waiting_are_removed(june):
    run, _ = june
    workspace, sheet = run.workspace, sheet_of(run.workspace)
    review(workspace)
    root = workspace.month_reports(MONTH) / "审核材料"
    assert sorted(p.name for p in root.iterdir()) == ["21_司法局"]
    decide(sheet, {"21": ("通过", "")})
    review(workspace, "--apply", str(sheet))
    again = review(workspace)
    assert "审核材料:" not in again.output and not root.exists()


def test_a_material_of_another_unit_is_not_shown_with_this_units_claim(june):
    run, _ = june
    state = load_state(run)
    [claim] = [c for c in claims(state) if c.task_id == "21"]
    assert claim.files == ("关于规章备案的通知.pdf",)
    moved = SimpleNamespace(**{k: getattr(state, k) for k in ("rows", "submissions")},
                            evidence=[{**e, "单位": "民政局"} for e in state.evidence])  # the notice named by another unit
    assert [c.files for c in claims(moved) if c.task_id == "21"] == [()]


def test_a_material_the_archive_no_longer_holds_is_named_and_not_linked(june):
    run, _ = june
    workspace = run.workspace
    for archive in workspace.archive_dir.rglob("*.zip"):
        archive.rename(archive.with_suffix(".moved"))  # the archive moved away by hand
    result = review(workspace)
    assert result.exit_code == 0, result.output
    assert result.output.split("\n")[1] == "存档中找不到以下材料,没有复制:关于规章备案的通知.pdf"
    row = next(r for r in openpyxl.load_workbook(sheet_of(workspace))["审核"].iter_rows(min_row=3) if r[1].value == "21")
    assert (row[6].value, row[6].hyperlink) == ("关于规章备案的通知.pdf", None)
    assert not (workspace.month_reports(MONTH) / "审核材料").exists()
