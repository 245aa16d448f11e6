"""Mail messages built the way real clients write them: raw attachment names in GBK, RFC 2047 or RFC 2231 form.

A helper module (not a test module): the mailbox tests append these to a real IMAP server, the intake tests drop
them into an inbox as saved .eml files.
"""

import base64
from email.message import EmailMessage

USER = "office@example.com"  # the office's mailbox: every message is addressed to it


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
