"""How the 通报 is laid out: python-docx writes an ordinary editable .docx to GB/T 9704-2012.

A4, 37 mm top and 28 mm left margins, a 156 × 225 mm text block of 22 lines × 28 characters, 2号 方正小标宋简体
title, 3号 仿宋_GB2312 body, 黑体 and 楷体_GB2312 headings, 4号 宋体 page numbers "— 1 —"; the optional 版头 (red
发文机关标志, 发文字号, red line) and the annex table in 四号 with columns sized to their text. The font names are
written even where this machine lacks them: office PCs have them. `bulletin` says what; this module says how.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips

from ..base.sheetio import atomic_path
from ..master.tasklist import Master

TITLE_FONT, BODY_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
TITLE_SIZE, BODY_SIZE, PAGE_SIZE, TABLE_SIZE = Pt(22), Pt(16), Pt(14), Pt(14)
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
    issuer_mark: str = ""  # the 版头's 发文机关标志; empty: no 版头
    number: str = ""  # the 版头's 发文字号; empty: no number line




def write_bulletin(master: Master, content: Bulletin, path: Path) -> None:
    paragraphs, table = content.paragraphs, content.table
    document = Document()
    _page_setup(document)
    if content.issuer_mark:
        _header(document, content.issuer_mark, content.number)
    for paragraph in paragraphs:
        _add(document, paragraph)
    if content.issuer_mark:  # GB/T 9704 7.3.1: the title two lines below the red line
        document.paragraphs[2 if content.number else 1].paragraph_format.space_before = LINE_PITCH * 2
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
        _run_property(run, "w:spacing", str(CHAR_SPACING))


# what follows w:spacing and w:w in a run's properties: Word wants them in the schema's order
RUN_PROPERTIES_AFTER = ("w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd",
                        "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
                        "w:specVanish", "w:oMath")


def _run_property(run, name: str, value: str) -> None:
    element = OxmlElement(name)
    element.set(qn("w:val"), value)
    after = ("w:w", *RUN_PROPERTIES_AFTER) if name == "w:spacing" else RUN_PROPERTIES_AFTER
    run._element.get_or_add_rPr().insert_element_before(element, *after)


RED_INK = RGBColor(0xFF, 0x00, 0x00)
MARK_SIZES = [Pt(42), Pt(36), Pt(26), Pt(24), Pt(22)]  # 初号 to 2号: the largest the 发文机关标志 fits the block in
BLOCK_WIDTH = Mm(156)


def _header(document, mark: str, number: str) -> None:
    """The 版头 (GB/T 9704-2012 7.2): the 发文机关标志 35 mm below the top of the text block, centred, red, in
    小标宋 no wider than the block; the 发文字号 two lines below it, centred; a red line as wide as the block 4 mm
    below the 发文字号 (below the 发文机关标志 when there is no number)."""
    width = _text_width(mark)  # in ems
    size = next((fits for fits in MARK_SIZES if width * fits <= BLOCK_WIDTH), MARK_SIZES[-1])
    made = _header_line(document, mark, TITLE_FONT, size, Pt(round(size.pt * 1.2)))
    made.paragraph_format.space_before = Mm(35)
    run = made.runs[0]
    run.font.color.rgb = RED_INK
    if width * size > BLOCK_WIDTH:  # a name too long even at 2号: narrowed, as offices narrow theirs
        _run_property(run, "w:w", str(int(100 * BLOCK_WIDTH / (width * size))))
    if number:
        made = _header_line(document, number, BODY_FONT, BODY_SIZE, LINE_PITCH)
        made.paragraph_format.space_before = LINE_PITCH * 2
    _red_line(made)


def _header_line(document, text: str, font: str, size, pitch):
    made = document.add_paragraph()
    made.alignment = WD_ALIGN_PARAGRAPH.CENTER
    layout = made.paragraph_format
    layout.line_spacing_rule, layout.line_spacing = WD_LINE_SPACING.EXACTLY, pitch
    layout.space_before = layout.space_after = Pt(0)
    snap = OxmlElement("w:snapToGrid")  # its own line height, not the body's 22-line grid
    snap.set(qn("w:val"), "0")
    made._p.get_or_add_pPr().insert(0, snap)
    run = made.add_run(text)
    _font(run.font, run._element, font, size)
    return made


def _red_line(paragraph) -> None:
    """The 版头 separator: a red bottom border of the paragraph, 4 mm below its text, across the text block."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for name, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "11"), ("w:color", str(RED_INK))):
        bottom.set(qn(name), value)  # sz in eighths of a point (1.5 pt); space in points (4 mm ≈ 11 pt)
    borders.append(bottom)
    # in the schema's order: before what a 版头 line holds (its grid, spacing, alignment) and what python-docx adds
    paragraph._p.get_or_add_pPr().insert_element_before(borders, "w:shd", "w:tabs", "w:snapToGrid", "w:spacing", "w:ind", "w:jc",
                                                        "w:rPr", "w:sectPr")


def _text_width(text: str) -> float:
    """The width of a line of text in ems: a Chinese (full-width) character one, a digit or Latin letter half."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


TABLE_WIDTH = 8844  # twips (1/1440 inch): the 156 mm text block
CELL_MARGIN = 108  # twips each side, Word's default (1.9 mm)
CELL_SLACK = 70  # twips a cell keeps beyond its text, for a font a little wider than the one measured


def column_widths(rows: list[list[str]], size=TABLE_SIZE, total: int = TABLE_WIDTH, widest: int = 1) -> list[int]:
    """Each column's width in twips, summing to total: as wide as its longest text at size plus the cell's margins,
    the room left over shared out evenly. The widest column (单位) gets at most what the others leave it, so a
    name too long for the page wraps instead of pushing the table off it."""
    em = size.pt * 20  # twips
    need = [round(max(_text_width(row[c]) for row in rows) * em) + 2 * CELL_MARGIN + CELL_SLACK for c in range(len(rows[0]))]
    need[widest] = min(need[widest], total - (sum(need) - need[widest]))
    spare, count = total - sum(need), len(need)
    widths = [width + spare // count for width in need]
    widths[widest] += total - sum(widths)
    return widths


def _table(document, rows: list[list[str]]) -> None:
    """The attached table in 4号, laid out fixed: its columns sized to their text (see column_widths) so that no
    unit name wraps, the header row repeated on each page, no row split across pages. Cells take their font from
    two paragraph styles instead of carrying it on every run: 3,200 units' table took 66 MB the other way."""
    head, body = (_cell_style(document, name, font) for name, font in (("附表表头", HEADING_FONT), ("附表文字", BODY_FONT)))
    widths = column_widths(rows)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # w:tblLayout fixed: the widths below, whatever the text
    _table_width(table)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)  # w:tblGrid
    for r, (row, values) in enumerate(zip(table.rows, rows, strict=True)):  # row by row: table.cell(r, c) rescans the table
        _row_properties(row, header=r == 0)
        for cell, value, width in zip(row.cells, values, widths, strict=True):
            cell.width = Twips(width)
            paragraph = cell.paragraphs[0]
            paragraph._p.style = (head if r == 0 else body).style_id  # by id: the style setter looks it up each time
            paragraph.add_run(value)


def _table_width(table) -> None:
    width = table._tbl.tblPr.find(qn("w:tblW"))  # python-docx makes every table with one ("auto")
    width.set(qn("w:w"), str(TABLE_WIDTH))
    width.set(qn("w:type"), "dxa")


def _row_properties(row, header: bool) -> None:
    """w:cantSplit on every row; w:tblHeader on the first, which Word and LibreOffice repeat atop each page."""
    properties = row._tr.get_or_add_trPr()
    for name in ("w:cantSplit", "w:tblHeader") if header else ("w:cantSplit",):
        properties.append(OxmlElement(name))


def _cell_style(document, name: str, font: str):
    style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    _font(style.font, style.element, font, TABLE_SIZE)
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
