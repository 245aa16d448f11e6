"""merge: read an inbox of returned workbooks, reconcile them, and record them in the ledger."""

from __future__ import annotations

import datetime as dt
import os
import zipfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from . import layout, ledger
from .intake import Returned, list_inbox, read_returned
from .issued import IssuedRows
from .master import Master
from .model import Problem, TrackerError
from .problems import problem, problems_csv
from .reconcile import reconcile
from .run import MonthRun
from .sheetio import write_text_atomic
from .state import MonthState, load_state
from .workspace import Workspace


@dataclass
class MergeResult:
    month: str
    files_read: int
    new_files: int
    ignored: list[str]
    state: MonthState  # the month after this merge, as every view shows it
    problems_path: Path | None = None

    @property
    def accepted(self) -> dict[str, ledger.Submission]:
        return self.state.accepted

    @property
    def superseded(self) -> list[ledger.Submission]:
        return self.state.superseded

    @property
    def not_returned(self) -> list[str]:
        return self.state.not_returned

    @property
    def problems(self) -> list[Problem]:
        return self.state.problems


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


def merge(run: MonthRun, inbox: Path, *, now: dt.datetime | None = None, progress=None,
          workers: int | None = None, parallel_threshold: int = PARALLEL_THRESHOLD) -> MergeResult:
    """Read, check and record every new file of the inbox, then compute the month state once."""
    files, ignored = list_inbox(inbox)
    if not files:
        raise TrackerError(f"收件目录“{inbox}”中没有可读取的文件(已忽略 {len(ignored)} 个临时/锁定文件)。")
    received = (now or dt.datetime.now()).replace(microsecond=0).isoformat(sep=" ")
    archive = RunArchive(run.workspace, run.month, received)
    context = _Context(run.master, run.issued, run.month, received, archive.relative)
    workers = workers or min(os.cpu_count() or 1, 8)
    with run.ledger() as conn:
        with ledger.transaction(conn), archive:  # all or nothing: a crash leaves ledger and archive as they were
            recorded = 0
            for item in _new_items(conn, context, files, progress, workers if len(files) >= parallel_threshold else 1):
                archive.add(Path(item.source), item.submission.archive_path.rpartition("/")[2])
                ledger.record(conn, item)  # written while the workers read the next files
                recorded += 1
    state = load_state(run)
    path = write_problems(run.workspace, run.month, state.problems)
    return MergeResult(run.month, len(files), recorded, [p.name for p in ignored], state, path)


def _new_items(conn, context: _Context, files: list[Path], progress, workers: int):
    """Process every file (in worker processes when more than one); yield those the ledger has not seen."""
    seen = ledger.known_hashes(conn, context.month)
    with _pool(context, workers) as mapper:
        for item in mapper(_process_file, files):
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


def _with_unit(found: Problem, unit: str | None) -> Problem:
    return found if found.unit or not unit else replace(found, unit=unit)


def _rejection(returned: Returned, master: Master, unit: str, month: str, problems: list[Problem]) -> str:
    """Why the file cannot be applied to this month, or '' when it can. Adds the problem when it is new."""
    def reject(code: str, **fields) -> str:
        found = problem(code, file=returned.name, **fields)
        problems.append(found)
        return found.message

    if not returned.readable:
        return problems[0].message if problems else "无法读取"
    identity = returned.identity
    if not identity.unit or not identity.month:
        return reject("unidentified-file")
    if unit not in master.registry.units:
        return reject("unknown-unit-file", unit=identity.unit)
    if identity.month != month:
        return reject("wrong-month", found=identity.month, unit=unit, month=month)
    if not returned.tasks.sheet:
        # intake has already said so: the message is the reason, not a second problem
        return next((p.message for p in problems if p.code == "missing-task-sheet"), "找不到“任务清单”表")
    return ""


def _identity_warnings(returned: Returned, master: Master, unit: str) -> list[Problem]:
    identity, found = returned.identity, []
    if identity.source != "隐藏表":
        found.append(problem("identity-fallback", file=returned.name, unit=unit, source=identity.source, month=identity.month))
    if returned.meta_rows and identity.checksum:
        expected = layout.identity_checksum(identity.unit, identity.month, identity.version, identity.issued,
                                            [h for _, _, h in returned.meta_rows])
        if expected != identity.checksum:
            found.append(problem("identity-tampered", file=returned.name, sheet=layout.META_SHEET, unit=unit))
    if identity.version and identity.version != master.version:
        found.append(problem("master-changed", file=returned.name, unit=unit, issued=identity.version, current=master.version))
    return found


def write_problems(workspace: Workspace, month: str, problems: list[Problem]) -> Path:
    path = workspace.reports_dir / month / f"校验问题_{month}.csv"
    # UTF-8 with BOM so that Excel on Chinese Windows opens it without mojibake.
    write_text_atomic(path, "\ufeff" + problems_csv(problems))
    return path
