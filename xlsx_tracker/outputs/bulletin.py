"""The monthly written 通报 (bulletin) leadership reads: a GB/T 9704-2012 document made from the month state.

`bulletin(...)` says what to say as plain paragraphs, every figure taken from the state; `write_bulletin` lays it
out with python-docx as an ordinary editable .docx: A4, 37 mm top and 28 mm left margins, a 156 × 225 mm text
block of 22 lines × 28 characters, 2号 方正小标宋简体 title, 3号 仿宋_GB2312 body, 黑体 and 楷体_GB2312 headings,
4号 宋体 page numbers "— 1 —". The font names are written even where this machine lacks them: office PCs have them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from ..base.sheetio import atomic_path
from ..base.workspace import workspace_lock
from ..calendar.workdays import month_label
from ..master.tasklist import Master
from ..month import ledger
from ..month.figures import veto_names
from ..month.lights import GREEN, RED, YELLOW
from ..month.run import MonthRun
from ..month.state import MonthState
from ..month.summary import overall_sentences, points

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
TITLE_SIZE, BODY_SIZE, PAGE_SIZE = Pt(22), Pt(16), Pt(14)
LINE_PITCH = Pt(28.95)  # 225 mm / 22 lines
CHAR_SPACING = -4  # twentieths of a point, per character
MARGINS = {"top": Mm(37), "bottom": Mm(35), "left": Mm(28), "right": Mm(26)}  # 156 × 225 mm text block on A4


@dataclass(frozen=True)
class Paragraph:
    kind: str  # "title", "heading" (一、), "subheading" ((一)), "body", "ragged", "plain" (no indent), "signature"
    text: str


@dataclass(frozen=True)
class Bulletin:
    """What the 通报 says, as plain text: it no longer needs the month state once made."""

    paragraphs: list[Paragraph]
    table: list[list[str]]  # the attached table, header row first


def bulletin_name(month: str) -> str:
    return f"{month_label(month)}法治政府建设示范创建工作进展情况通报.docx"


# ---------------------------------------------------------------- what to say


def bulletin(master: Master, state: MonthState, issued: dt.date) -> Bulletin:
    """The paragraphs and the attached table's rows — every number from the month state."""
    s, label = master.settings, month_label(state.month)
    lights = {x.key: x for x in state.unit_lights}
    by_light = {light: [x.key for x in state.unit_lights if x.light == light] for light in (RED, YELLOW, GREEN)}
    text = [
        Paragraph("title", f"关于{label}法治政府建设示范创建工作进展情况的通报"),
        Paragraph("plain", "各有关单位:"),
        Paragraph("body", f"{s.plan_basis()}{s.office}对{label}各单位示范创建工作进展情况进行了调度。现将有关情况通报如下。"),
        Paragraph("heading", "一、总体情况"),
        Paragraph("body", "".join(overall_sentences(state))),
        Paragraph("heading", "二、各单位进展情况"),
        Paragraph("subheading", "(一)进展较好的单位"),
        Paragraph("body", _good(state, by_light[GREEN])),
        Paragraph("subheading", "(二)进展滞后的单位"),
        *[Paragraph("body", line) for line in _lagging(state, s.lights.watch_reds)],
        Paragraph("heading", "三、存在的问题"),
        *[Paragraph("body", f"{i}.{line}") for i, line in enumerate(_issues(state), start=1)],
        Paragraph("heading", "四、下一步工作要求"),
        *[Paragraph("body", line) for line in _next_steps(master, state)],
        Paragraph("ragged", f"联系人:{s.contact_name},电话:{s.contact_phone},邮箱:{s.contact_email}。"),
        Paragraph("plain", ""),
        Paragraph("body", "附件:各单位得分及亮灯情况表"),
        Paragraph("plain", ""),
        Paragraph("signature", s.office),
        Paragraph("signature", f"{issued.year}年{issued.month}月{issued.day}日"),
    ]
    table = [["序号", "单位", "得分", "排名", "报送情况", "亮灯"]]
    table += [[str(i), u.unit, points(u.total), str(u.rank), u.timeliness_text, lights[u.unit].light if u.unit in lights else ""]
              for i, u in enumerate(state.units, start=1)]
    return Bulletin(text, table)


def _veto_units(state: MonthState) -> set[str]:
    return {r.assignment.unit for r in state.vetoes}


def _good(state: MonthState, green: list[str]) -> str:
    """Praise follows the light: green units that declared no veto, best score first. Nobody else is praised."""
    vetoed, greens = _veto_units(state), set(green)
    praised = [u for u in state.units if u.unit in greens and u.unit not in vetoed]
    if not praised:
        return "本月没有亮绿灯的单位。"
    listed = "、".join(f"{u.unit}({points(u.total)}分)" for u in praised[:5])
    more = f"等{len(praised)}个" if len(praised) > 5 else f"共{len(praised)}个"
    return f"亮绿灯的单位{more},按得分依次为:{listed}。"


def _lagging(state: MonthState, watch_reds: int) -> list[str]:
    """Red and yellow units; a unit that declared a veto is named once, in the veto paragraph of 三, not here."""
    vetoed = _veto_units(state)
    red = [x for x in state.unit_lights if x.light == RED and x.key not in vetoed]
    yellow = [x for x in state.unit_lights if x.light == YELLOW and x.key not in vetoed]
    lines = []
    if red:
        lines.append("亮红灯的单位:" + ";".join(f"{x.key}({'、'.join(x.reasons)})" for x in red) + "。")
    if yellow:  # by name only: the reasons are in the attached table's report and in each unit's receipt
        lines.append(f"亮黄灯的单位({len(yellow)}个):" + "、".join(x.key for x in yellow) + "。")
    watched = [x.key for x in state.unit_lights if x.watch]
    if watched:
        lines.append(f"连续{watch_reds}个月及以上亮红灯、列入约谈或挂牌督办名单的单位:{'、'.join(watched)}。")
    return lines or ["本月没有进展滞后的单位。"]


WHERE_LISTED = "(具体事项编号已在各单位回执和调度报告“催办名单”中列明)"


def _issues(state: MonthState) -> list[str]:
    """The problems of the month, each from the one set of units chased (state.follow_ups)."""
    chased = {kind: [f.unit for f in state.follow_ups if kind in f.kinds] for kind in ("not-returned", "blank", "errors")}
    lines = []
    if chased["not-returned"]:
        names = chased["not-returned"]
        lines.append(f"未按要求报送。{'、'.join(names)}共{len(names)}个单位本月未报送工作进展。")
    if chased["blank"]:
        names = chased["blank"]
        lines.append(f"报送空表。{'、'.join(names)}报回的工作簿未填写任何内容,视为未报送。")
    if chased["errors"]:
        errors = {u: sum(1 for p in state.problems_of(u) if p.severity == "error") for u in chased["errors"]}
        lines.append("报送质量不高。" + "、".join(f"{u}({n}处)" for u, n in errors.items()) + "报送的表格存在错误,已逐一反馈单元格位置,请改正后重新报送。")
    # leadership reads how many items each unit has; the task numbers are in each unit's receipt and in 催办名单
    # (listed here they ran to pages of "47-51/2、52-54/1……" that no line could lay out well)
    stale = {u: len(ids) for u, ids in state.stale.items() if ids}
    if stale:
        lines.append("进展更新不及时。" + "、".join(f"{u}{n}项" for u, n in stale.items())
                     + f"本月进展与上月完全相同{WHERE_LISTED}。")
    slipped = {u: len(items) for u, items in state.slipped.items() if items}
    if slipped:
        lines.append("部分任务延期。" + "、".join(f"{u}{n}项" for u, n in slipped.items())
                     + f"预计完成时间较上月延后{WHERE_LISTED}。")
    if state.vetoes:
        lines.append("否决项情形。" + veto_names(state) + "申报已发生否决项情形,相关单位本月亮红灯,须立即核实处置。")
    return lines or ["本月未发现突出问题。"]


def _next_steps(master: Master, state: MonthState) -> list[str]:
    s = master.settings
    return [
        f"(一)各单位要对照本通报和回执指出的问题,逐项整改,于下月{s.monthly_day}日前按时报送工作进展,确保数据真实、材料完整。",
        "(二)亮红灯、黄灯的单位要分析原因,明确责任人和完成时限,加快推进;已列入约谈或挂牌督办名单的单位,要专题研究整改措施。",
        "(三)各单位要按照申报材料要求,同步整理情况说明、证明材料目录和印证材料,做到逐一分类建档。",
    ]


# ---------------------------------------------------------------- how to lay it out


def write_bulletin(master: Master, content: Bulletin, path: Path) -> None:
    paragraphs, table = content.paragraphs, content.table
    document = Document()
    _page_setup(document)
    for paragraph in paragraphs:
        _add(document, paragraph)
    _keep_signature_with_text(document)
    document.add_page_break()
    _add(document, Paragraph("plain", "附件"))
    _add(document, Paragraph("title", "各单位得分及亮灯情况表"))
    _table(document, table)
    document.core_properties.title = paragraphs[0].text
    document.core_properties.author = master.settings.office
    with atomic_path(path) as tmp:
        document.save(str(tmp))


SIGNATURE_BLOCK = 6  # the contact line, a blank line, the 附件 line, a blank line, the office, the date


def _keep_signature_with_text(document) -> None:
    """The office and the date never stand alone on a page (GB/T 9704): the lines before them go along."""
    for made in document.paragraphs[-SIGNATURE_BLOCK:-1]:
        made.paragraph_format.keep_with_next = True


def write_month_bulletin(run: MonthRun, content: Bulletin, on_wait=None, now: dt.datetime | None = None) -> tuple[Path, Path | None]:
    """Write the month's 通报; returns (the file written, the office's edited 通报 left untouched or None).

    A 通报 the office has edited since the tool wrote it (its SHA-256 differs from the one the ledger kept) is
    theirs: the new one is written beside it, "……(更新于 HH时MM分).docx", and the edited one is never replaced.
    """
    path = run.workspace.month_reports(run.month) / bulletin_name(run.month)
    now = now or dt.datetime.now()
    with workspace_lock(run.workspace, on_wait), run.ledger() as conn:
        kept = path if _edited_by_office(run, conn, path) else None
        target = path if kept is None else _beside(run, conn, path, now)
        write_bulletin(run.master, content, target)
        relative = target.relative_to(run.workspace.root).as_posix()
        ledger.record_written(conn, relative, _sha256(target), now.isoformat(sep=" ", timespec="seconds"))
    return target, kept


def _edited_by_office(run: MonthRun, conn, path: Path) -> bool:
    """Whether path exists and is not the file the tool last wrote there (a file of unknown origin counts as edited)."""
    if not path.exists():
        return False
    return ledger.written_digest(conn, path.relative_to(run.workspace.root).as_posix()) != _sha256(path)


def _beside(run: MonthRun, conn, path: Path, now: dt.datetime) -> Path:
    for stamp in (f"{now:%H时%M分}", f"{now:%H时%M分%S秒}"):
        candidate = path.with_name(f"{path.stem}(更新于 {stamp}){path.suffix}")
        if not _edited_by_office(run, conn, candidate):
            return candidate
    return path.with_name(f"{path.stem}(更新于 {now:%Y%m%d%H%M%S%f}){path.suffix}")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _page_setup(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = MARGINS["top"], MARGINS["bottom"]
    section.left_margin, section.right_margin = MARGINS["left"], MARGINS["right"]
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    # 22 lines a page: a line grid of 28.95 pt; 28 characters a line come from the body runs' spacing (see _add)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    normal = document.styles["Normal"]
    _font(normal.font, normal.element, BODY_FONT, BODY_SIZE)
    _page_number(section)


def _font(font, element, name: str, size) -> None:
    font.name, font.size = name, size
    properties = element.get_or_add_rPr()
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


STYLE = {  # kind -> font, size, bold, alignment, first-line indent in characters
    "title": (TITLE_FONT, TITLE_SIZE, False, WD_ALIGN_PARAGRAPH.CENTER, 0),
    "heading": (HEADING_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "subheading": (SUBHEADING_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    "body": (BODY_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2),
    # an e-mail address cannot break: justified, its line was stretched with wide gaps between characters
    "ragged": (BODY_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, 2),
    "plain": (BODY_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.LEFT, 0),
    "signature": (BODY_FONT, BODY_SIZE, False, WD_ALIGN_PARAGRAPH.RIGHT, 0),
}


def _add(document, paragraph: Paragraph) -> None:
    font, size, bold, alignment, indent = STYLE[paragraph.kind]
    made = document.add_paragraph()
    made.alignment = alignment
    layout = made.paragraph_format
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, LINE_PITCH if paragraph.kind != "title" else Pt(35)
    layout.space_before = layout.space_after = Pt(0)
    if indent:
        layout.first_line_indent = Pt(size.pt * indent)
    if paragraph.kind == "title":
        layout.space_after = LINE_PITCH
    if paragraph.kind == "signature":
        layout.right_indent = Pt(size.pt * 4)  # 右空四字
    run = made.add_run(paragraph.text)
    run.bold = bold
    _font(run.font, run._element, font, size)
    if size == BODY_SIZE:  # 28 characters of 16 pt need 448 pt; the block is 442 pt wide: each gives up 0.2 pt
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CHAR_SPACING))
        run._element.get_or_add_rPr().append(spacing)


def _table(document, rows: list[list[str]]) -> None:
    """The attached table. Cells take their font from two paragraph styles instead of carrying it on every
    run: 3,200 units' table took 66 MB the other way."""
    head, body = (_cell_style(document, name, font) for name, font in (("附表表头", HEADING_FONT), ("附表文字", BODY_FONT)))
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, (row, values) in enumerate(zip(table.rows, rows, strict=True)):  # row by row: table.cell(r, c) rescans the table
        for cell, value in zip(row.cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            paragraph._p.style = (head if r == 0 else body).style_id  # by id: the style setter looks it up each time
            paragraph.add_run(value)


def _cell_style(document, name: str, font: str):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    _font(style.font, style.element, font, Pt(12))
    style.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return style


def _page_number(section) -> None:
    """Page numbers as "— 1 —" in 4号 宋体, centred in the footer."""
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for piece in ("— ", None, " —"):
        run = footer.add_run(piece or "")
        _font(run.font, run._element, PAGE_FONT, PAGE_SIZE)
        if piece is None:
            for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
                if kind:
                    element = OxmlElement("w:fldChar")
                    element.set(qn("w:fldCharType"), kind)
                else:
                    element = OxmlElement("w:instrText")
                    element.set(qn("xml:space"), "preserve")
                    element.text = text
                run._element.append(element)
