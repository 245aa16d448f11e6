"""A re-merge as the office runs it (returns trickle in, merge again after each batch): it reads only the new files
and ends where a full merge of the same files ends."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from xlsx_tracker.base import isolate
from xlsx_tracker.base.workspace import Workspace
from xlsx_tracker.cli import main
from xlsx_tracker.master.tasklist import load_master_or_fail

from ..month_files import masked, month_files, table

MONTH = "2024-05"
ON_TIME, LATE = "2024-05-17", "2024-05-22"  # the deadline is 2024-05-20


def cli(workspace: Workspace, *args) -> str:
    result = CliRunner().invoke(main, ["-w", str(workspace.root), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def returns(tmp_path_factory, base_workspace, filled_return):
    """An issued workspace and the returns of 20 units: 16 on time, 4 late (one of them a second copy of an early one)."""
    root = tmp_path_factory.mktemp("remerge")
    issued = Workspace(root / "下发")
    shutil.copytree(base_workspace.root, issued.root)
    cli(issued, "split", "--month", MONTH)
    units = load_master_or_fail(issued).registry.units[:20]
    folders = {ON_TIME: root / ON_TIME, LATE: root / LATE}
    for index, unit in enumerate(units):
        filled_return(issued.sheets_dir(MONTH) / f"{unit}_{MONTH}.xlsx", folders[ON_TIME if index < 16 else LATE], seed=index)
    shutil.copy(folders[ON_TIME] / f"{units[0]}_{MONTH}.xlsx", folders[LATE] / f"副本 {units[0]}_{MONTH}.xlsx")
    return issued, folders


def fresh_copy(issued: Workspace, root) -> Workspace:
    workspace = Workspace(root)
    shutil.copytree(issued.root, workspace.root)
    return workspace


def test_a_re_merge_reads_only_the_new_files_and_ends_where_a_full_merge_ends(returns, tmp_path, monkeypatch, ledger_dump):
    issued, folders = returns
    read = []
    real = isolate.run_with_context
    monkeypatch.setattr(isolate, "run_with_context", lambda task, context, items, **kw: (read.append(len(items)), real(task, context, items, **kw))[1])

    step = fresh_copy(issued, tmp_path / "分批")
    shutil.copytree(folders[ON_TIME], step.inbox_dir(MONTH) / ON_TIME)
    cli(step, "merge", "--month", MONTH)
    shutil.copytree(folders[LATE], step.inbox_dir(MONTH) / LATE)
    again = cli(step, "merge", "--month", MONTH)
    assert read == [16, 4]  # the second run reads the 4 new files only; the 16 recorded ones and a copy of one are hashed, not read
    assert "其中新收 4 个,已入账过 17 个" in again

    whole = fresh_copy(issued, tmp_path / "一次")
    for day, folder in folders.items():
        shutil.copytree(folder, whole.inbox_dir(MONTH) / day)
    cli(whole, "merge", "--month", MONTH)

    def ledger(workspace):  # the run that recorded a file is the only difference: its time and archive
        return {t: [[masked(v) for v in row] for row in rows] for t, rows in ledger_dump(workspace.ledger_file).items()}
    assert ledger(step) == ledger(whole)
    assert table(step, "lights") == table(whole, "lights")
    by_steps, at_once = month_files(step), month_files(whole)
    for kind in at_once:
        assert by_steps[kind] == at_once[kind], kind
    assert len(at_once["receipts"]) == 20 and len(at_once["reminders"]) == 16  # 12 not returned, 4 late


def test_a_re_merge_with_nothing_new_reads_nothing_and_changes_no_record(returns, tmp_path, monkeypatch, ledger_dump):
    issued, folders = returns
    workspace = fresh_copy(issued, tmp_path / "工作区")
    shutil.copytree(folders[ON_TIME], workspace.inbox_dir(MONTH) / ON_TIME)
    cli(workspace, "merge", "--month", MONTH)
    before = ledger_dump(workspace.ledger_file)
    read = []
    real = isolate.run_with_context
    monkeypatch.setattr(isolate, "run_with_context", lambda task, context, items, **kw: (read.append(len(items)), real(task, context, items, **kw))[1])
    cli(workspace, "merge", "--month", MONTH)
    assert read == [0] and ledger_dump(workspace.ledger_file) == before
    assert len(list((workspace.archive_dir / MONTH).glob("*.zip"))) == 1  # no new run archive: nothing new was stored


def test_a_re_merge_rewrites_only_the_notices_whose_content_changed(returns, tmp_path):
    issued, folders = returns
    workspace = fresh_copy(issued, tmp_path / "工作区")
    shutil.copytree(folders[ON_TIME], workspace.inbox_dir(MONTH) / ON_TIME)
    cli(workspace, "merge", "--month", MONTH)
    folder = workspace.month_reports(MONTH)

    def written() -> dict[str, int]:
        return {p.relative_to(folder).as_posix(): p.stat().st_mtime_ns for p in folder.glob("*/*.*")}
    before = written()
    shutil.copytree(folders[LATE], workspace.inbox_dir(MONTH) / LATE)
    cli(workspace, "merge", "--month", MONTH)
    after = written()
    units = load_master_or_fail(issued).registry.units
    kept = {name for name in before if after.get(name) == before[name]}
    # every early unit's receipt (a copy of one, the same bytes, is no new return); every reminder of a unit still missing
    assert {n for n in kept if n.startswith("回执/")} == {f"回执/回执_{u}_{MONTH}.{s}" for u in units[:16] for s in ("xlsx", "txt")}
    assert {n for n in kept if n.startswith("催报/")} == {f"催报/催报_{u}.{s}" for u in units[20:] for s in ("txt", "eml")}
    assert all(f"回执/回执_{u}_{MONTH}.txt" in after for u in units[:20])  # the late units' receipts are new


def test_files_are_recognised_with_the_cycle_collector_on(returns, tmp_path, monkeypatch):
    """Parsing a saved mail makes a new class per header, a reference cycle: recognising a province's inbox with the
    collector paused (for speed) once left gigabytes behind. Only the month state, which makes no cycles, pauses it."""
    import gc

    from xlsx_tracker.month import merge as merge_module

    issued, folders = returns
    workspace = fresh_copy(issued, tmp_path / "工作区")
    shutil.copytree(folders[ON_TIME], workspace.inbox_dir(MONTH) / ON_TIME)
    cli(workspace, "merge", "--month", MONTH)
    collecting, real = [], merge_module.item_sha256
    monkeypatch.setattr(merge_module, "item_sha256", lambda item: (collecting.append(gc.isenabled()), real(item))[1])
    cli(workspace, "merge", "--month", MONTH)
    assert len(collecting) == 16 and all(collecting)
