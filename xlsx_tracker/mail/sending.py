"""Sending the month's receipts and reminders over SMTP, unit by unit.

send is a dry run unless told to send. Every recipient is checked before the server is contacted: an address that
is not exactly one valid address (two in one cell, a line break, a bare name, a Chinese domain) is named with its
unit and the reason, and that unit is skipped; the address is never used. Each unit gets its own message. Each
send is recorded in the ledger as it happens: begun before the message goes to the server, done when the server
accepts it, so a run killed part-way and run again never sends a unit the same notice twice (a send begun and
never finished is named, and sent again only when the office asks: it may have arrived). A recipient the server
refuses is reported and the batch goes on; a lost connection stops the batch with what was sent kept on record.
"""

from __future__ import annotations

import re
import smtplib
import ssl
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..base.model import TrackerError
from ..base.workspace import workspace_lock
from ..intake.mailparse import parse
from ..master.values import is_email
from ..month import ledger, mail_ledger
from ..month.run import MonthRun
from ..outputs.notices import receipt_stem, reminder_stem
from ..outputs.unchanged import content_digest

_SEPARATORS = re.compile(r"[\s,;,;、/]")


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
    invalid: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, address as written, why): never used
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, address, the server's answer)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (unit, why the message could not be made)
    interrupted: list[str] = field(default_factory=list)  # units whose sending by an earlier run began and never ended
    stopped: str = ""  # why the batch stopped before its end, in Chinese


def address_problem(address: str) -> str:
    """Why a recipient is not one address the server can be given, in Chinese; '' when it is one.

    A second guard behind master.values.is_email (which judges the address when it enters): no line break or other
    control character (it would make a second header), exactly one address, plain ASCII (the servers the office
    sends through take no other)."""
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in address):
        return "含有换行或其他控制字符"
    if address.count("@") > 1 and _SEPARATORS.search(address):
        return "填了不止一个地址(一个单元格只能填写一个邮箱地址)"
    if address.count("@") != 1 or _SEPARATORS.search(address) or not address.isascii() or not is_email(address):
        return "不是一个有效的电子邮箱地址"
    return ""


def refusal_advice(answer: str) -> str:
    """What to do about a refusal: a 5xx on the address means the address; a 4xx (busy, too many messages) or a
    message refused for its content means trying again later, not changing a valid address."""
    if answer[:1] == "4":
        return "发信服务器暂时不接收(可能是发送过于频繁),请稍后重新运行 send。"
    if answer[:3] in ("550", "551", "553") or answer[:5] in ("5.1.1", "5.1.2"):
        return "请核对该单位联络员邮箱。"
    return "可能是邮件内容被服务器拦截,请稍后重试;如仍被拒收,请核对该单位联络员邮箱或改用其他方式发送。"


def shown(address: str) -> str:
    """An address as typed, its control characters made visible (\\r, \\n) instead of breaking the line shown."""
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in address)


def sent_lines(result: Sent, kind: str, yes: bool, confirm: str, resend: str) -> list[str]:
    """What a send or its preview says, unit by unit and in total; confirm and resend say how to go on where it runs
    (the command line's option, the page's button)."""
    label = "回执" if kind == "receipts" else "催报通知"
    lines = [f"  {'已发送' if yes else '将发送'} {item.unit} → {item.to}" for item in (result.sent if yes else result.planned)]
    lines += [f"  不发送 {unit}:联络员邮箱“{shown(address)}”{why},不会使用。请在总任务清单“联络员”表中改为一个有效的邮箱地址。"
              for unit, address, why in result.invalid]
    lines += [f"  未发出 {unit}:发信服务器拒收 {address}({answer})。{refusal_advice(answer)}" for unit, address, answer in result.refused]
    lines += [f"  未发出 {unit}:{why}。" for unit, why in result.failed]
    if result.already:
        lines.append(f"此前已发送过相同{label}、本次不再发送:{'、'.join(result.already)}")
    if result.interrupted:
        lines.append(f"上次发送中断、不能确定对方是否已收到{label},本次不再发送:{'、'.join(result.interrupted)}"
                     f"(请向对方核实;确认未收到时{resend}重新发送)")
    if result.no_address:
        lines.append(f"没有联络员邮箱、无法发送(请在总任务清单“联络员”表中补充):{'、'.join(result.no_address)}")
    not_sent = len(result.invalid) + len(result.refused) + len(result.failed)
    if yes:
        lines.append(f"已发送{label} {len(result.sent)} 封。" + (f"未发出 {not_sent} 封(见上)。" if not_sent else ""))
    else:
        invalid = f"另有 {not_sent} 个单位的邮箱无效,不会发送(见上)。" if not_sent else ""
        lines.append(f"预览:将发送{label} {len(result.planned)} 封;{confirm}。{invalid}")
    return lines


def _normal(value) -> str:
    return unicodedata.normalize("NFKC", str(value if value is not None else "")).strip()


def plan(run: MonthRun, kind: str, liaisons: dict[str, dict], resend_interrupted: bool = False) -> Sent:
    """What send would send: the month's reminder drafts (reminders) or receipts (receipts), one per unit.

    Each unit's file is looked up by the name the writer gave it (notices.receipt_stem / reminder_stem).
    """
    found = [(unit, path) for unit in run.master.registry.units if (path := _notice_path(run, kind, unit)).is_file()]
    if not found:
        raise TrackerError(f"{run.month} 还没有{'催报通知' if kind == 'reminders' else '回执'}。请先运行 xlsx-tracker merge 或 report。")
    result = Sent()
    with run.ledger() as conn:
        done = mail_ledger.sent_digests(conn, run.month, kind)
        begun = mail_ledger.interrupted_sends(conn, run.month, kind)
    for unit, path in found:
        to = _normal(liaisons.get(unit, {}).get("电子邮箱", ""))
        why = address_problem(to) if to else ""
        try:
            digest = content_digest(path)
        except (OSError, UnicodeDecodeError) as exc:  # the notice's text removed or damaged since it was written
            result.failed.append((unit, f"{path.with_suffix('.txt').name} 无法读取({type(exc).__name__}),请重新运行 report"))
            continue
        if not to:
            result.no_address.append(unit)
        elif why:
            result.invalid.append((unit, str(liaisons[unit]["电子邮箱"]), why))
        elif (unit, digest) in done:
            result.already.append(unit)
        elif (unit, digest) in begun and not resend_interrupted:
            result.interrupted.append(unit)
        else:
            subject = f"{'催报' if kind == 'reminders' else '回执'}:{run.month} {run.master.settings.work}工作({unit})"
            result.planned.append(Outgoing(unit, to, subject, path, digest))
    return result


def _notice_path(run: MonthRun, kind: str, unit: str) -> Path:
    folder = run.workspace.month_reports(run.month)
    if kind == "reminders":
        return reminder_stem(folder, unit).with_suffix(".eml")
    return receipt_stem(folder, unit, run.month).with_suffix(".txt")


def send(run: MonthRun, kind: str, liaisons: dict[str, dict], password: str, *, yes: bool = False,
         resend_interrupted: bool = False) -> Sent:
    """Send each planned notice once, unit by unit; without yes, only say what would be sent.

    Sending holds the workspace lock from the plan to the last message: two sends started at once (two clerks on a
    shared workspace) never both send a unit."""
    if not yes:
        return plan(run, kind, liaisons, resend_interrupted)
    with workspace_lock(run.workspace):
        return _send_planned(run, kind, plan(run, kind, liaisons, resend_interrupted), password)


def _send_planned(run: MonthRun, kind: str, result: Sent, password: str) -> Sent:
    if not result.planned:
        return result
    settings, office = run.master.settings.mail, run.master.settings
    sender = _normal(office.contact_email or settings.user)
    why = address_problem(sender)
    if why:
        raise TrackerError(f"发件地址“{shown(sender)}”{why}。请检查设置文件 [contact] 的 email 或 [mail] 的 user。")
    ready = []
    for item in result.planned:  # every message made before the server is contacted
        try:
            message = _message(item, sender, kind)
            message.as_bytes()
            ready.append((item, message))
        except Exception as exc:  # a draft that cannot be read or written is one unit not sent, never the batch's end
            result.failed.append((item.unit, f"{item.path.name} 无法读取或生成邮件({type(exc).__name__})"))
    if not ready:
        return result
    client = _smtp(settings, password)
    try:
        for item, message in ready:
            if client.sock is None:  # the server closed the connection (some close after a number of messages)
                try:
                    client = _smtp(settings, password)
                except TrackerError as exc:
                    result.stopped = f"{exc} 已发送的 {len(result.sent)} 封已记录,重新运行 send 会继续发送其余单位。"
                    break
            if not _send_one(run, kind, client, sender, item, message, result):
                break
    finally:
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            pass
    return result


def _send_one(run: MonthRun, kind: str, client: smtplib.SMTP, sender: str, item: Outgoing, message, result: Sent) -> bool:
    """Send one unit's message, recorded before and after; False when the batch cannot go on."""
    _record(run, mail_ledger.begin_send, kind, item, item.to, _now(run))
    try:
        refused = client.send_message(message, from_addr=sender, to_addrs=[item.to])
    except smtplib.SMTPRecipientsRefused as exc:
        refused = exc.recipients
    except smtplib.SMTPDataError as exc:
        refused = {item.to: (exc.smtp_code, exc.smtp_error)}
    except smtplib.SMTPSenderRefused as exc:
        _record(run, mail_ledger.cancel_send, kind, item)
        result.stopped = (f"发信服务器拒绝了发件地址 {sender}({_answer(exc.smtp_code, exc.smtp_error)}),本次发送停止。"
                          "请检查设置文件中的发件地址和授权码;已发送的已记录,重新运行 send 不会重复发送。")
        return False
    except (OSError, smtplib.SMTPException) as exc:  # the connection lost while the message was on its way: left begun
        result.stopped = (f"发送给{item.unit}时与发信服务器的连接中断({exc})。已发送的 {len(result.sent)} 封已记录,"
                          f"重新运行 send 会继续发送其余单位;{item.unit}可能已收到,请先核实。")
        return False
    if refused:
        _record(run, mail_ledger.cancel_send, kind, item)
        code, answer = next(iter(refused.values()))
        result.refused.append((item.unit, item.to, _answer(code, answer)))
        return True
    _record(run, mail_ledger.record_sent, kind, item, item.to, _now(run))
    result.sent.append(item)
    return True


def _record(run: MonthRun, action, kind: str, item: Outgoing, *facts: str) -> None:
    with run.ledger() as conn, ledger.transaction(conn):
        action(conn, run.month, kind, item.unit, item.digest, *facts)


def _now(run: MonthRun) -> str:
    """When a send is recorded: the office's time, whatever this computer's zone."""
    return run.master.settings.now().isoformat(sep=" ")


def _answer(code, text) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}".strip()


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
        for header in ("To", "From", "X-Unsent", "Cc", "Bcc", "Date", "Message-ID"):
            del message[header]  # the draft's date is the day the report was written: the message is dated when sent
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
