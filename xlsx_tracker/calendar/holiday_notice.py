"""Next year's working-day calendar from the State Council's notice, and what a year's calendar looks like.

A notice read and checked by notice_text becomes master_template/calendar/<year>.toml only when its text has no
error; the file is checked as the loader will read it before it is written, and compared with the days the year
before and chinesecalendar already know. `calendar show` prints a year's breaks, make-up workdays and monthly
deadlines (year_view), and from November on a reminder says when next year has no calendar yet.

The notice comes from outside (a web page pasted, a file saved by someone): it is read as merge reads a return,
within a size bound and in a worker process with a deadline and a memory limit (base.isolate), so that no text
can hang or end the command.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import chinese_calendar

from ..base import isolate
from ..base.model import Problem, TrackerError
from ..base.problems import (
    BAD_CALENDAR,
    CALENDAR_DUPLICATE_YEAR,
    CALENDAR_EXISTS,
    NOTICE_DIFFERS,
    NOTICE_NOT_TEXT,
    NOTICE_OTHER_YEAR,
    NOTICE_OTHER_YEAR_DIFFERS,
    problem,
)
from ..base.sheetio import write_text_atomic
from ..base.tomlfile import decode, read_toml
from .notice_text import HolidayNotice, read_notice
from .workdays import (
    CALENDAR_DIR,
    Calendar,
    Deadline,
    ReportDay,
    chinese_name,
    load_calendar,
    package_knows,
    parse_override,
    weekday_name,
    year_deadlines,
)

MAX_NOTICE_BYTES = 1024 * 1024  # the notice in full is a few thousand characters
NOTICE_TIMEOUT = 20.0  # seconds to read it: a real notice takes milliseconds

# ---------------------------------------------------------------- writing the year's file


def calendar_path(master_dir: Path, year: int) -> Path:
    return Path(master_dir) / CALENDAR_DIR / f"{year}.toml"


def calendar_toml(notice: HolidayNotice, source: str, imported: dt.datetime) -> str:
    """The year's file: every day off and every make-up workday by holiday, each item's text above its dates."""
    lines = [f"# {notice.year} 年法定节假日安排,由 xlsx-tracker calendar import 从国务院办公厅通知导入。",
             f"# 来源:{notice.title or '(无标题)'}({source or '标准输入'}),导入时间 {imported:%Y-%m-%d %H:%M}。",
             "# 请勿手工改动日期;通知有更正时,用更正后的通知重新导入(加 --force)。",
             f"year = {notice.year}", f'source = "{_toml_text(notice.title)}"', "", "[holidays]"]
    for item in notice.items:
        days = [d for d in item.holidays if d.year == notice.year]
        if days:
            lines += [f"# {item.text}", f'"{_toml_text(item.name)}" = [{", ".join(d.isoformat() for d in days)}]']
    lines += ["", "[workdays]  # 调休上班日"]
    for item in notice.items:
        days = [d for d in item.workdays if d.year == notice.year]
        if days:
            lines.append(f'"{_toml_text(item.name)}" = [{", ".join(d.isoformat() for d in days)}]')
    return "\n".join(lines) + "\n"


def _toml_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def import_notice(master_dir: Path, data: bytes, source: str, force: bool = False,
                  imported: dt.datetime | None = None) -> tuple[Path | None, HolidayNotice]:
    """Write master_template/calendar/<year>.toml from the notice (text as Notepad or a paste gives it);
    nothing is written when the text has an error."""
    binary = _binary_kind(data)
    if binary:
        return None, HolidayNotice(None, "", problems=[problem(NOTICE_NOT_TEXT, file=source, kind=binary)])
    notice = read_isolated(data, source)
    if not notice.ok:
        return None, notice
    path = calendar_path(master_dir, notice.year)
    if path.exists() and not force:
        notice.problems.append(problem(CALENDAR_EXISTS, file=source, path=str(path)))
        return None, notice
    existing, _ = load_calendar(master_dir)
    notice.problems += [problem(CALENDAR_DUPLICATE_YEAR, file=source, other=str(other), year=notice.year)
                        for other in _other_files_of_year(master_dir, notice.year, path)]
    content = calendar_toml(notice, source, imported or dt.datetime.now())
    override, invalid = parse_override(content, path.name)  # what the loader will read: checked before it is written
    notice.problems += invalid
    if not notice.ok or override is None:
        return None, notice
    notice.problems += _other_years(notice, existing, source) + _against_package(notice, override, source)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, content)
    return path, notice


def notice_bytes(stream, source: str) -> bytes:
    """The notice's bytes from an open file or standard input: never more than the bound is read."""
    data = stream.read(MAX_NOTICE_BYTES + 1)
    _check_size(data, source)
    return data


def _check_size(data: bytes, source: str) -> None:
    if len(data) > MAX_NOTICE_BYTES:
        raise TrackerError(f"“{source or '标准输入'}”超过 {MAX_NOTICE_BYTES // 1024 // 1024} MB,远超放假通知全文的长度(通常几千字),"
                           "没有读取,未写入任何文件。请只复制通知全文(连同标题)后再导入。")


def read_isolated(data: bytes, source: str) -> HolidayNotice:
    """read_notice in a worker process with a deadline and a memory limit; a text that would hang or exhaust the
    reader is a TrackerError in Chinese, never the end of the command."""
    _check_size(data, source)
    [(_, notice)] = list(isolate.run_isolated(_read, [(data, source)], timeout=NOTICE_TIMEOUT))
    if isinstance(notice, isolate.Failed):
        why = f"超过 {NOTICE_TIMEOUT:g} 秒仍未读完" if notice.reason == "timeout" else f"时读取程序异常退出({notice.detail or notice.reason})"
        raise TrackerError(f"读取放假通知“{source or '标准输入'}”{why},已停止,未写入任何文件。"
                           "请只复制通知全文(连同标题)到记事本,保存后再导入。")
    return notice


def _read(job: tuple[bytes, str]) -> HolidayNotice:
    data, source = job
    return read_notice(decode(data) or "", source)


def _binary_kind(data: bytes) -> str:
    """What a file given by mistake is: a Word document, a PDF, ... ('' for text)."""
    if data[:4] == b"PK\x03\x04":
        return "Word 文档或压缩包"
    if data[:4] == b"%PDF":
        return "PDF 文件"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "旧版 Word 文档"
    if data[:2] not in (b"\xff\xfe", b"\xfe\xff") and b"\x00" in data[:4096]:
        return "二进制文件"
    return ""


def _other_files_of_year(master_dir: Path, year: int, path: Path) -> list[Path]:
    """Other calendar files that declare the same year: the loader would take one of them instead."""
    folder = path.parent
    found = []
    for other in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        if other != path:
            data, problems = read_toml(other, BAD_CALENDAR)
            if not problems and data.get("year") == year:
                found.append(other)
    return found


def _other_years(notice: HolidayNotice, existing: Calendar, source: str) -> list[Problem]:
    """Days of the year before (元旦 from 30 December): not written, but compared with that year's data."""
    found = []
    for item in notice.items:
        days = [(d, False) for d in item.holidays if d.year != notice.year] + [(d, True) for d in item.workdays if d.year != notice.year]
        if not days:
            continue
        other = days[0][0].year
        agree = all(_known_workday(existing, day) == working for day, working in days)
        found.append(problem(NOTICE_OTHER_YEAR if agree else NOTICE_OTHER_YEAR_DIFFERS, file=source, cell=f"第{item.line}行",
                             name=item.name, days="、".join(d.isoformat() for d, _ in sorted(days)), other=other, year=notice.year))
    return found


def _known_workday(calendar: Calendar, day: dt.date) -> bool | None:
    try:
        return calendar.is_workday(day)
    except TrackerError:  # no data for that year
        return None


def _against_package(notice: HolidayNotice, override, source: str) -> list[Problem]:
    """Where chinesecalendar already knows the year, every day is compared: a difference is shown, the notice wins."""
    if not package_knows(notice.year):
        return []
    calendar = Calendar({notice.year: override})
    differing = [day for day in _days_of(notice.year) if calendar.is_workday(day) != chinese_calendar.is_workday(day)]
    if not differing:
        return []
    return [problem(NOTICE_DIFFERS, file=source, year=notice.year, count=len(differing),
                    days="、".join(d.isoformat() for d in differing[:10]) + ("……" if len(differing) > 10 else ""))]


def _days_of(year: int) -> list[dt.date]:
    first = dt.date(year, 1, 1)
    return [first + dt.timedelta(days=i) for i in range((dt.date(year + 1, 1, 1) - first).days)]


# ---------------------------------------------------------------- what a year looks like


@dataclass(frozen=True)
class YearView:
    year: int
    source: str
    holidays: list[tuple[str, list[dt.date]]]  # (holiday, its consecutive days off), in date order
    workdays: list[tuple[dt.date, str]]  # make-up workdays and the holiday each serves
    deadlines: list[Deadline]  # the year's report deadlines (12, or 4 quarterly), with the rule each one applied


def year_view(calendar: Calendar, year: int, monthly_day: int | ReportDay, policy: str) -> YearView:
    """A year's days off grouped into breaks, its make-up workdays, and the monthly deadlines they give."""
    override = calendar.overrides.get(year)
    if override:
        source = f"master_template/{CALENDAR_DIR}/{year}.toml"
    else:
        source = "chinesecalendar 内置数据" if package_knows(year) else "无数据,仅按周末推算,结果暂定"
    breaks: list[tuple[str, list[dt.date]]] = []
    workdays: list[tuple[dt.date, str]] = []
    for day in _days_of(year):
        if calendar.is_workday(day):
            if day.weekday() >= 5:
                workdays.append((day, _workday_name(calendar, day)))
            continue
        name = calendar.holiday_name(day)
        if not name:
            continue
        if breaks and breaks[-1][1][-1] == day - dt.timedelta(days=1):  # one break, even when two festivals share it
            names, days = breaks[-1]
            parts = names.split("、")
            breaks[-1] = ("、".join(parts + [n for n in name.split("、") if n not in parts]), days + [day])
        else:
            breaks.append((name, [day]))
    return YearView(year, source, breaks, workdays, year_deadlines(calendar, year, monthly_day, policy, {}))


def _workday_name(calendar: Calendar, day: dt.date) -> str:
    override = calendar.overrides.get(day.year)
    if override:
        return override.workday_names.get(day, "")
    _, name = chinese_calendar.get_holiday_detail(day)
    return chinese_name(name)


def view_lines(view: YearView) -> list[str]:
    """`calendar show` in Chinese: the breaks, the make-up workdays, the deadlines and the rule each applied."""
    lines = [f"{view.year} 年节假日安排(数据来源:{view.source})", "", "放假:" if view.holidays else "放假:无数据"]
    for name, days in view.holidays:
        span = _day(days[0]) if len(days) == 1 else f"{_day(days[0])}至{_day(days[-1])}"
        lines.append(f"  {name}:{span},共 {len(days)} 天")
    lines += ["", "调休上班:" if view.workdays else "调休上班:无"]
    lines += [f"  {_day(day)}" + (f"({name}调休)" if name else "") for day, name in view.workdays]
    lines += ["", "报送截止日(规定日期 → 实际截止日;所用规则):"]
    for deadline in view.deadlines:
        moved = "" if deadline.deadline == deadline.nominal else f" → {_day(deadline.deadline)}"
        mark = "(暂定)" if deadline.provisional else ""
        lines.append(f"  {deadline.nominal.month}月:{_day(deadline.nominal)}{moved}{mark};{deadline.rule}")
    return lines


def _day(day: dt.date) -> str:
    return f"{day.month}月{day.day}日({weekday_name(day)})"


# ---------------------------------------------------------------- the yearly reminder


def next_year_reminder(calendar: Calendar, today: dt.date) -> str | None:
    """From November on, one line when next year has no calendar yet: January's deadline depends on it."""
    year = today.year + 1
    if today.month < 11 or year in calendar.overrides or package_knows(year):
        return None
    return (f"提示:还没有 {year} 年的节假日数据。国务院通常在11月公布下一年放假安排,"
            f"公布后请用 `xlsx-tracker calendar import` 导入。")
