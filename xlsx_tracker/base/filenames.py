"""One safe file name for everything the tool names from outside data: unit names, attachment names, materials.

A name made here opens and copies on the office's Windows PC and on a Linux server alike: no \\/:*?"<>| or control
characters, no leading space, no trailing dot or space, no device name (CON, NUL, COM1, LPT1…, with any extension:
“nul.pdf” opens the device), at most NAME_UNITS UTF-16 units (Windows' count) and NAME_BYTES bytes of UTF-8 (what
Linux file systems allow), the extension kept when a long name is cut; and `unique` keeps two files apart.
"""

from __future__ import annotations

import re

from .words import cut_phrase

NAME_BYTES = 240  # Linux: 255 bytes a name, less room for a "(2)" and a temporary suffix
NAME_UNITS = 200  # Windows: 255 UTF-16 units a name; the whole path must stay under 260 too (callers budget it)

FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')
RESERVED = ({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
             | {f"{kind}{n}" for kind in ("COM", "LPT") for n in [*"0123456789", "¹", "²", "³"]})


def own_name(path_text: str) -> str:
    """A file's own name from a path as any system wrote it (inbox folders, a zip's folders, a browser's C:\\…)."""
    return path_text.replace("\\", "/").rsplit("/", 1)[-1]


def windows_name(name: str) -> str:
    """name made a valid Windows file or folder name: no \\/:*?"<>| or control characters, no leading space, no
    trailing dot or space, no leading dot (a hidden file on Linux, ".." a step up), and no device name (CON, NUL,
    COM1, LPT1…, with any extension: “nul.pdf” opens the device)."""
    cleaned = FORBIDDEN.sub("_", name).strip(" .")
    if not cleaned:
        return "_"
    if cleaned.split(".")[0].rstrip(" ").upper() in RESERVED:
        cleaned = f"_{cleaned}"
    return cleaned


def fit(name: str, limit: int, suffix: str = "") -> str:
    """name as a Windows name of at most limit UTF-16 units with suffix before its extension; a long stem is cut
    at a phrase boundary, the extension is kept."""
    cleaned = windows_name(name)
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or not 1 <= len(extension) <= 10 or " " in extension:
        stem, extension = cleaned, ""
    extension = f".{extension}" if extension else ""
    room = limit - units(suffix + extension)
    if units(stem) > room:
        stem = shorten(cut_phrase(stem, room), room)
    while len(f"{stem}{suffix}{extension}".encode()) > NAME_BYTES and len(stem) > 1:  # Linux counts bytes
        stem = stem[:-1]
    return windows_name(f"{stem}{suffix}{extension}")


def shorten(name: str, limit: int) -> str:
    while units(name) > limit:
        name = name[:-1]
    return name.rstrip(" .") or "_"


def units(text: str) -> int:
    """Length as Windows counts it (UTF-16 code units: a character beyond the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def safe_name(name: str, limit: int = NAME_UNITS, suffix: str = "") -> str:
    """name as a file name safe on Windows and Linux: fit to limit UTF-16 units and NAME_BYTES bytes, extension kept."""
    fitted = fit(name, limit, suffix)
    while len(fitted.encode("utf-8")) > NAME_BYTES:
        limit -= max(1, (len(fitted.encode("utf-8")) - NAME_BYTES) // 3)
        fitted = fit(name, limit, suffix)
    return fitted


def unique(name: str, used: set[str], limit: int = NAME_UNITS) -> str:
    """safe_name(name), or "stem(2).ext", "(3)"… when a name in used (compared as Windows compares: case ignored)
    already has it; the name chosen is added to used."""
    candidate, number = safe_name(name, limit), 1
    while candidate.casefold() in used:
        number += 1
        candidate = safe_name(name, limit, f"({number})")
    used.add(candidate.casefold())
    return candidate
