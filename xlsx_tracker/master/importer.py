"""master import: an office's own 任务分工 (a table or inline text) made the workspace's master task list.

`understand` reads what the file says — the header and its columns, the categories, each task with its units by role
and its deadline — into plain data and everything it could not settle; `said` prints that (the dry run); `write`
writes the master and its unit registry, and refuses while anything is unsettled. Nothing is guessed silently: a name
taken for another is printed, a short form that fits several names waits for [aliases] in settings.toml, a collective
name is a unit of its own until [groups] expands it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from ..base.model import Indicator, Task, TrackerError
from ..base.workspace import Workspace, workspace_lock
from .columns import HEADER_ROWS, Header, find_header, missing_overrides
from .deadlines import KIND_TEXT, typed_deadline
from .settings import Settings
from .source import Source
from .unitlists import Roles, inline_roles, resolve, starts_with_label
from .unitlists import _unmarked as _plain_name
from .units import ALL_UNITS, Registry, safe_filename

CATEGORY = re.compile(r"^\s*([一二三四五六七八九十]+)\s*[、.．]\s*(.+)$")
SUBCATEGORY = re.compile(r"^\s*[((]\s*([一二三四五六七八九十]+)\s*[))]\s*(.+)$")
NUMBERED = re.compile(r"^\s*(?:\d+(?:[.．]\d+)*(?:\s*[.、.．)]|\s)|[((]\d+[))])\s*(.+)$")
ARABIC_CATEGORY = re.compile(r"^\s*\d+\s*[.、.．]\s*(.+)$")
BARE_NUMBER = re.compile(r"[((]?[一二三四五六七八九十\d]+[))、.．]?")
NOTE = re.compile(r"^\s*(注|备注|说明|附注)\s*[::\d]")
MAX_TEXT = 2000  # one cell of a task list: a paragraph, not a document


@dataclass
class Row:
    """One task as the file writes it."""

    level1: str
    level2: str
    text: str
    measures: str
    roles: Roles
    deadline: str
    where: str  # 表1 第5行, 第12段


@dataclass
class Understood:
    source: str
    title: str
    mapping: dict[str, str]  # role -> the header it was read from
    rows: list[Row]
    registry: Registry | None = None
    tasks: list[Task] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    joined: list[tuple[str, str]] = field(default_factory=list)
    unsure: dict[str, list[str]] = field(default_factory=dict)
    collective: dict[str, list[str]] = field(default_factory=dict)  # name -> where it appears
    unplaced: list[str] = field(default_factory=list)  # tasks with no unit at all
    not_understood: list[tuple[str, str]] = field(default_factory=list)  # (task id, deadline words)
    skipped: list[str] = field(default_factory=list)  # numbered paragraphs that name no unit: not taken as tasks
    clashes: list[list[str]] = field(default_factory=list)  # units whose workbooks would have one file name

    @property
    def settled(self) -> bool:
        return bool(self.tasks) and not self.unsure and not self.unplaced and not self.clashes


def understand(source: Source, settings: Settings, overrides: dict[str, str], year: int, workday=None) -> Understood:
    if overrides and source.tables:
        absent = [h for h in missing_overrides([row for table in source.tables for row in table[:HEADER_ROWS]], overrides)]
        if absent:
            raise TrackerError(f"--columns 中的表头{'、'.join(f'“{h}”' for h in absent)}在“{source.name}”中找不到。请照原表表头的写法填写。")
    for index, table in enumerate(source.tables):
        header = find_header(table, overrides)
        if header:
            rows = _table_rows(source, index, header)
            title = _title(table[:header.top]) or _title([[line] for line in source.lines[:3]])
            return _built(Understood(source.name, title, header.labels, rows), settings, year, workday)
    skipped: list[str] = []
    rows = _text_rows(source, skipped)
    if not rows:
        wanted = "、".join(["主要任务(或任务、细化措施)", "牵头单位", "责任单位", "完成时限"])
        raise TrackerError(f"“{source.name}”中找不到任务分工表的表头(如 {wanted}),也没有编号的任务行。"
                           "如表头写法不同,请用 --columns 指明,例如 --columns 任务=工作内容,牵头=主办单位。")
    title = source.lines[0] if source.lines and not NUMBERED.match(source.lines[0]) else ""  # a list that starts with its first task has none
    found = Understood(source.name, title, {"任务": "(行内文字)"}, rows)
    found.skipped = skipped
    return _built(found, settings, year, workday)


def _title(rows: list[list[str]]) -> str:
    texts = [cell for row in rows for cell in dict.fromkeys(row) if cell and not re.fullmatch(r"附件\s*\d*", cell)]
    return max(texts, key=len, default="")[:100]


def _table_rows(source: Source, first: int, header: Header) -> list[Row]:
    """Task rows of the table with the header and of the tables after it (a Word table split at a page)."""
    rows, level1, level2, mapping = [], "", "", header.mapping
    headings = source.tables[first][header.top:header.row + 1]
    for index in range(first, len(source.tables)):
        table = source.tables[index]
        if index != first and table[:len(headings)] != headings:
            break  # a table after the list (a liaison roster, a note) is not a page of it; a page repeats the header
        start = header.row + 1 if index == first else len(headings)
        for number, cells in enumerate(table[start:], start=start + 1):
            if cells in headings or not any(cells):
                continue
            get = _getter(cells, mapping)
            texts = [c for c in dict.fromkeys(cells) if c and not BARE_NUMBER.fullmatch(c)]
            text, measures = get("任务"), get("措施")
            if texts and NOTE.match(texts[0]):
                continue  # 注:各单位每月25日前报送进展。
            if len(texts) == 1:  # a row across the table (its number aside): a category
                level1, level2 = _category(texts[0], level1, level2)
                continue
            if not (text or measures):
                continue
            roles = Roles()
            roles.add("lead", get("牵头"))
            roles.add("responsible", get("责任"))
            roles.add("cooperating", get("配合"))
            if not (roles.lead or roles.responsible or roles.cooperating):
                text, roles = inline_roles(text or measures)
            category = get("类别")
            rows.append(Row(_bare(category) if category else level1, _bare(get("二级")) if get("二级") else level2,
                            text or measures, measures if text else "", roles, get("时限") or roles.deadline,
                            f"{source.table_names[index]} 第{number}行"))
    return rows


def _getter(cells: list[str], mapping: dict[str, int]):
    """get(role) -> the row's text in that role's column ('' when the file has no such column)."""
    def get(role: str) -> str:
        column = mapping.get(role)
        return cells[column].strip()[:MAX_TEXT] if column is not None and column < len(cells) else ""
    return get


def _category(text: str, level1: str, level2: str) -> tuple[str, str]:
    sub = SUBCATEGORY.match(text)
    if sub:
        return level1, sub.group(2).strip()
    return _bare(text), ""


def _bare(text: str) -> str:
    """A category without its numbering: 一、优化政务服务 → 优化政务服务."""
    for pattern in (CATEGORY, SUBCATEGORY, ARABIC_CATEGORY):
        found = pattern.match(text)
        if found:
            return found.group(2).strip()
    return text.strip()


def _text_rows(source: Source, skipped: list[str]) -> list[Row]:
    """Tasks written as numbered paragraphs, their units inline or on the labelled lines below (牵头单位:…);
    a numbered paragraph that names no unit is listed in skipped, never dropped unsaid."""
    rows, level1, level2, pending = [], "", "", None

    def close():
        if pending is None:
            return
        where, text = pending
        body, roles = inline_roles(text[:MAX_TEXT])
        if roles.lead or roles.responsible or roles.cooperating:
            rows.append(Row(level1, level2, body, "", roles, roles.deadline, where))
        else:
            skipped.append(f"{where}“{body[:30]}”")

    for number, line in enumerate(source.lines, start=1):
        numbered = NUMBERED.match(line)
        if numbered:
            close()
            pending = (f"第{number}段", numbered.group(1).strip())
        elif pending is not None and starts_with_label(line):
            pending = (pending[0], f"{pending[1]};{line.strip()}")
        elif CATEGORY.match(line) or SUBCATEGORY.match(line):
            close()
            pending = None
            level1, level2 = _category(line, level1, level2)
    close()
    return rows


# ---------------------------------------------------------------- units, tasks, deadlines

def _built(found: Understood, settings: Settings, year: int, workday) -> Understood:
    written = [n for row in found.rows for n in (*row.roles.lead, *row.roles.responsible, *row.roles.cooperating)]
    together = [{_plain_name(n) for n in (*row.roles.lead, *row.roles.responsible, *row.roles.cooperating)} for row in found.rows]
    resolved = resolve(written, settings.aliases, settings.groups, together)
    found.joined, found.unsure = resolved.joined, resolved.unsure

    def unit_of(name: str) -> str:  # a group's member as written there: through [aliases] and the list's own joins
        name = settings.aliases.get(name, name)
        return next((u for raw, u in resolved.meaning.items() if _plain_name(raw) == name), name)

    def units(names: list[str]) -> list[str]:
        out = []
        for name in names:
            unit = resolved.meaning.get(name)
            out += [unit_of(m) for m in settings.groups[unit]] if unit in settings.groups else [unit] if unit else []
        return list(dict.fromkeys(out))

    registry_units: list[str] = []
    for number, row in enumerate(found.rows, start=1):
        task_id = str(number)
        lead, responsible = units(row.roles.lead), units(row.roles.responsible)
        reporting = list(dict.fromkeys(lead + responsible))
        cooperating = [u for u in units(row.roles.cooperating) if u not in reporting]
        if settings.tasks.cooperating_report or not reporting:  # 配合 units report too (or they are all the task has)
            reporting = reporting + cooperating
        if not reporting:
            found.unplaced.append(f"编号 {task_id}({row.where})")
        for name in (*row.roles.lead, *row.roles.responsible, *row.roles.cooperating):
            where = found.collective.setdefault(resolved.meaning[name], []) if resolved.meaning.get(name) in resolved.collective else None
            if where is not None and task_id not in where:
                where.append(task_id)
        registry_units += [u for u in reporting if u != ALL_UNITS]  # 各部门: every unit, not one
        deadline = typed_deadline(row.deadline, year, workday)
        if not deadline.understood:
            found.not_understood.append((task_id, row.deadline))
        found.indicators.append(Indicator("main", number, row.level1, row.level2, row.text, task_id))
        found.tasks.append(Task(
            group_id=task_id, part=None, section="main", indicators=(number,), level1=row.level1, level2=row.level2,
            indicator_text=row.text, materials="", part_text=row.measures, report_titles=(),
            lead_text=_lead_text(lead, [u for u in responsible if u not in lead], cooperating),
            units=tuple(reporting), notes="", source_line=number,
            cooperating=tuple(cooperating), deadline=row.deadline, due=deadline.date.isoformat() if deadline.date else ""))
    aliases = {written: unit for written, unit in found.joined}
    aliases.update({k: v for k, v in settings.aliases.items() if k != v})
    registry = Registry(units=list(dict.fromkeys(registry_units)))
    registry.aliases = {a: u for a, u in aliases.items() if u in registry.units and a not in registry.units}
    registry.remarks = {u: "集体名称:在 settings.toml 的 [groups] 中写明包括哪些单位后重新导入,即分到各单位" for u in found.collective}
    found.registry = registry
    by_file: dict[str, list[str]] = {}
    for unit in registry.units:  # 区委"两新"工委 and 区委:两新:工委, or two long names cut alike: one file
        by_file.setdefault(safe_filename(unit).casefold(), []).append(unit)
    found.clashes = [units for units in by_file.values() if len(units) > 1]
    return found


def _lead_text(lead: list[str], responsible: list[str], cooperating: list[str]) -> str:
    """Who does the task, by role, as the unit's workbook shows it: 牵头:…;责任:…;配合:…"""
    parts = [f"{label}:{'、'.join(names)}" for label, names in (("牵头", lead), ("责任", responsible), ("配合", cooperating)) if names]
    return ";".join(parts)


# ---------------------------------------------------------------- the dry run's words, and writing

def said(found: Understood, year: int, workday=None) -> list[str]:
    """What the import understood, in the order a clerk checks it."""
    lines = [f"文件:{found.source}" + (f"(标题:{found.title})" if found.title else ""),
             "列的对应:" + ";".join(f"{role}←“{header}”" for role, header in found.mapping.items())]
    by_category = Counter(row.level1 or "(未分类)" for row in found.rows)
    lines.append(f"任务 {len(found.rows)} 项,按类别:" + ";".join(f"{c} {n} 项" for c, n in by_category.items()))
    counts = Counter(u for t in found.tasks for u in t.units)
    helping = Counter(u for t in found.tasks for u in t.cooperating if u in t.units)  # of the tasks it reports on
    units = found.registry.units if found.registry else []
    lines.append(f"单位 {len(units)} 个(报送任务数" + (",括号内为其中的配合任务" if helping else "") + "):"
                 + "、".join(f"{u} {counts[u]}" + (f"(其中配合 {helping[u]})" if helping[u] else "") for u in units))
    helping_only = [u for u in dict.fromkeys(u for t in found.tasks for u in t.cooperating) if u not in units and u != ALL_UNITS]
    if helping_only:
        lines.append(f"只配合、不报送的单位 {len(helping_only)} 个(按设置 [tasks] cooperating_report = false,不生成工作簿,"
                     f"拆分时只收到一份《配合任务告知》,无需报回):{'、'.join(helping_only)}")
    if found.joined:
        lines.append("以下写法视为同一单位(已记为别名):" + ";".join(f"“{a}”→{u}" for a, u in found.joined))
    kinds = Counter(typed_deadline(t.deadline, year, workday).kind for t in found.tasks)
    lines.append("完成时限:" + ";".join(f"{KIND_TEXT[k]} {kinds[k]} 项" for k in KIND_TEXT if kinds[k])
                 + f"(没写年份的按 {year} 年计,可用 --year 指定)")
    if found.not_understood:
        lines.append("以下完成时限没有读懂,按“长期”处理:" + ";".join(f"编号 {i}“{w}”" for i, w in found.not_understood))
    for name, where in found.collective.items():
        lines.append(f"提醒:“{name}”是集体名称,现作为一个报送单位(编号 {'、'.join(where[:20])}{'等' if len(where) > 20 else ''})。"
                     f"如要分到各单位,请在 settings.toml 的 [groups] 中写 \"{name}\" = [\"单位甲\", \"单位乙\"] 后重新导入。")
    for name, candidates in found.unsure.items():
        lines.append(f"无法确定:“{name}”可能是 {'、'.join(candidates)}。请在 settings.toml 的 [aliases] 中写明,"
                     f"如 \"{name}\" = \"{candidates[0]}\"。")
    if found.skipped:
        lines.append(f"以下编号段落没有写明单位,没有作为任务(如是任务,请在段末写明牵头或责任单位):{'、'.join(found.skipped[:20])}")
    if not found.tasks:
        lines.append("没有读到任何任务。")
    elif not {"牵头", "责任", "配合"} & set(found.mapping) and found.mapping.get("任务") != "(行内文字)":
        lines.append("表头中没有找到牵头、责任或配合单位的列。如该列表头写法不同,请用 --columns 指明,例如 --columns 责任=承办部门。")
    for units in found.clashes:
        lines.append(f"以下单位的名称作为文件名时相同,工作簿会互相覆盖:{'、'.join(units)}。请在原表中把名称写得能区分开"
                     "(如去掉引号、冒号等符号,或缩短过长的名称)。")
    if found.unplaced:
        lines.append(f"没有任何单位的任务 {len(found.unplaced)} 项:{'、'.join(found.unplaced[:20])}。请在原表中补上牵头或责任单位。")
    return lines


def write(workspace: Workspace, found: Understood, district: str) -> None:
    """The master workbook (任务分工, 指标, 单位名录, 联络员) from what was understood; nothing while anything is unsettled."""
    from .tasklist import roster_for_build, write_master

    if not found.settled:
        raise TrackerError("导入的任务清单还有需要确定的内容,没有写入任何文件。请按上面所列改正后重新导入"
                           "(可先加 --dry-run 查看)。")
    with workspace_lock(workspace):
        roster = roster_for_build(workspace, found.registry)  # the liaisons of units the new list still has
        write_master(workspace.master_file, found.indicators, found.tasks, found.registry, roster, district,
                     title=found.title or f"{district}任务清单(导入自 {found.source})")


def default_year(settings: Settings, today: dt.date, source: Source | None = None) -> int:
    """The year of a deadline written without one: the settings', else the year the list's title names (…2024年工作要点),
    else the one its tables name most often, else this year."""
    if settings.tasks.year:
        return settings.tasks.year
    if source is None:
        return today.year
    heads = source.lines[:3] + [" ".join(row) for table in source.tables[:1] for row in table[:3]]
    for text in heads:
        found = re.search(r"(20\d{2})\s*年", text)
        if found:
            return int(found.group(1))
    years = Counter(re.findall(r"(20\d{2})\s*年", " ".join(" ".join(row) for table in source.tables for row in table)))
    return int(years.most_common(1)[0][0]) if years else today.year
