"""Cutting text at a phrase boundary."""

import pytest

from xlsx_tracker.base.words import clip


@pytest.mark.parametrize(("text", "limit", "expected"), [
    ("加强信用监管,推进涉企信息归集共享", 12, "加强信用监管…"),  # cut after the comma, the comma dropped
    ("建立健全行政裁量权基准制度", 8, "建立健全行政裁…"),  # no punctuation: cut at the limit
    ("短文本", 8, "短文本"),  # short enough: unchanged
    ("  多个   空白\n换行  ", 20, "多个 空白 换行"),  # whitespace folded
    ("甲,乙丙丁戊己庚辛壬癸", 8, "甲,乙丙丁戊己…"),  # the only comma too early: cut at the limit
    ("严格规范公正文明执法。全面推行三项制度", 14, "严格规范公正文明执法…"),
])
def test_clip(text, limit, expected):
    assert clip(text, limit, "…") == expected
    assert len(clip(text, limit, "…")) <= limit


def test_clip_closes_a_bracket_it_cuts_inside_and_never_splits_a_number():
    assert clip("推进“放管服”改革(包括清理证明事项、减少审批环节),优化营商环境", 24) == "推进“放管服”改革(包括清理证明事项……)"
    assert clip("开展2024年度执法案卷评查工作并通报结果", 10, "…") == "开展2024年度执…"


def test_clip_with_no_mark():
    assert clip("加强信用监管,推进涉企信息归集共享", 12, mark="") == "加强信用监管"
