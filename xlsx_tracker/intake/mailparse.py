"""Mail as units send it: attachment names however their client encoded them, and when the office received it.

Used by fetch (messages from the IMAP server) and by the inbox (.eml files saved from a mail client). A fetched
attachment is saved with a hidden sidecar file holding its message's facts, so that merge knows the server's
receipt time and the message the file came from.
"""

from __future__ import annotations

import datetime as dt
import email
import json
import re
from email import policy
from email.header import decode_header
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path

from ..base.model import wall_clock

SIDECAR_SUFFIX = ".邮件.json"  # "./.name.邮件.json" beside each saved attachment; hidden, so the inbox ignores it
_RAW = re.compile(r"[\udc80-\udcff]")


def parse(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def decoded_filename(part) -> str:
    """An attachment's name as its sender meant it: RFC 2231, RFC 2047 (GBK, GB18030, UTF-8) or raw GBK bytes."""
    eight_bit = _raw_gbk_name(part)
    if eight_bit:
        return eight_bit
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if raw is None:
        return ""
    if isinstance(raw, tuple):  # RFC 2231 (charset, language, value) left undecoded
        charset, _, value = raw
        raw = value.encode("latin-1", "surrogateescape").decode(_codec(charset or "utf-8"), errors="replace")
    text = str(raw)
    if "=?" in text:  # RFC 2047 inside a parameter, as Outlook writes it
        text = "".join(chunk.decode(_codec(charset or "utf-8"), errors="replace") if isinstance(chunk, bytes) else chunk
                       for chunk, charset in decode_header(text))
    if _RAW.search(text):  # 8-bit bytes in the header: old clients write GBK there
        text = text.encode("utf-8", "surrogateescape").decode("gb18030", errors="replace")
    return Path(text.replace("\\", "/")).name.strip() or "附件"


_RAW_NAME = re.compile(r'(?:file)?name="?([^";\r\n]+)"?', re.IGNORECASE)


def _raw_gbk_name(part) -> str:
    """A name written as raw 8-bit bytes (old clients write GBK there): read from the header as stored, before
    the parser turns the bytes into replacement characters."""
    for name, value in part.raw_items():
        if name.lower() in ("content-disposition", "content-type") and _RAW.search(str(value)):
            found = _RAW_NAME.search(str(value))
            if found:
                text = found.group(1).encode("ascii", "surrogateescape").decode("gb18030", errors="replace")
                return Path(text.replace("\\", "/")).name.strip()
    return ""


def _codec(charset: str) -> str:
    charset = charset.lower()
    return "gb18030" if charset in ("gbk", "gb2312", "gb18030", "x-gbk") else charset


def attachment_parts(message: EmailMessage) -> list[tuple[str, EmailMessage]]:
    """(name, part) of every attached file, inline or not, forwarded messages included; nothing decoded yet."""
    found = []
    for part in message.walk():
        if part.is_multipart() or part.get_content_maintype() == "message":
            continue
        name = decoded_filename(part)
        if not name and part.get_content_disposition() != "attachment":
            continue  # the message's own text
        found.append((name or "附件", part))
    return found


def payload(part: EmailMessage) -> bytes:
    return part.get_payload(decode=True) or b""


def attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    """(name, bytes) of every attached file."""
    return [(name, payload(part)) for name, part in attachment_parts(message)]


def received_time(message: EmailMessage) -> tuple[str, str]:
    """When the office's server received a saved message (its top Received header), else when it was sent."""
    for header in message.get_all("Received", []) or []:
        stamp = str(header).rsplit(";", 1)[-1].strip()
        when = _when(stamp)
        if when:
            return when, "邮件收到时间(Received)"
    when = _when(str(message.get("Date", "")))
    return (when, "邮件发送时间(推定)") if when else ("", "")


def _when(text: str) -> str:
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return ""
    return wall_clock(stamp).isoformat(sep=" ")


def message_facts(message: EmailMessage) -> dict[str, str]:
    return {"发件人": str(message.get("From", "")), "主题": str(message.get("Subject", "")),
            "发送时间": str(message.get("Date", "")), "Message-ID": str(message.get("Message-ID", "")).strip()}


def sidecar(path: Path) -> Path:
    return path.with_name(f".{path.name}{SIDECAR_SUFFIX}")


def write_sidecar(path: Path, facts: dict[str, str]) -> None:
    sidecar(path).write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")


def read_sidecar(path: Path) -> dict[str, str]:
    try:
        return json.loads(sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def server_time(internaldate: bytes) -> str:
    """The IMAP INTERNALDATE (the server's receipt time) as local wall-clock time."""
    found = re.search(rb'INTERNALDATE "([^"]+)"', internaldate)
    if not found:
        return ""
    return wall_clock(dt.datetime.strptime(found.group(1).decode(), "%d-%b-%Y %H:%M:%S %z")).isoformat(sep=" ")
