"""The office mailbox: fetch the month's returns over IMAP (sending is in mail/sending).

fetch saves every attachment of every message received since the month was issued into inbox/<month>/<day>/,
with a hidden sidecar holding its message's facts and the server's receipt time (INTERNALDATE), and records what it
saved in the ledger so that a second fetch saves nothing twice. It reads with BODY.PEEK and never deletes or
flags mail unless asked (mark_read). The password is never stored: it comes from XLSX_TRACKER_MAIL_PASSWORD or is
asked for.

Whatever a message holds, it is one message: one beyond the bounds of mailparse (too large, nested too deep, too
many parts, headers too long) or one that cannot be read is left in the mailbox and named with the reason, and the
next message is fetched. Attachments are saved under base.filenames' safe names (the name as sent is kept in the
sidecar). Each attachment is written sidecar first, then the file, then its ledger record, each whole or not at
all: a fetch killed part-way leaves nothing that the next fetch would save again (a file already on disk with its
sidecar naming the same message and content is recognised and recorded, not copied as "(2)").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import imaplib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..base.digests import file_sha256
from ..base.filenames import NAME_UNITS, unique
from ..base.model import TrackerError
from ..base.sheetio import atomic_path
from ..base.workspace import workspace_lock
from ..calendar.workdays import previous_month
from ..intake.mailparse import (
    MAX_MESSAGE_BYTES,
    SIDECAR_SUFFIX,
    MailTooComplex,
    attachment_scan,
    headline,
    is_sidecar,
    message_facts,
    parse,
    payload,
    read_sidecar,
    server_time,
    write_sidecar,
)
from ..month import ledger, mail_ledger
from ..month.run import MonthRun

PASSWORD_VARIABLE = "XLSX_TRACKER_MAIL_PASSWORD"
CLIENT_ID = '("name" "xlsx-tracker" "version" "1" "vendor" "xlsx-tracker")'  # RFC 2971: NetEase refuses SELECT without it
WINDOWS_PATH = 259  # characters of a whole path the office's Windows PC opens (MAX_PATH less the terminating NUL)
SHORTEST_NAME = 60  # a name is never cut below this to fit a deep workspace folder
LONG_HEADER = 2000  # characters of a header beyond which a message is known by its bytes as received
HEAD = "(RFC822.SIZE INTERNALDATE BODY.PEEK[HEADER.FIELDS (FROM SUBJECT DATE MESSAGE-ID)]<0.16384>)"


@dataclass
class Fetched:
    messages: int = 0  # messages looked at
    saved: list[Path] = field(default_factory=list)
    already: int = 0  # attachments saved by an earlier fetch
    without_attachment: list[str] = field(default_factory=list)  # subjects
    left_out: list[str] = field(default_factory=list)  # messages and attachments not saved, each with why, in Chinese
    before_issue: list[str] = field(default_factory=list)  # messages received before the month's workbooks went out


def inbox_folder(run: MonthRun) -> Path:
    return run.workspace.inbox_dir(run.month)


def fetched_lines(run: MonthRun, result: Fetched) -> list[str]:
    """What a fetch says, in the command line and the local page alike."""
    lines = [f"查看邮件 {result.messages} 封:新保存附件 {len(result.saved)} 个,此前已保存 {result.already} 个,保存在 {inbox_folder(run)}"]
    if result.without_attachment:
        lines.append(f"没有附件的邮件 {len(result.without_attachment)} 封:" + "、".join(f"“{s}”" for s in result.without_attachment))
    if result.left_out:
        lines.append(f"未能保存的邮件或附件 {len(result.left_out)} 处(其余邮件照常保存):")
        lines += [f"  {note}" for note in result.left_out]
    if result.before_issue:
        lines.append(f"本月表格下发({first_issued(run)[:16]})前收到的邮件 {len(result.before_issue)} 封未保存(应属以前月份,"
                     f"可用 xlsx-tracker fetch --month {previous_month(run.month)} 收取):")
        lines += [f"  {note}" for note in result.before_issue]
    return lines


def first_issued(run: MonthRun) -> str:
    """When the month's workbooks first went out (the office's wall clock), or "" when none were recorded."""
    return min((at for issues in run.snapshots().values() for at in issues), default="")


def since_date(run: MonthRun) -> dt.date:
    """The day before the month's workbooks went out (the earliest recorded issue), else before the first of the month.

    A day early because IMAP's SINCE compares the server's receipt date in the server's own timezone, while the issue
    time is the office's wall clock: a return received at 00:20 Beijing time on the issue day is still the day before
    on a server kept in UTC. What the margin brings in that arrived before the issue is passed over (see _fetch_one)."""
    issued = first_issued(run)
    if issued:
        return dt.date.fromisoformat(issued[:10]) - dt.timedelta(days=1)
    year, month = (int(x) for x in run.month.split("-"))
    return dt.date(year, month, 1) - dt.timedelta(days=1)


def connect_imap(run: MonthRun, password: str) -> imaplib.IMAP4:
    settings = run.master.settings.mail
    if not settings.user:
        raise TrackerError("设置文件 [mail] 中没有填写邮箱地址 user。请在 master_template/settings.toml 中填写。")
    try:
        client = imaplib.IMAP4_SSL(settings.host, settings.port) if settings.tls else imaplib.IMAP4(settings.host, settings.port)
    except (OSError, imaplib.IMAP4.error) as exc:
        raise TrackerError(f"无法连接收信服务器 {settings.host}:{settings.port}({exc})。请检查网络和 [mail] 设置。") from exc
    try:
        client.login(settings.user, password)
    except imaplib.IMAP4.error as exc:
        client.logout()
        raise TrackerError(f"邮箱 {settings.user} 登录失败({_text(exc)})。网易邮箱请使用“客户端授权码”而不是登录密码,"
                           f"并确认已开启 IMAP 服务。") from exc
    client.xatom("ID", CLIENT_ID)
    return client


def _text(exc: Exception) -> str:
    return exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)


def fetch(run: MonthRun, password: str, *, mark_read: bool = False, on_wait=None) -> Fetched:
    """Save the attachments of every message received since the month was issued."""
    settings = run.master.settings.mail
    result = Fetched()
    client = connect_imap(run, password)
    try:
        status, _ = client.select(_quoted(settings.folder), readonly=not mark_read)
        if status != "OK":
            raise TrackerError(f"邮箱中没有文件夹“{settings.folder}”。请检查 [mail] 的 folder 设置。")
        since = since_date(run).strftime("%d-%b-%Y")
        _, found = client.uid("SEARCH", None, f"SINCE {since}")
        uids = found[0].split() if found and found[0] else []
        with workspace_lock(run.workspace, on_wait), run.ledger() as conn:
            saver = Saver(run, conn, result)
            for uid in uids:
                if _fetch_one(client, uid, saver) and mark_read:
                    client.uid("STORE", uid, "+FLAGS", r"(\Seen)")
    except (OSError, imaplib.IMAP4.error) as exc:  # abort is a kind of error; a BAD answer too
        raise TrackerError(f"与收信服务器的连接中断({_text(exc)})。已保存的附件都已记录,重新运行 fetch 会接着收取,"
                           "不会重复保存。") from exc
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return result


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _fetch_one(client: imaplib.IMAP4, uid: bytes, saver: Saver) -> bool:
    """Look at one message: its size and headers first, the whole message only when within the bounds. True when
    everything in it is saved (now or before)."""
    status, data = client.uid("FETCH", uid, HEAD)
    meta = b" ".join(item[0] if isinstance(item, tuple) else item for item in data or [] if isinstance(item, bytes | tuple))
    if status != "OK" or not meta:  # never a message skipped without a word
        saver.result.messages += 1
        return saver.left_out({}, "", "收信服务器未能提供该邮件")
    received = office_received(server_time(meta), saver.run.master.settings.zone)
    if received and received[:19] < saver.since:  # came before the month's workbooks went out: an earlier month's mail
        saver.result.before_issue.append(about(headline(_head(data)), received))
        return False
    saver.result.messages += 1
    size = re.search(rb"RFC822\.SIZE (\d+)", meta)
    if size and int(size.group(1)) > MAX_MESSAGE_BYTES:
        return saver.left_out(headline(_head(data)), received, f"邮件超过 {MAX_MESSAGE_BYTES // 2**20} MB")
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    raw = next((item[1] for item in data or [] if isinstance(item, tuple) and len(item) == 2), None)
    if status != "OK" or raw is None:
        return saver.left_out({}, received, "收信服务器未能提供该邮件")
    return saver.message(raw, received)


def _head(data) -> bytes:
    """The header block an IMAP FETCH answer holds, or b"" when it holds none."""
    return next((item[1] for item in data if isinstance(item, tuple) and len(item) == 2), b"") or b""


def office_received(local: str, zone: dt.tzinfo) -> str:
    """The server's receipt time (this computer's wall clock) as the office's, with its offset: the day folder and
    the name prefix are the office's day and time, and merge reads the offset back without converting twice."""
    return dt.datetime.fromisoformat(local).astimezone(zone).isoformat(sep=" ") if local else ""


def about(facts: dict[str, str], received: str) -> str:
    """A message as the office finds it in its mailbox: subject, sender, when it arrived."""
    return (f"邮件“{facts.get('主题') or '(无主题)'}”(发件人 {facts.get('发件人') or '不详'},"
            f"收到 {received[:16] or '时间不详'})")


class Saver:
    """Saves the attachments of fetched messages into the month's inbox, each once."""

    def __init__(self, run: MonthRun, conn, result: Fetched):
        self.run, self.conn, self.result = run, conn, result
        self.since = first_issued(run)  # office time; a message received before it is not this month's
        self.known = mail_ledger.fetched(conn)
        self.used: dict[Path, set[str]] = {}  # folder -> names in it (case folded)
        self.on_disk: dict[Path, dict[tuple[str, str], Path]] = {}  # folder -> (message key, digest) -> saved file

    def left_out(self, facts: dict[str, str], received: str, why: str) -> bool:
        self.result.left_out.append(f"{about(facts, received)}:{why},未保存其中的附件。请在邮箱中查看该邮件,或请发件单位重新发送。")
        return False

    def message(self, raw: bytes, received: str) -> bool:
        try:
            message = parse(raw)
            found, skipped = attachment_scan(message)
            facts = message_facts(message)
        except MailTooComplex as exc:
            return self.left_out(headline(raw), received, exc.args[0])
        except Exception as exc:  # a message no parser makes sense of is one message left out, never the batch's end
            return self.left_out(headline(raw), received, f"邮件无法解读({type(exc).__name__})")
        self.result.left_out += [f"{about(facts, received)}:{why}。请在邮箱中查看该邮件。" for why in skipped]
        if not found and not skipped:
            self.result.without_attachment.append(facts["主题"])
            return True
        key = facts["Message-ID"] or _digest_of(message, raw)
        folder = inbox_folder(self.run) / (received[:10] or "收到时间不详")
        complete = not skipped
        for name, part in found:
            try:
                self._attachment(folder, key, facts, received, name, payload(part))
            except Exception as exc:  # one attachment not written (a refused name, a full disk) is named; the rest go on
                complete = False
                why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
                self.result.left_out.append(f"{about(facts, received)}的附件“{name[:100]}”未能保存({why})。")
        return complete

    def _attachment(self, folder: Path, key: str, facts: dict[str, str], received: str, name: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        if (key, digest) in self.known:
            self.result.already += 1
            return
        path = self._saved_before(folder, key, digest)
        if path is None:
            stamp = received[11:19].replace(":", "")
            path = folder / unique(f"{stamp}_{name}" if stamp else name, self._used(folder), _room(folder))
            write_sidecar(path, {**facts, "收到时间": received, "附件名": name, "邮件标识": key, "SHA-256": digest})
            with atomic_path(path) as tmp:
                tmp.write_bytes(data)
            self.result.saved.append(path)
        else:
            self.result.already += 1  # saved by a fetch killed before it recorded the file
        with ledger.transaction(self.conn):
            mail_ledger.record_fetch(self.conn, key, digest, self.run.month, str(path.relative_to(self.run.workspace.root)), received)
        self.known.add((key, digest))

    def _used(self, folder: Path) -> set[str]:
        if folder not in self.used:
            self.used[folder] = {name.casefold() for name in (os.listdir(folder) if folder.is_dir() else [])}
        return self.used[folder]

    def _saved_before(self, folder: Path, key: str, digest: str) -> Path | None:
        """A file in folder saved from this message with this content, whose ledger record a kill prevented."""
        if folder not in self.on_disk:
            index = {}
            for name in sorted(os.listdir(folder) if folder.is_dir() else []):
                if is_sidecar(name):
                    path = folder / name[1:-len(SIDECAR_SUFFIX)]
                    facts = read_sidecar(path)
                    if facts.get("邮件标识") and facts.get("SHA-256") and path.is_file():
                        index[(facts["邮件标识"], facts["SHA-256"])] = path
            self.on_disk[folder] = index
        path = self.on_disk[folder].get((key, digest))
        if path is not None and file_sha256(path) == digest:
            return path
        return None


def _room(folder: Path) -> int:
    """How long (UTF-16 units) a name may be in folder, its hidden sidecar's longer name within the Windows path limit."""
    sidecar_extra = len("." + SIDECAR_SUFFIX)
    return max(SHORTEST_NAME, min(NAME_UNITS, WINDOWS_PATH - len(str(folder.absolute())) - 1 - sidecar_extra))


def _digest_of(message, raw: bytes) -> str:
    """A message without a Message-ID is known by its digest: of the message re-written, as fetch always did, unless
    a header is long (re-writing decodes it again, in quadratic time), then of the message as received."""
    if any(len(str(value)) > LONG_HEADER for part in message.walk() for _, value in part.raw_items()):
        return hashlib.sha256(raw).hexdigest()
    try:
        return hashlib.sha256(message.as_bytes()).hexdigest()
    except Exception:  # a message the generator cannot write again
        return hashlib.sha256(raw).hexdigest()


