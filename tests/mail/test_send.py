"""send against a real SMTP server (aiosmtpd) that refuses chosen recipients: every address checked before the server
is contacted (a bad one named with its unit and reason, never used), one message a unit, a refusal reported and the
batch going on, each send recorded as it happens so that a run killed part-way never sends a unit twice."""

import os
import signal
import subprocess
import sys
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from xlsx_tracker.cli import mail_commands, main
from xlsx_tracker.mail import sending
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month import ledger, mail_ledger
from xlsx_tracker.outputs.notices import reminder_stem

from .messages import PASSWORD, USER
from .servers import Refusing, smtp_controller

MONTH = "2024-05"
TAIL = "不会使用。请在总任务清单“联络员”表中改为一个有效的邮箱地址。"


@pytest.fixture
def server():
    handler = Refusing(at_rcpt={"refuse@example.com"}, at_data={"datafail@example.com"}, hang={"hang@example.com"},
                       drop={"drop@example.com"})
    controller = smtp_controller(handler)
    yield controller.port, handler
    controller.stop()


@pytest.fixture
def office(server, point_mail, workspace, calendar, month_of):
    """(workspace, run, units): a workspace whose [mail] points at the SMTP server, and its first nine units."""
    point_mail(workspace, USER, smtp_port=server[0])
    run = month_of(load_master_or_fail(workspace), calendar, MONTH, workspace)
    return workspace, run, list(run.master.registry.units)[:9]


def write_reminders(run, units) -> None:
    """A reminder draft for each unit, where merge writes them."""
    folder = run.workspace.month_reports(MONTH)
    for unit in units:
        draft = EmailMessage()
        draft["Subject"], draft["X-Unsent"] = f"催报:{unit}", "1"
        draft.set_content(f"{unit}:请报送五月进展。")
        path = reminder_stem(folder, unit).with_suffix(".eml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(bytes(draft))
        path.with_suffix(".txt").write_text(f"{unit}:请报送五月进展。\n", encoding="utf-8")  # what send's digest is of


def cli(workspace, *args):
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args], env={"XLSX_TRACKER_MAIL_PASSWORD": PASSWORD}, catch_exceptions=False)


def with_liaisons(monkeypatch, addresses: dict[str, str]) -> dict[str, dict]:
    liaisons = {unit: {"电子邮箱": address} for unit, address in addresses.items()}
    monkeypatch.setattr(mail_commands, "load_state", lambda run: SimpleNamespace(liaisons=liaisons))
    return liaisons


def sent_rows(workspace) -> list[tuple[str, str, str]]:
    conn = ledger.connect(workspace.ledger_file)
    try:
        return sorted(conn.execute("SELECT unit, to_address, state FROM sent WHERE month=? AND kind='reminders'", (MONTH,)))
    finally:
        conn.close()


def test_every_recipient_is_checked_first_and_a_refusal_never_stops_the_batch(office, server, monkeypatch):
    workspace, run, units = office
    _, handler = server
    u = units
    with_liaisons(monkeypatch, {
        u[0]: "good1@example.com", u[1]: "sj@@example", u[2]: "a@example.com, b@attacker.example",
        u[3]: "c@example.com\r\nBcc: evil@attacker.example", u[4]: "张三@统计局.政务", u[5]: "张三",
        u[6]: "refuse@example.com", u[7]: "datafail@example.com", u[8]: "good2@example.com"})
    write_reminders(run, units)
    invalid = [
        f"  不发送 {u[1]}:联络员邮箱“sj@@example”不是一个有效的电子邮箱地址,{TAIL}",
        f"  不发送 {u[2]}:联络员邮箱“a@example.com, b@attacker.example”填了不止一个地址(一个单元格只能填写一个邮箱地址),{TAIL}",
        f"  不发送 {u[3]}:联络员邮箱“c@example.com\\r\\nBcc: evil@attacker.example”含有换行或其他控制字符,{TAIL}",
        f"  不发送 {u[4]}:联络员邮箱“张三@统计局.政务”不是一个有效的电子邮箱地址,{TAIL}",
        f"  不发送 {u[5]}:联络员邮箱“张三”不是一个有效的电子邮箱地址,{TAIL}",
    ]

    preview = cli(workspace, "send", "reminders", "--month", MONTH)

    assert preview.exit_code == 0, preview.output
    assert preview.output.splitlines() == [
        f"  将发送 {u[0]} → good1@example.com", f"  将发送 {u[6]} → refuse@example.com",
        f"  将发送 {u[7]} → datafail@example.com", f"  将发送 {u[8]} → good2@example.com", *invalid,
        "预览:将发送催报通知 4 封;确认无误后加 --yes 发送。另有 5 个单位的邮箱无效,不会发送(见上)。"]
    assert handler.asked == []  # a preview never connects

    sent = cli(workspace, "send", "reminders", "--month", MONTH, "--yes")

    assert sent.exit_code == 0, sent.output
    assert sent.output.splitlines() == [
        f"  已发送 {u[0]} → good1@example.com", f"  已发送 {u[8]} → good2@example.com", *invalid,
        f"  未发出 {u[6]}:发信服务器拒收 refuse@example.com(550 5.1.1 Mailbox unavailable)。请核对该单位联络员邮箱。",
        f"  未发出 {u[7]}:发信服务器拒收 datafail@example.com(554 5.7.1 Message rejected)。"
        "可能是邮件内容被服务器拦截,请稍后重试;如仍被拒收,请核对该单位联络员邮箱或改用其他方式发送。",
        "已发送催报通知 2 封。未发出 7 封(见上)。"]
    assert handler.asked == ["good1@example.com", "refuse@example.com", "datafail@example.com", "good2@example.com"]
    assert [tos for tos, _ in handler.messages] == [["good1@example.com"], ["good2@example.com"]]  # one message a unit
    first = message_from_bytes(handler.messages[0][1], policy=policy.default)
    assert (first["To"], first["Bcc"], first["X-Unsent"], first["Subject"]) == ("good1@example.com", None, None, f"催报:{u[0]}")
    assert sent_rows(workspace) == sorted([(u[0], "good1@example.com", "sent"), (u[8], "good2@example.com", "sent")])

    again = cli(workspace, "send", "reminders", "--month", MONTH, "--yes")
    assert f"此前已发送过相同催报通知、本次不再发送:{u[0]}、{u[8]}" in again.output.splitlines()
    assert len(handler.messages) == 2  # never the same notice twice; the refused are tried again and refused again
    assert handler.asked[4:] == ["refuse@example.com", "datafail@example.com"]


class Killed(BaseException):
    """What a kill does to send, as far as send can tell: it stops where it is."""


def test_a_send_killed_after_the_server_took_a_message_never_sends_it_again(office, server, monkeypatch):
    workspace, run, units = office
    _, handler = server
    a, b, c = units[:3]
    liaisons = with_liaisons(monkeypatch, {a: "a@example.com", b: "b@example.com", c: "c@example.com"})
    write_reminders(run, [a, b, c])
    original, calls = mail_ledger.record_sent, []

    def killed_on_the_second(*args):  # the server has taken b's message; the kill comes before it is recorded
        calls.append(args)
        if len(calls) == 2:
            raise Killed
        return original(*args)
    with monkeypatch.context() as patch:
        patch.setattr(mail_ledger, "record_sent", killed_on_the_second)
        with pytest.raises(Killed):
            sending.send(run, "reminders", liaisons, PASSWORD, yes=True)
    assert [tos for tos, _ in handler.messages] == [["a@example.com"], ["b@example.com"]]
    assert sent_rows(workspace) == sorted([(a, "a@example.com", "sent"), (b, "b@example.com", "sending")])

    again = cli(workspace, "send", "reminders", "--month", MONTH, "--yes")

    assert again.output.splitlines() == [
        f"  已发送 {c} → c@example.com",
        f"此前已发送过相同催报通知、本次不再发送:{a}",
        f"上次发送中断、不能确定对方是否已收到催报通知,本次不再发送:{b}(请向对方核实;确认未收到时加 --resend-interrupted 重新发送)",
        "已发送催报通知 1 封。"]
    assert [tos for tos, _ in handler.messages] == [["a@example.com"], ["b@example.com"], ["c@example.com"]]  # each once

    asked = cli(workspace, "send", "reminders", "--month", MONTH, "--yes", "--resend-interrupted")  # the office checked: not received
    assert asked.output.splitlines()[0] == f"  已发送 {b} → b@example.com"
    assert sent_rows(workspace) == sorted([(a, "a@example.com", "sent"), (b, "b@example.com", "sent"), (c, "c@example.com", "sent")])
    assert cli(workspace, "send", "reminders", "--month", MONTH, "--yes").output.splitlines()[-1] == "已发送催报通知 0 封。"


def test_a_send_killed_with_sigkill_mid_message_sends_no_unit_twice(office, server, fill_roster, wait_until):
    """A real kill -9 of `send --yes` in another process while the server holds one unit's message; then send again."""
    workspace, run, units = office
    _, handler = server
    a, b, c = units[:3]
    fill_roster(workspace, {a: ["甲", "科员", "6218001", "a@example.com"], b: ["乙", "科员", "6218002", "hang@example.com"],
                            c: ["丙", "科员", "6218003", "c@example.com"]})
    write_reminders(run, [a, b, c])
    process = subprocess.Popen([sys.executable, "-m", "xlsx_tracker", "-w", str(workspace.root), "send", "reminders", "--month", MONTH, "--yes"],
                               env={**os.environ, "XLSX_TRACKER_MAIL_PASSWORD": PASSWORD}, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        assert handler.hanging.wait(60), process.stderr.read().decode() if process.poll() is not None else "no message to hang@"
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    assert [tos for tos, _ in handler.messages] == [["a@example.com"]]

    again = cli(workspace, "send", "reminders", "--month", MONTH, "--yes")

    assert again.exit_code == 0, again.output
    assert f"  已发送 {c} → c@example.com" in again.output.splitlines()
    assert f"此前已发送过相同催报通知、本次不再发送:{a}" in again.output.splitlines()
    assert any(line.startswith(f"上次发送中断、不能确定对方是否已收到催报通知,本次不再发送:{b}") for line in again.output.splitlines())
    assert [tos for tos, _ in handler.messages] == [["a@example.com"], ["c@example.com"]]


def test_a_connection_lost_mid_message_stops_the_batch_with_what_was_sent_on_record(office, server, monkeypatch):
    workspace, run, units = office
    _, handler = server
    a, b, c = units[:3]
    with_liaisons(monkeypatch, {a: "a@example.com", b: "drop@example.com", c: "c@example.com"})
    write_reminders(run, [a, b, c])

    sent = CliRunner().invoke(main, ["-w", str(workspace.root), "send", "reminders", "--month", MONTH, "--yes"],
                              env={"XLSX_TRACKER_MAIL_PASSWORD": PASSWORD})

    assert sent.exit_code == 1
    assert sent.stdout.splitlines() == [f"  已发送 {a} → a@example.com", "已发送催报通知 1 封。"]
    assert sent.stderr.startswith(f"错误:发送给{b}时与发信服务器的连接中断(")
    assert sent.stderr.rstrip().endswith(f"已发送的 1 封已记录,重新运行 send 会继续发送其余单位;{b}可能已收到,请先核实。")
    assert sent_rows(workspace) == sorted([(a, "a@example.com", "sent"), (b, "drop@example.com", "sending")])
    again = cli(workspace, "send", "reminders", "--month", MONTH, "--yes")
    assert f"  已发送 {c} → c@example.com" in again.output.splitlines()
    assert [tos for tos, _ in handler.messages] == [["a@example.com"], ["c@example.com"]]

def test_a_ledger_written_before_sends_were_recorded_as_they_happen_keeps_its_sends(tmp_path):
    """The sent table of an earlier release (no state column): every row in it was sent, and stays sent."""
    import sqlite3

    path = tmp_path / "ledger.sqlite"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE sent (month TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL, digest TEXT NOT NULL, "
                "to_address TEXT NOT NULL, sent_at TEXT NOT NULL, PRIMARY KEY (month, kind, unit, digest))")
    old.execute("INSERT INTO sent VALUES ('2024-05', 'reminders', '司法局', 'd1', 'justice@example.com', '2024-05-20 09:00:00')")
    old.commit()
    old.close()
    conn = ledger.connect(path)
    try:
        assert mail_ledger.sent_digests(conn, MONTH, "reminders") == {("司法局", "d1")}
        assert mail_ledger.interrupted_sends(conn, MONTH, "reminders") == set()
        mail_ledger.begin_send(conn, MONTH, "reminders", "政府办", "d2", "gov@example.com", "2024-05-24 09:00:00")
        assert mail_ledger.interrupted_sends(conn, MONTH, "reminders") == {("政府办", "d2")}
        mail_ledger.cancel_send(conn, MONTH, "reminders", "政府办", "d2")
        mail_ledger.cancel_send(conn, MONTH, "reminders", "司法局", "d1")  # a send done is never un-recorded
        assert mail_ledger.sent_digests(conn, MONTH, "reminders") == {("司法局", "d1")}
        assert mail_ledger.interrupted_sends(conn, MONTH, "reminders") == set()
    finally:
        conn.close()


def test_a_busy_server_is_not_blamed_on_the_address():
    from xlsx_tracker.mail.sending import refusal_advice

    assert refusal_advice("451 4.7.1 MI:SFQ") == "发信服务器暂时不接收(可能是发送过于频繁),请稍后重新运行 send。"
    assert refusal_advice("550 5.1.1 Mailbox unavailable") == "请核对该单位联络员邮箱。"
    assert refusal_advice("554 DT:SPM").startswith("可能是邮件内容被服务器拦截")
