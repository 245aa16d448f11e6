"""The State Council notice read as text: each defect of a pasted notice is one problem, with its code, the line it
is on and a message that quotes the item. Built from the 2026 notice as published, changed in one place each."""

from pathlib import Path

import pytest

from xlsx_tracker.calendar.notice_text import read_notice

NOTICE_2026 = (Path(__file__).resolve().parents[1] / "fixtures" / "notices" / "2026_as_published.txt").read_text(encoding="utf-8")
SPRING = "二、春节:2月15日(农历腊月二十八、周日)至23日(农历正月初七、周一)放假调休,共9天。2月14日(周六)、2月28日(周六)上班。"
TITLE = "国务院办公厅关于2026年部分节假日安排的通知"


def spring(old, new):
    """The 2026 notice with its 春节 item changed; the item and what it now says."""
    changed = SPRING.replace(old, new)
    assert changed != SPRING
    return NOTICE_2026.replace(SPRING, changed), changed


def problems(text):
    return [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in read_notice(text, "通知.txt").problems]


def test_the_notice_as_published_has_no_problem():
    assert SPRING in NOTICE_2026 and problems(NOTICE_2026) == []


def test_text_without_the_title():
    assert problems("各省、自治区、直辖市人民政府:\n一、元旦:1月1日放假。") == [
        ("notice-no-year", "通知.txt", "", "", "error",
         "没有找到通知标题“国务院办公厅关于XXXX年部分节假日安排的通知”,无法确定年份。请连同标题复制通知全文后再导入。")]


def test_a_title_year_out_of_range():
    assert problems("国务院办公厅关于9999年部分节假日安排的通知\n一、元旦:12月31日放假,与周末连休。") == [
        ("notice-bad-year", "通知.txt", "", "", "error", "通知标题中的年份“9999”不对。请核对通知标题。")]


def test_the_title_without_any_item():
    assert problems(f"{TITLE}\n经国务院批准,现将安排通知如下。") == [
        ("notice-no-items", "通知.txt", "", "", "error", "没有找到“一、元旦:……”这样的放假安排条目。请确认导入的是国务院办公厅部分节假日安排的通知全文。")]


def test_a_notice_cut_short():
    assert problems(NOTICE_2026[:NOTICE_2026.index("四、劳动节")]) == [
        ("notice-missing-holiday", "通知.txt", "", "", "error",
         "没有找到“劳动节”、“端午节”、“中秋节”、“国庆节”的放假安排(读到的最后一项是“三、清明节”)。通知可能没有复制完整,请核对原文后重新导入。")]


def test_a_gap_and_a_repeat_in_the_numbering():
    assert problems(NOTICE_2026.replace("三、清明节", "四、清明节")) == [
        ("notice-numbering", "通知.txt", "", "第11行", "error",
         "条目编号从“二、”跳到了“四、”,中间的条目可能缺失或重复。请核对原文:“四、清明节:4月4日(周六)至6日(周一)放假,共3天。”"),
        ("notice-numbering", "通知.txt", "", "第13行", "error",
         "条目编号从“四、”跳到了“四、”,中间的条目可能缺失或重复。请核对原文:“四、劳动节:5月1日(周五)至5日(周二)放假调休,共5天。5月9日(周六)上班。”"),
    ]


@pytest.mark.parametrize(("old", "new", "code", "message"), [
    ("2月28日(周六)", "2月30日(周一)", "notice-bad-date", "“春节”中的“2月30日”不是有效的日期。"),
    ("共9天", "共8天", "notice-count", "“春节”写的是共8天,但列出的放假日期是 9 天(2026-02-15 至 2026-02-23)。"),
    ("2月14日(周六)", "2月14日(周日)", "notice-weekday", "“春节”:2026-02-14 是星期六,原文却写作“周日”。"),
    ("2月28日(周六)", "2月26日(周四)", "notice-workday-weekday", "“春节”:调休上班日 2026-02-26 是星期四,调休上班日应为周六或周日。"),
    ("2月28日(周六)", "2月21日(周六)", "notice-conflict", "2026-02-21 在通知中出现了两次,无法确定当天是放假还是上班。"),
], ids=["bad-date", "count", "weekday", "workday-weekday", "conflict"])
def test_one_defect_in_an_item_is_one_problem_at_its_line(old, new, code, message):
    text, item = spring(old, new)
    assert problems(text) == [(code, "通知.txt", "", "第9行", "error", f"{message}原文:“{item}”")]


def test_a_range_written_backwards_reads_no_days():
    text, item = spring("2月15日(农历腊月二十八、周日)至23日(农历正月初七、周一)", "2月23日(农历正月初七、周一)至15日(农历腊月二十八、周日)")
    assert problems(text) == [
        ("notice-bad-range", "通知.txt", "", "第9行", "error", f"“春节”的放假起止日期前后颠倒(2026-02-23 至 2026-02-15)。原文:“{item}”"),
        ("notice-unreadable", "通知.txt", "", "第9行", "error", f"“春节”一项没有读出放假日期。原文:“{item}”"),
    ]


def test_a_date_neither_off_nor_working():
    item = "一、元旦:1月1日(周四)至3日(周六)放假调休,共3天。1月4日(周日)另行安排。"
    assert problems(NOTICE_2026.replace("共3天。1月4日(周日)上班。", "共3天。1月4日(周日)另行安排。")) == [
        ("notice-unplaced-date", "通知.txt", "", "第7行", "error",
         f"“元旦”中的 2026-01-04 读不出是放假还是上班(所在句子没有“放假”“补休”“上班”等字样)。原文:“{item}”")]


def test_an_item_cut_before_its_days_off():
    cut = NOTICE_2026[:NOTICE_2026.index("至23日")]
    quote = "原文:“二、春节:2月15日(农历腊月二十八、周日)”"
    assert problems(cut)[1] == ("notice-unreadable", "通知.txt", "", "第9行", "error", f"“春节”一项没有读出放假日期。{quote}")
