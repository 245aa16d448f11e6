"""A merge run's archive: the bytes the worker judged are stored as they are, read back before the ledger commits,
and a record made without bytes is archived only if the file is still what was recorded."""

from __future__ import annotations

import hashlib
import zipfile

import pytest

from xlsx_tracker.base.model import TrackerError
from xlsx_tracker.base.workspace import Workspace
from xlsx_tracker.intake.inbox import InboxItem
from xlsx_tracker.month.archive import Changed, RunArchive
from xlsx_tracker.month.ledger import Prepared, Submission

DATA = b"PK\x03\x04 a returned workbook, as bytes" * 40


def prepared(path, data: bytes, handed_back: bool = True) -> Prepared:
    sha256 = hashlib.sha256(data).hexdigest()
    submission = Submission(sha256=sha256, month="2024-05", unit="司法局", file_name=path.name, archive_path="", size=len(data),
                            issued="", saved_at="", identity_source="", master_version="", received_at="", outcome="applied")
    return Prepared(submission, InboxItem(path, path.name), [], [], [], [], data if handed_back else b"")


def test_the_bytes_handed_back_are_archived_without_reading_the_file_again(tmp_path):
    path = tmp_path / "司法局_2024-05.xlsx"
    path.write_bytes(b"re-saved after it was read")  # the inbox file changed meanwhile: the judged bytes are kept
    with RunArchive(Workspace(tmp_path), "2024-05", "2024-05-21 10:00:00") as archive:
        stored = archive.add(prepared(path, DATA))
    [final] = (tmp_path / "archive" / "2024-05").glob("*.zip")
    with zipfile.ZipFile(final) as written:
        [name] = written.namelist()
        assert written.read(name) == DATA and name == f"{hashlib.sha256(DATA).hexdigest()}.xlsx"
    assert stored.data == b""  # the record goes on to the ledger without its bytes


def test_a_record_without_bytes_is_archived_only_while_the_file_is_unchanged(tmp_path):
    path = tmp_path / "司法局_2024-05.xlsx"
    path.write_bytes(DATA)
    with RunArchive(Workspace(tmp_path), "2024-05", "2024-05-21 10:00:00") as archive:
        archive.add(prepared(path, DATA, handed_back=False))  # a reader that died: the file is read now
        path.write_bytes(b"changed")
        other = tmp_path / "政府办_2024-05.xlsx"
        other.write_bytes(b"changed")
        with pytest.raises(Changed):
            archive.add(prepared(other, DATA + b"2", handed_back=False))


def test_an_archive_that_reads_back_wrong_is_refused_and_never_put_in_place(tmp_path, monkeypatch):
    path = tmp_path / "司法局_2024-05.xlsx"
    real_close, damaged = zipfile.ZipFile.close, []

    def close_then_damage(self):  # the disk returns other bytes than were written: one byte of the entry flipped
        real_close(self)
        if self.mode == "w" and not damaged:
            damaged.append(self.filename)
            with open(self.filename, "rb") as stream:
                raw = bytearray(stream.read())
            at = raw.find(DATA[:20])
            raw[at + 5] ^= 0xFF
            with open(self.filename, "wb") as stream:
                stream.write(raw)
    monkeypatch.setattr(zipfile.ZipFile, "close", close_then_damage)
    with pytest.raises(TrackerError, match="存档校验失败"):
        with RunArchive(Workspace(tmp_path), "2024-05", "2024-05-21 10:00:00") as archive:
            archive.add(prepared(path, DATA))
    assert list((tmp_path / "archive" / "2024-05").iterdir()) == []  # neither the run's zip nor its temporary file


def test_bytes_that_are_not_the_recorded_file_are_refused_before_the_ledger_commits(tmp_path):
    path = tmp_path / "司法局_2024-05.xlsx"
    wrong = prepared(path, DATA)
    wrong = Prepared(wrong.submission, wrong.item, [], [], [], [], DATA[:-1] + b"!")  # the same size, other bytes
    with pytest.raises(TrackerError, match="存档校验失败:.*与原文件不一致"):
        with RunArchive(Workspace(tmp_path), "2024-05", "2024-05-21 10:00:00") as archive:
            archive.add(wrong)
    assert list((tmp_path / "archive" / "2024-05").iterdir()) == []
