"""The command line's frame: the Chinese group, shared options and helpers, and `init`.

Commands live by stage in the modules beside this one; `main` (the entry point, cli/main.py) gathers them.
click's own words are put into Chinese when the group runs (`ChineseGroup.main`), never at import.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
from pathlib import Path

import click

from ..base.model import Problem, TrackerError
from ..base.problems import SETTINGS_INCOMPLETE, problem_line
from ..base.workspace import Workspace, init_workspace
from ..calendar.holiday_notice import next_year_reminder
from ..calendar.workdays import load_calendar, normalize_month
from ..month.run import MonthRun, month_run
from . import chinese

FORMATS = click.Choice(["table", "csv", "json"])


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

    def main(self, *args, **kwargs):
        chinese.install(self)  # click's texts in Chinese for this run: usage lines, option headings, its errors
        return super().main(*args, **kwargs)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TrackerError as exc:
            lines = [f"错误:{exc}", *(problem_line(p) for p in exc.problems)]
            click.echo("\n".join(lines), err=True)
            ctx.exit(1)


ChineseGroup.group_class = ChineseGroup


def month_value(ctx, param, value):
    if value is None:
        return value
    try:
        return normalize_month(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def date_value(ctx, param, value):
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
    for option in reversed([click.option("--month", required=True, callback=month_value, metavar="月份",
                                         help="月份,如 2024-05(也可写 2024-5、202405、2024年5月)。"),
                            policy_option, assume_weekends_option, workspace_option]):
        command = option(command)
    return command


def workspace_of(ctx) -> Workspace:
    return ctx.ensure_object(dict).get("workspace") or Workspace(Path("."))


def calendar_of(ctx, assume_weekends: bool):
    calendar, problems = load_calendar(workspace_of(ctx).master_dir, assume_weekends)
    if problems:
        raise TrackerError("节假日数据文件有错误:", problems)
    return calendar


def echo_problems(problems: list[Problem]) -> None:
    for found in problems:
        click.echo(problem_line(found), err=True)


def today(settings=None) -> dt.date:
    """Today, in one place (tests fix it): the office's date when its settings are given (their timezone, whatever
    this computer is set to), else this computer's."""
    return settings.now().date() if settings is not None else dt.date.today()


def remind_next_year(calendar) -> None:
    line = next_year_reminder(calendar, today())
    if line:
        click.echo(line, err=True)


def say_waiting(message: str) -> None:
    click.echo(message, err=True)


def month_run_of(ctx, month: str, policy: str | None, assume_weekends: bool) -> MonthRun:
    run = month_run(workspace_of(ctx), month, policy=policy, assume_weekends=assume_weekends)
    echo_problems([p for p in run.master.problems if p.code == SETTINGS_INCOMPLETE])  # a gap the papers would show
    return run


def unit_named(master, name: str) -> str:
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
@click.option("--from", "source", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="文件",
              help="用本办已有的任务分工表(Word、Excel 或文本)生成总任务清单,代替内置的清单。")
def init(directory, force, source):
    """新建工作区:把内置的总任务清单和设置复制到“目录”(或用 --from 导入本办的任务分工表)。"""
    existed = Path(directory).exists()
    workspace = init_workspace(directory, force)
    if source is not None:
        from .setup_commands import import_master

        try:
            import_master(workspace, source, None, None, dry_run=False)
        except TrackerError as exc:  # not a workspace of the built-in plan the clerk did not ask for
            if not existed:
                shutil.rmtree(workspace.root, ignore_errors=True)
            raise TrackerError(f"{exc}(工作区没有建立;改正后重新运行 init,或先建工作区再用 master import 导入)", exc.problems) from None
    starter = write_starter(workspace)
    click.echo(f"已新建工作区:{workspace.root.resolve()}")
    click.echo(f"总任务清单:{workspace.master_file}")
    click.echo(f"Windows 上双击“{starter.name}”即可打开调度网页(不用命令行)。")


STARTER = "打开调度网页.bat"


def write_starter(workspace: Workspace) -> Path:
    """The .bat the office double-clicks: the page of this workspace, with the Python that ran init (the one this tool
    is installed in, a virtual environment's included), so nothing needs to be on PATH or activated."""
    python = sys.executable.replace("%", "%%")
    lines = ["@echo off", "chcp 65001 >nul", 'cd /d "%~dp0"', "echo 正在打开调度网页,请稍候……(关闭本窗口即停止)",
             f'"{python}" -m xlsx_tracker serve', "pause"]
    path = workspace.root / STARTER
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))  # cmd reads CRLF; chcp 65001 makes it read UTF-8
    return path


def progress_bar(label: str, total):
    """A progress bar on a terminal; silent when output is piped or captured. total: a number, or a function that
    counts (called only when a bar is shown: counting a province's inbox is a walk of its folders)."""
    if not sys.stderr.isatty():
        return _NoBar()
    total = total() if callable(total) else total
    if total < 5:
        return _NoBar()
    return click.progressbar(length=total, label=label, file=sys.stderr)


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n, current_item=None):
        pass

