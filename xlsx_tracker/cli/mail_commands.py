"""Commands on the office mailbox: fetch the returns, send receipts and reminders."""

from __future__ import annotations

import os

import click

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
    click.echo(f"查看邮件 {result.messages} 封:新保存附件 {len(result.saved)} 个,此前已保存 {result.already} 个,保存在 {mail_mod.inbox_folder(run)}")
    if result.without_attachment:
        click.echo(f"没有附件的邮件 {len(result.without_attachment)} 封:" + "、".join(f"“{s}”" for s in result.without_attachment))
    click.echo(f"下一步:xlsx-tracker merge --month {month}")


@main.command("send", short_help="把回执或催报通知发到各单位联络员邮箱(默认只预览,加 --yes 才发送)。")
@click.argument("kind", type=click.Choice(["receipts", "reminders"]), metavar="receipts|reminders")
@month_options
@click.option("--yes", is_flag=True, help="确认发送。不加时只列出将要发送的邮件,不发送。")
@click.pass_context
def send_command(ctx, kind, month, policy, assume_weekends, yes):
    """把本月的回执(receipts)或催报通知(reminders)发送到各单位联络员邮箱;默认只预览,加 --yes 才发送,同一内容不会重复发送。"""
    from ..mail import mailbox as mail_mod

    run = month_run_of(ctx, month, policy, assume_weekends)
    liaisons = load_state(run).liaisons
    password = _password() if yes else ""
    result = mail_mod.send(run, kind, liaisons, password, yes=yes)
    label = "回执" if kind == "receipts" else "催报通知"
    for item in result.sent if yes else result.planned:
        click.echo(f"  {'已发送' if yes else '将发送'} {item.unit} → {item.to}")
    if result.already:
        click.echo(f"此前已发送过相同{label}、本次不再发送:{'、'.join(result.already)}")
    if result.no_address:
        click.echo(f"没有联络员邮箱、无法发送(请在总任务清单“联络员”表中补充):{'、'.join(result.no_address)}")
    if yes:
        click.echo(f"已发送{label} {len(result.sent)} 封。")
    else:
        click.echo(f"预览:将发送{label} {len(result.planned)} 封;确认无误后加 --yes 发送。")


