"""The page in a real browser (Debian's Chromium, driven by Playwright): a clerk runs May without a terminal —
split, download, upload three returns, merge, read the problems, return one claim with a reason, download the report
and the 通报. Screenshots of 本月, 收取报回 after the merge and 审核销号 at 1366×768 and 1920×1080 are saved into
XLSX_TRACKER_SCREENSHOTS when it is set. In CI (XLSX_TRACKER_REQUIRE_CHROMIUM) a missing browser fails the run."""

from __future__ import annotations

import io
import os
import shutil
import threading
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from xlsx_tracker.web.app import Site, create_app
from xlsx_tracker.web.serve import free_port

from .conftest import MONTH, TODAY, first_status_pasted

SIZES = {"1366x768": (1366, 768), "1920x1080": (1920, 1080)}
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if found:
        return found
    if os.environ.get("XLSX_TRACKER_REQUIRE_CHROMIUM"):
        pytest.fail("需要 Chromium(Debian 的 chromium 包)和 Playwright 进行网页测试,但未安装。")
    pytest.skip("Chromium or Playwright is not installed: the page is not tried in a real browser")


@pytest.fixture
def served(workspace):
    """The page served by waitress on a free port of this PC, as `serve` serves it; (address, site)."""
    from waitress.server import create_server

    port = free_port("127.0.0.1")
    site = Site(workspace, fixed_today=TODAY, hosts=(f"127.0.0.1:{port}",))
    server = create_server(create_app(site), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/?token={site.token}&month={MONTH}", site
    server.close()
    thread.join(5)


@pytest.fixture
def browser():
    executable = chromium_path()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=FLAGS)
        yield launched
        launched.close()


def shoot(page, name: str) -> None:
    """Screenshots at both screen sizes, when asked for (the closing note and the README show them)."""
    folder = os.environ.get("XLSX_TRACKER_SCREENSHOTS")
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    for label, (width, height) in SIZES.items():
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(Path(folder) / f"{name}_{label}.png"))
    page.set_viewport_size({"width": 1366, "height": 768})


def go(page, name: str) -> None:
    page.locator("header nav").get_by_role("link", name=name, exact=True).click()


def wait_for_job(page, label: str) -> None:
    """The job panel polls until the job ends, then the page reloads on its own."""
    page.locator("#job.done").wait_for(timeout=120_000)
    assert f"{label}({MONTH})" in page.locator("#job h3").inner_text()


def test_a_clerk_runs_the_month_from_the_page(served, browser, filled_return, tmp_path):
    address, site = served
    context = browser.new_context(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    page.goto(address)
    assert page.locator("h1").inner_text() == f"{MONTH} 本月情况"

    go(page, "拆分下发")
    page.get_by_role("button", name="拆分下发").click()
    wait_for_job(page, "拆分下发")
    assert "已为 32 个单位生成 2024-05 任务表" in page.locator("#job").inner_text()
    with page.expect_download() as zipped:
        page.get_by_role("link", name="下载全部工作簿").first.click()
    assert zipped.value.suggested_filename == f"任务表_{MONTH}.zip"

    sheets, outbox = site.workspace.sheets_dir(MONTH), tmp_path / "单位报回"
    returns = [
        filled_return(sheets / "教育局_2024-05.xlsx", outbox, seed=1),
        filled_return(sheets / "民政局_2024-05.xlsx", outbox, seed=2, defects=[first_status_pasted]),
        filled_return(sheets / "财政局_2024-05.xlsx", outbox, fill=False),
    ]
    go(page, "收取报回")
    page.set_input_files("#files", [str(p) for p in returns])
    page.get_by_role("button", name="上传报回文件").click()
    assert "已保存 3 个文件到收件目录 2024-05-20" in page.locator(".flash").first.inner_text()
    page.get_by_role("button", name="汇总", exact=True).click()
    wait_for_job(page, "汇总")
    summary = page.locator("#job").inner_text()
    assert "已采用单位 2 个" in summary and "报送空表 1 个:财政局" in summary, summary
    shoot(page, "收取报回")

    go(page, "问题与回执")
    problems = page.locator("main").inner_text()
    assert "[错误·进展状态无效] 2024-05-20/民政局_2024-05.xlsx / 任务清单 / C3" in problems

    go(page, "审核销号")
    first = page.locator("table.review tbody tr").first
    unit, task_id = first.locator("td").nth(0).inner_text(), first.locator("td").nth(1).inner_text()
    first.get_by_label("退回", exact=True).check()
    first.get_by_placeholder("退回理由").fill("未附会议纪要")
    shoot(page, "审核销号")
    page.get_by_role("button", name="保存审核结果").click()
    wait_for_job(page, "保存审核结果")
    assert "退回 1 项" in page.locator("#job").inner_text()
    assert f"{unit} {task_id} 退回 未附会议纪要" in " ".join(page.locator("table.compact").inner_text().split())

    go(page, "本月")
    assert "本月应报送单位32个" in page.locator(".summary").inner_text()
    shoot(page, "本月")

    go(page, "报告")
    with page.expect_download() as report:
        page.get_by_role("link", name="下载调度报告").click()
    book = openpyxl.load_workbook(io.BytesIO(Path(report.value.path()).read_bytes()))
    assert "总览" in book.sheetnames
    with page.expect_download() as bulletin:
        page.get_by_role("link", name="下载通报").click()
    assert bulletin.value.suggested_filename.endswith("通报.docx")
    assert any("通报" in p.text for p in Document(bulletin.value.path()).paragraphs)
    context.close()


def test_files_dropped_on_the_upload_box_are_uploaded(served, browser, tmp_path):
    address, site = served
    page = browser.new_page()
    page.goto(address.replace("/?", "/intake?"))
    handle = page.evaluate_handle("""() => { const data = new DataTransfer();
        data.items.add(new File(['材料'], '教育局_佐证材料.pdf', {type: 'application/pdf'})); return data; }""")
    page.dispatch_event("#upload", "drop", {"dataTransfer": handle})
    assert page.locator("#chosen").inner_text() == "已选择 1 个文件:教育局_佐证材料.pdf"
    page.get_by_role("button", name="上传报回文件").click()
    assert "已保存 1 个文件" in page.locator(".flash").first.inner_text()
    assert (site.workspace.inbox_dir(MONTH) / TODAY.isoformat() / "教育局_佐证材料.pdf").read_bytes() == "材料".encode()
