"""The xlsx-tracker command line: parse arguments, call the library, print in Chinese."""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from pathlib import Path

import click

from . import chinese as cli_zh

cli_zh.install()  # before the decorators below build click's types, whose names it translates

# mail (ssl, email), merge and split (multiprocessing, pickle, xml) are imported inside their commands:
# `report` at 3,200 units stays within 150 MiB, and every command starts faster
from ..base.model import SECTION_LABELS, Problem, TrackerError  # noqa: E402
from ..base.problems import problem_line, severity_summary  # noqa: E402
from ..base.workspace import Workspace, init_workspace  # noqa: E402
from ..calendar.holiday_notice import import_notice, next_year_reminder, view_lines, year_view  # noqa: E402
from ..calendar.workdays import (  # noqa: E402
    CHECKLIST_RULES,
    add_workdays,
    check_rule,
    count_workdays,
    load_calendar,
    normalize_month,
    weekday_name,
    year_deadlines,
)
from ..master.roster import import_roster  # noqa: E402
from ..master.tasklist import build_master, load_master, load_master_or_fail  # noqa: E402
from ..month.run import MonthRun, month_run  # noqa: E402
from ..month.state import load_state  # noqa: E402
from ..outputs import review as review_mod  # noqa: E402
from ..outputs import taizhang as taizhang_mod  # noqa: E402
from ..outputs.bulletin import bulletin, bulletin_name, write_month_bulletin  # noqa: E402
from ..outputs.notices import notices_for  # noqa: E402
from ..outputs.report import build_report  # noqa: E402
from . import listing  # noqa: E402

FORMATS = click.Choice(["table", "csv", "json"])
TASK_COLUMNS = {"id": "编号", "indicators": "指标序号", "section": "板块", "part": "分项",
                "department": "责任单位", "level1": "一级指标", "seed_line": "种子行号"}
DEADLINE_COLUMNS = {"month": "周期", "nominal": "规定日期", "deadline": "截止日期",
                    "weekday": "星期", "rule": "适用规则", "provisional": "暂定"}
UNIT_COLUMNS = {"unit": "单位", "aliases": "别名", "tasks": "任务数", "remark": "说明"}


class ChineseCommand(click.Command):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)


class ChineseGroup(click.Group):
    """Chinese usage lines; the library's TrackerError becomes exit code 1 with its full text."""

    command_class = ChineseCommand

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            lines = [f"错误:{exc}", *(problem_line(p) for p in exc.problems)]
            click.echo("\n".join(lines), err=True)
            ctx.exit(1)


ChineseGroup.group_class = ChineseGroup


def _month(ctx, param, value):
    if value is None:
        return value
    try:
        return normalize_month(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _date(ctx, param, value):
    if value is None:
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"日期“{value}”格式不对,应为 YYYY-MM-DD,例如 2024-05-20") from None


def _set_workspace(ctx, param, value):
    if value is not None:
        ctx.ensure_object(dict)["workspace"] = Workspace(value)


def workspace_option(command):
    """-w/--workspace, accepted before the command and after it alike."""
    return click.option("--workspace", "-w", type=click.Path(file_okay=False, path_type=Path), metavar="目录",
                        expose_value=False, is_eager=True, callback=_set_workspace,
                        help="工作区目录(含 master_template/),默认为当前目录。")(command)


policy_option = click.option("--policy", type=click.Choice(["postpone", "advance"]),
                             help="截止日遇休息日:postpone 顺延,advance 提前;默认取设置。")
assume_weekends_option = click.option("--assume-weekends", is_flag=True,
                                      help="缺少节假日数据的年份仅按周末推算(结果标注“暂定”)。")


def month_options(command):
    """--month, --policy, --assume-weekends and -w, shared by the commands that work on one month."""
    for option in reversed([click.option("--month", required=True, callback=_month, metavar="月份",
                                         help="月份,如 2024-05(也可写 2024-5、202405、2024年5月)。"),
                            policy_option, assume_weekends_option, workspace_option]):
        command = option(command)
    return command


def _workspace(ctx) -> Workspace:
    return ctx.ensure_object(dict).get("workspace") or Workspace(Path("."))


def _calendar(ctx, assume_weekends: bool):
    calendar, problems = load_calendar(_workspace(ctx).master_dir, assume_weekends)
    if problems:
        raise TrackerError("节假日数据文件有错误:", problems)
    return calendar


def echo_problems(problems: list[Problem]) -> None:
    for found in problems:
        click.echo(problem_line(found), err=True)


def _today() -> dt.date:
    """Today, in one place: the yearly calendar reminder depends on it, and tests fix it."""
    return dt.date.today()


def _remind_next_year(calendar) -> None:
    line = next_year_reminder(calendar, _today())
    if line:
        click.echo(line, err=True)


def _say_waiting(message: str) -> None:
    click.echo(message, err=True)


def _run(ctx, month: str, policy: str | None, assume_weekends: bool) -> MonthRun:
    return month_run(_workspace(ctx), month, policy=policy, assume_weekends=assume_weekends)


def _unit(master, name: str) -> str:
    unit = master.registry.canonical(name)
    if unit is None:
        raise click.BadParameter(master.registry.unknown_message(name), param_hint="'--unit'")
    return unit


@click.group(cls=ChineseGroup, context_settings={"help_option_names": ["-h", "--help"]})
@workspace_option
@click.pass_context
def main(ctx):
    """法治政府建设示范创建任务调度工具:拆分任务表、汇总回收表、生成调度报告。"""
    if hasattr(sys.stdout, "reconfigure"):
        # GBK consoles cannot print every character; never crash on output.
        sys.stdout.reconfigure(errors="replace")
        sys.stderr.reconfigure(errors="replace")
    ctx.ensure_object(dict)


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), metavar="目录")
@click.option("--force", is_flag=True, help="覆盖已有的 master_template/。")
def init(directory, force):
    """新建工作区:把内置的总任务清单和设置复制到“目录”。"""
    workspace = init_workspace(directory, force)
    click.echo(f"已新建工作区:{workspace.root.resolve()}")
    click.echo(f"总任务清单:{workspace.master_file}")


@main.group()
def master():
    """总任务清单(附件3)的生成与检查。"""


@master.command("build")
@click.option("--seed", type=click.Path(dir_okay=False, exists=True, path_type=Path), metavar="文件",
              help="种子文本文件,默认为 master_template/seed.txt。")
@workspace_option
@click.pass_context
def master_build(ctx, seed):
    """从种子文件重新生成总任务清单(会覆盖对任务分工表的手工修改)。"""
    workspace = _workspace(ctx)
    table = build_master(workspace, seed)
    groups = {t.group_id for t in table.tasks}
    click.echo(f"已生成 {workspace.master_file}:指标 {len(table.indicators)} 项,报送组 {len(groups)} 个,报送事项 {len(table.tasks)} 条。")


@master.command("check")
@workspace_option
@click.pass_context
def master_check(ctx):
    """检查总任务清单和设置文件,列出全部问题。"""
    loaded = load_master(_workspace(ctx))
    echo_problems(loaded.problems)
    if loaded.errors:
        raise TrackerError(f"总任务清单或设置文件有 {len(loaded.errors)} 个错误,见上。")
    click.echo(f"总任务清单无错误:报送事项 {len(loaded.tasks)} 条,任务分配 {len(loaded.assignments())} 条,单位 {len(loaded.registry.units)} 个。")


@main.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式。")
@click.option("--unit", metavar="单位", help="只列出该单位的任务(可用别名)。")
@workspace_option
@click.pass_context
def tasks(ctx, fmt, unit):
    """列出全部任务分配:每个(报送组、分项、责任单位)一行。"""
    loaded = load_master_or_fail(_workspace(ctx))
    echo_problems(loaded.problems)
    records = [{**r, "section": SECTION_LABELS[r["section"]]} for r in listing.assignment_records(loaded)]
    if unit:
        name = _unit(loaded, unit)
        records = [r for r in records if r["department"] == name]
    click.echo(listing.render(records, fmt, TASK_COLUMNS))
    if fmt == "table":
        units = {r["department"] for r in records}
        click.echo(f"共 {len(records)} 条任务分配,涉及 {len(units)} 个单位。")


@main.command()
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式。")
@workspace_option
@click.pass_context
def units(ctx, fmt):
    """列出单位名录:单位、别名和承担的任务数(在总任务清单“单位名录”表中修改)。"""
    loaded = load_master_or_fail(_workspace(ctx))
    registry = loaded.registry
    aliases = {u: [a for a, target in registry.aliases.items() if target == u] for u in registry.units}
    records = [{"unit": u, "aliases": aliases[u], "tasks": len(loaded.assignments_for(u)), "remark": registry.remarks.get(u, "")}
               for u in registry.units]
    click.echo(listing.render(records, fmt, UNIT_COLUMNS))
    if fmt == "table":
        click.echo(f"共 {len(records)} 个单位,别名 {len(registry.aliases)} 个。")


@main.group()
def roster():
    """联络员名单(附件2):导入各单位报来的联络员名单反馈表。"""


@roster.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="文件")
@workspace_option
@click.pass_context
def roster_import(ctx, file):
    """把填好的附件2 联络员名单反馈表(或任何含 单位/姓名/职务/联系电话 列的表)导入总任务清单的“联络员”表。"""
    imported = import_roster(_workspace(ctx), file)
    echo_problems(imported.problems)
    click.echo(f"已导入 {len(imported.units)} 个单位的联络员,其中 {len(imported.changed)} 个有变化"
               + (f":{'、'.join(imported.changed)}" if imported.changed else "") + "。")
    if imported.problems:
        click.echo(f"另有问题:{severity_summary(imported.problems)},见上。")


@main.command()
@click.option("--year", type=int, required=True, metavar="年份", help="年份,如 2024。")
@policy_option
@assume_weekends_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式。")
@workspace_option
@click.pass_context
def deadlines(ctx, year, policy, assume_weekends, fmt):
    """列出某年每月报送截止日和一次性截止日(联络员名单)。"""
    settings = load_master_or_fail(_workspace(ctx)).settings
    calendar = _calendar(ctx, assume_weekends)
    found = year_deadlines(calendar, year, settings.monthly_day, policy or settings.policy,
                           {"联络员名单": settings.liaison_deadline})
    records = [{"month": d.label, "nominal": d.nominal.isoformat(), "deadline": d.deadline.isoformat(),
                "weekday": weekday_name(d.deadline), "rule": d.rule, "provisional": d.provisional}
               for d in found]
    click.echo(listing.render(records, fmt, DEADLINE_COLUMNS))
    _remind_next_year(calendar)


@main.group("calendar")
def calendar_group():
    """节假日数据:导入国务院办公厅的放假通知,查看某年的放假、调休和截止日。"""


@calendar_group.command("import", short_help="导入国务院办公厅的放假通知,生成该年的节假日数据。")
@click.argument("notice", metavar="通知文件")
@click.option("--force", is_flag=True, help="替换已有的该年数据文件。")
@workspace_option
@click.pass_context
def calendar_import(ctx, notice, force):
    """把国务院办公厅《关于XXXX年部分节假日安排的通知》(文本文件;“-”表示从标准输入粘贴)
    导入为 master_template/calendar/年份.toml。导入前逐项核对:共N天、星期、调休上班日、是否缺项。"""
    workspace = _workspace(ctx)
    workspace.require_master()  # the calendar goes into a workspace, never into a folder that merely exists
    if notice == "-":
        data, source = sys.stdin.buffer.read(), "标准输入"
    else:
        path = Path(notice)
        if path.is_dir():
            raise click.BadParameter(f"“{notice}”是文件夹,请写通知文本文件的路径。", param_hint="'通知文件'")
        if not path.is_file():
            raise click.BadParameter(f"找不到文件“{notice}”。", param_hint="'通知文件'")
        data, source = path.read_bytes(), path.name
    written, found = import_notice(workspace.master_dir, data, source, force=force)
    if written is None:
        raise TrackerError("放假通知没有导入,未写入任何文件:", found.problems)
    echo_problems(found.problems)
    click.echo(f"已导入 {found.year} 年节假日安排:{written.resolve()}")
    _echo_year(ctx, found.year)


@calendar_group.command("show")
@click.argument("year", type=click.IntRange(2004, 2099), metavar="年份")
@policy_option
@assume_weekends_option
@workspace_option
@click.pass_context
def calendar_show(ctx, year, policy, assume_weekends):
    """列出某年的放假安排、调休上班日,以及每月报送截止日和所用规则。"""
    _echo_year(ctx, year, policy, assume_weekends)


def _echo_year(ctx, year: int, policy: str | None = None, assume_weekends: bool = False) -> None:
    settings = load_master_or_fail(_workspace(ctx)).settings
    calendar = _calendar(ctx, assume_weekends)
    for line in view_lines(year_view(calendar, year, settings.monthly_day, policy or settings.policy)):
        click.echo(line)


@main.group()
def workdays():
    """工作日计算(按国务院节假日安排,含调休)。"""


@workdays.command("count")
@click.argument("start", callback=_date, metavar="起始日期")
@click.argument("end", callback=_date, metavar="截止日期")
@assume_weekends_option
@workspace_option
@click.pass_context
def workdays_count(ctx, start, end, assume_weekends):
    """起始日期次日起至截止日期(含)的工作日数;起始日期当天不计。"""
    calendar = _calendar(ctx, assume_weekends)
    days = count_workdays(calendar, start, end)
    click.echo(f"{start.isoformat()} 次日起至 {end.isoformat()}(含)共 {days} 个工作日{_provisional(calendar)}")


@workdays.command("add")
@click.argument("start", callback=_date, metavar="起始日期")
@click.argument("count", type=click.IntRange(min=0), metavar="天数")
@assume_weekends_option
@workspace_option
@click.pass_context
def workdays_add(ctx, start, count, assume_weekends):
    """起始日期之后的第“天数”个工作日(自次日起算)。"""
    calendar = _calendar(ctx, assume_weekends)
    day = add_workdays(calendar, start, count)
    click.echo(f"{start.isoformat()} 后第 {count} 个工作日:{day.isoformat()}({weekday_name(day)}){_provisional(calendar)}")


def _provisional(calendar) -> str:
    return "(暂定)" if calendar.provisional_years else ""


@workdays.command("check")
@click.argument("rule", type=click.Choice(list(CHECKLIST_RULES)), metavar="规则")
@click.argument("start", callback=_date, metavar="起始日期")
@click.argument("end", callback=_date, metavar="截止日期")
@workspace_option
@click.pass_context
def workdays_check(ctx, rule, start, end):
    """按任务清单的期限规则检查两个日期的间隔。规则:合法性审核(5–15个工作日)、重大行政决策合法性审查、执法决定公示、许可处罚决定公示。"""
    calendar = _calendar(ctx, False)
    _, ok, message = check_rule(calendar, rule, start, end)
    click.echo(message)
    if not ok:
        ctx.exit(1)


def _progress(label: str, total: int):
    """A progress bar on a terminal; silent when output is piped or captured."""
    if total < 5 or not sys.stderr.isatty():
        return _NoBar()
    return click.progressbar(length=total, label=label, file=sys.stderr)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n, current_item=None):
        pass


@main.command("split")
@month_options
@click.option("--force", is_flag=True, help="覆盖本月已下发的工作簿。")
@click.option("--unit", "unit_names", multiple=True, metavar="单位", help="只为该单位生成(可重复,可用别名)。")
@click.pass_context
def split_command(ctx, month, policy, assume_weekends, force, unit_names):
    """按单位拆分总任务清单:每个单位一个工作簿,写入 department_sheets/月份/。"""
    from ..month import split as split_mod

    run = _run(ctx, month, policy, assume_weekends)
    chosen = [_unit(run.master, u) for u in unit_names] or None
    total = len(chosen or run.master.registry.units)
    with _progress("正在生成", total) as bar:
        written = split_mod.split(run, force=force, units=chosen, progress=lambda unit: bar.update(1), on_wait=_say_waiting)
    click.echo(f"已为 {len(written)} 个单位生成 {month} 任务表,共 {sum(w.rows for w in written)} 行,保存在 {run.workspace.sheets_dir(month)}")
    click.echo(f"报送截止:{run.deadline.describe()}({run.deadline.rule})")
    _remind_next_year(run.calendar)


@main.command("merge", short_help="汇总各单位报回的文件:校验、入账,生成问题清单、调度报告、通报、回执和催报通知。")
@click.argument("inbox", type=click.Path(exists=True, path_type=Path), metavar="[收件目录]", required=False)
@month_options
@click.option("--received", callback=_date, metavar="日期",
              help="这批文件的收到日期(YYYY-MM-DD),用于判断是否按时;文件在以日期命名的子文件夹中时以文件夹为准。")
@click.option("--no-report", is_flag=True, help="只汇总入账,不生成调度报告和通知。")
@click.option("--dry-run", is_flag=True, help="预检:只读取和校验(收件目录也可以是单个文件),生成回执和通知,不入账、不存档。")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), metavar="目录",
              help="预检结果保存的目录,默认新建临时目录。")
@click.pass_context
def merge_command(ctx, inbox, month, policy, assume_weekends, received, no_report, dry_run, out):
    """汇总“收件目录”(默认 inbox/月份/,fetch 收取的邮件附件就在这里)中各单位报回的文件:
    校验、入账,生成问题清单、文件清单、调度报告、通报、回执和催报通知。"""
    from ..month import merge as merge_mod

    run = _run(ctx, month, policy, assume_weekends)
    inbox = inbox or default_inbox(run)
    count = sum(1 for p in inbox.rglob("*") if p.is_file()) if inbox.is_dir() else 1
    with _progress("正在读取", count) as bar:
        options = {"received": received, "progress": lambda name: bar.update(1), "on_wait": _say_waiting}
        if dry_run:
            out = out or Path(tempfile.mkdtemp(prefix="xlsx-tracker-预检-"))
            result = merge_mod.dry_run(run, inbox, out, **options)
        else:
            result = merge_mod.merge(run, inbox, **options)
    completed = bool(result.accepted) or not result.new_files
    for line in merge_summary(result, completed, dry_run):
        click.echo(line)
    if dry_run:
        _echo_notices(*notices_for(run, result.state, folder=out))
        click.echo(f"预检结果(未入账、未存档):{out}")
        _remind_next_year(run.calendar)
        return
    if not completed:
        raise TrackerError("没有任何文件可以采用,请按上面列出的问题联系报送单位。")
    if not no_report:
        path, _ = build_report(run, result.state, on_wait=_say_waiting)
        click.echo(f"调度报告:{path}")
        click.echo(f"通报:{write_month_bulletin(run, bulletin(run.master, result.state, _today()), on_wait=_say_waiting)}")
        _echo_notices(*notices_for(run, result.state, on_wait=_say_waiting))
    _remind_next_year(run.calendar)


def default_inbox(run: MonthRun) -> Path:
    folder = run.workspace.root / "inbox" / run.month
    if not folder.is_dir():
        raise click.BadParameter(f"没有指定收件目录,默认的“{folder}”也不存在。请写明收件目录,或先运行 xlsx-tracker fetch 收取邮件。",
                                 param_hint="收件目录")
    return folder


def _echo_notices(receipts, reminders) -> None:
    if receipts:
        click.echo(f"回执 {len(receipts)} 份:{receipts[0].paths[0].parent}")
    if reminders:
        click.echo(f"催报通知 {len(reminders)} 份(.txt 可直接粘贴,.eml 为邮件草稿,未发送):{reminders[0].paths[0].parent}")


def merge_summary(result, completed: bool = True, dry_run: bool = False) -> list[str]:
    head = "预检完成(未入账)" if dry_run else "汇总完成" if completed else "没有可采用的文件"
    lines = [
        f"{result.month} {head}:收件目录共 {len(result.manifest)} 个文件(含压缩包内的文件),其中新收 {result.new_files} 个,"
        f"已入账过 {result.duplicates} 个,临时文件 {len(result.ignored)} 个(忽略)。",
        f"已采用单位 {len(result.accepted)} 个;未报送单位 {len(result.not_returned)} 个" +
        (f":{'、'.join(result.not_returned)}" if result.not_returned else "。"),
        f"问题:{severity_summary(result.problems)}。",
    ]
    lines.extend("  " + problem_line(found) for found in result.problems)
    if result.changed:
        lines.append(f"以下 {len(result.changed)} 个文件在汇总过程中被改动、移动或删除,本次未入账,请稍后再运行一次 merge:"
                     + "、".join(result.changed))
    lines.append(f"问题清单:{result.problems_path}")
    lines.append(f"文件清单:{result.problems_path.with_name(f'文件清单_{result.month}.csv')}")
    return lines


def _password() -> str:
    """From XLSX_TRACKER_MAIL_PASSWORD, else asked for (never stored, never printed)."""
    from ..mail import mailbox as mail_mod

    return os.environ.get(mail_mod.PASSWORD_VARIABLE) or click.prompt("邮箱密码(网易邮箱为客户端授权码)", hide_input=True)


@main.command("fetch")
@month_options
@click.option("--mark-read", is_flag=True, help="把收取过的邮件标为已读(默认不改动邮箱中的任何邮件)。")
@click.pass_context
def fetch_command(ctx, month, policy, assume_weekends, mark_read):
    """从单位邮箱收取本月报回的邮件,把附件保存到 inbox/月份/(按收到日期分文件夹),重复运行不会重复保存。"""
    from ..mail import mailbox as mail_mod

    run = _run(ctx, month, policy, assume_weekends)
    result = mail_mod.fetch(run, _password(), mark_read=mark_read, on_wait=_say_waiting)
    click.echo(f"查看邮件 {result.messages} 封:新保存附件 {len(result.saved)} 个,此前已保存 {result.already} 个,保存在 {mail_mod.inbox_folder(run)}")
    if result.without_attachment:
        click.echo(f"没有附件的邮件 {len(result.without_attachment)} 封:" + "、".join(f"“{s}”" for s in result.without_attachment))
    click.echo(f"下一步:xlsx-tracker merge --month {month}")


@main.command("send", short_help="把回执或催报通知发到各单位联络员邮箱(默认只预览,加 --yes 才发送)。")
@click.argument("kind", type=click.Choice(["receipts", "reminders"]), metavar="receipts|reminders")
@month_options
@click.option("--yes", is_flag=True, help="确认发送。不加时只列出将要发送的邮件,不发送。")
@click.pass_context
def send_command(ctx, kind, month, policy, assume_weekends, yes):
    """把本月的回执(receipts)或催报通知(reminders)发送到各单位联络员邮箱;默认只预览,加 --yes 才发送,同一内容不会重复发送。"""
    from ..mail import mailbox as mail_mod

    run = _run(ctx, month, policy, assume_weekends)
    liaisons = load_state(run).liaisons
    password = _password() if yes else ""
    result = mail_mod.send(run, kind, liaisons, password, yes=yes)
    label = "回执" if kind == "receipts" else "催报通知"
    for item in result.sent if yes else result.planned:
        click.echo(f"  {'已发送' if yes else '将发送'} {item.unit} → {item.to}")
    if result.already:
        click.echo(f"此前已发送过相同{label}、本次不再发送:{'、'.join(result.already)}")
    if result.no_address:
        click.echo(f"没有联络员邮箱、无法发送(请在总任务清单“联络员”表中补充):{'、'.join(result.no_address)}")
    if yes:
        click.echo(f"已发送{label} {len(result.sent)} 封。")
    else:
        click.echo(f"预览:将发送{label} {len(result.planned)} 封;确认无误后加 --yes 发送。")


@main.command("review", short_help="审核销号:生成待审核清单,或用 --apply 导入审核结果。")
@month_options
@click.option("--apply", "filled", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="文件",
              help="记入填好的审核文件中的审核结果。")
@click.option("--reviewer", default="", metavar="姓名", help="审核人(审核文件中未填审核人时使用)。")
@click.pass_context
def review_command(ctx, month, policy, assume_weekends, filled, reviewer):
    """审核销号:生成本月待审核的“已完成”事项清单(reports/月份/审核_月份.xlsx),或用 --apply 记入审核结果。"""
    run = _run(ctx, month, policy, assume_weekends)
    run.require_issued()
    state = load_state(run)
    if filled is None:
        path, count = review_mod.write_review(run, state, on_wait=_say_waiting)
        click.echo(f"待审核事项 {count} 项:{path}")
        click.echo(f"审核后运行:xlsx-tracker review --month {month} --apply {path.name}")
        return
    applied = review_mod.apply_review(run, state, filled, reviewer, on_wait=_say_waiting)
    echo_problems(applied.problems)
    click.echo(f"已记入审核结果:通过(销号){len(applied.passed)} 项,退回 {len(applied.returned)} 项"
               + (f";另有 {len(applied.problems)} 行未采用,见上。" if applied.problems else "。"))


def _taizhang(ctx, month, policy, assume_weekends):
    """工作台账:按报送组建立文件夹,收入各组的证明材料目录和报来的材料文件,并生成总目录(每次整体重建,不改动原件)。"""
    workspace = _workspace(ctx)
    if month is None:
        if not workspace.ledger_file.exists():
            raise TrackerError("还没有台账:请先运行 xlsx-tracker merge 汇总报回的文件。")
        from ..month import ledger
        conn = ledger.connect(workspace.ledger_file)
        try:
            known = ledger.months(conn)
        finally:
            conn.close()
        if not known:
            raise TrackerError("台账中还没有任何月份的报送。")
        month = known[-1]
    run = _run(ctx, month, policy, assume_weekends)
    built = taizhang_mod.build(run, on_wait=_say_waiting)
    click.echo(f"工作台账({month} 为止):{built.root},报送组 {built.groups} 个,材料文件 {built.files} 个。")
    if built.unmatched:
        click.echo(f"无法归类的材料 {len(built.unmatched)} 个(见总目录“未归类材料”表):" + "、".join(built.unmatched))


def _taizhang_options(command):
    for option in reversed([click.option("--month", callback=_month, metavar="月份", help="截至哪个月(默认为台账中最近的月份)。"),
                            policy_option, assume_weekends_option, workspace_option]):
        command = option(command)
    return command


main.command("taizhang")(click.pass_context(_taizhang_options(_taizhang)))
main.command("ledger-book", help="同 taizhang:生成工作台账。")(click.pass_context(_taizhang_options(_taizhang)))


@main.command("report")
@month_options
@click.pass_context
def report_command(ctx, month, policy, assume_weekends):
    """根据台账生成某月的调度报告工作簿。"""
    run = _run(ctx, month, policy, assume_weekends)
    path, state = build_report(run, on_wait=_say_waiting)
    returned = len(state.units) - len(state.not_returned)
    summary = (f"报送单位 {returned}/{len(state.units)},总体平均进度 {state.overall_progress:.1f}%,"
               f"已完成指标 {state.indicators_done}/100,问题:{severity_summary(state.problems)}。")
    content = bulletin(run.master, state, _today())
    del state  # the 通报's Word table is built from its text alone: the month state's memory is given back first
    click.echo(f"调度报告:{path}")
    click.echo(f"通报:{write_month_bulletin(run, content, on_wait=_say_waiting)}")
    click.echo(summary)


@main.command("demo")
@click.option("--month", default="2024-05", show_default=True, callback=_month, metavar="月份", help="演示月份(同时演示上一个月)。")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), metavar="目录",
              help="演示工作区目录,默认新建临时目录。")
def demo_command(month, directory):
    """演示完整流程:拆分 → 模拟各单位报回(含常见错误)→ 汇总 → 调度报告。"""
    from ..demo.cycle import run_demo  # imports openpyxl, which no other command needs at start-up

    root = directory or Path(tempfile.mkdtemp(prefix="xlsx-tracker-demo-"))
    result = run_demo(root, month)
    click.echo(f"演示工作区:{result.workspace.root.resolve()}")
    for current, merged, report in zip(result.months, result.merges, result.reports, strict=True):
        click.echo(f"[{current}] 下发表格:{result.workspace.sheets_dir(current)}")
        click.echo(f"[{current}] 模拟报回:{result.workspace.root / 'inbox' / current}")
        click.echo(f"[{current}] 采用 {len(merged.accepted)} 个单位,未报送 {len(merged.not_returned)} 个;问题:{severity_summary(merged.problems)}")
        click.echo(f"[{current}] 调度报告:{report}")
        folder = result.workspace.reports_dir / current
        click.echo(f"[{current}] 通报:{folder / bulletin_name(current)}")
        click.echo(f"[{current}] 回执:{folder / '回执'};催报通知:{folder / '催报'}")
    click.echo(f"审核销号:{result.workspace.reports_dir / result.months[-1]}/审核_{result.months[-1]}.xlsx(已演示审核一轮)")
    click.echo(f"工作台账:{result.workspace.root / '工作台账'}")
    click.echo(f"台账:{result.workspace.ledger_file}")
