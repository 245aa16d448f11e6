"""The form checks itself in a real second client: filled with a missing explanation and saved by LibreOffice, it
counts what is missing, keeps its marks, and marks red exactly the cells merge reports.

What LibreOffice applied is read from its HTML export, which carries each cell's background colour as the
conditional formats made it (the xlsx keeps only the rules). Skipped where LibreOffice is missing, failed on CI.
"""

import datetime as dt
import os
import shutil
from html.parser import HTMLParser

import openpyxl
import pytest

from xlsx_tracker.base import layout
from xlsx_tracker.base.sheetio import cell_ref
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.demo import simulate
from xlsx_tracker.month.form_parts import COUNT_NAMES, REFUSED, REMINDED
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

UNIT = "民政局"  # 8 tasks, two of them veto items
ISSUED = dt.datetime(2024, 5, 6, 9)


@pytest.fixture(scope="module")
def convert(request):
    """libreoffice_convert, which CI must have: with CI set, a missing LibreOffice fails the test instead of skipping."""
    if os.environ.get("CI") and not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.fail("CI 环境需要 LibreOffice(soffice)检查填报表的自动检查,但未安装。")
    return request.getfixturevalue("libreoffice_convert")


def cell(task_rows: dict[str, int], task_id: str, column: str) -> str:
    return cell_ref(task_rows[task_id] - 1, layout.TASK_COLUMNS.index(column))


@pytest.fixture(scope="module")
def filled(tmp_path_factory, master, calendar, month_of, filled_return, convert):
    """民政局's May form filled in full, then (the plan) one 无此情形 and one 已完成 without 本月工作进展, a veto item
    declared 已发生 with only spaces written, a started row without 进展状态, two statuses pasted past the list (one
    merge cannot read, one it reads as 推进中), and an unfinished task planned for April; saved by LibreOffice as
    xlsx, and that file exported to HTML as LibreOffice shows it."""
    root = tmp_path_factory.mktemp("form-lo")
    workspace = init_workspace(root / "工作区")
    run = month_of(master, calendar, "2024-05", workspace)
    [issued] = split(run, units=[UNIT], issued_at=ISSUED)
    rows = simulate.task_rows(simulate.open_form(issued.path))
    not_applicable, done, unstarted, late, pasted, near = [t for t in rows if not t.startswith("否决")]
    veto = next(t for t in rows if t.startswith("否决"))
    plan = {not_applicable: {layout.STATUS: "无此情形(已作说明)", "本月工作进展": None},
            done: {layout.STATUS: "已完成", "本月工作进展": None},
            veto: {layout.STATUS: "已发生", "本月工作进展": "  "},
            unstarted: {layout.STATUS: None},  # its other cells filled: a started row
            late: {layout.STATUS: "推进中", "预计完成时间": dt.datetime(2024, 4, 1)},
            pasted: {layout.STATUS: "基本完成"}, near: {layout.STATUS: "进行中"}}
    red = {cell(rows, not_applicable, "本月工作进展"): "not-applicable-unexplained", cell(rows, done, "本月工作进展"): "done-without-progress",
           cell(rows, veto, "本月工作进展"): "veto-without-account", cell(rows, unstarted, layout.STATUS): "empty-status",
           cell(rows, pasted, layout.STATUS): "invalid-status", cell(rows, near, layout.STATUS): "status-normalized"}
    yellow = {cell(rows, late, "预计完成时间")}
    path = filled_return(issued, root / "filled", seed=7, values=plan)
    saved = convert(path, root / "saved")
    shown = convert(saved, root / "shown", "html")
    return run, root, saved, shown, red, yellow


class _Colours(HTMLParser):
    """Each sheet's cells and their background colour, as LibreOffice exported them to HTML: a sheet is a table after
    a heading naming it (<h1>Sheet 2: <em>任务清单</em></h1>); merged cells span columns."""

    def __init__(self):
        super().__init__()
        self.sheets: dict[str, dict[str, str]] = {}
        self.name, self.naming = "", False
        self.row, self.col, self.taken = -1, 0, set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "em":
            self.name, self.naming = "", True
        elif tag == "table" and self.name:
            self.sheets[self.name] = {}
            self.row, self.taken = -1, set()
        elif tag == "tr":
            self.row, self.col = self.row + 1, 0
        elif tag == "td" and self.name in self.sheets:
            while (self.row, self.col) in self.taken:
                self.col += 1
            across, down = int(attrs.get("colspan", 1)), int(attrs.get("rowspan", 1))
            self.taken |= {(self.row + r, self.col + c) for r in range(down) for c in range(across)}
            self.sheets[self.name][cell_ref(self.row, self.col)] = (attrs.get("bgcolor") or "").upper()
            self.col += across

    def handle_endtag(self, tag):
        if tag == "em":
            self.naming = False

    def handle_data(self, data):
        if self.naming:
            self.name += data


def colours(html_path) -> dict[str, dict[str, str]]:
    parser = _Colours()
    parser.feed(html_path.read_text(encoding="utf-8", errors="replace"))
    return parser.sheets


def test_the_counter_counts_what_libreoffice_calculated(filled):
    _, _, saved, _, red, yellow = filled
    value = openpyxl.load_workbook(saved, data_only=True)[layout.TASK_SHEET]["G1"].value
    assert value == "还有 1 项未填写进展状态,2 项进展状态不是下拉选项,3 项需要补充说明,1 项预计完成时间已过。"
    assert (len(red), len(yellow)) == (6, 1)  # 1 + 2 + 3 red, 1 yellow: the plan


def test_the_marks_and_names_survive_the_round_trip(filled):
    _, _, saved, _, _, _ = filled
    book = openpyxl.load_workbook(saved)
    sheet = book[layout.TASK_SHEET]
    rules = [(str(cf.sqref), rule.formula[0], rule.dxf.fill.bgColor.rgb[-6:]) for cf in sheet.conditional_formatting for rule in cf.rules]
    fills = [fill for _, _, fill in rules]
    assert fills.count(REFUSED["bg_color"][1:]) == 6 and fills.count(REMINDED["bg_color"][1:]) == 1
    assert any('TRIM($C3)="无此情形(已作说明)"' in formula for _, formula, _ in rules)
    assert set(COUNT_NAMES) <= set(book.defined_names)
    assert sheet["B3"].value.startswith("=HYPERLINK(\"#'任务说明'!A3\",")  # the link to the full text kept


def test_libreoffice_shows_red_exactly_where_merge_reports(filled):
    """The issue's Done-when: the cells the form marks red (as LibreOffice applied them) are the cells merge reports,
    both as the fill plan says; the yellow date is a reminder merge does not refuse."""
    run, root, saved, shown, red, yellow = filled
    applied = colours(shown)[layout.TASK_SHEET]
    assert {ref for ref, colour in applied.items() if colour == REFUSED["bg_color"].upper()} == set(red)
    assert {ref for ref, colour in applied.items() if colour == REMINDED["bg_color"].upper()} == yellow
    inbox = root / "收件箱"
    inbox.mkdir()
    shutil.copy(saved, inbox / saved.name)
    result = merge(run, inbox, now=dt.datetime(2024, 5, 17, 9))
    assert list(result.accepted) == [UNIT]
    reported = {p.cell: p.code for p in result.problems if p.sheet == layout.TASK_SHEET}
    assert reported == red
