"""merge: read an inbox of returned workbooks, reconcile them, and record them in the ledger."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import zipfile
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import layout, ledger
from .intake import Returned, list_inbox, read_returned
from .master import Master
from .model import Problem, TrackerError
from .reconcile import Issued, reconcile
from .sheetio import write_text_atomic
from .split import lead_texts, locked_values
from .workdays import Calendar, Deadline, monthly_deadline
from .workspace import Workspace

PROBLEM_COLUMNS = ["代码", "级别", "单位", "文件", "工作表", "单元格", "说明"]
SEVERITY_TEXT = {"error": "错误", "warning": "提醒", "info": "提示"}


@dataclass
class MergeResult:
    month: str
    deadline: Deadline
    files_read: int
    new_files: int
    ignored: list[str]
    accepted: dict[str, ledger.Submission]
    superseded: list[ledger.Submission]
    not_returned: list[str]
    problems: list[Problem]
    problems_path: Path | None = None

    def problem_counts(self) -> Counter:
        return Counter(p.code for p in self.problems)


class IssuedRows:
    """What each unit was given this month, rebuilt from the master on first use of each unit.

    Lazy, so that worker processes only build the units of the files they read.
    """

    def __init__(self, master: Master, deadline: Deadline):
        self.master, self.deadline = master, deadline
        self.leads = lead_texts(master)
        self._cache: dict[str, Issued] = {}

    def __getitem__(self, unit: str) -> Issued:
        if unit not in self._cache:
            assignments = self.master.assignments_for(unit)
            self._cache[unit] = Issued(
                rows={a.task_id: locked_values(a, self.deadline, self.leads) for a in assignments},
                veto_ids={a.task_id for a in assignments if a.task.section == "veto"},
            )
        return self._cache[unit]


PARALLEL_THRESHOLD = 64  # below this, starting worker processes costs more than it saves


@dataclass(frozen=True)
class _Context:
    master: Master
    issued: IssuedRows
    month: str
    received: str
    archive: str  # where this run's zip will be, relative to the workspace


_CONTEXT: _Context | None = None


def _set_context(context: _Context) -> None:
    global _CONTEXT
    _CONTEXT = context


def _process_file(path: Path) -> ledger.Prepared:
    """Read and check one returned file. Pure: it writes nothing, so it can run in any process."""
    c = _CONTEXT
    returned = read_returned(path)
    entry = f"{c.archive}/{archive_entry(returned.sha256, path)}"
    return evaluate(returned, c.master, c.issued, c.month, c.received, entry).prepare(str(path))


def merge(workspace: Workspace, master: Master, calendar: Calendar, month: str, inbox: Path, *,
          policy: str | None = None, now: dt.datetime | None = None, progress=None, workers: int | None = None) -> MergeResult:
    files, ignored = list_inbox(inbox)
    if not files:
        raise TrackerError(f"收件目录“{inbox}”中没有可读取的文件(已忽略 {len(ignored)} 个临时/锁定文件)。")
    deadline = monthly_deadline(calendar, month, master.settings.monthly_day, policy or master.settings.policy)
    received = (now or dt.datetime.now()).replace(microsecond=0).isoformat(sep=" ")
    archive = RunArchive(workspace, month, received)
    context = _Context(master, IssuedRows(master, deadline), month, received, archive.relative)
    conn = ledger.connect(workspace.ledger_file)
    try:
        with ledger.transaction(conn), archive:  # all or nothing: a crash leaves ledger and archive as they were
            recorded = 0
            for item in _new_items(conn, context, files, progress, workers):
                archive.add(Path(item.source), item.submission.archive_path.rpartition("/")[2])
                ledger.record(conn, item)  # written while the workers read the next files
                recorded += 1
        result = summarize(conn, master, month, deadline, len(files), recorded, [p.name for p in ignored])
    finally:
        conn.close()
    result.problems_path = write_problems(workspace, month, result.problems)
    return result


def _new_items(conn, context: _Context, files: list[Path], progress, workers: int | None):
    """Process every file (in worker processes when many); yield those the ledger has not seen."""
    workers = workers or min(os.cpu_count() or 1, 8)
    seen = ledger.known_hashes(conn, context.month)
    with _pool(context, workers if len(files) >= PARALLEL_THRESHOLD else 1) as run:
        for item in run(_process_file, files):
            if progress:
                progress(item.submission.file_name)
            if item.submission.sha256 not in seen:
                seen.add(item.submission.sha256)
                yield item


@contextmanager
def _pool(context: _Context, workers: int):
    if workers <= 1:
        _set_context(context)
        yield map
        return
    with ProcessPoolExecutor(workers, initializer=_set_context, initargs=(context,)) as executor:
        yield lambda fn, files: executor.map(fn, files, chunksize=16)


def archive_entry(sha256: str, path: Path) -> str:
    return f"{sha256}{path.suffix.lower()}"


class RunArchive:
    """Every new returned file of one merge run, byte for byte, in archive/<month>/<run>.zip.

    Entries are named by their SHA-256 and stored uncompressed, so each is the original file.
    One zip per run rather than one file per return: a province-wide month brings thousands.
    The zip is moved into place only when the run succeeds, before the ledger commits.
    """

    def __init__(self, workspace: Workspace, month: str, received: str):
        folder = workspace.archive_dir / month
        stem = received.replace("-", "").replace(":", "").replace(" ", "-")
        name, n = f"{stem}.zip", 1
        while (folder / name).exists():
            n += 1
            name = f"{stem}-{n}.zip"
        self.final = folder / name
        self.relative = self.final.relative_to(workspace.root).as_posix()
        self._zip: zipfile.ZipFile | None = None
        self._tmp: Path | None = None

    def add(self, source: Path, entry: str) -> None:
        if self._zip is None:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self._tmp = self.final.with_name(f".tmp-{self.final.name}")
            self._zip = zipfile.ZipFile(self._tmp, "w", zipfile.ZIP_STORED)
        self._zip.write(source, entry)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if self._zip is None:
            return False
        self._zip.close()
        if kind is None:
            os.replace(self._tmp, self.final)
        else:
            self._tmp.unlink(missing_ok=True)
        return False


def evaluate(returned: Returned, master: Master, issued: IssuedRows, month: str,
             received: str, archive: str) -> ledger.Recorded:
    identity = returned.identity
    unit = master.registry.canonical(identity.unit) or identity.unit
    problems = list(returned.problems)
    reason = _rejection(returned, master, unit, month, problems)
    submission = ledger.Submission(
        returned.sha256, month, unit or "", returned.name, archive, returned.size, identity.issued,
        returned.saved_at.isoformat(sep=" ") if returned.saved_at else "", identity.source, identity.version,
        received, "rejected" if reason else "applied", reason)
    if reason:
        return ledger.Recorded(submission, {}, [], {}, [_with_unit(p, unit) for p in problems])
    problems += _identity_warnings(returned, master, unit)
    result = reconcile(returned, issued[unit], unit, month)
    problems = [_with_unit(p, unit) for p in problems] + result.problems
    return ledger.Recorded(submission, result.rows, result.evidence, result.liaison, problems)


def _with_unit(problem: Problem, unit: str | None) -> Problem:
    if problem.unit or not unit:
        return problem
    return Problem(problem.code, problem.message, problem.file, problem.sheet, problem.cell, unit, problem.severity)


def _rejection(returned: Returned, master: Master, unit: str, month: str, problems: list[Problem]) -> str:
    """Why the file cannot be applied to this month, or '' when it can. Adds the problem."""
    def reject(code: str, message: str) -> str:
        problems.append(Problem(code, message, file=returned.name))
        return message

    if not returned.readable:
        return problems[0].message if problems else "无法读取"
    identity = returned.identity
    if not identity.unit or not identity.month:
        return reject("unidentified-file", "无法识别是哪个单位、哪个月的表(隐藏标识、文档属性、填报说明和文件名都不可用)。请让报送单位使用下发的工作簿。")
    if unit not in master.registry.units:
        return reject("unknown-unit-file", f"文件标明的单位“{identity.unit}”不在单位名录中。如为新单位或别名,请在总任务清单“单位名录”中添加。")
    if identity.month != month:
        return reject("wrong-month", f"这是 {identity.month} 的表({unit}),不是 {month} 的,未计入本月。可能是上月文件被重复发送。")
    if not returned.tasks.sheet:
        return reject("missing-task-sheet", "找不到“任务清单”表,未采用。")
    return ""


def _identity_warnings(returned: Returned, master: Master, unit: str) -> list[Problem]:
    identity, found = returned.identity, []
    if identity.source != "隐藏表":
        found.append(Problem("identity-fallback", f"隐藏标识表缺失,已根据{identity.source}识别为“{unit} {identity.month}”。",
                             file=returned.name, unit=unit, severity="warning"))
    if returned.meta_rows and identity.checksum:
        expected = layout.identity_checksum(identity.unit, identity.month, identity.version, identity.issued,
                                            [h for _, _, h in returned.meta_rows])
        if expected != identity.checksum:
            found.append(Problem("identity-tampered", "隐藏标识表的内容与校验值不符,可能被改动过。请核实该文件来源。",
                                 file=returned.name, sheet=layout.META_SHEET, unit=unit))
    if identity.version and identity.version != master.version:
        found.append(Problem("master-changed", f"该表按旧版总任务清单({identity.version})下发,现行版本为 {master.version};已按现行任务核对。",
                             file=returned.name, unit=unit, severity="info"))
    return found


def summarize(conn, master: Master, month: str, deadline: Deadline, files_read: int, new_files: int,
              ignored: list[str]) -> MergeResult:
    accepted = ledger.accepted(conn, month)
    superseded = ledger.superseded(conn, month, accepted)
    not_returned = [u for u in master.registry.units if u not in accepted]
    return MergeResult(month, deadline, files_read, new_files, ignored, accepted, superseded, not_returned,
                       _problems(conn, master, month, accepted, superseded))


def month_problems(conn, master: Master, month: str) -> list[Problem]:
    """Every problem of the month: the files' own, superseded resubmissions and units not returned."""
    accepted = ledger.accepted(conn, month)
    return _problems(conn, master, month, accepted, ledger.superseded(conn, month, accepted))


def _problems(conn, master: Master, month: str, accepted, superseded) -> list[Problem]:
    problems = ledger.problems(conn, month, accepted) + [
        Problem("superseded", f"同一单位重复报送,本文件已被较新的“{accepted[s.unit].file_name}”取代(保留存档 {s.archive_path})。",
                file=s.file_name, unit=s.unit, severity="info")
        for s in superseded
    ]
    return problems + [Problem("not-returned", f"{month} 未报送。", unit=u, severity="warning")
                       for u in master.registry.units if u not in accepted]


def problems_csv(problems: list[Problem]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(PROBLEM_COLUMNS)
    for p in problems:
        writer.writerow([p.code, SEVERITY_TEXT.get(p.severity, p.severity), p.unit, p.file, p.sheet, p.cell, p.message])
    return buffer.getvalue()


def write_problems(workspace: Workspace, month: str, problems: list[Problem]) -> Path:
    path = workspace.reports_dir / month / f"校验问题_{month}.csv"
    # UTF-8 with BOM so that Excel on Chinese Windows opens it without mojibake.
    write_text_atomic(path, "\ufeff" + problems_csv(problems))
    return path
