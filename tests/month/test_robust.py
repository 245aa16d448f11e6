"""A merge killed at any moment, two merges at once, a report open in Excel: nothing is lost."""

import dataclasses
import datetime as dt
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from filelock import FileLock

from xlsx_tracker.base.model import Carried
from xlsx_tracker.base.workspace import LOCK_FILE, Workspace, init_workspace
from xlsx_tracker.cli import main
from xlsx_tracker.master.tasklist import load_master_or_fail, write_master
from xlsx_tracker.master.units import ALL_UNITS, Registry
from xlsx_tracker.month import ledger
from xlsx_tracker.month.split import split

MONTH = "2024-05"
DISTRICTS = 7  # 7 x 32 = 224 returned workbooks


def scaled(root: Path, districts: int) -> Workspace:
    """A workspace whose registry holds every unit once per district, tasks assigned alike."""
    workspace = init_workspace(root)
    master = load_master_or_fail(workspace)
    names = {u: [f"{d:02d}区{u}" for d in range(1, districts + 1)] for u in master.registry.units}
    registry = Registry(units=[names[u][d] for d in range(districts) for u in master.registry.units])
    tasks = [t if ALL_UNITS in t.units else dataclasses.replace(t, units=tuple(n for u in t.units for n in names[u]))
             for t in master.tasks]
    write_master(workspace.master_file, master.indicators, tasks, registry)
    return workspace


def carried(master, rng) -> dict[str, Carried]:
    """Plausible filled values for every unit, so that split's workbooks are returns as filled."""
    statuses = ["未启动", "推进中", "已完成", "完成", "进行中"]
    return {unit: Carried({a.task_id: {"进展状态": "未发生" if a.task.section == "veto" else rng.choice(statuses),
                                        "本月工作进展": f"{a.task_id} 进展", "联系电话": "0471-6218033"}
                           for a in master.assignments_for(unit)}, [], {"姓名": "王海", "职务": "科员", "联系电话": "6218033"})
            for unit in master.registry.units}


@pytest.fixture(scope="module")
def big_month(tmp_path_factory, calendar, month_of):
    root = tmp_path_factory.mktemp("robust")
    source = scaled(root / "source", DISTRICTS)
    master = load_master_or_fail(source)
    inbox = root / "收件箱"
    split(month_of(master, calendar, MONTH, source), out_dir=inbox, carried=carried(master, random.Random(5)),
          issued_at=dt.datetime(2024, 5, 6, 9))
    return root, source, inbox


def fresh_copy(root: Path, source: Workspace, name: str) -> Workspace:
    """A workspace with source's master and what source issued, nothing merged."""
    workspace = Workspace(root / name)
    (workspace.root / "master_template").mkdir(parents=True)
    for path in source.master_dir.iterdir():
        if path.is_file():
            (workspace.master_dir / path.name).write_bytes(path.read_bytes())
    shutil.copy(source.ledger_file, workspace.ledger_file)  # holds only the issue snapshots
    return workspace


def merge_command(workspace: Workspace, inbox: Path) -> list[str]:
    return [sys.executable, "-m", "xlsx_tracker", "-w", str(workspace.root), "merge", "--month", MONTH, "--no-report", str(inbox)]


def processes_with(text: str) -> list[int]:
    """Process ids whose command line holds text: the merge and any of its worker processes."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def archives_complete(workspace: Workspace) -> bool:
    conn = ledger.connect(workspace.ledger_file)
    try:
        paths = [s.archive_path for s in ledger.submissions(conn, MONTH) if s.archive_path]
    finally:
        conn.close()
    for path in paths:
        zip_path, _, entry = path.rpartition("/")
        with zipfile.ZipFile(workspace.root / zip_path) as archive:
            if entry not in archive.namelist():
                return False
    return True


def _recorded(workspace: Workspace) -> int:
    if not workspace.ledger_file.exists():
        return 0
    return sqlite3.connect(workspace.ledger_file).execute("SELECT COUNT(*) FROM submissions").fetchone()[0]


def temporaries(workspace: Workspace) -> list[Path]:
    return [p for p in workspace.root.rglob(".tmp-*")]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kill -9 and /proc are Linux facts")
def test_kill_9_at_random_moments(big_month, ledger_dump, wait_until):
    """Five rounds, each killing a fresh merge at a moment spread over its run, then running it again."""
    root, source, inbox = big_month
    reference = fresh_copy(root, source, "uninterrupted")
    started = time.perf_counter()
    subprocess.run(merge_command(reference, inbox), check=True, capture_output=True, timeout=600)
    full = time.perf_counter() - started
    expected = ledger_dump(reference.ledger_file, received=False)
    rng = random.Random(11)
    rounds = 5
    for number in range(rounds):
        workspace = fresh_copy(root, source, f"killed {number}")
        moment = full * (number + rng.random()) / rounds  # one moment in each fifth of the run
        process = subprocess.Popen(merge_command(workspace, inbox), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(moment)
        process.send_signal(signal.SIGKILL)
        process.wait()
        # the workers get their parent-death signal: gone at once, or within a deadline on a busy machine
        assert wait_until(lambda: processes_with(str(inbox)) == [], timeout=10), f"round {number}: worker processes survived the kill"
        if workspace.ledger_file.exists():
            check = sqlite3.connect(workspace.ledger_file).execute("PRAGMA integrity_check").fetchone()[0]
            assert check == "ok", f"round {number}"
            assert archives_complete(workspace), f"round {number}"
        print(f"round {number}: killed at {moment:.2f} s of {full:.2f} s; {_recorded(workspace)} files recorded, "
              f"{len(temporaries(workspace))} temporary files left")
        subprocess.run(merge_command(workspace, inbox), check=True, capture_output=True, timeout=600)
        assert temporaries(workspace) == [], f"round {number}"
        assert ledger_dump(workspace.ledger_file, received=False) == expected, f"round {number}"
        assert archives_complete(workspace)


def test_two_merges_at_once_wait_for_each_other(big_month):
    root, source, inbox = big_month
    workspace = fresh_copy(root, source, "concurrent")
    files = sorted(inbox.iterdir())
    halves = [root / "first half", root / "second half"]
    for half, part in zip(halves, (files[::2], files[1::2])):
        half.mkdir(exist_ok=True)
        for path in part:
            (half / path.name).write_bytes(path.read_bytes())
    # Hold the workspace as a running command would, start both merges, and let go once both are waiting:
    # they then run one after the other, whatever the machine's speed.
    held = FileLock(str(workspace.root / LOCK_FILE))
    held.acquire()
    merges = [subprocess.Popen(merge_command(workspace, half), stdout=subprocess.PIPE, stderr=subprocess.PIPE) for half in halves]
    waiting = [m.stderr.readline().decode() for m in merges]
    held.release()
    outputs = [m.communicate(timeout=600) for m in merges]
    assert [m.returncode for m in merges] == [0, 0], outputs
    for line in waiting:
        assert line.startswith(f"另一个 xlsx-tracker 命令正在使用工作区“{workspace.root}”,等待其结束(最多 600 秒)……")
    conn = ledger.connect(workspace.ledger_file)
    try:
        recorded = {s.file_name for s in ledger.submissions(conn, MONTH)}
    finally:
        conn.close()
    assert recorded == {p.name for p in files}
    assert len(list((workspace.archive_dir / MONTH).iterdir())) == 2  # one archive per run, neither overwritten
    assert archives_complete(workspace)


def test_a_report_open_in_excel_gets_a_chinese_message_and_the_ledger_is_kept(workspace, tmp_path, monkeypatch):
    runner = CliRunner()
    assert runner.invoke(main, ["-w", str(workspace.root), "split", "--month", MONTH]).exit_code == 0
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    issued = workspace.sheets_dir(MONTH) / "司法局_2024-05.xlsx"
    (inbox / issued.name).write_bytes(issued.read_bytes())
    real_replace = os.replace

    def locked_by_excel(source, target):
        if str(target).endswith(".csv"):
            raise PermissionError(13, "The process cannot access the file because it is being used by another process")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", locked_by_excel)
    result = runner.invoke(main, ["-w", str(workspace.root), "merge", "--month", MONTH, str(inbox)], catch_exceptions=False)
    csv_path = workspace.reports_dir / MONTH / f"校验问题_{MONTH}.csv"
    assert result.exit_code == 1
    assert result.output.strip().endswith(
        f"错误:无法写入“{csv_path}”:该文件可能正在 Excel 或 WPS 中打开。请关闭该文件后重新运行本命令(台账已保存,不受影响)。")
    conn = ledger.connect(workspace.ledger_file)
    try:
        assert [s.unit for s in ledger.submissions(conn, MONTH)] == ["司法局"]
    finally:
        conn.close()
    assert [p.name for p in (workspace.reports_dir / MONTH).iterdir()] == []  # no half-written file left


def test_leftover_temporary_files_are_removed_by_the_next_command(workspace):
    runner = CliRunner()
    leftovers = [workspace.archive_dir / MONTH / ".tmp-20240521-090000-deadbeef.zip",
                 workspace.reports_dir / MONTH / ".tmp-abc123.xlsx",
                 workspace.root / "department_sheets" / MONTH / ".tmp-xyz.xlsx"]
    for path in leftovers:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    result = runner.invoke(main, ["-w", str(workspace.root), "split", "--month", MONTH, "--unit", "司法局"])
    assert result.exit_code == 0, result.output
    assert [p for p in leftovers if p.exists()] == []
