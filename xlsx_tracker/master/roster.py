"""roster import: a filled 附件2 feedback form (or any sheet with its columns) into the master's 联络员 sheet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..base.model import Problem, TrackerError
from ..base.problems import ROSTER_MISSING
from ..base.sheetio import cell_text, read_workbook
from ..base.workspace import Workspace, workspace_lock
from .tasklist import ROSTER_COLUMNS, load_master_or_fail, read_roster, write_master

HEADER_ROWS = 10  # a form's title and notes come before its header


@dataclass(frozen=True)
class Imported:
    units: list[str]  # units whose liaison the file gave
    changed: list[str]  # of those, the ones whose entry differs from the master's
    problems: list[Problem]


def import_roster(workspace: Workspace, path: Path) -> Imported:
    """Read every row of the file with the roster's columns, check them as master check does, and write them into
    the master; rows that cannot be placed are reported, the rest are imported."""
    try:
        sheets = read_workbook(path)
    except Exception as exc:  # calamine raises many types for a file that is not a workbook
        raise TrackerError(f"无法读取“{path}”:{type(exc).__name__}。请确认这是 Excel/WPS 表格(.xlsx/.xls/.ods)。") from exc
    found = _roster_sheet(sheets)
    if found is None:
        raise TrackerError(f"“{Path(path).name}”中找不到含“单位”“姓名”列的表。请使用附件2 联络员名单反馈表。")
    name, header = found
    with workspace_lock(workspace):
        master = load_master_or_fail(workspace)
        entries, problems = read_roster(sheets, Path(path).name, master.registry, sheet=name, header_row=header)
        problems = [p for p in problems if p.code != ROSTER_MISSING]
        changed = [u for u, e in entries.items() if master.roster.get(u) != e]
        write_master(workspace.master_file, master.indicators, master.tasks, master.registry, {**master.roster, **entries},
                     master.settings.district)
    return Imported(list(entries), changed, problems)


def _roster_sheet(sheets: dict[str, list[list]]) -> tuple[str, int] | None:
    """(sheet name, header row) of the first sheet whose header names 单位 and 姓名."""
    for name, rows in sheets.items():
        for index, row in enumerate(rows[:HEADER_ROWS]):
            texts = {cell_text(v) for v in row}
            if {"单位", "姓名"} <= texts and texts & set(ROSTER_COLUMNS[2:]):
                return name, index
    return None
