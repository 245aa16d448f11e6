"""calendar import against a hostile or careless notice: runs of unclosed brackets, of "一、" items and of dates
read in well under a second with the notice still read right; a reader that hangs stopped by its deadline; a
huge file refused before it is read; a range or a year no notice has is an error, never a million days."""

import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from xlsx_tracker.base.model import TrackerError
from xlsx_tracker.calendar import holiday_notice
from xlsx_tracker.calendar.holiday_notice import calendar_path, import_notice
from xlsx_tracker.calendar.notice_text import read_notice
from xlsx_tracker.cli import main

NOTICES = Path(__file__).resolve().parents[1] / "fixtures" / "notices"
NOTICE_2026 = (NOTICES / "2026_as_published.txt").read_text(encoding="utf-8")
SPRING = "二、春节:2月15日(农历腊月二十八、周日)至23日(农历正月初七、周一)放假调休,共9天。2月14日(周六)、2月28日(周六)上班。"
AS_PUBLISHED = [("元旦", 3, 1), ("春节", 9, 2), ("清明节", 3, 0), ("劳动节", 5, 1), ("端午节", 3, 0), ("中秋节", 3, 0), ("国庆节", 7, 2)]


def timed(text):
    started = time.perf_counter()
    notice = read_notice(text, "通知.txt")
    return notice, time.perf_counter() - started


def read_as_published(notice):
    return [(i.name, len(i.holidays), len(i.workdays)) for i in notice.items]


@pytest.mark.parametrize("run", [
    "(" * 50_000,  # unclosed brackets after the last clause
    "28日(" * 20_000,  # dates, each followed by a bracket never closed
    "(28日" * 20_000,
    "," * 50_000,  # clauses without a kind: each once looked at the whole rest of the sentence
], ids=["brackets", "dates-then-bracket", "bracket-then-dates", "commas"])
def test_a_run_inside_an_item_reads_in_well_under_a_second_and_the_item_stays_right(run):
    notice, took = timed(NOTICE_2026.replace(SPRING, SPRING[:-1] + run + "。"))
    assert took < 2
    assert (notice.year, read_as_published(notice), notice.problems) == (2026, AS_PUBLISHED, [])
    spring = notice.items[1]
    assert (spring.holidays[0].isoformat(), spring.holidays[-1].isoformat()) == ("2026-02-15", "2026-02-23")


def test_unclosed_brackets_inside_a_date_note_read_fast():
    notice, took = timed(NOTICE_2026.replace(SPRING, SPRING.replace("2月15日(", "2月15日" + "(" * 50_000)))
    assert took < 2
    assert (read_as_published(notice), notice.problems) == (AS_PUBLISHED, [])


@pytest.mark.parametrize("tail", ["。一、" * 50_000, "\n一、" * 50_000, "\n一、二、三、" * 20_000, "\n1" * 50_000],
                         ids=["after-full-stops", "on-lines", "three-a-line", "digits"])
def test_runs_of_item_numbers_after_the_notice_read_fast_and_add_nothing(tail):
    notice, took = timed(NOTICE_2026 + tail)
    assert took < 2
    assert (read_as_published(notice), notice.problems) == (AS_PUBLISHED, [])


def test_an_item_repeated_fifty_thousand_times_on_one_line_is_one_item_quoted_short():
    notice, took = timed(NOTICE_2026 + "\n" + "一、元旦:" * 50_000)
    assert took < 2
    assert [(p.code, p.cell) for p in notice.problems] == [("notice-unreadable", "第26行"), ("notice-numbering", "第26行")]
    quote = "一、元旦:" + "一、元旦:" * 59 + "……"
    assert notice.problems[0].message == f"“元旦”一项没有读出放假日期。原文:“{quote}”"
    assert max(len(p.message) for p in notice.problems) < 400  # quoted short: not 250,000 characters per line


def test_a_range_no_notice_has_and_a_year_far_away_are_errors_not_millions_of_days():
    text = NOTICE_2026.replace(SPRING, SPRING + "1000年1月1日至9999年12月31日放假。2026年1月1日至12月31日放假。")
    notice, took = timed(text)
    assert took < 2
    assert [(p.code, p.cell, p.message.split("。")[0]) for p in notice.problems] == [
        ("notice-bad-date", "第9行", "“春节”中的“1000年1月1日”不是有效的日期"),
        ("notice-bad-date", "第9行", "“春节”中的“9999年12月31日”不是有效的日期"),
        ("notice-bad-date", "第9行", "“春节”中的“2026-01-01 至 2026-12-31”不是有效的日期")]
    assert not notice.ok


def test_the_command_imports_a_notice_with_a_hostile_run_in_well_under_two_seconds(workspace, tmp_path):
    path = tmp_path / "通知.txt"
    path.write_text(NOTICE_2026.replace(SPRING, SPRING[:-1] + "(" * 50_000 + "。"), encoding="utf-8")
    started = time.perf_counter()
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "calendar", "import", str(path)])
    assert time.perf_counter() - started < 2
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == f"已导入 2026 年节假日安排:{calendar_path(workspace.master_dir, 2026).resolve()}"


def test_a_reader_that_hangs_is_stopped_by_its_deadline_and_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.setattr(holiday_notice, "_read", lambda job: time.sleep(60))
    monkeypatch.setattr(holiday_notice, "NOTICE_TIMEOUT", 0.5)
    started = time.monotonic()
    with pytest.raises(TrackerError) as caught:
        import_notice(tmp_path, NOTICE_2026.encode("utf-8"), "通知.txt")
    assert time.monotonic() - started < 10
    assert str(caught.value) == ("读取放假通知“通知.txt”超过 0.5 秒仍未读完,已停止,未写入任何文件。"
                                 "请只复制通知全文(连同标题)到记事本,保存后再导入。")
    assert not (tmp_path / "calendar").exists()


HUGE = "超过 1 MB,远超放假通知全文的长度(通常几千字),没有读取,未写入任何文件。请只复制通知全文(连同标题)后再导入。"


def test_a_huge_file_or_paste_is_refused_before_it_is_read(workspace, tmp_path):
    path = tmp_path / "通知.txt"
    path.write_bytes(NOTICE_2026.encode("utf-8") + b" " * (2 * 1024 * 1024))
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "calendar", "import", str(path)])
    assert (result.exit_code, result.output) == (1, f"错误:“通知.txt”{HUGE}\n")
    pasted = CliRunner().invoke(main, ["-w", str(workspace.root), "calendar", "import", "-"], input="通" * 400_000)
    assert (pasted.exit_code, pasted.output) == (1, f"错误:“标准输入”{HUGE}\n")
    with pytest.raises(TrackerError, match="超过 1 MB"):
        import_notice(workspace.master_dir, b"x" * (1024 * 1024 + 1), "通知.txt")
    assert not (workspace.master_dir / "calendar" / "2026.toml").exists()
