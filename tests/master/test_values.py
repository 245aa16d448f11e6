"""Normalising what units type: every date form, status near-misses, phones, URLs."""

import datetime as dt

import pytest

from xlsx_tracker.master.values import is_url, normalize_date, normalize_phone, normalize_status

D = dt.date(2024, 5, 20)


@pytest.mark.parametrize("value", [
    dt.datetime(2024, 5, 20, 0, 0),  # openpyxl
    dt.date(2024, 5, 20),  # calamine
    45432.0, 45432,  # Excel serials
    "2024.5.20", "2024/5/20", "2024-05-20", "2024年5月20日", "2024 年 5 月 20 日", "２０２４－０５－２０",
    "20240520", "5/20", "5月20日", "2024-05-20 00:00:00", "45432",
])
def test_every_date_form(value):
    assert normalize_date(value, year_hint=2024) == D


@pytest.mark.parametrize("value", ["下个月", "2024.13.1", "5/40", "", None, 3.5, "二〇二四年"])
def test_not_dates(value):
    assert normalize_date(value, year_hint=2024) is None


@pytest.mark.parametrize(("raw", "expected", "how"), [
    ("已完成", "已完成", "exact"), ("完成", "已完成", "near"), (" 已完成 ", "已完成", "exact"),
    ("已 完成", "已完成", "near"), ("进行中", "推进中", "near"), ("未开始", "未启动", "near"),
    ("无此情形（已作说明）", "无此情形(已作说明)", "near"), ("无此情形", "无此情形(已作说明)", "near"),
    ("基本完成", None, "invalid"), ("", None, "empty"), (None, None, "empty"),
])
def test_status_near_misses(raw, expected, how):
    assert normalize_status(raw) == (expected, how)


def test_veto_statuses():
    assert normalize_status("未发生", veto=True) == ("未发生", "exact")
    assert normalize_status("无", veto=True) == ("未发生", "near")
    assert normalize_status("已完成", veto=True) == (None, "invalid")


@pytest.mark.parametrize(("raw", "expected"), [
    (13912345678, ("13912345678", "number")), (6218033.0, ("6218033", "number")),
    ("0471-6218033", ("0471-6218033", "exact")), ("１３９１２３４５６７８", ("13912345678", "exact")),
    ("电话待定", (None, "invalid")), ("123", (None, "invalid")), (None, (None, "empty")),
])
def test_phones(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(("raw", "ok"), [("http://www.gov.cn/a.html", True), ("https://x.cn", True),
                                         ("www.xinchengqu.gov.cn", True), ("见政府网站", False), ("http:/bad", False)])
def test_urls(raw, ok):
    assert is_url(raw) is ok
