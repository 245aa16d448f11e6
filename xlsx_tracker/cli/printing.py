"""What the month commands print: the merge summary, the documents written, and the files another program kept open."""

from __future__ import annotations

import click

from ..base.model import TrackerError
from ..base.problems import problem_line, severity_summary
from ..outputs.documents import Made, MonthDocuments


def echo_documents(documents: MonthDocuments, prefix: str = "") -> None:
    """One line per document written (the problem list is named by the merge summary), and what the office should know."""
    for made in documents.made:
        for line in document_lines(made):
            click.echo(prefix + line)
        if made.note:
            click.echo(f"{prefix}注意:{made.note}。")
    if documents.lights_changed:
        changes = "、".join(f"{unit}({kept}→{now})" for unit, kept, now in documents.lights_changed)
        click.echo(f"{prefix}提醒:按现在的设置和台账,{len(documents.lights_changed)} 个单位的亮灯与本月汇总或审核时记入台账的不同:{changes}。"
                   "以后各月的“连续红灯”按台账记入的结果计算;如以现在的结果为准,请再运行一次 merge(不会重复入账)。")


def fail_on_blocked(documents: MonthDocuments, month: str, recorded: str = "") -> None:
    """Exit 1 naming every document another program kept open; what was recorded stays recorded."""
    if documents.blocked:
        names = "、".join(f"“{path.name}”" for path in dict.fromkeys(documents.blocked))
        raise TrackerError(f"{recorded}以下文件正在 Excel、WPS 或 Word 中打开,没有更新:{names}。"
                           f"请关闭后运行 xlsx-tracker report --month {month},重新生成本月的全部文件。")


def document_lines(made: Made) -> list[str]:
    if made.key in ("report", "bulletin"):
        return [f"{made.label}:{made.paths[0]}"]
    if made.key == "receipts" and made.units:
        return [f"回执 {len(made.units)} 份:{made.paths[0].parent}"]
    if made.key == "reminders" and made.units:
        return [f"催报通知 {len(made.units)} 份(.txt 可直接粘贴,.eml 为邮件草稿,未发送):{made.paths[0].parent}"]
    return []


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
    lines.append(f"文件清单:{result.file_list_path}")
    return lines
