"""Commands of the monthly cycle: split, merge, report, review, 台账 and the demo.

Each parses, builds the month run, calls the library and prints; the month's documents are written
through the one list of documents (outputs.documents) by merge, report and review --apply alike.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import click

from ..base.model import TrackerError
from ..base.problems import severity_summary
from ..month.run import MonthRun
from ..month.state import load_state
from . import app
from .app import (
    assume_weekends_option,
    date_value,
    echo_problems,
    main,
    month_options,
    month_run_of,
    month_value,
    policy_option,
    progress_bar,
    remind_next_year,
    say_waiting,
    unit_named,
    workspace_of,
    workspace_option,
)
from .printing import NOTHING_TAKEN, applied_lines, echo_documents, fail_on_blocked, merge_summary, split_said


# The document writers (xlsxwriter, python-docx) load only when a command writes documents (here and in the review,
# 台账 and demo commands), so `merge --no-report` and the other quick commands start a tenth of a second sooner.
def write_month_documents(*args, **kwargs):
    from ..outputs.documents import write_month_documents as write

    return write(*args, **kwargs)


@main.command("split")
@month_options
@click.option("--force", is_flag=True, help="覆盖本月已下发的工作簿。")
@click.option("--unit", "unit_names", multiple=True, metavar="单位", help="只为该单位生成(可重复,可用别名)。")
@click.pass_context
def split_command(ctx, month, policy, assume_weekends, force, unit_names):
    """按单位拆分总任务清单:每个单位一个工作簿,写入 department_sheets/月份/。"""
    from ..month import split as split_mod

    run = month_run_of(ctx, month, policy, assume_weekends)
    chosen = [unit_named(run.master, u) for u in unit_names] or None
    total = len(chosen or run.master.registry.units)
    with progress_bar("正在生成", total) as bar:
        written = split_mod.split(run, force=force, units=chosen, progress=lambda unit: bar.update(1), on_wait=say_waiting)
    for line in split_said(written, run, run.workspace.sheets_dir(month)):
        click.echo(line)
    remind_next_year(run.calendar)


@main.command("merge", short_help="汇总各单位报回的文件:校验、入账,生成问题清单、调度报告、通报、回执和催报通知。")
@click.argument("inbox", type=click.Path(exists=True, path_type=Path), metavar="[收件目录]", required=False)
@month_options
@click.option("--received", callback=date_value, metavar="日期",
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

    run = month_run_of(ctx, month, policy, assume_weekends)
    inbox = inbox or default_inbox(run)
    def count() -> int:
        return sum(1 for p in inbox.rglob("*") if p.is_file()) if inbox.is_dir() else 1
    with progress_bar("正在读取", count) as bar:
        options = {"received": received, "progress": lambda name: bar.update(1), "on_wait": say_waiting}
        if dry_run:
            out = out or Path(tempfile.mkdtemp(prefix="xlsx-tracker-预检-"))
            result = merge_mod.dry_run(run, inbox, out, **options)
        else:
            result = merge_mod.merge(run, inbox, **options)
    for line in merge_summary(result, result.completed, dry_run):
        click.echo(line)
    if dry_run:
        read = {entry.unit for entry in result.manifest if entry.unit}  # a dry run speaks of the files it read, to their units
        echo_documents(write_month_documents(run, result.state, keys=("receipts", "reminders"), today=app.today(run.master.settings), folder=out,
                                             units=read))
        click.echo(f"预检结果(未入账、未存档):{out}")
        remind_next_year(run.calendar)
        return
    if not result.completed:
        raise TrackerError(NOTHING_TAKEN)
    if not no_report:
        documents = write_month_documents(run, result.state, today=app.today(run.master.settings), on_wait=say_waiting)
        echo_documents(documents)
        fail_on_blocked(documents, month, "汇总结果已记入台账。")
    remind_next_year(run.calendar)


def default_inbox(run: MonthRun) -> Path:
    folder = run.workspace.inbox_dir(run.month)
    if not folder.is_dir():
        raise click.BadParameter(f"没有指定收件目录,默认的“{folder}”也不存在。请写明收件目录,或先运行 xlsx-tracker fetch 收取邮件。",
                                 param_hint="收件目录")
    return folder


@main.command("review", short_help="审核销号:生成待审核清单,或用 --apply 导入审核结果。")
@month_options
@click.option("--apply", "filled", type=click.Path(dir_okay=False, path_type=Path), metavar="文件",
              help="记入填好的审核文件中的审核结果(可只写文件名:当前目录中没有时,到 reports/月份/ 中找)。")
@click.option("--force", is_flag=True, help="重新生成空白审核表,不保留原审核表中已填写而尚未记入的审核结果。")
@click.option("--reviewer", default="", metavar="姓名", help="审核人(审核文件中未填审核人时使用)。")
@click.pass_context
def review_command(ctx, month, policy, assume_weekends, filled, force, reviewer):
    """审核销号:生成本月待审核的“已完成”事项清单(reports/月份/审核_月份.xlsx,已填写的审核结果会保留),
    或用 --apply 记入审核结果(同一审核表可以再次记入,已记入的不会重复)。"""
    from ..outputs import review as review_mod

    def typed(path: Path) -> str:
        """A path as the clerk types it here: relative when under the current directory, else absolute."""
        full, here = path.resolve(), Path.cwd().resolve()
        text = str(full.relative_to(here)) if full.is_relative_to(here) else str(full)
        return f'"{text}"' if any(c.isspace() or c in "&()[]{};,'`$^|<>" for c in text) else text

    if filled is not None and force:
        raise click.UsageError("--force 只用于重新生成审核表,不能与 --apply 同时使用。")
    if filled is not None and not filled.is_file():  # a bare name is looked for in reports/<month>/ too
        by_name = workspace_of(ctx).month_reports(month) / filled.name
        if not by_name.is_file():
            raise click.BadParameter(f"找不到审核文件“{filled}”:当前目录下({filled.absolute()})和本月的报告目录中"
                                     f"({by_name.absolute()})都没有。", param_hint="'--apply'")
        filled = by_name
    run = month_run_of(ctx, month, policy, assume_weekends)
    run.require_issued()
    state = load_state(run)
    if filled is None:
        written = review_mod.review_sheet(run, state, on_wait=say_waiting, force=force)
        click.echo(f"待审核事项 {written.count} 项:{written.path}")
        if written.kept:
            click.echo(f"已保留原审核表中已填写的 {written.kept} 项审核结果。")
        if written.discarded:
            click.echo(f"已按 --force 重新生成空白审核表,原审核表中已填写而尚未记入的 {written.discarded} 项审核结果没有保留。")
        if written.folders:
            click.echo(f"审核材料:{written.path.parent / review_mod.MATERIALS}({written.folders} 项共 {written.files} 个文件,"
                       "在审核表中点“收到的材料文件”即可打开)")
        if written.missing:
            click.echo(f"存档中找不到以下材料,没有复制:{'、'.join(written.missing)}")
        workspace = "" if run.workspace.root.resolve() == Path.cwd().resolve() else f" -w {typed(run.workspace.root)}"
        click.echo(f"审核后运行:xlsx-tracker review{workspace} --month {month} --apply {typed(written.path)}")
        return
    applied = review_mod.apply_review(run, state, filled, reviewer, on_wait=say_waiting)
    echo_problems(applied.problems)
    for line in applied_lines(applied, state):
        click.echo(line)
    if applied.state is None:
        return
    del state  # the month before the decisions: only the new one is needed from here
    documents = write_month_documents(run, applied.state, today=app.today(run.master.settings), on_wait=say_waiting)
    click.echo("已按审核结果重新生成本月的文件:")
    echo_documents(documents, "  ")
    fail_on_blocked(documents, month, "审核结果已记入台账。")


def _taizhang(ctx, month, policy, assume_weekends):
    """工作台账:按报送组建立文件夹,收入各组的证明材料目录和报来的材料文件,并生成总目录(每次整体重建,不改动原件)。"""
    from ..outputs import taizhang as taizhang_mod

    workspace = workspace_of(ctx)
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
    run = month_run_of(ctx, month, policy, assume_weekends)
    built = taizhang_mod.build(run, on_wait=say_waiting)
    click.echo(f"工作台账({month} 为止):{built.root},报送组 {built.groups} 个,材料文件 {built.files} 个。")
    if built.unmatched:
        click.echo(f"无法归类的材料 {len(built.unmatched)} 个(见总目录“未归类材料”表):" + "、".join(built.unmatched))


def _taizhang_options(command):
    for option in reversed([click.option("--month", callback=month_value, metavar="月份", help="截至哪个月(默认为台账中最近的月份)。"),
                            policy_option, assume_weekends_option, workspace_option]):
        command = option(command)
    return command


main.command("taizhang")(click.pass_context(_taizhang_options(_taizhang)))
main.command("ledger-book", help="同 taizhang:生成工作台账。")(click.pass_context(_taizhang_options(_taizhang)))


@main.command("report")
@month_options
@click.pass_context
def report_command(ctx, month, policy, assume_weekends):
    """根据台账重新生成某月的全部文件:调度报告、通报、回执、催报通知和问题清单(审核或修改设置后运行)。"""
    run = month_run_of(ctx, month, policy, assume_weekends)
    documents = write_month_documents(run, today=app.today(run.master.settings), on_wait=say_waiting)
    echo_documents(documents)
    figures = documents.figures
    click.echo(f"报送单位 {documents.units - figures['not_returned']}/{documents.units},总体平均进度 {figures['progress']:.1f}%,"
               f"已完成指标 {figures['indicators_done']}/{documents.main_indicators},"
               f"问题:错误 {figures['errors']} 条,提醒 {figures['warnings']} 条,提示 {figures['infos']} 条。")
    fail_on_blocked(documents, month)


@main.command("demo")
@click.option("--month", default="2024-05", show_default=True, callback=month_value, metavar="月份", help="演示月份(同时演示上一个月)。")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), metavar="目录",
              help="演示工作区目录,默认新建临时目录。")
def demo_command(month, directory):
    """演示完整流程:拆分 → 模拟各单位报回(含常见错误)→ 汇总 → 调度报告。"""
    from ..demo.cycle import run_demo  # imports openpyxl, which no other command needs at start-up
    from ..outputs import review as review_mod
    from ..outputs import taizhang as taizhang_mod

    root = directory or Path(tempfile.mkdtemp(prefix="xlsx-tracker-demo-"))
    result = run_demo(root, month)
    click.echo(f"演示工作区:{result.workspace.root.resolve()}")
    for current, merged, documents in zip(result.months, result.merges, result.documents, strict=True):
        click.echo(f"[{current}] 下发表格:{result.workspace.sheets_dir(current)}")
        click.echo(f"[{current}] 模拟报回:{result.workspace.inbox_dir(current)}")
        click.echo(f"[{current}] 采用 {len(merged.accepted)} 个单位,未报送 {len(merged.not_returned)} 个;问题:{severity_summary(merged.problems)}")
        echo_documents(documents, f"[{current}] ")
    last = result.months[-1]
    click.echo(f"审核销号:{result.workspace.month_reports(last) / review_mod.review_name(last)}(已演示审核一轮)")
    click.echo(f"工作台账:{result.workspace.root / taizhang_mod.FOLDER}")
    click.echo(f"台账:{result.workspace.ledger_file}")
