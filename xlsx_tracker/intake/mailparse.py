"""Mail as units send it: attachment names however their client encoded them, and when the office received it.

Used by fetch (messages from the IMAP server) and by the inbox (.eml files saved from a mail client). A fetched
attachment is saved with a hidden sidecar file holding its message's facts, so that merge knows the server's
receipt time and the message the file came from.

A message is read within bounds, whoever wrote it: its size, how many parts it has and how deep they nest, and how
long its headers are (Python's parser recurses once per level and decodes some headers in quadratic time). A message
beyond them is refused whole with a Chinese reason (MailTooComplex) before it is parsed; a part whose own headers are
too long is left out and named. Nothing here raises RecursionError.
"""

from __future__ import annotations

import datetime as dt
import email
import io
import json
import re
from email.header import decode_header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import parsedate_to_datetime
from pathlib import Path

from ..base.model import wall_clock
from ..base.sheetio import atomic_path

SIDECAR_SUFFIX = ".邮件.json"  # "./.name.邮件.json" beside each saved attachment: fetch's own record, never an inbox item
MAX_MESSAGE_BYTES = 100 * 1024 * 1024
MAX_CONTAINERS = 100  # multipart and message/* parts of one message: bounds how deep its parts can nest
MAX_PARTS = 1000  # parts of one message, its text included
MAX_HEADER_BLOCK = 256 * 1024  # bytes of one part's headers
MAX_HEADER_CHARS = 8000  # one header value: longer ones are cut before they are decoded (the decoder is quadratic)
FACT_CHARS = 500  # a subject or sender as kept in a sidecar and shown
_RAW = re.compile(r"[\udc80-\udcff]")


class MailTooComplex(ValueError):
    """A message beyond the bounds: args[0] is the reason in Chinese."""


class _Bounded(EmailPolicy):
    """policy.default with every header value cut to MAX_HEADER_CHARS before it is decoded."""

    def header_fetch_parse(self, name, value):
        if isinstance(value, str) and len(value) > MAX_HEADER_CHARS:
            value = value[:MAX_HEADER_CHARS]
        return super().header_fetch_parse(name, value)


BOUNDED = _Bounded()


def parse(data: bytes) -> EmailMessage:
    """A message parsed within the bounds; MailTooComplex (with the reason in Chinese) when it is beyond them."""
    problem = shape_problem(data)
    if problem:
        raise MailTooComplex(problem)
    try:
        return email.message_from_bytes(data, policy=BOUNDED)
    except RecursionError:
        raise MailTooComplex("邮件的层次嵌套过深") from None


_FIELD = re.compile(rb"content-type:\s*(multipart|message)/", re.IGNORECASE)
_BOUNDARY = re.compile(rb'boundary\s*=\s*"?([^";\r\n]+)"?', re.IGNORECASE)


def shape_problem(data: bytes) -> str:
    """Why a raw message is beyond the bounds, in Chinese, or '': one pass over its lines, nothing parsed.

    Header blocks are the message's own and those after each boundary line and after a message/* part's headers;
    in them, multipart and message/* parts are counted (how deep parts can nest is bounded by how many there are).
    """
    if len(data) > MAX_MESSAGE_BYTES:
        return f"邮件超过 {MAX_MESSAGE_BYTES // 2**20} MB"
    containers, parts, block, field = 0, 1, 0, b""
    in_header, embedded, boundaries = True, False, set()
    for line in io.BytesIO(data):
        text = line.rstrip(b"\r\n")
        if not in_header:
            rest = text[2:].rstrip(b" \t")
            if text.startswith(b"--") and (rest in boundaries or (rest.endswith(b"--") and rest[:-2] in boundaries)):
                in_header, block, parts = True, 0, parts + 1
                if parts > MAX_PARTS:
                    return f"邮件的组成部分超过 {MAX_PARTS} 个"
            continue
        if text and text[:1] in (b" ", b"\t"):
            field += text[:2000] if len(field) < 2000 else b""
        else:
            kind = _FIELD.match(field)
            if kind:
                containers += 1
                if containers > MAX_CONTAINERS:
                    return f"邮件的层次嵌套过深(超过 {MAX_CONTAINERS} 层)"
                embedded = embedded or kind.group(1).lower() == b"message"
                found = _BOUNDARY.search(field)
                if found:
                    boundaries.add(found.group(1).strip())
            field = text[:2000]
        block += len(line)
        if block > MAX_HEADER_BLOCK:
            return f"信头过长(超过 {MAX_HEADER_BLOCK // 1024} KB)"
        if not text:  # the end of a header block; a message/* part's body starts with its message's own headers
            in_header, embedded, block, field = embedded, False, 0, b""
            parts += in_header
    return ""


def headline(data: bytes) -> dict[str, str]:
    """message_facts of a raw message read from its first header block only (at most 64 KB): what names a message
    that is beyond the bounds or could not be read."""
    head = data[:65536]
    end = min((i for i in (head.find(b"\r\n\r\n"), head.find(b"\n\n")) if i >= 0), default=len(head))
    try:
        return message_facts(email.message_from_bytes(head[:end] + b"\n\n", policy=BOUNDED))
    except Exception:  # a header block no parser makes sense of still names nothing, and stops nothing
        return {"发件人": "", "主题": "", "发送时间": "", "Message-ID": ""}


def decoded_filename(part) -> str:
    """An attachment's name as its sender meant it: RFC 2231, RFC 2047 (GBK, GB18030, UTF-8) or raw 8-bit bytes
    (UTF-8 when they are UTF-8, else GB18030, which old clients write)."""
    eight_bit = _raw_name(part)
    if eight_bit:
        return eight_bit
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if raw is None:
        return ""
    if isinstance(raw, tuple):  # RFC 2231 (charset, language, value) left undecoded
        charset, _, value = raw
        raw = _decoded(value.encode("latin-1", "surrogateescape"), charset)
    text = str(raw)
    if "=?" in text:  # RFC 2047 inside a parameter, as Outlook writes it
        text = "".join(_decoded(chunk, charset) if isinstance(chunk, bytes) else chunk for chunk, charset in decode_header(text))
    if _RAW.search(text):  # 8-bit bytes in the header
        text = _eight_bit(text.encode("utf-8", "surrogateescape"))
    return Path(text.replace("\\", "/")).name.strip() or "附件"


_RAW_NAME = re.compile(r'(?:file)?name="?([^";\r\n]+)"?', re.IGNORECASE)


def _raw_name(part) -> str:
    """A name written as raw 8-bit bytes: read from the header as stored, before the parser turns the bytes into
    replacement characters."""
    for name, value in part.raw_items():
        if name.lower() in ("content-disposition", "content-type") and _RAW.search(str(value)):
            found = _RAW_NAME.search(str(value)[:MAX_HEADER_CHARS])
            if found:
                return Path(_eight_bit(found.group(1).encode("utf-8", "surrogateescape")).replace("\\", "/")).name.strip()
    return ""


def _eight_bit(data: bytes) -> str:
    """Raw bytes of a name: UTF-8 when they are valid UTF-8 (GBK text almost never is), else GB18030."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def _decoded(data: bytes, charset: str | None) -> str:
    """Bytes in the charset the sender named; an unknown charset is read as raw 8-bit bytes."""
    try:
        return data.decode(_codec(charset or "utf-8"), errors="replace")
    except LookupError:
        return _eight_bit(data)


def _codec(charset: str) -> str:
    charset = charset.lower()
    return "gb18030" if charset in ("gbk", "gb2312", "gb18030", "x-gbk") else charset


_STRUCTURE = ("content-type", "content-disposition", "content-transfer-encoding")


def attachment_scan(message: EmailMessage) -> tuple[list[tuple[str, EmailMessage]], list[str]]:
    """((name, part) of every attached file, inline or not, forwarded messages included; nothing decoded yet,
    what was left out and why, in Chinese). A part whose structural headers are too long is left out with what it
    holds; a message of too many parts raises MailTooComplex. Walked without recursion, in message.walk()'s order."""
    found, left_out, seen = [], [], 0
    stack = [message]
    while stack:
        part = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            raise MailTooComplex(f"邮件的组成部分超过 {MAX_PARTS} 个")
        if any(len(str(v)) > MAX_HEADER_CHARS for k, v in part.raw_items() if k.lower() in _STRUCTURE):
            left_out.append(f"第 {seen} 个组成部分的信头过长(超过 {MAX_HEADER_CHARS} 个字符),未保存")
            continue
        if part.is_multipart():
            children = part.get_payload()
            stack.extend(reversed(children if isinstance(children, list) else []))
            continue
        if part.get_content_maintype() == "message":
            continue
        name = decoded_filename(part)
        if not name and part.get_content_disposition() != "attachment":
            continue  # the message's own text
        found.append((name or "附件", part))
    return found, left_out


def attachment_parts(message: EmailMessage) -> list[tuple[str, EmailMessage]]:
    """(name, part) of every attached file (see attachment_scan)."""
    return attachment_scan(message)[0]


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
    when = _when(_header(message, "Date"))
    return (when, "邮件发送时间(推定)") if when else ("", "")


def _when(text: str) -> str:
    try:
        stamp = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return ""
    return wall_clock(stamp).isoformat(sep=" ")


def _header(message: EmailMessage, name: str) -> str:
    """A header as text, never raising: a header the decoder fails on is given as received."""
    try:
        return str(message.get(name, ""))
    except Exception:  # the header decoder has raised on hostile input (IndexError, ValueError...)
        return next((str(v) for k, v in message.raw_items() if k.lower() == name.lower()), "")[:MAX_HEADER_CHARS]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= FACT_CHARS else text[:FACT_CHARS - 1] + "…"


def message_facts(message: EmailMessage) -> dict[str, str]:
    return {"发件人": _short(_header(message, "From")), "主题": _short(_header(message, "Subject")),
            "发送时间": _short(_header(message, "Date")), "Message-ID": _header(message, "Message-ID").strip()}


def sidecar(path: Path) -> Path:
    return path.with_name(f".{path.name}{SIDECAR_SUFFIX}")


def is_sidecar(name: str) -> bool:
    """A sidecar fetch wrote (by its name: hidden, ending .邮件.json): fetch's own record, not something received."""
    base = name.rsplit("/", 1)[-1]
    return base.startswith(".") and base.endswith(SIDECAR_SUFFIX) and len(base) > len(SIDECAR_SUFFIX) + 1


def write_sidecar(path: Path, facts: dict[str, str]) -> None:
    """Written whole or not at all (fetch writes it before the attachment, so that no saved attachment lacks one)."""
    with atomic_path(sidecar(path)) as tmp:
        tmp.write_text(json.dumps(facts, ensure_ascii=False, indent=1), encoding="utf-8")


def read_sidecar(path: Path) -> dict[str, str]:
    try:
        found = json.loads(sidecar(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def server_time(internaldate: bytes) -> str:
    """The IMAP INTERNALDATE (the server's receipt time) as local wall-clock time."""
    found = re.search(rb'INTERNALDATE "([^"]+)"', internaldate)
    if not found:
        return ""
    try:
        return wall_clock(dt.datetime.strptime(found.group(1).decode(), "%d-%b-%Y %H:%M:%S %z")).isoformat(sep=" ")
    except ValueError:
        return ""
