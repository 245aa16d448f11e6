"""Inbox entries found by a hostile reading of intake: each once crashed the batch or lost a return."""

import datetime as dt
import hashlib
import os
import shutil
import threading
import zipfile
from contextlib import closing

import pytest

from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.intake import inbox as inbox_module
from xlsx_tracker.intake import reader as intake
from xlsx_tracker.intake.inbox import list_inbox
from xlsx_tracker.intake.mailparse import write_sidecar
from xlsx_tracker.intake.zipsafe import TooLarge
from xlsx_tracker.month import ledger
from xlsx_tracker.month import merge as merge_module
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split

MONTH = "2024-05"
NOW = dt.datetime(2024, 5, 21, 9)


@pytest.fixture
def month(tmp_path, master, calendar, month_of):
    workspace = init_workspace(tmp_path / "工作区")
    run = month_of(master, calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))}
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    return run, issued, inbox


@pytest.fixture
def filled_bytes(month, filled_return, tmp_path):
    """filled_bytes(unit, seed=0): the bytes of the unit's workbook as filled, to write into the inbox under any name."""
    _, issued, _ = month

    def fill(unit, seed=0) -> bytes:
        return filled_return(issued[unit], tmp_path / "filled", name=f"{unit}.xlsx", seed=seed).read_bytes()
    return fill


def never_returns(*given):
    """A reader that waits for something that never arrives, as one stuck on a file would: its deadline always passes."""
    threading.Event().wait()


def codes(result, name):
    return [p.code for p in result.problems if p.file == name]


def test_two_oversized_files_are_two_records(month, monkeypatch):
    run, _, inbox = month
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", 1000)
    (inbox / "大文件一.xlsx").write_bytes(b"PK\x03\x04" + b"0" * 5000)
    (inbox / "大文件二.xlsx").write_bytes(b"PK\x03\x04" + b"1" * 6000)
    result = merge(run, inbox, now=NOW)
    assert (codes(result, "大文件一.xlsx"), codes(result, "大文件二.xlsx")) == (["file-too-large"], ["file-too-large"])


def test_a_zip_with_a_hostile_directory_is_set_aside_and_the_batch_goes_on(month, filled_bytes):
    run, issued, inbox = month
    (inbox / "司法局_2024-05.xlsx").write_bytes(filled_bytes("司法局"))
    with zipfile.ZipFile(inbox / "怪名.zip", "w") as archive:
        archive.writestr("正常.txt", b"x")
    data = (inbox / "怪名.zip").read_bytes()
    (inbox / "怪名.zip").write_bytes(data.replace("正常.txt".encode(), b"\x00" * len("正常.txt".encode())))
    (inbox / "目录过大.zip").write_bytes(b"PK\x05\x06" + b"\x00" * 4 + b"\xff\xff" * 2 + b"\x00" * 10)
    result = merge(run, inbox, now=NOW)
    assert list(result.accepted) == ["司法局"]
    assert codes(result, "怪名.zip") == ["corrupt-zip"]
    assert codes(result, "目录过大.zip") == ["zip-too-large"]
    for name in ("怪名.zip", "目录过大.zip"):  # never lost: each kept as received
        assert archived(run, name) == (inbox / name).read_bytes()


def archived(run, name: str) -> bytes:
    with closing(ledger.connect(run.workspace.ledger_file)) as conn:
        [stored] = [s.archive_path for s in ledger.submissions(conn, MONTH) if s.file_name == name]
    zip_path, _, entry = stored.rpartition("/")
    with zipfile.ZipFile(run.workspace.root / zip_path) as archive:
        return archive.read(entry)


def test_a_zip_that_cannot_be_opened_is_its_units_refused_return_and_is_kept(month, filled_bytes):
    """As before: named for a unit, it is that unit's return, refused and said so, under its name's key (a ledger
    written before knows it again; two units' empty downloads stay two records). Now its bytes are archived too."""
    run, issued, inbox = month
    (inbox / "教育局_2024-05.zip").write_bytes(b"PK\x03\x04 cut off in the download")
    (inbox / "财政局_2024-05.zip").write_bytes(b"")
    (inbox / "民政局_2024-05.zip").write_bytes(b"")
    result = merge(run, inbox, now=NOW)
    with closing(ledger.connect(run.workspace.ledger_file)) as conn:
        records = {s.file_name: s for s in ledger.submissions(conn, MONTH)}
    broken = records["教育局_2024-05.zip"]
    assert (broken.unit, broken.outcome, broken.sha256) == (
        "教育局", "rejected", hashlib.sha256("corrupt-zip:教育局_2024-05.zip".encode()).hexdigest())
    assert {e.name: e.fate for e in result.manifest}["教育局_2024-05.zip"].startswith("未采用:压缩包已损坏,无法打开(")
    assert archived(run, "教育局_2024-05.zip") == b"PK\x03\x04 cut off in the download"
    assert (records["财政局_2024-05.zip"].unit, records["民政局_2024-05.zip"].unit) == ("财政局", "民政局")
    again = merge(run, inbox, now=NOW)  # recognised by its key: nothing recorded twice
    assert (again.new_files, again.duplicates) == (0, 3)


def test_a_file_changed_while_it_was_read_is_recorded_as_read_and_its_new_version_taken_next_run(month, filled_bytes):
    run, issued, inbox = month
    target = inbox / "司法局_2024-05.xlsx"
    read, resaved = filled_bytes("司法局"), filled_bytes("司法局", seed=9)
    target.write_bytes(read)
    (inbox / "政府办_2024-05.xlsx").write_bytes(filled_bytes("政府办"))

    def resaved_meanwhile(name):
        if name == target.name:
            target.write_bytes(resaved)
    first = merge(run, inbox, now=NOW, progress=resaved_meanwhile)
    assert first.changed == [] and sorted(first.accepted) == ["司法局", "政府办"]
    archived = first.accepted["司法局"]
    with run.workspace.open_archived(archived.archive_path) as stream:
        assert stream.read() == read  # the archive holds the bytes judged, not the file as it is now
    again = merge(run, inbox, now=NOW)
    assert again.new_files == 1  # the version saved meanwhile is a return of its own, judged by the resubmission rule
    assert hashlib.sha256(resaved).hexdigest() in {s.sha256 for s in again.state.submissions_of("司法局")}


def test_a_read_that_timed_out_is_tried_again(month, filled_bytes, monkeypatch):
    run, issued, inbox = month
    (inbox / "司法局_2024-05.xlsx").write_bytes(filled_bytes("司法局"))
    with monkeypatch.context() as patch:
        patch.setattr(merge_module, "_process_item", never_returns)  # the worker hangs on the file, for certain
        busy = merge(run, inbox, now=NOW, timeout=0.5)
    assert codes(busy, "司法局_2024-05.xlsx") == ["reader-timeout"]
    [timed_out] = [p for p in busy.problems if p.file == "司法局_2024-05.xlsx"]
    assert (timed_out.severity, timed_out.sheet, timed_out.cell) == ("error", "", "")
    assert timed_out.message == "读取该文件超过 0.5 秒仍未完成,已跳过,其他文件照常汇总。请让该单位检查文件后另存为新文件重新发送。"
    assert list(busy.accepted) == []
    calm = merge(run, inbox, now=NOW)
    assert calm.new_files == 1 and list(calm.accepted) == ["司法局"] and calm.problems == []
    conn = ledger.connect(run.workspace.ledger_file)
    try:
        assert len(ledger.submissions(conn, MONTH)) == 1  # replaced, not added
    finally:
        conn.close()


@pytest.mark.parametrize("name, data", [("教育局_2024-05.zip", b"PK\x03\x04 cut off"), ("财政局_2024-05.xlsx", b"")])
def test_a_timed_out_read_of_a_file_keyed_by_name_is_tried_again_not_recorded_twice(month, monkeypatch, name, data):
    """A broken zip and an empty file are keyed by their names: the record of a reader that hung takes the same key,
    so the next run's read replaces it."""
    run, _, inbox = month
    (inbox / name).write_bytes(data)
    with monkeypatch.context() as patch:
        patch.setattr(merge_module, "_process_item", never_returns)
        busy = merge(run, inbox, now=NOW, timeout=0.5)
    assert codes(busy, name) == ["reader-timeout"]
    calm = merge(run, inbox, now=NOW)
    assert calm.new_files == 1 and codes(calm, name) != ["reader-timeout"]
    with closing(ledger.connect(run.workspace.ledger_file)) as conn:
        assert [s.file_name for s in ledger.submissions(conn, MONTH)] == [name]  # replaced, not added
    if data:
        assert archived(run, name) == data


def test_a_zip_that_cannot_be_read_at_all_is_named_and_the_batch_goes_on(month, filled_bytes, monkeypatch):
    run, _, inbox = month
    (inbox / "司法局_2024-05.xlsx").write_bytes(filled_bytes("司法局"))
    (inbox / "无权限.zip").write_bytes(b"PK\x05\x06")

    def no_permission(path):
        raise PermissionError(13, "拒绝访问", str(path))
    monkeypatch.setattr(inbox_module, "directory_problem", no_permission)
    result = merge(run, inbox, now=NOW)
    assert list(result.accepted) == ["司法局"] and codes(result, "无权限.zip") == ["unreadable-file"]


def test_a_workbook_saved_as_zip_is_one_workbook(month, filled_bytes):
    run, issued, inbox = month
    (inbox / "司法局_2024-05.zip").write_bytes(filled_bytes("司法局"))
    result = merge(run, inbox, now=NOW)
    assert list(result.accepted) == ["司法局"]
    assert codes(result, "司法局_2024-05.zip") == ["extension-mismatch"]


@pytest.mark.filterwarnings("ignore:Duplicate name")  # the point of the fixture
def test_two_members_of_one_name_are_both_read(month, filled_bytes):
    run, issued, inbox = month
    with zipfile.ZipFile(inbox / "两份.zip", "w") as archive:
        archive.writestr("表.xlsx", filled_bytes("人大办"))
        archive.writestr("表.xlsx", filled_bytes("人民法院"))
    result = merge(run, inbox, now=NOW)
    assert sorted(result.accepted) == ["人大办", "人民法院"]


@pytest.mark.skipif(os.name != "posix", reason="bytes file names are POSIX")
def test_a_link_whose_target_is_not_utf8_is_reported(month, tmp_path, filled_bytes):
    run, issued, inbox = month
    (inbox / "司法局_2024-05.xlsx").write_bytes(filled_bytes("司法局"))
    os.symlink(b"/tmp/\xb1\xed.xlsx", os.path.join(os.fsencode(inbox), b"link.xlsx"))
    result = merge(run, inbox, now=NOW)
    [dangling] = [p for p in result.problems if p.code == "dangling-link"]
    assert dangling.message.startswith("这是一个指向不存在文件的快捷方式/链接(指向 /tmp/表.xlsx)")


def test_a_link_to_the_inbox_itself_is_not_called_outside(tmp_path):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    os.symlink(inbox, inbox / "回环")
    items, _ = list_inbox(inbox)
    assert [(i.problem, i.detail) for i in items] == [("link-inside-inbox", "收件目录本身")]
    shutil.rmtree(inbox)


class EncryptedMember(zipfile.ZipInfo):
    """A member written with the encryption flag set, as a zipper given a password marks it (the bytes are plain)."""

    def _encodeFilenameFlags(self):
        name, flags = super()._encodeFilenameFlags()
        return name, flags | 0x1


def problems_at(result, name):
    return [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in result.problems if p.file == name]


def test_a_password_protected_member_of_a_zip_is_named_and_the_rest_is_read(month, filled_bytes):
    run, _, inbox = month
    with zipfile.ZipFile(inbox / "司法局材料.zip", "w") as archive:
        archive.writestr("司法局_2024-05.xlsx", filled_bytes("司法局"))
        archive.writestr(EncryptedMember("加密的表.xlsx"), filled_bytes("政府办"))
    result = merge(run, inbox, now=NOW)
    assert list(result.accepted) == ["司法局"]
    assert problems_at(result, "司法局材料.zip/加密的表.xlsx") == [
        ("zip-encrypted", "司法局材料.zip/加密的表.xlsx", "", "", "error", "压缩包中的该文件设置了密码,无法读取。请让该单位发送未加密的文件。")]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_pipe_named_like_a_workbook_is_never_opened(month, filled_bytes):
    run, _, inbox = month
    (inbox / "司法局_2024-05.xlsx").write_bytes(filled_bytes("司法局"))
    os.mkfifo(inbox / "管道.xlsx")  # opening it to read would wait for a writer forever
    result = merge(run, inbox, now=NOW)
    assert list(result.accepted) == ["司法局"]
    assert problems_at(result, "管道.xlsx") == [("not-a-file", "管道.xlsx", "", "", "error", "这不是普通文件(设备或管道文件),未读取。")]


def test_the_sidecars_fetch_writes_are_neither_items_nor_temporary_files(month, filled_bytes):
    """A fetched attachment's hidden sidecar is fetch's own record: not counted as 临时文件, not in the file list."""
    run, _, inbox = month
    day = inbox / "2024-05-17"
    day.mkdir()
    saved = day / "090000_审计局_2024-05.xlsx"
    saved.write_bytes(filled_bytes("审计局"))
    write_sidecar(saved, {"发件人": "audit@example.com", "主题": "审计局进展表", "发送时间": "", "Message-ID": "<a@b>",
                          "收到时间": "2024-05-17 09:00:00", "附件名": "审计局_2024-05.xlsx"})
    (day / "~$090000_审计局_2024-05.xlsx").write_bytes(b"lock")  # Excel's own lock file: a temporary file indeed
    items, ignored = list_inbox(inbox)
    assert [i.name for i in items] == ["2024-05-17/090000_审计局_2024-05.xlsx"]
    assert items[0].received_source == "邮件服务器"
    assert ignored == ["2024-05-17/~$090000_审计局_2024-05.xlsx"]
    result = merge(run, inbox, now=NOW)
    assert result.ignored == ["2024-05-17/~$090000_审计局_2024-05.xlsx"]
    assert [(e.name, e.fate) for e in result.manifest if e.fate.startswith("忽略")] == [
        ("2024-05-17/~$090000_审计局_2024-05.xlsx", "忽略:临时或锁定文件")]
    assert not any(".邮件.json" in e.name for e in result.manifest)
    assert "审计局" in result.accepted


def _item(path):
    return list_inbox(path.parent)[0][0]


def test_a_file_is_read_whole_up_to_the_cap_and_refused_beyond_it(tmp_path):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "教育局_2024-05.xlsx"
    path.write_bytes(b"x" * 100)
    assert inbox_module.read_bytes(_item(path), 100)[0] == b"x" * 100
    with pytest.raises(TooLarge):
        inbox_module.read_bytes(_item(path), 99)


def test_a_file_that_grew_after_its_size_was_taken_is_read_whole_within_the_cap(tmp_path, monkeypatch):
    (tmp_path / "in").mkdir()
    path = tmp_path / "in" / "教育局_2024-05.xlsx"
    path.write_bytes(b"y" * 500)
    item = _item(path)
    real_fstat = os.fstat
    monkeypatch.setattr(inbox_module.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 10, *real_fstat(fd)[7:])))
    assert inbox_module.read_bytes(item, 1000)[0] == b"y" * 500  # the size said 10 bytes: the rest is read too
    with pytest.raises(TooLarge):
        inbox_module.read_bytes(item, 499)
