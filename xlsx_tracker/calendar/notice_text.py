"""Reading the State Council's notice (国务院办公厅关于XXXX年部分节假日安排的通知) into its items and dates.

The notice is read as published: its title gives the year, each numbered item (一、元旦:……) gives the days off,
the 补休 days and the make-up workdays. Everything the text says about itself is checked: every 共N天 against the
days listed, every stated weekday against its date, every make-up workday is a weekend day, every holiday the
notice announces has its item. A problem names the holiday and quotes the text. Writing the year's calendar file
from a notice read here is holiday_notice's job.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ..base.model import Problem
from ..base.problems import (
    NOTICE_BAD_DATE,
    NOTICE_BAD_RANGE,
    NOTICE_BAD_YEAR,
    NOTICE_CONFLICT,
    NOTICE_COUNT,
    NOTICE_MISSING_HOLIDAY,
    NOTICE_NO_ITEMS,
    NOTICE_NO_YEAR,
    NOTICE_NUMBERING,
    NOTICE_UNPLACED_DATE,
    NOTICE_UNREADABLE,
    NOTICE_WEEKDAY,
    NOTICE_WORKDAY_WEEKDAY,
    problem,
)
from .workdays import WEEKDAYS, weekday_name

# Announced in every notice since 2008; an import that lacks one of them was cut short.
STANDARD_HOLIDAYS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")
NUMERALS = "一二三四五六七八九十"

_TITLE = re.compile(r"(?:国务院办公厅)?关于\s*(\d{4})\s*年\s*部分节假日安排的通知")
_ANNOUNCED = re.compile(r"现将\s*(\d{4})\s*年(.{2,60}?)放假")
_ITEM = re.compile(rf"^\s*([{NUMERALS}]{{1,3}})、\s*([^:。,]{{2,30}}?)\s*:\s*(.*)$")
# A weekday note after a date is short and never holds a bracket: bounded, so that a run of unclosed "(" costs a
# look at a few characters each, never a scan to the end of the text (which made a hostile notice take minutes).
_DATE = re.compile(r"(?:(\d{4})\s*年\s*)?(?:(\d{1,2})\s*月\s*)?(\d{1,2})\s*日(?:\s*\(([^()\n]{0,40})\))?")
_BRACKETED = re.compile(r"\(([^()\n]*)\)")  # innermost: from each "(" the search stops at the next bracket
QUOTE_LIMIT = 300  # an item quoted in a message: a real item is under 150 characters
MAX_BREAK_DAYS = 31  # the longest break ever announced is 9 days; a longer 'A至B' is a typing error, not read day by day
_OFF_WORDS = re.compile("放假|补休|连休|公休|法定节假日")  # not 休息: 鼓励……休息 is advice
_KIND_WORDS = re.compile("放假|补休|连休|公休|法定节假日|上班")
FIRST_YEAR, LAST_YEAR = 2000, 2099
_COUNT = re.compile(r"(?:共|放假)(\d{1,2})天")
_STATED_WEEKDAY = re.compile(r"(?:周|星期)([一二三四五六日天])")


@dataclass(frozen=True)
class Item:
    """One numbered item of the notice: '二、春节:……'."""

    number: str
    name: str  # 春节, or 国庆节、中秋节 for a combined item
    text: str  # the item as published, for messages
    line: int
    holidays: tuple[dt.date, ...]
    workdays: tuple[dt.date, ...]


@dataclass
class HolidayNotice:
    """A notice as read: its year (None when it has no usable one), its title, its holiday items, and every problem found."""

    year: int | None
    title: str
    items: list[Item] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.year is not None and not any(p.severity == "error" for p in self.problems)


# ---------------------------------------------------------------- reading the text


def read_notice(text: str, source: str = "") -> HolidayNotice:
    """The notice's items and every problem its text has with itself."""
    text = _normalized(text)
    title = _TITLE.search(text)
    announced = _ANNOUNCED.search(text)
    year = int(title.group(1)) if title else int(announced.group(1)) if announced else None
    notice = HolidayNotice(year, title.group(0) if title else "")
    if year is None:
        notice.problems.append(problem(NOTICE_NO_YEAR, file=source))
        return notice
    if not FIRST_YEAR <= year <= LAST_YEAR:
        notice.year = None
        notice.problems.append(problem(NOTICE_BAD_YEAR, file=source, year=year))
        return notice
    entries = _entries(text.split("\n"))
    for number, name, body, line_no in entries:
        if _is_holiday_name(name):  # a local reprint may add items such as '八、有关要求'
            notice.items.append(_read_item(notice, source, line_no, number, name, body))
    _check_whole(notice, source, announced, entries)
    return notice


def _normalized(text: str) -> str:
    """Full-width forms folded (NFKC), Word's line breaks as new lines, other control characters dropped, and a
    notice pasted as one paragraph split into one item per line."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub("\r\n?|[\x0b\x0c\u2028\u2029]", "\n", text)
    text = re.sub("[\x00-\x08\x0e-\x1f\x7f]", "", text)
    return re.sub(rf"。[ \t]*([{NUMERALS}]{{1,3}}、)", "。\n\\1", text)


def _entries(lines: list[str]) -> list[list]:
    """[number, name, text, line] of every numbered item, with the lines a web page or Word wrapped it onto."""
    entries: list[list] = []
    current = None
    for line_no, line in enumerate(lines, start=1):
        found = _ITEM.match(line)
        if found:
            number, name, body = found.groups()
            current = [number, name, [body], line_no]  # the parts joined at the end: many wrapped lines stay linear
            entries.append(current)
        elif current is not None and line.strip():
            if _continues(current[2][-1], line.strip()):
                current[2].append(line.strip())
            else:
                current = None  # the closing text: 节假日期间……, 国务院办公厅, the date
    for entry in entries:
        entry[2] = "".join(entry[2])
    return entries


def _continues(last: str, line: str) -> bool:
    """A line belongs to the item above when the item (its last line) stops mid-sentence, or when it lists days
    off or workdays."""
    if not last.rstrip().endswith("。"):
        return True
    return bool(_DATE.search(line) and _KIND_WORDS.search(line)) and not line.startswith(("鼓励", "节假日期间"))


def _quote(number: str, name: str, body: str) -> str:
    """An item as a message quotes it: in full, or its beginning when it is far longer than any real item."""
    quote = f"{number}、{name}:{body.strip()}"
    return quote if len(quote) <= QUOTE_LIMIT else quote[:QUOTE_LIMIT] + "……"


def _is_holiday_name(name: str) -> bool:
    return all(re.fullmatch(r"\S{1,10}[节旦日]", part) for part in re.split(r"[、和]", name.strip()))


def _read_item(notice: HolidayNotice, source: str, line_no: int, number: str, name: str, body: str) -> Item:
    item = _ItemReading(notice, {"file": source, "cell": f"第{line_no}行"}, name.strip(), _quote(number, name, body))
    for sentence in (s for s in re.split(r"[。;]", body) if s.strip()):
        item.read_sentence(sentence)
    if not item.holidays:
        item.say(NOTICE_UNREADABLE)
    return Item(number, item.name, item.quote, line_no, tuple(sorted(set(item.holidays))), tuple(sorted(set(item.workdays))))


class _ItemReading:
    """One item being read sentence by sentence: its days off, its workdays, and the month a bare '3日' is in."""

    def __init__(self, notice: HolidayNotice, where: dict, name: str, quote: str):
        self.notice, self.where, self.name, self.quote = notice, where, name, quote
        self.holidays: list[dt.date] = []
        self.workdays: list[dt.date] = []
        self.month: int | None = None

    def say(self, code: str, **fields) -> None:
        self.notice.problems.append(problem(code, **self.where, name=self.name, text=self.quote, **fields))

    def read_sentence(self, sentence: str) -> None:
        """Each clause is a day-off clause (放假, 补休, 连休) or a workday clause (上班); a clause with dates and
        neither word takes the kind of the clause it leads into ('2月14日(周六),2月28日(周六)上班')."""
        clauses = re.split(",", _BRACKETED.sub(lambda m: m.group(0).replace(",", "、"), sentence))
        kinds = _clause_kinds(["work" if "上班" in c else "off" if _OFF_WORDS.search(c) else None for c in clauses])
        days_off: list[dt.date] = []
        for clause, kind in zip(clauses, kinds, strict=True):
            dates = self.dates(clause)
            if not dates:
                continue
            if kind == "work":
                self.workdays += dates
                for day in (d for d in dates if d.weekday() < 5):
                    self.say(NOTICE_WORKDAY_WEEKDAY, day=day.isoformat(), actual=weekday_name(day))
            elif kind == "off":
                days_off += self.range_or_days(clause, dates)
            elif not sentence.lstrip().startswith("鼓励"):  # 鼓励……在除夕(2月9日)休息 is advice, not a day off
                self.say(NOTICE_UNPLACED_DATE, days="、".join(d.isoformat() for d in dates))
        days_off += _joined_weekend(days_off) if "与周末连休" in sentence else []
        stated = _COUNT.search(sentence)
        if days_off and stated and int(stated.group(1)) != len(set(days_off)):
            self.say(NOTICE_COUNT, stated=stated.group(1), found=len(set(days_off)), days=_span(sorted(set(days_off))))
        self.holidays += days_off

    def dates(self, clause: str) -> list[dt.date]:
        """The dates written in a clause; '至3日' takes the month before it. Stated weekdays are checked."""
        dates = []
        for found in _DATE.finditer(clause):
            year, month_text, day_text, note = found.groups()
            self.month = int(month_text) if month_text else self.month
            try:
                day = dt.date(int(year) if year else self.notice.year, self.month or 0, int(day_text))
                if abs(day.year - self.notice.year) > 1:  # a notice names its own year's days, and a few around it
                    raise ValueError(year)
            except ValueError:
                self.say(NOTICE_BAD_DATE, raw=re.sub(r"\(.*", "", found.group(0)))
                continue
            stated = _STATED_WEEKDAY.search(note or "")
            if stated and WEEKDAYS[day.weekday()] != stated.group(1).replace("天", "日"):
                self.say(NOTICE_WEEKDAY, day=day.isoformat(), actual=weekday_name(day), stated=stated.group(0))
            dates.append(day)
        return dates

    def range_or_days(self, clause: str, dates: list[dt.date]) -> list[dt.date]:
        """'A至B' is every day from A to B; other dates are single days (放假, 补休)."""
        if "至" not in clause or len(dates) < 2:
            return dates
        first, last = dates[0], dates[1]
        if last < first:  # '至' backwards: a month missing or mistyped
            self.say(NOTICE_BAD_RANGE, first=first.isoformat(), last=last.isoformat())
            return []
        if (last - first).days >= MAX_BREAK_DAYS:
            self.say(NOTICE_BAD_DATE, raw=f"{first.isoformat()} 至 {last.isoformat()}")
            return []
        return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)] + dates[2:]


def _clause_kinds(own: list[str | None]) -> list[str | None]:
    """Each clause's kind: its own, else the next clause's that has one, else the previous one's (one pass each way)."""
    after: list[str | None] = [None] * len(own)
    for index in range(len(own) - 1, -1, -1):
        after[index] = own[index] or (after[index + 1] if index + 1 < len(own) else None)
    kinds, before = [], None
    for index, kind in enumerate(own):
        before = kind or before
        kinds.append(after[index] or before)
    return kinds


def _joined_weekend(days: list[dt.date]) -> list[dt.date]:
    """与周末连休: the Saturday and Sunday next to the listed days are part of the break."""
    if not days:
        return []
    joined, before, after = [], min(days) - dt.timedelta(days=1), max(days) + dt.timedelta(days=1)
    while before.weekday() >= 5:
        joined.append(before)
        before -= dt.timedelta(days=1)
    while after.weekday() >= 5:
        joined.append(after)
        after += dt.timedelta(days=1)
    return joined


def _span(days: list[dt.date]) -> str:
    if not days:
        return "无"
    return days[0].isoformat() if len(days) == 1 else f"{min(days).isoformat()} 至 {max(days).isoformat()}"


def _check_whole(notice: HolidayNotice, source: str, announced: re.Match | None, entries: list[list]) -> None:
    """Items numbered without a gap; every holiday the notice announces (and the standard seven) present; no day twice."""
    if not notice.items:
        notice.problems.append(problem(NOTICE_NO_ITEMS, file=source))
        return
    for (before, *_), (after, name, body, line) in zip(entries, entries[1:]):
        if _numeral(after) != _numeral(before) + 1:
            notice.problems.append(problem(NOTICE_NUMBERING, file=source, cell=f"第{line}行", before=before, after=after,
                                           text=_quote(after, name, body)))
    named = {part for item in notice.items for part in re.split(r"[、和]", item.name)}
    expected = list(STANDARD_HOLIDAYS)
    if announced:
        expected += [n for n in re.split(r"[、和]", announced.group(2)) if n and n not in expected]
    missing = [n for n in expected if n not in named]
    if missing:
        last = notice.items[-1]
        notice.problems.append(problem(NOTICE_MISSING_HOLIDAY, file=source, names="、".join(f"“{n}”" for n in missing),
                                       last=f"{last.number}、{last.name}"))
    seen: dict[dt.date, Item] = {}
    for item in notice.items:
        for day in item.holidays + item.workdays:
            if day in seen:
                first = seen[day]
                notice.problems.append(problem(NOTICE_CONFLICT, file=source, cell=f"第{item.line}行", day=day.isoformat(),
                                               text=item.text if first is item else f"{first.text}”和“{item.text}"))
            seen[day] = item


def _numeral(text: str) -> int:
    """一 … 九十九 as a number (十 is 10)."""
    digits = [NUMERALS.index(c) + 1 for c in text]
    if len(digits) == 1:
        return digits[0]
    if text[0] == "十":
        return 10 + digits[1]
    return digits[0] * 10 + (digits[2] if len(digits) > 2 else 0)
