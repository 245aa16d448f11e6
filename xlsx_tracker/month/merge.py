"""merge: read an inbox of returned workbooks, reconcile them, and record them in the ledger."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..base import isolate, layout
from ..base.model import Problem, TrackerError
from ..base.problems import (
    EXTENSION_MISMATCH,
    IDENTITY_CONFLICT,
    IDENTITY_FALLBACK,
    IDENTITY_TAMPERED,
    MASTER_CHANGED,
    MISSING_TASK_SHEET,
    READER_CRASHED,
    READER_TIMEOUT,
    UNIDENTIFIED_FILE,
    UNKNOWN_UNIT_FILE,
    WRONG_MONTH,
    problem,
    write_problem_csv,
)
from ..base.sheetio import write_excel_csv
from ..base.workspace import Workspace, workspace_lock
from ..intake import explanation
from ..intake.explanation import group_in_name
from ..intake.inbox import InboxItem, list_inbox, read_bytes
from ..intake.reader import FILENAME_RE, Returned, bytes_key, item_sha256, read_item, strip_copy_marks
from ..intake.reconcile import reconcile
from ..intake.sniff import MAX_FILE_BYTES
from ..master.issued import IssuedRows
from ..master.settings import office_text
from ..master.tasklist import Master
from . import ledger
from .archive import Changed, RunArchive
from .run import MonthRun
from .state import MonthState, fate, load_state


@dataclass
class MergeResult:
    month: str
    files_read: int
    new_files: int
    ignored: list[str]
    state: MonthState  # the month after this merge, as every view shows it
    problems_path: Path | None = None
    changed: list[str] = field(default_factory=list)  # items re-saved or moved while being read: not recorded this run
    manifest: list[ManifestEntry] = field(default_factory=list)  # every inbox entry and its fate
    duplicates: int = 0  # entries whose bytes the ledger already held: not recorded again
    file_list_path: Path | None = None

    @property
    def accepted(self) -> dict[str, ledger.Submission]:
        return self.state.accepted

    @property
    def completed(self) -> bool:
        """Something of the month stands: a file was taken, or nothing new came (a re-run over recorded files)."""
        return bool(self.accepted) or not self.new_files

    @property
    def superseded(self) -> list[ledger.Submission]:
        return self.state.superseded

    @property
    def not_returned(self) -> list[str]:
        return self.state.not_returned

    @property
    def problems(self) -> list[Problem]:
        return self.state.problems


PARALLEL_THRESHOLD = 64  # below this one worker process reads every file; above, one per core


@dataclass(frozen=True)
class _Context:
    master: Master
    issued: IssuedRows
    month: str
    received: str  # when this run recorded the files
    receipt_default: str  # merge --received: the day the office says these files arrived


def _process_item(c: _Context, item: InboxItem) -> ledger.Prepared:
    """Read and check one inbox item. Pure: it writes nothing, so it runs in an isolated worker."""
    returned = read_item(item, c.master.settings.zone)
    when = receipt(item, returned, c.receipt_default, c.master.settings.zone)
    return replace(evaluate(returned, c.master, c.issued, c.month, c.received, when).prepare(item), data=returned.data)


def receipt(item: InboxItem, returned: Returned, default: str, zone: dt.tzinfo) -> tuple[str, str]:
    """When the office received a file, and how that is known — the time timeliness is judged on, as the office's
    wall-clock time (the settings' timezone, whatever this computer is set to).

    The mail server's receipt time, else a date-named inbox folder, else `merge --received`, else the
    file's own saved time, marked as an estimate. Never the file's time on disk.
    """
    if item.received:  # a time the inbox read (a mail's, kept as this computer's local time), or a folder's date
        return office_text(item.received, zone), item.received_source
    if default:
        return default, "汇总时指定"
    if returned.saved_at:
        return returned.saved_at.isoformat(sep=" "), ledger.ESTIMATED
    return "", "不详"


def merge(run: MonthRun, inbox: Path, *, now: dt.datetime | None = None, received: dt.date | None = None,
          progress=None, workers: int | None = None,
          parallel_threshold: int = PARALLEL_THRESHOLD, timeout: float = isolate.DEFAULT_TIMEOUT,
          memory_limit: int | None = isolate.DEFAULT_MEMORY_LIMIT, on_wait=None, check_issued: bool = True) -> MergeResult:
    """Read, check and record every new item of the inbox (a folder, or one file), then compute the month state once.

    Every read runs in a worker process: a file that crashes a reader, hangs or eats memory becomes a
    problem of that file, and the batch goes on. The ledger and the archive change all together or not at all.
    """
    if check_issued:
        run.require_issued()
    items, ignored = list_inbox(inbox)
    if not items:
        raise TrackerError(f"收件目录“{inbox}”中没有可读取的文件(已忽略 {len(ignored)} 个临时/锁定文件)。")
    recorded = (now or run.master.settings.now()).replace(microsecond=0).isoformat(sep=" ")
    context = _Context(run.master.indexed(), run.issued, run.month, recorded, received.isoformat() if received else "")
    workers = (workers or min(os.cpu_count() or 1, 8)) if len(items) >= parallel_threshold else 1
    seen_items: list[tuple[InboxItem, str, str]] = []  # (item, sha256, what happened in this run)
    with workspace_lock(run.workspace, on_wait), run.ledger() as conn:
        archive = RunArchive(run.workspace, run.month, recorded)
        with ledger.transaction(conn), archive:  # all or nothing: a crash leaves ledger and archive as they were
            for item, sha256, prepared, status in _items(conn, context, items, progress, workers, timeout, memory_limit):
                seen_items.append((item, sha256, status))
                if status == "duplicate":
                    continue
                try:
                    stored = archive.add(prepared)
                except Changed:  # moved or re-saved while it was read: next run takes it as it is then
                    seen_items[-1] = (prepared.item, "", "changed")
                    continue
                if status == "retry":
                    ledger.forget(conn, prepared.submission.sha256, run.month)
                ledger.record(conn, stored)  # written while the workers read the next files
        state = load_state(run)
        run.keep_lights(state.unit_lights, state.indicator_lights)
        entries = manifest(state, seen_items, ignored)
        path = run.workspace.problem_list(run.month)
        write_problem_csv(path, state.problems)
        write_manifest(run.workspace.file_list(run.month), entries)
    new = sum(1 for _, _, status in seen_items if status in ("new", "retry"))
    changed = [item.name for item, _, status in seen_items if status == "changed"]
    duplicates = sum(1 for _, _, status in seen_items if status == "duplicate")
    return MergeResult(run.month, len(items), new, ignored, state, path, changed, entries, duplicates,
                       run.workspace.file_list(run.month))


def _items(conn, context: _Context, items: list[InboxItem], progress, workers: int, timeout: float, memory_limit):
    """Yield (item, sha256, record, 'new' | 'retry' | 'duplicate') for every item, in inbox order.

    An item the ledger already holds is recognised by its bytes' SHA-256 alone and not read again (its record is
    None): a re-merge reads only what is new. A file whose reader crashed or timed out last time is read again
    ('retry'): the machine may have been busy.
    """
    retry = ledger.failed_reads(conn, context.month)
    seen = ledger.known_hashes(conn, context.month) - retry
    recorded = _recognised(items, seen, progress) if seen else {}
    fresh = [item for index, item in enumerate(items) if index not in recorded]
    results = isolate.run_with_context(_process_item, context, fresh, workers=workers, timeout=timeout, memory_limit=memory_limit)
    for index, item in enumerate(items):
        if index in recorded:
            yield item, recorded[index], None, "duplicate"
            continue
        _, result = next(results)
        if progress:
            progress(item.name)
        prepared = _failed(item, result, context) if isinstance(result, isolate.Failed) else result
        sha256 = prepared.submission.sha256
        if sha256 in seen:
            yield item, sha256, prepared, "duplicate"
        else:
            seen.add(sha256)
            yield item, sha256, prepared, "retry" if sha256 in retry else "new"


def _recognised(items: list[InboxItem], recorded: set[str], progress) -> dict[int, str]:
    """The items whose bytes the ledger already holds, by index: their SHA-256, the only thing computed for them
    (each counts as done on the progress bar as it is recognised)."""
    found = {}
    for index, item in enumerate(items):
        sha256 = item_sha256(item)
        if sha256 in recorded:
            found[index] = sha256
            if progress:
                progress(item.name)
    return found


MANIFEST_COLUMNS = ["文件", "处理结果", "单位", "收到时间", "收到时间依据", "来源邮件"]


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    fate: str
    unit: str = ""
    received: str = ""
    received_how: str = ""
    origin: str = ""  # the mail message it came with

    def row(self) -> list[str]:
        return [self.name, self.fate, self.unit, self.received, self.received_how, self.origin]


def manifest(state: MonthState, seen: list[tuple[InboxItem, str, str]], ignored: list[str]) -> list[ManifestEntry]:
    """Every entry of the inbox and what became of it, in inbox order; ignored lock files last."""
    by_sha = {s.sha256: s for s in state.submissions}
    entries = []
    for item, sha256, status in seen:
        sub = by_sha.get(sha256)
        if status == "changed" or sub is None:
            entries.append(ManifestEntry(item.name, "本次未入账:汇总过程中文件被改动、移动或删除,请再运行一次 merge", origin=item.origin))
        elif status == "duplicate" and sub.file_name != item.name:
            entries.append(ManifestEntry(item.name, f"重复:与已入账的“{sub.file_name}”内容完全相同,未重复入账", sub.unit, origin=item.origin))
        else:
            again = "(上次汇总已入账)" if status == "duplicate" else ""
            entries.append(ManifestEntry(item.name, fate(state, sub) + again, sub.unit, sub.receipt_time[:16], sub.receipt_source, item.origin))
    return entries + [ManifestEntry(name, "忽略:临时或锁定文件") for name in ignored]


def write_manifest(path: Path, entries: list[ManifestEntry]) -> None:
    write_excel_csv(path, MANIFEST_COLUMNS, [e.row() for e in entries])


def dry_run(run: MonthRun, inbox: Path, out: Path, **options) -> MergeResult:
    """Read and check as merge does, into a scratch copy of the ledger: the workspace is left exactly as it was.

    The receipts and reminders go to out; nothing is recorded and nothing archived in the workspace.
    """
    run.require_issued()
    with tempfile.TemporaryDirectory(prefix="xlsx-tracker-dry-") as scratch_dir:
        scratch = Workspace(Path(scratch_dir))
        if run.has_ledger():
            target = ledger.connect(scratch.ledger_file)
            try:
                with run.ledger() as source:
                    source.backup(target)  # a consistent copy even while another command writes
            finally:
                target.close()
        result = merge(replace(run, workspace=scratch), inbox, check_issued=False, **options)
        shutil.copytree(scratch.reports_dir / run.month, out, dirs_exist_ok=True)  # the problem list and file list
    result.problems_path = Path(out) / result.problems_path.name
    result.file_list_path = Path(out) / result.file_list_path.name
    return result


def _failed(item: InboxItem, failure: isolate.Failed, context: _Context) -> ledger.Prepared:
    """The record of an item whose reader died or hung: the file is archived and named, the batch goes on. Keyed as
    read_item keys it, so that reading it again next run is a retry of this record, not a second one; archived with
    the very bytes its key was taken from."""
    try:
        data = read_bytes(item, MAX_FILE_BYTES)[0]
        sha256 = bytes_key(item, data)
    except Exception:  # gone or unreadable now: still one named record
        data, sha256 = b"", hashlib.sha256(f"failed:{item.name}".encode()).hexdigest()
    returned = Returned(item.name, sha256, len(data))
    if failure.reason == "timeout":
        returned.refuse(READER_TIMEOUT, detail=failure.detail)
    else:
        returned.refuse(READER_CRASHED, detail=_failure_text(failure))
    when = receipt(item, returned, context.receipt_default, context.master.settings.zone)
    return replace(evaluate(returned, context.master, context.issued, context.month, context.received, when).prepare(item), data=data)


def _failure_text(failure: isolate.Failed) -> str:
    if failure.reason == "memory":
        return "内存超限"
    return f"{failure.reason}: {failure.detail}"


def evaluate(returned: Returned, master: Master, issued: IssuedRows, month: str, received: str,
             when: tuple[str, str] = ("", "")) -> ledger.Recorded:
    identity = returned.identity
    unit = master.registry.canonical(identity.unit) or identity.unit
    problems = list(returned.problems)
    if returned.kind in ("material", "container"):  # not a workbook: archived and listed, never judged as one
        outcome, unit, reason = returned.kind, "", ""
        if returned.text is not None:
            problems += _explanation_problems(returned, master)
    else:
        if not returned.readable:  # a file under a unit's name that cannot be read is that unit's return, refused
            unit = unit or unit_in_name(returned.name, master.registry)
        reason = _rejection(returned, master, unit, month, problems)
        outcome = "rejected" if reason else "applied"
    doubt = ""
    if outcome == "applied":
        named = unit_in_name(returned.name, master.registry)
        if named and named != unit:
            problems.append(problem(IDENTITY_CONFLICT, file=returned.name, named=named, unit=unit))
            doubt = f"文件名表明是{named}"
    submission = ledger.Submission(
        returned.sha256, month, unit or "", returned.name, "", returned.size, identity.issued,
        returned.saved_at.isoformat(sep=" ") if returned.saved_at else "", identity.source, identity.version,
        received, outcome, reason, doubt, *when)
    if outcome != "applied":
        return ledger.Recorded(submission, {}, [], {}, [_with_unit(p, unit) for p in problems])
    given, from_snapshot = issued.for_return(unit, identity.issued)
    problems += _identity_warnings(returned, master, unit, from_snapshot)
    result = reconcile(returned, given, unit, month, master.settings.answers)
    problems = [_with_unit(p, unit) for p in problems] + result.problems
    return ledger.Recorded(submission, result.rows, result.evidence, result.liaison, problems)


def _explanation_problems(returned: Returned, master: Master) -> list[Problem]:
    """A Word or text file named for a reporting group is that group's 情况说明: check its length and title."""
    groups = list(dict.fromkeys(t.group_id for t in master.tasks))
    group = group_in_name(returned.name, groups)
    task = next((t for t in master.tasks if t.group_id == group), None)
    if task is None or returned.text is None:
        return []
    return explanation.check(returned.text, task, file=returned.name, unit=unit_in_name(returned.name, master.registry))


def unit_in_name(name: str, registry) -> str:
    """The one unit a file name names (by its issued name pattern, a unit name or an alias), or ''."""
    stem = Path(name.rsplit("/", 1)[-1]).stem
    match = FILENAME_RE.match(strip_copy_marks(stem))
    if match and registry.canonical(match.group("unit")):
        return registry.canonical(match.group("unit"))
    spellings = [s for s in [*registry.units, *registry.aliases] if s and s in stem]
    longest = [s for s in spellings if not any(s != other and s in other for other in spellings)]
    named = {registry.canonical(s) for s in longest}
    return named.pop() if len(named) == 1 else ""


def _with_unit(found: Problem, unit: str | None) -> Problem:
    return found if found.unit or not unit else replace(found, unit=unit)


def _rejection(returned: Returned, master: Master, unit: str, month: str, problems: list[Problem]) -> str:
    """Why the file cannot be applied to this month, or '' when it can. Adds the problem when it is new."""
    def reject(code: str, **fields) -> str:
        found = problem(code, file=returned.name, **fields)
        problems.append(found)
        return found.message

    if not returned.readable:
        return refusal_reason(returned, problems)
    identity = returned.identity
    if not identity.unit or not identity.month:
        return reject(UNIDENTIFIED_FILE)
    if unit not in master.registry.units:
        return reject(UNKNOWN_UNIT_FILE, unit=identity.unit)
    if identity.month != month:
        return reject(WRONG_MONTH, found=identity.month, unit=unit, month=month)
    if not returned.tasks.sheet:
        # intake has already said so: the message is the reason, not a second problem
        return next((p.message for p in problems if p.code == MISSING_TASK_SHEET), "找不到“任务清单”表")
    return ""


def refusal_reason(returned: Returned, problems: list[Problem]) -> str:
    """Why a file could not be read: the refusal first, then a wrong extension noted after it (never instead of it)."""
    refusal = returned.refusal or next((p for p in problems if p.severity == "error"), problems[0] if problems else None)
    if refusal is None:
        return "无法读取"
    notes = [p.message.rstrip("。") for p in problems if p.code == EXTENSION_MISMATCH and p is not refusal]
    return refusal.message + "".join(f"(另:{note})" for note in notes)


def _identity_warnings(returned: Returned, master: Master, unit: str, from_snapshot: bool) -> list[Problem]:
    identity, found = returned.identity, []
    if identity.source != "隐藏表":
        found.append(problem(IDENTITY_FALLBACK, file=returned.name, unit=unit, source=identity.source, month=identity.month))
    if returned.meta_rows and identity.checksum:
        expected = layout.identity_checksum(identity.unit, identity.month, identity.version, identity.issued,
                                            [h for _, _, h in returned.meta_rows])
        if expected != identity.checksum:
            found.append(problem(IDENTITY_TAMPERED, file=returned.name, sheet=layout.META_SHEET, unit=unit))
    if not from_snapshot and identity.version and identity.version != master.version:  # no record of what was issued
        found.append(problem(MASTER_CHANGED, file=returned.name, unit=unit, issued=identity.version, current=master.version))
    return found
