"""Materials by indicator: each received material placed in the group (报送组) it proves, for review and the 工作台账."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..intake.explanation import group_in_name
from .ledger import Submission


@dataclass(frozen=True)
class Filed:
    submission: Submission
    group: str  # "" when it could not be placed
    unit: str
    how: str  # 证明材料目录 / 文件名中的指标序号


def file_materials(state, materials: list[Submission], groups: list[str]) -> list[Filed]:
    """Each material with the group it belongs to: by the evidence row naming it, else by the number in its name."""
    named = []
    for entry in state.evidence:
        title = str(entry.get("材料名称", "")).strip()
        if len(title) >= 2 and entry.get("编号"):
            named.append((title, entry["编号"].split("/")[0], entry["单位"]))
    filed = []
    for sub in materials:
        stem = Path(sub.file_name.rsplit("/", 1)[-1]).stem
        match = next(((g, u) for title, g, u in named if title == stem or title in stem), None)
        if match:
            filed.append(Filed(sub, match[0], match[1], "证明材料目录"))
        else:
            filed.append(Filed(sub, group_in_name(sub.file_name, groups), sub.unit, "文件名中的指标序号"))
    return filed
