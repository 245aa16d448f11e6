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

SEPARATORS = "、,,;;/ \t\n\r\u3000"
OPEN, CLOSE = "((【[", "))】]"
MARK = "\u2063"  # between a shared prefix given back and the name as written, until resolve() knows it is certain
LEVEL_PREFIX = re.compile(r"^(省|市|区|县|旗|州|盟|镇|乡|街道)")
TRAILING = re.compile(r"(等\d*个?(?:有关|相关)?(?:单位|部门)?|[((]?(?:(?:牵头|配合|参与)(?:单位|部门)?|按职责分工负责|按职责负责|分工负责|负责)[))]?)$")
COLLECTIVE = re.compile(r"^(各|全体|其他|其余)|各(有关|相关)?(部门|单位|镇街|街道|乡镇|镇|委办局)|(区|市|县)直(各)?(有关)?(部门|单位)|有关(部门|单位)$")
ROLE_LABELS = {"牵头": "lead", "主责": "lead", "责任": "responsible", "承办": "responsible", "配合": "cooperating",
               "参与": "cooperating", "协办": "cooperating"}
_LABELLED = re.compile(r"[【\[]?(牵头|主责|责任|承办|配合|参与|协办)(?:单位|部门)[】\]]?\s*[::]?\s*(?=\S)|"
                       r"[【\[]?(完成时限|完成时间|时间节点|时限要求|时限)[】\]]?\s*[::]\s*")
DEADLINE_WORDS = re.compile(r"\d+\s*月|\d{4}\s*年|年底|年内|年末|上半年|下半年|季度|长期|持续|常态|每(月|季|年|半年)")


def names_in(text: str) -> list[str]:
    """The unit names a cell lists, as written (a shared prefix given back, 等 and 负责 dropped, a name's own
    parentheses kept: 区委组织部(区编办))."""
    names: list[str] = []
    prefix = ""
    for token in _tokens(text or ""):
        name = token
        for _ in range(3):  # “区发改局”等。 / 等部门按职责分工负责 / 区发改局(牵头): marks and endings, in any order
            name = TRAILING.sub("", _unbalanced(name.strip("。.“”\"'"))).strip()
        if not name or re.fullmatch(r"\d.*|[((]?[一二三四五六七八九十]+[))、]?", name):
            continue
        level = LEVEL_PREFIX.match(name)
        if level:
            prefix = level.group(1)
        elif prefix and not is_collective(name) and names and LEVEL_PREFIX.match(_unmarked(names[-1])):
            name = f"{prefix}{MARK}{name}"
        names.append(name)
    return list(dict.fromkeys(names))


def _tokens(text: str) -> list[str]:
    """text split at the separators that are not inside brackets."""
    return _tokens_at(text, SEPARATORS)


def _unbalanced(name: str) -> str:
    """name without a bracket left open or closed at its ends (a list's own brackets around it)."""
    while name and name[0] in OPEN and not any(c in CLOSE for c in name):
        name = name[1:]
    while name and name[-1] in CLOSE and not any(c in OPEN for c in name):
        name = name[:-1]
    if name[:1] in OPEN and name[-1:] in CLOSE and sum(c in OPEN for c in name) == 1:
        name = name[1:-1]  # (区发改局): the whole name in brackets
    return name


def _trimmed(text: str) -> str:
    return re.sub(r"^[\s;;,,。]+|[\s;;,,。]+$", "", text)


def is_collective(name: str) -> bool:
    return bool(COLLECTIVE.search(_unmarked(name)))


@dataclass
class Roles:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    cooperating: list[str] = field(default_factory=list)
    deadline: str = ""  # a deadline written among the units (inline text)

    def add(self, role: str, text: str) -> None:
        getattr(self, role).extend(n for n in names_in(text) if n not in getattr(self, role))


def starts_with_label(line: str) -> bool:
    """A line that goes on the task above it: 牵头单位:… / 完成时限:…"""
    found = _LABELLED.match(line.strip())
    return bool(found)


def inline_roles(text: str) -> tuple[str, Roles]:
    """A task written as text with its units inline: (the task's own words, the roles and deadline it names)."""
    roles = Roles()
    labelled = [m for m in _LABELLED.finditer(text) if m.group(1) is None or m.group(0).rstrip().endswith((":", ":", "】", "]"))]
    if labelled:
        body = _trimmed(text[:labelled[0].start()])
        for i, match in enumerate(labelled):
            end = labelled[i + 1].start() if i + 1 < len(labelled) else len(text)
            value = _trimmed(text[match.end():end])
            if match.group(1):
                roles.add(ROLE_LABELS[match.group(1)], value)
            else:
                roles.deadline = value
        return body, roles
    start = _last_bracket(text)
    if start is None or not re.search(r"牵头|负责|配合|参与|协办", text[start:]):
        return text, roles  # no brackets at the end, or a remark in them (含各镇街), not the task's units
    deadline = []
    for part in (p.strip() for p in _tokens_at(text[start + 1:].rstrip(" 。.")[:-1], ",,;;")):
        if DEADLINE_WORDS.search(part) and not re.search(r"牵头|负责|配合|参与", part):
            deadline.append(part)
        elif part.endswith("牵头"):
            roles.add("lead", part[:-2])
        elif re.search(r"配合|参与|协办", part):
            roles.add("cooperating", part)
        elif part:
            roles.add("responsible", part)
    if not (roles.lead or roles.responsible or roles.cooperating):
        return text, Roles()  # a remark in brackets, not the task's units
    roles.deadline = ",".join(deadline)
    return text[:start].rstrip(), roles


def _last_bracket(text: str) -> int | None:
    """Where the bracket that closes the text opens (nested brackets inside it kept), or None."""
    end = len(text.rstrip(" 。."))
    if end == 0 or text[end - 1] not in CLOSE:
        return None
    depth = 0
    for index in range(end - 1, -1, -1):
        depth += (text[index] in CLOSE) - (text[index] in OPEN)
        if depth == 0:
            return index
    return None


def _tokens_at(text: str, separators: str) -> list[str]:
    """text split at separators outside brackets."""
    parts, current, depth = [], [], 0
    for ch in text:
        depth += (ch in OPEN) - (ch in CLOSE and depth > 0)
        if ch in separators and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    return [*parts, "".join(current)]


# ---------------------------------------------------------------- from names as written to units

@dataclass
class Resolved:
    units: list[str]  # the units that report, in the order first met
    meaning: dict[str, str]  # every name as written -> its unit
    joined: list[tuple[str, str]]  # (name as written, the unit it was taken for): a short form or a shared prefix
    unsure: dict[str, list[str]]  # name -> the units it may mean: settle in [aliases]
    collective: list[str]  # collective names kept as units of their own (not expanded in [groups])


def resolve(written: list[str], aliases: dict[str, str], groups: dict[str, tuple[str, ...]],
            together: list[set[str]] = ()) -> Resolved:
    """Every name written in the list, made a unit: [aliases] first, then a name's full form written elsewhere in the
    list (its characters in order, the same first and last character), else a unit of its own. Never joined: two names
    of one task (区委办 and 区委编办 side by side are two units), nor a name and one that begins with it (a branch:
    区市场监督管理局开发区分局)."""
    plain = [_unmarked(n) for n in written]
    full = list(dict.fromkeys(n for n in plain if n not in aliases and not is_collective(n)))
    apart = {name: set().union(*(names for names in together if name in names)) for name in full} if together else {}
    forms = {name: _longer(name, full, apart) for name in full}
    settle = {name: found[0] for name, found in forms.items() if len(found) == 1}  # a full name that is itself short
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
            if prefixed in full and (name, prefixed) not in joined:
                joined.append((name, prefixed))
            continue
        candidates = list(dict.fromkeys(settle.get(other, other) for other in forms.get(name, [])))
        if len(candidates) == 1:
            meaning[raw] = candidates[0]
            if (name, candidates[0]) not in joined:
                joined.append((name, candidates[0]))
        elif candidates:
            unsure[name] = candidates
        else:
            meaning[raw] = name
    units = list(dict.fromkeys(u for u in meaning.values()))
    return Resolved(units, meaning, joined, unsure, collective)


def _longer(name: str, full: list[str], apart: dict[str, set[str]]) -> list[str]:
    """The names written in full that name may be short for."""
    return [other for other in full if other != name and abbreviates(name, other) and not other.startswith(name)
            and other not in apart.get(name, ())]


def abbreviates(short: str, name: str) -> bool:
    """short is a short form of name: shorter, the same first and last character, its characters in name in order."""
    if len(short) >= len(name) or short[0] != name[0] or short[-1] != name[-1]:
        return False
    rest = iter(name)
    return all(ch in rest for ch in short)


def _unmarked(name: str) -> str:
    return name.rsplit(MARK, 1)[-1]


def _prefixed(name: str) -> str:
    return name.replace(MARK, "")


