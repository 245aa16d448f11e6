"""Commands on the office mailbox: fetch the returns, send receipts and reminders."""

from __future__ import annotations

import os

import click

from ..base.model import TrackerError
from ..month.state import load_state
from .app import main, month_options, month_run_of, say_waiting


def _password() -> str:
    """From XLSX_TRACKER_MAIL_PASSWORD, else asked for (never stored, never printed)."""
    from ..mail import mailbox as mail_mod

    return os.environ.get(mail_mod.PASSWORD_VARIABLE) or click.prompt("邮箱密码(网易邮箱为客户端授权码)", hide_input=True)


@main.command("fetch")
@month_options
@click.option("--mark-read", is_flag=True, help="把收取过的邮件标为已读(默认不改动邮箱中的任何邮件)。")
@click.pass_context
def fetch_command(ctx, month, policy, assume_weekends, mark_read):
    """从单位邮箱收取本月报回的邮件,把附件保存到 inbox/月份/(按收到日期分文件夹),重复运行不会重复保存。"""
    from ..mail import mailbox as mail_mod

    run = month_run_of(ctx, month, policy, assume_weekends)
    result = mail_mod.fetch(run, _password(), mark_read=mark_read, on_wait=say_waiting)
    for line in mail_mod.fetched_lines(run, result):
        click.echo(line)
    click.echo(f"下一步:xlsx-tracker merge --month {month}")


@main.command("send", short_help="把回执或催报通知发到各单位联络员邮箱(默认只预览,加 --yes 才发送)。")
@click.argument("kind", type=click.Choice(["receipts", "reminders"]), metavar="receipts|reminders")
@month_options
@click.option("--yes", is_flag=True, help="确认发送。不加时只列出将要发送的邮件,不发送。")
@click.option("--resend-interrupted", is_flag=True,
              help="也发送上次发送中断、不能确定对方是否已收到的单位(请先向对方核实未收到)。")
@click.pass_context
def send_command(ctx, kind, month, policy, assume_weekends, yes, resend_interrupted):
    """把本月的回执(receipts)或催报通知(reminders)发送到各单位联络员邮箱;默认只预览,加 --yes 才发送,同一内容不会重复发送。"""
    from ..mail import sending
    from ..mail.sending import sent_lines

    run = month_run_of(ctx, month, policy, assume_weekends)
    liaisons = load_state(run).liaisons
    password = _password() if yes else ""
    result = sending.send(run, kind, liaisons, password, yes=yes, resend_interrupted=resend_interrupted)
    for line in sent_lines(result, kind, yes, "确认无误后加 --yes 发送", "加 --resend-interrupted "):
        click.echo(line)
    if result.stopped:
        raise TrackerError(result.stopped)
