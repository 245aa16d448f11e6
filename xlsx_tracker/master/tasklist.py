"""The master task list workbook: build it from the seed, read it back (with problems)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path

from ..base.model import SECTION_BY_LABEL, SECTION_LABELS, Assignment, Indicator, Problem, Task, TrackerError
from ..base.problems import (
    BAD_INDICATOR,
    BAD_SETTINGS,
    BAD_VALUE,
    DUPLICATE_ID,
    DUPLICATE_UNIT,
    EMPTY_CELL,
    INVALID_EMAIL,
    MISSING_HEADER,
    MISSING_SHEET,
    ROSTER_BAD_EMAIL,
    ROSTER_BAD_PHONE,
    ROSTER_DUPLICATE,
    ROSTER_MISSING,
    ROSTER_UNKNOWN_UNIT,
    UNCOVERED_INDICATOR,
    UNKNOWN_INDICATOR,
    problem,
)
from ..base.sheetio import atomic_path, cell_ref, cell_text, cell_value_text, header_index, is_formula_like, read_workbook
from ..base.workspace import Workspace, packaged_master_dir, workspace_lock
from .seed import SeedTable, indicator_text, parse_seed_file, unknown_unit_problem
from .settings import SETTINGS_FILE, Settings, load_settings
from .units import ALL_UNITS, Registry, clean_name
from .values import email_problem, normalize_phone, parse_email

TASK_SHEET = "任务分工"
INDICATOR_SHEET = "指标"
UNIT_SHEET = "单位名录"
ROSTER_SHEET = "联络员"
ROSTER_COLUMNS = ["单位", "姓名", "职务", "联系电话", "电子邮箱"]
README_SHEET = "说明"

TASK_COLUMNS = ["编号", "板块", "指标序号", "申报材料要求", "本项承担事项", "情况说明题目",
                "牵头单位(原文)", "责任单位", "备注", "种子行号", "配合单位", "完成时限", "完成日期"]
INDICATOR_COLUMNS = ["板块", "序号", "一级指标", "二级指标", "三级指标", "种子行号"]
UNIT_COLUMNS = ["单位名称", "别名", "说明"]
REQUIRED_TASK = ["编号", "板块", "指标序号", "责任单位"]
REQUIRED_INDICATOR = ["板块", "序号", "三级指标"]
LIST_SEP = re.compile(r"[、,，;；\s]+")

README_LINES = [
    "总任务清单(附件3)——全部命令都以本工作簿为准。",
    "“任务分工”:每行是一个报送事项(合并报送的指标组,或其中的“序号N”分项)。",
    "    改派任务:修改“责任单位”列,多个单位用“、”分隔;写“各部门”表示全部单位。",
    "    编号格式:报送组编号,分项用“/”连接,如 4/2、34-46/3-4;请勿重复。",
    "“指标”:全部指标及附加项的原文,“指标序号”列引用这里的序号。",
    "“单位名录”:全部责任单位。新增单位请加一行;同一单位的其他写法填入“别名”(用“、”分隔)。",
    "“联络员”:各单位联络员(附件2),催报通知和回执发给这里的联系人。可直接填写,或运行 xlsx-tracker roster import 文件 导入。",
    "修改后直接保存(xlsx 格式)。运行 xlsx-tracker tasks 可检查修改是否有误。",
    "从种子文件重新生成本表:xlsx-tracker master build(会覆盖手工修改)。",
]


@dataclass
class Master:
    indicators: list[Indicator]
    tasks: list[Task]
    registry: Registry
    settings: Settings
    version: str
    problems: list[Problem]
    roster: dict[str, dict[str, str]] = field(default_factory=dict)  # unit -> 姓名/职务/联系电话/电子邮箱

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def assignments(self) -> list[Assignment]:
        return self._assignments

    @cached_property
    def _assignments(self) -> list[Assignment]:
        return [Assignment(task, unit) for task in self.tasks for unit in self.units_of(task)]

    @cached_property
    def _by_unit(self) -> dict[str, list[Assignment]]:
        grouped: dict[str, list[Assignment]] = {}
        for assignment in self._assignments:
            grouped.setdefault(assignment.unit, []).append(assignment)
        return grouped

    @cached_property
    def is_checklist(self) -> bool:
        """The plan's own indicator checklist (veto and bonus items beside the main ones), not an imported task list."""
        return any(t.section != "main" for t in self.tasks)

    def units_of(self, task: Task) -> list[str]:
        if ALL_UNITS in task.units:
            return list(self.registry.units)
        return list(task.units)

    def assignments_for(self, unit: str) -> list[Assignment]:
        return list(self._by_unit.get(unit, []))

    def indexed(self) -> Master:
        """With its per-unit assignments built now, before merge's workers fork and share them (each built all 48,100)."""
        self._by_unit  # noqa: B018 (a cached property, computed for its effect)
        return self


# ---------------------------------------------------------------- building

def build_master(workspace: Workspace, seed_path: Path | None = None) -> SeedTable:
    """Regenerate master_template/ from the seed text. Unknown unit names stop it."""
    with workspace_lock(workspace):
        return _build_master(workspace, Path(seed_path or workspace.seed_file))


def _build_master(workspace: Workspace, seed_path: Path) -> SeedTable:
    registry = _registry_for_build(workspace)
    table = parse_seed_file(seed_path, registry)
    if table.problems:
        raise TrackerError("种子文件解析出错,总任务清单未生成:", table.problems)
    workspace.master_dir.mkdir(parents=True, exist_ok=True)
    if seed_path.resolve() != workspace.seed_file.resolve():
        workspace.seed_file.write_bytes(seed_path.read_bytes())
    settings_path = workspace.master_dir / SETTINGS_FILE
    if not settings_path.exists():
        # the embedded default's settings, commented: the office changes its own facts there
        settings_path.write_bytes((packaged_master_dir() / SETTINGS_FILE).read_bytes())
    roster = roster_for_build(workspace, registry)
    district = load_settings(workspace.master_dir)[0].district
    write_master(workspace.master_file, table.indicators, table.tasks, registry, roster, district)
    return table


def _registry_for_build(workspace: Workspace) -> Registry:
    """Keep the staff's edited unit table when regenerating; else use the default."""
    if workspace.master_file.exists():
        registry, problems = _read_registry(read_workbook(workspace.master_file), str(workspace.master_file))
        if registry.units and not problems:
            return registry
    return Registry.default()


MASTER_TITLE = "法治政府建设示范创建任务清单(总表)"


def write_master(path: Path, indicators: list[Indicator], tasks: list[Task], registry: Registry,
                 roster: dict[str, dict[str, str]] | None = None, district: str = "", title: str = "") -> None:
    import xlsxwriter  # here, not at the top: merge's worker processes load this module and never write

    with atomic_path(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        formats = _master_formats(book)
        _write_readme(book, formats, title or district + MASTER_TITLE)
        _write_table(book, formats, TASK_SHEET, TASK_COLUMNS, [_task_row(t) for t in tasks],
                     [10, 7, 14, 60, 50, 30, 40, 40, 24, 8, 30, 20, 12])
        _write_table(book, formats, INDICATOR_SHEET, INDICATOR_COLUMNS,
                     [_indicator_row(i) for i in indicators], [8, 6, 24, 26, 70, 8])
        _write_table(book, formats, UNIT_SHEET, UNIT_COLUMNS, _unit_rows(registry), [24, 36, 30])
        _write_table(book, formats, ROSTER_SHEET, ROSTER_COLUMNS,
                     [[u, *((roster or {}).get(u, {}).get(c, "") for c in ROSTER_COLUMNS[1:])] for u in registry.units],
                     [24, 12, 20, 18, 30])
        book.close()


def _master_formats(book) -> dict:
    return {
        "header": book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                   "text_wrap": True, "valign": "vcenter", "align": "center"}),
        "cell": book.add_format({"text_wrap": True, "valign": "top", "border": 1}),
        "quoted": book.add_format({"text_wrap": True, "valign": "top", "border": 1, "quote_prefix": True}),
        "title": book.add_format({"bold": True, "font_size": 14}),
        "text": book.add_format({"text_wrap": False}),
    }


def _write_readme(book, formats, title: str) -> None:
    sheet = book.add_worksheet(README_SHEET)
    sheet.set_column(0, 0, 100)
    sheet.write(0, 0, title, formats["title"])
    for row, line in enumerate(README_LINES, start=2):
        sheet.write_string(row, 0, line, formats["text"])


def _write_table(book, formats, name, columns, rows, widths) -> None:
    sheet = book.add_worksheet(name)
    for col, (title, width) in enumerate(zip(columns, widths)):
        sheet.set_column(col, col, width, formats["cell"])
        sheet.write_string(0, col, title, formats["header"])
    for row, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if isinstance(value, int):
                sheet.write_number(row, col, value, formats["cell"])
            else:  # line breaks kept as such; text that starts like a formula stays text
                text = cell_value_text(value)
                sheet.write_string(row, col, text, formats["quoted" if is_formula_like(text) else "cell"])
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def _task_row(task: Task) -> list:
    return [task.task_id, SECTION_LABELS[task.section], "、".join(map(str, task.indicators)),
            task.materials, task.part_text, "\n".join(task.report_titles), task.lead_text,
            "、".join(task.units), task.notes, task.source_line, "、".join(task.cooperating), task.deadline, task.due]


def _indicator_row(indicator: Indicator) -> list:
    return [SECTION_LABELS[indicator.section], indicator.number, indicator.level1,
            indicator.level2, indicator.text, indicator.source_line]


def _unit_rows(registry: Registry) -> list[list[str]]:
    by_unit: dict[str, list[str]] = {u: [] for u in registry.units}
    for alias, unit in registry.aliases.items():
        by_unit[unit].append(alias)
    return [[u, "、".join(by_unit[u]), registry.remarks.get(u, "")] for u in registry.units]


# ---------------------------------------------------------------- reading

def load_master(workspace: Workspace) -> Master:
    workspace.require_master()
    path = workspace.master_file
    where = f"{workspace.master_dir.name}/{path.name}"
    settings, problems = load_settings(workspace.master_dir)
    try:
        sheets = read_workbook(path)
    except Exception as exc:  # calamine raises several types for broken files
        raise TrackerError(f"无法读取总任务清单 {path}:{exc}。请用 Excel 打开检查,或运行 xlsx-tracker master build 重新生成。") from exc
    registry, unit_problems = _read_registry(sheets, where)
    indicators, indicator_problems = _read_indicators(sheets, where)
    tasks, task_problems = _read_tasks(sheets, where, registry, indicators)
    problems += unit_problems + indicator_problems + task_problems
    problems += _uncovered_indicators(indicators, tasks, where)
    roster, roster_problems = read_roster(sheets, where, registry)
    return Master(indicators, tasks, registry, settings, _version(tasks, registry), problems + roster_problems, roster)


def load_master_or_fail(workspace: Workspace) -> Master:
    master = load_master(workspace)
    if master.errors:
        raise TrackerError(f"{_which_files(master.errors)}有错误,请改正后再运行:", master.problems)
    return master


def _which_files(errors: list[Problem]) -> str:
    settings = any(p.code == BAD_SETTINGS for p in errors)
    tasks = any(p.code != BAD_SETTINGS for p in errors)
    return "设置文件 master_template/settings.toml " if settings and not tasks else (
        "总任务清单和设置文件" if settings else "总任务清单")


def _sheet_rows(sheets, name, columns, required, where, header_row: int = 0) -> tuple[list[tuple[int, dict]], dict, list[Problem]]:
    """Rows of a sheet below its header as dicts keyed by header, its header columns, and the problems of its shape."""
    if name not in sheets:
        return [], {}, [problem(MISSING_SHEET, file=where, sheet=name)]
    rows = sheets[name]
    header = header_index(rows[header_row] if len(rows) > header_row else [], columns)
    missing = [c for c in required if c not in header]
    if missing:
        line = f"{header_row + 1}:{header_row + 1}"
        return [], header, [problem(MISSING_HEADER, file=where, sheet=name, cell=line, columns="、".join(missing))]
    records = []
    for index, row in enumerate(rows[header_row + 1:], start=header_row + 1):
        record = {c: cell_text(row[i]) if i < len(row) else "" for c, i in header.items()}
        if any(record.values()):
            records.append((index, record))
    return records, header, []


def _read_registry(sheets, where) -> tuple[Registry, list[Problem]]:
    records, _, problems = _sheet_rows(sheets, UNIT_SHEET, UNIT_COLUMNS, ["单位名称"], where)
    registry = Registry(units=[])
    seen: dict[str, str] = {}
    for index, record in records:
        name = clean_name(record["单位名称"])
        at = {"file": where, "sheet": UNIT_SHEET}
        if not name:
            problems.append(problem(EMPTY_CELL, cell=cell_ref(index, 0), detail="单位名称为空。请填写单位名称,或删除整行。", **at))
            continue
        aliases = [clean_name(a) for a in LIST_SEP.split(record.get("别名", "")) if a]
        for spelling in [name, *aliases]:
            if spelling in seen:
                problems.append(problem(DUPLICATE_UNIT, cell=cell_ref(index, 0), name=spelling, other=seen[spelling], **at))
            seen[spelling] = cell_ref(index, 0)
        registry.units.append(name)
        registry.remarks[name] = record.get("说明", "")
        registry.aliases.update({a: name for a in aliases if a != name})
    return registry, problems


def _read_indicators(sheets, where) -> tuple[list[Indicator], list[Problem]]:
    records, _, problems = _sheet_rows(sheets, INDICATOR_SHEET, INDICATOR_COLUMNS, REQUIRED_INDICATOR, where)
    indicators = []
    for index, record in records:
        at = {"file": where, "sheet": INDICATOR_SHEET}
        section = SECTION_BY_LABEL.get(record["板块"])
        if section is None or not record["序号"].isdigit():
            problems.append(problem(BAD_INDICATOR, cell=cell_ref(index, 0), section=record["板块"], number=record["序号"], **at))
            continue
        line = record.get("种子行号", "")
        indicators.append(Indicator(section, int(record["序号"]), record.get("一级指标", ""),
                                    record.get("二级指标", ""), record["三级指标"], "",
                                    int(line) if line.isdigit() else 0))
    return indicators, problems


def _read_tasks(sheets, where, registry: Registry, indicators: list[Indicator]):
    records, header, problems = _sheet_rows(sheets, TASK_SHEET, TASK_COLUMNS, REQUIRED_TASK, where)
    by_key = {(i.section, i.number): i for i in indicators}
    tasks, seen = [], {}
    for index, record in records:
        def at(column: str, row: int = index) -> dict:
            return {"file": where, "sheet": TASK_SHEET, "cell": cell_ref(row, header.get(column, 0))}
        task, row_problems = _task_from_record(record, registry, by_key, at)
        problems += row_problems
        if task is None:
            continue
        if task.task_id in seen:
            problems.append(problem(DUPLICATE_ID, task_id=task.task_id, other=seen[task.task_id], **at("编号")))
            continue
        seen[task.task_id] = at("编号")["cell"]
        tasks.append(task)
    return tasks, problems


def _task_from_record(record, registry, by_key, at) -> tuple[Task | None, list[Problem]]:
    problems = [problem(EMPTY_CELL, detail=f"“{c}”为空。请填写,或删除整行。", **at(c)) for c in REQUIRED_TASK if not record[c]]
    if problems:
        return None, problems
    section = SECTION_BY_LABEL.get(record["板块"])
    if section is None:
        return None, [problem(BAD_VALUE, section=record["板块"], **at("板块"))]
    numbers = [n for n in LIST_SEP.split(record["指标序号"]) if n]
    found = [by_key.get((section, int(n))) if n.isdigit() else None for n in numbers]
    if None in found:
        return None, [problem(UNKNOWN_INDICATOR, numbers=record["指标序号"], section=record["板块"], **at("指标序号"))]
    units, unit_problems = _resolve_units(record, registry, at)
    # 配合 units as written: those that report are in 责任单位 too; the others only read about the task
    cooperating = [registry.canonical(n) or n for n in LIST_SEP.split(record.get("配合单位", "")) if n]
    group_id, _, part = record["编号"].partition("/")
    task = Task(
        group_id=group_id, part=part or None, section=section,
        indicators=tuple(i.number for i in found), level1=found[0].level1, level2=found[0].level2,
        indicator_text=indicator_text(found), materials=record.get("申报材料要求", ""),
        part_text=record.get("本项承担事项", ""),
        report_titles=tuple(t for t in record.get("情况说明题目", "").split("\n") if t.strip()),
        lead_text=record.get("牵头单位(原文)", ""), units=units, notes=record.get("备注", ""),
        source_line=int(record["种子行号"]) if record.get("种子行号", "").isdigit() else 0,
        cooperating=tuple(dict.fromkeys(cooperating)), deadline=record.get("完成时限", ""),
        due=_iso_date(record.get("完成日期", "")),
    )
    return task, unit_problems


def _iso_date(text: str) -> str:
    """完成日期 as the office may have retyped it (2024-06-28, 2024/6/28, an Excel date): ISO, or '' when it is none."""
    import datetime as dt

    found = re.match(r"^\s*(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})", text or "")
    if not found:
        return ""
    try:
        return dt.date(*(int(g) for g in found.groups())).isoformat()
    except ValueError:
        return ""


def _resolve_units(record, registry: Registry, at) -> tuple[tuple[str, ...], list[Problem]]:
    column = "责任单位"
    units, problems = {}, []  # a dict keeps the order and finds a repeat at once (thousands of units)
    for name in LIST_SEP.split(record.get(column, "")):
        if not name:
            continue
        canonical = ALL_UNITS if name == ALL_UNITS else registry.canonical(name)
        if canonical is None:
            problems.append(unknown_unit_problem(name, record["编号"], "", **at(column)))
        else:
            units.setdefault(canonical)
    return tuple(units), problems


def read_roster(sheets, where: str, registry: Registry, sheet: str = ROSTER_SHEET, header_row: int = 0,
                bad_email: str = "drop") -> tuple[dict[str, dict[str, str]], list[Problem]]:
    """The liaison roster: one row per unit, checked; an unknown unit is an error, a bad phone a warning.

    An address that is not exactly one valid address is never used. bad_email says what else: "drop" (the master's
    roster: a warning, the unit has no address), "keep" (the typed text kept, for rebuilding the master), "refuse"
    (an imported form: an error, and the unit's row is not imported)."""
    if sheet not in sheets:
        return {}, [problem(ROSTER_MISSING, file=where)]
    records, header, problems = _sheet_rows(sheets, sheet, ROSTER_COLUMNS, ["单位", "姓名"], where, header_row)
    roster: dict[str, dict[str, str]] = {}
    for index, record in records:
        def at(column: str, row: int = index) -> dict:
            return {"file": where, "sheet": sheet, "cell": cell_ref(row, header.get(column, 0))}
        unit = registry.canonical(record["单位"])
        if unit is None:
            problems.append(problem(ROSTER_UNKNOWN_UNIT, detail=registry.unknown_message(record["单位"]), **at("单位")))
            continue
        if unit in roster:
            problems.append(problem(ROSTER_DUPLICATE, unit_name=unit, **at("单位")))
            continue
        entry = {c: record.get(c, "") for c in ROSTER_COLUMNS[1:]}
        phone, how = normalize_phone(entry["联系电话"])
        if entry["联系电话"] and how == "invalid":
            problems.append(problem(ROSTER_BAD_PHONE, unit=unit, raw=entry["联系电话"], **at("联系电话")))
        entry["联系电话"] = phone or entry["联系电话"]
        typed = entry["电子邮箱"]
        address = parse_email(typed) if typed else ""
        if address is None and bad_email == "refuse":
            problems.append(problem(INVALID_EMAIL, unit=unit, raw=typed, reason=email_problem(typed), **at("电子邮箱")))
            continue
        if address is None:
            problems.append(problem(ROSTER_BAD_EMAIL, unit=unit, raw=typed, **at("电子邮箱")))
        entry["电子邮箱"] = typed if address is None and bad_email == "keep" else address or ""
        if any(entry.values()):  # a unit whose row is still blank has no liaison yet
            roster[unit] = entry
    return roster, problems


def roster_for_build(workspace: Workspace, registry: Registry) -> dict[str, dict[str, str]]:
    """Keep the roster staff filled in when regenerating the master."""
    if not workspace.master_file.exists():
        return {}
    return read_roster(read_workbook(workspace.master_file), "", registry, bad_email="keep")[0]


def _uncovered_indicators(indicators, tasks, where) -> list[Problem]:
    covered = {(t.section, n) for t in tasks for n in t.indicators}
    return [
        problem(UNCOVERED_INDICATOR, file=where, sheet=TASK_SHEET, section=SECTION_LABELS[i.section], number=i.number)
        for i in indicators if (i.section, i.number) not in covered
    ]


LATER_FIELDS = ("cooperating", "deadline", "due")  # added since the first release: a master without them keeps its version
TASK_FIELDS = fields(Task)


def _version(tasks: list[Task], registry: Registry) -> str:
    # the fields as they are (asdict deep-copies every tuple: a tenth of a second for a province's master)
    rows = [{f.name: v for f in TASK_FIELDS if (v := getattr(t, f.name)) or f.name not in LATER_FIELDS} for t in tasks]
    payload = json.dumps([rows, registry.units, sorted(registry.aliases.items())], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]
