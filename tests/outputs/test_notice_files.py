"""The month's notices on disk: written by one process per core at province scale, the same files as one process
writes; rewritten only when what they say changed."""

from __future__ import annotations

import datetime as dt

from xlsx_tracker.outputs import notice_files
from xlsx_tracker.outputs.notice_files import notices_for


def files(folder) -> dict[str, bytes]:
    """Every notice's text (the .xlsx and .eml carry the same words, with their own zip and MIME dates)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.glob("*/*.txt"))}


def test_notices_written_by_workers_are_those_one_process_writes(looped, tmp_path, monkeypatch):
    _, _, run, result, _, _ = looped
    when = dt.datetime(2024, 5, 24, 9)
    one = notices_for(run, result.state, when, folder=tmp_path / "一个进程")
    monkeypatch.setattr(notice_files, "PARALLEL_UNITS", 1)
    monkeypatch.setattr(notice_files, "CHUNK", 3)  # 32 units in 11 items over the cores
    many = notices_for(run, result.state, when, folder=tmp_path / "多个进程")
    assert [[(w.unit, [p.name for p in w.paths]) for w in kind] for kind in one] == \
           [[(w.unit, [p.name for p in w.paths]) for w in kind] for kind in many]
    assert files(tmp_path / "一个进程") == files(tmp_path / "多个进程") and len(files(tmp_path / "多个进程")) == 34  # 3 receipts, 31 reminders
    assert sorted(p.name for p in (tmp_path / "多个进程").glob("*/*.xlsx")) == sorted(p.name for p in (tmp_path / "一个进程").glob("*/*.xlsx"))


def test_a_notice_that_says_the_same_is_left_as_it_was_and_one_deleted_is_written_again(looped, tmp_path):
    _, _, run, result, receipts, _ = looped
    folder = tmp_path / "回执目录"
    notices_for(run, result.state, dt.datetime(2024, 5, 24, 9), folder=folder)
    first = {p: p.stat().st_mtime_ns for p in folder.glob("*/*.*")}
    gone = folder / "回执" / receipts[0].paths[0].name
    gone.unlink()
    notices_for(run, result.state, dt.datetime(2024, 5, 25, 10), folder=folder)  # a day later, nothing new
    assert gone.exists()  # its files were not all there: written again
    kept = {p.relative_to(folder).as_posix() for p in first if p.exists() and p.stat().st_mtime_ns == first[p]}
    # the other receipts say the same, and so do the reminders of 区委办 (late) and 政府办 (to correct); a reminder to
    # send at all says something new a day later: its answer date, three working days on, moved
    assert (receipts[0].unit, sorted(kept)) == ("司法局", [f"{kind}/{kind}_{unit}{tail}" for kind, unit, tail in [
        ("催报", "区委办", ".eml"), ("催报", "区委办", ".txt"), ("催报", "政府办", ".eml"), ("催报", "政府办", ".txt"),
        ("回执", "区委办", "_2024-05.txt"), ("回执", "区委办", "_2024-05.xlsx"), ("回执", "政府办", "_2024-05.txt"),
        ("回执", "政府办", "_2024-05.xlsx")]])
    assert "回执时间:2024-05-24 09:00" in (folder / "回执" / receipts[1].paths[1].name).read_text(encoding="utf-8")


def test_a_notice_left_saying_something_else_is_written_again(looped, tmp_path):
    """The files are the record of what was written: an earlier writing cut short (a receipt open in Excel, a crash)
    leaves an old text, and the next writing puts the current one in its place."""
    _, _, run, result, receipts, reminders = looped
    folder = tmp_path / "通知"
    notices_for(run, result.state, dt.datetime(2024, 5, 24, 9), folder=folder)
    text = folder / "回执" / receipts[0].paths[1].name
    current = text.read_text(encoding="utf-8")
    text.write_text(current.replace("联系", "旧的联系"), encoding="utf-8")
    draft = folder / "催报" / reminders[0].paths[1].name
    draft.write_bytes(b"To: old@example.com\n" + draft.read_bytes())  # addressed to the liaison the unit had before
    assert b"old@example.com" in draft.read_bytes()
    notices_for(run, result.state, dt.datetime(2024, 5, 24, 10), folder=folder)
    assert text.read_text(encoding="utf-8") == current.replace("2024-05-24 09:00", "2024-05-24 10:00")
    assert b"old@example.com" not in draft.read_bytes()
