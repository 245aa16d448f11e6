"""Commands on the office's inputs: the master task list, the unit list and the liaison roster."""

from __future__ import annotations

from pathlib import Path

import click

from ..base.model import SECTION_LABELS, TrackerError
from ..master.roster import import_roster, imported_lines
from ..master.tasklist import build_master, load_master, load_master_or_fail
from . import listing
from .app import FORMATS, echo_problems, main, unit_named, workspace_of, workspace_option

TASK_COLUMNS = {"id": "编号", "indicators": "指标序号", "section": "板块", "part": "分项",
                "department": "责任单位", "level1": "一级指标", "seed_line": "种子行号"}
UNIT_COLUMNS = {"unit": "单位", "aliases": "别名", "tasks": "任务数", "remark": "说明"}


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
    workspace = workspace_of(ctx)
    table = build_master(workspace, seed)
    groups = {t.group_id for t in table.tasks}
    click.echo(f"已生成 {workspace.master_file}:指标 {len(table.indicators)} 项,报送组 {len(groups)} 个,报送事项 {len(table.tasks)} 条。")


@master.command("import", short_help="导入本办已有的任务分工表(Word、Excel 或文本),生成总任务清单和单位名录。")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path), metavar="文件")
@click.option("--columns", metavar="对应", help="表头写法与常见的不同时指明,如 任务=工作内容,牵头=主办单位"
              "(角色:序号、类别、二级、任务、措施、牵头、责任、配合、时限)。")
@click.option("--year", type=click.IntRange(2000, 2099), metavar="年份", help="完成时限中没写年份的(如“6月底前”)属于哪一年,默认取设置或今年。")
@click.option("--dry-run", is_flag=True, help="只列出读到的内容(列的对应、各类任务数、单位、完成时限),不写入任何文件。")
@workspace_option
@click.pass_context
def master_import(ctx, file, columns, year, dry_run):
    """导入本办已有的任务分工表(.xlsx/.xls/.docx/.doc/.wps/.txt):生成总任务清单(master_template/任务清单.xlsx)
    和单位名录,替换原有的任务和单位。有无法确定的单位名称时不写入,并说明如何改正。"""
    import_master(workspace_of(ctx), file, columns, year, dry_run)


def import_master(workspace, file: Path, columns: str | None, year: int | None, dry_run: bool) -> None:
    from ..calendar.workdays import load_calendar
    from ..master import importer
    from ..master.columns import parse_overrides
    from ..master.settings import load_settings
    from ..master.source import read_source
    from .app import today

    workspace.require_master()
    settings, problems = load_settings(workspace.master_dir)
    if any(p.severity == "error" for p in problems):  # [aliases] and [groups] decide the units: never import without them
        raise TrackerError("设置文件 master_template/settings.toml 有错误,没有导入:", [p for p in problems if p.severity == "error"])
    overrides = parse_overrides(columns) if columns else {}
    calendar, _ = load_calendar(workspace.master_dir)
    source = read_source(file)
    year = year or importer.default_year(settings, today(settings), source)
    found = importer.understand(source, settings, overrides, year, calendar.is_workday)
    for line in importer.said(found, year, calendar.is_workday):
        click.echo(line)
    click.echo(f"调度报告、通报、回执等标题中的工作名称:“{settings.work}”(在 settings.toml 的 [plan] work 中修改)。")
    if dry_run:
        click.echo("预检完成,没有写入任何文件。")
        return
    importer.write(workspace, found, settings.district)
    loaded = load_master_or_fail(workspace)
    click.echo(f"已生成 {workspace.master_file}:任务 {len(loaded.tasks)} 项,单位 {len(loaded.registry.units)} 个,"
               f"任务分配 {len(loaded.assignments())} 条。")


@master.command("check")
@workspace_option
@click.pass_context
def master_check(ctx):
    """检查总任务清单和设置文件,列出全部问题。"""
    loaded = load_master(workspace_of(ctx))
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
    loaded = load_master_or_fail(workspace_of(ctx))
    echo_problems(loaded.problems)
    records = [{**r, "section": SECTION_LABELS[r["section"]]} for r in listing.assignment_records(loaded)]
    if unit:
        name = unit_named(loaded, unit)
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
    loaded = load_master_or_fail(workspace_of(ctx))
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
    imported = import_roster(workspace_of(ctx), file)
    echo_problems(imported.problems)
    for line in imported_lines(imported):
        click.echo(line)
