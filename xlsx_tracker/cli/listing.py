"""Render lists of records (assignments, deadlines) as a table, CSV or JSON text."""

from __future__ import annotations

import csv
import io
import json

from ..base.sheetio import display_width
from ..master.deadlines import task_deadline
from ..master.tasklist import Master


def assignment_records(master: Master) -> list[dict]:
    return [
        {
            "id": a.task_id,
            "indicators": list(a.task.indicators),
            "section": a.task.section,
            "level1": a.task.level1,
            "level2": a.task.level2,
            "part": a.task.part,
            "department": a.unit,
            "report_titles": list(a.task.report_titles),
            "notes": a.task.notes,
            "seed_line": a.task.source_line,
            "role": "配合" if a.unit in a.task.cooperating else "承办",
            "deadline": task_deadline(a.task).as_json(),
        }
        for a in master.assignments()
    ]


def render(records: list[dict], fmt: str, columns: dict[str, str]) -> str:
    """columns maps record keys to the Chinese headings of the table and CSV forms."""
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    rows = [[_plain(r[k]) for k in columns] for r in records]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns.values())
        writer.writerows(rows)
        return buffer.getvalue().rstrip("\n")
    return _table([list(columns.values()), *rows])


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(map(str, value))
    if isinstance(value, bool):
        return "是" if value else ""
    return str(value)


def _table(rows: list[list[str]]) -> str:
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [cell + " " * (width - display_width(cell)) for cell, width in zip(row, widths)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)
