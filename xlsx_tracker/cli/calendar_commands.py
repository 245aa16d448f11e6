"""Commands on the working-day calendar: deadlines, the State Council's holiday notice, workday arithmetic."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..base.model import TrackerError
from ..calendar.holiday_notice import import_notice, notice_bytes, view_lines, year_view
from ..calendar.workdays import CHECKLIST_RULES, add_workdays, check_rule, count_workdays, weekday_name, year_deadlines
from ..master.tasklist import load_master_or_fail
from . import listing
from .app import (
    FORMATS,
    assume_weekends_option,
    calendar_of,
    date_value,
    echo_problems,
    main,
    policy_option,
    remind_next_year,
    workspace_of,
    workspace_option,
)

DEADLINE_COLUMNS = {"month": "周期", "nominal": "规定日期", "deadline": "截止日期",
                    "weekday": "星期", "rule": "适用规则", "provisional": "暂定"}


@main.command()
@click.option("--year", type=int, required=True, metavar="年份", help="年份,如 2024。")
@policy_option
@assume_weekends_option
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True, help="输出格式。")
@workspace_option
@click.pass_context
def deadlines(ctx, year, policy, assume_weekends, fmt):
    """列出某年各期报送截止日(每月或每季度,按设置)和一次性截止日(联络员名单)。"""
    settings = load_master_or_fail(workspace_of(ctx)).settings
    calendar = calendar_of(ctx, assume_weekends)
    found = year_deadlines(calendar, year, settings.report_day, policy or settings.policy,
                           {"联络员名单": settings.liaison_deadline})
    records = [{"month": d.label, "nominal": d.nominal.isoformat(), "deadline": d.deadline.isoformat(),
                "weekday": weekday_name(d.deadline), "rule": d.rule, "provisional": d.provisional}
               for d in found]
    click.echo(listing.render(records, fmt, DEADLINE_COLUMNS))
    remind_next_year(calendar)


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
    workspace = workspace_of(ctx)
    workspace.require_master()  # the calendar goes into a workspace, never into a folder that merely exists
    if notice == "-":
        data, source = notice_bytes(sys.stdin.buffer, "标准输入"), "标准输入"
    else:
        path = Path(notice)
        if path.is_dir():
            raise click.BadParameter(f"“{notice}”是文件夹,请写通知文本文件的路径。", param_hint="'通知文件'")
        if not path.is_file():
            raise click.BadParameter(f"找不到文件“{notice}”。", param_hint="'通知文件'")
        with path.open("rb") as stream:  # at most the bound: a huge file is refused, not read whole
            data, source = notice_bytes(stream, path.name), path.name
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
    """列出某年的放假安排、调休上班日,以及各期报送截止日和所用规则。"""
    _echo_year(ctx, year, policy, assume_weekends)


def _echo_year(ctx, year: int, policy: str | None = None, assume_weekends: bool = False) -> None:
    settings = load_master_or_fail(workspace_of(ctx)).settings
    calendar = calendar_of(ctx, assume_weekends)
    for line in view_lines(year_view(calendar, year, settings.report_day, policy or settings.policy)):
        click.echo(line)


@main.group()
def workdays():
    """工作日计算(按国务院节假日安排,含调休)。"""


@workdays.command("count")
@click.argument("start", callback=date_value, metavar="起始日期")
@click.argument("end", callback=date_value, metavar="截止日期")
@assume_weekends_option
@workspace_option
@click.pass_context
def workdays_count(ctx, start, end, assume_weekends):
    """起始日期次日起至截止日期(含)的工作日数;起始日期当天不计。"""
    calendar = calendar_of(ctx, assume_weekends)
    days = count_workdays(calendar, start, end)
    click.echo(f"{start.isoformat()} 次日起至 {end.isoformat()}(含)共 {days} 个工作日{_provisional(calendar)}")


@workdays.command("add")
@click.argument("start", callback=date_value, metavar="起始日期")
@click.argument("count", type=click.IntRange(min=0), metavar="天数")
@assume_weekends_option
@workspace_option
@click.pass_context
def workdays_add(ctx, start, count, assume_weekends):
    """起始日期之后的第“天数”个工作日(自次日起算)。"""
    calendar = calendar_of(ctx, assume_weekends)
    day = add_workdays(calendar, start, count)
    click.echo(f"{start.isoformat()} 后第 {count} 个工作日:{day.isoformat()}({weekday_name(day)}){_provisional(calendar)}")


def _provisional(calendar) -> str:
    return "(暂定)" if calendar.provisional_years else ""


@workdays.command("check")
@click.argument("rule", type=click.Choice(list(CHECKLIST_RULES)), metavar="规则")
@click.argument("start", callback=date_value, metavar="起始日期")
@click.argument("end", callback=date_value, metavar="截止日期")
@workspace_option
@click.pass_context
def workdays_check(ctx, rule, start, end):
    """按任务清单的期限规则检查两个日期的间隔。规则:合法性审核(5–15个工作日)、重大行政决策合法性审查、执法决定公示、许可处罚决定公示。"""
    calendar = calendar_of(ctx, False)
    _, ok, message = check_rule(calendar, rule, start, end)
    click.echo(message)
    if not ok:
        ctx.exit(1)


