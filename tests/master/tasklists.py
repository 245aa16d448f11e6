"""Task lists as offices publish them, built from Python data (a helper module, not a test module): a Word table with
its category merged down and a cell inside a content control, an Excel sheet under a title row with merged cells, and
numbered paragraphs with their units inline."""

from __future__ import annotations

import copy
from pathlib import Path

import openpyxl
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

HEADER = ["序号", "类别", "主要任务", "牵头单位", "责任单位", "完成时限"]
ROWS = [
    ["1", "一、优化政务服务", "推行“一网通办”,政务服务事项全程网办率达到90%以上。", "区行政审批局", "区发展和改革局、区财政局", "2024年6月底前"],
    ["2", "一、优化政务服务", "建立企业诉求“接诉即办”机制。", "区发改局", "各镇街", "长期坚持"],
    ["3", "二、规范市场监管", "开展涉企收费专项检查,到2020年实现清单外无收费。", "区市场监督管理局", "区财政局等", "每季度"],
    ["4", "二、规范市场监管", "推行“双随机、一公开”监管全覆盖。", "区市场局", "区直各部门", "12月31日前"],
]


def word_table_with_merged_categories_and_a_content_control(path: Path) -> Path:
    """The 类别 cell merged down over its rows (w:vMerge), and row 2's 牵头单位 cell wrapped in a content control (w:sdt),
    which python-docx's table API drops."""
    document = Document()
    document.add_paragraph("附件1")
    document.add_paragraph("新河区优化营商环境重点任务分工方案")
    table = document.add_table(rows=1 + len(ROWS), cols=len(HEADER))
    for column, text in enumerate(HEADER):
        table.cell(0, column).text = text
    for row, values in enumerate(ROWS, start=1):
        for column, text in enumerate(values):
            if column != 1:
                table.cell(row, column).text = text
    for first, last in ((1, 2), (3, 4)):  # each category once, merged down
        merged = table.cell(first, 1).merge(table.cell(last, 1))
        merged.text = ROWS[first - 1][1]
    _wrap_in_content_control(table.rows[2]._tr, 3)
    document.save(str(path))
    return path


def _wrap_in_content_control(tr, index: int) -> None:
    tc = tr.findall(qn("w:tc"))[index]
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    sdt.append(OxmlElement("w:sdtPr"))
    tc.addprevious(sdt)
    content.append(copy.deepcopy(tc))
    sdt.append(content)
    tr.remove(tc)


def excel_sheet_under_a_title_with_merged_cells(path: Path) -> Path:
    """附件2 and a title above the header; the 类别 merged over its rows (openpyxl leaves None below its top-left)."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "任务分工"
    sheet.append(["附件2"])
    sheet.append(["新河区优化营商环境重点任务分工表"])
    sheet.merge_cells("A2:F2")
    sheet.append(HEADER)
    for values in ROWS:
        sheet.append(values)
    sheet.merge_cells("B4:B5")
    sheet.merge_cells("B6:B7")
    book.save(path)
    return path


TWO_ROW_HEADER = [["序号", "重点任务", "责任单位", "责任单位", "完成时限"],
                  ["序号", "重点任务", "牵头单位", "配合单位", "完成时限"]]
TWO_ROW_TASKS = [["1", "建立涉企行政检查统一平台。", "区司法局", "区市场局、区财政局", "2024年9月底前"],
                 ["2", "开展行政执法案卷评查。", "区司法局", "区直各部门", "每季度"]]


def excel_sheet_with_a_two_row_header(path: Path) -> Path:
    """责任单位 merged across 牵头单位 | 配合单位 below it; 序号, 重点任务 and 完成时限 merged down over both header rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["新河区行政执法协调监督重点任务分工表"])
    for values in [TWO_ROW_HEADER[0][:3] + [None, TWO_ROW_HEADER[0][4]], [None, None, "牵头单位", "配合单位", None], *TWO_ROW_TASKS]:
        sheet.append(values)
    for merged in ("A1:E1", "C2:D2", "A2:A3", "B2:B3", "E2:E3"):
        sheet.merge_cells(merged)
    book.save(path)
    return path


def word_table_with_a_two_row_header(path: Path) -> Path:
    """The same header in Word: 责任单位 spans two grid columns (w:gridSpan), the others merge down (w:vMerge)."""
    document = Document()
    document.add_paragraph("新河区行政执法协调监督重点任务分工表")
    table = document.add_table(rows=2 + len(TWO_ROW_TASKS), cols=5)
    for column, text in enumerate(TWO_ROW_HEADER[1]):
        table.cell(1, column).text = text
    for row, values in enumerate(TWO_ROW_TASKS, start=2):
        for column, text in enumerate(values):
            table.cell(row, column).text = text
    for column in (0, 1, 4):
        table.cell(0, column).merge(table.cell(1, column)).text = TWO_ROW_HEADER[0][column]
    table.cell(0, 2).merge(table.cell(0, 3)).text = "责任单位"
    document.save(str(path))
    return path


INLINE = """新河区2024年法治政府建设工作要点
一、加强制度建设
1. 制定年度立法计划。牵头单位:区司法局;责任单位:区政府办、各镇街
2. 开展规范性文件清理(区司法局牵头,区直各有关部门按职责分工负责,2024年10月底前)
二、严格执法监督
3. 推行行政执法“三项制度”(区司法局牵头,区公安分局、区市场局等配合,持续推进)
"""


def inline_text(path: Path) -> Path:
    path.write_text(INLINE, encoding="utf-8")
    return path
