"""情况说明 checks (附件1): about 500 characters, never more than 1,000, and the exact title where one is named.

Plain functions on text; the text comes from a Word or text file a unit sends for a reporting group.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile

from ..base.model import Problem, Task
from ..base.problems import EXPLANATION_EMPTY, EXPLANATION_LONG, EXPLANATION_TITLE_NEAR, EXPLANATION_TITLE_WRONG, EXPLANATION_TOO_LONG, problem

SOFT_LIMIT, HARD_LIMIT = 500, 1000
_OWN_LIMIT = re.compile(r"不超过\s*(\d+)\s*字")
_WORD = re.compile(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]")  # Word's 字数: a CJK character or mark each, a run of letters or digits one


def char_count(text: str) -> int:
    """Characters as Word counts them for Chinese text (字数): each Chinese character and mark, each Latin word."""
    return len(_WORD.findall(text))


def limits(task: Task) -> tuple[int, int]:
    """(warn above, error above): 500 and 1,000, unless the task's materials text sets its own limit."""
    own = [int(n) for n in _OWN_LIMIT.findall(task.materials)]
    return (max(own), max(own)) if own else (SOFT_LIMIT, HARD_LIMIT)


def check(text: str, task: Task, file: str = "", unit: str = "") -> list[Problem]:
    """Problems of one 情况说明: its length (body, title excluded) and its title against the required one."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return [problem(EXPLANATION_EMPTY, file=file, unit=unit)]
    title, body = lines[0], "\n".join(lines[1:])
    found = []
    count, (soft, hard) = char_count(body), limits(task)
    if count > hard:
        found.append(problem(EXPLANATION_TOO_LONG, file=file, unit=unit, count=f"{count:,}", limit=f"{hard:,}"))
    elif count > soft:
        found.append(problem(EXPLANATION_LONG, file=file, unit=unit, count=f"{count:,}", limit=f"{soft:,}"))
    required = [t for t in task.report_titles if t]
    if required and title not in required:
        near = max(required, key=lambda t: difflib.SequenceMatcher(None, title, t).ratio())
        ratio = difflib.SequenceMatcher(None, title, near).ratio()
        code = EXPLANATION_TITLE_NEAR if ratio >= 0.6 else EXPLANATION_TITLE_WRONG
        found.append(problem(code, file=file, unit=unit, title=title, expected=near))
    return found


def text_of(name: str, data: bytes) -> str | None:
    """The text of a .docx or .txt material, or None for other kinds."""
    suffix = name.lower().rsplit(".", 1)[-1]
    if suffix == "txt":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
        return None
    if suffix == "docx":
        try:
            from docx import Document  # python-docx reads it as Word shows it

            return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
        except (zipfile.BadZipFile, KeyError, ValueError):
            return None
    return None


_LEADING = re.compile(r"^(?:第)?(\d{1,3}(?:-\d{1,3})?)(?:项)?(?=[_\s、.\-—(（]|$)")
_MENTIONED = re.compile(r"(?:第|指标)\s*(\d{1,3}(?:-\d{1,3})?)\s*(?:项|号)?")


def group_in_name(name: str, groups: list[str]) -> str:
    """The reporting group a file name names: “21_关于….docx”, “第21项…”, “指标34-46…”; '' when none."""
    stem = name.rsplit("/", 1)[-1].rsplit(".", 1)[0].strip()
    for pattern in (_LEADING, _MENTIONED):
        for found in pattern.findall(stem):
            number = found.split("-")[0]
            for group in groups:
                if group == found or group.split("-")[0] == number:
                    return group
    return ""
