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

from ..base.problems import CORRUPT_ZIP, DANGLING_LINK, LINK_INSIDE_INBOX, LINK_OUTSIDE_INBOX, NOT_A_FILE, UNREADABLE_FILE, ZIP_ENCRYPTED, ZIP_TOO_LARGE
from .mailparse import MAX_MESSAGE_BYTES, MailTooComplex, attachment_parts, is_sidecar, message_facts, parse, payload, read_sidecar, received_time
from .zipsafe import TooLarge, bounded_read, decoded_name, directory_problem, is_encrypted, is_workbook, limit_problem

ZIP_SUFFIXES = {".zip"}
MAIL_SUFFIXES = {".eml"}


@dataclass(frozen=True)
class InboxItem:
    """One thing to read: a file, or one member of a zip attachment (member set)."""

    path: Path  # the file on disk: the zip itself for a member
    name: str  # what people see: the path below the inbox, or "附件.zip/成员名"
    member: int = -1  # for a member of a zip attachment: its position in the zip (names may repeat)
    container: bool = False  # a zip attachment itself, archived as received
    problem: str = ""  # a problem code when the entry cannot be read at all
    detail: str = ""  # the fact that problem's message names
    received: str = ""  # when the office received it, as far as the inbox tells (ISO date or time)
    received_source: str = ""  # how that is known: 邮件服务器 / 收件目录日期 / 邮件收到时间(Received)
    via: str = ""  # for a member: "zip" (a zip attachment) or "eml" (a saved mail message)
    origin: str = ""  # the mail message the file came with, when it came by mail

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
    if root.is_file() and not root.is_symlink():  # one file sent early for a check (merge --dry-run 文件)
        found, skipped = _entry_items(root.parent, root, display_name(root.name))
        return found, skipped
    items: list[InboxItem] = []
    ignored: list[str] = []
    for path, name, error in _walk(root, root):
        if error:
            items.append(InboxItem(path, name, problem=UNREADABLE_FILE, detail=error))
        elif is_sidecar(name):
            continue  # fetch's own record of the attachment beside it: neither received nor a temporary file
        elif is_ignored(name):
            ignored.append(name)
        else:
            found, skipped = _entry_items(root, path, name)
            items.extend(_when_received(path, name, found))
            ignored.extend(skipped)
    return items, ignored


_DATE_FOLDER = re.compile(r"^(\d{4})\s*[-./_年]?\s*(\d{1,2})\s*[-./_月]?\s*(\d{1,2})\s*日?$")


def _when_received(path: Path, name: str, items: list[InboxItem]) -> list[InboxItem]:
    """What the inbox tells of when the office received an entry: a fetched message's sidecar (the mail server's
    time), else a date-named folder. A saved message's own items already carry its Received time."""
    facts = read_sidecar(path)
    if facts.get("收到时间"):
        origin = f"邮件“{facts.get('主题', '')}”(发件人 {facts.get('发件人', '')},收到 {facts['收到时间'][:16]})"
        return [replace(i, received=facts["收到时间"], received_source="邮件服务器", origin=origin) for i in items]
    day = folder_date(name)
    return [replace(i, received=day, received_source="收件目录日期") if day and not i.received else i for i in items]


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
        if entry.is_dir(follow_symlinks=False) and not is_link(entry.stat(follow_symlinks=False)):
            yield from _walk(root, path)  # a folder named like a file (“表.xlsx/”) is a folder
        else:
            yield path, name, ""


def _entry_items(root: Path, path: Path, name: str) -> tuple[list[InboxItem], list[str]]:
    """(items, ignored member names) of one directory entry."""
    try:
        info = os.lstat(path)
    except OSError as exc:
        return [InboxItem(path, name, problem=UNREADABLE_FILE, detail=exc.strerror or str(exc))], []
    if is_link(info):
        return [_link_item(root, path, name)], []
    if not stat.S_ISREG(info.st_mode):
        return [InboxItem(path, name, problem=NOT_A_FILE, detail="设备或管道文件")], []
    if path.suffix.lower() in ZIP_SUFFIXES:
        return _zip_items(path, name)
    if path.suffix.lower() in MAIL_SUFFIXES:
        return _mail_items(path, name), []
    return [InboxItem(path, name)], []


def _mail_items(path: Path, name: str) -> list[InboxItem]:
    """A message saved from a mail client: the message itself (archived as received) and each attachment."""
    try:
        if path.stat().st_size > MAX_MESSAGE_BYTES:
            return [InboxItem(path, name, container=True, problem=ZIP_TOO_LARGE, detail=f"邮件超过 {MAX_MESSAGE_BYTES // 2**20} MB")]
        message = parse(path.read_bytes())
        found = attachment_parts(message)  # names only: listing decodes nothing
        when, how = received_time(message)
    except MailTooComplex as exc:  # kept and archived as received, never opened further
        return [InboxItem(path, name, container=True, problem=ZIP_TOO_LARGE, detail=exc.args[0])]
    except Exception as exc:  # a damaged message is one problem, never the batch's end
        return [InboxItem(path, name, container=True, problem=CORRUPT_ZIP, detail=type(exc).__name__)]  # kept as received
    facts = message_facts(message)
    origin = f"邮件“{facts['主题']}”(发件人 {facts['发件人']})"
    items = [InboxItem(path, name, container=True, received=when, received_source=how, origin=origin)]
    items += [InboxItem(path, f"{name}/{part}", index, via="eml", received=when, received_source=how, origin=origin)
              for index, (part, _) in enumerate(found)]
    return items


def is_link(info: os.stat_result) -> bool:
    """A symbolic link, or on Windows any reparse point (a directory junction is one, and is_dir() follows it)."""
    attributes = getattr(info, "st_file_attributes", 0)
    return stat.S_ISLNK(info.st_mode) or bool(attributes & getattr(stat, "FILE_ATTRIBUTE_REPARSE_POINT", 0))


def _link_item(root: Path, path: Path, name: str) -> InboxItem:
    target = Path(os.path.realpath(path))
    inbox = root.resolve()
    if not target.exists():
        return InboxItem(path, name, problem=DANGLING_LINK, detail=display_name(os.readlink(path)))
    if target != inbox and inbox not in target.parents:
        return InboxItem(path, name, problem=LINK_OUTSIDE_INBOX, detail=display_name(str(target)))
    inside = "收件目录本身" if target == inbox else display_name(target.relative_to(inbox).as_posix())
    return InboxItem(path, name, problem=LINK_INSIDE_INBOX, detail=inside)


def _zip_items(path: Path, name: str) -> tuple[list[InboxItem], list[str]]:
    """The zip itself (to archive as received) and each member, as if it lay in the inbox.

    A workbook that merely carries a .zip name (an .xlsx or .ods saved so by a browser) is one item.
    Whatever the zip holds, listing it never stops the batch: the zip becomes a problem instead.
    """
    try:
        too_large = directory_problem(path)
    except OSError as exc:  # no permission to read it, or gone: one named problem, never the batch's end
        return [InboxItem(path, name, problem=UNREADABLE_FILE, detail=exc.strerror or str(exc))], []
    if too_large:
        return [InboxItem(path, name, container=True, problem=ZIP_TOO_LARGE, detail=too_large)], []
    try:
        with zipfile.ZipFile(path) as archive:
            if is_workbook(archive):
                return [InboxItem(path, name)], []
            too_large = limit_problem(archive)
            members = [(index, info, decoded_name(info)) for index, info in enumerate(archive.infolist()) if not info.is_dir()]
    except Exception as exc:  # a hostile directory raises many types (NotImplementedError, IndexError, ...)
        return [InboxItem(path, name, container=True, problem=CORRUPT_ZIP, detail=type(exc).__name__)], []  # kept as received
    if too_large:  # kept and archived as received, never opened further
        return [InboxItem(path, name, container=True, problem=ZIP_TOO_LARGE, detail=too_large)], []
    items, ignored = [InboxItem(path, name, container=True)], []
    for index, info, member in members:
        member_name = f"{name}/{member}"
        if is_ignored(member_name):
            ignored.append(member_name)
        else:
            items.append(InboxItem(path, member_name, index, via="zip", problem=ZIP_ENCRYPTED if is_encrypted(info) else ""))
    return items, ignored


def read_bytes(item: InboxItem, cap: int) -> tuple[bytes, dt.datetime | None]:
    """An item's bytes as received (never more than cap) and the time its file system or zip gives it."""
    if item.via == "eml":
        data = payload(attachment_parts(parse(item.path.read_bytes()))[item.member][1])  # only the one asked for
        if len(data) > cap:
            raise TooLarge(item.name)
        return data, None
    if item.member >= 0:
        with zipfile.ZipFile(item.path) as archive:
            info = archive.infolist()[item.member]
            return bounded_read(archive, info, cap), _zip_time(info)
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOFOLLOW", 0)  # a file swapped for a link is not followed
    descriptor = os.open(item.path, flags)
    with os.fdopen(descriptor, "rb") as stream:
        info = os.fstat(stream.fileno())
        if info.st_size > cap:
            raise TooLarge(item.name)
        # asked for what the file holds, not for cap: a buffer of cap bytes made and shrunk per file took twice as long
        # as the read (a re-merge hashes every file); a file that grew since fstat is read on, still within cap
        data = stream.read(min(info.st_size, cap) + 1)
        if len(data) > info.st_size:
            data += stream.read(cap + 1 - len(data))
    if len(data) > cap:
        raise TooLarge(item.name)
    return data, dt.datetime.fromtimestamp(info.st_mtime).replace(microsecond=0)


def _zip_time(info: zipfile.ZipInfo) -> dt.datetime | None:
    try:
        return dt.datetime(*info.date_time)
    except ValueError:
        return None
