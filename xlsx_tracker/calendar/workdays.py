"""The official working-day calendar (holidays and 调休), deadlines and working-day counts."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import chinese_calendar

from ..base.model import Problem, TrackerError
from ..base.problems import BAD_CALENDAR, problem
from ..base.tomlfile import read_toml

CALENDAR_DIR = "calendar"
WEEKDAYS = "一二三四五六日"
HOLIDAY_NAMES = {
    "New Year's Day": "元旦", "Spring Festival": "春节", "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节", "Dragon Boat Festival": "端午节", "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节", "Anti-Fascist 70th Day": "抗战胜利纪念日",
}
POLICY_TEXT = {
    "postpone": "顺延至下一工作日(《民法典》第二百零三条)",
    "advance": "提前至前一工作日",
}
# Counting rules written in the checklist: (minimum, maximum) working days.
CHECKLIST_RULES = {
    "合法性审核": (5, 15),
    "重大行政决策合法性审查": (7, None),
    "执法决定公示": (None, 20),
    "许可处罚决定公示": (None, 7),
}


def weekday_name(day: dt.date) -> str:
    return f"星期{WEEKDAYS[day.weekday()]}"


@dataclass(frozen=True)
class YearOverride:
    """A whole year's calendar from master_template/calendar/<year>.toml."""

    year: int
    holidays: dict[dt.date, str]
    workdays: frozenset[dt.date]
    workday_names: dict[dt.date, str] = field(default_factory=dict)  # make-up workday -> the holiday it serves


@dataclass(frozen=True)
class Deadline:
    label: str
    nominal: dt.date
    deadline: dt.date
    rule: str
    provisional: bool

    def describe(self) -> str:
        mark = "(暂定)" if self.provisional else ""
        return f"{self.deadline.isoformat()}({weekday_name(self.deadline)}){mark}"


@dataclass
class Calendar:
    overrides: dict[int, YearOverride] = field(default_factory=dict)
    assume_weekends: bool = False
    provisional_years: set[int] = field(default_factory=set)

    def is_workday(self, day: dt.date) -> bool:
        override = self.overrides.get(day.year)
        if override:
            if day in override.workdays:
                return True
            return day not in override.holidays and day.weekday() < 5
        if package_knows(day.year):
            return chinese_calendar.is_workday(day)
        if self.assume_weekends:
            self.provisional_years.add(day.year)
            return day.weekday() < 5
        raise TrackerError(missing_year_message(day.year))

    def holiday_name(self, day: dt.date) -> str:
        override = self.overrides.get(day.year)
        if override:
            return override.holidays.get(day, "")
        if package_knows(day.year):
            _, name = chinese_calendar.get_holiday_detail(day)
            return chinese_name(name)
        return ""

    def rest_reason(self, day: dt.date) -> str:
        return self.holiday_name(day) or ("周末" if day.weekday() >= 5 else "休息日")

    def is_provisional(self, *days: dt.date) -> bool:
        return any(d.year in self.provisional_years for d in days)

    def next_workday(self, day: dt.date, step: int = 1) -> dt.date:
        day += dt.timedelta(days=step)
        while not self.is_workday(day):
            day += dt.timedelta(days=step)
        return day


def chinese_name(name: str | None) -> str:
    """chinesecalendar's English holiday name in Chinese."""
    return HOLIDAY_NAMES.get(name, name or "")


def package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def missing_year_message(year: int) -> str:
    return (
        f"没有 {year} 年的法定节假日数据(chinesecalendar 目前只覆盖 2004–2026 年)。"
        f"国务院办公厅公布 {year} 年部分节假日安排的通知后,把通知全文存为文本文件,"
        f"用 `xlsx-tracker calendar import 文件` 导入(参见 README“截止日与节假日数据”一节);"
        f"或加 --assume-weekends 仅按周末推算,结果将标注“暂定”。"
    )


def load_calendar(master_dir: Path, assume_weekends: bool = False) -> tuple[Calendar, list[Problem]]:
    overrides: dict[int, YearOverride] = {}
    sources: dict[int, str] = {}
    problems: list[Problem] = []
    folder = Path(master_dir) / CALENDAR_DIR
    for path in sorted(folder.glob("*.toml")) if folder.exists() else []:
        data, found = read_toml(path, BAD_CALENDAR)
        override, invalid = (None, []) if found else override_from(data, path.name)
        found += invalid
        problems += found
        if override and not found:
            if override.year in sources:  # which one would win depends on file names: refuse both
                problems.append(problem(BAD_CALENDAR, file=path.name, detail=f"{sources[override.year]} 和 {path.name} "
                                        f"都是 {override.year} 年的数据,只能保留一个。请删除或改名(扩展名不要用 .toml)其中一个。"))
            sources[override.year] = path.name
            overrides[override.year] = override
    return Calendar(overrides, assume_weekends), problems


def parse_override(text: str, where: str) -> tuple[YearOverride | None, list[Problem]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return None, [problem(BAD_CALENDAR, file=where, detail=f"节假日文件格式错误:{exc}")]
    return override_from(data, where)


def override_from(data: dict, where: str) -> tuple[YearOverride | None, list[Problem]]:
    year = data.get("year")
    if not isinstance(year, int):
        return None, [problem(BAD_CALENDAR, file=where, detail="缺少 year = 年份(整数)。")]
    holidays = _dated(data.get("holidays", {}))
    named_workdays = _dated(data.get("workdays", []))
    workdays = frozenset(named_workdays)
    problems = [problem(BAD_CALENDAR, file=where, detail=message) for message in _override_errors(year, holidays, workdays)]
    return YearOverride(year, holidays, workdays, {d: n for d, n in named_workdays.items() if n}), problems


def _dated(groups) -> dict[dt.date, str]:
    """holidays and workdays may each be a list of dates or a table {节日名 = [dates]}."""
    if isinstance(groups, list):
        groups = {"": groups}
    return {day: name for name, days in groups.items() for day in days if isinstance(day, dt.date)}


def _override_errors(year: int, holidays: dict, workdays: frozenset) -> list[str]:
    errors = []
    for required in (dt.date(year, 1, 1), dt.date(year, 10, 1)):
        if required not in holidays:
            errors.append(f"{year} 年数据不完整:放假日中缺少 {required.isoformat()}。文件必须覆盖全年。")
    for day in sorted(set(holidays) | workdays):
        if day.year != year:
            errors.append(f"{day.isoformat()} 不属于 {year} 年。")
    for day in sorted(workdays):
        if day.weekday() < 5:
            errors.append(f"调休上班日 {day.isoformat()} 是{weekday_name(day)},调休上班日必须是周六或周日。")
        if day in holidays:
            errors.append(f"{day.isoformat()} 同时列为放假日和调休上班日。")
    return errors


def move_to_workday(calendar: Calendar, nominal: dt.date, policy: str) -> tuple[dt.date, str]:
    if calendar.is_workday(nominal):
        kind = "调休上班日" if nominal.weekday() >= 5 else "工作日"
        return nominal, f"当日为{kind},不调整"
    step = 1 if policy == "postpone" else -1
    moved = calendar.next_workday(nominal, step)
    reason = calendar.rest_reason(nominal)
    return moved, f"{nominal.isoformat()}为休息日({reason}),{POLICY_TEXT[policy]}"


def make_deadline(calendar: Calendar, label: str, nominal: dt.date, policy: str) -> Deadline:
    deadline, rule = move_to_workday(calendar, nominal, policy)
    return Deadline(label, nominal, deadline, rule, calendar.is_provisional(nominal, deadline))


@dataclass(frozen=True)
class ReportDay:
    """When progress is due: day N of every month (每月20日前), or of a quarter's last month (每季度末月25日前)."""

    day: int = 20
    quarterly: bool = False

    WRITTEN = re.compile(r"^\s*每\s*(月|季度末月|季末月|季度最后一个月)\s*(\d{1,2})\s*[日号]\s*(前|之前|以前)?\s*$")

    @classmethod
    def of(cls, day: int | ReportDay) -> ReportDay:
        """A report day, from a bare monthly day too (每月N日)."""
        return day if isinstance(day, ReportDay) else cls(day)

    @classmethod
    def parse(cls, text: str) -> ReportDay | None:
        """每月28日前 / 每季度末月25日前 as an office writes it; None when it is neither (or the day is past 28)."""
        found = cls.WRITTEN.match(str(text))
        if not found or not 1 <= int(found.group(2)) <= 28:
            return None
        return cls(int(found.group(2)), found.group(1) != "月")

    def describe(self) -> str:
        return f"每{'季度末月' if self.quarterly else '月'}{self.day}日"

    def next_time(self) -> str:
        """When the next report is due, in a sentence: 下月20日 / 下季度末月25日."""
        return f"下{'季度末月' if self.quarterly else '月'}{self.day}日"

    def nominal(self, month: str) -> dt.date:
        """The day a month's report is due before the working-day rule: a quarterly one in its quarter's last month."""
        year, number = parse_month(self.period(month))
        return dt.date(year, number, self.day)

    def months(self, year: int) -> list[str]:
        """The year's report periods, each named by its month (a quarter by its last month: 2024-06 is the second)."""
        return [f"{year}-{m:02d}" for m in ((3, 6, 9, 12) if self.quarterly else range(1, 13))]

    def period(self, month: str) -> str:
        """The report period a month falls in: itself, or its quarter's last month."""
        year, number = parse_month(month)
        return f"{year}-{-(-number // 3) * 3 if self.quarterly else number:02d}"

    def previous(self, month: str) -> str:
        """The period before: last month, or the last month of the quarter before."""
        for _ in range(3 if self.quarterly else 1):
            month = previous_month(month)
        return month

    def check(self, month: str) -> None:
        """A quarterly office reports once a quarter, under the quarter's last month: any other month is refused."""
        period = self.period(month)
        if period != month:
            raise TrackerError(f"本办按季度报送({self.describe()}前),月份请用季度的最后一个月(3、6、9、12月),"
                               f"如 {period} 即{parse_month(period)[1] // 3}季度。")


def monthly_deadline(calendar: Calendar, month: str, day: int | ReportDay, policy: str) -> Deadline:
    return make_deadline(calendar, month, ReportDay.of(day).nominal(month), policy)


def year_deadlines(calendar: Calendar, year: int, day: int | ReportDay, policy: str,
                   one_offs: dict[str, dt.date]) -> list[Deadline]:
    report_day = ReportDay.of(day)
    deadlines = [monthly_deadline(calendar, month, report_day, policy) for month in report_day.months(year)]
    for label, nominal in one_offs.items():
        if nominal and nominal.year == year:
            deadlines.append(make_deadline(calendar, label, nominal, policy))
    return deadlines


def add_workdays(calendar: Calendar, start: dt.date, count: int) -> dt.date:
    """The count-th working day after start; counting begins the day after start."""
    day = start
    for _ in range(count):
        day = calendar.next_workday(day)
    return day


def count_workdays(calendar: Calendar, start: dt.date, end: dt.date) -> int:
    """Working days after start up to and including end (start itself does not count)."""
    if end < start:
        return -count_workdays(calendar, end, start)
    days = (end - start).days
    return sum(calendar.is_workday(start + dt.timedelta(days=i)) for i in range(1, days + 1))


def check_rule(calendar: Calendar, rule: str, start: dt.date, end: dt.date) -> tuple[int, bool, str]:
    low, high = CHECKLIST_RULES[rule]
    days = count_workdays(calendar, start, end)
    ok = (low is None or days >= low) and (high is None or days <= high)
    bounds = "".join([f"不少于{low}个工作日" if low else "", f"不超过{high}个工作日" if high else ""])
    verdict = "符合" if ok else "不符合"
    return days, ok, f"{rule}:{start.isoformat()} 至 {end.isoformat()} 共 {days} 个工作日,要求{bounds},{verdict}"


MONTH_FORMS = "2024-05、2024-5、2024/05、2024.5、202405、2024年5月"
_MONTH = re.compile(r"^\s*(\d{4})\s*(?:[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月?|(\d{2}))\s*$")


def normalize_month(text: str) -> str:
    """Every way people write a month, as YYYY-MM: 2024-5, 2024/05, 202405, 2024年5月 -> 2024-05."""
    found = _MONTH.match(unicodedata.normalize("NFKC", str(text or "")))
    number = int(next((g for g in found.groups()[1:] if g), "0")) if found else 0
    if not found or not 1 <= number <= 12 or not 2000 <= int(found.group(1)) <= 2099:
        raise ValueError(f"月份“{text}”格式不对。可以写作:{MONTH_FORMS}")
    return f"{found.group(1)}-{number:02d}"


def parse_month(month: str) -> tuple[int, int]:
    year, number = normalize_month(month).split("-")
    return int(year), int(number)


def month_label(month: str) -> str:
    year, number = parse_month(month)
    return f"{year}年{number}月"


def previous_month(month: str) -> str:
    year, number = parse_month(month)
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"
