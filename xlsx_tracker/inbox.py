"""The inbox as a list of items: every file, every member of a zip attachment, and every entry that cannot
be read (a link, a file without permission), each with a name a person can read. Nothing here is opened
beyond a zip's directory; links are never followed."""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from .zipsafe import decoded_name, is_encrypted, limit_problem

ZIP_SUFFIXES = {".zip"}


@dataclass(frozen=True)
class InboxItem:
    """One thing to read: a file, or one member of a zip attachment (member set)."""

    path: Path  # the file on disk: the zip itself for a member
    name: str  # what people see: the path below the inbox, or "附件.zip/成员名"
    member: str = ""  # the member's name inside the zip, as zipfile knows it
    container: bool = False  # a zip attachment itself, archived as received
    problem: str = ""  # a problem code when the entry cannot be read at all
    detail: str = ""  # the fact that problem's message names
    received: str = ""  # when the office received it, as far as the inbox tells (ISO date or time)
    received_source: str = ""  # how that is known: 邮件服务器 / 收件目录日期

    @property
    def suffix(self) -> str:
        return Path(self.name).suffix.lower()


def display_name(raw: str) -> str:
    """A file name fit to show and store: names that are not valid UTF-8 (raw GBK bytes left by unzip) decoded as GB18030."""
    try:
        raw.encode("utf-8")
        return raw
    except UnicodeEncodeError:  # lone surrogates from os.fsdecode
        return os.fsencode(raw).decode("gb18030", errors="replace")


def is_ignored(name: str) -> bool:
    """Lock files that Excel, WPS and LibreOffice leave beside an open file, and hidden files."""
    base = name.rsplit("/", 1)[-1]
    return base.startswith(("~$", ".~lock.", "."))


def list_inbox(inbox: Path) -> tuple[list[InboxItem], list[str]]:
    """(items to read, names of ignored lock files), in a stable order."""
    root = Path(inbox)
    items: list[InboxItem] = []
    ignored: list[str] = []
    for path, name, error in _walk(root, root):
        if error:
            items.append(InboxItem(path, name, problem="unreadable-file", detail=error))
        elif is_ignored(name):
            ignored.append(name)
        else:
            day = folder_date(name)
            items.extend(replace(i, received=day, received_source="收件目录日期") if day else i
                         for i in _entry_items(root, path, name))
    return items, ignored


_DATE_FOLDER = re.compile(r"^(\d{4})\s*[-./_年]?\s*(\d{1,2})\s*[-./_月]?\s*(\d{1,2})\s*日?$")


def folder_date(name: str) -> str:
    """The date of the nearest folder named like a day (收件箱/2024-05-19/…, 20240519, 2024年5月19日), or ''."""
    for folder in reversed(name.split("/")[:-1]):
        found = _DATE_FOLDER.match(folder)
        if found:
            try:
                return dt.date(*(int(g) for g in found.groups())).isoformat()
            except ValueError:
                continue
    return ""


def _walk(root: Path, folder: Path):
    """(path, name, error) of every entry below folder, depth first, sorted; links are returned, never followed."""
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        if folder != root:
            yield folder, display_name(folder.relative_to(root).as_posix()) + "/", exc.strerror or str(exc)
        return
    for entry in entries:
        path = Path(entry.path)
        name = display_name(path.relative_to(root).as_posix())
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(root, path)  # a folder named like a file (“表.xlsx/”) is a folder
        else:
            yield path, name, ""


def _entry_items(root: Path, path: Path, name: str) -> list[InboxItem]:
    try:
        mode = os.lstat(path).st_mode
    except OSError as exc:
        return [InboxItem(path, name, problem="unreadable-file", detail=exc.strerror or str(exc))]
    if stat.S_ISLNK(mode):
        return [_link_item(root, path, name)]
    if not stat.S_ISREG(mode):
        return [InboxItem(path, name, problem="not-a-file", detail="设备或管道文件")]
    if path.suffix.lower() in ZIP_SUFFIXES:
        return _zip_items(path, name)
    return [InboxItem(path, name)]


def _link_item(root: Path, path: Path, name: str) -> InboxItem:
    target = Path(os.path.realpath(path))
    if not target.exists():
        return InboxItem(path, name, problem="dangling-link", detail=os.readlink(path))
    if root.resolve() not in target.parents:
        return InboxItem(path, name, problem="link-outside-inbox", detail=str(target))
    return InboxItem(path, name, problem="link-inside-inbox", detail=display_name(target.relative_to(root.resolve()).as_posix()))


def _zip_items(path: Path, name: str) -> list[InboxItem]:
    """The zip itself (to archive as received) and each member, as if it lay in the inbox."""
    try:
        with zipfile.ZipFile(path) as archive:
            too_large = limit_problem(archive)
            infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        return [InboxItem(path, name, problem="corrupt-zip", detail=type(exc).__name__)]
    if too_large:  # kept and archived as received, never opened further
        return [InboxItem(path, name, container=True, problem="zip-too-large", detail=too_large)]
    items = [InboxItem(path, name, container=True)]
    for info in infos:
        member_name = f"{name}/{decoded_name(info)}"
        if is_ignored(member_name):
            continue
        if is_encrypted(info):
            items.append(InboxItem(path, member_name, info.filename, problem="zip-encrypted"))
        else:
            items.append(InboxItem(path, member_name, info.filename))
    return items
