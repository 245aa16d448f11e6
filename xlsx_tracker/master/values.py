"""Normalising what units type: statuses, dates, phone numbers, URLs. One place for every form."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from .settings import STATUSES, VETO_STATUSES

EXCEL_EPOCH = dt.datetime(1899, 12, 30)
STATUS_NEAR_MISSES = {
    "完成": "已完成", "已办结": "已完成", "办结": "已完成", "已完成。": "已完成",
    "进行中": "推进中", "正在推进": "推进中", "推进": "推进中", "正在进行": "推进中", "在推进": "推进中",
    "未开始": "未启动", "尚未启动": "未启动", "没有启动": "未启动",
    "无此情形": "无此情形(已作说明)", "无此情形(已说明)": "无此情形(已作说明)", "不涉及": "无此情形(已作说明)",
}
VETO_NEAR_MISSES = {"无": "未发生", "否": "未发生", "没有": "未发生", "未出现": "未发生",
                    "有": "已发生", "是": "已发生", "发生": "已发生", "存在": "已发生"}
_DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[/.月-]\s*(\d{1,2})\s*日?$")
_PHONE = re.compile(r"^\+?[\d\-() ]{7,20}$")
_URL = re.compile(r"^(https?://|www\.)[^\s]+\.[^\s]+", re.IGNORECASE)


def fold(text: str) -> str:
    """Full-width to half-width, stray spaces removed: the form comparisons use."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text)))


def normalize_status(value, veto: bool = False) -> tuple[str | None, str]:
    """(canonical status or None, how it was read: 'exact', 'near', 'empty' or 'invalid')."""
    if value is None or str(value).strip() == "":
        return None, "empty"
    allowed = VETO_STATUSES if veto else STATUSES
    raw = str(value).strip()
    if raw in allowed:
        return raw, "exact"
    folded = fold(raw)
    by_fold = {fold(s): s for s in allowed}
    if folded in by_fold:
        return by_fold[folded], "near"
    near = (VETO_NEAR_MISSES if veto else STATUS_NEAR_MISSES).get(folded)
    return (near, "near") if near else (None, "invalid")


def normalize_date(value, year_hint: int | None = None) -> dt.date | None:
    """Every form a date comes back in: datetime, date, serial, or text."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _from_serial(float(value))
    text = str(value).strip()
    if _STAMP.match(text):  # "2024-05-20 00:00:00" or ISO "2024-05-20T00:00:00": keep the date
        text = text[:10]
    return _from_text(fold(text), year_hint)


def _from_serial(serial: float) -> dt.date | None:
    if 20000 < serial < 80000:  # 1954..2119: plausible task dates only
        return (EXCEL_EPOCH + dt.timedelta(days=int(serial))).date()
    return None


def _from_text(text: str, year_hint: int | None) -> dt.date | None:
    for pattern in _DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            return _safe_date(*match.groups())
    match = _MONTH_DAY.match(text)
    if match and year_hint:
        return _safe_date(year_hint, *match.groups())
    if re.match(r"^\d+(\.\d+)?$", text):
        return _from_serial(float(text))
    return None


def _safe_date(year, month, day) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def normalize_phone(value) -> tuple[str | None, str]:
    """(phone text or None, 'exact', 'number', 'empty' or 'invalid')."""
    if value is None or str(value).strip() == "":
        return None, "empty"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer():
            text = str(int(value))
            return (text, "number") if 7 <= len(text) <= 20 else (None, "invalid")
        return None, "invalid"
    text = unicodedata.normalize("NFKC", str(value)).strip()
    return (text, "exact") if _PHONE.match(text) else (None, "invalid")


def is_url(value) -> bool:
    return bool(_URL.match(fold(value)))


_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def is_email(value) -> bool:
    return bool(_EMAIL.match(fold(value)))
