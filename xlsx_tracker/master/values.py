"""Normalising what units type: statuses, dates, phone numbers, URLs, e-mail addresses. One place for every form."""

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


_LOCAL = re.compile(r"[A-Za-z0-9._%+-]{1,64}")  # what every mail server takes before the @
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_TLD = re.compile(r"[A-Za-z]{2,63}")
_LIST_MARKS = re.compile(r"[\s,;,;、/]")


def email_problem(value) -> str:
    """Why a cell is not one e-mail address the office's mail server can send to, in Chinese; '' when it is one.

    Exactly one address: no second one after a comma or a space, no control character (a line break inside an
    address breaks the mail header), a user part of letters, digits and . _ % + -, a domain of at least two labels
    of letters, digits and hyphens whose last is letters only. A domain in Chinese characters (统计局.政务) is
    refused: the mail servers the office sends through do not take it.
    """
    text = unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()
    if not text:
        return "为空"
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") and ch != " " for ch in text):
        return "含有换行、制表符等控制字符"
    if text.count("@") > 1 and _LIST_MARKS.search(text):
        return "填了不止一个地址(一个单元格只能填写一个邮箱地址)"
    if any(ch.isspace() for ch in text):
        return "含有空格"
    if text.count("@") != 1:
        return "缺少“@”" if "@" not in text else "含有多个“@”"
    local, domain = text.split("@")
    if not local or not domain:
        return "“@”前缺少用户名" if not local else "“@”后缺少域名"
    if not domain.isascii():
        return f"域名“{domain}”含有中文等非英文字符,邮件服务器无法投递,请改用英文域名的邮箱"
    if not local.isascii():
        return "“@”前的用户名含有中文等非英文字符,邮件服务器无法投递"
    if not _LOCAL.fullmatch(local) or local.startswith(".") or local.endswith(".") or ".." in local:
        return "“@”前的用户名只能使用英文字母、数字和 . _ % + -"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels) or not _TLD.fullmatch(labels[-1]):
        return f"域名“{domain}”不完整或有误(应如 example.com)"
    if len(text) > 254:
        return "地址过长"
    return ""


def parse_email(value) -> str | None:
    """The one address a cell holds, as it is to be used (full-width forms folded, the domain in lower case);
    None when the cell is not exactly one valid address (email_problem says why)."""
    if email_problem(value):
        return None
    local, domain = unicodedata.normalize("NFKC", str(value)).strip().split("@")
    return f"{local}@{domain.lower()}"


def is_email(value) -> bool:
    return parse_email(value) is not None
