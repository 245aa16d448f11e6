"""The answer rules of settings [answers]: which status counts only with its text in 本月工作进展.

One table, read by merge's check of a return (intake.reconcile: the problem and what the status counts as) and by
the unit's own form (month.split: the red marks, the input messages and the counter at the top), so that the form
and the receipt never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..base.problems import DONE_WITHOUT_PROGRESS, NOT_APPLICABLE_UNEXPLAINED, VETO_WITHOUT_ACCOUNT, Code
from .settings import STATUSES, VETO_STATUSES, Answers
from .values import STATUS_NEAR_MISSES, VETO_NEAR_MISSES

NOT_APPLICABLE = STATUSES[3]  # 无此情形(已作说明)
PROGRESS = "本月工作进展"  # the cell every rule asks to be filled
KEEP = object()  # a rule's status counts as itself (still declared) while unexplained


@dataclass(frozen=True)
class AnswerRule:
    """A status that needs its text in 本月工作进展, on the rows of one section (veto items or the others)."""

    switch: str  # the settings [answers] key that turns the rule on
    status: str
    veto: bool  # the rule reads veto rows (True) or every other row (False)
    code: Code  # what merge reports, on the row's 本月工作进展 cell
    counted: object  # what the status counts as until explained: None (not adopted), a status, or KEEP
    words: str  # the rule in force, as the report's 说明 prints it
    hint: str  # what the form tells the liaison: its 填报说明 and the input message of 本月工作进展

    def on(self, answers: Answers) -> bool:
        return bool(getattr(answers, self.switch))

    def breaks(self, status: str | None, progress, veto: bool) -> bool:
        """A row's canonical status and its 本月工作进展 break the rule (whether it is switched on is not asked)."""
        return veto == self.veto and status == self.status and not str(progress or "").strip()

    def counts_as(self, status: str) -> str | None:
        return status if self.counted is KEEP else self.counted

    def spellings(self) -> list[str]:
        return spellings(self.status, self.veto)


def spellings(status: str, veto: bool = False) -> list[str]:
    """The texts a status is read from in a return (values.normalize_status): the status, its near misses, with half-
    or full-width brackets. The form's checks compare the typed cell with these, so that a pasted 完成 is marked as
    the receipt will read it (as 已完成)."""
    near = VETO_NEAR_MISSES if veto else STATUS_NEAR_MISSES
    texts = [status, *(raw for raw, canonical in near.items() if canonical == status)]
    wide = [t.translate(_FULL_WIDTH) for t in texts]  # NFKC folds full-width brackets back: the same answer
    return list(dict.fromkeys(texts + wide))


_FULL_WIDTH = str.maketrans("()", "\uff08\uff09")

ANSWER_RULES: tuple[AnswerRule, ...] = (
    AnswerRule("explain_not_applicable", NOT_APPLICABLE, False, NOT_APPLICABLE_UNEXPLAINED, None,
               "报“无此情形(已作说明)”须在“本月工作进展”中写明理由,否则不采用、不计进度(错误)。",
               "选“无此情形(已作说明)”的,须在“本月工作进展”中写明本单位为何不涉及,否则不采用、不计进度。"),
    AnswerRule("progress_for_done", "已完成", False, DONE_WITHOUT_PROGRESS, "推进中",
               "报“已完成”须写明“本月工作进展”,否则暂按“推进中”计、不进入审核销号(提醒)。",
               "选“已完成”的,须在“本月工作进展”中写明完成情况(如印发文件的名称、文号和日期),否则暂按“推进中”计。"),
    AnswerRule("account_for_veto", VETO_STATUSES[1], True, VETO_WITHOUT_ACCOUNT, KEEP,
               "否决项报“已发生”须在“本月工作进展”中写明具体情况,否则列为错误(仍按已发生处理)。",
               "否决项选“已发生”的,须在“本月工作进展”中写明发生的时间、事由和处置情况。"),
)


def rules_in_force(answers: Answers) -> list[AnswerRule]:
    return [rule for rule in ANSWER_RULES if rule.on(answers)]


def broken_rule(answers: Answers, status: str | None, progress, veto: bool) -> AnswerRule | None:
    """The rule in force that a row's canonical status and 本月工作进展 break, if any."""
    return next((rule for rule in rules_in_force(answers) if rule.breaks(status, progress, veto)), None)


def answer_rules(answers: Answers) -> list[str]:
    """The answer rules in force, in the office's words (the report's 说明 prints them)."""
    return [rule.words for rule in rules_in_force(answers)]
