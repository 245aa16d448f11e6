"""Which of a month's per-unit notices must be written again: a unit's receipt and reminder are rewritten only when
what they say has changed (a re-merge after 32 late returns rewrites those 32 units' notices, not 3,200).

What a notice says is its text with its own writing time masked; a stamp file beside the notices keeps a digest of it
per unit. A notice whose digest is unchanged and whose files are all there is left as it is, with the time it was
written: it says nothing new.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from ..base.sheetio import write_text_atomic

STAMPS = ".notices.json"
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


class Stamps:
    """The digests of the notices in one folder, as written last time and as written now."""

    def __init__(self, folder: Path):
        self.path = Path(folder) / STAMPS
        try:
            self.before = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.before = {}
        self.now: dict[str, str] = {}

    def unchanged(self, key: str, text: str, paths: list[Path]) -> bool:
        """Whether the notice says what it said last time and its files are there; either way it is kept as current."""
        digest = text_digest(text)
        self.now[key] = digest
        return self.before.get(key) == digest and all(p.exists() for p in paths)

    def save(self) -> None:
        if self.now != self.before:
            write_text_atomic(self.path, json.dumps(self.now, ensure_ascii=False, sort_keys=True))
