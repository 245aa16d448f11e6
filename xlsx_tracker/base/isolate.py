"""Run a function over items in worker processes, so that one item that crashes a native reader, hangs or
eats memory costs only that item: the worker is replaced and the batch goes on.

What every item needs (the master, the month, ...) is a context handed to each worker process once, when it
starts: inherited under fork, pickled once per worker under spawn, never sent with each item. The task
receives it as an argument, task(context, item): no module holds a job in a global.
Each worker takes one item at a time over a pipe. The parent watches every worker's pipe and process
sentinel with a deadline per item; a dead worker or a late one becomes a `Failed` result for the item it
held. Workers have an address-space limit where the platform allows it, and end when the parent ends
(parent-death signal on Linux, and end-of-pipe everywhere).
"""

from __future__ import annotations

import faulthandler
import math
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import wait

DEFAULT_TIMEOUT = 120.0  # seconds for one file; a real return takes well under one
DEFAULT_MEMORY_LIMIT = 512 * 1024 * 1024  # address space of one worker, in bytes: several times a real return's need


@dataclass(frozen=True)
class Failed:
    """Why an item has no result: 'crashed', 'timeout', 'memory' or 'error', with a detail for the log."""

    reason: str
    detail: str = ""


def _processes():
    # fork starts a worker in milliseconds and shares the parent's loaded master; spawn elsewhere (Windows).
    # XLSX_TRACKER_START_METHOD=spawn lets the tests run the Windows way on Linux.
    methods = multiprocessing.get_all_start_methods()
    chosen = os.environ.get("XLSX_TRACKER_START_METHOD") or ("fork" if "fork" in methods else "spawn")
    return multiprocessing.get_context(chosen)


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _quiet() -> None:
    """A native reader that aborts prints to the error stream; the item's problem already says it in Chinese."""
    faulthandler.disable()  # a test runner may have enabled it: the crash is expected, and handled by the parent
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
    except OSError:
        pass


def _limit_memory(limit: int | None) -> None:
    """At most limit bytes of address space more than the worker holds at its start. A forked worker starts with its
    parent's mappings: a small command's, or the local page's with its threads' reserved arenas and stacks (often more
    than the limit itself), so the limit counts from there."""
    if not limit:
        return
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the per-item deadline still applies
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    wanted = limit + _address_space()
    resource.setrlimit(resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def _address_space() -> int:
    """This process's address space in bytes now (Linux); 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _worker(conn, parent: int, task, context, memory_limit) -> None:
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    _quiet()
    _limit_memory(memory_limit)
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the parent is gone
            os._exit(0)
        if message is None:
            os._exit(0)
        index, item = message
        try:
            outcome = (index, True, task(context, item))
        except MemoryError:
            outcome = (index, False, Failed("memory", "MemoryError"))
        except Exception as exc:  # one item's failure is data for that item, never the batch's end
            outcome = (index, False, Failed("error", f"{type(exc).__name__}: {exc}"))
        conn.send(outcome)


class _Slot:
    """One worker process and the item it holds."""

    def __init__(self, processes, task, context, memory_limit):
        parent_end, child_end = processes.Pipe()
        self.conn = parent_end
        self.process = processes.Process(target=_worker, args=(child_end, os.getpid(), task, context, memory_limit), daemon=True)
        self.process.start()
        child_end.close()
        self.index: int | None = None
        self.deadline = 0.0

    def give(self, index: int, item, timeout: float | None) -> None:
        self.index, self.deadline = index, math.inf if timeout is None else time.monotonic() + timeout
        self.conn.send((index, item))

    def stop(self, kill: bool = False) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def run_isolated(fn: Callable, items: Iterable, *, workers: int = 1, timeout: float | None = DEFAULT_TIMEOUT,
                 memory_limit: int | None = DEFAULT_MEMORY_LIMIT) -> Iterator[tuple[object, object]]:
    """Yield (item, fn(item) or Failed) for every item, in the order given."""
    return run_with_context(_alone, fn, items, workers=workers, timeout=timeout, memory_limit=memory_limit)


def _alone(fn: Callable, item):
    return fn(item)


def run_with_context(task: Callable, context, items: Iterable, *, workers: int = 1, timeout: float | None = DEFAULT_TIMEOUT,
                     memory_limit: int | None = DEFAULT_MEMORY_LIMIT) -> Iterator[tuple[object, object]]:
    """Yield (item, task(context, item) or Failed) for every item, in the order given.

    The context goes to each worker once, when it starts (a replaced worker gets it again); items go one at a time.
    timeout is per item, in seconds (None: no deadline); memory_limit is each worker's address space (None: no limit).
    """
    items = list(items)
    if not items:
        return
    processes = _processes()
    done: dict[int, object] = {}
    pending = iter(range(len(items)))
    slots: list[_Slot] = []

    ahead = 2 * max(workers, 1)  # results kept waiting for an earlier, slow item: each may hold a whole file's bytes

    def feed(slot: _Slot) -> None:
        index = next(pending, None) if len(done) < ahead else None
        if index is None:
            slot.index = None  # idle: nothing left, or too many results waiting; fed again as they are handed on
        else:
            slot.give(index, items[index], timeout)

    def replace(slot: _Slot, failure: Failed) -> None:
        done[slot.index] = failure
        slot.stop(kill=True)
        fresh = _Slot(processes, task, context, memory_limit)
        slots[slots.index(slot)] = fresh
        feed(fresh)

    try:
        for _ in range(min(workers, len(items))):
            slot = _Slot(processes, task, context, memory_limit)
            slots.append(slot)
            feed(slot)
        next_out = 0
        while next_out < len(items):
            while next_out in done:
                yield items[next_out], done.pop(next_out)
                next_out += 1
            for slot in slots:
                if slot.index is None:
                    feed(slot)
            busy = [s for s in slots if s.index is not None]
            if not busy:
                continue
            first = min(s.deadline for s in busy)
            remaining = None if first == math.inf else max(0.0, first - time.monotonic())
            ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy], timeout=remaining)
            for slot in busy:
                if slot.conn in ready:
                    try:
                        index, ok, value = slot.conn.recv()
                    except (EOFError, OSError):
                        replace(slot, _crash(slot))
                        continue
                    done[index] = value
                    feed(slot)
                elif slot.process.sentinel in ready:
                    replace(slot, _crash(slot))
                elif time.monotonic() >= slot.deadline:
                    replace(slot, Failed("timeout", f"超过 {timeout:g} 秒"))
    finally:
        for slot in slots:
            slot.stop(kill=slot.index is not None)


def _crash(slot: _Slot) -> Failed:
    slot.process.join(1)
    code = slot.process.exitcode
    if code is not None and code < 0:
        try:
            return Failed("crashed", f"signal {signal.Signals(-code).name}")
        except ValueError:
            return Failed("crashed", f"signal {-code}")
    return Failed("crashed", f"exit code {code}")
