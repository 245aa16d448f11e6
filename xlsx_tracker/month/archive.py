"""The archive of one merge run: every new file, byte for byte, written as the workers hand back what they judged."""

from __future__ import annotations

import hashlib
import os
import uuid
import zipfile
from dataclasses import replace
from pathlib import Path

from ..base.digests import stream_sha256
from ..base.model import TrackerError
from ..base.sheetio import flush_to_disk
from ..base.workspace import Workspace, archive_path
from ..intake.inbox import InboxItem, read_bytes
from ..intake.reader import keyed_by_name
from ..intake.sniff import MAX_FILE_BYTES
from . import ledger


class Changed(Exception):
    """An item's bytes are no longer those its worker read (re-saved, moved or deleted meanwhile)."""


def archive_entry(sha256: str, name: str) -> str:
    return f"{sha256}{Path(name).suffix.lower()}"


class RunArchive:
    """Every new file of one merge run, byte for byte, in archive/<month>/<run>.zip.

    Entries are named by their record's SHA-256 (a zip that could not be opened: its name's) and stored
    uncompressed, so each is the original file.
    One zip per run rather than one file per return: a province-wide month brings thousands.
    The bytes stored are those the worker read and judged, handed back with its record: the file is not read or
    hashed again here, so a file re-saved meanwhile cannot slip in under the old record's SHA-256.
    The run's name is unique (time and a random token); the zip is read back entry by entry from the disk, each entry's
    SHA-256 checked against the one the ledger records (the bytes' own for a zip keyed by name), forced to disk and
    moved into place only when the run succeeds, before the ledger commits.
    """

    def __init__(self, workspace: Workspace, month: str, received: str):
        folder = workspace.archive_dir / month
        stem = received.replace("-", "").replace(":", "").replace(" ", "-")
        name = f"{stem}-{uuid.uuid4().hex[:8]}.zip"
        while (folder / name).exists():
            name = f"{stem}-{uuid.uuid4().hex[:8]}.zip"
        self.final = folder / name
        self.relative = self.final.relative_to(workspace.root).as_posix()
        self._zip: zipfile.ZipFile | None = None
        self._tmp: Path | None = None
        self._entries: dict[str, str] = {}  # entry -> the SHA-256 its bytes must read back as

    def add(self, prepared: ledger.Prepared) -> ledger.Prepared:
        """Store the item's bytes (when it has any) and return the record pointing at them, without its bytes."""
        item, sub = prepared.item, prepared.submission
        if not sub.size or (item.problem and not item.container):
            return replace(prepared, data=b"")
        entry = archive_entry(sub.sha256, sub.file_name)
        if entry not in self._entries:
            if self._zip is None:
                self.final.parent.mkdir(parents=True, exist_ok=True)
                self._tmp = self.final.with_name(f".tmp-{self.final.name}")
                self._zip = zipfile.ZipFile(self._tmp, "w", zipfile.ZIP_STORED, allowZip64=True)
            data = prepared.data if len(prepared.data) == sub.size else self._same_bytes(item, sub.sha256)
            self._zip.writestr(zipfile.ZipInfo(entry, date_time=(1980, 1, 1, 0, 0, 0)), data)
            # read back against the record's key, which is the bytes' SHA-256; a zip or mail that could not be opened
            # is recorded under its name's key (as before it was kept), so it is read back against its bytes' own
            self._entries[entry] = hashlib.sha256(data).hexdigest() if keyed_by_name(item) else sub.sha256
        return replace(prepared, data=b"", submission=replace(sub, archive_path=archive_path(self.relative, entry)))

    @staticmethod
    def _same_bytes(item: InboxItem, sha256: str) -> bytes:
        """The bytes of a record made without them (a reader that died): read now, and only if they are still those."""
        try:
            data = read_bytes(item, MAX_FILE_BYTES)[0]
        except Exception as exc:
            raise Changed(item.name) from exc
        if hashlib.sha256(data).hexdigest() != sha256:
            raise Changed(item.name)
        return data

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if self._zip is None:
            return False
        self._zip.close()
        try:
            if kind is None:
                flush_to_disk(self._tmp)  # on the disk before the ledger commits records that point into it
                self._verify()
                if self.final.exists():  # never overwrite an archive
                    raise TrackerError(f"存档文件“{self.final}”已存在,未覆盖。请重新运行。")
                os.replace(self._tmp, self.final)
                flush_to_disk(self.final)  # and its new name
        finally:
            self._tmp.unlink(missing_ok=True)
        return False

    def _verify(self) -> None:
        """Read every entry back and check its SHA-256: the ledger may point only at whole originals."""
        try:
            with zipfile.ZipFile(self._tmp) as written:
                for entry, sha256 in self._entries.items():
                    with written.open(entry) as stream:
                        same = stream_sha256(stream) == sha256
                    if not same:
                        raise TrackerError(f"存档校验失败:{entry} 与原文件不一致,本次汇总未入账。请检查磁盘后重新运行。")
        except (zipfile.BadZipFile, OSError, KeyError) as exc:
            raise TrackerError(f"存档校验失败({exc}),本次汇总未入账。请检查磁盘后重新运行。") from None
