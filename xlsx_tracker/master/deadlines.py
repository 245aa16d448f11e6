"""A task's own deadline, typed from its words: once (a date), recurring (a report day that comes back), or ongoing.

“2024年6月底前”, “6月底完成” → once, the last working day of June by the calendar; “12月31日前” → that day (the
working day before it when it is a rest day); “每月28日前”, “每季度”, “每半年” → recurring; “长期坚持”, “持续推进” →
ongoing. Only the deadline's own words are read: a target inside the task (“到2020年”) is not a deadline.
"""

from __future__ import annotations

import calendar as month_days
import datetime as dt
import re
from dataclasses import dataclass

from ..base.model import TrackerError

ONCE, RECURRING, ONGOING = "once", "recurring", "ongoing"
KIND_TEXT = {ONCE: "一次性", RECURRING: "定期", ONGOING: "长期"}

_ONGOING = re.compile(r"长期|持续|常态|经常|贯穿|全年|逐年|每年持续")
_RECURRING = re.compile(r"每(个)?(月|季度?|半年|年|周|旬)|按月|按季|逐月|逐季")
_NUMERIC = re.compile(r"(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})")  # 2024-06-30, 2024.6.30, an Excel date cell
_QUARTER = re.compile(r"(?:(\d{4})\s*年)?\s*第?([一二三四1-4])\s*季度")
_HALF = re.compile(r"(?:(\d{4})\s*年)?\s*(上|下)半年")
QUARTERS = {"一": 3, "二": 6, "三": 9, "四": 12, "1": 3, "2": 6, "3": 9, "4": 12}
_DATE = re.compile(r"(?:(\d{4})\s*年)?\s*(\d{1,2})\s*月\s*(底|末|上旬|中旬|下旬|(\d{1,2})\s*日)?")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:底|末|年底|内|前|完成|$)|^(?:年底|年内)")


@dataclass(frozen=True)
class TaskDeadline:
    kind: str  # once, recurring or ongoing
    date: dt.date | None
    text: str  # as written
    understood: bool = True  # False: the words were not a deadline this reads (kept as ongoing, and said)

    def as_json(self) -> dict:
        return {"kind": self.kind, "date": self.date.isoformat() if self.date else None, "text": self.text}

    def describe(self) -> str:
        if self.kind == ONCE and self.date:
            return f"{self.date.isoformat()}前({self.text})"
        return f"{KIND_TEXT[self.kind]}({self.text})" if self.text else KIND_TEXT[self.kind]


def task_deadline(task) -> TaskDeadline:
    """A master's task's deadline: its date as fixed at import (完成日期), else the kind its words give."""
    if task.due:
        return TaskDeadline(ONCE, dt.date.fromisoformat(task.due), task.deadline)
    typed = typed_deadline(task.deadline, 2000)
    return TaskDeadline(typed.kind if typed.kind != ONCE else ONGOING, None, task.deadline, typed.understood)


def typed_deadline(text: str, year: int, workday=None) -> TaskDeadline:
    """The deadline the words give; year for a date written without one; workday(date) -> bool (the calendar), or
    None to take dates as written."""
    words = re.sub(r"\s+", "", text or "")
    if not words:
        return TaskDeadline(ONGOING, None, "", understood=True)
    dates = _dates(words, year, workday)
    if dates:
        return TaskDeadline(ONCE, max(dates), text.strip())  # several stages: the task is done by the last
    if _RECURRING.search(words):
        return TaskDeadline(RECURRING, None, text.strip())
    if _ONGOING.search(words):
        return TaskDeadline(ONGOING, None, text.strip())
    return TaskDeadline(ONGOING, None, text.strip(), understood=False)


def _dates(words: str, year: int, workday) -> list[dt.date]:
    if _RECURRING.search(words) and not re.search(r"\d{4}年", words):
        return []  # 每月28日前: a report day, not a date
    found = [_before(_day(int(y), int(m), int(d)), workday) for y, m, d in _NUMERIC.findall(words) if _day(int(y), int(m), int(d))]
    words = _NUMERIC.sub("", words)
    for year_text, quarter in _QUARTER.findall(words):
        month = QUARTERS[quarter]
        found.append(_before(dt.date(int(year_text or year), month, month_days.monthrange(int(year_text or year), month)[1]), workday))
    for year_text, half in _HALF.findall(words):
        found.append(_before(dt.date(int(year_text or year), 6, 30) if half == "上" else dt.date(int(year_text or year), 12, 31), workday))
    words = _HALF.sub("", _QUARTER.sub("", words))
    for match in _DATE.finditer(words):
        y, month, part, day = match.group(1), int(match.group(2)), match.group(3) or "底", match.group(4)
        if not 1 <= month <= 12:
            continue
        y = int(y) if y else year
        if day:
            found.append(_before(dt.date(y, month, min(int(day), month_days.monthrange(y, month)[1])), workday))
        elif part == "上旬":
            found.append(_before(dt.date(y, month, 10), workday))
        elif part == "中旬":
            found.append(_before(dt.date(y, month, 20), workday))
        else:
            found.append(_before(dt.date(y, month, month_days.monthrange(y, month)[1]), workday))
    if not found:
        for match in _YEAR_END.finditer(words):
            y = int(match.group(1)) if match.group(1) else year
            found.append(_before(dt.date(y, 12, 31), workday))
    return found


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _before(day: dt.date, workday) -> dt.date:
    """day, or the working day before it: a task due “by” a day that is a rest day is due on the last working day."""
    if workday is None:
        return day
    try:
        for _ in range(31):
            if workday(day):
                return day
            day -= dt.timedelta(days=1)
    except TrackerError:  # no holiday data for that year: the date as written
        pass
    return day
