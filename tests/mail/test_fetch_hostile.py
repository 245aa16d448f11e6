"""fetch against a real Dovecot holding hostile mail: messages beyond the bounds are left in the mailbox and named,
names too long for the file system are shortened (the name as sent kept in the sidecar), raw UTF-8 names read as
UTF-8, and a fetch killed part-way never makes the next one save an attachment twice."""

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import uuid

import pytest
from click.testing import CliRunner

from xlsx_tracker.base.filenames import NAME_BYTES, safe_name
from xlsx_tracker.cli import main
from xlsx_tracker.intake.mailparse import read_sidecar, sidecar
from xlsx_tracker.mail import mailbox
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month import ledger, mail_ledger

from .messages import PASSWORD, append, attach, many_attachments, nested, plain, with_raw_filename

MONTH = "2024-05"
ARRIVED = "Fri, 17 May 2024 09:00:00 +0800"
LOCAL = dt.datetime(2024, 5, 17, 9)  # as fetch keeps it: the office's time (Asia/Shanghai), whatever this computer's zone
STAMP, DAY, SHOWN = LOCAL.strftime("%H%M%S"), LOCAL.date().isoformat(), LOCAL.isoformat(sep=" ")[:16]
LONG_ASCII = "a" * 300 + ".pdf"
LONG_CHINESE = "关于印发法治政府建设实施方案的通知" * 16 + ".docx"  # 816 bytes of UTF-8


@pytest.fixture
def office(dovecot, point_mail, workspace, calendar, month_of):
    """(workspace, run, user): a workspace whose [mail] points at an empty mailbox of its own on the test Dovecot."""
    user = f"office-{uuid.uuid4().hex[:10]}@example.com"
    point_mail(workspace, user, dovecot)
    run = month_of(load_master_or_fail(workspace), calendar, MONTH, workspace)
    return workspace, run, user


def cli(workspace, *args):
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args], env={"XLSX_TRACKER_MAIL_PASSWORD": PASSWORD}, catch_exceptions=False)


def saved_files(workspace) -> dict[str, bytes]:
    """Every attachment file fetch left in the month's inbox (sidecars apart): name below the inbox -> bytes."""
    inbox = workspace.inbox_dir(MONTH)
    return {p.relative_to(inbox).as_posix(): p.read_bytes() for p in sorted(inbox.rglob("*")) if p.is_file() and not p.name.startswith(".")}


def note(subject: str, why: str) -> str:
    return f"  邮件“{subject}”(发件人 unit@example.com,收到 {SHOWN}):{why},未保存其中的附件。请在邮箱中查看该邮件,或请发件单位重新发送。"


def test_hostile_mail_is_fetched_within_bounds_and_the_rest_is_saved(office, dovecot, monkeypatch):
    workspace, run, user = office
    monkeypatch.setattr(mailbox, "MAX_MESSAGE_BYTES", 2**20)  # 100 MB in use: 1 MB here
    padded = plain("信头很长")
    padded["X-Padding"] = "x" * 300_000
    endless = attach(plain("一个附件名过长"), "通知.pdf", b"%PDF-1.4 notice", ("application", "pdf"))
    attach(endless, "长" * 20_000 + ".pdf", b"%PDF-1.4 endless", ("application", "pdf"))
    long_names = attach(plain("名字很长的附件"), LONG_ASCII, b"%PDF-1.4 ascii", ("application", "pdf"))
    attach(long_names, LONG_CHINESE, b"PK docx", ("application", "octet-stream"))
    raw_utf8 = with_raw_filename(plain("司法局进展表(原始UTF-8)"), b"PK xlsx", b'"' + "司法局五月.xlsx".encode() + b'"')
    large = attach(plain("超大邮件"), "录像.mp4", os.urandom(1_500_000), ("video", "mp4"))
    normal = attach(plain("编办进展表"), "编办_2024-05.xlsx", b"PK bianban", ("application", "octet-stream"))
    append(dovecot, user, [(raw, ARRIVED) for raw in (
        nested(1200, "层层嵌套的邮件"), many_attachments(3000, "三千个附件"), padded.as_bytes(), endless.as_bytes(),
        long_names.as_bytes(), raw_utf8, large.as_bytes(), normal.as_bytes())])

    fetched = cli(workspace, "fetch", "--month", MONTH)

    assert fetched.exit_code == 0, fetched.output
    assert fetched.output.splitlines() == [
        f"查看邮件 8 封:新保存附件 5 个,此前已保存 0 个,保存在 {workspace.inbox_dir(MONTH)}",
        "未能保存的邮件或附件 5 处(其余邮件照常保存):",
        note("层层嵌套的邮件", "邮件的层次嵌套过深(超过 100 层)"),
        note("三千个附件", "邮件的组成部分超过 1000 个"),
        note("信头很长", "信头过长(超过 256 KB)"),
        f"  邮件“一个附件名过长”(发件人 unit@example.com,收到 {SHOWN}):第 4 个组成部分的信头过长(超过 8000 个字符),未保存。请在邮箱中查看该邮件。",
        note("超大邮件", "邮件超过 1 MB"),
        f"下一步:xlsx-tracker merge --month {MONTH}",
    ]
    folder = workspace.inbox_dir(MONTH) / DAY
    room = mailbox._room(folder)
    ascii_name, chinese_name = safe_name(f"{STAMP}_{LONG_ASCII}", room), safe_name(f"{STAMP}_{LONG_CHINESE}", room)
    assert saved_files(workspace) == {
        f"{DAY}/{STAMP}_通知.pdf": b"%PDF-1.4 notice",
        f"{DAY}/{ascii_name}": b"%PDF-1.4 ascii",
        f"{DAY}/{chinese_name}": b"PK docx",
        f"{DAY}/{STAMP}_司法局五月.xlsx": b"PK xlsx",
        f"{DAY}/{STAMP}_编办_2024-05.xlsx": b"PK bianban",
    }
    for name, original in ((ascii_name, LONG_ASCII), (chinese_name, LONG_CHINESE)):
        assert name.startswith(STAMP) and name.endswith(original[-5:].lstrip("a")) and len(name.encode()) <= NAME_BYTES
        assert len(sidecar(folder / name).name.encode()) <= 255
        facts = read_sidecar(folder / name)
        assert (facts["附件名"], facts["主题"], facts["收到时间"][:16]) == (original, "名字很长的附件", SHOWN)
    assert read_sidecar(folder / f"{STAMP}_司法局五月.xlsx")["附件名"] == "司法局五月.xlsx"

    again = cli(workspace, "fetch", "--month", MONTH)
    assert again.output.splitlines()[0] == f"查看邮件 8 封:新保存附件 0 个,此前已保存 5 个,保存在 {workspace.inbox_dir(MONTH)}"
    assert again.output.splitlines()[1:] == fetched.output.splitlines()[1:]  # the same messages named again, nothing lost
    assert len(saved_files(workspace)) == 5


def attachments_mailbox(dovecot, user, count=6) -> dict[str, bytes]:
    """count messages of one or two attachments each (one message without a Message-ID); attachment name -> bytes."""
    expected, messages = {}, []
    for n in range(count):
        message = attach(plain(f"第{n}封"), f"表{n}.xlsx", f"PK table {n}".encode(), ("application", "octet-stream"))
        expected[f"{DAY}/{STAMP}_表{n}.xlsx"] = f"PK table {n}".encode()
        if n % 2:
            attach(message, "说明.pdf", f"%PDF {n}".encode(), ("application", "pdf"))
            expected[f"{DAY}/{STAMP}_说明{'' if n == 1 else f'({(n + 1) // 2})'}.pdf"] = f"%PDF {n}".encode()
        if n == 2:
            del message["Message-ID"]
        messages.append((message.as_bytes(), ARRIVED))
    append(dovecot, user, messages)
    return expected


class Killed(BaseException):
    """What a kill does to fetch, as far as fetch can tell: it stops where it is (KeyboardInterrupt is one)."""


def kill_on_call(monkeypatch, module, name, call):
    original, calls = getattr(module, name), []

    def killing(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise Killed(f"killed at {name} call {call}")
        return original(*args, **kwargs)
    monkeypatch.setattr(module, name, killing)


@pytest.mark.parametrize("where, saved_before, on_disk", [
    ("atomic_path", 2, 0),  # the third attachment's sidecar written, its file not yet
    ("record_fetch", 2, 1),  # the third attachment's sidecar and file written, its ledger record not yet
])
def test_a_fetch_killed_part_way_saves_nothing_twice(office, dovecot, monkeypatch, where, saved_before, on_disk):
    workspace, run, user = office
    expected = attachments_mailbox(dovecot, user)
    with monkeypatch.context() as patch:
        kill_on_call(patch, mailbox if where == "atomic_path" else mail_ledger, where, 3)
        with pytest.raises(Killed):
            mailbox.fetch(run, PASSWORD)
    assert len(saved_files(workspace)) == saved_before + on_disk

    again = cli(workspace, "fetch", "--month", MONTH)

    assert again.output.splitlines()[0] == (f"查看邮件 6 封:新保存附件 {9 - saved_before - on_disk} 个,"
                                            f"此前已保存 {saved_before + on_disk} 个,保存在 {workspace.inbox_dir(MONTH)}")
    assert saved_files(workspace) == expected  # no "(2)" copy of anything saved before the kill
    folder = workspace.inbox_dir(MONTH) / DAY
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == sorted(sidecar(folder / n.split("/")[1]).name for n in expected)
    conn = ledger.connect(workspace.ledger_file)
    try:
        assert conn.execute("SELECT count(*) FROM fetched").fetchone()[0] == 9
    finally:
        conn.close()
    assert cli(workspace, "fetch", "--month", MONTH).output.startswith("查看邮件 6 封:新保存附件 0 个,此前已保存 9 个")


def test_a_fetch_killed_with_sigkill_saves_nothing_twice(office, dovecot, wait_until):
    """A real kill -9 of a fetch in another process, part-way through 120 messages, then fetch again."""
    workspace, _, user = office
    messages = [(attach(plain(f"第{n}封"), f"表{n}.xlsx", os.urandom(50_000), ("application", "octet-stream")).as_bytes(), ARRIVED)
                for n in range(120)]
    append(dovecot, user, messages)
    folder = workspace.inbox_dir(MONTH) / DAY
    process = subprocess.Popen([sys.executable, "-m", "xlsx_tracker", "-w", str(workspace.root), "fetch", "--month", MONTH],
                               env={**os.environ, "XLSX_TRACKER_MAIL_PASSWORD": PASSWORD}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert wait_until(lambda: folder.is_dir() and len(os.listdir(folder)) >= 20, timeout=60)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    before = saved_files(workspace)

    again = cli(workspace, "fetch", "--month", MONTH)

    assert again.exit_code == 0, again.output
    after = saved_files(workspace)
    assert sorted(after) == sorted(f"{DAY}/{STAMP}_表{n}.xlsx" for n in range(120))  # each once, no "(2)"
    assert all(after[name] == data for name, data in before.items())
    assert all(json.loads(sidecar(folder / name.split("/")[1]).read_text(encoding="utf-8"))["附件名"] == name.split("_", 1)[1] for name in after)
