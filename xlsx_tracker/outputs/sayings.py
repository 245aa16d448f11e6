"""What the month's steps say, in the words the command line prints and the local page shows.

Text only, no printing: cli/printing echoes these lines, web renders them, so a clerk reads the same sentence
in the terminal and in the browser.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..base.model import Problem
from ..base.problems import SEVERITY_TEXT, category, problem_line, severity_summary
from ..month.summary import points
from .unit_words import TaskCells

if TYPE_CHECKING:  # the documents' writers load only with a command that writes them
    from .documents import Made, MonthDocuments

NOTHING_TAKEN = "没有任何文件可以采用,请按上面列出的问题联系报送单位。"


def split_said(written, run, folder: Path | None = None) -> list[str]:
    """What split wrote: the forms and their rows (and the folder, on this computer's console), the notices of the
    units that only cooperate, the deadline."""
    forms = [w for w in written if not w.notice]
    lines = [f"已为 {len(forms)} 个单位生成 {run.month} 任务表,共 {sum(w.rows for w in forms)} 行" + (f",保存在 {folder}" if folder else "。")]
    notices = [w.unit for w in written if w.notice]
    if notices:
        lines.append(f"另为只配合、不报送的 {len(notices)} 个单位生成《配合任务告知》(无需报回):{'、'.join(notices)}")
    return lines + [f"报送截止:{run.deadline.describe()}({run.deadline.rule})"]


def documents_said(documents: MonthDocuments) -> list[str]:
    """One line per document written, its note, and the lights the settings changed since the month was recorded."""
    lines = []
    for made in documents.made:
        lines += document_lines(made)
        if made.note:
            lines.append(f"注意:{made.note}。")
    if documents.lights_changed:
        changes = "、".join(f"{unit}({kept}→{now})" for unit, kept, now in documents.lights_changed)
        lines.append(f"提醒:按现在的设置和台账,{len(documents.lights_changed)} 个单位的亮灯与本月汇总或审核时记入台账的不同:{changes}。"
                     "以后各月的“连续红灯”按台账记入的结果计算;如以现在的结果为准,请再运行一次 merge(不会重复入账)。")
    return lines


def blocked_message(documents: MonthDocuments, month: str, recorded: str = "") -> str:
    """Every document another program kept open, and what to do; empty when none was."""
    if not documents.blocked:
        return ""
    names = "、".join(f"“{path.name}”" for path in dict.fromkeys(documents.blocked))
    return (f"{recorded}以下文件正在 Excel、WPS 或 Word 中打开,没有更新:{names}。"
            f"请关闭后运行 xlsx-tracker report --month {month},重新生成本月的全部文件。")


def document_lines(made: Made) -> list[str]:
    if made.key in ("report", "details", "bulletin"):
        return [f"{made.label}:{made.paths[0]}"]
    if made.key == "receipts" and made.units:
        return [f"回执 {len(made.units)} 份:{made.paths[0].parent}"]
    if made.key == "reminders" and made.units:
        return [f"催报通知 {len(made.units)} 份(.txt 可直接粘贴,.eml 为邮件草稿,未发送):{made.paths[0].parent}"]
    return []


def merge_summary(result, completed: bool = True, dry_run: bool = False) -> list[str]:
    """What merge prints: the files read, the units, then the problems -- errors one a line, the rest grouped.

    A dry run says only what it read and checked: the other units were not asked for, so none is called 未报送.
    """
    head = "预检完成(未入账)" if dry_run else "汇总完成" if completed else "没有可采用的文件"
    lines = [
        f"{result.month} {head}:收件目录共 {len(result.manifest)} 个文件(含压缩包内的文件),其中新收 {result.new_files} 个,"
        f"已入账过 {result.duplicates} 个,临时文件 {len(result.ignored)} 个(忽略)。",
    ]
    if dry_run:
        names, units = read_in_run(result)
        problems = [p for p in result.problems if p.file in names or (not p.file and (not p.unit or p.unit in units))]
        lines.append(checked_units_line(result, names, units))
    else:
        problems = result.problems
        lines.append(returned_line(result))
    lines.append(f"问题:{severity_summary(problems)}。")
    state = getattr(result, "state", None)
    lines.extend("  " + line for line in problem_lines(problems, TaskCells(state) if state is not None else None))
    if result.changed:
        lines.append(f"以下 {len(result.changed)} 个文件在汇总过程中被改动、移动或删除,本次未入账,请稍后再运行一次 merge:"
                     + "、".join(result.changed))
    lines.append(f"问题清单(全部 {len(result.problems)} 条逐条列出,含上面归并的提醒和提示):{result.problems_path}")
    lines.append(f"文件清单:{result.file_list_path}")
    return lines


GROUP_SHOWN = 10  # task ids or cells named on a grouped line; the rest are in the problem list


def errors_of(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def problem_lines(problems: list[Problem], cells: TaskCells | None = None) -> list[str]:
    """Errors one a line; then warnings, then notes, one line per unit and category (a lone problem in full)."""
    lines = [problem_line(p) for p in errors_of(problems)]
    for severity in ("warning", "info"):
        groups: dict[tuple[str, str], list[Problem]] = {}
        for p in problems:
            if p.severity == severity:
                groups.setdefault((p.unit, category(p.code)), []).append(p)
        for (unit, kind), found in groups.items():
            lines.append(problem_line(found[0]) if len(found) == 1 else group_line(severity, unit, kind, found, cells))
    return lines


def group_line(severity: str, unit: str, kind: str, found: list[Problem], cells: TaskCells | None) -> str:
    """[提醒·进展状态未填] 财政局 17 项:编号 1、2、3……"""
    rows = [cells.row(p) if cells is not None else None for p in found]
    if all(row is not None for row in rows):  # every one on a task: its 编号
        count, prefix = f"{len(found)} 项", "编号 "
        listed = list(dict.fromkeys(row.assignment.task_id for row in rows))
    else:
        count, prefix = f"{len(found)} 条", ""
        listed = list(dict.fromkeys(f"编号 {row.assignment.task_id}" if row is not None else _spot(p)
                                    for p, row in zip(found, rows, strict=True)))
    shown = prefix + "、".join(listed[:GROUP_SHOWN]) + ("……" if len(listed) > GROUP_SHOWN else "")
    return f"[{SEVERITY_TEXT[severity]}·{kind}] {unit or '未识别单位'} {count}:{shown}"


def _spot(p: Problem) -> str:
    """A problem's place on a grouped line: the sheet and cell, else the file."""
    return " ".join(x for x in (p.sheet, p.cell) if x) or p.file or p.message


def read_in_run(result) -> tuple[set[str], list[str]]:
    """The file names a run read (as the problems name them) and the units they belong to, in inbox order."""
    names = {entry.name for entry in result.manifest}
    return names, list(dict.fromkeys(entry.unit for entry in result.manifest if entry.unit))


def checked_units_line(result, names: set[str], units: list[str]) -> str:
    """The units whose workbooks a dry run read, and whether each would be taken."""
    if not units:
        return "预检的文件中没有能识别出单位的工作簿。"
    said = []
    for unit in units:
        accepted, score = result.state.accepted.get(unit), result.state.unit(unit)
        if accepted is None:
            said.append(f"{unit}(不能采用)")
        elif accepted.file_name not in names:
            said.append(f"{unit}(不采用,以已入账的“{accepted.file_name}”为准)")
        elif score is not None and score.blank:
            said.append(f"{unit}(报送空表)")
        else:
            said.append(f"{unit}(可以采用)")
    return f"预检的单位 {len(units)} 个:{'、'.join(said)}。"


def returned_line(result) -> str:
    """已采用 / 未报送 / 报送空表, as the month state counts them (a blank form is neither taken nor missing)."""
    blank = [u.unit for u in result.state.units if u.blank]
    missing = [u for u in result.not_returned if u not in blank]
    usable = len(result.accepted) - len(blank)
    line = f"已采用单位 {usable} 个;未报送单位 {len(missing)} 个" + (f":{'、'.join(missing)}" if missing else "")
    if blank:
        return line + f";报送空表 {len(blank)} 个:{'、'.join(blank)}(视为未报送)"
    return line if missing else line + "。"  # a list of names ends the line as before


# ---------------------------------------------------------------- what the decisions changed

def applied_lines(applied, before) -> list[str]:
    """What recording decisions says (its problems are listed before these), in the command line and the page alike."""
    taken = [f"通过(销号){len(applied.passed)} 项,退回 {len(applied.returned)} 项"]
    taken += [f"已记入过 {len(applied.already)} 项,未重复记入"] if applied.already else []
    taken += [f"另有 {len(applied.problems)} 行未采用,见上"] if applied.problems else []
    lines = [f"已记入审核结果:{';'.join(taken)}。"]
    if applied.state is None:
        return [*lines, "没有记入新的审核结果,本月的文件没有重新生成。"]
    changed = changes(before, applied.state)
    lines.append("审核后得分、排名或亮灯有变化的单位:" if changed else "各单位得分和亮灯没有变化。")
    return lines + [f"  {line}" for line in changed]


def changes(before, after) -> list[str]:
    """One line per unit whose score, rank or light differs between two states of the month, naming only what changed."""
    old = {score.unit: score for score in before.units}
    lines = []
    for score in after.units:
        was = old.get(score.unit)
        if was is None:
            continue
        parts = []
        if points(was.total) != points(score.total):
            parts.append(f"得分 {points(was.total)} → {points(score.total)}")
        if was.rank != score.rank:
            parts.append(f"排名 {was.rank} → {score.rank}")
        lights = [_light(state, score.unit) for state in (before, after)]
        if lights[0] != lights[1]:
            parts.append(f"亮灯 {lights[0]} → {lights[1]}")
        if parts:
            lines.append(f"{score.unit}:" + ",".join(parts))
    return lines


def _light(state, unit: str) -> str:
    light = state.light_of(unit)
    return light.light if light else "未亮灯"
