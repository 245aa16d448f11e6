"""The working-day calendar, deadlines and counting rules."""

import datetime as dt

import holidays
import pytest

from xlsx_tracker.base.model import TrackerError
from xlsx_tracker.calendar.workdays import (
    Calendar,
    ReportDay,
    add_workdays,
    check_rule,
    count_workdays,
    load_calendar,
    make_deadline,
    monthly_deadline,
    parse_override,
    year_deadlines,
)

D = dt.date
OVERRIDE_2027 = """year = 2027
workdays = [2027-02-07, 2027-02-20]
[holidays]
"元旦" = [2027-01-01]
"春节" = [2027-02-06, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12]
"国庆节" = [2027-10-01, 2027-10-04]
"""


def test_known_dates():
    cal = Calendar()
    assert make_deadline(cal, "x", D(2024, 4, 6), "postpone").deadline == D(2024, 4, 7)
    assert make_deadline(cal, "x", D(2026, 2, 20), "postpone").deadline == D(2026, 2, 24)
    assert make_deadline(cal, "x", D(2026, 2, 20), "advance").deadline == D(2026, 2, 14)
    assert cal.is_workday(D(2026, 9, 20)) and D(2026, 9, 20).weekday() == 6
    assert cal.is_workday(D(2024, 10, 12)) and D(2024, 10, 12).weekday() == 5
    assert add_workdays(cal, D(2024, 9, 27), 7) == D(2024, 10, 12)


def test_a_quarterly_report_day_falls_in_the_quarters_last_month_by_the_working_day_rule():
    quarterly = ReportDay(25, quarterly=True)
    assert [monthly_deadline(Calendar(), m, quarterly, "postpone").deadline for m in ("2024-04", "2024-05", "2024-06")] == [
        D(2024, 6, 25)] * 3  # every month of the second quarter reports by its last month's 25th (a Tuesday)
    assert monthly_deadline(Calendar(), "2024-08", quarterly, "postpone").deadline == D(2024, 9, 25)
    assert monthly_deadline(Calendar(), "2026-11", ReportDay(27, True), "postpone").deadline == D(2026, 12, 28)  # a Sunday, moved
    assert [d.label for d in year_deadlines(Calendar(), 2024, quarterly, "postpone", {})] == ["2024-03", "2024-06", "2024-09", "2024-12"]
    assert (quarterly.describe(), quarterly.next_time(), ReportDay(28).describe()) == ("每季度末月25日", "下季度末月25日", "每月28日")


def test_a_quarterly_office_reports_under_the_quarters_last_month_and_steps_back_a_quarter():
    quarterly = ReportDay(25, quarterly=True)
    assert [quarterly.period(m) for m in ("2024-01", "2024-03", "2024-11")] == ["2024-03", "2024-03", "2024-12"]
    assert (quarterly.previous("2024-03"), ReportDay(20).previous("2024-03")) == ("2023-12", "2024-02")
    quarterly.check("2024-06")
    with pytest.raises(TrackerError, match=r"本办按季度报送\(每季度末月25日前\),月份请用季度的最后一个月\(3、6、9、12月\),如 2024-06 即2季度。"):
        quarterly.check("2024-05")


def test_rule_text_names_the_holiday_and_the_law():
    deadline = monthly_deadline(Calendar(), "2026-02", 20, "postpone")
    assert deadline.rule == "2026-02-20为休息日(春节),顺延至下一工作日(《民法典》第二百零三条)"
    assert deadline.describe() == "2026-02-24(星期二)"
    assert monthly_deadline(Calendar(), "2026-09", 20, "postpone").rule == "当日为调休上班日,不调整"


def test_every_day_of_2024_to_2026_agrees_with_the_holidays_package():
    cal = Calendar()
    for year in (2024, 2025, 2026):
        second = holidays.China(years=year)
        day = D(year, 1, 1)
        while day.year == year:
            assert cal.is_workday(day) == second.is_working_day(day), day
            day += dt.timedelta(days=1)


def test_counting_does_not_include_the_start_day():
    cal = Calendar()
    assert count_workdays(cal, D(2024, 9, 27), D(2024, 10, 12)) == 7
    assert count_workdays(cal, D(2024, 5, 6), D(2024, 5, 6)) == 0
    assert count_workdays(cal, D(2024, 5, 6), D(2024, 5, 7)) == 1


def test_checklist_rules():
    cal = Calendar()
    assert check_rule(cal, "合法性审核", D(2024, 3, 4), D(2024, 3, 8))[:2] == (4, False)
    assert check_rule(cal, "合法性审核", D(2024, 3, 4), D(2024, 3, 11))[:2] == (5, True)
    assert check_rule(cal, "合法性审核", D(2024, 5, 6), D(2024, 5, 13))[:2] == (6, True)  # 05-11 is a make-up Saturday
    assert check_rule(cal, "重大行政决策合法性审查", D(2024, 9, 27), D(2024, 10, 12))[:2] == (7, True)


def test_year_without_data_fails_loudly():
    with pytest.raises(TrackerError) as info:
        Calendar().is_workday(D(2027, 3, 1))
    assert "没有 2027 年的法定节假日数据" in str(info.value)
    assert "用 `xlsx-tracker calendar import 文件` 导入" in str(info.value)


def test_assume_weekends_marks_provisional():
    cal = Calendar(assume_weekends=True)
    deadline = monthly_deadline(cal, "2027-02", 20, "postpone")
    assert (deadline.deadline, deadline.provisional) == (D(2027, 2, 22), True)
    assert deadline.describe() == "2027-02-22(星期一)(暂定)"


def test_override_file_beats_the_package_and_covers_2027(tmp_path):
    folder = tmp_path / "calendar"
    folder.mkdir()
    (folder / "2027.toml").write_text(OVERRIDE_2027, encoding="utf-8")
    cal, problems = load_calendar(tmp_path)
    assert problems == []
    deadline = monthly_deadline(cal, "2027-02", 20, "postpone")
    assert (deadline.deadline, deadline.provisional) == (D(2027, 2, 20), False)  # a Saturday make-up workday
    assert make_deadline(cal, "x", D(2027, 2, 6), "postpone").rule.startswith("2027-02-06为休息日(春节)")


def test_override_validation():
    bad = "year = 2027\nholidays = [2027-02-08]\nworkdays = [2027-02-09]\n"
    override, problems = parse_override(bad, "2027.toml")
    messages = [p.message for p in problems]
    assert messages == [
        "2027 年数据不完整:放假日中缺少 2027-01-01。文件必须覆盖全年。",
        "2027 年数据不完整:放假日中缺少 2027-10-01。文件必须覆盖全年。",
        "调休上班日 2027-02-09 是星期二,调休上班日必须是周六或周日。",
    ]


def calendar_files(tmp_path, files: dict[str, str]):
    folder = tmp_path / "calendar"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return load_calendar(tmp_path)


def test_a_calendar_file_that_breaks_names_itself_and_is_not_used(tmp_path):
    cal, problems = calendar_files(tmp_path, {"2027.toml": OVERRIDE_2027.replace("year = 2027", "year = 二〇二七")})
    [broken] = problems
    assert (broken.code, broken.file, broken.sheet, broken.cell, broken.severity) == (
        "bad-calendar", str(tmp_path / "calendar" / "2027.toml"), "", "第1行第8列", "error")
    assert broken.message == "格式错误:值的写法不对(文字要加英文双引号,日期写作 2027-01-01)。请对照 README 中的示例改正。"
    assert cal.overrides == {}


def test_a_calendar_file_without_its_year(tmp_path):
    cal, problems = calendar_files(tmp_path, {"明年.toml": "holidays = [2027-01-01]\n"})
    assert [(p.code, p.file, p.cell, p.message) for p in problems] == [("bad-calendar", "明年.toml", "", "缺少 year = 年份(整数)。")]
    assert cal.overrides == {}


def test_two_files_of_one_year_are_both_refused_by_name(tmp_path):
    cal, problems = calendar_files(tmp_path, {"2027.toml": OVERRIDE_2027, "2027_copy.toml": OVERRIDE_2027})
    assert [(p.code, p.file, p.cell, p.severity, p.message) for p in problems] == [
        ("bad-calendar", "2027_copy.toml", "", "error",
         "2027.toml 和 2027_copy.toml 都是 2027 年的数据,只能保留一个。请删除或改名(扩展名不要用 .toml)其中一个。")]
