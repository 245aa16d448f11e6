"""Per-unit views of the month state: the receipt (回执) for each unit that sent anything, and the reminder
(催报) for each unit on the month's follow-up list (state.follow_ups: the one set the 催办名单 and the 通报 count).

What to say is computed as plain sections (`receipt`, `reminder`); they are rendered as text (to paste into a
message), as a printable workbook, and as an .eml draft. Nothing is sent here.

Both speak to the unit: errors first, then what to fill in, grouped; a task is named by its 编号 and short text
before the cell; nothing of the office's own machinery (archive paths, hashes, how a tie between files was broken)
is shown. The office's views (the problem CSV, the report's 校验问题) keep the technical messages: `for_unit`
words a shared message for the unit, the catalogue's templates stay as the office reads them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

import xlsxwriter

from ..base.model import Problem
from ..base.problems import DONE_WITHOUT_PROGRESS, EMPTY_STATUS, SUPERSEDED, category
from ..base.sheetio import Formats, atomic_path, display_width, excel_text
from ..calendar.workdays import month_label
from ..master.tasklist import Master
from ..master.units import safe_filename
from ..master.values import is_email
from ..month.rows import DONE, NOT_REPORTED, RETURNED, RowState
from ..month.state import MonthState
from .unchanged import RECEIPT_TIME
from .unit_words import Spots, base_name, for_unit, ids_label, short_text, task_label, unit_fate

RECEIPTS_DIR, REMINDERS_DIR = "回执", "催报"


def receipt_stem(folder: Path, unit: str, month: str) -> Path:
    """Where a unit's receipt is written (.xlsx and .txt); send finds it by the same name."""
    return folder / RECEIPTS_DIR / f"回执_{safe_filename(unit)}_{month}"


def reminder_stem(folder: Path, unit: str) -> Path:
    """Where a unit's reminder is written (.txt and .eml draft); send finds it by the same name."""
    return folder / REMINDERS_DIR / f"催报_{safe_filename(unit)}"


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
    sign_off: list[str] = field(default_factory=list)  # the office and the date, right-aligned at the foot


@dataclass(frozen=True)
class Written:
    unit: str
    paths: list[Path]


def sign_off(master: Master, day: dt.date) -> list[str]:
    """The foot of a notice: the office and the date, as an office signs what it sends."""
    return [master.settings.office, f"{day:%Y年%m月%d日}"]


def office_contact(master: Master) -> str:
    s = master.settings
    return f"{s.office} {s.contact_name},电话 {s.contact_phone},邮箱 {s.contact_email}"


# ---------------------------------------------------------------- what to say


def units_that_sent(state: MonthState) -> list[str]:
    sent = {s.unit for s in state.submissions if s.unit}
    return [u.unit for u in state.units if u.unit in sent]


BLANK_FORM = "贵单位报回的是未填写的空表,视为未报送。请填写后重新报送。"
# Warnings that ask for something left out: said under 请补充, grouped, not as problems one by one.
TO_FILL = {EMPTY_STATUS.code: ("进展状态未填写的任务", "请从下拉列表选择。"),
           DONE_WITHOUT_PROGRESS.code: ("报“已完成”但未写本月工作进展的任务", "本月暂按“推进中”计,请写明完成情况(如印发文件的名称、文号和日期)。")}


def receipt(master: Master, state: MonthState, unit: str, generated: dt.datetime) -> Notice:
    label = month_label(state.month)
    spots = Spots(state, unit)
    problems = state.problems_of(unit)
    errors = [p for p in problems if p.severity == "error"]
    to_fill = [p for p in problems if p.severity == "warning" and p.code in TO_FILL and p.file == spots.adopted]
    filled = {id(p) for p in to_fill}
    warnings = [p for p in problems if p.severity == "warning" and id(p) not in filled]
    notes = [p for p in problems if p.severity == "info" and p.code != SUPERSEDED]  # the file table says which file counts
    sections = [
        Section("一、收到的文件", table=[["文件", "收到时间", "依据", "处理结果"],
                                       *[[base_name(s.file_name), s.receipt_time[:16] or "不详", s.receipt_source, unit_fate(state, s)]
                                         for s in state.submissions_of(unit)]],
                widths=[34, 17, 14, 40]),
        Section("二、采用情况", lines=[_adoption(state, unit)]),
        Section("三、需要改正的问题", lines=[] if errors else ["未发现问题。"],
                table=[["任务", "类别", "位置", "问题及改正方法"],
                       *[[spots.task(p), category(p.code), spots.place(p), for_unit(state, p)] for p in errors]] if errors else [],
                widths=[20, 16, 14, 38], items=[spots.line(p) for p in errors]),
        Section("四、请补充", lines=_to_fill(state, unit, spots, to_fill)),
        Section("五、请注意(已按说明处理,下次请避免)", lines=spots.grouped(warnings) or ["无。"]),
        Section("六、其他提示(无需改正)", lines=spots.grouped(notes) or ["无。"]),
    ]
    facts = [("报送单位", unit), ("报送月份", label), ("报送截止", f"{state.deadline.describe()}前"),
             (RECEIPT_TIME, f"{generated:%Y-%m-%d %H:%M}")]
    closing = [f"如对本回执有疑问,请联系{office_contact(master)}。", "重新报送时请使用原工作簿修改后发送,文件名可不改;以最后一次报送为准。"]
    return Notice(unit, f"{master.settings.district}{master.settings.work}工作报送回执", facts, sections, closing,
                  sign_off(master, generated.date()))


def _adoption(state: MonthState, unit: str) -> str:
    score, rows = state.unit(unit), state.rows_of(unit)
    if score is not None and score.blank:
        accepted = state.accepted.get(unit)
        name = f"“{base_name(accepted.file_name)}”" if accepted else "的工作簿"
        return f"收到{name},但报回的是未填写的空表,视为未报送。请填写后重新报送。"
    if score is None or not score.returned:
        return "本月尚无可采用的文件(见上表“处理结果”),视为未报送。"
    timing = f"收到时间 {score.received_at[:16]}({score.received_how}),{score.timeliness_text}"
    light = state.light_of(unit)
    if light is not None:
        timing += f";本月亮灯:{light.light}" + (f"({';'.join(light.reasons)})" if light.reasons else "")
    reported = sum(1 for r in rows if r.status != NOT_REPORTED)
    return (f"已采用“{base_name(score.file_name)}”:本单位 {len(rows)} 项任务中 {reported} 项填报了有效的进展状态,"
            f"其中已完成 {sum(1 for r in rows if r.status in DONE)} 项;{timing}。")


def _to_fill(state: MonthState, unit: str, spots: Spots, to_fill: list[Problem]) -> list[str]:
    """What the unit left out or must add: returned claims, blank items grouped, stale and slipped tasks, the liaison."""
    rows = state.rows_of(unit)
    lines = [f"退回事项未修改:{task_label(r)}上月审核退回(理由:{r.review_reason or '见上月回执'}),本月报送的内容与退回时相同,"
             "请按退回理由补充后重新报送。" for r in rows if r.returned_unchanged]
    lines += [f"{task_label(r)}报“{r.status}”经审核退回(理由:{r.review_reason})。请按退回理由补充材料后在下月报送中重新申报。"
              for r in rows if r.review == RETURNED and not r.returned_unchanged]
    score = state.unit(unit)
    blank = score is not None and score.blank
    for code, (what, ask) in TO_FILL.items():
        found = [p for p in to_fill if p.code == code]
        if not found or blank:  # a blank form is said once, in 采用情况
            continue
        tasks = [spots.row(p) for p in found]
        if all(r is not None for r in tasks):
            lines.append(f"{what} {len(found)} 项:{ids_label(tasks)}。{ask}")
        else:
            lines.append(f"{what} {len(found)} 项:{'、'.join(spots.place(p) for p in found)}。{ask}")
    by_id = {r.assignment.task_id: r for r in rows}
    stale = [by_id[t] for t in state.stale.get(unit, []) if t in by_id]
    if stale:
        lines.append(f"本月进展未更新(与上月所填完全相同)的任务 {len(stale)} 项:{ids_label(stale)}。请写明本月新的进展。")
    slipped = [(by_id[task_id], dates) for task_id, dates in state.slipped.get(unit, []) if task_id in by_id]
    if slipped:
        few = len(slipped) <= 3
        moved = "、".join(f"{r.assignment.task_id}(" + (f"{short_text(r)},") * few + f"{' → '.join(dates)})" for r, dates in slipped)
        lines.append(f"预计完成时间延后的任务 {len(slipped)} 项:编号 {moved}。请在“存在问题及需协调事项”中说明原因。")
    contact = state.liaisons.get(unit, {})
    if not contact.get("姓名") or not contact.get("联系电话"):
        lines.append("联络员信息不全,请在“联络员”表中填写姓名、职务、联系电话和电子邮箱。")
    return lines or ["无。"]


def reminder_kinds(state: MonthState, unit: str) -> list[str]:
    """Why the unit gets a 催报: the kinds of its place on the month's one follow-up list (empty when not on it)."""
    found = state.follow_up_of(unit)
    return list(found.kinds) if found is not None else []


def reminder(master: Master, state: MonthState, unit: str, today: dt.date, respond_by: str) -> Notice:
    s, label = master.settings, month_label(state.month)
    found = state.follow_up_of(unit)
    kinds = list(found.kinds) if found is not None else []
    reasons = dict(zip(kinds, found.reasons, strict=True)) if found is not None else {}
    tasks = found.tasks if found is not None else {}
    own = {r.assignment.task_id for r in state.rows_of(unit)}  # never name a number that is not the unit's task
    lines = [f"{s.plan_basis()}各单位应于{s.report_day.describe()}前"
             f"报送工作进展情况。{label}的报送截止时间为 {state.deadline.describe()}。"]
    for kind in kinds:
        lines.extend(_chase(master, state, unit, kind, reasons.get(kind, ""),
                             "、".join(t for t in tasks.get(kind, ()) if t in own), today))
    if "blank" in kinds or "not-returned" in kinds:
        lines.append(f"请于 {respond_by} 前报送。")
    elif "errors" in kinds:
        lines.append(f"请于 {respond_by} 前改正后重新报送。")
    elif "late" in kinds:
        lines.append("请今后按时报送。")
    closing = [f"联系人:{office_contact(master)}"]
    return Notice(unit, f"关于报送{label}{master.settings.work}工作进展情况的催报通知", [], [Section(f"{unit}:", lines)], closing,
                  sign_off(master, today))


def _chase(master: Master, state: MonthState, unit: str, kind: str, reason: str, ids: str, today: dt.date) -> list[str]:
    """What the 催报 says for one reason the unit is chased, in the unit's words; ids are the tasks the reason names."""
    label, score, rows = month_label(state.month), state.unit(unit), state.rows_of(unit)
    if kind == "blank":
        return [BLANK_FORM]
    if kind == "not-returned":
        if state.submissions_of(unit):
            return [f"贵单位报送的{label}工作进展情况表未能采用(原因详见回执),视为未报送。"]
        return [f"截至 {today:%Y年%m月%d日},我办尚未收到贵单位{label}的工作进展情况表。"]
    if kind == "late":
        return [f"贵单位{label}的进展情况表于 {score.received_at[:10]} 收到,晚于报送截止时间。"]
    if kind == "errors":
        spots = Spots(state, unit)
        errors = [p for p in state.problems_of(unit) if p.severity == "error"]
        return [f"贵单位报送的表格有 {len(errors)} 处需要改正的问题(详见回执):",
                *[f"{i}. {spots.line(p)}" for i, p in enumerate(errors, start=1)]]
    if kind == "stale":
        return [f"{_subject(ids)}本月的工作进展与上月所填完全相同。请写明本月新的进展。"]
    if kind == "slipped":
        moved = "、".join(f"{task_id}({' → '.join(dates)})" for task_id, dates in state.slipped.get(unit, []))
        return [f"{_subject(moved or ids)}的预计完成时间比上月推迟。请在“存在问题及需协调事项”中说明原因。"]
    if kind == "returned":
        returned = [r for r in rows if r.review == RETURNED]
        return [f"{_subject(ids)}申报的完成事项经审核退回{_return_reasons(returned)}。请按退回理由补充材料后重新申报。"]
    subject = _subject(ids)
    if kind == "overdue":
        return [f"{subject}已超过贵单位填报的预计完成时间,仍未完成。请抓紧推进,并在“存在问题及需协调事项”中说明原因。"]
    if kind == "stalled":
        return [f"{subject}已连续{master.settings.scoring.stalled_cycles}期报“未启动”。请尽快启动,并在“存在问题及需协调事项”中说明原因。"]
    return [reason] if reason else []


def _return_reasons(rows: list[RowState]) -> str:
    """(理由:…) once when every return gave the same reason, else (22:…;55:…) by reason."""
    by_reason: dict[str, list[str]] = {}
    for r in rows:
        if r.review_reason:
            by_reason.setdefault(r.review_reason, []).append(r.assignment.task_id)
    if len(by_reason) == 1:
        return f"(理由:{next(iter(by_reason))})"
    return "(" + ";".join(f"{'、'.join(ids)}:{why}" for why, ids in by_reason.items()) + ")" if by_reason else ""


def _subject(ids: str) -> str:
    return f"编号 {ids} " if ids else "贵单位有任务"


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
    if notice.sign_off:
        out += ["", *notice.sign_off]
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
                sheet.set_row(row, _height(line, sum(widths)))
            row += 1
        row += 1
        for line in notice.sign_off:  # the office and the date, right-aligned, as a signed form ends
            sheet.merge_range(row, 0, row, 3, line, f["sign_off"])
            row += 1
        sheet.print_area(0, 0, row, 3)
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
    return min(15 * lines + 3, 409)  # 11 pt text: 15 pt a line, no wasted space


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
    "sign_off": {**_BASE, "font_size": 12, "align": "right"},
}


def draft_addresses(master: Master, to: str) -> tuple[str | None, str | None]:
    """(From, To) of a reminder's draft: only one valid address each, or none."""
    sender = master.settings.contact_email
    return (sender if is_email(sender) else None), (to if to and is_email(to) else None)


def eml_draft(master: Master, notice: Notice, to: str, attachment: Path | None) -> bytes:
    """A message draft the clerk can open in any mail client and send; addressed when the e-mail is known and is one
    valid address (a CR/LF or a second address typed into a cell never reaches a header)."""
    message = EmailMessage()
    message["Subject"] = notice.title
    sender, to = draft_addresses(master, to)
    if sender:
        message["From"] = sender
    if to:
        message["To"] = to
    message["Date"] = formatdate(localtime=True)
    message["X-Unsent"] = "1"  # Outlook opens it as a draft to send
    message.set_content(render_text(notice))
    if attachment is not None and attachment.exists():
        message.add_attachment(attachment.read_bytes(), maintype="application",
                               subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=attachment.name)
    return bytes(message)
