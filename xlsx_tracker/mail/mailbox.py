"""The office mailbox: fetch the month's returns over IMAP, and send receipts and reminders over SMTP.

fetch saves every attachment of every message received since the month was issued into inbox/<month>/, with a
hidden sidecar holding its message's facts and the server's receipt time (INTERNALDATE), and records what it
saved in the ledger so that a second fetch saves nothing twice. It reads with BODY.PEEK and never deletes or
flags mail unless asked (mark_read). send is a dry run unless told to send, and never sends one notice twice.
The password is never stored: it comes from XLSX_TRACKER_MAIL_PASSWORD or is asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import imaplib
import smtplib
import ssl
from dataclasses import dataclass, field
from pathlib import Path

from ..base.model import TrackerError
from ..base.sheetio import atomic_path
from ..base.workspace import workspace_lock
from ..intake.mailparse import attachments, message_facts, parse, server_time, write_sidecar
from ..master.units import safe_filename
from ..month import ledger
from ..month.run import MonthRun
from ..outputs.notices import content_digest, receipt_stem, reminder_stem

PASSWORD_VARIABLE = "XLSX_TRACKER_MAIL_PASSWORD"
CLIENT_ID = '("name" "xlsx-tracker" "version" "1" "vendor" "xlsx-tracker")'  # RFC 2971: NetEase refuses SELECT without it


@dataclass
class Fetched:
    messages: int = 0  # messages looked at
    saved: list[Path] = field(default_factory=list)
    already: int = 0  # attachments saved by an earlier fetch
    without_attachment: list[str] = field(default_factory=list)  # subjects


def inbox_folder(run: MonthRun) -> Path:
    return run.workspace.inbox_dir(run.month)


def since_date(run: MonthRun) -> dt.date:
    """The day the month's workbooks went out (the earliest recorded issue), else the first of the month."""
    issued = [at for issues in run.snapshots().values() for at in issues]
    if issued:
        return dt.date.fromisoformat(min(issued)[:10])
    year, month = (int(x) for x in run.month.split("-"))
    return dt.date(year, month, 1)


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
        with workspace_lock(run.workspace, on_wait), run.ledger() as conn, ledger.transaction(conn):
            known = ledger.fetched(conn)
            for uid in uids:
                _, data = client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
                raw, meta = _message_bytes(data)
                if raw is None:
                    continue
                result.messages += 1
                _save(run, conn, parse(raw), server_time(meta), known, result)
                if mark_read:
                    client.uid("STORE", uid, "+FLAGS", r"(\Seen)")
    finally:
        try:
            client.logout()
        except (OSError, imaplib.IMAP4.error):
            pass
    return result


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _message_bytes(data) -> tuple[bytes | None, bytes]:
    for item in data or []:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1], item[0]
    return None, b""


def _save(run: MonthRun, conn, message, received: str, known: set[tuple[str, str]], result: Fetched) -> None:
    facts = message_facts(message)
    message_id = facts["Message-ID"] or hashlib.sha256(message.as_bytes()).hexdigest()
    found = attachments(message)
    if not found:
        result.without_attachment.append(facts["主题"])
        return
    folder = inbox_folder(run) / (received[:10] or "收到时间不详")
    for name, data in found:
        digest = hashlib.sha256(data).hexdigest()
        if (message_id, digest) in known:
            result.already += 1
            continue
        path = _free_name(folder, f"{received[11:19].replace(':', '')}_{safe_filename(name)}")
        with atomic_path(path) as tmp:
            tmp.write_bytes(data)
        write_sidecar(path, {**facts, "收到时间": received, "附件名": name})
        ledger.record_fetch(conn, message_id, digest, run.month, str(path.relative_to(run.workspace.root)), received)
        known.add((message_id, digest))
        result.saved.append(path)


def _free_name(folder: Path, name: str) -> Path:
    path, n = folder / name, 1
    while path.exists():
        n += 1
        path = folder / f"{Path(name).stem}({n}){Path(name).suffix}"
    return path


# ---------------------------------------------------------------- sending


@dataclass
class Outgoing:
    unit: str
    to: str
    subject: str
    path: Path  # the .eml draft or the receipt
    digest: str


@dataclass
class Sent:
    planned: list[Outgoing] = field(default_factory=list)
    sent: list[Outgoing] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # units whose same notice was sent before
    no_address: list[str] = field(default_factory=list)  # units without an e-mail address: listed, never skipped silently


def plan(run: MonthRun, kind: str, liaisons: dict[str, dict]) -> Sent:
    """What send would send: the month's reminder drafts (reminders) or receipts (receipts), one per unit.

    Each unit's file is looked up by the name the writer gave it (notices.receipt_stem / reminder_stem).
    """
    found = [(unit, path) for unit in run.master.registry.units if (path := _notice_path(run, kind, unit)).is_file()]
    if not found:
        raise TrackerError(f"{run.month} 还没有{'催报通知' if kind == 'reminders' else '回执'}。请先运行 xlsx-tracker merge 或 report。")
    result = Sent()
    with run.ledger() as conn:
        done = ledger.sent_digests(conn, run.month, kind)
        for unit, path in found:
            to = liaisons.get(unit, {}).get("电子邮箱", "")
            digest = content_digest(path)
            if not to:
                result.no_address.append(unit)
            elif (unit, digest) in done:
                result.already.append(unit)
            else:
                subject = f"{'催报' if kind == 'reminders' else '回执'}:{run.month} 法治政府建设示范创建工作({unit})"
                result.planned.append(Outgoing(unit, to, subject, path, digest))
    return result


def _notice_path(run: MonthRun, kind: str, unit: str) -> Path:
    folder = run.workspace.month_reports(run.month)
    if kind == "reminders":
        return reminder_stem(folder, unit).with_suffix(".eml")
    return receipt_stem(folder, unit, run.month).with_suffix(".txt")


def send(run: MonthRun, kind: str, liaisons: dict[str, dict], password: str, *, yes: bool = False) -> Sent:
    """Send each planned notice once; without yes, only say what would be sent."""
    result = plan(run, kind, liaisons)
    if not yes or not result.planned:
        return result
    settings, office = run.master.settings.mail, run.master.settings
    client = _smtp(settings, password)
    try:
        for item in result.planned:
            message = _message(item, office.contact_email or settings.user, kind)
            client.send_message(message)
            with run.ledger() as conn, ledger.transaction(conn):
                ledger.record_sent(conn, run.month, kind, item.unit, item.digest, item.to)
            result.sent.append(item)
    finally:
        client.quit()
    return result


def _smtp(settings, password: str) -> smtplib.SMTP:
    try:
        if settings.smtp_security == "ssl":
            client = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, context=ssl.create_default_context(), timeout=60)
        else:
            client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=60)
            if settings.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
        client.ehlo_or_helo_if_needed()
        if settings.user and password and client.has_extn("auth"):  # a relay inside the office may take mail without
            client.login(settings.user, password)
    except (OSError, smtplib.SMTPException) as exc:
        raise TrackerError(f"无法连接或登录发信服务器 {settings.smtp_host}:{settings.smtp_port}({exc})。"
                           "请检查 [mail] 设置;网易邮箱请使用客户端授权码。") from exc
    return client


def _message(item: Outgoing, sender: str, kind: str):
    from email.message import EmailMessage

    if kind == "reminders":
        message = parse(item.path.read_bytes())  # the draft written with the reminder: text and the receipt attached
        for header in ("To", "From", "X-Unsent"):
            del message[header]
    else:
        message = EmailMessage()
        message["Subject"] = item.subject
        message.set_content(item.path.read_text(encoding="utf-8"))
        workbook = item.path.with_suffix(".xlsx")
        if workbook.exists():
            message.add_attachment(workbook.read_bytes(), maintype="application",
                                   subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet", filename=workbook.name)
    message["From"], message["To"] = sender, item.to
    return message
