"""Which of a unit's returns of the month counts: times of one kind are compared, never one clock against another.

Two applied copies of one unit are ordered by the first of these that decides: an undoubted file before a doubted
one; the newer issue; the later receipt, when both have a receipt time of the office's own (the mail server, a
dated inbox folder, the day given to merge), compared at the precision both have (a folder says a day); the later
saved time, when both state a believable one in their document properties. A file's time on disk is never used.

When nothing both have decides, the two cannot be ordered:
- copies that have the same kinds of times, equal (the same saved time): the later record, then the file name, as
  before (a tie of equal times, said as one);
- copies that lack a time the other has, or have none (a copy stripped of its properties): the better-timed copy,
  else the one accepted first, else the first by file name — never the untimed one because its disk time is later.
  Said as a tie for the office to decide (resubmission-untimed).

Pure functions of the ledger's Submission fields; the ledger's `winners` and the month state's words use them.
"""

from __future__ import annotations

UNKNOWN_SOURCES = ("", "不详")  # a receipt source that says nothing; one ending in (推定) is an estimate, not a receipt


def receipt_of(sub) -> str:
    """The office's own receipt time of a file ('' when it has none: unknown, or estimated from the file itself)."""
    source = sub.receipt_source or ""
    if not sub.receipt_time or source in UNKNOWN_SOURCES or source.endswith("(推定)"):
        return ""
    return sub.receipt_time


def receipts(a, b) -> tuple[str, str] | None:
    """The two receipt times at the precision both have (a dated folder tells a day), or None when one has none."""
    first, second = receipt_of(a), receipt_of(b)
    if not first or not second:
        return None
    if len(first) <= 10 or len(second) <= 10:
        return first[:10], second[:10]
    return first, second


def compare(a, b) -> tuple[bool, str]:
    """(whether a is kept over b, on what): doubt, issued, receipt, saved — or untimed, equal when no clock decides."""
    if bool(a.doubt) != bool(b.doubt):
        return not a.doubt, "doubt"
    if (a.issued or "") != (b.issued or ""):
        return (a.issued or "") > (b.issued or ""), "issued"
    both = receipts(a, b)
    if both and both[0] != both[1]:
        return both[0] > both[1], "receipt"
    if a.saved_at and b.saved_at and a.saved_at != b.saved_at:
        return a.saved_at > b.saved_at, "saved"
    if untimed(a, b):
        if timing(a) != timing(b):
            return timing(a) > timing(b), "untimed"
        return (a.received_at, a.file_name, a.sha256) < (b.received_at, b.file_name, b.sha256), "untimed"
    return (a.received_at, a.file_name, a.sha256) > (b.received_at, b.file_name, b.sha256), "equal"


def untimed(a, b) -> bool:
    """No clock both have orders the two, and one lacks the saved time the other states, or neither states one and
    they do not both have a receipt time."""
    both = receipts(a, b)
    if (both and both[0] != both[1]) or (a.saved_at and b.saved_at and a.saved_at != b.saved_at):
        return False
    if bool(a.saved_at) != bool(b.saved_at):
        return True
    return not a.saved_at and receipts(a, b) is None


def timing(sub) -> int:
    """How many trustworthy times a copy has (its saved time, its receipt time): the better-timed copy is kept."""
    return bool(sub.saved_at) + bool(receipt_of(sub))


def later_by_clock(lost, winner) -> bool:
    """Whether a clock both have shows the winner is the later copy (the unit may be told “the later one counts”)."""
    both = receipts(lost, winner)
    if both and both[1] > both[0]:
        return True
    return bool(lost.saved_at and winner.saved_at and winner.saved_at > lost.saved_at)


def winners(subs) -> dict:
    """The winning applied submission of each unit: each file in turn replaces the one kept if it is kept over it."""
    best: dict = {}
    for sub in subs:
        if sub.outcome == "applied" and (sub.unit not in best or compare(sub, best[sub.unit])[0]):
            best[sub.unit] = sub
    return best
