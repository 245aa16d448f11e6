"""Parse 附件3 任务清单 out of the seed text (a flattened HTML table, one cell per line)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..base.model import Indicator, Problem, Task
from ..base.problems import GROUP_MISMATCH, UNKNOWN_UNIT, problem
from .units import ALL_UNITS, Registry

_LEVEL1_RE = re.compile(r"^[一二三四五六七八九十]+、")
_NUMBER_RE = re.compile(r"^\d+$")
_CELL_END_RE = re.compile(r"\s*\|[\s|]*$")
_GROUP_CLAIM_RE = re.compile(r"^第([\d、,，]+)项指标")
_TITLE_RE = re.compile(r"(?:题目|标题)\s*(?:设)?为\s*[“\"]([^”\"]+)[”\"]")
_NOTICE_RE = re.compile(r"注意\s*[:：;；]")
HEADER = ["一级指标", "二级指标", "序号", "三级指标", "申报材料", "牵头单位"]


@dataclass(frozen=True)
class Cell:
    line: int
    text: str
    pipes: int  # merged-cell markers after the text: 3+ means "no further cells in this row"


@dataclass
class _Group:
    section: str
    indicators: list[Indicator]
    materials: str = ""
    lead: str = ""
    line: int = 0

    @property
    def group_id(self) -> str:
        numbers = [i.number for i in self.indicators]
        prefix = {"main": "", "bonus": "加分", "veto": "否决"}[self.section]
        if len(numbers) == 1:
            return f"{prefix}{numbers[0]}"
        return f"{prefix}{numbers[0]}-{numbers[-1]}"


@dataclass
class SeedTable:
    indicators: list[Indicator]
    tasks: list[Task]
    problems: list[Problem]


def table_cells(text: str) -> list[Cell]:
    """The cells of the first copy of 附件3, in order."""
    lines = text.split("\n")
    start = _first_table_start(lines)
    cells: list[Cell] = []
    buffer: list[str] = []
    for number, line in enumerate(lines[start:], start=start + 1):
        if line.startswith("索 引 号") or line.startswith("附件"):
            break
        buffer.append(line)
        end = _CELL_END_RE.search(line)
        if end:
            body = _CELL_END_RE.sub("", "\n".join(buffer)).strip()
            cells.append(Cell(number, body, end.group(0).count("|")))
            buffer = []
    return cells


def _first_table_start(lines: list[str]) -> int:
    for index, line in enumerate(lines):
        if line.strip().startswith("附件3"):
            header = [cell.strip(" |") for cell in lines[index + 2:index + 8]]
            if header == HEADER:
                return index + 8
    raise ValueError("种子文件中找不到“附件3”任务清单表头(一级指标/二级指标/序号/三级指标/申报材料/牵头单位)")


def parse_seed(text: str, registry: Registry) -> SeedTable:
    groups = _read_groups([c for c in table_cells(text) if c.text])
    indicators = [ind for g in groups for ind in _with_group_id(g)]
    tasks: list[Task] = []
    problems: list[Problem] = []
    for group in groups:
        new_tasks, new_problems = _group_tasks(group, registry)
        tasks.extend(new_tasks)
        problems.extend(new_problems)
    return SeedTable(indicators, tasks, problems)


def parse_seed_file(path: Path, registry: Registry) -> SeedTable:
    return parse_seed(Path(path).read_text(encoding="utf-8"), registry)


def _read_groups(cells: list[Cell]) -> list[_Group]:
    groups: list[_Group] = []
    level1 = level2 = ""
    section = "main"
    i = 0
    while i < len(cells):
        cell = cells[i]
        if _LEVEL1_RE.match(cell.text):
            level1, level2 = cell.text, ""
            section = "bonus" if "附加" in cell.text else "main"
            i += 1
        elif _NUMBER_RE.match(cell.text):
            i = _read_row(cells, i, groups, section, level1, level2)
        else:
            level2 = cell.text
            if section != "main":
                section = "veto" if "否决" in cell.text else "bonus"
            i += 1
    return groups


def _read_row(cells, i, groups, section, level1, level2) -> int:
    number_cell, text_cell = cells[i], cells[i + 1]
    indicator = Indicator(section, int(number_cell.text), level1, level2, text_cell.text, "", number_cell.line)
    i += 2
    continues_group = text_cell.pipes >= 3 and groups and groups[-1].section == section
    if continues_group:
        groups[-1].indicators.append(indicator)
        return i
    group = _Group(section, [indicator], line=number_cell.line)
    if section != "veto":
        group.materials, group.lead = cells[i].text, cells[i + 1].text
        i += 2
    groups.append(group)
    return i


def _with_group_id(group: _Group) -> list[Indicator]:
    return [
        Indicator(i.section, i.number, i.level1, i.level2, i.text, group.group_id, i.source_line)
        for i in group.indicators
    ]


def _group_tasks(group: _Group, registry: Registry) -> tuple[list[Task], list[Problem]]:
    problems = _check_group_claim(group)
    lead = group.lead if group.section != "veto" else ALL_UNITS
    parts = registry.split_lead(lead)
    items = numbered_items(group.materials)
    tasks = []
    for part in parts:
        for name in part.unknown:
            problems.append(unknown_unit_problem(name, group.group_id, f"种子第{group.line}行"))
        tasks.append(_make_task(group, part, items))
    return tasks, problems


def _make_task(group: _Group, part, items: dict[int, str]) -> Task:
    first = group.indicators[0]
    return Task(
        group_id=group.group_id,
        part=part.part,
        section=group.section,
        indicators=tuple(i.number for i in group.indicators),
        level1=first.level1,
        level2=first.level2,
        indicator_text=indicator_text(group.indicators),
        materials=group.materials,
        part_text=part_text(part.part, items),
        report_titles=report_titles(group.materials),
        lead_text=group.lead,
        units=(ALL_UNITS,) if group.section != "main" else part.units,
        notes="；".join(part.notes) or ("各单位自查申报" if group.section == "veto" else ""),
        source_line=group.line,
    )


def _check_group_claim(group: _Group) -> list[Problem]:
    claim = _GROUP_CLAIM_RE.match(group.materials)
    if not claim:
        return []
    claimed = [int(n) for n in re.split(r"[、,，]", claim.group(1)) if n]
    actual = [i.number for i in group.indicators]
    if claimed == actual:
        return []
    return [problem(GROUP_MISMATCH, file=f"种子第{group.line}行", claimed=claim.group(1), actual=actual)]


def unknown_unit_problem(name: str, group_id: str, where: str, **position: str) -> Problem:
    return problem(UNKNOWN_UNIT, file=position.pop("file", where), name=name, group_id=group_id, **position)


def indicator_text(indicators: list[Indicator]) -> str:
    if len(indicators) == 1:
        return indicators[0].text
    return "\n".join(f"{i.number}. {i.text}" for i in indicators)


def numbered_items(materials: str) -> dict[int, str]:
    """The numbered parts `1.… 2.… 3.…` of a materials text, before its 注意 notes."""
    body = _NOTICE_RE.split(materials, maxsplit=1)[0]
    starts: list[tuple[int, int, int]] = []
    position, number = 0, 1
    while True:
        pattern = re.compile(rf"(?:^|(?<=[\s;；。:：]))\s*{number}\s*[.．]")
        match = pattern.search(body, position)
        if not match:
            break
        starts.append((number, match.start(), match.end()))
        position, number = match.end(), number + 1
    items = {}
    for index, (number, _, end) in enumerate(starts):
        stop = starts[index + 1][1] if index + 1 < len(starts) else len(body)
        items[number] = body[end:stop].strip()
    return items


def part_numbers(label: str) -> list[int]:
    first, _, last = label.partition("-")
    return list(range(int(first), int(last or first) + 1))


def part_text(label: str | None, items: dict[int, str]) -> str:
    if label is None:
        return ""
    texts = [f"{n}.{items[n]}" for n in part_numbers(label) if n in items]
    return "\n".join(texts) or f"见申报材料第{label}项"


def report_titles(materials: str) -> tuple[str, ...]:
    titles: list[str] = []
    for title in _TITLE_RE.findall(materials):
        if title not in titles:
            titles.append(title)
    return tuple(titles)
