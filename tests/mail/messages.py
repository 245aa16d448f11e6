"""Mail messages built the way real clients write them: raw attachment names in GBK, RFC 2047 or RFC 2231 form.

A helper module (not a test module): the mailbox tests append these to a real IMAP server, the intake tests drop
them into an inbox as saved .eml files.
"""

import base64
import datetime as dt
import imaplib
from email.message import EmailMessage

USER = "office@example.com"  # the office's mailbox: every message is addressed to it
PASSWORD = "AuthCode2024x"  # any user's client authorisation code on the test Dovecot, as NetEase issues them


def plain(subject, sender="unit@example.com", date="Mon, 13 May 2024 10:00:00 +0800", message_id=None) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Date"] = sender, USER, subject, date
    message["Message-ID"] = message_id or f"<{abs(hash(subject))}@client.example>"
    message.set_content("请查收。")
    return message


def with_raw_filename(message: EmailMessage, data: bytes, filename_param: bytes) -> bytes:
    """An attachment whose Content-Disposition filename is written byte for byte (as old clients and Outlook do)."""
    boundary = "==BOUNDARY=="
    head = message.as_bytes().split(b"\n\n", 1)[0].replace(b"Content-Type: text/plain; charset=\"utf-8\"\n", b"")
    head = b"\n".join(line for line in head.split(b"\n") if not line.startswith((b"Content-Transfer-Encoding", b"MIME-Version")))
    body = (f"--{boundary}\nContent-Type: text/plain; charset=utf-8\n\n请查收\n--{boundary}\n"
            f"Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\n"
            f"Content-Transfer-Encoding: base64\nContent-Disposition: attachment; filename=").encode() + filename_param + b"\n\n"
    body += base64.encodebytes(data) + f"--{boundary}--\n".encode()
    return head + f"\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"{boundary}\"\n\n".encode() + body


def attach(message: EmailMessage, name: str, data: bytes, kind=("application", "octet-stream")) -> EmailMessage:
    message.add_attachment(data, maintype=kind[0], subtype=kind[1], filename=name)
    return message


def rfc2047(name: str, charset: str) -> bytes:
    return b'"=?' + charset.encode() + b"?B?" + base64.b64encode(name.encode("gb18030" if charset != "UTF-8" else "utf-8")) + b'?="'


def append(port: int, user: str, messages: list[tuple[bytes, str]]) -> None:
    """Put (raw message, INTERNALDATE as "Fri, 17 May 2024 09:00:00 +0800") into user's INBOX on the test Dovecot."""
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(user, PASSWORD)
    for raw, received in messages:
        client.append("INBOX", None, imaplib.Time2Internaldate(dt.datetime.strptime(received, "%a, %d %b %Y %H:%M:%S %z")), raw)
    client.logout()


def nested(levels: int, subject: str = "deep") -> bytes:
    """A message whose one attachment (deep.pdf) lies `levels` multipart levels deep."""
    head = plain(subject).as_bytes().split(b"\n\n", 1)[0]
    head = b"\r\n".join(line for line in head.split(b"\n") if not line.startswith((b"Content-", b"MIME-Version"))) + b"\r\n"
    raw = head + b"MIME-Version: 1.0\r\n"
    for level in range(levels):
        raw += b'Content-Type: multipart/mixed; boundary="b%d"\r\n\r\n--b%d\r\n' % (level, level)
    raw += b'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="deep.pdf"\r\n\r\n%PDF\r\n'
    for level in reversed(range(levels)):
        raw += b"--b%d--\r\n" % level
    return raw


def many_attachments(count: int, subject: str = "许多附件") -> bytes:
    message = plain(subject)
    for n in range(count):
        attach(message, f"附件{n}.pdf", b"%PDF-1.4 " + str(n).encode(), ("application", "pdf"))
    return message.as_bytes()
