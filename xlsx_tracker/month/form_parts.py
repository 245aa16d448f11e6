"""Parts of a unit's form that carry no layout of their own: dropdown sources, input rules, the 审核意见 text."""

from __future__ import annotations

import datetime as dt

from xlsxwriter.utility import xl_col_to_name

from ..base import layout

INLINE_LIST_LIMIT = 255


class ListSheet:
    """Dropdown sources: inline when short, else a range on the hidden list sheet."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.columns: dict[tuple[str, ...], int] = {}

    def validation(self, values, title: str, message: str) -> dict:
        values = [str(v) for v in values]
        rule = {"validate": "list", "error_title": f"{title}无效", "error_message": message,
                "input_title": title, "input_message": message[:255]}
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


def date_validation() -> dict:
    return {"validate": "date", "criteria": "between",
            "minimum": dt.date(2023, 1, 1), "maximum": dt.date(2035, 12, 31),
            "error_title": "日期无效", "error_message": "请填写 2023-01-01 至 2035-12-31 之间的日期,例如 2024-06-30。",
            "input_title": "预计完成时间", "input_message": "请填写日期,例如 2024-06-30。"}


def phone_validation() -> dict:
    return {"validate": "length", "criteria": "between", "minimum": 7, "maximum": 20,
            "error_title": "电话号码无效", "error_message": "请填写7–20位的电话号码,如 6218033 或 13800000000。",
            "input_title": "联系电话", "input_message": "固定电话或手机号码。"}
