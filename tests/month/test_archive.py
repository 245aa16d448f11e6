"""A merge run's archive: the bytes the worker judged are stored as they are, read back before the ledger commits,
and a record made without bytes is archived only if the file is still what was recorded."""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import zipfile

import pytest

from xlsx_tracker.base.model import TrackerError
from xlsx_tracker.base.sheetio import write_text_atomic
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


def test_the_archive_is_forced_to_disk_before_it_is_put_in_place(tmp_path, monkeypatch):
    """What the ledger will point at survives a power cut the ledger's commit survives: flushed, then renamed, then
    its folder flushed."""
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}") if os.path.exists(f"/proc/self/fd/{fd}") else fd))
        real_fsync(fd)

    def replace(source, target):
        events.append(("replace", str(target)))
        real_replace(source, target)
    monkeypatch.setattr("os.fsync", fsync)
    monkeypatch.setattr("xlsx_tracker.month.archive.os.replace", replace)
    path = tmp_path / "司法局_2024-05.xlsx"
    with RunArchive(Workspace(tmp_path), "2024-05", "2024-05-21 10:00:00") as archive:
        archive.add(prepared(path, DATA))
    [final] = (tmp_path / "archive" / "2024-05").glob("*.zip")
    kinds = [kind for kind, _ in events]
    assert kinds.index("fsync") < kinds.index("replace") < len(kinds) - 1 and kinds[-1] == "fsync"
    if sys.platform.startswith("linux"):
        assert events[0][1].endswith(".tmp-" + final.name) and events[-1][1] == str(final.parent)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_document_written_atomically_gets_the_mode_a_new_file_gets(tmp_path):
    write_text_atomic(tmp_path / "回执.txt", "内容")
    (tmp_path / "普通.txt").write_text("内容", encoding="utf-8")
    assert stat.S_IMODE((tmp_path / "回执.txt").stat().st_mode) == stat.S_IMODE((tmp_path / "普通.txt").stat().st_mode)
