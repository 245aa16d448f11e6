"""Test mail servers (a helper module, not a test module): a free port, and an SMTP server (aiosmtpd) that refuses
the recipients it is told to refuse, as a real server does: at RCPT (550, the address does not exist) or after the
message (554, the content refused)."""

import asyncio
import socket
import threading


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Refusing:
    """An aiosmtpd handler: every RCPT asked (asked), every message taken (messages: (recipients, bytes)).

    at_rcpt: addresses refused with 550 at RCPT; at_data: addresses whose message is refused with 554 after DATA;
    hang: addresses whose message the server takes and never answers (hanging is set when one arrives); drop:
    addresses whose message the server takes and then drops the connection without an answer.
    """

    def __init__(self, at_rcpt=(), at_data=(), hang=(), drop=()):
        self.at_rcpt, self.at_data, self.hang, self.drop = set(at_rcpt), set(at_data), set(hang), set(drop)
        self.asked: list[str] = []
        self.messages: list[tuple[list[str], bytes]] = []
        self.hanging = threading.Event()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        self.asked.append(address)
        if address in self.at_rcpt:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if set(envelope.rcpt_tos) & self.at_data:
            return "554 5.7.1 Message rejected"
        if set(envelope.rcpt_tos) & self.drop:
            server.transport.abort()
            return "451 4.3.0 Never heard"
        if set(envelope.rcpt_tos) & self.hang:
            self.hanging.set()
            await asyncio.sleep(30)
            return "451 4.3.0 Too late"
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


def smtp_controller(handler):
    """A started aiosmtpd Controller on 127.0.0.1 (stop it when done)."""
    from aiosmtpd.controller import Controller

    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller
