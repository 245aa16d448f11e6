"""The ledger's record of mail: attachments fetched (never saved twice) and notices sent (never sent twice)."""

from __future__ import annotations

import sqlite3


def fetched(conn: sqlite3.Connection) -> set[tuple[str, str]]:
    """(Message-ID, attachment SHA-256) of everything fetch has saved: never saved twice."""
    return set(conn.execute("SELECT message_id, sha256 FROM fetched"))


def record_fetch(conn: sqlite3.Connection, message_id: str, sha256: str, month: str, path: str, received: str) -> None:
    conn.execute("INSERT OR IGNORE INTO fetched VALUES (?,?,?,?,?)", (message_id, sha256, month, path, received))


def sent_digests(conn: sqlite3.Connection, month: str, kind: str) -> set[tuple[str, str]]:
    """(unit, digest) of every notice the mail server accepted."""
    return set(conn.execute("SELECT unit, digest FROM sent WHERE month=? AND kind=? AND state='sent'", (month, kind)))


def interrupted_sends(conn: sqlite3.Connection, month: str, kind: str) -> set[tuple[str, str]]:
    """(unit, digest) of notices whose sending began and never ended (the run was killed): perhaps delivered."""
    return set(conn.execute("SELECT unit, digest FROM sent WHERE month=? AND kind=? AND state='sending'", (month, kind)))


def begin_send(conn: sqlite3.Connection, month: str, kind: str, unit: str, digest: str, to: str, at: str) -> None:
    """Recorded before the message goes to the server: a kill before record_sent leaves it interrupted, never unsent.
    at: the office's time now (settings.now), whatever this computer's zone."""
    conn.execute("INSERT OR REPLACE INTO sent (month, kind, unit, digest, to_address, sent_at, state) "
                 "VALUES (?,?,?,?,?,?,'sending')", (month, kind, unit, digest, to, at))


def record_sent(conn: sqlite3.Connection, month: str, kind: str, unit: str, digest: str, to: str, at: str) -> None:
    conn.execute("INSERT OR REPLACE INTO sent (month, kind, unit, digest, to_address, sent_at, state) "
                 "VALUES (?,?,?,?,?,?,'sent')", (month, kind, unit, digest, to, at))


def cancel_send(conn: sqlite3.Connection, month: str, kind: str, unit: str, digest: str) -> None:
    """A send begun and refused by the server: not sent (a notice already sent is never un-recorded)."""
    conn.execute("DELETE FROM sent WHERE month=? AND kind=? AND unit=? AND digest=? AND state='sending'", (month, kind, unit, digest))
