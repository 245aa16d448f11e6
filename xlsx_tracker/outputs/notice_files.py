"""The month's receipts and reminders as files: only those whose content changed are written again, and at province
scale they are written by one process per core (3,200 receipts took half a minute on one).

What each says is made in outputs.notices; here they are put on disk, under the names send looks for.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from ..base import isolate
from ..base.model import TrackerError
from ..base.sheetio import FileInUse, atomic_path, write_text_atomic
from ..base.workspace import workspace_lock
from ..calendar.workdays import add_workdays
from ..master.tasklist import Master
from ..month.run import MonthRun
from ..month.state import MonthState
from .notices import (
    Written,
    draft_addresses,
    eml_draft,
    receipt,
    receipt_stem,
    reminder,
    reminder_stem,
    render_text,
    units_that_sent,
    write_receipt_workbook,
)
from .unchanged import addressed_alike, says_the_same

PARALLEL_UNITS = 64  # below this one process writes every notice; above, one per core
CHUNK = 32  # units a worker writes at a time


@dataclass(frozen=True)
class _Job:
    master: Master
    state: MonthState
    folder: Path
    generated: dt.datetime
    respond_by: str
    sent: frozenset = field(default_factory=frozenset)  # units that get a receipt
    chased: frozenset = field(default_factory=frozenset)  # units that get a reminder


@dataclass(frozen=True)
class _Done:
    receipts: dict[str, Written]
    reminders: dict[str, Written]


def write_notices(master: Master, state: MonthState, folder: Path, generated: dt.datetime, respond_by: str,
                  units: set[str] | None = None) -> tuple[list[Written], list[Written]]:
    """Receipts and reminders of the month into folder/回执 and folder/催报; returns them, written now or unchanged.

    A reminder goes to exactly the units of state.follow_ups. With units (a dry run of some files), only those units'
    receipts are written, no reminder, and nothing else in the folder is touched.
    """
    sent = [u for u in units_that_sent(state) if units is None or u in units]
    chased = [f.unit for f in state.follow_ups] if units is None else []
    job = _Job(master, state, folder, generated, respond_by, frozenset(sent), frozenset(chased))
    order = list(dict.fromkeys(sent + chased))
    chunks = [tuple(order[i:i + CHUNK]) for i in range(0, len(order), CHUNK)]
    done = _Done({}, {})
    for part in _write_all(job, chunks, min(os.cpu_count() or 1, 8) if len(order) >= PARALLEL_UNITS else 1):
        done.receipts.update(part.receipts)
        done.reminders.update(part.reminders)
    receipts, reminders = [done.receipts[u] for u in sent], [done.reminders[u] for u in chased]
    if units is None:
        _remove_stale(master, folder, state.month, set(sent), set(chased))
    return receipts, reminders


def _write_all(job: _Job, chunks: list[tuple[str, ...]], workers: int):
    if workers <= 1:
        for chunk in chunks:
            yield _write_chunk(job, chunk)
        return
    # no deadline and no memory limit: the tool's own writing, not a unit's file. A chunk that failed (a notice open
    # in Excel) is written here after every worker has finished its own, so that its error is raised as one process
    # raises it and no worker is stopped half-way through a notice.
    failed = []
    for chunk, result in isolate.run_with_context(_write_chunk, job, chunks, workers=workers, timeout=None, memory_limit=None):
        if isinstance(result, isolate.Failed):
            failed.append(chunk)
        else:
            yield result
    for chunk in failed:
        yield _write_chunk(job, chunk)


def _write_chunk(job: _Job, units: tuple[str, ...]) -> _Done:
    """Some units' receipts and reminders, each written only when what it says changed; its .txt last."""
    master, state, folder = job.master, job.state, job.folder
    done = _Done({}, {})
    for unit in units:
        rewritten = False
        if unit in job.sent:
            notice = receipt(master, state, unit, job.generated)
            stem, text = receipt_stem(folder, unit, state.month), render_text(notice)
            paths = [stem.with_suffix(".xlsx"), stem.with_suffix(".txt")]
            if not says_the_same(paths[1], text, paths[:1]):
                write_receipt_workbook(notice, paths[0])
                write_text_atomic(paths[1], text)
                rewritten = True
            done.receipts[unit] = Written(unit, paths)
        if unit in job.chased:
            notice = reminder(master, state, unit, job.generated.date(), job.respond_by)
            stem, text = reminder_stem(folder, unit), render_text(notice)
            paths = [stem.with_suffix(".txt"), stem.with_suffix(".eml")]
            email = state.liaisons.get(unit, {}).get("电子邮箱", "")
            if rewritten or not says_the_same(paths[0], text, paths[1:]) or not addressed_alike(paths[1], *draft_addresses(master, email)):
                with atomic_path(paths[1]) as tmp:  # the draft attaches the receipt: written again with it
                    tmp.write_bytes(eml_draft(master, notice, email, receipt_stem(folder, unit, state.month).with_suffix(".xlsx")))
                write_text_atomic(paths[0], text)
            done.reminders[unit] = Written(unit, paths)
    return done


def _remove_stale(master: Master, folder: Path, month: str, receipted: set[str], reminded: set[str]) -> None:
    """A notice of an earlier writing that this month state no longer gives (a unit that has since sent, say) is
    removed, so that send never sends it. Only files by the writer's own names are touched.

    A notice's .txt goes first: send finds a receipt by it and reads a reminder's content from it, so a workbook or
    draft held open in another program (Excel, a mail client) is never sent and is removed by a later run. A .txt
    that cannot be removed is named (FileInUse) once every other stale notice is gone: the office is told what to close."""
    held: list[Path] = []
    for unit in master.registry.units:
        stale = [] if unit in receipted else [receipt_stem(folder, unit, month).with_suffix(s) for s in (".txt", ".xlsx")]
        stale += [] if unit in reminded else [reminder_stem(folder, unit).with_suffix(s) for s in (".txt", ".eml")]
        for path in stale:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                if path.suffix == ".txt":
                    held.append(path)
    if held:
        raise FileInUse(held[0])


def notices_for(run: MonthRun, state: MonthState, generated: dt.datetime | None = None, folder: Path | None = None,
                on_wait=None, units: set[str] | None = None) -> tuple[list[Written], list[Written]]:
    """Write the month's receipts and reminders: into reports/<month>/ (under the workspace lock), or into folder.

    With units, only those units' receipts and no reminder (see write_notices).
    """
    generated = (generated or run.master.settings.now()).replace(microsecond=0)
    try:  # units get three working days to answer
        respond_by = add_workdays(run.calendar, generated.date(), 3).strftime("%Y年%m月%d日")
    except TrackerError:  # next year's calendar not yet known
        respond_by = "收到本通知后3个工作日内"
    if folder is not None:
        return write_notices(run.master, state, folder, generated, respond_by, units)
    with workspace_lock(run.workspace, on_wait):
        return write_notices(run.master, state, run.workspace.reports_dir / run.month, generated, respond_by, units)
