"""Where a task list's columns are: its header row found, each column mapped to a role by the words offices use.

Roles (the Chinese keys a clerk types in --columns): 序号, 类别 (一级), 二级, 任务, 措施, 牵头, 责任, 配合, 时限.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..base.model import TrackerError

ROLES = {
    "序号": ("序号", "编号", "序"),
    "类别": ("类别", "一级指标", "领域", "类型", "重点领域", "板块", "项目"),
    "二级": ("二级指标", "分类", "子项"),
    "任务": ("主要任务", "工作任务", "重点任务", "任务内容", "任务", "三级指标", "工作内容", "具体任务", "目标任务", "工作事项",
           "重点工作", "工作目标", "任务事项"),
    "措施": ("细化措施", "具体措施", "工作措施", "主要举措", "措施", "推进措施", "工作要求"),
    "牵头": ("牵头单位", "牵头部门", "牵头", "主责单位"),
    "责任": ("责任单位", "责任部门", "承办单位", "实施单位", "责任主体"),
    "配合": ("配合单位", "参与单位", "协办单位", "配合部门", "协同单位"),
    "时限": ("完成时限", "完成时间", "时间节点", "时限要求", "时限", "完成期限", "进度安排", "时间要求", "完成时间节点"),
}
SUB_ROLES = {"牵头": "牵头", "主责": "牵头", "主办": "牵头", "责任": "责任", "承办": "责任", "配合": "配合", "参与": "配合",
             "协办": "配合"}  # 责任单位 over 牵头|配合
NOT_A_ROLE = re.compile(r"领导|负责人|联系人|来源|依据|备注|说明|电话")  # 牵头区领导, 任务来源: a person or a source, never units
HEADER_ROWS = 12  # a title, 附件N and notes come before the header


def _plain(text: str) -> str:
    """A header's words: its remark in brackets dropped (责任单位(排在第一位的为牵头单位)), spaces and marks too."""
    return re.sub(r"[\s::*]", "", re.sub(r"[((][^()()]*[))]", "", text or ""))


def role_of(header: str, exact: bool) -> str | None:
    """The role a header cell names: one of its words exactly, else (not exact) a header that starts with one."""
    plain = _plain(header)
    if NOT_A_ROLE.search(plain):
        return None
    for role, words in ROLES.items():
        if plain in words if exact else any(plain.startswith(w) and len(plain) <= len(w) + 4 for w in words if len(w) >= 2):
            return role
    return None


def parse_overrides(text: str) -> dict[str, str]:
    """--columns 任务=主要任务,牵头=牵头单位 → {role: header text}; an unknown role is refused with the roles there are."""
    found = {}
    for pair in filter(None, re.split(r"[,,;;]", text or "")):
        role, sep, header = pair.partition("=")
        role, header = role.strip(), header.strip()
        if not sep or role not in ROLES or not header:
            raise TrackerError(f"--columns 中的“{pair.strip()}”写法不对:应为“角色=表头”,角色只能是 {'、'.join(ROLES)},"
                               "例如 任务=主要任务,牵头=牵头单位。")
        found[role] = header
    return found


@dataclass
class Header:
    """Where a table's header is: its first and last row (two when 责任单位 spans 牵头 and 配合 below it), each role's
    column, and each role's header as the file writes it."""

    top: int
    row: int
    mapping: dict[str, int]
    labels: dict[str, str] = field(default_factory=dict)


def find_header(rows: list[list[str]], overrides: dict[str, str]) -> Header | None:
    """The first row among the first ones that names a task column and one more (the columns --columns names win),
    with the row below it when that row splits a header into roles, or the row above when this one is that split."""
    for index, row in enumerate(rows[:HEADER_ROWS]):
        mapping = _row_mapping(row, overrides)
        if not (("任务" in mapping or "措施" in mapping) and len(mapping) >= 2):
            continue
        above = rows[index - 1] if index else []
        if any(cell and cell == row[c] for c, cell in enumerate(above[:len(row)])):  # merged down onto this row
            labels = {role: _joined(above, row, column) for role, column in mapping.items()}
            return Header(index - 1, index, mapping, labels)
        labels = {role: row[column] for role, column in mapping.items()}
        below = rows[index + 1] if index + 1 < len(rows) else []
        split = _sub_roles(row, below, overrides)
        if not split:
            return Header(index, index, mapping, labels)
        for role, column in split.items():  # the roles below replace the spanning header's one
            mapping = {r: c for r, c in mapping.items() if c != column and r != role}
        mapping.update(split)
        return Header(index, index + 1, mapping, {role: _joined(row, below, column) for role, column in mapping.items()})
    return None


def _joined(top: list[str], bottom: list[str], column: int) -> str:
    """A column's header over two rows as the dry run shows it: 责任单位·牵头单位, or one text where it is merged down."""
    upper, lower = (top[column] if column < len(top) else ""), (bottom[column] if column < len(bottom) else "")
    return "·".join(t for t in dict.fromkeys([upper, lower]) if t)


def _row_mapping(row: list[str], overrides: dict[str, str]) -> dict[str, int]:
    mapping: dict[str, int] = {}
    for role, header in overrides.items():  # the clerk's word first
        column = next((c for c, cell in enumerate(row) if cell and _plain(cell) == _plain(header)), None)
        if column is not None:
            mapping[role] = column
    for exact in (True, False):  # exact words over the whole row before any prefix: 牵头单位 wins over 牵头区领导
        for column, cell in enumerate(row):
            role = role_of(cell, exact) if column not in mapping.values() else None
            if role and role not in mapping:
                mapping[role] = column
    return mapping


def _sub_roles(row: list[str], below: list[str], overrides: dict[str, str]) -> dict[str, int]:
    """The roles a second header row names, by column: under a cell spanning them (责任单位 over 牵头 | 配合, even
    over a 责任单位 of its own), or where it differs from the cell above. None when the row below is a task. Words
    that are no role (联系人, 开始时间) are passed over under a spanning cell; anywhere else they make the row a task."""
    if _looks_like_data(below):
        return {}
    found: dict[str, int] = {}
    wanted = {_plain(h): role for role, h in overrides.items()}
    for column, cell in enumerate(below):
        above = row[column] if column < len(row) else ""
        spanned = bool(above) and any(0 <= c < len(row) and row[c] == above for c in (column - 1, column + 1))
        if not cell or (cell == above and not spanned):
            continue  # merged down over both header rows
        plain = _plain(cell)
        role = wanted.get(plain) or SUB_ROLES.get(plain.removesuffix("单位").removesuffix("部门")) or role_of(cell, True)
        if role is None and not spanned:
            return {}  # a text of its own under a header of its own: a task row whose cells say 牵头单位, say
        if role and role not in found:
            found[role] = column
    return found


def _looks_like_data(cells: list[str]) -> bool:
    """A task row, not a header: a number first, or a text longer than any header's."""
    texts = [c.strip() for c in cells if c and c.strip()]
    return not texts or bool(re.fullmatch(r"[((]?\d+[))]?[.、.]?", texts[0])) or any(len(_plain(t)) > 12 for t in texts)


def missing_overrides(rows: list[list[str]], overrides: dict[str, str]) -> list[str]:
    """The headers --columns names that no row near the top of the table has."""
    seen = {_plain(cell) for row in rows[:HEADER_ROWS] for cell in row}
    return [header for header in overrides.values() if _plain(header) not in seen]
