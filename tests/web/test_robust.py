"""The page keeps opening when the workspace is not as it should be, says why in the page's own words, and never waits
silently behind a command in a terminal."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from xlsx_tracker.web.words import PAGE_WORDS, for_page

from .conftest import MONTH, TODAY, terminal_holds, visible

PACKAGE = Path(__file__).resolve().parents[2] / "xlsx_tracker"


def test_a_month_without_holiday_data_opens_and_says_where_to_import_it(page):
    for path in ("/", "/split", "/intake", "/problems", "/review", "/reports", "/settings"):
        response = page.client.get(path, query_string={"month": "2027-01"})
        assert response.status_code == 200, path
        text = visible(response.data.decode())
        assert "没有 2027 年的法定节假日数据" in text and "在本页“设置”中粘贴通知全文,点“导入放假通知”。" in text, path
        assert "--assume-weekends" not in text and "calendar import" not in text


def test_a_damaged_master_is_said_on_every_page(page):
    page.workspace.master_file.write_bytes(b"not a workbook")
    for path in ("/", "/settings", "/intake"):
        response = page.get(path)
        assert response.status_code == 200, path
        assert "无法读取总任务清单" in visible(response.data.decode()), path


def test_a_damaged_ledger_is_said_and_left_as_it_is(page):
    page.workspace.ledger_file.write_bytes(b"not a ledger" * 100)
    response = page.get("/")
    assert response.status_code == 200
    assert "台账文件" in visible(response.data.decode()) and "已损坏或不是本工具的台账。请从备份中恢复该文件" in visible(response.data.decode())
    assert page.workspace.ledger_file.read_bytes() == b"not a ledger" * 100


@pytest.mark.parametrize("address", ["/reports/report", "/reports/taizhang"])
def test_a_download_that_must_write_is_refused_at_once_while_a_terminal_holds_the_workspace(returned, address):
    with terminal_holds(returned.workspace):
        response = returned.client.get(address, query_string={"month": MONTH}, follow_redirects=True)
    assert "另一个汇总正在进行:另一个 xlsx-tracker 命令正在使用这个工作区,请等它结束后再试。" in visible(response.data.decode())


def upload_on(page, day: str, named=(("教育局_2024-05.xlsx", b"x"),)):
    data = {"received": day, "files": [(io.BytesIO(content), name) for name, content in named]}
    return visible(page.post("/upload", data, content_type="multipart/form-data", follow_redirects=True).data.decode())


def test_files_received_earlier_are_filed_under_the_day_they_came(page):
    text = upload_on(page, "2024-05-17")
    assert "已保存 1 个文件到收件目录 2024-05-17(按 2024-05-17 收到计)" in text
    assert (page.workspace.inbox_dir(MONTH) / "2024-05-17" / "教育局_2024-05.xlsx").is_file()


@pytest.mark.parametrize("day, said", [
    ("2024-05-21", "收到日期 2024-05-21 晚于今天(2024-05-20),没有保存任何文件。"),
    ("5月17日", "收到日期“5月17日”格式不对,应为 YYYY-MM-DD,例如 2024-05-20。没有保存任何文件。"),
])
def test_a_received_day_that_cannot_be_is_refused(page, day, said):
    assert said in upload_on(page, day)
    assert not page.workspace.inbox_dir(MONTH).exists()


def test_lock_and_hidden_files_are_not_saved(page):
    text = upload_on(page, "", (("~$教育局_2024-05.xlsx", b"lock"), (".DS_Store", b"mac"), ("教育局_2024-05.xlsx", b"x")))
    assert "以下 2 个是 Excel、WPS 打开文件时留下的临时文件或隐藏文件,不是报回的文件,没有保存:~$教育局_2024-05.xlsx、.DS_Store。" in text
    assert sorted(p.name for p in (page.workspace.inbox_dir(MONTH) / TODAY.isoformat()).iterdir()) == ["教育局_2024-05.xlsx"]


def library_texts() -> str:
    """Every string the library (all but the page) writes, as Python joins it: adjacent literals joined, each value of an
    f-string as {}."""
    import ast

    texts = []
    for path in PACKAGE.rglob("*.py"):
        if "web" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.JoinedStr):
                texts.append("".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values))
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                texts.append(node.value)
    return "\n".join(texts)


LIBRARY = library_texts()


@pytest.mark.parametrize("words, replacement", PAGE_WORDS)
def test_every_command_line_advice_the_page_rewords_is_still_in_the_library(words, replacement):
    assert words.replace("{month}", "{}") in LIBRARY, f"the library no longer says “{words}”: update web/words.py"
    assert "xlsx-tracker" not in replacement and "--" not in replacement


def test_the_page_words_replace_the_command_line_advice():
    said = for_page("2024-05 还没有下发过任务表(没有运行过 split),无法核对报回文件或生成报告。请先运行:xlsx-tracker split --month 2024-05")
    assert said.endswith("请先在“拆分下发”页点“拆分下发”。")
    assert not re.search(r"xlsx-tracker|--force", for_page("2024-05 的以下工作簿已下发过,未覆盖(确需重新生成请加 --force):"))
