"""The office mailbox against real servers: Dovecot (IMAP) for fetch, aiosmtpd (SMTP) for send.

The test mailbox holds messages built the way real clients write them; their INTERNALDATE is set on APPEND,
so the server's receipt time is known and differs from the sender's Date where the case needs it.
"""

import datetime as dt
import io
import zipfile

import pytest
from click.testing import CliRunner

from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.cli import main
from xlsx_tracker.intake.mailparse import parse
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month import ledger
from xlsx_tracker.month.split import split

from .messages import PASSWORD, USER, append, attach, plain, rfc2047, with_raw_filename
from .servers import free_port

MONTH = "2024-05"


@pytest.fixture(scope="module")
def smtp_server():
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append((envelope.rcpt_tos, envelope.content))
            return "250 OK"

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller.port, handler
    controller.stop()


def workbooks(filled_return, issued, folder):
    """workbook(unit, seed=0): the bytes of the unit's workbook as filled, to attach to a message."""
    def workbook(unit, seed=0) -> bytes:
        return filled_return(issued[unit], folder, seed=seed).read_bytes()
    return workbook


@pytest.fixture(scope="module")
def mailbox(dovecot, smtp_server, point_mail, tmp_path_factory, calendar, month_of, filled_return):
    """A workspace whose [mail] points at the test servers, and a mailbox of returns; (workspace, run, expected)."""
    workspace = init_workspace(tmp_path_factory.mktemp("mail") / "工作区")
    point_mail(workspace, USER, dovecot, smtp_server[0])
    master = load_master_or_fail(workspace)
    run = month_of(master, calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))}
    workbook = workbooks(filled_return, issued, tmp_path_factory.mktemp("filled"))
    before, after = "Fri, 17 May 2024 09:00:00 +0800", "Thu, 23 May 2024 09:00:00 +0800"
    messages = [  # (raw message, INTERNALDATE)
        (with_raw_filename(plain("司法局进展表(Outlook)"), workbook("司法局"), rfc2047("司法局_2024-05.xlsx", "GBK")), before),
        (with_raw_filename(plain("政府办进展表(旧客户端)"), workbook("政府办"), b'"' + "政府办五月.xlsx".encode("gbk") + b'"'), before),
        (with_raw_filename(plain("区委办进展表(网页邮箱)"), workbook("区委办"),
                           b"\n filename*=UTF-8''%E5%8C%BA%E5%A7%94%E5%8A%9E.xlsx"), before),
        (with_raw_filename(plain("组织部进展表(gb18030)"), workbook("组织部"), rfc2047("组织部_2024-05.xlsx", "gb18030")), before),
        (with_raw_filename(plain("宣传部进展表(UTF-8)"), workbook("宣传部"), rfc2047("宣传部_2024-05.xlsx", "UTF-8")), before),
    ]
    several = plain("政法委、纪委监委的表和材料")
    attach(several, "政法委_2024-05.xlsx", workbook("政法委"))
    attach(several, "纪委监委_2024-05.xlsx", workbook("纪委监委"))
    attach(several, "会议纪要.pdf", b"%PDF-1.4 minutes", ("application", "pdf"))
    messages.append((several.as_bytes(), before))
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("人大办_2024-05.xlsx", workbook("人大办"))
        archive.writestr("通知.pdf", b"%PDF-1.4 notice")
    messages.append((attach(plain("人大办全部材料(压缩包)"), "人大办材料.zip", bundle.getvalue(), ("application", "zip")).as_bytes(), before))
    messages.append((attach(plain("编办进展表"), "编办_2024-05.xlsx", workbook("编办", seed=1)).as_bytes(), before))
    reply = attach(plain("回复:编办进展表(更正)", date="Sat, 18 May 2024 10:00:00 +0800"), "编办_2024-05.xlsx", workbook("编办", seed=2))
    reply["In-Reply-To"] = "<first@client.example>"
    messages.append((reply.as_bytes(), "Sat, 18 May 2024 10:00:00 +0800"))
    forwarded_inner = attach(plain("党校进展表"), "党校_2024-05.xlsx", workbook("党校"))
    forward = plain("转发:党校进展表")
    forward.add_attachment(forwarded_inner)
    messages.append((forward.as_bytes(), before))
    messages.append((plain("没有附件的问候").as_bytes(), before))
    late = attach(plain("大数据中心进展表", date="Sun, 19 May 2024 18:00:00 +0800"), "大数据中心_2024-05.xlsx", workbook("大数据中心"))
    messages.append((late.as_bytes(), after))  # dated the 19th, received on the 23rd: late
    append(dovecot, USER, messages)
    return workspace, run, len(messages)


def cli(workspace, *args, env=None):
    return CliRunner().invoke(main, ["-w", str(workspace.root), *args], env={"XLSX_TRACKER_MAIL_PASSWORD": PASSWORD, **(env or {})},
                              catch_exceptions=False)


def test_fetch_then_merge_judges_timeliness_on_the_server_time(mailbox):
    workspace, run, count = mailbox
    fetched = cli(workspace, "fetch", "--month", MONTH)
    assert fetched.exit_code == 0, fetched.output
    assert fetched.output.startswith(f"查看邮件 {count} 封:新保存附件 13 个,此前已保存 0 个")
    assert "没有附件的邮件 1 封:“没有附件的问候”" in fetched.output
    merged = cli(workspace, "merge", "--month", MONTH)
    assert merged.exit_code == 0, merged.output
    conn = ledger.connect(workspace.ledger_file)
    try:
        accepted = ledger.accepted(conn, MONTH)
    finally:
        conn.close()
    assert sorted(accepted) == sorted(["司法局", "政府办", "区委办", "组织部", "宣传部", "政法委", "纪委监委", "人大办", "编办", "党校", "大数据中心"])
    assert {s.receipt_source for s in accepted.values()} == {"邮件服务器"}
    assert accepted["大数据中心"].receipt_time.startswith("2024-05-23")  # received late, though the sender dated it the 19th
    assert accepted["编办"].receipt_time.startswith("2024-05-18")  # the corrected copy sent in reply
    report = (workspace.reports_dir / MONTH / f"文件清单_{MONTH}.csv").read_text(encoding="utf-8-sig")
    assert "邮件“大数据中心进展表”(发件人 unit@example.com" in report


def test_fetching_again_changes_nothing(mailbox):
    workspace, _, count = mailbox
    before = sorted(p.relative_to(workspace.root) for p in (workspace.root / "inbox").rglob("*"))
    again = cli(workspace, "fetch", "--month", MONTH)
    assert again.exit_code == 0, again.output
    assert again.output.startswith(f"查看邮件 {count} 封:新保存附件 0 个,此前已保存 13 个")
    assert sorted(p.relative_to(workspace.root) for p in (workspace.root / "inbox").rglob("*")) == before


def test_a_return_received_just_after_midnight_on_the_issue_day_is_fetched(dovecot, point_mail, tmp_path, calendar,
                                                                           month_of, filled_return):
    """Issued at 00:10 Beijing time, returned at 00:20: on the server (UTC) the return arrived the day before. Mail
    received before the issue (an April return arriving late) is not May's."""
    workspace = init_workspace(tmp_path / "工作区")
    point_mail(workspace, "midnight-office@example.com", dovecot)
    run = month_of(load_master_or_fail(workspace), calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 0, 10))}
    message = attach(plain("教育局5月报送"), "教育局_2024-05.xlsx", filled_return(issued["教育局"], tmp_path / "filled").read_bytes())
    april = attach(plain("教育局4月报送(迟报)"), "教育局_2024-04.xlsx", b"PK\x03\x04 an April return")
    append(dovecot, "midnight-office@example.com", [(april.as_bytes(), "Sun, 05 May 2024 23:00:00 +0800"),
                                                    (april.as_bytes(), "Mon, 06 May 2024 00:05:00 +0800"),
                                                    (message.as_bytes(), "Mon, 06 May 2024 00:20:00 +0800")])
    fetched = cli(workspace, "fetch", "--month", MONTH)
    assert fetched.exit_code == 0, fetched.output
    assert fetched.output.startswith("查看邮件 1 封:新保存附件 1 个,此前已保存 0 个")  # the two before the issue are April's
    assert ("本月表格下发(2024-05-06 00:10)前收到的邮件 2 封未保存(应属以前月份,可用 xlsx-tracker fetch --month 2024-04 收取):\n"
            "  邮件“教育局4月报送(迟报)”(发件人 ") in fetched.output
    assert [p.name for p in (workspace.inbox_dir(MONTH) / "2024-05-06").glob("*.xlsx")] == ["002000_教育局_2024-05.xlsx"]


def test_send_is_a_dry_run_until_told(mailbox, smtp_server):
    workspace, run, _ = mailbox
    _, handler = smtp_server
    addresses = {"人民法院": "court@example.com", "检察院": "procuratorate@example.com", "司法局": "justice@example.com"}
    book = __import__("openpyxl").load_workbook(workspace.master_file)
    for row in book["联络员"].iter_rows(min_row=2):
        if row[0].value in addresses:
            row[1].value, row[4].value = "联络员", addresses[row[0].value]
    book.save(workspace.master_file)
    assert cli(workspace, "report", "--month", MONTH).exit_code == 0
    preview = cli(workspace, "send", "reminders", "--month", MONTH)
    assert preview.exit_code == 0, preview.output
    assert "  将发送 人民法院 → court@example.com" in preview.output and handler.messages == []
    assert "没有联络员邮箱、无法发送(请在总任务清单“联络员”表中补充):" in preview.output
    sent = cli(workspace, "send", "reminders", "--month", MONTH, "--yes")
    assert sent.exit_code == 0, sent.output
    by_recipient = {tos[0]: parse(content) for tos, content in handler.messages}
    assert sorted(by_recipient) == ["court@example.com", "procuratorate@example.com"]  # each liaison exactly one message
    court = by_recipient["court@example.com"]
    assert court["Subject"] == "关于报送2024年5月法治政府建设示范创建工作进展情况的催报通知"
    assert "我办尚未收到贵单位2024年5月的工作进展情况表" in court.get_body().get_content()
    again = cli(workspace, "send", "reminders", "--month", MONTH, "--yes")
    assert "已发送催报通知 0 封。" in again.output and len(handler.messages) == 2  # never the same notice twice
    receipts = cli(workspace, "send", "receipts", "--month", MONTH, "--yes")
    assert receipts.exit_code == 0, receipts.output
    [(tos, content)] = handler.messages[2:]
    assert tos == ["justice@example.com"]
    assert [part.get_filename() for part in parse(content).iter_attachments()] == ["回执_司法局_2024-05.xlsx"]
