"""Per-unit views of the month state: the receipt (回执) for each unit that sent anything, and the reminder
(催报) for each unit that has not returned, returned late, or returned with errors.

What to say is computed as plain sections (`receipt`, `reminder`); they are rendered as text (to paste into a
message), as a printable workbook, and as an .eml draft. Nothing is sent here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import xlsxwriter

from ..base.model import TrackerError
from ..base.problems import SEVERITY_TEXT, category
from ..base.sheetio import Formats, atomic_path, display_width, excel_text, write_text_atomic
from ..base.workspace import workspace_lock
from ..calendar.workdays import add_workdays, month_label
from ..master.tasklist import Master
from ..master.units import safe_filename
from ..month.rows import DONE, NOT_REPORTED, RETURNED
from ..month.run import MonthRun
from ..month.state import MonthState, fate

RECEIPTS_DIR, REMINDERS_DIR = "回执", "催报"


def receipt_stem(folder: Path, unit: str, month: str) -> Path:
    """Where a unit's receipt is written (.xlsx and .txt); send finds it by the same name."""
    return folder / RECEIPTS_DIR / f"回执_{safe_filename(unit)}_{month}"


def reminder_stem(folder: Path, unit: str) -> Path:
    """Where a unit's reminder is written (.txt and .eml draft); send finds it by the same name."""
    return folder / REMINDERS_DIR / f"催报_{safe_filename(unit)}"


RECEIPT_TIME = "回执时间"


def content_digest(path: Path) -> str:
    """What send compares to never send the same notice twice: the notice's text without the moment it was written.

    A notice rewritten by report or review with the same content (only the 回执时间 changed, or the .eml draft's
    date header and MIME boundary) is the same notice.
    """
    text = path.with_suffix(".txt").read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith(RECEIPT_TIME)]
    return hashlib.sha256("\n".join(kept).encode("utf-8")).hexdigest()


@dataclass
class Section:
    heading: str
    lines: list[str] = field(default_factory=list)  # sentences
    table: list[list[str]] = field(default_factory=list)  # first row is the header
    widths: list[int] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # the table as numbered sentences, for the text form


@dataclass
class Notice:
    unit: str
    title: str
    facts: list[tuple[str, str]]  # label, value
    sections: list[Section]
    closing: list[str]


@dataclass(frozen=True)
class Written:
    unit: str
    paths: list[Path]


def office_contact(master: Master) -> str:
    s = master.settings
    return f"{s.office} {s.contact_name},电话 {s.contact_phone},邮箱 {s.contact_email}"


# ---------------------------------------------------------------- what to say


def units_that_sent(state: MonthState) -> list[str]:
    sent = {s.unit for s in state.submissions if s.unit}
    return [u.unit for u in state.units if u.unit in sent]


def receipt(master: Master, state: MonthState, unit: str, generated: dt.datetime) -> Notice:
    label = month_label(state.month)
    files = state.submissions_of(unit)
    rows = state.rows_of(unit)
    problems = [p for p in state.problems_of(unit) if p.severity != "info"]
    notes = [p for p in state.problems_of(unit) if p.severity == "info"]
    reported = [r for r in rows if r.status != NOT_REPORTED]
    score = state.unit(unit)
    sections = [
        Section("一、收到的文件", table=[["文件", "收到时间", "依据", "处理结果"],
                                       *[[s.file_name, s.receipt_time[:16] or "不详", s.receipt_source, fate(state, s)] for s in files]],
                widths=[34, 17, 14, 40]),
        Section("二、采用情况", lines=[_adoption(state, unit, rows, reported, score)]),
        Section("三、需要改正的问题", lines=[] if problems else ["未发现问题。"],
                table=[["级别", "类别", "位置", "问题及改正方法"],
                       *[[SEVERITY_TEXT[p.severity], category(p.code), _where(p), p.message] for p in problems]] if problems else [],
                widths=[6, 14, 22, 63],
                items=[f"【{SEVERITY_TEXT[p.severity]}】{_where(p)}:{p.message}" if _where(p) else p.message for p in problems]),
        Section("四、尚缺或需关注的内容", lines=_missing(state, unit, rows)),
        Section("五、其他提示(无需改正)", lines=[f"{_where(p)}:{p.message}" if _where(p) else p.message for p in notes] or ["无。"]),
    ]
    facts = [("报送单位", unit), ("报送月份", label), ("报送截止", f"{state.deadline.describe()}前"),
             (RECEIPT_TIME, f"{generated:%Y-%m-%d %H:%M}")]
    closing = [f"如对本回执有疑问,请联系{office_contact(master)}。", "重新报送时请使用原工作簿修改后发送,文件名可不改;以最后一次报送为准。"]
    return Notice(unit, f"{master.settings.district}法治政府建设示范创建工作报送回执", facts, sections, closing)


def _adoption(state: MonthState, unit: str, rows, reported, score) -> str:
    if score is None or not score.returned:
        return "本月尚无可采用的文件(见上表“处理结果”),视为未报送。"
    timing = f"收到时间 {score.received_at[:16]}({score.received_how}),{score.timeliness_text}"
    light = state.light_of(unit)
    if light is not None:
        timing += f";本月亮灯:{light.light}" + (f"({';'.join(light.reasons)})" if light.reasons else "")
    return (f"已采用“{score.file_name}”:本单位 {len(rows)} 项任务中 {len(reported)} 项填报了有效的进展状态,"
            f"其中已完成 {sum(1 for r in rows if r.status in DONE)} 项;{timing}。")


def _missing(state: MonthState, unit: str, rows) -> list[str]:
    lines = [f"任务 {r.assignment.task_id} 报“{r.status}”经审核退回:{r.review_reason}。请补充材料后在下月报送中重新申报。"
             for r in rows if r.review == RETURNED]
    blank = [r.assignment.task_id for r in rows if r.status == NOT_REPORTED]
    if blank:
        lines.append(f"进展状态未填写或无效的任务 {len(blank)} 项:{'、'.join(blank)}。")
    if state.stale.get(unit):
        lines.append(f"本月进展未更新(与上月所填完全相同)的任务:{'、'.join(state.stale[unit])}。请写明本月新的进展。")
    for task_id, dates in state.slipped.get(unit, []):
        lines.append(f"任务 {task_id} 预计完成时间延后:{' → '.join(dates)}(延期)。请在“存在问题及需协调事项”中说明原因。")
    contact = state.liaisons.get(unit, {})
    if not contact.get("姓名") or not contact.get("联系电话"):
        lines.append("联络员信息不全,请在“联络员”表中填写姓名、职务、联系电话和电子邮箱。")
    return lines or ["无。"]


def _where(p) -> str:
    return " / ".join(x for x in (p.file, p.sheet, p.cell) if x)


def needs_reminder(state: MonthState, unit: str) -> list[str]:
    """Why a unit gets a reminder: not returned, returned late, or with errors (empty when none)."""
    score = state.unit(unit)
    reasons = []
    if score is None or not score.returned:
        reasons.append("not-returned")
    elif not score.on_time:
        reasons.append("late")
    if any(p.severity == "error" for p in state.problems_of(unit)):
        reasons.append("errors")
    return reasons


def reminder(master: Master, state: MonthState, unit: str, today: dt.date, respond_by: str) -> Notice:
    s, label = master.settings, month_label(state.month)
    reasons = needs_reminder(state, unit)
    score = state.unit(unit)
    lines = [f"{s.plan_basis()}各单位应于每月{s.monthly_day}日前"
             f"报送工作进展情况。{label}的报送截止时间为 {state.deadline.describe()}。"]
    if "not-returned" in reasons:
        lines.append(f"截至 {today:%Y年%m月%d日},我办尚未收到贵单位{label}的工作进展情况表(或所报文件无法采用)。")
    if "late" in reasons:
        lines.append(f"贵单位{label}的进展情况表于 {score.received_at[:10]} 收到,晚于报送截止时间。")
    errors = [p for p in state.problems_of(unit) if p.severity == "error"]
    if errors:
        lines.append(f"贵单位报送的表格有 {len(errors)} 处需要改正的问题(详见回执):")
        lines.extend(f"{i}. {_where(p)}:{p.message}" for i, p in enumerate(errors, start=1))
    ask = "报送" if "not-returned" in reasons else "改正后重新报送" if errors else "今后按时报送"
    lines.append(f"请于 {respond_by} 前{ask}。" if ask != "今后按时报送" else "请今后按时报送。")
    closing = [f"联系人:{office_contact(master)}", "", s.office, f"{today:%Y年%m月%d日}"]
    return Notice(unit, f"关于报送{label}法治政府建设示范创建工作进展情况的催报通知", [], [Section(f"{unit}:", lines)], closing)


# ---------------------------------------------------------------- how to write it


def render_text(notice: Notice) -> str:
    """Plain text, ready to paste into a message."""
    out = [notice.title, ""]
    out += [f"{label}:{value}" for label, value in notice.facts]
    for section in notice.sections:
        out += ["", section.heading]
        out += [f"  {line}" for line in section.lines]
        if section.items:
            out += [f"  {i}. {item}" for i, item in enumerate(section.items, start=1)]
        elif section.table:
            header, *rows = section.table
            out += [f"  {i}. " + ";".join(f"{h}:{v}" for h, v in zip(header, row, strict=True) if v) for i, row in enumerate(rows, start=1)]
    out += ["", *notice.closing]
    return "\n".join(out).rstrip() + "\n"


def write_receipt_workbook(notice: Notice, path: Path) -> None:
    """A receipt that prints as an official form: A4 portrait, 宋体 title, bordered tables, one page wide."""
    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False,
                                              "in_memory": True})  # one small receipt per unit: no temporary files
        f = Formats(book, _FORMATS)
        sheet = book.add_worksheet("回执")
        widths = FORM_WIDTHS
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.merge_range(0, 0, 0, 3, notice.title, f["title"])
        sheet.set_row(0, 36)
        row = 2
        for label, value in notice.facts:
            sheet.write_string(row, 0, label, f["label"])
            sheet.merge_range(row, 1, row, 3, value, f.text("value", value))
            row += 1
        for section in notice.sections:
            row += 1
            sheet.merge_range(row, 0, row, 3, section.heading, f["heading"])
            row += 1
            for line in section.lines:
                sheet.merge_range(row, 0, row, 3, line, f.text("text", line))
                sheet.set_row(row, _height(line, sum(widths)))
                row += 1
            row = _table(sheet, f, row, section.table)
        row += 1
        for line in notice.closing:
            if line:
                sheet.merge_range(row, 0, row, 3, line, f.text("text", line))
            row += 1
        sheet.set_paper(9)
        sheet.set_portrait()
        sheet.fit_to_pages(1, 0)
        sheet.set_margins(left=0.7, right=0.6, top=0.8, bottom=0.8)
        sheet.set_footer("&C第 &P 页,共 &N 页")
        sheet.hide_gridlines(2)
        book.close()


def _table(sheet, f, row: int, table: list[list[str]]) -> int:
    """A table in the form's four columns: the last column takes the long text."""
    if not table:
        return row
    for values in table:
        style = "head" if values is table[0] else "cell"
        cells = (values + [""] * 4)[:4] if len(values) <= 4 else values[:4]
        for col, value in enumerate(cells):
            text = excel_text(str(value))
            sheet.write_string(row, col, text, f.text(style, text))
        sheet.set_row(row, max(_height(str(value), width) for value, width in zip(cells, FORM_WIDTHS, strict=True)))
        row += 1
    return row


def _height(text: str, width: int) -> float:
    per_line = max(int(width * 1.1), 8)
    lines = sum(max(1, -(-display_width(part) // per_line)) for part in str(text).split("\n"))
    return min(18 * lines + 4, 409)


FORM_WIDTHS = [20, 16, 14, 38]  # 88 characters: A4 portrait at full size, so the print stays at 11 pt
_BASE = {"font_name": "宋体", "font_size": 11, "valign": "vcenter", "text_wrap": True}
_FORMATS = {
    "title": {**_BASE, "font_size": 18, "bold": True, "align": "center"},
    "label": {**_BASE, "bold": True, "border": 1, "bg_color": "#F2F2F2"},
    "value": {**_BASE, "border": 1},
    "heading": {**_BASE, "font_name": "黑体", "font_size": 12, "bold": True},
    "text": {**_BASE, "valign": "top"},
    "head": {**_BASE, "bold": True, "border": 1, "bg_color": "#D9D9D9", "align": "center"},
    "cell": {**_BASE, "border": 1, "valign": "top"},
}


def eml_draft(master: Master, notice: Notice, to: str, attachment: Path | None) -> bytes:
    """A message draft the clerk can open in any mail client and send; addressed when the e-mail is known."""
    message = EmailMessage()
    message["Subject"] = notice.title
    message["From"] = master.settings.contact_email
    if to:
        message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["X-Unsent"] = "1"  # Outlook opens it as a draft to send
    message.set_content(render_text(notice))
    if attachment is not None and attachment.exists():
        message.add_attachment(attachment.read_bytes(), maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=attachment.name)
    return bytes(message)


def write_notices(master: Master, state: MonthState, folder: Path, generated: dt.datetime, respond_by: str) -> tuple[list[Written], list[Written]]:
    """Receipts and reminders of the month into folder/回执 and folder/催报; returns what was written."""
    receipts, reminders = [], []
    for unit in units_that_sent(state):
        notice = receipt(master, state, unit, generated)
        stem = receipt_stem(folder, unit, state.month)
        write_receipt_workbook(notice, stem.with_suffix(".xlsx"))
        write_text_atomic(stem.with_suffix(".txt"), render_text(notice))
        receipts.append(Written(unit, [stem.with_suffix(".xlsx"), stem.with_suffix(".txt")]))
    for score in state.units:
        if not needs_reminder(state, score.unit):
            continue
        notice = reminder(master, state, score.unit, generated.date(), respond_by)
        stem = reminder_stem(folder, score.unit)
        write_text_atomic(stem.with_suffix(".txt"), render_text(notice))
        attached = receipt_stem(folder, score.unit, state.month).with_suffix(".xlsx")
        email = state.liaisons.get(score.unit, {}).get("电子邮箱", "")
        with atomic_path(stem.with_suffix(".eml")) as tmp:
            tmp.write_bytes(eml_draft(master, notice, email, attached))
        reminders.append(Written(score.unit, [stem.with_suffix(".txt"), stem.with_suffix(".eml")]))
    _remove_stale(master, folder, state.month, {w.unit for w in receipts}, {w.unit for w in reminders})
    return receipts, reminders


def _remove_stale(master: Master, folder: Path, month: str, receipted: set[str], reminded: set[str]) -> None:
    """A notice of an earlier writing that this month state no longer gives (a unit that has since sent, say) is
    removed, so that send never sends it. Only files by the writer's own names are touched."""
    for unit in master.registry.units:
        stale = [] if unit in receipted else [receipt_stem(folder, unit, month).with_suffix(s) for s in (".xlsx", ".txt")]
        stale += [] if unit in reminded else [reminder_stem(folder, unit).with_suffix(s) for s in (".txt", ".eml")]
        for path in stale:
            path.unlink(missing_ok=True)


def notices_for(run: MonthRun, state: MonthState, generated: dt.datetime | None = None, folder: Path | None = None,
                on_wait=None) -> tuple[list[Written], list[Written]]:
    """Write the month's receipts and reminders: into reports/<month>/ (under the workspace lock), or into folder."""
    generated = (generated or dt.datetime.now()).replace(microsecond=0)
    try:  # units get three working days to answer
        respond_by = add_workdays(run.calendar, generated.date(), 3).strftime("%Y年%m月%d日")
    except TrackerError:  # next year's calendar not yet known
        respond_by = "收到本通知后3个工作日内"
    if folder is not None:
        return write_notices(run.master, state, folder, generated, respond_by)
    with workspace_lock(run.workspace, on_wait):
        return write_notices(run.master, state, run.workspace.reports_dir / run.month, generated, respond_by)
