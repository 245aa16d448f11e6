"""What each accepted return gave (its task values, evidence and liaison entries), decoded once and kept beside
the ledger.

The ledger keeps a return's values as JSON, one text per task row, and each evidence and liaison entry the same way;
decoding them was the largest part of reading a province's month, and every earlier month was decoded again each
time. A recorded return's contents never change (a file is recorded once; only a failed read, which is never
accepted and has none, is recorded again), so they are kept decoded in one file per month in the workspace's cache
folder: a re-merge decodes only the returns that are new.

An entry is known by the file's SHA-256 and by where that recording archived it (a run's archive name is unique,
with a random token): the same bytes recorded again into a restored or rebuilt ledger, perhaps judged under other
settings, are another entry, never the old one. The cache is derived data: written only from what the ledger has
committed, atomically, holding the month's accepted returns only; a missing, damaged or other-version file is
ignored and rebuilt from the ledger, and deleting the folder changes nothing but speed. marshal (not pickle)
keeps it: it cannot run code, and it keeps the shared strings shared.
"""

from __future__ import annotations

import hashlib
import marshal
import sqlite3
import sys
from pathlib import Path

from ..base.sheetio import FileInUse, atomic_path
from .ledger import Contents, Submission, contents_by_file

FORMAT = b"xlsx-tracker values 3 " + f"py{sys.version_info[0]}.{sys.version_info[1]} m{marshal.version}".encode() + b"\n"
DIGEST = 32  # bytes of SHA-256 after the header: a damaged file is noticed, not believed


class ValuesCache:
    """The accepted returns' contents of each month, read from the cache file and the ledger together."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path(self, month: str) -> Path:
        return self.folder / f"values-{month}.bin"

    def contents(self, conn: sqlite3.Connection, month: str, files: dict[str, Submission]) -> dict[str, Contents]:
        """unit -> what its file gave, for the files given (each unit's accepted return of the month)."""
        kept = self._read(month)
        keys = {unit: entry_key(sub) for unit, sub in files.items()}
        missing = {keys[unit]: sub for unit, sub in files.items() if keys[unit] not in kept}
        if missing:
            kept.update(contents_by_file(conn, month, missing))
            if not conn.in_transaction:  # only what the ledger has committed is kept
                self._write(month, {key: kept[key] for key in keys.values()})
        return {unit: kept[key] for unit, key in keys.items()}

    def _read(self, month: str) -> dict[str, Contents]:
        try:
            data = self.path(month).read_bytes()
        except OSError:
            return {}
        view = memoryview(data)  # slices without copying megabytes
        head, digest, payload = view[:len(FORMAT)], view[len(FORMAT):len(FORMAT) + DIGEST], view[len(FORMAT) + DIGEST:]
        if head != FORMAT or hashlib.sha256(payload).digest() != digest:
            return {}
        try:
            kept = marshal.loads(payload)
            if all(_well_formed(given) for given in kept.values()):
                return {key: Contents(*given) for key, given in kept.items()}
        except Exception:  # anything but a dict of entries (a truncated or another build's file): not believed
            pass
        return {}

    def _write(self, month: str, kept: dict[str, Contents]) -> None:
        payload = marshal.dumps({key: tuple(given) for key, given in kept.items()})  # marshal takes plain tuples only
        try:
            with atomic_path(self.path(month)) as tmp, open(tmp, "wb") as out:
                out.writelines([FORMAT, hashlib.sha256(payload).digest(), payload])
        except (OSError, FileInUse):  # a read-only or full disk, or the file held open: read from the ledger, only slower
            pass


def _well_formed(given) -> bool:
    return type(given) is tuple and len(given) == 3 and (type(given[0]), type(given[1]), type(given[2])) == (dict, list, dict)


def entry_key(sub: Submission) -> str:
    return f"{sub.sha256} {sub.archive_path}"
