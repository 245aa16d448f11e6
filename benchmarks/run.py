"""Benchmark: split, merge and report as whole commands against the calamine read floor.

Not a test. Prints medians of several runs, in the same run as the floor they are compared with.

    python benchmarks/run.py --districts 100           # 100 districts × 32 units = 3,200 workbooks
    python benchmarks/run.py --districts 10 --repeats 5
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from xlsx_tracker.base.model import Carried
from xlsx_tracker.base.sheetio import read_workbook
from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.master.settings import STATUSES
from xlsx_tracker.master.tasklist import load_master_or_fail, write_master
from xlsx_tracker.master.units import ALL_UNITS, Registry
from xlsx_tracker.month.run import month_run
from xlsx_tracker.month.split import split

MONTH = "2024-05"
DEFECT_SHARE = 0.05


def run_command(args: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one whole command, interpreter start included."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "xlsx_tracker", *args], cwd=cwd,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"command failed: {' '.join(args)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss // 1024


def scaled_workspace(root: Path, districts: int):
    """A workspace whose registry holds every unit once per district, tasks assigned alike."""
    workspace = init_workspace(root)
    master = load_master_or_fail(workspace)
    if districts > 1:
        names = {u: [f"{d:03d}区{u}" for d in range(1, districts + 1)] for u in master.registry.units}
        registry = Registry(units=[n for d in range(districts) for n in (names[u][d] for u in master.registry.units)])
        tasks = [t if ALL_UNITS in t.units else dataclasses.replace(t, units=tuple(n for u in t.units for n in names[u]))
                 for t in master.tasks]
        write_master(workspace.master_file, master.indicators, tasks, registry)
        master = load_master_or_fail(workspace)
    return workspace, master


def filled_values(master, unit: str, rng: random.Random) -> Carried:
    """What a unit sends back: varied values, and a share of realistic defects."""
    rows = {}
    for assignment in master.assignments_for(unit):
        defect = rng.random() < DEFECT_SHARE
        veto = assignment.task.section == "veto"
        status = "未发生" if veto else rng.choice(STATUSES)
        rows[assignment.task_id] = {
            "进展状态": ("基本完成" if defect else status),
            "本月工作进展": rng.choice(["已完成情况说明初稿。", "正在收集材料。", "=HYPERLINK(\"x\")"]),
            "预计完成时间": "2024年6月30日" if defect else f"2024-0{rng.randint(6, 9)}-15",
            "责任人": "王海", "联系电话": f"139{rng.randint(10000000, 99999999)}",
        }
    evidence = [{"编号": a.task_id, "材料名称": "情况说明", "材料类型": "情况说明",
                 "网址": "见网站" if rng.random() < DEFECT_SHARE else "http://www.example.gov.cn/a.html"}
                for a in master.assignments_for(unit)[:3]]
    return Carried(rows, evidence, {"姓名": "李娜", "职务": "科员", "联系电话": "0471-6218033"})


def make_inbox(workspace, master, inbox: Path) -> list[Path]:
    rng = random.Random(7)
    carried = {unit: filled_values(master, unit, rng) for unit in master.registry.units}
    run = month_run(workspace, MONTH, master=master)
    return [s.path for s in split(run, out_dir=inbox, carried=carried, force=True)]


def read_floor(files: list[Path]) -> float:
    """One core, in this process: python-calamine reading every cell of every file, nothing else."""
    start = time.perf_counter()
    for path in files:
        read_workbook(path)
    return time.perf_counter() - start


PARALLEL_FLOOR = """
import sys
from multiprocessing import Pool
from pathlib import Path
from xlsx_tracker.base.sheetio import read_workbook
def read(path):
    read_workbook(Path(path))
if __name__ == "__main__":
    files = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    with Pool(int(sys.argv[2])) as pool:
        pool.map(read, files, chunksize=16)
"""


def parallel_floor(files: list[Path], workers: int, scratch: Path) -> float:
    """All cores, as a whole command like merge: python-calamine reading every cell in as many processes as merge uses."""
    listing, script = scratch / "files.txt", scratch / "floor.py"
    listing.write_text("\n".join(map(str, files)), encoding="utf-8")
    script.write_text(PARALLEL_FLOOR, encoding="utf-8")
    start = time.perf_counter()
    subprocess.run([sys.executable, str(script), str(listing), str(workers)], check=True)
    return time.perf_counter() - start


def merge_profile(workspace, master, inbox: Path) -> dict[str, float]:
    """Where merge spends its time, in this process: wall time of the whole, of the ledger writes and of the archive."""
    from xlsx_tracker.month import archive as archive_module
    from xlsx_tracker.month import ledger
    from xlsx_tracker.month import merge as merge_module
    from xlsx_tracker.month.run import month_run

    spent = {"ledger": 0.0, "archive": 0.0, "state and files": 0.0}

    def timed(key, fn):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[key] += time.perf_counter() - start
        return wrapper

    originals = (ledger.record, archive_module.RunArchive.add, merge_module.load_state)
    ledger.record = timed("ledger", ledger.record)
    archive_module.RunArchive.add = timed("archive", archive_module.RunArchive.add)
    merge_module.load_state = timed("state and files", merge_module.load_state)
    try:
        reset(workspace)
        run = month_run(workspace, MONTH, master=master)
        start = time.perf_counter()
        merge_module.merge(run, inbox)
        spent["total"] = time.perf_counter() - start
    finally:
        ledger.record, archive_module.RunArchive.add, merge_module.load_state = originals
    spent["reading and checking (workers) and the rest"] = spent["total"] - spent["ledger"] - spent["archive"] - spent["state and files"]
    return spent


ISSUED_LEDGER = "ledger.issued.sqlite"  # the ledger as split left it: what every merge of a repeat starts from
LATE = 32  # the late returns of a re-merge: one district's units (a tenth of the returns when there are fewer)


def reset(workspace) -> None:
    """The workspace as split left it: its issued snapshots, nothing merged, no archive, no reports, no cache."""
    for name in ("ledger.sqlite", "ledger.sqlite-journal", "ledger.sqlite-wal", "ledger.sqlite-shm"):
        (workspace.root / name).unlink(missing_ok=True)
    if (workspace.root / ISSUED_LEDGER).exists():
        shutil.copy(workspace.root / ISSUED_LEDGER, workspace.root / "ledger.sqlite")
    shutil.rmtree(workspace.archive_dir, ignore_errors=True)
    shutil.rmtree(workspace.reports_dir, ignore_errors=True)
    shutil.rmtree(workspace.cache_dir, ignore_errors=True)  # a full merge starts with no decoded values kept


def linked_inbox(files: list[Path], folder: Path) -> Path:
    """The same files in another folder, hard-linked: a batch of the inbox without copying its bytes."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in files:
        os.link(path, folder / path.name)
    return folder


def measure(districts: int, repeats: int, scratch: Path) -> dict:
    root = scratch / f"d{districts}"
    workspace, master = scaled_workspace(root, districts)
    inbox = workspace.root / "inbox"
    files = make_inbox(workspace, master, inbox)
    batches = workspace.root / "batches"
    ws = ["-w", str(workspace.root)]
    runs: dict[str, list[tuple[float, int]]] = {k: [] for k in ("split", "merge", "remerge", "documents", "report")}
    floors, parallel = [], []
    workers = min(os.cpu_count() or 1, 8) if len(files) >= 64 else 1  # as merge chooses
    for _ in range(repeats):
        shutil.rmtree(workspace.sheets_dir(MONTH), ignore_errors=True)
        (workspace.root / ISSUED_LEDGER).unlink(missing_ok=True)
        reset(workspace)  # before split: split records what it issued in the ledger, and merge judges by it
        runs["split"].append(run_command([*ws, "split", "--month", MONTH], workspace.root))
        shutil.copy(workspace.ledger_file, workspace.root / ISSUED_LEDGER)
        floors.append(read_floor(files))
        parallel.append(parallel_floor(files, workers, root))
        runs["merge"].append(run_command([*ws, "merge", "--month", MONTH, "--no-report", str(inbox)], workspace.root))
        reset(workspace)  # the office's way: all but one district's returns merged, then the late ones arrive
        late = min(LATE, max(1, len(files) // 10))
        steps = linked_inbox(files[:-late], batches)
        run_command([*ws, "merge", "--month", MONTH, "--no-report", str(steps)], workspace.root)
        for path in files[-late:]:
            os.link(path, steps / path.name)
        runs["remerge"].append(run_command([*ws, "merge", "--month", MONTH, "--no-report", str(steps)], workspace.root))
        reset(workspace)
        runs["documents"].append(run_command([*ws, "merge", "--month", MONTH, str(inbox)], workspace.root))
        runs["report"].append(run_command([*ws, "report", "--month", MONTH], workspace.root))
    median = statistics.median
    times = {k: median(r[0] for r in v) for k, v in runs.items()}
    return {
        "workbooks": len(files), **times, "floor": median(floors), "parallel": median(parallel), "workers": workers,
        "rss": {k: max(r[1] for r in v) for k, v in runs.items()},
        "profile": merge_profile(workspace, master, inbox),
    }


TARGETS = [  # (what, ratio of the measured values, target) as issue 28 sets them
    ("re-merge(迟报)/ 完整 merge", lambda r: r["remerge"] / r["merge"], 0.15),
    ("merge(不生成文件)/ 多核下限", lambda r: r["merge"] / r["parallel"], 2.5),
    ("merge(生成全部文件)/ 多核下限", lambda r: r["documents"] / r["parallel"], 8.0),
]
MEMORY_TARGET = 200  # MiB, for each command


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--districts", type=int, default=100, help="largest workload, in districts of 32 units")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--steps", default="1,10,50", help="smaller workloads measured first, for linearity")
    parser.add_argument("--dir", type=Path, default=Path(__file__).resolve().parent / ".work",
                        help="scratch folder (deleted afterwards); put it on the disk the office would use")
    args = parser.parse_args()
    sizes = sorted({int(s) for s in args.steps.split(",") if s} | {args.districts})
    print(f"{'工作簿':>6} {'split':>8} {'merge':>8} {'re-merge':>8} {'merge+文件':>9} {'report':>8} {'单核下限':>8} {'多核下限':>8}"
          "  峰值内存 MiB split/merge/re-merge/merge+文件/report")
    args.dir.mkdir(parents=True, exist_ok=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="xlsx-tracker-bench-", dir=args.dir) as tmp:
        for districts in sizes:
            r = measure(districts, args.repeats, Path(tmp))
            results.append(r)
            rss = "/".join(str(r["rss"][k]) for k in ("split", "merge", "remerge", "documents", "report"))
            print(f"{r['workbooks']:>6} {r['split']:>7.2f}s {r['merge']:>7.2f}s {r['remerge']:>7.2f}s {r['documents']:>8.2f}s "
                  f"{r['report']:>7.2f}s {r['floor']:>7.2f}s {r['parallel']:>7.2f}s  {rss}", flush=True)
    print(f"中位数,每项 {args.repeats} 次,均为整条命令(含 Python 启动)。merge 与 re-merge 不生成文件(--no-report);re-merge = 其余单位"
          f"已汇总入账后,再收到 {LATE} 份迟报(工作簿不足 320 个时为十分之一)时的 merge;merge+文件 = 生成调度报告、通报、全部回执和催报通知的完整 merge。"
          "单核下限 = 本进程内 python-calamine 逐个读取同一批文件全部单元格;多核下限 = 用与 merge 相同的进程数、作为一条独立命令读取同一批文件全部单元格。")
    print("目标(问题 28):")
    for r in results:
        checks = [f"{label} {ratio(r):.2f}(目标 ≤ {target:g}{',达到' if ratio(r) <= target else ',未达到'})" for label, ratio, target in TARGETS]
        peak = max(r["rss"].values())
        checks.append(f"峰值内存 {peak} MiB(目标 ≤ {MEMORY_TARGET}{',达到' if peak <= MEMORY_TARGET else ',未达到'})")
        print(f"  {r['workbooks']:>5} 个工作簿:" + ";".join(checks))
    workbooks, profile = results[-1]["workbooks"], results[-1]["profile"]
    print(f"merge 的时间构成({workbooks} 个工作簿,本进程内计时):" + ",".join(f"{k} {v:.2f}s" for k, v in profile.items()))


if __name__ == "__main__":
    main()
