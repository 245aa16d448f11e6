"""Whether a month's per-unit notice must be written again: a unit's receipt and reminder are rewritten only when
what they say has changed (a re-merge after 32 late returns rewrites those 32 units' notices, not 3,200).

What a notice says is its .txt without the moment it was written; the files on disk are the record of what was
written last (a stamp kept beside them could say one thing while an interrupted writing left another). Each notice
writes its .txt last, so a .txt that says the same vouches for the files written before it.
"""

from __future__ import annotations

import hashlib
import re
from email.parser import BytesHeaderParser
from pathlib import Path

RECEIPT_TIME = "回执时间"
SIGNED_ON = re.compile(r"\d{4}年\d{2}月\d{2}日")  # the sign-off's date line: the day it was written, not its content


def text_digest(text: str) -> str:
    """A notice's content: its text without the moment it was written (the 回执时间 line and the signed date)."""
    kept = [line for line in text.splitlines() if not line.startswith(RECEIPT_TIME) and not SIGNED_ON.fullmatch(line)]
    return hashlib.sha256("\n".join(kept).encode("utf-8")).hexdigest()


def content_digest(path: Path) -> str:
    """What send compares to never send the same notice twice: the notice's .txt, its content only.

    A notice rewritten by report or review with the same content (only the 回执时间 and the date it is signed on
    changed, or the .eml draft's date header and MIME boundary) is the same notice.
    """
    return text_digest(path.with_suffix(".txt").read_text(encoding="utf-8"))


def says_the_same(text_file: Path, text: str, others: list[Path]) -> bool:
    """Whether the notice on disk says what text says, and the files written before its .txt are there."""
    try:
        written = text_file.read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return False
    return text_digest(written) == text_digest(text) and all(p.exists() for p in others)


def addressed_alike(draft: Path, sender: str | None, to: str | None) -> bool:
    """Whether a mail draft on disk goes from and to the addresses it would be written with now."""
    try:
        with draft.open("rb") as stream:
            headers = BytesHeaderParser().parse(stream)
    except OSError:
        return False
    return (headers.get("From"), headers.get("To")) == (sender, to)
