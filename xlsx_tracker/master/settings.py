"""Workspace settings: master_template/settings.toml, with validated defaults."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..base.model import Problem
from ..base.problems import BAD_SETTINGS, BAD_TIMEZONE, SETTINGS_INCOMPLETE, problem
from ..base.tomlfile import read_toml
from ..calendar.workdays import ReportDay

SETTINGS_FILE = "settings.toml"
STATUSES = ("未启动", "推进中", "已完成", "无此情形(已作说明)")
VETO_STATUSES = ("未发生", "已发生")
POLICIES = {"postpone": "顺延", "advance": "提前"}
DEFAULT_TIMEZONE = "Asia/Shanghai"
BEIJING = dt.timezone(dt.timedelta(hours=8), DEFAULT_TIMEZONE)  # China keeps no summer time: the zone without tzdata


@dataclass(frozen=True)
class Scoring:
    status_progress: dict[str, float] = field(
        default_factory=lambda: {"未启动": 0, "推进中": 50, "已完成": 100, "无此情形(已作说明)": 100}
    )
    progress_points: float = 60
    on_time_points: float = 20
    late_points: float = 10
    quality_points: float = 20
    points_per_problem: float = 2
    stalled_cycles: int = 2
    count_unreviewed_as_done: bool = True  # a claim 待审核 counts as done before the office reviews it (已退回 never does)


@dataclass(frozen=True)
class Lights:
    """The monthly 亮灯 rules: what makes a unit red or yellow (printed on the report's 说明)."""

    red_veto_declared: bool = True  # a unit that declares a veto situation (已发生) is red, and never praised
    red_not_returned: bool = True
    red_overdue: bool = True  # an unfinished item past its 预计完成时间
    red_stalled_cycles: int = 2  # the same item 未启动 this many months running
    yellow_late: bool = True
    yellow_stale: bool = True  # 本月进展未更新
    yellow_slipped: bool = True  # 预计完成时间 moved later
    yellow_errors: bool = True  # errors in the return
    yellow_returned: bool = True  # a claim the office returned in review (已退回): chased, so never praised
    yellow_behind_points: float = 10  # behind the time-elapsed pace (序时进度) by at least this many points
    red_behind_points: float = 30
    pace_start: dt.date = dt.date(2024, 4, 1)  # the campaign the pace is measured over
    pace_end: dt.date = dt.date(2024, 12, 31)
    watch_reds: int = 3  # consecutive red months that put a unit on the 约谈/挂牌督办 list


@dataclass(frozen=True)
class Answers:
    """What an answer needs before it counts (printed on the report's 说明): an empty answer earns nothing."""

    explain_not_applicable: bool = True  # 无此情形(已作说明) needs its reason in 本月工作进展, else not adopted (error)
    progress_for_done: bool = True  # 已完成 needs 本月工作进展, else counted as 推进中 until explained (warning)
    account_for_veto: bool = True  # 已发生 on a veto item needs its account in 本月工作进展 (error; still declared)
    blank_form_is_missing: bool = True  # a workbook returned untouched is 报送空表: not a submission, not on time


@dataclass(frozen=True)
class BulletinHead:
    """The 通报's 版头 (GB/T 9704-2012 7.2): the red 发文机关标志, the 发文字号 and the red separator line. Off by default."""

    header: bool = False  # print the 版头 above the title
    issuer_mark: str = ""  # 发文机关标志 (the issuing office's name + 文件); a 版头 is printed only with one
    number: str = ""  # 发文字号 as printed (代字〔年份〕序号号); empty: no number line


@dataclass(frozen=True)
class Mail:
    """The office mailbox: IMAP to fetch the returns, SMTP to send receipts and reminders. No password here."""

    host: str = "imap.163.com"
    port: int = 993
    user: str = ""
    folder: str = "INBOX"
    tls: bool = True
    smtp_host: str = "smtp.163.com"
    smtp_port: int = 465
    smtp_security: str = "ssl"  # ssl, starttls or none


# The work every paper is titled by, unless settings.toml [plan] work names another (优化营商环境, 河长制…): the
# checklist this tool was made for, the same in every district that runs it.
DEFAULT_WORK = "法治政府建设示范创建"


@dataclass(frozen=True)
class TaskList:
    """How an imported task list is read: whether 配合 units report on a task too, and the year its dates fall in."""

    cooperating_report: bool = True  # 配合 units report on the task too (their rows marked 【配合】); false: only 牵头 and 责任 units
    year: int = 0  # the year of a deadline written without one (6月底前); 0: the year of the import


@dataclass(frozen=True)
class Web:
    """The local page (xlsx-tracker serve). A password lets colleagues on the office network open it (--host 0.0.0.0)."""

    password: str = ""


@dataclass(frozen=True)
class Settings:
    """The office's own facts and rules. Every fact of an office (its name, district, plan and 文号, contact) comes
    from settings.toml; the defaults here are blank so that nothing of one office shows up in another's papers."""

    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    office: str = ""
    district: str = ""
    plan_title: str = ""  # the plan the checklist belongs to, e.g. 《……实施方案》 without the book-title marks
    plan_number: str = ""  # its 文号, as printed on the plan
    work: str = DEFAULT_WORK  # the work the papers are titled by: “2024年5月{work}工作调度报告”
    monthly_day: int = 20  # the report day: day N of each month, or of a quarter's last month when quarterly
    quarterly: bool = False
    policy: str = "postpone"
    liaison_deadline: dt.date | None = None
    timezone: str = DEFAULT_TIMEZONE  # the office's clock: receipt times, deadlines and printed times, whatever the PC is set to
    scoring: Scoring = field(default_factory=Scoring)
    lights: Lights = field(default_factory=Lights)
    answers: Answers = field(default_factory=Answers)
    mail: Mail = field(default_factory=Mail)
    bulletin: BulletinHead = field(default_factory=BulletinHead)
    web: Web = field(default_factory=Web)
    tasks: TaskList = field(default_factory=TaskList)
    aliases: dict[str, str] = field(default_factory=dict)  # [aliases] a name as written -> the unit it means
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # [groups] a collective name -> its member units

    @property
    def report_day(self) -> ReportDay:
        return ReportDay(self.monthly_day, self.quarterly)

    def plan_basis(self) -> str:
        """根据《实施方案》(文号)要求, — the opening of a notice; empty when the settings name no plan (a warning says so)."""
        title = self.plan_title.strip().removeprefix("《").removesuffix("》")  # written with its marks or without
        number = self.plan_number.strip().removeprefix("(").removesuffix(")")
        if not title:
            return f"根据{number}要求," if number else ""
        return f"根据《{title}》" + (f"({number})" if number else "") + "要求,"

    @property
    def zone(self) -> dt.tzinfo:
        return office_zone(self.timezone)

    def now(self) -> dt.datetime:
        """The office's wall-clock time now, to the second, without zone: how the ledger and the papers keep times."""
        return office_time(dt.datetime.now(dt.UTC), self.zone)


@lru_cache(maxsize=16)
def office_zone(name: str) -> dt.tzinfo:
    """The zone of that name; Asia/Shanghai is known even where the system has no zone data (Windows without tzdata)."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        if name == DEFAULT_TIMEZONE:
            return BEIJING
        raise


def office_time(stamp: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """A moment as the office's wall-clock time, to the second, without zone. A time without zone is this computer's
    local time (a file's time, the standard library's mail dates): converted as such."""
    return stamp.astimezone(zone).replace(tzinfo=None, microsecond=0)


def office_text(text: str, zone: dt.tzinfo) -> str:
    """An ISO time written by this computer (with its offset, or without as its local time) as the office's time;
    a date alone, or anything that is not a time, as it is."""
    if len(text) <= 10:
        return text
    try:
        return office_time(dt.datetime.fromisoformat(text), zone).isoformat(sep=" ")
    except (ValueError, OverflowError, OSError):
        return text


def load_settings(folder: Path) -> tuple[Settings, list[Problem]]:
    path = Path(folder) / SETTINGS_FILE
    if not path.exists():
        return Settings(), [_incomplete(Settings(), str(path))]  # every fact is missing
    data, problems = read_toml(path, BAD_SETTINGS)
    if problems:
        return Settings(), problems
    settings, problems = _settings_from(data, str(path))
    missing = _incomplete(settings, str(path))
    return settings, [*problems, *([missing] if missing else [])]


# the office's facts its papers print; a blank one leaves a gap in a 通报 (a workspace made before [plan] existed)
OFFICE_FACTS = [("plan_title", "实施方案名称([plan] 中的 title)"), ("plan_number", "实施方案文号([plan] 中的 number)"),
                ("office", "办公室名称([contact] 中的 office)"), ("contact_name", "联系人([contact] 中的 name)"),
                ("contact_phone", "联系电话([contact] 中的 phone)")]
ISSUER_MARK = "发文机关标志([bulletin] 中的 issuer_mark,header = true 时必填)"


def _incomplete(settings: Settings, where: str) -> Problem | None:
    missing = [label for name, label in OFFICE_FACTS if not getattr(settings, name)]
    if settings.bulletin.header and not settings.bulletin.issuer_mark.strip():  # the 通报 is then printed without a 版头
        missing.append(ISSUER_MARK)
    return problem(SETTINGS_INCOMPLETE, file=where, missing="、".join(missing)) if missing else None


def _report_day(deadline: dict, where: str, problems: list[Problem]) -> ReportDay:
    """[deadline] report_day = "每季度末月25日前" as the office writes it, or the older monthly_day = 20."""
    if "report_day" in deadline:
        found = ReportDay.parse(deadline["report_day"])
        if found is None:
            problems.append(problem(BAD_SETTINGS, file=where, detail=f"deadline.report_day 应写成“每月20日前”或“每季度末月25日前”"
                                                                     f"(日期为 1–28),现为“{deadline['report_day']}”"))
        return found or ReportDay()
    day = deadline.get("monthly_day", 20)
    if not isinstance(day, int) or not 1 <= day <= 28:
        problems.append(problem(BAD_SETTINGS, file=where, detail=f"deadline.monthly_day 应为 1–28 的整数,现为“{day}”"))
        day = 20
    return ReportDay(day)


def _settings_from(data: dict, where: str) -> tuple[Settings, list[Problem]]:
    problems: list[Problem] = []
    contact, deadline, scoring, plan = (data.get(k, {}) for k in ("contact", "deadline", "scoring", "plan"))
    policy = deadline.get("policy", "postpone")
    if policy not in POLICIES:
        problems.append(problem(BAD_SETTINGS, file=where, detail=f"deadline.policy 只能是 postpone(顺延)或 advance(提前),现为“{policy}”"))
        policy = "postpone"
    report_day = _report_day(deadline, where, problems)
    base = Scoring()
    progress = {**base.status_progress, **scoring.get("status_progress", {})}
    unknown = sorted(set(progress) - set(STATUSES))
    if unknown:
        problems.append(problem(BAD_SETTINGS, file=where, detail=f"scoring.status_progress 含未知状态:{'、'.join(unknown)}"))
    settings = Settings(
        timezone=_timezone(data.get("timezone", DEFAULT_TIMEZONE), where, problems),
        contact_name=contact.get("name", Settings.contact_name),
        contact_phone=str(contact.get("phone", Settings.contact_phone)),
        contact_email=contact.get("email", Settings.contact_email),
        office=contact.get("office", Settings.office),
        district=data.get("district", Settings.district),
        plan_title=plan.get("title", Settings.plan_title),
        plan_number=plan.get("number", Settings.plan_number),
        work=str(plan.get("work", DEFAULT_WORK)).strip().removesuffix("工作") or DEFAULT_WORK,
        monthly_day=report_day.day,
        quarterly=report_day.quarterly,
        policy=policy,
        liaison_deadline=deadline.get("liaison", Settings.liaison_deadline),
        scoring=Scoring(
            status_progress={k: v for k, v in progress.items() if k in STATUSES},
            progress_points=scoring.get("progress_points", base.progress_points),
            on_time_points=scoring.get("on_time_points", base.on_time_points),
            late_points=scoring.get("late_points", base.late_points),
            quality_points=scoring.get("quality_points", base.quality_points),
            points_per_problem=scoring.get("points_per_problem", base.points_per_problem),
            stalled_cycles=scoring.get("stalled_cycles", base.stalled_cycles),
            count_unreviewed_as_done=scoring.get("count_unreviewed_as_done", base.count_unreviewed_as_done),
        ),
        lights=_lights_from(data.get("lights", {}), where, problems),
        answers=_typed(Answers, data.get("answers", {}), "answers", where, problems),
        mail=_typed(Mail, data.get("mail", {}), "mail", where, problems),
        web=_typed(Web, data.get("web", {}), "web", where, problems),
        tasks=_typed(TaskList, data.get("tasks", {}), "tasks", where, problems),
        aliases=_names_table(data.get("aliases", {}), "aliases", where, problems),
        groups={k: tuple(v) for k, v in _names_table(data.get("groups", {}), "groups", where, problems, lists=True).items()},
        bulletin=_typed(BulletinHead, data.get("bulletin", {}), "bulletin", where, problems),
    )
    return settings, problems


def _names_table(table, section: str, where: str, problems: list[Problem], lists: bool = False) -> dict:
    """[aliases] 简称 = "全称", or [groups] 各镇街 = ["甲镇", "乙街道"]: names to a name (or a list of names)."""
    if not isinstance(table, dict):
        problems.append(problem(BAD_SETTINGS, file=where, detail=f"[{section}] 应为一组“名称 = …”"))
        return {}
    found = {}
    for key, value in table.items():
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value) if lists else isinstance(value, str)
        if not ok:
            wanted = "单位名称的列表(如 [\"甲镇\", \"乙街道\"])" if lists else "一个单位名称(加英文双引号)"
            problems.append(problem(BAD_SETTINGS, file=where, detail=f"{section}.{key} 应为{wanted},现为“{value}”"))
            continue
        found[str(key).strip()] = [v.strip() for v in value] if lists else value.strip()
    return found


def _timezone(name, where: str, problems: list[Problem]) -> str:
    """The office's zone by its IANA name; an unknown one is warned about and the default used."""
    try:
        office_zone(name)
        return name
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        problems.append(problem(BAD_TIMEZONE, file=where, zone=str(name), default=DEFAULT_TIMEZONE))
        return DEFAULT_TIMEZONE


def _lights_from(table: dict, where: str, problems: list[Problem]) -> Lights:
    return _typed(Lights, table, "lights", where, problems)


def _typed(kind, table: dict, section: str, where: str, problems: list[Problem]):
    """A settings table read into its dataclass; a value of the wrong type is named, and the default kept."""
    base, values = kind(), {}
    for name, default in base.__dict__.items():
        value = table.get(name, default)
        if type(value) is not type(default) and not (isinstance(default, float) and isinstance(value, int)):
            problems.append(problem(BAD_SETTINGS, file=where, detail=f"{section}.{name} 应为{_KIND.get(type(default), '值')},现为“{value}”"))
            value = default
        values[name] = value
    return kind(**values)


_KIND = {bool: " true 或 false", int: "整数", float: "数字", dt.date: "日期(如 2024-12-31)", str: "文字(加英文双引号)"}


