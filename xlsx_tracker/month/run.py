"""A month run: everything one command needs about the month, resolved once.

The workspace, the master, the calendar, the month, the deadline policy, the deadline and what was
issued. split, merge, report and demo take one; the CLI builds it from its options.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property

from ..base.model import Carried, TrackerError
from ..base.workspace import Workspace
from ..calendar.workdays import Calendar, Deadline, load_calendar, monthly_deadline
from ..master.issued import IssuedRows, issue_source
from ..master.tasklist import Master, load_master_or_fail
from . import ledger


@dataclass(frozen=True)
class MonthRun:
    workspace: Workspace
    master: Master
    calendar: Calendar
    month: str
    policy: str

    @cached_property
    def deadline(self) -> Deadline:
        return monthly_deadline(self.calendar, self.month, self.master.settings.report_day, self.policy)

    @cached_property
    def issued(self) -> IssuedRows:
        """What each unit was given this month: the snapshots split recorded, else the master's rows."""
        return IssuedRows(self.master, self.deadline, self.snapshots())

    def snapshots(self) -> dict[str, dict[str, str]]:
        if not self.has_ledger():
            return {}
        with self.ledger() as conn:
            return ledger.issues(conn, self.month)

    def record_issues(self, issued_at: str, snapshots: list[tuple[str, list]]) -> None:
        if not snapshots:
            return
        self.workspace.root.mkdir(parents=True, exist_ok=True)
        with self.ledger() as conn, ledger.transaction(conn):
            for unit, rows in snapshots:
                ledger.record_issue(conn, self.month, unit, issued_at, *issue_source(self.master, self.deadline), rows)

    def keep_lights(self, unit_lights: list, indicator_lights: list) -> None:
        """Record the month's grades: later months count red months from them, not from a recomputation.

        Called by the commands that record the month (merge, review --apply), never by a view.
        """
        with self.ledger() as conn, ledger.transaction(conn):
            ledger.keep_lights(conn, self.month, "unit", [(x.key, x.light, list(x.reasons)) for x in unit_lights])
            ledger.keep_lights(conn, self.month, "indicator", [(x.key, x.light, list(x.reasons)) for x in indicator_lights])

    def was_issued(self) -> bool:
        """Whether split ran for this month (recorded in the ledger, or workbooks from before it recorded)."""
        if self.has_ledger():
            with self.ledger() as conn:
                if ledger.was_issued(conn, self.month):
                    return True
        return any(self.workspace.sheets_dir(self.month).glob("*.xlsx"))

    def require_issued(self) -> None:
        if not self.was_issued():
            raise TrackerError(f"{self.month} 还没有下发过任务表(没有运行过 split),无法核对报回文件或生成报告。"
                               f"请先运行:xlsx-tracker split --month {self.month}")

    def previous(self) -> MonthRun:
        return replace(self, month=self.master.settings.report_day.previous(self.month))

    @contextmanager
    def ledger(self):
        conn = ledger.connect(self.workspace.ledger_file)
        try:
            yield conn
        finally:
            conn.close()

    def has_ledger(self) -> bool:
        return self.workspace.ledger_file.exists()

    def carried(self) -> dict[str, Carried]:
        """Each unit's last accepted values before this month (empty before the first merge)."""
        if not self.has_ledger():
            return {}
        with self.ledger() as conn:
            return ledger.carried(conn, self.month)


def month_run(workspace: Workspace, month: str, *, policy: str | None = None, assume_weekends: bool = False,
              master: Master | None = None, calendar: Calendar | None = None) -> MonthRun:
    """Resolve a month run: load what is not given, and fail with every problem when it cannot be loaded."""
    master = master or load_master_or_fail(workspace)
    if calendar is None:
        calendar, problems = load_calendar(workspace.master_dir, assume_weekends)
        if problems:
            raise TrackerError("节假日数据文件有错误:", problems)
    master.settings.report_day.check(month)
    return MonthRun(workspace, master, calendar, month, policy or master.settings.policy)
