"""The page's long steps (split, fetch, merge, saving a review) run one at a time in a background thread.

The page polls the job's progress; a second start while one runs is refused, and so is a start while a command in a
terminal holds the workspace lock (the page never waits behind it: it says so and the clerk tries again later).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..base.model import TrackerError
from ..base.problems import problem_line
from ..base.workspace import Workspace, workspace_busy
from .words import for_page

BUSY = "另一个汇总正在进行"


@dataclass
class Job:
    """One step as the page shows it: what it is, how far it got, and what it said."""

    label: str
    month: str
    page: str = "home"  # the page that started it: where its panel is shown in full
    total: int = 0
    done: int = 0
    current: str = ""
    lines: list[str] = field(default_factory=list)
    links: list[tuple[str, str, dict]] = field(default_factory=list)  # (label, endpoint, its values) of the files written
    error: str = ""
    finished: bool = False
    started: float = field(default_factory=time.monotonic)

    def step(self, name: str = "") -> None:
        self.done += 1
        self.current = name

    def say(self, line: str) -> None:
        self.lines.append(for_page(line))

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done / self.total)) if self.total else 0


class Jobs:
    """The one job of this page at a time; the last one stays to be read until the next starts."""

    def __init__(self, workspace: Workspace):
        self.workspace = workspace
        self.current: Job | None = None
        self._guard = threading.Lock()

    def running(self) -> bool:
        return self.current is not None and not self.current.finished

    def start(self, job: Job, work: Callable[[Job], None], wait: bool = False) -> Job:
        """Run work(job) in the background (or here when wait, for tests); TrackerError if a step already runs."""
        with self._guard:
            self.ensure_free()
            self.current = job
        thread = threading.Thread(target=_run, args=(job, work), daemon=True, name=f"xlsx-tracker {job.label}")
        thread.start()
        if wait:
            thread.join()
        return job


    def ensure_free(self) -> None:
        """Refuse at once (never wait in a request) while this page's step or a command in a terminal holds the workspace."""
        if self.running():
            raise TrackerError(f"{BUSY}(本页面正在“{self.current.label}”),请等它完成后再试。")
        if workspace_busy(self.workspace):
            raise TrackerError(f"{BUSY}:另一个 xlsx-tracker 命令正在使用这个工作区,请等它结束后再试。")


def _run(job: Job, work: Callable[[Job], None]) -> None:
    try:
        work(job)
    except TrackerError as exc:
        job.error = for_page("\n".join([str(exc), *(problem_line(p) for p in exc.problems)]))
    except Exception as exc:  # the page must say that a step failed, never hang on a job that died
        job.error = (f"{job.label}意外中止({type(exc).__name__}:{exc})。已记入的内容不受影响,请再试一次;"
                     "仍不行时,请记下这段文字,联系维护本工具的同志。")
    finally:
        job.finished = True
