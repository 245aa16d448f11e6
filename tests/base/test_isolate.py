"""Worker isolation on plain functions: a crash, a hang, a memory blow-up or an exception costs one item."""

import os
import sys
import time

import pytest

from xlsx_tracker.base.isolate import Failed, run_isolated


def hostile(item):
    if item == "abort":
        os.abort()
    if item == "hang":
        time.sleep(60)
    if item == "memory":
        bytearray(2 * 1024 ** 3)
    if item == "raise":
        raise ValueError("bad value")
    return item.upper()


@pytest.mark.skipif(sys.platform == "win32", reason="os.abort and rlimits are POSIX facts")
def test_each_failure_costs_only_its_item_and_order_is_kept():
    items = ["a", "abort", "b", "hang", "c", "memory", "d", "raise", "e"]
    started = time.monotonic()
    results = list(run_isolated(hostile, items, workers=2, timeout=2, memory_limit=512 * 1024 ** 2))
    assert [item for item, _ in results] == items
    assert dict(results) == {
        "a": "A", "b": "B", "c": "C", "d": "D", "e": "E",
        "abort": Failed("crashed", "signal SIGABRT"),
        "hang": Failed("timeout", "超过 2 秒"),
        "memory": Failed("memory", "MemoryError"),
        "raise": Failed("error", "ValueError: bad value"),
    }
    assert time.monotonic() - started < 20  # the hung worker was killed at its deadline, not waited for


def test_spawned_workers_give_the_same_results(monkeypatch):
    monkeypatch.setenv("XLSX_TRACKER_START_METHOD", "spawn")
    assert list(run_isolated(str.upper, ["x", "y"], workers=2)) == [("x", "X"), ("y", "Y")]


def needs_300_mb(item):
    block = bytearray(300 * 1024 ** 2)
    return f"{item}:{len(block) // 1024 ** 2}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a forked worker inherits its parent's mappings on Linux")
def test_a_worker_forked_from_a_parent_with_a_large_address_space_keeps_its_full_allowance():
    """The local page's server holds hundreds of MB of reserved address space (threads' arenas and stacks); its
    forked workers inherit it. The limit counts from the worker's start, so a return is read there as in a command."""
    import mmap

    reserved = mmap.mmap(-1, 1024 ** 3)  # 1 GB reserved, never touched: address space, not memory
    try:
        results = dict(run_isolated(needs_300_mb, ["a"], workers=1, memory_limit=512 * 1024 ** 2))
        eaten = dict(run_isolated(hostile, ["memory"], workers=1, memory_limit=512 * 1024 ** 2))
    finally:
        reserved.close()
    assert results == {"a": "a:300"}
    assert eaten == {"memory": Failed("memory", "MemoryError")}


def started_at(item):
    """Item 0 is slow; every item notes when it started (a line in the file the item names)."""
    index, log = item
    with open(log, "a", encoding="utf-8") as stream:
        stream.write(f"{index} {time.monotonic()}\n")
    if index == 0:
        time.sleep(1.5)
    return index


def test_a_slow_item_holds_back_only_a_few_results_not_the_whole_batch(tmp_path):
    """Results are handed on in order; while the first item is slow, the others' results wait in the parent (each
    may hold a whole file's bytes), so no more are started than a few per worker."""
    log = tmp_path / "started.txt"
    items = [(index, str(log)) for index in range(40)]
    finished = None
    for (index, _), result in run_isolated(started_at, items, workers=2, timeout=None, memory_limit=None):
        if index == 0:
            finished = time.monotonic()
        assert result == index
    starts = [float(line.split()[1]) for line in log.read_text(encoding="utf-8").splitlines()]
    assert len(starts) == 40 and sum(1 for t in starts if t < finished) <= 2 * 2 + 2
