"""What the page's buttons do (POST): each calls the library function the command line calls and shows its words.

Long steps (split, fetch, merge, send, saving a review) run as the page's one background job; quick ones (upload,
roster, holiday notice) answer at once. A refusal of the library is shown in full on the next page.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import replace

from flask import flash, g, request

from ..base.model import TrackerError
from ..base.problems import problem_line
from ..calendar.holiday_notice import import_notice, notice_bytes
from ..master.roster import import_roster_sheets, imported_lines
from ..master.tasklist import ROSTER_COLUMNS, ROSTER_SHEET
from ..month import merge as merge_mod
from ..month import split as split_mod
from ..month.state import load_state
from ..outputs import review as review_mod
from ..outputs.documents import write_month_documents
from ..outputs.sayings import NOTHING_TAKEN, applied_lines, blocked_message, documents_said, merge_summary, split_said
from . import files
from .app import back, run_of, show_error, site_of
from .jobs import Job

MAIL_PASSWORD = "XLSX_TRACKER_MAIL_PASSWORD"  # as the command line reads it (mail.mailbox.PASSWORD_VARIABLE)


def register(app) -> None:
    for rule, view in [("/split", split), ("/upload", upload), ("/fetch", fetch), ("/merge", merge),
                       ("/send", send), ("/review", review), ("/settings/roster", roster),
                       ("/settings/calendar", calendar)]:
        app.add_url_rule(rule, view.__name__, view, methods=["POST"])


def _start(label: str, work, page: str):
    """Start work(run, job) as the page's job for the chosen month, then show the page that follows it."""
    site = site_of()
    try:
        run = run_of(site)
        site.jobs.start(Job(label, run.month, page), lambda job: work(run, job), wait=site.wait_for_jobs)
    except TrackerError as exc:
        show_error(exc)
    return back(page)


def split():
    force = request.form.get("force") == "1"

    def work(run, job):
        job.total = len(run.master.registry.units)
        written = split_mod.split(run, force=force, progress=lambda unit: job.step(unit))
        for line in split_said(written, run):
            job.say(line)
        job.links.append(("全部工作簿", "sheets_zip", {"month": run.month}))
    return _start("拆分下发", work, "split_page")


def upload():
    site = site_of()
    chosen = [f for f in request.files.getlist("files") if f.filename]
    sizes = [(files.base_name(f.filename), _size(f.stream)) for f in chosen]
    refused = files.upload_problem(sizes)
    if refused:
        flash(refused, "error")
        return back("intake_page")
    try:
        run = run_of(site)
        received = received_day(request.form.get("received", ""), site.today(run.master.settings))
    except TrackerError as exc:
        show_error(exc)
        return back("intake_page")
    folder = site.workspace.inbox_dir(run.month) / received.isoformat()  # merge takes the folder's date as the day received
    saved = files.save_upload(folder, [(f.filename, f.stream) for f in chosen])
    if saved.saved:
        flash(f"已保存 {len(saved.saved)} 个文件到收件目录 {folder.name}(按 {received.isoformat()} 收到计):{'、'.join(saved.saved)}。"
              "下一步:点“汇总”。")
    if saved.same:
        flash(f"以下 {len(saved.same)} 个文件已在 {folder.name} 中(内容完全相同),没有重复保存:{'、'.join(saved.same)}。")
    if saved.skipped:
        flash(f"以下 {len(saved.skipped)} 个是 Excel、WPS 打开文件时留下的临时文件或隐藏文件,不是报回的文件,没有保存:"
              f"{'、'.join(saved.skipped)}。", "error")
    return back("intake_page")


def received_day(text: str, today: dt.date) -> dt.date:
    """The day the files were received, as the clerk gives it (a return that came by WeChat or USB stick yesterday is
    dated yesterday); today when not given, never a day after today."""
    if not text.strip():
        return today
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        raise TrackerError(f"收到日期“{text[:20]}”格式不对,应为 YYYY-MM-DD,例如 2024-05-20。没有保存任何文件。") from None
    if day > today:
        raise TrackerError(f"收到日期 {day.isoformat()} 晚于今天({today.isoformat()}),没有保存任何文件。请填写实际收到文件的日期。")
    return day


def _size(stream) -> int:
    stream.seek(0, os.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    return size


def fetch():
    password = request.form.get("password", "") or os.environ.get(MAIL_PASSWORD, "")

    def work(run, job):
        from ..mail import mailbox

        if not password:
            raise TrackerError("请填写邮箱密码(网易邮箱为客户端授权码)。密码只用于这一次收取,不会保存。")
        result = mailbox.fetch(run, password)
        for line in mailbox.fetched_lines(run, result):
            job.say(line)
        job.say("下一步:点“汇总”。")
    return _start("从邮箱收取", work, "intake_page")


def merge():
    def work(run, job):
        inbox = run.workspace.inbox_dir(run.month)
        if not inbox.is_dir():
            raise TrackerError(f"收件目录“{inbox}”还没有文件。请先上传报回文件,或从邮箱收取。")
        job.total = sum(1 for p in inbox.rglob("*") if p.is_file())
        result = merge_mod.merge(run, inbox, progress=lambda name: job.step(name))
        for line in merge_summary(result, result.completed):
            job.say(line)
        if not result.completed:
            raise TrackerError(NOTHING_TAKEN)
        job.current = "正在生成调度报告、通报、回执和催报通知"
        documents = write_month_documents(run, result.state, today=site_of_job.today(run.master.settings))
        _documents_done(job, run, documents, "汇总结果已记入台账。")
    site_of_job = site_of()
    return _start("汇总", work, "intake_page")


def _documents_done(job: Job, run, documents, recorded: str) -> None:
    for line in documents_said(documents):
        job.say(line)
    folder = run.workspace.month_reports(run.month)
    for made in documents.made:
        if made.key in ("report", "details", "bulletin", "problems"):
            job.links.append((made.label, "download", {"kind": "reports", "month": run.month,
                                                       "relative": made.paths[0].relative_to(folder).as_posix()}))
    blocked = blocked_message(documents, run.month, recorded)
    if blocked:
        raise TrackerError(blocked)


def send():
    kind = request.form.get("kind", "")
    if kind not in ("receipts", "reminders"):
        flash("请选择发送回执还是催报通知。", "error")
        return back("problems_page")
    confirm = request.form.get("confirm") == "1"
    password = request.form.get("password", "") or os.environ.get(MAIL_PASSWORD, "")
    resend = request.form.get("resend_interrupted") == "1"
    site = site_of()
    if not confirm:  # the preview: nothing is sent, the page shows what would be
        try:
            from ..mail import sending

            run = run_of(site)
            result = sending.send(run, kind, load_state(run).liaisons, "", yes=False, resend_interrupted=resend)
            lines = sending.sent_lines(result, kind, False, "确认无误后点“确认发送”", "勾选“也发送上次中断的”后")
        except TrackerError as exc:
            show_error(exc)
            return back("problems_page")
        from .pages import problems_page

        g.preview = {"kind": kind, "lines": lines, "count": len(result.planned), "resend": resend}
        return problems_page()

    def work(run, job):
        from ..mail import sending

        if not password:
            raise TrackerError("请填写邮箱密码(网易邮箱为客户端授权码)。密码只用于这一次发送,不会保存。")
        result = sending.send(run, kind, load_state(run).liaisons, password, yes=True, resend_interrupted=resend)
        for line in sending.sent_lines(result, kind, True, "", "勾选“也发送上次中断的”后"):
            job.say(line)
        if result.stopped:
            raise TrackerError(result.stopped)
    return _start("发送回执" if kind == "receipts" else "发送催报通知", work, "problems_page")


def review():
    marks = {}
    for key, decision in request.form.items():
        if key.startswith("mark:") and decision in review_mod.DECISIONS:
            unit, _, task_id = key[5:].partition("|")
            marks[(unit, task_id)] = (decision, request.form.get(f"reason:{unit}|{task_id}", "").strip(),
                                      request.form.get(f"seen:{unit}|{task_id}", ""))
    reviewer = request.form.get("reviewer", "").strip()
    site = site_of()

    def work(run, job):
        state = load_state(run)
        rows, stale = review_mod.page_rows(state, marks, reviewer)
        applied = review_mod.record_decisions(run, state, rows, lambda index, column: {"file": "审核销号页面", "sheet": "", "cell": ""},
                                              reviewer)
        applied.problems[:0] = stale
        for found in applied.problems:
            job.say(problem_line(found))
        for line in applied_lines(applied, state):
            job.say(line)
        if applied.state is None:
            return
        del state
        documents = write_month_documents(run, applied.state, today=site.today(run.master.settings))
        job.say("已按审核结果重新生成本月的文件:")
        _documents_done(job, run, documents, "审核结果已记入台账。")
    if not marks:
        flash("没有选择任何审核结果(通过或退回),没有记入。", "error")
        return back("review_page")
    return _start("保存审核结果", work, "review_page")


def roster():
    site = site_of()
    units = request.form.getlist("单位")
    header = list(ROSTER_COLUMNS)
    rows = [header]
    for index, unit in enumerate(units):
        rows.append([unit, *(request.form.getlist(column)[index] if index < len(request.form.getlist(column)) else ""
                             for column in header[1:])])
    try:
        site.jobs.ensure_free()
        imported = import_roster_sheets(site.workspace, {ROSTER_SHEET: rows}, "网页上的联络员名单")
    except TrackerError as exc:
        show_error(exc)
        return back("settings_page")
    for found in imported.problems:  # named by the unit's row of the table, not by a cell of a sheet it never saw
        where = replace(found, file=f"联络员名单({found.unit})" if found.unit else "联络员名单", sheet="", cell="")
        flash(problem_line(where), "error" if found.severity == "error" else "message")
    for line in imported_lines(imported):
        flash(line)
    return back("settings_page")


def calendar():
    site = site_of()
    text = request.form.get("notice", "")
    force = request.form.get("force") == "1"
    if not text.strip():
        flash("请把国务院办公厅放假通知的全文粘贴到框中。", "error")
        return back("settings_page")
    try:
        site.workspace.require_master()
        data = notice_bytes(io.BytesIO(text.encode("utf-8")), "粘贴的放假通知")  # the command line's bound on its size
        written, found = import_notice(site.workspace.master_dir, data, "粘贴的放假通知", force=force)
    except TrackerError as exc:
        show_error(exc)
        return back("settings_page")
    if written is None:
        show_error(TrackerError("放假通知没有导入,未写入任何文件:", found.problems))
        return back("settings_page")
    for found_problem in found.problems:
        flash(problem_line(found_problem))
    flash(f"已导入 {found.year} 年节假日安排:{written.name}")
    return back("settings_page")
