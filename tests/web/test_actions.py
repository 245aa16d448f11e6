"""The page's buttons call the library as the command line does and show its words: review, the roster, the
holiday notice, the report downloads."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import openpyxl
from docx import Document

from xlsx_tracker.base.problems import REVIEW_STALE
from xlsx_tracker.calendar.holiday_notice import calendar_path
from xlsx_tracker.month.run import month_run
from xlsx_tracker.month.state import load_state
from xlsx_tracker.outputs.report import report_name
from xlsx_tracker.outputs.review import claims, page_rows, recorded_decisions, seen_mark

from .conftest import MONTH, decision, upload, visible

NOTICES = Path(__file__).resolve().parent.parent / "fixtures" / "notices"


def first_claim(page):
    found = claims(load_state(month_run(page.workspace, MONTH)))
    assert found, "the merged month has claims to review"
    return found[0]


def test_a_claim_returned_with_a_reason_is_recorded_and_the_documents_rewritten(returned):
    claim = first_claim(returned)
    before = (returned.workspace.month_reports(MONTH) / report_name(MONTH)).stat().st_mtime_ns
    response = returned.post("/review", {**decision(claim, "退回", "未附会议纪要"), "reviewer": "张三"}, follow_redirects=True)
    text = visible(response.data.decode())
    assert "保存审核结果(2024-05)已完成" in text
    assert "已记入审核结果:通过(销号)0 项,退回 1 项。" in text and "已按审核结果重新生成本月的文件:" in text
    assert recorded_decisions(month_run(returned.workspace, MONTH)) == {(claim.unit, claim.task_id): ("退回", "未附会议纪要")}
    assert (returned.workspace.month_reports(MONTH) / report_name(MONTH)).stat().st_mtime_ns > before
    assert f"{claim.unit} {claim.task_id} 退回 未附会议纪要" in returned.text("/review")  # listed among the decided


def test_a_return_without_a_reason_is_refused_with_the_review_files_words(returned):
    claim = first_claim(returned)
    text = visible(returned.post("/review", decision(claim, "退回"), follow_redirects=True).data.decode())
    assert "[错误·审核文件有误] 审核销号页面:选择“退回”时必须填写退回理由,本行未采用。" in text
    assert "没有记入新的审核结果,本月的文件没有重新生成。" in text
    assert recorded_decisions(month_run(returned.workspace, MONTH)) == {}


def test_saving_with_every_claim_left_waiting_records_nothing(returned):
    text = visible(returned.post("/review", {}, follow_redirects=True).data.decode())
    assert "没有选择任何审核结果(通过或退回),没有记入。" in text


def test_the_roster_saved_from_the_page_is_written_into_the_master(page):
    units = page.text("/settings")
    assert "人民法院" in units
    rows = {"单位": ["人民法院", "检察院"], "姓名": ["王五", "赵六"], "职务": ["科长", ""], "联系电话": ["1234567", ""],
            "电子邮箱": ["court@example.com", "不是邮箱"]}
    text = visible(page.post("/settings/roster", rows, follow_redirects=True).data.decode())
    assert "已导入 1 个单位的联络员,其中 1 个有变化:人民法院。" in text
    assert "以下 1 个单位的电子邮箱无效,该行未导入(总任务清单中原有的联络员不变),请改正后重新导入:检察院(电子邮箱" in text
    sheet = openpyxl.load_workbook(page.workspace.master_file)["联络员"]
    court = next(r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0] == "人民法院")
    assert court[:5] == ("人民法院", "王五", "科长", "1234567", "court@example.com")


def test_a_pasted_holiday_notice_is_imported_with_the_same_checks(page):
    notice = (NOTICES / "2026_as_published.txt").read_text(encoding="utf-8")
    wrong = visible(page.post("/settings/calendar", {"notice": notice.replace("共9天", "共10天")}, follow_redirects=True).data.decode())
    assert "错误:放假通知没有导入,未写入任何文件:" in wrong
    assert "[错误·放假通知有误] 粘贴的放假通知 / 第9行:“春节”写的是共10天,但列出的放假日期是 9 天" in wrong
    assert not calendar_path(page.workspace.master_dir, 2026).exists()
    right = visible(page.post("/settings/calendar", {"notice": notice.replace("\n", "\r\n")}, follow_redirects=True).data.decode())
    assert "已导入 2026 年节假日安排:2026.toml" in right
    assert "2026(导入的放假通知)" in page.text("/settings")
    again = visible(page.post("/settings/calendar", {"notice": notice}, follow_redirects=True).data.decode())
    assert "如确需用这份通知替换,请加 --force" in again or "已有" in again


def test_an_empty_paste_says_what_to_paste(page):
    text = visible(page.post("/settings/calendar", {"notice": "  "}, follow_redirects=True).data.decode())
    assert "请把国务院办公厅放假通知的全文粘贴到框中。" in text


def test_the_report_and_the_bulletin_download_fresh(returned):
    report = returned.get("/reports/report")
    assert report.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(report.data))
    assert "总览" in book.sheetnames
    bulletin = returned.get("/reports/bulletin")
    texts = [p.text for p in Document(io.BytesIO(bulletin.data)).paragraphs]
    assert any("通报" in t for t in texts)
    path = returned.workspace.month_reports(MONTH) / report_name(MONTH)
    written = path.stat().st_mtime_ns
    assert returned.get("/reports/report").status_code == 200 and path.stat().st_mtime_ns == written  # nothing changed: not rewritten
    settings = returned.workspace.master_dir / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8"), encoding="utf-8")  # saved again: what it is made from changed
    assert returned.get("/reports/report").status_code == 200 and path.stat().st_mtime_ns > written


def test_the_taizhang_downloads_as_one_zip(returned):
    response = returned.get("/reports/taizhang")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert any(name.endswith("总目录.xlsx") for name in names)


def test_reports_before_split_say_why(page):
    text = visible(page.client.get("/reports/report", query_string={"month": MONTH}, follow_redirects=True).data.decode())
    assert "2024-05 还没有下发过任务表(没有运行过 split)" in text
    assert page.get("/reports/other").status_code == 404


def test_splitting_again_without_overwrite_says_which_workbooks_were_kept(page):
    page.post("/split")
    text = visible(page.post("/split", follow_redirects=True).data.decode())
    assert "拆分下发(2024-05)未完成" in text and "以下工作簿已下发过,未覆盖" in text


def test_a_claims_material_opens_from_the_review_page(returned):
    from .conftest import upload

    material = returned.workspace.root.parent / "4_会议纪要.pdf"
    material.write_bytes(b"%PDF-1.4 meeting minutes")
    upload(returned, [material])
    returned.post("/merge")
    found = claims(load_state(month_run(returned.workspace, MONTH)))
    sha = next(m.sha256 for c in found for m in c.materials if m.file_name.endswith("4_会议纪要.pdf"))
    assert f"/evidence/{MONTH}/{sha}" in returned.get("/review").data.decode()
    opened = returned.client.get(f"/evidence/{MONTH}/{sha}")
    assert opened.status_code == 200 and opened.data == b"%PDF-1.4 meeting minutes"
    assert opened.headers["Content-Disposition"].startswith("inline")  # the browser shows a PDF itself
    assert opened.headers["X-Content-Type-Options"] == "nosniff"
    for address in (f"/evidence/{MONTH}/{'0' * 64}", f"/evidence/2024-06/{sha}", f"/evidence/x/{sha}", f"/evidence/{MONTH}/..%2f..%2fledger.sqlite"):
        assert returned.client.get(address).status_code == 404


def test_a_claim_that_changed_after_the_page_showed_it_is_not_decided(returned, filled_return):
    """The clerk looked at the claim; 教育局 then sent a corrected workbook and it was merged: the clerk's 已销号 was
    for what the page showed, so nothing is recorded and the page says to look again."""
    shown = first_claim(returned)
    sheets = returned.workspace.sheets_dir(MONTH)
    corrected = filled_return(sheets / "教育局_2024-05.xlsx", returned.workspace.root.parent / "再报", seed=7,
                              values={shown.task_id: {"本月工作进展": "已召开专题会议,纪要已印发。"}},
                              saved=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10))  # saved later: it counts, never a same-second tie
    upload(returned, [corrected], name_as=lambda path: "教育局_2024-05(更正).xlsx")
    returned.post("/merge")
    text = visible(returned.post("/review", decision(shown, "通过"), follow_redirects=True).data.decode())
    assert (f"[错误·审核结果未记入] “{shown.unit}”的编号“{shown.task_id}”在打开审核页面之后有了新的报送内容,本次的审核结果未记入。"
            "请刷新页面,看过新内容后重新审核。") in text
    assert recorded_decisions(month_run(returned.workspace, MONTH)) == {}
    rows, stale = page_rows(load_state(month_run(returned.workspace, MONTH)), {(shown.unit, shown.task_id): ("通过", "", seen_mark(shown))}, "")
    assert rows == [] and [p.code for p in stale] == [REVIEW_STALE.code]
