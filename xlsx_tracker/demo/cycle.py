"""demo: the whole monthly cycle on the embedded master, in a scratch workspace."""

from __future__ import annotations

import datetime as dt
import random
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..base.layout import STATUS
from ..base.workspace import Workspace, init_workspace
from ..calendar.workdays import previous_month
from ..master.settings import DEFAULT_TIMEZONE, office_zone
from ..month.merge import MergeResult, merge
from ..month.run import month_run
from ..month.split import split
from ..month.state import load_state
from ..outputs import taizhang
from ..outputs.documents import MonthDocuments, write_month_documents
from ..outputs.review import LOCKED, apply_review, write_review
from . import simulate


@dataclass
class DemoResult:
    workspace: Workspace
    months: list[str]
    merges: list[MergeResult]
    documents: list[MonthDocuments]  # each month's documents as they stand after its review round


def fill_returns(issued: list, inbox: Path, month: str, seed: int, done_share: float,
                 saved_at: dt.datetime, skip: int = 0, defects: bool = True) -> list[Path]:
    """Fill each issued workbook as its unit would; the last `skip` units do not return."""
    rng = random.Random(seed)
    written = []
    for index, sheet in enumerate(issued[: len(issued) - skip]):
        book = simulate.open_form(sheet.path)
        simulate.fill_form(book, rng, month, done_share)
        if defects:
            _realistic_defect(book, index, month)
        path = simulate.save_as(book, inbox / sheet.path.name)
        late = defects and index == 1
        stamp_saved(path, saved_at + dt.timedelta(days=3 if late else 0))
        written.append(path)
    return written


def _realistic_defect(book, index: int, month: str) -> None:
    ids = list(simulate.task_rows(book))
    first = ids[0]
    kinds = {
        2: lambda: simulate.set_value(book, first, STATUS, "完成"),
        3: lambda: simulate.set_value(book, first, "预计完成时间", f"{month[:4]}年{int(month[5:])}月30日"),
        4: lambda: simulate.paste_invalid_status(book, first),
        5: lambda: simulate.tamper_locked(book, first),
        6: lambda: simulate.add_evidence(book, first, "新闻报道", "网址", "见政府网站"),
        7: lambda: simulate.set_value(book, first, "联系电话", 13912345678),
    }
    if index in kinds:
        kinds[index]()


def stamp_saved(path: Path, when: dt.datetime, zone: dt.tzinfo | None = None) -> None:
    """Set the document's own last-saved time (docProps/core.xml), as the saving client would: a time without zone is
    the unit's wall clock, in the office's zone (Asia/Shanghai unless given), whatever this computer's zone."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone or office_zone(DEFAULT_TIMEZONE))
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    core = parts["docProps/core.xml"].decode("utf-8")
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # replace the text only: the element carries its own namespace declarations
    core = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)", lambda m: m.group(1) + stamp + m.group(2), core)
    parts["docProps/core.xml"] = core.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def run_demo(root: Path, month: str, progress=None) -> DemoResult:
    workspace = init_workspace(root, force=True)
    months = [previous_month(month), month]
    merges, documents = [], []
    for number, current in enumerate(months):
        run = month_run(workspace, current)
        issued = split(run, force=True, issued_at=dt.datetime.fromisoformat(f"{current}-02 09:00"))
        saved = dt.datetime.combine(run.deadline.deadline - dt.timedelta(days=2), dt.time(10, 0))
        inbox = workspace.inbox_dir(current)
        fill_returns(issued, inbox, current, seed=number, done_share=0.3 + 0.3 * number, saved_at=saved,
                     skip=2 - number, defects=number == 1)
        merged = merge(run, inbox, progress=progress)
        merges.append(merged)
        write_month_documents(run, merged.state)  # as merge does
        documents.append(review_round(run, merged.state))  # and review --apply, again
    taizhang.build(run)
    return DemoResult(workspace, months, merges, documents)


def review_round(run, state) -> MonthDocuments:
    """The office reviews the month's claims as a clerk would: most pass, every fifth goes back with a reason."""
    path, _ = write_review(run, state)
    book = simulate.open_form(path)
    sheet = book["审核"]
    for index, row in enumerate(sheet.iter_rows(min_row=3)):
        if row[0].value:
            decision, reason, reviewer = (row[len(LOCKED) + i] for i in range(3))
            decision.value, reason.value = ("退回", "证明材料不足,请补充印发文件扫描件") if index % 5 == 4 else ("通过", "")
            reviewer.value = "演示审核人"
    book.save(path)
    applied = apply_review(run, load_state(run), path)
    return write_month_documents(run, applied.state)
