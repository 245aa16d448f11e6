"""Files in and out: uploads checked whole before anything is written, names made safe, downloads only from the
workspace's own folders; and the lock a merge in a terminal holds."""

from __future__ import annotations

import io
import threading
import zipfile

import pytest

from xlsx_tracker.web import files
from xlsx_tracker.web.jobs import Job

from .conftest import MONTH, TODAY, terminal_holds, visible


def inbox_today(page):
    return page.workspace.inbox_dir(MONTH) / TODAY.isoformat()


def post_files(page, named: list[tuple[str, bytes]]):
    data = {"files": [(io.BytesIO(content), name) for name, content in named]}
    return page.post("/upload", data, content_type="multipart/form-data", follow_redirects=True)


def test_uploads_go_into_todays_folder_with_safe_names(page):
    page.post("/split")
    response = post_files(page, [("../../master_template/settings.toml", b"a"), ("CON.xlsx", b"b"), ("C:\\单位\\回执.pdf", b"c")])
    saved = sorted(p.name for p in inbox_today(page).iterdir())
    # an old browser's full path arrives as the multipart parser reads it (Werkzeug ≥ 3.1.9 takes \ as an escape):
    # either way no folder is left in the name
    assert {"_CON.xlsx", "settings.toml"} < set(saved) and len(saved) == 3
    assert set(saved) & {"回执.pdf", "C_单位回执.pdf"}
    assert "已保存 3 个文件到收件目录 2024-05-20(按 2024-05-20 收到计)" in visible(response.data.decode())
    assert (page.workspace.master_dir / "settings.toml").read_bytes() != b"a"


def test_the_same_bytes_uploaded_twice_are_saved_once(page):
    page.post("/split")
    post_files(page, [("教育局.xlsx", b"same")])
    response = post_files(page, [("教育局(再发).xlsx", b"same"), ("教育局.xlsx", b"other")])
    assert sorted(p.name for p in inbox_today(page).iterdir()) == ["教育局(2).xlsx", "教育局.xlsx"]
    assert "以下 1 个文件已在 2024-05-20 中(内容完全相同),没有重复保存:教育局(再发).xlsx" in visible(response.data.decode())


def test_too_many_files_are_refused_before_any_is_written(page):
    response = post_files(page, [(f"{n}.xlsx", b"x") for n in range(files.MAX_UPLOAD_FILES + 1)])
    assert f"一次最多上传 {files.MAX_UPLOAD_FILES} 个文件,这次有 {files.MAX_UPLOAD_FILES + 1} 个" in visible(response.data.decode())
    assert not page.workspace.inbox_dir(MONTH).exists()


def test_a_file_over_the_size_limit_refuses_the_whole_upload(page, monkeypatch):
    monkeypatch.setattr(files, "MAX_FILE_BYTES", 1024 * 1024)
    response = post_files(page, [("小.xlsx", b"x"), ("大.zip", b"x" * (1024 * 1024 + 1))])
    assert "以下文件超过 1 MB,没有上传(本次所有文件都未保存):“大.zip”(1 MB)" in visible(response.data.decode())
    assert not page.workspace.inbox_dir(MONTH).exists()


def test_an_upload_over_the_total_limit_is_refused_before_it_is_read(page):
    page.client.application.config["MAX_CONTENT_LENGTH"] = 1000
    response = post_files(page, [("大.xlsx", b"x" * 5000)])
    assert response.status_code == 413
    assert "本次没有保存任何文件" in visible(response.data.decode())
    assert not page.workspace.inbox_dir(MONTH).exists()


def test_an_empty_upload_says_what_to_do(page):
    response = page.post("/upload", {}, follow_redirects=True)
    assert "没有选择文件" in visible(response.data.decode())


@pytest.mark.parametrize("address", [
    "/file/reports/2024-05/../../master_template/settings.toml",
    "/file/reports/2024-05/%2e%2e/%2e%2e/ledger.sqlite",
    "/file/reports/2024-05//etc/passwd",
    "/file/sheets/2024-05/..%2f..%2fmaster_template%2fsettings.toml",
    "/file/master/2024-05/settings.toml",
    "/file/sheets/../master_template/settings.toml",
    "/file/sheets/2024-05/",
])
def test_a_crafted_download_address_is_not_found(returned, address):
    assert returned.client.get(address, follow_redirects=True).status_code == 404


def test_each_workbook_downloads_and_all_of_them_as_one_zip(page):
    page.post("/split")
    one = page.client.get("/file/sheets/2024-05/教育局_2024-05.xlsx")
    assert one.status_code == 200 and one.data[:2] == b"PK"
    assert "教育局_2024-05.xlsx" in one.headers["Content-Disposition"] or "filename*=UTF-8''" in one.headers["Content-Disposition"]
    bundle = page.get("/sheets.zip")
    assert bundle.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(bundle.data)).namelist()
    assert len(names) == 32 and "2024-05/教育局_2024-05.xlsx" in names


def test_a_merge_is_refused_while_a_command_in_a_terminal_holds_the_workspace(returned):
    with terminal_holds(returned.workspace):
        response = returned.post("/merge", follow_redirects=True)
    assert "另一个汇总正在进行:另一个 xlsx-tracker 命令正在使用这个工作区,请等它结束后再试。" in visible(response.data.decode())


def running_job(page, **progress) -> tuple[Job, threading.Event]:
    """A page job that has started (its progress set) and runs until the event returned is set."""
    page.site.wait_for_jobs = False
    started, release = threading.Event(), threading.Event()

    def long(job):
        for name, value in progress.items():
            setattr(job, name, value)
        started.set()
        release.wait(10)

    job = page.site.jobs.start(Job("汇总", MONTH), long)
    assert started.wait(5)
    return job, release


def test_a_long_merge_cannot_be_started_twice(page):
    _, release = running_job(page)
    try:
        response = page.post("/merge", follow_redirects=True)
    finally:
        release.set()
    assert "另一个汇总正在进行(本页面正在“汇总”),请等它完成后再试。" in visible(response.data.decode())


def test_the_progress_of_a_running_job_is_polled_then_the_page_refreshes(page, wait_until):
    job, release = running_job(page, total=200, done=50, current="教育局_2024-05.xlsx")
    running = page.get("/job")
    release.set()
    text = visible(running.data.decode())
    assert "汇总(2024-05)正在进行" in text and "50 / 200(25%)" in text and "教育局_2024-05.xlsx" in text
    assert 'hx-trigger="every 1s"' in running.data.decode()
    assert wait_until(lambda: job.finished)
    done = page.client.get("/job", headers={"HX-Request": "true"})
    assert done.headers.get("HX-Refresh") == "true"
    assert "every 1s" not in done.data.decode()
