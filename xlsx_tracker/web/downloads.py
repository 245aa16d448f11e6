"""Downloads that are made on the way: every issued workbook as one zip, and the report, 通报 and 工作台账 made
fresh when the ledger, the master or the settings changed after they were written."""

from __future__ import annotations

from pathlib import Path

from flask import abort, after_this_request, send_file

from ..base.model import TrackerError
from ..outputs import taizhang
from ..outputs.bulletin import bulletin_name, latest_bulletin
from ..outputs.documents import documents_current, write_month_documents
from ..outputs.report import report_name
from ..outputs.sayings import blocked_message
from . import files
from .app import back, run_of, show_error, site_of

KINDS = {"report": "调度报告", "bulletin": "通报", "taizhang": "工作台账"}


def register(app) -> None:
    app.add_url_rule("/sheets.zip", "sheets_zip", sheets_zip)
    app.add_url_rule("/reports/<kind>", "report_download", report_download)


def sheets_zip():
    site = site_of()
    try:
        run = run_of(site)
    except TrackerError as exc:
        show_error(exc)
        return back("split_page")
    folder = site.workspace.sheets_dir(run.month)
    books = files.shown(folder, "*.xlsx")
    if not books:
        abort(404)
    return _send_zip(files.zip_of([(p, f"{run.month}/{p.name}") for p in books], "xlsx-tracker-"), f"任务表_{run.month}.zip")


def _send_zip(path: Path, name: str):
    @after_this_request
    def _remove(response):
        response.call_on_close(lambda: path.unlink(missing_ok=True))
        return response

    return send_file(path, as_attachment=True, download_name=name, mimetype="application/zip")


def report_download(kind: str):
    if kind not in KINDS:
        abort(404)
    site = site_of()
    try:
        run = run_of(site)
        run.require_issued()
        site.jobs.ensure_free()  # writing waits for the workspace: refused at once instead
        if kind == "taizhang":
            built = taizhang.build(run)
            return _send_zip(files.zip_of(files.tree(built.root), "xlsx-tracker-"), f"{built.root.name}.zip")
        path = _fresh(run, site, kind)
    except TrackerError as exc:
        show_error(exc)
        return back("reports_page")
    return send_file(path, as_attachment=True, download_name=path.name)


def _fresh(run, site, kind: str) -> Path:
    """The document as written now: rewritten (all the month's documents, as report does) when missing or older than
    what it is made from; the 通报 the office edited is kept and the new one written beside it."""
    folder = run.workspace.month_reports(run.month)
    path = folder / (report_name(run.month, run.master.settings.work) if kind == "report" else bulletin_name(run.month, run.master.settings.work))
    if path.is_file() and documents_current(run, site.today(run.master.settings)):
        return latest_bulletin(path) if kind == "bulletin" else path
    documents = write_month_documents(run, today=site.today(run.master.settings))
    blocked = blocked_message(documents, run.month)
    if blocked:
        raise TrackerError(blocked)
    made = documents.get(kind)
    if made is None:
        raise TrackerError(f"{KINDS[kind]}没有生成。请刷新后再下载一次;仍不行时,请联系维护本工具的同志。")
    return made.paths[0]
