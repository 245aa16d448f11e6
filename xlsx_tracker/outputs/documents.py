"""The month's documents, each registered once with what it needs.

merge, report, review --apply and demo write the month's documents through `write_month_documents`, so
no command can forget one (deleting reports/<month>/ and running report gives every document back; the file
list and the review sheet are records of a merge run and of a review, not documents of the month state).
A document open in Excel or WPS does not stop the others: it is named at the end. The order keeps memory low
at province scale: the 通报's text is taken from the month state, the state is let go, and only then is its
Word table built.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..base.problems import write_problem_csv
from ..base.sheetio import FileInUse, write_text_atomic
from ..base.workspace import workspace_lock
from ..month import ledger
from ..month.figures import key_figures
from ..month.run import MonthRun
from ..month.state import MonthState, load_state
from .bulletin import bulletin, write_month_bulletin
from .notice_files import notices_for
from .report import build_details, build_report


@dataclass(frozen=True)
class Made:
    """One document of the month as written: its key, its Chinese name and its files (one per unit for notices)."""

    key: str
    label: str
    paths: list[Path]
    units: list[str] = field(default_factory=list)  # the units a per-unit document was written for
    note: str = ""  # what the office should know about this writing (an edited 通报 kept, for one)


@dataclass
class Context:
    today: dt.date
    now: dt.datetime
    folder: Path | None  # write here instead of reports/<month>/ (a dry run); only for documents that allow it
    on_wait: Callable[[str], None] | None
    units: set[str] | None = None  # only these units' receipts and no reminders (a dry run of some files)
    notices: tuple | None = None  # receipts and reminders are written together, once


@dataclass(frozen=True)
class Document:
    key: str
    label: str
    write: Callable[[MonthRun, MonthState, Context], Made | Callable[[], Made]]  # a callable result is written last
    anywhere: bool = False  # may be written into another folder (a dry run)


def _problems(run: MonthRun, state: MonthState, ctx: Context) -> Made:
    path = run.workspace.problem_list(run.month)
    with workspace_lock(run.workspace, ctx.on_wait):
        write_problem_csv(path, state.problems)
    return Made("problems", "问题清单", [path])


def _report(run: MonthRun, state: MonthState, ctx: Context) -> Made:
    path, _ = build_report(run, state, ctx.now, on_wait=ctx.on_wait)
    return Made("report", "调度报告", [path])


def _details(run: MonthRun, state: MonthState, ctx: Context) -> Made:
    return Made("details", "调度明细", [build_details(run, state, ctx.now, on_wait=ctx.on_wait)])


def _bulletin(run: MonthRun, state: MonthState, ctx: Context) -> Callable[[], Made]:
    content = bulletin(run.master, state, ctx.today)  # the text now; the Word table after the state is let go

    def write() -> Made:
        path, kept = write_month_bulletin(run, content, on_wait=ctx.on_wait, now=ctx.now)
        note = f"原通报在生成后被修改过,没有覆盖,仍是“{kept.name}”;新生成的是“{path.name}”" if kept else ""
        return Made("bulletin", "通报", [path], note=note)
    return write


def _notices(run: MonthRun, state: MonthState, ctx: Context) -> tuple:
    if ctx.notices is None:
        ctx.notices = notices_for(run, state, ctx.now, folder=ctx.folder, on_wait=ctx.on_wait, units=ctx.units)
    return ctx.notices


def _receipts(run: MonthRun, state: MonthState, ctx: Context) -> Made:
    receipts = _notices(run, state, ctx)[0]
    return Made("receipts", "回执", [path for w in receipts for path in w.paths], [w.unit for w in receipts])


def _reminders(run: MonthRun, state: MonthState, ctx: Context) -> Made:
    reminders = _notices(run, state, ctx)[1]
    return Made("reminders", "催报通知", [path for w in reminders for path in w.paths], [w.unit for w in reminders])


DOCUMENTS = [
    Document("report", "调度报告", _report),
    Document("details", "调度明细", _details),
    Document("receipts", "回执", _receipts, anywhere=True),
    Document("reminders", "催报通知", _reminders, anywhere=True),
    Document("bulletin", "通报", _bulletin),
    Document("problems", "问题清单", _problems),  # last: a CSV left open in Excel is the likeliest to be in use
]
DOCUMENT_KEYS = tuple(d.key for d in DOCUMENTS)


@dataclass
class MonthDocuments:
    made: list[Made]
    figures: dict[str, float]  # the key figures the documents show, for the console's summary
    units: int
    main_indicators: int
    blocked: list[Path] = field(default_factory=list)  # documents open in another program: not updated
    lights_changed: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, kept light, light shown now)

    def get(self, key: str) -> Made | None:
        return next((m for m in self.made if m.key == key), None)


def write_month_documents(run: MonthRun, state: MonthState | None = None, *, keys: tuple[str, ...] = DOCUMENT_KEYS,
                          today: dt.date | None = None, now: dt.datetime | None = None, folder: Path | None = None,
                          units: set[str] | None = None, on_wait=None) -> MonthDocuments:
    """Write the month's documents (all of them unless keys names some) from its state (read from the ledger unless given)."""
    unknown = [k for k in keys if k not in DOCUMENT_KEYS]
    chosen = [d for d in DOCUMENTS if d.key in keys]
    if unknown or (folder is not None and not all(d.anywhere for d in chosen)):
        raise ValueError(f"documents {keys!r} cannot be written {'into ' + str(folder) if folder else ''}")
    run.require_issued()
    now = (now or run.master.settings.now()).replace(microsecond=0)
    ctx = Context(today or now.date(), now, folder, on_wait, units)
    state = state or load_state(run)
    summary = MonthDocuments([], key_figures(state), len(state.units), state.main_indicators,
                             lights_changed=[] if folder else _lights_changed(run, state))
    results = [_attempt(summary, document.write, run, state, ctx) for document in chosen]
    del state  # what is written last needs only its text: the month state's memory is given back first
    gc.collect()
    summary.made = [made for result in results if (made := _attempt(summary, result) if callable(result) else result)]
    if folder is None and units is None and set(keys) == set(DOCUMENT_KEYS) and not summary.blocked:
        write_text_atomic(run.workspace.month_reports(run.month) / SOURCES_STAMP, json.dumps([ctx.today.isoformat(), _sources(run)]))
    return summary


SOURCES_STAMP = ".made-from.json"  # the day and what the month's documents were last written from, all of them at once


def _sources(run: MonthRun) -> list:
    """What the month's documents are made from, as (file, modified, size): the ledger, the master, the settings and
    the calendar. Reading never changes them; a merge, a review, a send or an edit does."""
    paths = [run.workspace.ledger_file, run.workspace.master_file, run.workspace.master_dir / "settings.toml",
             *sorted((run.workspace.master_dir / "calendar").glob("*.toml"))]
    return [[p.name, p.stat().st_mtime_ns, p.stat().st_size] for p in paths if p.exists()]


def documents_current(run: MonthRun, today: dt.date) -> bool:
    """Whether every document of the month was written, all at once, today (the 通报 and notices are dated), from what
    the workspace holds now."""
    stamp = run.workspace.month_reports(run.month) / SOURCES_STAMP
    try:
        return json.loads(stamp.read_text(encoding="utf-8")) == [today.isoformat(), _sources(run)]
    except (OSError, ValueError):
        return False


def _attempt(summary: MonthDocuments, write: Callable, *args):
    """Run one writing step; a file open in another program is noted and the other documents still written."""
    try:
        return write(*args)
    except FileInUse as exc:
        summary.blocked.append(exc.path)
        return None


def _lights_changed(run: MonthRun, state: MonthState) -> list[tuple[str, str, str]]:
    """Units whose light now differs from the one merge or review kept for the month (the rules or data changed since)."""
    with run.ledger() as conn:
        kept = ledger.lights_of(conn, run.month)
    return [(x.key, kept[x.key], x.light) for x in state.unit_lights if x.key in kept and kept[x.key] != x.light]
