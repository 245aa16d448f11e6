"""Plain-data months as the notices and the merge summary read them (a helper module, not a test module)."""

import dataclasses
import datetime as dt
from types import SimpleNamespace

from xlsx_tracker.base.model import Assignment, Problem, Task
from xlsx_tracker.calendar.workdays import Deadline
from xlsx_tracker.master.settings import Settings
from xlsx_tracker.month.followups import FollowUp
from xlsx_tracker.month.ledger import Submission
from xlsx_tracker.month.rows import RowState

OFFICE = Settings(contact_name="张敏", contact_phone="0471-6218000", contact_email="fzb@example.gov.cn", office="区委依法治区办",
                  district="新城区", plan_title="新城区法治政府建设示范创建实施方案", plan_number="新法办发〔2024〕1号")
DEADLINE = Deadline("2024-05", dt.date(2024, 5, 20), dt.date(2024, 5, 20), "当日为工作日,不调整", False)
TODAY = dt.date(2024, 5, 24)


class MonthOf:
    """A month state as the notices read it: per-unit scores, problems, files, rows and follow-ups, given as plain data."""

    def __init__(self, scores=(), problems=(), submissions=(), rows=(), stale=None, slipped=None, liaisons=None, lights=None,
                 follow_ups=()):
        self.month, self.deadline = "2024-05", DEADLINE
        self.units = list(scores)
        self.problems = list(problems)
        self.submissions = list(submissions)
        self.accepted = {s.unit: s for s in self.submissions if s.outcome == "applied"}
        self.rows = list(rows)
        self.stale, self.slipped, self.liaisons, self.lights = stale or {}, slipped or {}, liaisons or {}, lights or {}
        self.follow_ups = list(follow_ups)

    def unit(self, name):
        return next((u for u in self.units if u.unit == name), None)

    def problems_of(self, unit):
        return [p for p in self.problems if p.unit == unit]

    def submissions_of(self, unit):
        return [s for s in self.submissions if s.unit == unit]

    def rows_of(self, unit):
        return [r for r in self.rows if r.assignment.unit == unit]

    def light_of(self, unit):
        return self.lights.get(unit)

    def follow_up_of(self, unit):
        return next((f for f in self.follow_ups if f.unit == unit), None)


def score(unit, returned=True, on_time=True, received_at="2024-05-19 09:00:00", received_how="收件目录日期", file_name=None,
          blank=False):
    text = "报送空表" if blank else "未报送" if not returned else ("按时" if on_time else "逾期")
    return SimpleNamespace(unit=unit, returned=returned and not blank, on_time=on_time, received_at=received_at,
                           received_how=received_how, file_name=file_name or f"{unit}_2024-05.xlsx", timeliness_text=text,
                           blank=blank)


def chased(unit, *kinds_and_reasons):
    """A follow-up of the month: ("kind", "reason in the office's words"), in order; the task ids a reason lists after
    its colon (“2 项…:21、23(…)”) are the tasks of that kind, as followups.follow_ups gives them."""
    tasks = {kind: tuple(part.split("(")[0].strip() for part in reason.split(":", 1)[1].split("、"))
             for kind, reason in kinds_and_reasons if ":" in reason}
    return FollowUp(unit, [r for _, r in kinds_and_reasons], {}, "", tuple(k for k, _ in kinds_and_reasons), tasks)


def sent(unit, name=None, **changes):
    """The unit's workbook as the ledger records it: applied, received 2024-05-19 from its inbox folder."""
    base = Submission("5" * 64, "2024-05", unit, name or f"{unit}_2024-05.xlsx", "archive/2024-05/x.zip/" + "5" * 64 + ".xlsx",
                      1, "2024-05-06 09:00:00", "2024-05-18 09:00:00", "隐藏表", "v1", "2024-05-21 09:00:00", "applied", "", "",
                      "2024-05-19 09:00:00", "收件目录日期")
    return dataclasses.replace(base, **changes)


def task(group_id, text, part_text="", section="main"):
    return Task(group_id, None, section, (1,), "一、政府职能依法全面履行", "(一)", text, "材料", part_text, (), "", ("各部门",), "", 0)


def returned_row(unit, group_id, text, status="推进中", part_text="", **fields):
    """A task row the unit's adopted file returned (status "" = left blank)."""
    values = {"进展状态": status or None, "本月工作进展": "已起草" if status else "", "预计完成时间": fields.pop("planned", "")}
    return RowState(Assignment(task(group_id, text, part_text), unit), values, f"{unit}_2024-05.xlsx", **fields)


def at(unit, code, cell, message, severity="warning", sheet="任务清单", file=None):
    return Problem(code, message, file if file is not None else f"{unit}_2024-05.xlsx", sheet, cell, unit, severity)
