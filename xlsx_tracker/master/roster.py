"""roster import: a filled 附件2 feedback form (or any sheet with its columns) into the master's 联络员 sheet.

The form is read as merge reads a return (base.sheetio.read_outside: bounded, in a worker process), so a form
that reaches far or crashes the reader is an error naming it. Each row is checked as master check checks the
roster, and an address that is not exactly one valid address keeps its row out. The master is changed in place:
only the 联络员 sheet's cells of the columns the form gives, in the rows of the units it gives; every other sheet,
column and cell the office added by hand is kept. Text is written so that it stays text (line breaks as line
breaks, a leading = + - @ quote-prefixed).
"""

from __future__ import annotations

from copy import copy
from dataclasses import dataclass, field
from pathlib import Path

from ..base.model import Problem, TrackerError
from ..base.problems import INVALID_EMAIL, ROSTER_MISSING, severity_summary
from ..base.sheetio import atomic_path, cell_text, cell_value_text, header_index, parse_ref, put_text, read_outside
from ..base.workspace import Workspace, workspace_lock
from .tasklist import ROSTER_COLUMNS, ROSTER_SHEET, load_master_or_fail, read_roster
from .units import Registry
from .values import email_problem

HEADER_ROWS = 10  # a form's title and notes come before its header


@dataclass(frozen=True)
class Imported:
    units: list[str]  # units whose liaison the file gave
    changed: list[str]  # of those, the ones whose entry differs from the master's
    problems: list[Problem]
    refused: list[tuple[str, str]] = field(default_factory=list)  # (unit, why) of rows kept out for their address


def import_roster(workspace: Workspace, path: Path) -> Imported:
    """Read every row of the file with the roster's columns, check them as master check does, and write them into
    the master's 联络员 sheet; rows that cannot be placed, or whose address is not one valid address, are reported
    and left out, the rest are imported."""
    return import_roster_sheets(workspace, read_outside(Path(path), "联络员名单"), Path(path).name)


def import_roster_sheets(workspace: Workspace, sheets: dict[str, list[list]], source: str) -> Imported:
    """import_roster on sheets already read (a file's, or the local page's table as one sheet), named source."""
    found = _roster_sheet(sheets)
    if found is None:
        raise TrackerError(f"“{source}”中找不到含“单位”“姓名”列的表。请使用附件2 联络员名单反馈表。")
    name, header = found
    given = [c for c in header_index(sheets[name][header], ROSTER_COLUMNS) if c != "单位"]  # a column it lacks stays
    with workspace_lock(workspace):
        master = load_master_or_fail(workspace)
        entries, problems = read_roster(sheets, source, master.registry, sheet=name, header_row=header,
                                        bad_email="refuse")
        problems = [p for p in problems if p.code != ROSTER_MISSING]
        # a blank cell in the form says nothing: it never erases what the master already holds
        updates = {unit: {c: text for c in given if (text := cell_value_text(entry[c]))} for unit, entry in entries.items()}
        changed = [unit for unit, update in updates.items()
                   if any(master.roster.get(unit, {}).get(c, "") != text for c, text in update.items())]
        if changed:
            write_roster(workspace.master_file, master.registry, {unit: updates[unit] for unit in changed})
    refused = [(p.unit, email_problem(cell_text(_at(sheets[name], p.cell)))) for p in problems if p.code == INVALID_EMAIL]
    return Imported(list(entries), changed, problems, refused)


def imported_lines(imported: Imported) -> list[str]:
    """What an import says, in the command line and the local page alike (its problems are listed before these)."""
    lines = [f"已导入 {len(imported.units)} 个单位的联络员,其中 {len(imported.changed)} 个有变化"
             + (f":{'、'.join(imported.changed)}" if imported.changed else "") + "。"]
    if imported.refused:
        lines.append(f"以下 {len(imported.refused)} 个单位的电子邮箱无效,该行未导入(总任务清单中原有的联络员不变),请改正后重新导入:"
                     + ";".join(f"{unit}(电子邮箱{why})" for unit, why in imported.refused) + "。")
    if imported.problems:
        lines.append(f"另有问题:{severity_summary(imported.problems)},见上。")
    return lines


def _at(rows: list[list], ref: str):
    row, col = parse_ref(ref)
    return rows[row][col] if row < len(rows) and col < len(rows[row]) else None


def _roster_sheet(sheets: dict[str, list[list]]) -> tuple[str, int] | None:
    """(sheet name, header row) of the first sheet whose header names 单位 and 姓名."""
    for name, rows in sheets.items():
        for index, row in enumerate(rows[:HEADER_ROWS]):
            texts = {cell_text(v) for v in row}
            if {"单位", "姓名"} <= texts and texts & set(ROSTER_COLUMNS[2:]):
                return name, index
    return None


def write_roster(path: Path, registry: Registry, updates: dict[str, dict[str, str]]) -> None:
    """Write each unit's cells into the master's 联络员 sheet, in place: the unit's row (found by its name or an
    alias), or a new row below the last; a roster column the sheet lacks is added after its last column. Nothing
    else in the workbook changes."""
    import openpyxl  # here: only roster import writes a workbook in place

    book = openpyxl.load_workbook(path, rich_text=True)  # rich text kept in the cells the office formatted
    if ROSTER_SHEET not in book.sheetnames:
        book.create_sheet(ROSTER_SHEET)
    sheet = book[ROSTER_SHEET]
    columns: dict[str, int] = {}
    for cell in sheet[1]:
        if cell_text(cell.value):
            columns.setdefault(cell_text(cell.value), cell.column)
    free = sheet.max_column + 1 if columns else 1
    for name in (n for n in ROSTER_COLUMNS if n not in columns):
        columns[name], free = free, free + 1
        _styled_like(sheet.cell(1, columns[name]), sheet.cell(1, columns[name] - 1) if columns[name] > 1 else None)
        put_text(sheet.cell(1, columns[name]), name)
    rows: dict[str, int] = {}
    for row in range(2, sheet.max_row + 1):
        unit = registry.canonical(cell_text(sheet.cell(row, columns["单位"]).value))
        if unit:
            rows.setdefault(unit, row)
    last = sheet.max_row
    for unit, entry in updates.items():
        row = rows.get(unit)
        if row is None:
            last += 1
            row = last
            for col in columns.values():
                _styled_like(sheet.cell(row, col), sheet.cell(row - 1, col) if row > 2 else None)
            put_text(sheet.cell(row, columns["单位"]), unit)
        for name, text in entry.items():
            put_text(sheet.cell(row, columns[name]), text)
    with atomic_path(path) as tmp:
        book.save(tmp)


def _styled_like(cell, model) -> None:
    if model is not None and model.has_style:
        cell._style = copy(model._style)
