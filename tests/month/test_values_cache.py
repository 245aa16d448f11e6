"""The decoded contents kept beside the ledger (month.values_cache): the same values, evidence and liaison entries
as the ledger's, whatever state the cache file is in, and written only from what the ledger has committed."""

from __future__ import annotations

import datetime as dt
import hashlib
import marshal
import shutil
from contextlib import closing

import pytest

from xlsx_tracker.base.workspace import Workspace
from xlsx_tracker.month import ledger
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.month.state import load_state
from xlsx_tracker.month.values_cache import FORMAT, ValuesCache

MONTH = "2024-05"
NOW = dt.datetime(2024, 5, 17, 9, 0)


@pytest.fixture(scope="module")
def merged_once(tmp_path_factory, base_workspace, master, calendar, month_of, filled_return):
    """A workspace where three units' returns were merged (and the cache written by that merge)."""
    root = tmp_path_factory.mktemp("values")
    workspace = Workspace(root / "工作区")
    shutil.copytree(base_workspace.root, workspace.root)
    issued = split(month_of(master, calendar, MONTH, workspace), issued_at=dt.datetime(2024, 5, 6, 9, 0))
    for seed, sheet in enumerate(issued[:3]):
        filled_return(sheet, root / "收件", seed=seed)
    merge(month_of(master, calendar, MONTH, workspace), root / "收件", now=NOW)
    return workspace


@pytest.fixture
def workspace(merged_once, tmp_path) -> Workspace:
    copy = Workspace(tmp_path / "副本")
    shutil.copytree(merged_once.root, copy.root)
    return copy


def from_ledger(workspace: Workspace) -> dict:
    with closing(ledger.connect(workspace.ledger_file)) as conn:
        winners = ledger.accepted(conn, MONTH)
        return ledger.contents_by_file(conn, MONTH, winners)


def through_cache(workspace: Workspace, cache: ValuesCache | None = None) -> dict:
    with closing(ledger.connect(workspace.ledger_file)) as conn:
        return (cache or ValuesCache(workspace.cache_dir)).contents(conn, MONTH, ledger.accepted(conn, MONTH))


def test_a_merge_keeps_the_accepted_returns_values_as_the_ledger_holds_them(workspace):
    assert (workspace.cache_dir / f"values-{MONTH}.bin").exists()
    expected = from_ledger(workspace)
    assert len(expected) == 3 and all(given.values and given.evidence and given.liaison for given in expected.values())
    with closing(ledger.connect(workspace.ledger_file)) as conn:  # the values as the one-file reader decodes them
        assert {unit: given.values for unit, given in expected.items()} == \
               {unit: ledger.row_values(conn, sub.sha256, MONTH) for unit, sub in ledger.accepted(conn, MONTH).items()}
    assert through_cache(workspace) == expected
    assert list(through_cache(workspace)) == list(expected)  # units in the same order


@pytest.mark.parametrize("damage", ["garbage", "truncated", "flipped_byte", "other_python", "empty"])
def test_a_damaged_or_foreign_cache_file_is_not_believed_and_is_rebuilt(workspace, damage):
    path = workspace.cache_dir / f"values-{MONTH}.bin"
    data = path.read_bytes()
    damaged = {
        "garbage": b"\x00not a cache" * 10,
        "truncated": data[: len(data) // 2],
        "flipped_byte": data[:-5] + bytes([data[-5] ^ 0xFF]) + data[-4:],
        "other_python": data.replace(FORMAT, FORMAT.replace(b"py", b"px"), 1),
        "empty": b"",
    }[damage]
    path.write_bytes(damaged)
    assert through_cache(workspace) == from_ledger(workspace)
    assert path.read_bytes().startswith(FORMAT) and path.read_bytes() != damaged  # written anew from the ledger


def test_a_cache_file_of_the_right_digest_but_the_wrong_shape_is_not_believed(workspace):
    path = workspace.cache_dir / f"values-{MONTH}.bin"
    for payload in (marshal.dumps({"任一": "abc"}), marshal.dumps({"任一": ([], [], {})}), marshal.dumps(["不是字典"])):
        path.write_bytes(FORMAT + hashlib.sha256(payload).digest() + payload)
        assert through_cache(workspace) == from_ledger(workspace)


def test_a_missing_cache_gives_the_same_month_state(workspace):
    kept = load_state(_run(workspace))
    shutil.rmtree(workspace.cache_dir)
    fresh = load_state(_run(workspace))
    assert [(r.assignment.unit, r.assignment.task_id, r.values, r.status) for r in fresh.rows] == \
           [(r.assignment.unit, r.assignment.task_id, r.values, r.status) for r in kept.rows]
    assert [(u.unit, u.progress, u.rank) for u in fresh.units] == [(u.unit, u.progress, u.rank) for u in kept.units]
    assert (fresh.evidence, fresh.liaisons) == (kept.evidence, kept.liaisons) and fresh.evidence and fresh.liaisons


def test_nothing_is_kept_from_inside_a_transaction(workspace):
    shutil.rmtree(workspace.cache_dir)
    with closing(ledger.connect(workspace.ledger_file)) as conn, ledger.transaction(conn):
        values = ValuesCache(workspace.cache_dir).contents(conn, MONTH, ledger.accepted(conn, MONTH))
    assert values == from_ledger(workspace)
    assert not workspace.cache_dir.exists()  # what a transaction reads may still be rolled back


def test_a_cache_folder_that_cannot_be_written_costs_only_speed(workspace):
    shutil.rmtree(workspace.cache_dir)
    workspace.cache_dir.write_text("不是文件夹", encoding="utf-8")  # mkdir fails as on a read-only share
    assert through_cache(workspace) == from_ledger(workspace)


def _run(workspace: Workspace):
    from xlsx_tracker.month.run import month_run

    return month_run(workspace, MONTH)


def test_the_same_bytes_recorded_anew_in_a_rebuilt_ledger_are_not_served_the_old_values(workspace):
    """A ledger restored from a backup or rebuilt holds the same file recorded by another run (another archive),
    perhaps judged under other settings: its values come from that ledger, not from the cache of the old one."""
    through_cache(workspace)
    with closing(ledger.connect(workspace.ledger_file)) as conn, ledger.transaction(conn):
        unit, sub = next(iter(ledger.accepted(conn, MONTH).items()))
        conn.execute("UPDATE submissions SET archive_path=? WHERE sha256=? AND month=?",
                     (sub.archive_path.replace(".zip", "-重建.zip"), sub.sha256, MONTH))
        conn.execute("UPDATE row_values SET row_values=? WHERE sha256=? AND month=?",
                     ('{"进展状态": "已完成"}', sub.sha256, MONTH))
    contents = through_cache(workspace)
    assert contents == from_ledger(workspace)
    assert {row["进展状态"] for row in contents[unit].values.values()} == {"已完成"}


def test_a_cache_file_held_open_by_another_program_costs_only_speed(workspace, monkeypatch):
    shutil.rmtree(workspace.cache_dir)

    def held_open(source, target):  # Windows: replacing a file another process holds open
        raise PermissionError(13, "另一个程序正在使用此文件")
    monkeypatch.setattr("xlsx_tracker.base.sheetio.os.replace", held_open)
    assert through_cache(workspace) == from_ledger(workspace)
    assert not list(workspace.cache_dir.glob("*"))  # no half-written file left behind
