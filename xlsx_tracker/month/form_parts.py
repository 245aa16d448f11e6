"""Parts of a unit's form that carry no layout of their own: its fonts and formats, dropdown sources, input rules,
the 审核意见 text, and the form's own checks (the red marks and the counter at the top of 任务清单)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from xlsxwriter.utility import xl_col_to_name

from ..base import layout
from ..base.layout import STATUS
from ..base.problems import EMPTY_STATUS, INVALID_STATUS, Code
from ..base.sheetio import Formats, excel_text, wrapped_height
from ..calendar.workdays import month_label
from ..master.answer_rules import PROGRESS, AnswerRule, broken_rule, rules_in_force
from ..master.settings import STATUSES, VETO_STATUSES, Answers
from ..master.values import normalize_date
from .rows import DONE

INLINE_LIST_LIMIT = 255
# 宋体 throughout, the workbook's default (Normal) style included, so that empty cells and typed text are 宋体 too.
# Excel and WPS find it by this name on Chinese Windows, WPS on Kylin/UOS ships it; charset 134 (GB2312) lets a
# client that lacks it substitute a Chinese font (LibreOffice with fonts-noto-cjk: a CJK serif or sans).
# No font scheme: a "minor" scheme would let Excel show Latin text in the theme's Calibri.
FONT = {"font_name": "宋体", "font_size": 11, "font_charset": 134, "font_family": 3, "font_scheme": "none"}
TABLE_FONT_SIZE = 10.5  # 五号, as forms are printed; the guide and titles are larger
TITLE_SIZE = 12


class ListSheet:
    """Dropdown sources: inline when short, else a range on the hidden list sheet."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.columns: dict[tuple[str, ...], int] = {}

    def validation(self, values, title: str, message: str, prompt: str | None = None) -> dict:
        """A dropdown; message is said when a typed value is refused, prompt (else message) when the cell is chosen."""
        values = [str(v) for v in values]
        rule = {"validate": "list", "error_title": f"{title}无效", "error_message": message,
                "input_title": title, "input_message": (prompt or message)[:255]}
        if len(",".join(values)) <= INLINE_LIST_LIMIT and all("," not in v for v in values):
            return {**rule, "source": values}
        key = tuple(values)
        if key not in self.columns:
            col = len(self.columns)
            self.columns[key] = col
            for row, value in enumerate(values):
                self.sheet.write_string(row, col, value)
        letter = xl_col_to_name(self.columns[key])
        return {**rule, "source": f"={layout.LISTS_SHEET}!${letter}$1:${letter}${len(values)}"}


def closed(decision: tuple[str, str] | None) -> bool:
    return decision is not None and decision[0] == "通过"


def review_note(decision: tuple[str, str] | None) -> str:
    """What the 审核意见 column says of the office's last decision on the task's claim ("" when there is none)."""
    if decision is None:
        return ""
    if closed(decision):
        return "已销号(审核通过,本项不必再报)"
    return f"审核退回:{decision[1]}。请按此补充后在本月重新申报。"


def date_validation(issued: dt.date) -> dict:
    return {"validate": "date", "criteria": "between",
            "minimum": dt.date(2023, 1, 1), "maximum": dt.date(2035, 12, 31),
            "error_title": "日期无效", "error_message": f"请填写 2023-01-01 至 2035-12-31 之间的日期,例如 {issued.year}-12-31。",
            "input_title": "预计完成时间",
            "input_message": f"请填写日期,例如 {issued.year}-12-31。尚未完成的任务,日期早于下发日期({issued.isoformat()})的显示为黄色,请改为新的预计日期。"}


def phone_validation() -> dict:
    return {"validate": "length", "criteria": "between", "minimum": 7, "maximum": 20,
            "error_title": "电话号码无效", "error_message": "请填写7–20位的电话号码,如 6218033 或 13800000000。",
            "input_title": "联系电话", "input_message": "固定电话或手机号码。"}


# ---------------------------------------------------------------- the form's own checks, while the liaison types

# Red (Excel's own 差 style) marks exactly what merge will report on the cell, so the form and the receipt agree;
# yellow (中性) what the report will count against the unit without refusing the answer (a task past its date).
REFUSED = {"bg_color": "#FFC7CE", "font_color": "#9C0006"}
REMINDED = {"bg_color": "#FFEB9C", "font_color": "#9C5700"}
ALL_DONE = {"bg_color": "#C6EFCE", "font_color": "#006100"}  # Excel's own 好 style
DATE_COLUMN = "预计完成时间"
STARTED_COLUMNS = [c for c in layout.EDITABLE_COLUMNS if c != STATUS]  # any of these filled: the row was started


def _length(ref: str) -> str:
    """The length of a cell's text (or of each cell's, over a range) without the spaces, line breaks, no-break
    and full-width spaces merge strips (str.strip): a cell of only those is empty to both."""
    for char in ("CHAR(10)", "CHAR(160)", '"\u3000"'):  # line breaks, a web page's no-break space, 全角空格
        ref = f'SUBSTITUTE({ref},{char}," ")'
    return f"LEN(TRIM({ref}))"


def blank(ref: str) -> str:
    """A cell (or each cell of a range) that merge reads as empty."""
    return f"({_length(ref)}=0)"


def filled(ref: str) -> str:
    """The opposite of blank (not NOT(blank): it stays an array over a range, in every client)."""
    return f"({_length(ref)}>0)"


def one_of(ref: str, texts: list[str]) -> str:
    """1 where a cell (or each cell of a range), its spaces trimmed, is one of texts; else 0."""
    return "(" + "+".join(f'(TRIM({ref})="{t.replace(chr(34), chr(34) * 2)}")' for t in texts) + ")"


def date_formula(day: dt.date) -> str:
    return f"DATE({day.year},{day.month},{day.day})"


@dataclass(frozen=True)
class Mark:
    """A conditional format: the cells of one column, on some rows, that a formula (written for the first row) marks."""

    column: str
    rows: list[int]  # zero-based sheet rows, ascending
    formula: str
    code: Code | None  # what merge reports on the marked cell (red); None: a reminder (yellow), the report's 超期未完成

    @property
    def refused(self) -> bool:
        return self.code is not None

    def ranges(self) -> list[tuple[int, int]]:
        return runs(self.rows)


def runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) ranges."""
    found: list[tuple[int, int]] = []
    for row in rows:
        if found and found[-1][1] == row - 1:
            found[-1] = (found[-1][0], row)
        else:
            found.append((row, row))
    return found


# The counts the counter at the top of 任务清单 shows, as workbook names: each formula written once, readable in
# 公式 → 名称管理器 (Excel, WPS) or 工作表 → 命名区域和表达式 (LibreOffice).
COUNT_NAMES = ("form_unfilled", "form_invalid", "form_unexplained", "form_overdue")
COUNTER_PARTS = (" 项未填写进展状态", " 项进展状态不是下拉选项", " 项需要补充说明", " 项预计完成时间已过")
ALL_FILLED = "已全部填写。"


class FormChecks:
    """What merge will report, as formulas the form evaluates itself (no macro): the marks of 任务清单 and the
    counter at its top. The answer rules come from the table merge reads, switched on as settings [answers] says.

    rows: each task row's sheet row (zero-based) and whether it is a veto item, in sheet order. A task the office
    closed shows 已销号 as its status: no mark and no count ever reads it as missing.
    """

    def __init__(self, rows: list[tuple[int, bool]], answers: Answers, issued: dt.date):
        self.rows, self.answers, self.issued = rows, answers, issued
        self.letter = {name: xl_col_to_name(col) for col, name in enumerate(layout.TASK_COLUMNS)}
        self.rules = rules_in_force(answers)
        # finished, as the report's 超期未完成 reads it (its list's words only: a conditional format stays within
        # the 255 characters Excel's rule dialog takes)
        self.done = [*sorted(DONE), layout.CLOSED]

    def section(self, veto: bool | None = None) -> list[int]:
        """The sheet rows of veto items (True), of the others (False) or of all (None)."""
        return [row for row, is_veto in self.rows if veto is None or is_veto == veto]

    def ref(self, name: str, row: int) -> str:
        return f"${self.letter[name]}{row + 1}"

    def area(self, name: str, first: int, last: int) -> str:
        """An absolute range of the task sheet, named with its sheet: a workbook name's formula needs both."""
        return f"'{layout.TASK_SHEET}'!${self.letter[name]}${first + 1}:${self.letter[name]}${last + 1}"

    # ---- the marks: one conditional format each

    def marks(self) -> list[Mark]:
        found = [self._rule_mark(rule) for rule in self.rules]
        every = self.section()
        if every:
            first = every[0]
            started = "&".join(self.ref(name, first) for name in STARTED_COLUMNS)
            found.append(Mark(STATUS, every, f"AND({blank(self.ref(STATUS, first))},{filled(started)})", EMPTY_STATUS))
        for veto in (False, True):  # a pasted status not in the list: merge refuses it, or reads it as the nearest one
            rows = self.section(veto)
            if rows:
                status = self.ref(STATUS, rows[0])
                found.append(Mark(STATUS, rows, f"AND({filled(status)},{one_of(status, self.choices(veto))}=0)", INVALID_STATUS))
        planned = self.section(veto=False)
        if planned:
            date = self.ref(DATE_COLUMN, planned[0])
            found.append(Mark(DATE_COLUMN, planned, f"AND(ISNUMBER({date}),{date}<{date_formula(self.issued)},"
                                                    f"{one_of(self.ref(STATUS, planned[0]), self.done)}=0)", None))
        return [m for m in found if m.rows]

    @staticmethod
    def choices(veto: bool) -> list[str]:
        """What the status list offers (and 已销号, the locked status of a closed task): anything else is said."""
        return [*(VETO_STATUSES if veto else STATUSES), layout.CLOSED]

    def _rule_mark(self, rule: AnswerRule) -> Mark:
        rows = self.section(rule.veto)
        first = rows[0] if rows else 0
        formula = f"AND({one_of(self.ref(STATUS, first), rule.spellings())}>0,{blank(self.ref(PROGRESS, first))})"
        return Mark(PROGRESS, rows, formula, rule.code)

    # ---- the counter at the top

    def counts(self) -> dict[str, str]:
        """The formula of each count name: statuses not filled in, answers that need their text, unfinished tasks
        past their date."""
        empty, invalid, explain, late = [], [], [], []
        for first, last in runs(self.section()):
            empty.append(f"SUMPRODUCT(--{blank(self.area(STATUS, first, last))})")
        for veto in (False, True):
            for first, last in runs(self.section(veto)):
                status = self.area(STATUS, first, last)
                invalid.append(f"SUMPRODUCT({filled(status)}*({one_of(status, self.choices(veto))}=0))")
        for rule in self.rules:
            for first, last in runs(self.section(rule.veto)):
                explain.append(f"SUMPRODUCT(({one_of(self.area(STATUS, first, last), rule.spellings())}>0)"
                               f"*{blank(self.area(PROGRESS, first, last))})")
        for first, last in runs(self.section(veto=False)):
            date = self.area(DATE_COLUMN, first, last)
            late.append(f"SUMPRODUCT(ISNUMBER({date})*({date}<{date_formula(self.issued)})"
                        f"*({one_of(self.area(STATUS, first, last), self.done)}=0))")
        counted = (empty, invalid, explain, late)
        return {name: "=" + ("+".join(parts) or "0") for name, parts in zip(COUNT_NAMES, counted, strict=True)}

    @staticmethod
    def counter_formula() -> str:
        parts = "&".join(f'IF({n}>0,","&{n}&"{text}","")' for n, text in zip(COUNT_NAMES, COUNTER_PARTS, strict=True))
        return f'=IF({"+".join(COUNT_NAMES)}=0,"{ALL_FILLED}","还有 "&MID({parts},2,300)&"。")'

    def counter_value(self, values: dict[int, dict]) -> str:
        """What the counter shows for the written values (sheet row -> column -> value): the cached result, for a
        viewer that does not calculate; the same rules, read from the same table."""
        empty = invalid = explain = late = 0
        for row, veto in self.rows:
            cells = values.get(row, {})
            status = str(cells.get(STATUS) or "").strip()
            empty += not status
            invalid += bool(status) and status not in self.choices(veto)
            explain += broken_rule(self.answers, status, cells.get(PROGRESS), veto) is not None
            day = cells.get(DATE_COLUMN)
            late += not veto and isinstance(day, dt.date) and _as_date(day) < self.issued and status not in self.done
        return counter_text(empty, invalid, explain, late)


def counter_text(*counts: int) -> str:
    parts = [f"{n}{text}" for n, text in zip(counts, COUNTER_PARTS, strict=True) if n]
    return f"还有 {','.join(parts)}。" if parts else ALL_FILLED


def _as_date(day) -> dt.date:
    return day.date() if isinstance(day, dt.datetime) else day


def row_height(text: str, width: float, size: float = TABLE_FONT_SIZE) -> float:
    """A row's height for a text wrapped in a width: lines as wrapped_height counts them, each set at 1.5 times the
    size, as LibreOffice sets them in the CJK font it falls back on (Noto CJK); Excel's 宋体 needs less."""
    return (wrapped_height(text, width, size) - 4) / 1.35 * 1.5 + 4


def form_formats(book) -> Formats:
    """The named formats of a unit's form: 宋体 (the workbook's default, FONT), 五号 in its tables."""
    size = TABLE_FONT_SIZE
    base = {"valign": "top", "border": 1, "font_size": size}
    grey = {**base, "bg_color": "#F2F2F2", "text_wrap": True, "locked": True}
    edit = {**base, "bg_color": "#FFFFFF", "text_wrap": True, "locked": False, "num_format": "@"}
    top = {"text_wrap": True, "valign": "vcenter", "font_size": size}
    return Formats(book, {
        "title": {"bold": True, "font_size": 14, "align": "center", "valign": "vcenter"},
        "top_title": {**top, "bold": True, "font_size": TITLE_SIZE},
        "top_note": top,
        # the counter: its formula kept from the formula bar (hidden), in red until everything is filled in
        "top_counter": {**top, "bold": True, "font_color": "#9C0006", "hidden": True, "locked": True},
        "head": {**base, "bold": True, "bg_color": "#BFBFBF", "text_wrap": True, "align": "center"},
        "head_edit": {**base, "bold": True, "bg_color": "#FFE699", "text_wrap": True, "align": "center"},
        "locked": grey,
        "link": {**grey, "font_color": "#0563C1", "underline": 1, "hidden": True},  # the formula kept from the formula bar
        "locked_date": {**grey, "num_format": "yyyy-mm-dd"},
        "edit": edit,
        "edit_date": {**edit, "num_format": "yyyy-mm-dd"},
        "label": {"bold": True, "valign": "top"},
        "wrap": {"text_wrap": True, "valign": "top"},
    })


def protect_and_print(sheet, header_row: int, month: str, unit: str) -> None:
    """A locked sheet that still filters, selects and resizes; A4 landscape, one page wide, its header on every page."""
    sheet.protect("", {"autofilter": True, "sort": False, "format_columns": True, "format_rows": True,
                       "select_locked_cells": True, "select_unlocked_cells": True})
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.repeat_rows(0, header_row)
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    sheet.set_header(f"&L{unit}&R{month_label(month)}")
    sheet.set_footer("&C第 &P 页,共 &N 页")


def write_editable(sheet, row, col, value, f, date=False):
    """An input cell with last month's value (or none); what it now holds. A date is a real date in a date format,
    so that a newly typed date is a date too (the date rule refuses text)."""
    if date and isinstance(value, str) and value.strip():
        value = normalize_date(value) or value  # the ledger keeps dates as ISO text
    if isinstance(value, (dt.date, dt.datetime)):
        value = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        sheet.write_datetime(row, col, value, f["edit_date"])
        return value.date()
    if value not in (None, ""):
        text = excel_text(str(value))  # last month's text, as the unit wrote it: never a formula
        sheet.write_string(row, col, text, f.text("edit", text))
        return text
    sheet.write_blank(row, col, None, f["edit_date" if date else "edit"])
    return None
