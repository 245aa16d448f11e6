"""Next year's calendar from the State Council notice: imported as published, checked against its own text,
and compared day by day with chinesecalendar for years it knows."""

import datetime as dt
from pathlib import Path

import chinese_calendar
import pytest
from click.testing import CliRunner

from xlsx_tracker.base.problems import problem_line
from xlsx_tracker.calendar.holiday_notice import calendar_path, import_notice, next_year_reminder
from xlsx_tracker.calendar.notice_text import read_notice
from xlsx_tracker.calendar.workdays import Calendar, YearOverride, chinese_name, load_calendar
from xlsx_tracker.cli import app as cli_app
from xlsx_tracker.cli import main

NOTICES = Path(__file__).resolve().parents[1] / "fixtures" / "notices"  # tests/fixtures/notices
NOTICE_2026 = (NOTICES / "2026_as_published.txt").read_text(encoding="utf-8")
SPRING_2026 = "二、春节:2月15日(农历腊月二十八、周日)至23日(农历正月初七、周一)放假调休,共9天。2月14日(周六)、2月28日(周六)上班。"


def days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


def imported_calendar(tmp_path: Path, text: str) -> Calendar:
    written, notice = import_notice(tmp_path, text.encode("utf-8"), "通知.txt")
    assert written == calendar_path(tmp_path, notice.year) and notice.problems == []
    calendar, problems = load_calendar(tmp_path)
    assert problems == [] and notice.year in calendar.overrides  # the file the loader reads, not the package
    return calendar


@pytest.mark.parametrize("fixture, year", [("2026_as_published.txt", 2026), ("2025_as_published.txt", 2025),
                                           ("2017_older_wording.txt", 2017)])
def test_a_published_notice_gives_chinesecalendars_year_day_by_day(tmp_path, fixture, year):
    """2026 and 2025 in today's wording (周二, 农历 notes, 不调休, 国庆节、中秋节); 2017 in the older one
    (星期日, 补休, 与周末连休, 中秋节、国庆节). The 2025 preamble's own numbers (放假调休8天……) are not items."""
    calendar = imported_calendar(tmp_path, (NOTICES / fixture).read_text(encoding="utf-8"))
    differing = [d for d in days_of(year) if calendar.is_workday(d) != chinese_calendar.is_workday(d)]
    assert differing == []
    for day in days_of(year):
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
        if on_holiday and name:  # the package names the festival of each day off; ours is that one or a combined item
            assert chinese_name(name) in calendar.holiday_name(day).split("、"), day


def test_the_year_file_keeps_each_item_and_names_each_makeup_workday(tmp_path):
    calendar = imported_calendar(tmp_path, NOTICE_2026)
    text = calendar_path(tmp_path, 2026).read_text(encoding="utf-8")
    assert f"# {SPRING_2026}\n\"春节\" = [2026-02-15, " in text
    override = calendar.overrides[2026]
    assert override.workday_names == {dt.date(2026, 1, 4): "元旦", dt.date(2026, 2, 14): "春节", dt.date(2026, 2, 28): "春节",
                                      dt.date(2026, 5, 9): "劳动节", dt.date(2026, 9, 20): "国庆节", dt.date(2026, 10, 10): "国庆节"}


def test_a_notice_pasted_as_one_paragraph_reads_the_same():
    one_line = NOTICE_2026.replace("\n", "")
    assert [(i.name, i.holidays, i.workdays) for i in read_notice(one_line).items] == \
           [(i.name, i.holidays, i.workdays) for i in read_notice(NOTICE_2026).items]


def test_a_notice_saved_by_notepad_in_gbk_is_read(tmp_path):
    written, notice = import_notice(tmp_path, NOTICE_2026.encode("gb18030"), "通知.txt")
    assert written is not None and len(notice.items) == 7


def broken(tmp_path, text: str) -> list[str]:
    """The problems of an import that must write nothing."""
    written, notice = import_notice(tmp_path, text.encode("utf-8"), "通知.txt")
    assert written is None and not (tmp_path / "calendar").exists()
    return [problem_line(p) for p in notice.problems]


def test_a_wrong_day_count_names_the_holiday_and_quotes_the_text(tmp_path):
    wrong = SPRING_2026.replace("共9天", "共8天")
    assert broken(tmp_path, NOTICE_2026.replace(SPRING_2026, wrong)) == [
        f"[错误·放假通知有误] 通知.txt / 第9行:“春节”写的是共8天,但列出的放假日期是 9 天(2026-02-15 至 2026-02-23)。原文:“{wrong}”"]


def test_a_makeup_workday_on_a_weekday_is_refused(tmp_path):
    wrong = SPRING_2026.replace("2月28日(周六)", "2月26日(周四)")
    assert broken(tmp_path, NOTICE_2026.replace(SPRING_2026, wrong)) == [
        f"[错误·放假通知有误] 通知.txt / 第9行:“春节”:调休上班日 2026-02-26 是星期四,调休上班日应为周六或周日。原文:“{wrong}”"]


def test_a_stated_weekday_must_match_its_date(tmp_path):
    wrong = SPRING_2026.replace("2月14日(周六)", "2月14日(周日)")
    assert broken(tmp_path, NOTICE_2026.replace(SPRING_2026, wrong)) == [
        f"[错误·放假通知有误] 通知.txt / 第9行:“春节”:2026-02-14 是星期六,原文却写作“周日”。原文:“{wrong}”"]


def test_a_truncated_notice_lists_the_holidays_it_lacks(tmp_path):
    cut = NOTICE_2026[:NOTICE_2026.index("四、劳动节")]
    assert broken(tmp_path, cut) == [
        "[错误·放假通知有误] 通知.txt:没有找到“劳动节”、“端午节”、“中秋节”、“国庆节”的放假安排(读到的最后一项是“三、清明节”)。"
        "通知可能没有复制完整,请核对原文后重新导入。"]


def test_a_notice_cut_inside_an_item_says_which_item(tmp_path):
    cut = NOTICE_2026[:NOTICE_2026.index("至23日")]
    found = broken(tmp_path, cut)
    quote = "原文:“二、春节:2月15日(农历腊月二十八、周日)”"
    assert found[:2] == [f"[错误·放假通知有误] 通知.txt / 第9行:“春节”中的 2026-02-15 读不出是放假还是上班(所在句子没有“放假”“补休”“上班”等字样)。{quote}",
                         f"[错误·放假通知有误] 通知.txt / 第9行:“春节”一项没有读出放假日期。{quote}"]
    assert found[2].startswith("[错误·放假通知有误] 通知.txt:没有找到“清明节”、“劳动节”")


def test_text_without_the_title_or_items_is_refused(tmp_path):
    assert broken(tmp_path, "各省、自治区、直辖市人民政府:\n一、元旦:1月1日放假。") == [
        "[错误·放假通知有误] 通知.txt:没有找到通知标题“国务院办公厅关于XXXX年部分节假日安排的通知”,无法确定年份。请连同标题复制通知全文后再导入。"]


def test_an_existing_year_is_replaced_only_with_force(tmp_path):
    import_notice(tmp_path, NOTICE_2026.encode("utf-8"), "通知.txt")
    path = calendar_path(tmp_path, 2026)
    before = path.read_bytes()
    written, notice = import_notice(tmp_path, NOTICE_2026.encode("utf-8"), "通知.txt")
    assert written is None and path.read_bytes() == before
    assert [p.code for p in notice.problems] == ["calendar-exists"]
    written, _ = import_notice(tmp_path, NOTICE_2026.encode("utf-8"), "通知.txt", force=True,
                               imported=dt.datetime(2026, 11, 27, 9, 0))
    assert written == path and "导入时间 2026-11-27 09:00" in path.read_text(encoding="utf-8")


def test_a_notice_that_differs_from_the_package_is_imported_with_a_warning(tmp_path):
    moved = NOTICE_2026.replace("5月9日(周六)上班", "5月10日(周日)上班")
    written, notice = import_notice(tmp_path, moved.encode("utf-8"), "通知.txt")
    assert written is not None
    assert [problem_line(p) for p in notice.problems] == [
        "[提醒·放假通知说明] 通知.txt:导入的 2026 年数据与 chinesecalendar 内置数据有 2 天不同:2026-05-09、2026-05-10。"
        "以导入的通知为准,请再核对一遍通知原文。"]


# ---------------------------------------------------------------- the commands


def run(workspace, *args, stdin=None):
    return CliRunner().invoke(main, ["--workspace", str(workspace.root), *args], input=stdin, prog_name="xlsx-tracker")


def test_cli_import_writes_the_year_and_shows_it(workspace):
    result = run(workspace, "calendar", "import", str(NOTICES / "2026_as_published.txt"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == f"已导入 2026 年节假日安排:{calendar_path(workspace.master_dir, 2026).resolve()}"
    assert lines[1] == "2026 年节假日安排(数据来源:master_template/calendar/2026.toml)"
    assert "  春节:2月15日(星期日)至2月23日(星期一),共 9 天" in lines
    assert "  2月28日(星期六)(春节调休)" in lines
    assert "  2月:2月20日(星期五) → 2月24日(星期二);2026-02-20为休息日(春节),顺延至下一工作日(《民法典》第二百零三条)" in lines


def test_cli_import_from_pasted_text_with_an_error_exits_1_and_writes_nothing(workspace):
    result = run(workspace, "calendar", "import", "-", stdin=NOTICE_2026.replace("共9天", "共10天"))
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        "错误:放假通知没有导入,未写入任何文件:",
        f"[错误·放假通知有误] 标准输入 / 第9行:“春节”写的是共10天,但列出的放假日期是 9 天(2026-02-15 至 2026-02-23)。"
        f"原文:“{SPRING_2026.replace('共9天', '共10天')}”"]
    assert not (workspace.master_dir / "calendar").exists()


def test_cli_import_of_a_missing_file_is_bad_usage(workspace):
    result = run(workspace, "calendar", "import", "没有这个文件.txt")
    assert result.exit_code == 2 and "错误:'通知文件' 的值无效:找不到文件“没有这个文件.txt”。" in result.output


def test_cli_show_a_known_year_and_a_missing_one(workspace):
    shown = run(workspace, "calendar", "show", "2025")
    assert shown.exit_code == 0
    assert "  国庆节、中秋节:10月1日(星期三)至10月8日(星期三),共 8 天" in shown.output.splitlines()  # one break
    missing = run(workspace, "calendar", "show", "2027")
    assert missing.exit_code == 1 and "calendar import" in missing.output
    provisional = run(workspace, "calendar", "show", "2027", "--assume-weekends").output.splitlines()
    assert provisional[:4] == ["2027 年节假日安排(数据来源:无数据,仅按周末推算,结果暂定)", "", "放假:无数据", ""]
    assert "  2月:2月20日(星期六) → 2月22日(星期一)(暂定);2027-02-20为休息日(周末),顺延至下一工作日(《民法典》第二百零三条)" in provisional


# ---------------------------------------------------------------- the reminder


def test_reminder_from_november_when_next_year_has_no_data():
    line = "提示:还没有 2027 年的节假日数据。国务院通常在11月公布下一年放假安排,公布后请用 `xlsx-tracker calendar import` 导入。"
    assert next_year_reminder(Calendar(), dt.date(2026, 11, 1)) == line
    assert next_year_reminder(Calendar(), dt.date(2026, 10, 31)) is None
    known = Calendar({2027: YearOverride(2027, {dt.date(2027, 1, 1): "元旦"}, frozenset())})
    assert next_year_reminder(known, dt.date(2026, 12, 31)) is None
    assert next_year_reminder(Calendar(), dt.date(2025, 11, 5)) is None  # the package knows 2026


@pytest.mark.parametrize("command", [["split", "--month", "2026-11"], ["deadlines", "--year", "2026"]])
def test_split_and_deadlines_print_the_reminder_once(workspace, monkeypatch, command):
    monkeypatch.setattr(cli_app, "today", lambda *_: dt.date(2026, 11, 26))
    result = run(workspace, *command)
    assert result.exit_code == 0
    assert result.output.count("国务院通常在11月公布下一年放假安排") == 1
    assert result.output.splitlines()[-1].startswith("提示:还没有 2027 年的节假日数据。")


def test_merge_prints_the_reminder_once_and_not_after_the_import(workspace, monkeypatch):
    monkeypatch.setattr(cli_app, "today", lambda *_: dt.date(2026, 11, 26))
    assert run(workspace, "split", "--month", "2026-11", "--unit", "司法局").exit_code == 0
    inbox = workspace.sheets_dir("2026-11")
    merged = run(workspace, "merge", "--month", "2026-11", "--no-report", str(inbox))
    assert merged.exit_code == 0, merged.output
    assert merged.output.count("国务院通常在11月公布下一年放假安排") == 1
    (workspace.master_dir / "calendar").mkdir()
    (workspace.master_dir / "calendar" / "2027.toml").write_text(
        'year = 2027\nholidays = [2027-01-01, 2027-10-01]\n', encoding="utf-8")
    again = run(workspace, "merge", "--month", "2026-11", "--no-report", str(inbox))
    assert again.exit_code == 0 and "国务院通常在11月" not in again.output


def test_a_notice_later_amended_is_imported_with_the_days_it_differs_on(tmp_path):
    """The 2019 notice as first published (劳动节 1 day); the State Council amended it in March 2019 and
    chinesecalendar follows the amendment. Dates of 2018 in the 元旦 item are said, not written."""
    written, notice = import_notice(tmp_path, (NOTICES / "2019_before_the_march_amendment.txt").read_bytes(), "2019.txt")
    assert written is not None
    assert [problem_line(p) for p in notice.problems] == [
        "[提示·放假通知说明] 2019.txt / 第8行:“元旦”中的 2018-12-29、2018-12-30、2018-12-31 属于 2018 年,"
        "与已有的 2018 年数据一致,不写入 2019 年的数据。",
        "[提醒·放假通知说明] 2019.txt:导入的 2019 年数据与 chinesecalendar 内置数据有 4 天不同:"
        "2019-04-28、2019-05-02、2019-05-03、2019-05-05。以导入的通知为准,请再核对一遍通知原文。"]
    holidays = load_calendar(tmp_path)[0].overrides[2019].holidays
    assert min(holidays) == dt.date(2019, 1, 1) and holidays[dt.date(2019, 4, 6)] == "清明节"  # 与周末连休


def test_days_off_and_workdays_in_one_sentence_are_told_apart():
    item, = read_notice("国务院办公厅关于2026年部分节假日安排的通知\n"
                        "七、国庆节:10月1日(周四)至7日(周三)放假调休,共7天,9月20日(周日)、10月10日(周六)上班。").items
    assert (item.holidays[0], item.holidays[-1], len(item.holidays)) == (dt.date(2026, 10, 1), dt.date(2026, 10, 7), 7)
    assert item.workdays == (dt.date(2026, 9, 20), dt.date(2026, 10, 10))


def test_a_local_reprint_with_its_own_requirements_item_is_read(tmp_path):
    reprint = NOTICE_2026.replace("鼓励单位和个人", "八、有关要求:请各单位于12月31日前报送值班表。\n鼓励单位和个人")
    written, notice = import_notice(tmp_path, reprint.encode("utf-8"), "转发.txt")
    assert written is not None and [i.name for i in notice.items][-1] == "国庆节" and notice.problems == []


def test_a_gap_in_the_numbering_is_refused(tmp_path):
    gap = NOTICE_2026.replace("三、清明节", "四、清明节")
    assert broken(tmp_path, gap)[0] == ("[错误·放假通知有误] 通知.txt / 第11行:条目编号从“二、”跳到了“四、”,中间的条目可能缺失或重复。"
                                        "请核对原文:“四、清明节:4月4日(周六)至6日(周一)放假,共3天。”")


@pytest.mark.parametrize("wrapped", [
    SPRING_2026.replace("共9天。", "共9天。\n"),  # the workdays on a line of their own
    SPRING_2026.replace("共9天。", "共9天。\n\n"),  # ... as a paragraph of their own
    SPRING_2026.replace("放假调休", "放假调\n休"),  # a line broken inside a word
    SPRING_2026.replace("2月14日(周六)、", "2月14日(周六)、\n"),  # between two workdays
], ids=["workdays-line", "workdays-paragraph", "mid-word", "between-workdays"])
def test_an_item_wrapped_onto_more_lines_is_read_whole(wrapped):
    spring = read_notice(NOTICE_2026.replace(SPRING_2026, wrapped)).items[1]
    assert spring.workdays == (dt.date(2026, 2, 14), dt.date(2026, 2, 28)) and len(spring.holidays) == 9


def test_advice_to_rest_on_new_years_eve_is_not_a_day_off():
    """The 2024 notice as published: 鼓励……安排职工在除夕(2月9日)休息 — 2 February 9th stayed a workday."""
    notice = read_notice("国务院办公厅关于2024年部分节假日安排的通知\n"
                         "二、春节:2月10日至17日放假调休,共8天。2月4日(星期日)、2月18日(星期日)上班。"
                         "鼓励各单位结合带薪年休假等制度落实,安排职工在除夕(2月9日)休息。")
    spring, = notice.items
    assert dt.date(2024, 2, 9) not in spring.holidays and len(spring.holidays) == 8


def test_workdays_separated_by_a_comma_are_both_workdays():
    item, = read_notice("国务院办公厅关于2026年部分节假日安排的通知\n"
                        "二、春节:2月15日至23日放假调休,共9天。2月14日(周六),2月28日(周六)上班。").items
    assert item.workdays == (dt.date(2026, 2, 14), dt.date(2026, 2, 28))


def test_a_date_neither_off_nor_working_is_refused(tmp_path):
    text = NOTICE_2026.replace("共3天。1月4日(周日)上班。", "共3天。1月4日(周日)另行安排。")
    assert "“元旦”中的 2026-01-04 读不出是放假还是上班" in broken(tmp_path, text)[0]


def test_joined_weekend_counts_in_the_stated_days():
    item, = read_notice("国务院办公厅关于2019年部分节假日安排的通知\n三、清明节:4月5日放假,与周末连休,共3天。").items
    assert item.holidays == (dt.date(2019, 4, 5), dt.date(2019, 4, 6), dt.date(2019, 4, 7))


def test_days_of_the_year_before_that_its_data_contradicts_are_a_warning(tmp_path):
    text = ("国务院办公厅关于2027年部分节假日安排的通知(示例,日期为虚构)\n\n"
            "一、元旦:2026年12月31日至2027年1月2日放假调休,共3天。\n二、春节:2月6日至12日放假调休,共7天。\n"
            "三、清明节:4月5日放假。\n四、劳动节:5月1日至5日放假调休,共5天。\n五、端午节:6月9日放假。\n"
            "六、中秋节:9月15日放假。\n七、国庆节:10月1日至7日放假调休,共7天。\n")
    written, notice = import_notice(tmp_path, text.encode("utf-8"), "通知.txt")
    warning = [problem_line(p) for p in notice.problems if p.code == "notice-other-year-differs"]
    assert written is not None and warning == [
        "[提醒·放假通知说明] 通知.txt / 第3行:“元旦”中的 2026-12-31 属于 2026 年,已有的 2026 年数据与通知不同或没有该年数据;"
        "这几天不会写入 2027 年的数据。请在 master_template/calendar/2026.toml 中按通知改正(没有该文件时,先导入 2026 年的通知)。"]


def test_another_file_of_the_same_year_is_refused(tmp_path):
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "2026_old.toml").write_text("year = 2026\nholidays = [2026-01-01, 2026-10-01]\n", encoding="utf-8")
    assert broken_keeps(tmp_path) == [
        f"[错误·放假通知有误] 通知.txt:{folder / '2026_old.toml'} 也是 2026 年的数据,两个文件只能留一个。"
        "请先删除或改名(扩展名不要用 .toml)后再导入。"]
    assert "2026_old.toml 和 2026x.toml 都是 2026 年的数据" in problem_line(_two_files_loaded(folder))


def broken_keeps(tmp_path) -> list[str]:
    written, notice = import_notice(tmp_path, NOTICE_2026.encode("utf-8"), "通知.txt", force=True)
    assert written is None and not calendar_path(tmp_path, 2026).exists()
    return [problem_line(p) for p in notice.problems]


def _two_files_loaded(folder: Path):
    (folder / "2026x.toml").write_text("year = 2026\nholidays = [2026-01-01, 2026-10-01]\n", encoding="utf-8")
    _, problems = load_calendar(folder.parent)
    return problems[0]


@pytest.mark.parametrize("data, kind", [(b"PK\x03\x04" + bytes(100), "Word 文档或压缩包"), (b"%PDF-1.7\n", "PDF 文件")])
def test_a_word_document_or_pdf_is_refused_as_not_text(tmp_path, data, kind):
    assert broken(tmp_path, "") and import_notice(tmp_path, data, "通知.docx")[1].problems[0].message.startswith(f"这不是文本文件({kind})")


def test_notepad_unicode_and_word_line_breaks_are_read(tmp_path):
    written, notice = import_notice(tmp_path, NOTICE_2026.replace("\n\n", "\x0b").encode("utf-16"), "通知.txt")
    assert written is not None and len(notice.items) == 7


def test_a_title_year_out_of_range_is_refused(tmp_path):
    assert broken(tmp_path, "国务院办公厅关于9999年部分节假日安排的通知\n一、元旦:12月31日放假,与周末连休。") == [
        "[错误·放假通知有误] 通知.txt:通知标题中的年份“9999”不对。请核对通知标题。"]


def test_cli_import_outside_a_workspace_writes_nothing(tmp_path):
    result = CliRunner().invoke(main, ["-w", str(tmp_path), "calendar", "import", str(NOTICES / "2026_as_published.txt")])
    assert result.exit_code == 1 and "中没有总任务清单" in result.output
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- the codes of an import, each with its file and line


def coded(notice):
    return [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in notice.problems]


def test_a_pdf_is_not_text(tmp_path):
    written, notice = import_notice(tmp_path, b"%PDF-1.7\n", "通知.pdf")
    assert written is None and coded(notice) == [("notice-not-text", "通知.pdf", "", "", "error",
                                                  "这不是文本文件(PDF 文件)。请把通知全文(连同标题)复制到记事本,保存为 .txt 后再导入,或用“-”直接粘贴。")]


def test_days_of_the_year_before_are_told_agreeing_or_not(tmp_path):
    written, notice = import_notice(tmp_path, (NOTICES / "2019_before_the_march_amendment.txt").read_bytes(), "2019.txt")
    assert written is not None and coded(notice) == [
        ("notice-other-year", "2019.txt", "", "第8行", "info",
         "“元旦”中的 2018-12-29、2018-12-30、2018-12-31 属于 2018 年,与已有的 2018 年数据一致,不写入 2019 年的数据。"),
        ("notice-differs", "2019.txt", "", "", "warning",
         "导入的 2019 年数据与 chinesecalendar 内置数据有 4 天不同:2019-04-28、2019-05-02、2019-05-03、2019-05-05。以导入的通知为准,请再核对一遍通知原文。"),
    ]


def test_days_of_a_year_without_data_are_a_warning_at_their_line(tmp_path):
    text = ("国务院办公厅关于2027年部分节假日安排的通知(示例,日期为虚构)\n\n"
            "一、元旦:2026年12月31日至2027年1月2日放假调休,共3天。\n二、春节:2月6日至12日放假调休,共7天。\n"
            "三、清明节:4月5日放假。\n四、劳动节:5月1日至5日放假调休,共5天。\n五、端午节:6月9日放假。\n"
            "六、中秋节:9月15日放假。\n七、国庆节:10月1日至7日放假调休,共7天。\n")
    written, notice = import_notice(tmp_path, text.encode("utf-8"), "通知.txt")
    assert written is not None and coded(notice) == [
        ("notice-other-year-differs", "通知.txt", "", "第3行", "warning",
         "“元旦”中的 2026-12-31 属于 2026 年,已有的 2026 年数据与通知不同或没有该年数据;这几天不会写入 2027 年的数据。"
         "请在 master_template/calendar/2026.toml 中按通知改正(没有该文件时,先导入 2026 年的通知)。")]


def test_a_second_file_of_the_year_refuses_the_import(tmp_path):
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "2026_old.toml").write_text("year = 2026\nholidays = [2026-01-01, 2026-10-01]\n", encoding="utf-8")
    written, notice = import_notice(tmp_path, NOTICE_2026.encode("utf-8"), "通知.txt", force=True)
    assert written is None and coded(notice) == [
        ("calendar-duplicate-year", "通知.txt", "", "", "error",
         f"{folder / '2026_old.toml'} 也是 2026 年的数据,两个文件只能留一个。请先删除或改名(扩展名不要用 .toml)后再导入。")]
