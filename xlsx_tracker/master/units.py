"""The unit registry: canonical unit names, their aliases, and lead-cell parsing."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from ..base.filenames import safe_name

ALL_UNITS = "各部门"

# The default registry written into a new master workbook. Staff edit it there.
# (canonical name, aliases, remark)
DEFAULT_UNITS: list[tuple[str, tuple[str, ...], str]] = [
    ("政府办", (), ""),
    ("区委办", (), ""),
    ("组织部", (), ""),
    ("宣传部", (), ""),
    ("政法委", (), ""),
    ("纪委监委", (), ""),
    ("人大办", (), ""),
    ("编办", (), ""),
    ("党校", (), ""),
    ("司法局", ("区委依法治区办",), "区委依法治区办设在司法局"),
    ("行政审批局", (), ""),
    ("大数据中心", (), ""),
    ("发展和改革委员会", ("发改委", "发展和改革委员"), ""),
    ("财政局", (), ""),
    ("审计局", (), ""),
    ("统计局", (), ""),
    ("民政局", (), ""),
    ("信访局", (), ""),
    ("教育局", (), ""),
    ("公安分局", (), ""),
    ("人力资源和社会保障局", ("人社局",), ""),
    ("自然资源局", (), ""),
    ("生态环境局", (), ""),
    ("住房和城乡建设局", (), ""),
    ("城市管理局", (), ""),
    ("农牧局", ("农牧水利局",), ""),
    ("文体旅游广电局", ("文化旅游广电局",), ""),
    ("卫生健康委员会", ("卫健委",), ""),
    ("应急管理局", ("应急局",), ""),
    ("市场监督管理局", ("市场局", "市场监管局"), ""),
    ("人民法院", ("法院",), ""),
    ("检察院", (), ""),
]

_PART_RE = re.compile(r"序号\s*(\d+(?:\s*[-－—~]\s*\d+)?)\s*[:：]")
_SPLIT_RE = re.compile(r"[、,，;；\s]+")
_PAREN_RE = re.compile(r"^(.*?)[(（](.*?)[)）](.*)$")


@dataclass(frozen=True)
class LeadPart:
    """One 序号 sub-item of a lead cell, already normalised."""

    part: str | None
    units: tuple[str, ...]
    notes: tuple[str, ...]
    unknown: tuple[str, ...]


@dataclass
class Registry:
    units: list[str]
    aliases: dict[str, str] = field(default_factory=dict)
    remarks: dict[str, str] = field(default_factory=dict)

    @classmethod
    def default(cls) -> Registry:
        return cls.from_rows(DEFAULT_UNITS)

    @classmethod
    def from_rows(cls, rows) -> Registry:
        registry = cls(units=[])
        for name, aliases, remark in rows:
            registry.units.append(name)
            registry.remarks[name] = remark
            for alias in aliases:
                registry.aliases[alias] = name
        return registry

    def canonical(self, name: str) -> str | None:
        return self._spellings().get(clean_name(name))

    def _spellings(self) -> dict[str, str]:
        """Every name and alias -> its unit, a unit's own name first. Rebuilt when names were added (a registry is
        built by appending): a scan of the list per lookup made loading a 3,200-unit master take a second."""
        key = (len(self.units), len(self.aliases))
        if self.__dict__.get("_spellings_key") != key:
            self.__dict__["_spellings_index"] = {**self.aliases, **{unit: unit for unit in self.units}}
            self.__dict__["_spellings_key"] = key
        return self.__dict__["_spellings_index"]

    def suggest(self, name: str, limit: int = 5) -> list[str]:
        """Units a mistyped name may mean: containing it, contained in it, or spelled alike (names and aliases)."""
        name = clean_name(name)
        spellings = self._spellings()
        found = [unit for spelling, unit in spellings.items() if name and (name in spelling or spelling in name)]
        found += [spellings[s] for s in difflib.get_close_matches(name, list(spellings), n=limit, cutoff=0.5)]
        return list(dict.fromkeys(found))[:limit]

    def unknown_message(self, name: str) -> str:
        near = self.suggest(name)
        hint = f"您是不是要找:{'、'.join(near)}?" if near else ""
        return f"未知单位“{name}”。{hint}全部单位及别名可用 xlsx-tracker units 查看。"

    def split_lead(self, text: str) -> list[LeadPart]:
        """Split a lead cell into its 序号 sub-items and resolve every unit name."""
        matches = list(_PART_RE.finditer(text))
        if not matches:
            return [self._resolve_part(None, text)]
        parts = []
        for i, match in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
            label = re.sub(r"\s*[-－—~]\s*", "-", match.group(1))
            parts.append(self._resolve_part(label, text[match.end():end]))
        return parts

    def _resolve_part(self, label: str | None, text: str) -> LeadPart:
        units: list[str] = []
        notes: list[str] = []
        unknown: list[str] = []
        for token in _SPLIT_RE.split(text.strip()):
            if not token:
                continue
            names, note = self._strip_qualifier(token)
            if note:
                notes.append(note)
            for name in names:
                self._add_name(name, units, unknown)
        return LeadPart(label, tuple(units), tuple(notes), tuple(unknown))

    def _add_name(self, name: str, units: list[str], unknown: list[str]) -> None:
        if name == ALL_UNITS:
            already = set(units)
            units.extend(u for u in self.units if u not in already)
            return
        canonical = self.canonical(name)
        if canonical is None:
            unknown.append(name)
        elif canonical not in units:
            units.append(canonical)

    def _strip_qualifier(self, token: str) -> tuple[list[str], str]:
        """Return the unit names in a token and the qualifier kept as a note.

        Handles `X(涉及…的单位)`, `描述(X)` and `X等执法单位`.
        """
        paren = _PAREN_RE.match(token)
        if paren:
            outer = (paren.group(1) + paren.group(3)).strip()
            inner = paren.group(2).strip()
            if self.canonical(inner) is not None and self.canonical(outer) is None:
                return [inner], outer
            return [outer], inner
        if "等" in token and self.canonical(token) is None:
            head, _, tail = token.partition("等")
            return [head], f"等{tail}"
        return [token], ""


def clean_name(name: str) -> str:
    return _without_spaces(str(name or ""))


@lru_cache(maxsize=65536)  # a province's master asks for the same few thousand names tens of thousands of times
def _without_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text).strip()


def safe_filename(name: str) -> str:
    """A unit name made safe as a file name (Windows and Linux) that cannot leave its folder."""
    return safe_name(name)
