"""The workspace: one folder that holds the master, the issued sheets, the ledger and reports."""

from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock, Timeout

from .model import TrackerError

MASTER_DIR = "master_template"
MASTER_FILE = "任务清单.xlsx"
SEED_FILE = "seed.txt"
SHEETS_DIR = "department_sheets"
LEDGER_FILE = "ledger.sqlite"
ARCHIVE_DIR = "archive"
REPORTS_DIR = "reports"
INBOX_DIR = "inbox"
CACHE_DIR = ".cache"  # derived data kept to save time (month.values_cache): safe to delete
LOCK_FILE = ".xlsx-tracker.lock"
LOCK_WAIT = 600  # seconds a command waits for another one on the same workspace
TEMP_PREFIX = ".tmp-"  # every atomic write starts as such a file beside its target


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def master_dir(self) -> Path:
        return self.root / MASTER_DIR

    @property
    def master_file(self) -> Path:
        return self.master_dir / MASTER_FILE

    @property
    def seed_file(self) -> Path:
        return self.master_dir / SEED_FILE

    @property
    def ledger_file(self) -> Path:
        return self.root / LEDGER_FILE

    @property
    def archive_dir(self) -> Path:
        return self.root / ARCHIVE_DIR

    @property
    def reports_dir(self) -> Path:
        return self.root / REPORTS_DIR

    @property
    def cache_dir(self) -> Path:
        return self.root / CACHE_DIR

    def sheets_dir(self, month: str) -> Path:
        return self.root / SHEETS_DIR / month

    def inbox_dir(self, month: str) -> Path:
        """Where fetch saves the month's attachments and merge reads by default."""
        return self.root / INBOX_DIR / month

    def month_reports(self, month: str) -> Path:
        """The month's documents: report, 通报, receipts, reminders, problem and file lists."""
        return self.reports_dir / month

    def problem_list(self, month: str) -> Path:
        return self.month_reports(month) / f"校验问题_{month}.csv"

    def file_list(self, month: str) -> Path:
        return self.month_reports(month) / f"文件清单_{month}.csv"

    def archived(self, archive_path: str) -> tuple[Path, str]:
        """(the archive zip, the entry in it) of a file's archive path as the ledger keeps it (see archive_path)."""
        zip_path, _, entry = archive_path.rpartition("/")
        return self.root / zip_path, entry

    @contextmanager
    def open_archived(self, archive_path: str):
        """A returned file's bytes as a stream out of its archive zip (only read), or None when the archive or its
        entry is missing."""
        import zipfile

        zip_path, entry = self.archived(archive_path)
        try:
            archive = zipfile.ZipFile(zip_path)
        except (OSError, zipfile.BadZipFile):
            yield None
            return
        with archive:
            if entry not in archive.namelist():
                yield None
                return
            with archive.open(entry) as source:
                yield source

    def copy_archived(self, archive_path: str, target: Path) -> bool:
        """Copy a returned file out of its archive zip to target (atomically). False when it is missing.
        The 审核材料 and the 工作台账 both take their copies here."""
        from .sheetio import atomic_path  # here: the workspace module is loaded by every command, this by two

        with self.open_archived(archive_path) as source:
            if source is None:
                return False
            with atomic_path(target) as tmp, open(tmp, "wb") as out:
                shutil.copyfileobj(source, out)
        return True

    def require_master(self) -> None:
        if not self.master_file.exists():
            raise TrackerError(
                f"工作区“{self.root.resolve()}”中没有总任务清单 {MASTER_DIR}/{MASTER_FILE}。"
                f"请在工作区目录中运行命令,或用 --workspace 指定工作区,"
                f"或先运行“xlsx-tracker init 目录”新建工作区。"
            )


def archive_path(zip_relative: str, entry: str) -> str:
    """How the ledger names where a returned file is kept: the run's zip (relative to the workspace) and its entry."""
    return f"{zip_relative}/{entry}"


def packaged_master_dir() -> Path:
    """The default master shipped with the package (or the repo's copy when run from source)."""
    here = Path(__file__).resolve().parent.parent
    installed = here / MASTER_DIR  # pyproject maps the repo's master_template/ into the package
    return installed if (installed / MASTER_FILE).exists() else here.parent / MASTER_DIR


def init_workspace(root: Path, force: bool = False) -> Workspace:
    workspace = Workspace(Path(root))
    if workspace.master_dir.exists() and not force:
        raise TrackerError(f"“{workspace.master_dir}”已存在,未做改动。如需用默认总任务清单覆盖,请加 --force。")
    source = packaged_master_dir()
    shutil.copytree(source, workspace.master_dir, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    (workspace.root / SHEETS_DIR).mkdir(parents=True, exist_ok=True)
    return workspace


@contextmanager
def workspace_lock(workspace: Workspace, on_wait=None, wait: float = LOCK_WAIT):
    """Only one command writes a workspace at a time; a second one waits, then refuses in Chinese.

    An operating-system lock, so a killed command never leaves it held. Once held, temporary files
    left by a killed run are removed: nothing else can be writing them.
    """
    workspace.root.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(workspace.root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait:
            on_wait(f"另一个 xlsx-tracker 命令正在使用工作区“{workspace.root}”,等待其结束(最多 {wait:g} 秒)……")
        try:
            lock.acquire(timeout=wait)
        except Timeout:
            raise TrackerError(f"工作区“{workspace.root}”正被另一个 xlsx-tracker 命令使用,已等待 {wait:g} 秒仍未结束,本命令未做任何改动。"
                               "请等该命令结束后再运行。") from None
    try:
        remove_temporaries(workspace)
        yield
    finally:
        lock.release()


def workspace_busy(workspace: Workspace) -> bool:
    """Whether a command (or another page) holds the workspace lock right now; never waits."""
    if not workspace.root.is_dir():
        return False
    lock = FileLock(str(workspace.root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def remove_temporaries(workspace: Workspace) -> list[Path]:
    """Delete the half-written files a killed run left in archive/, reports/, department_sheets/ and .cache/."""
    removed = []
    for folder in (workspace.archive_dir, workspace.reports_dir, workspace.root / SHEETS_DIR, workspace.cache_dir):
        for dirpath, _, names in os.walk(folder):
            for name in names:
                if name.startswith(TEMP_PREFIX):
                    path = Path(dirpath) / name
                    path.unlink(missing_ok=True)
                    removed.append(path)
    return removed
