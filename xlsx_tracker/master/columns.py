"""Where a task list's columns are: its header row found, each column mapped to a role by the words offices use.

Roles (the Chinese keys a clerk types in --columns): 序号, 类别 (一级), 二级, 任务, 措施, 牵头, 责任, 配合, 时限.
"""

from __future__ import annotations

import re

from ..base.model import TrackerError

ROLES = {
    "序号": ("序号", "编号", "序"),
    "类别": ("类别", "一级指标", "领域", "类型", "重点领域", "板块", "项目"),
    "二级": ("二级指标", "分类", "子项"),
    "任务": ("主要任务", "工作任务", "重点任务", "任务内容", "任务", "三级指标", "工作内容", "具体任务", "目标任务", "工作事项"),
    "措施": ("细化措施", "具体措施", "工作措施", "主要举措", "措施", "推进措施", "工作要求"),
    "牵头": ("牵头单位", "牵头部门", "牵头", "主责单位"),
    "责任": ("责任单位", "责任部门", "承办单位", "实施单位", "责任主体"),
    "配合": ("配合单位", "参与单位", "协办单位", "配合部门", "协同单位"),
    "时限": ("完成时限", "完成时间", "时间节点", "时限要求", "时限", "完成期限", "进度安排"),
}
HEADER_ROWS = 12  # a title, 附件N and notes come before the header


def _plain(text: str) -> str:
    return re.sub(r"[\s::()()*]", "", text or "")


def role_of(header: str) -> str | None:
    """The role a header cell names: one of its words exactly, else a header that starts with one (完成时限(2024年))."""
    plain = _plain(header)
    for role, words in ROLES.items():
        if plain in words:
            return role
    for role, words in ROLES.items():
        if any(plain.startswith(w) and len(plain) <= len(w) + 6 for w in words if len(w) >= 2):
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


def find_header(rows: list[list[str]], overrides: dict[str, str]) -> tuple[int, dict[str, int]] | None:
    """(header row, role -> column) of the first row among the first ones that names a task column and one more; the
    columns --columns names win."""
    for index, row in enumerate(rows[:HEADER_ROWS]):
        mapping: dict[str, int] = {}
        for column, cell in enumerate(row):
            named = [r for r, h in overrides.items() if _plain(h) == _plain(cell)]
            role = named[0] if named else (None if _plain(cell) in {_plain(h) for h in overrides.values()} else role_of(cell))
            if role and role not in mapping:
                mapping[role] = column
        if ("任务" in mapping or "措施" in mapping) and len(mapping) >= 2:
            return index, mapping
    return None
