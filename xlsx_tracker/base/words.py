"""Cutting Chinese text short for a cell, a line or a folder name without breaking a phrase in the middle.

One cutter for every short text the tool prints (the form's task summary, the receipts' 编号 lines, the report's
indicator names), so a task reads the same, cut at the same place, wherever a unit or a leader meets it.
"""

from __future__ import annotations

SENTENCE_ENDS, CLAUSE_ENDS = "。;\uff1b!\uff01?\uff1f", ",\uff0c、:\uff1a"  # half- and full-width
BRACKETS = dict(zip("(\uff08《“‘[【", ")\uff09》”’]】", strict=True))
ELLIPSIS = "……"




def clip(text: str, limit: int, mark: str = ELLIPSIS) -> str:
    """text in at most limit characters, the mark and any closing brackets included, never cut inside a word.

    A long text ends at its last sentence or clause boundary outside brackets past half the room, else its last
    clause inside one (the bracket closed after the mark), else at a place that splits no Latin word or number.
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut, still_open = _cut(text, limit - len(mark))
    return text[:cut].rstrip(SENTENCE_ENDS + CLAUSE_ENDS + " ") + mark + "".join(BRACKETS[b] for b in reversed(still_open))


def _cut(text: str, room: int) -> tuple[int, str]:
    """(how many characters to keep, the brackets left open there) so that the kept text, its ellipsis and the
    closing brackets fit room + the ellipsis; the latest boundary past half the room wins."""
    outside, inside = (0, ""), (0, "")
    opened = ""
    for index, char in enumerate(text[:room]):
        if char in BRACKETS:
            if not opened:
                outside = (index, "")  # before the bracket
            opened += char
        elif opened and char == BRACKETS[opened[-1]]:
            opened = opened[:-1]
            if not opened:
                outside = (index + 1, "")
        elif char in SENTENCE_ENDS + CLAUSE_ENDS:
            if not opened:
                outside = (index + 1, "")
            elif index + 1 + len(opened) <= room:
                inside = (index + 1, opened)
    half = room // 2
    for found in (outside, inside):
        if found[0] >= half:
            return found
    keep = room
    while keep > half and (_joined(text[keep - 1], text[keep]) or keep + len(_still_open(text[:keep])) > room):
        keep -= 1  # a Latin word or a number is never split, and the brackets still open are closed within room
    return keep, _still_open(text[:keep])


def _still_open(text: str) -> str:
    opened = ""
    for char in text:
        if char in BRACKETS:
            opened += char
        elif opened and char == BRACKETS[opened[-1]]:
            opened = opened[:-1]
    return opened


def _joined(before: str, after: str) -> bool:
    return before.isascii() and after.isascii() and before.isalnum() and after.isalnum()


# a folder or file name: whole phrases first, however short; no mark, never a bracket left open
SEPARATORS = set(",，。;；、:：!！?？ \u3000")  # a cut here drops the mark
OPENERS = "“‘(（《〈「『【〔["  # a cut before these
CLOSERS = "”’)）》〉」』】〕]"  # a cut after these, keeping them


def cut_phrase(text: str, limit: int, shortest: int | None = None) -> str:
    """At most `limit` characters of text, cut at its last phrase boundary within them.

    A boundary is a separating mark (,。;、: and their ASCII twins, a space), which the cut drops, the end of a closing
    quote or bracket, kept, or the start of an opening one. A cut that leaves quotes or brackets open is taken only
    when no other is found, and one leaving fewer than `shortest` characters (a quarter of the limit) not at all; with
    no boundary the text is cut at the limit. Text within the limit is kept whole but for trailing marks.
    """
    if len(text) <= limit:
        return text.rstrip("".join(SEPARATORS))
    cuts: list[tuple[int, bool]] = []  # (length kept, brackets balanced)
    depth = 0
    for index, ch in enumerate(text[: limit + 1]):
        if ch in SEPARATORS or ch in OPENERS:
            cuts.append((index, depth == 0))
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(depth - 1, 0)
            if index < limit:
                cuts.append((index + 1, depth == 0))
    minimum = max(2, limit // 4) if shortest is None else shortest
    cuts = [(n, balanced) for n, balanced in cuts if len(text[:n].rstrip("".join(SEPARATORS))) >= minimum]
    balanced = [n for n, ok in cuts if ok]
    if balanced or cuts:
        return text[: (balanced or [n for n, _ in cuts])[-1]].rstrip("".join(SEPARATORS))
    return text[:limit]
