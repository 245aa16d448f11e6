"""Unit names as task lists write them, made into the units that report.

A cell or a phrase lists units joined by 、,,;; (“市发展改革委、工业和信息化委” shares the first one's 市), may end in
等 (“区发改局等”), uses short forms (区发改局 for 区发展和改革局) and collective names (各镇街, 区直各部门, 各有关部门,
“按职责分工负责”). Inline text names roles: “牵头单位:区发改局;责任单位:…” or “(区发改局牵头,各有关部门按职责分工
负责,2022年10月底前)”. Nothing here guesses silently: a short form that fits several names is left for the office
to settle in settings.toml ([aliases]), with the names it may mean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

SEPARATORS = re.compile(r"[、,,;;/\s]+")
LEVEL_PREFIX = re.compile(r"^(省|市|区|县|旗|州|盟|镇|乡|街道)")
TRAILING = re.compile(r"(等(?:单位|部门|有关单位|相关单位)?|按职责分工负责|按职责负责|分工负责|负责|参与|配合|牵头)$")
COLLECTIVE = re.compile(r"^(各|全体|其他|其余)|各(有关|相关)?(部门|单位|镇街|街道|乡镇|镇|委办局)|(区|市|县)直(各)?(有关)?(部门|单位)|有关(部门|单位)$")
ROLE_LABELS = {"牵头": "lead", "主责": "lead", "责任": "responsible", "承办": "responsible", "配合": "cooperating",
               "参与": "cooperating", "协办": "cooperating"}
_LABELLED = re.compile(r"(牵头|主责|责任|承办|配合|参与|协办)(?:单位|部门)\s*[::]\s*")


def names_in(text: str) -> list[str]:
    """The unit names a cell lists, as written (a shared prefix given back, 等 and 负责 dropped)."""
    names: list[str] = []
    prefix = ""
    for token in SEPARATORS.split(text or ""):
        name = token
        for _ in range(3):  # “区发改局”等。 / 等部门按职责分工负责: marks and endings, in any order
            name = TRAILING.sub("", re.sub(r"^[。.()()“”\"']+|[。.()()“”\"']+$", "", name)).strip()
        if not name or re.fullmatch(r"\d.*|[((]?[一二三四五六七八九十]+[))、]?", name):
            continue
        level = LEVEL_PREFIX.match(name)
        if level:
            prefix = level.group(1)
        elif prefix and not is_collective(name) and names and LEVEL_PREFIX.match(names[-1]):
            name = f"({prefix}){name}"  # a shared prefix, kept marked until resolve() knows whether it is certain
        names.append(name)
    return list(dict.fromkeys(names))


def _trimmed(text: str) -> str:
    return re.sub(r"^[\s;;,,。]+|[\s;;,,。]+$", "", text)


def is_collective(name: str) -> bool:
    return bool(COLLECTIVE.search(name.replace("(", "").replace(")", "")))


@dataclass
class Roles:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    deadline: str = ""  # a deadline written among the units (inline text)

    def add(self, role: str, text: str) -> None:
        getattr(self, role).extend(n for n in names_in(text) if n not in getattr(self, role))


def inline_roles(text: str) -> tuple[str, Roles]:
    """A task written as text with its units inline: (the task's own words, the roles and deadline it names)."""
    roles = Roles()
    labelled = list(_LABELLED.finditer(text))
    if labelled:
        body = _trimmed(text[:labelled[0].start()])
        for i, match in enumerate(labelled):
            end = labelled[i + 1].start() if i + 1 < len(labelled) else len(text)
            roles.add(ROLE_LABELS[match.group(1)], _trimmed(text[match.end():end]))
        return body, roles
    tail = re.search(r"[((]([^()()]*(?:牵头|负责|配合|参与|底前|月前|日前|长期|持续)[^()()]*)[))]\s*[。.]?\s*$", text)
    if not tail:
        return text, roles
    for part in re.split(r"[,,;;]", tail.group(1)):
        part = part.strip()
        if re.search(r"\d+\s*月|年底|长期|持续|每(月|季|年)", part):
            roles.deadline = part
        elif part.endswith("牵头"):
            roles.add("lead", part[:-2])
        elif re.search(r"配合|参与|协办", part):
            roles.add("cooperating", part)
        elif part:
            roles.add("responsible", part)
    return text[:tail.start()].rstrip(), roles


# ---------------------------------------------------------------- from names as written to units

@dataclass
class Resolved:
    units: list[str]  # the units that report, in the order first met
    meaning: dict[str, str]  # every name as written -> its unit
    joined: list[tuple[str, str]]  # (name as written, the unit it was taken for): a short form or a shared prefix
    unsure: dict[str, list[str]]  # name -> the units it may mean: settle in [aliases]
    collective: list[str]  # collective names kept as units of their own (not expanded in [groups])


def resolve(written: list[str], aliases: dict[str, str], groups: dict[str, tuple[str, ...]]) -> Resolved:
    """Every name written in the list, made a unit: [aliases] first, then a name's full form written elsewhere in the
    list (its characters in order, the same first and last character), else a unit of its own."""
    plain = [_unmarked(n) for n in written]
    full = list(dict.fromkeys(n for n in plain if n not in aliases and not is_collective(n)))
    meaning, joined, unsure, collective = {}, [], {}, []
    for raw, name in zip(written, plain):
        if name in aliases:
            meaning[raw] = aliases[name]
            continue
        if name in groups or is_collective(name):
            meaning[raw] = name
            if name not in groups and name not in collective:
                collective.append(name)
            continue
        if raw != name:  # a shared prefix: certain only when the prefixed name is written in full elsewhere
            prefixed = _prefixed(raw)
            meaning[raw] = prefixed if prefixed in full else name
            if prefixed in full:
                joined.append((_shown(raw), prefixed))
            continue
        longer = [other for other in full if other != name and abbreviates(name, other)]
        if len(longer) == 1:
            meaning[raw] = longer[0]
            joined.append((name, longer[0]))
        elif longer:
            unsure[name] = longer
        else:
            meaning[raw] = name
    units = list(dict.fromkeys(u for u in meaning.values()))
    return Resolved(units, meaning, joined, unsure, collective)


def abbreviates(short: str, name: str) -> bool:
    """short is a short form of name: shorter, the same first and last character, its characters in name in order."""
    if len(short) >= len(name) or short[0] != name[0] or short[-1] != name[-1]:
        return False
    rest = iter(name)
    return all(ch in rest for ch in short)


def _unmarked(name: str) -> str:
    return re.sub(r"^\((.+?)\)", "", name)


def _prefixed(name: str) -> str:
    return re.sub(r"^\((.+?)\)", r"\1", name)


def _shown(name: str) -> str:
    return _unmarked(name)
