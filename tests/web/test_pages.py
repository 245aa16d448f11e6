"""Every page renders, for a workspace where nothing has happened yet and for a month returned and merged, and shows
what the month state says (the same figures and words as the papers)."""

from __future__ import annotations

import pytest

from xlsx_tracker.month.figures import key_figures
from xlsx_tracker.month.run import month_run
from xlsx_tracker.month.state import load_state
from xlsx_tracker.month.summary import overall_sentences

from .conftest import MONTH

PAGES = {"/": "本月情况", "/split": "拆分下发", "/intake": "收取报回", "/problems": "问题与回执",
         "/review": "审核销号", "/reports": "报告", "/settings": "联络员名单"}


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_before_anything_was_issued(page, path):
    text = page.text(path)
    assert PAGES[path] in text
    if path in ("/problems", "/review", "/reports", "/"):
        assert f"{MONTH} 还没有下发任务表" in text


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_renders_for_a_merged_month(returned, path):
    assert PAGES[path] in returned.text(path)


def test_home_shows_the_month_state_as_the_papers_do(returned):
    text = returned.text("/")
    state = load_state(month_run(returned.workspace, MONTH))
    for sentence in overall_sentences(state):
        assert sentence in text
    assert "报送截止 2024-05-20(星期一)" in text
    assert "距截止还有 0 天" in text
    figures = key_figures(state)
    assert figures["not_returned"] == 29 and figures["blank_forms"] == 1
    assert "财政局 催办 报送空表" in text  # the untouched form: chased, not a return
    assert "教育局 未报送" not in text and "教育局 按时" in text


def test_the_month_chosen_at_the_top_stays_chosen(page):
    page.post("/split")
    assert "2024-05 本月情况" in page.text("/")
    other = page.client.get("/", query_string={"month": "2024-6"})
    assert "2024-06 本月情况" in visible_of(other)
    assert "2024-06 拆分下发" in visible_of(page.client.get("/split"))  # no month given: the one chosen last


def test_a_month_written_wrongly_is_said_and_another_shown(page):
    text = visible_of(page.client.get("/", query_string={"month": "五月"}))
    assert "月份“五月”格式不对,应为 2024-05 这样的形式" in text


def test_the_problems_page_lists_units_with_errors_first_each_with_its_cell(returned):
    text = returned.text("/problems")
    assert text.index("民政局") < text.index("财政局")
    assert "[错误·进展状态无效] 2024-05-20/民政局_2024-05.xlsx / 任务清单 / C3:进展状态“基本完成”无效" in text
    assert "下载回执" in text and "查看催报" in text


def test_the_review_page_lists_each_claim_with_its_choices(returned):
    text = returned.text("/review")
    state = load_state(month_run(returned.workspace, MONTH))
    pending = [r for r in state.rows if r.review == "待审核"]
    assert pending and text.count("退回理由") == 0 or "已销号 退回 待审核" in text
    assert "保存审核结果" in text


def visible_of(response) -> str:
    from .conftest import visible

    assert response.status_code == 200
    return visible(response.data.decode())
