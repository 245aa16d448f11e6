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
    click.echo(f"查看邮件 {result.messages} 封:新保存附件 {len(result.saved)} 个,此前已保存 {result.already} 个,保存在 {mail_mod.inbox_folder(run)}")
    if result.without_attachment:
        click.echo(f"没有附件的邮件 {len(result.without_attachment)} 封:" + "、".join(f"“{s}”" for s in result.without_attachment))
    if result.left_out:
        click.echo(f"未能保存的邮件或附件 {len(result.left_out)} 处(其余邮件照常保存):")
        for note in result.left_out:
            click.echo(f"  {note}")
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
    from ..mail.sending import refusal_advice, shown

    run = month_run_of(ctx, month, policy, assume_weekends)
    liaisons = load_state(run).liaisons
    password = _password() if yes else ""
    result = sending.send(run, kind, liaisons, password, yes=yes, resend_interrupted=resend_interrupted)
    label = "回执" if kind == "receipts" else "催报通知"
    for item in result.sent if yes else result.planned:
        click.echo(f"  {'已发送' if yes else '将发送'} {item.unit} → {item.to}")
    for unit, address, why in result.invalid:
        click.echo(f"  不发送 {unit}:联络员邮箱“{shown(address)}”{why},不会使用。请在总任务清单“联络员”表中改为一个有效的邮箱地址。")
    for unit, address, answer in result.refused:
        click.echo(f"  未发出 {unit}:发信服务器拒收 {address}({answer})。{refusal_advice(answer)}")
    for unit, why in result.failed:
        click.echo(f"  未发出 {unit}:{why}。")
    if result.already:
        click.echo(f"此前已发送过相同{label}、本次不再发送:{'、'.join(result.already)}")
    if result.interrupted:
        click.echo(f"上次发送中断、不能确定对方是否已收到{label},本次不再发送:{'、'.join(result.interrupted)}"
                   "(请向对方核实;确认未收到时加 --resend-interrupted 重新发送)")
    if result.no_address:
        click.echo(f"没有联络员邮箱、无法发送(请在总任务清单“联络员”表中补充):{'、'.join(result.no_address)}")
    not_sent = len(result.invalid) + len(result.refused) + len(result.failed)
    if yes:
        click.echo(f"已发送{label} {len(result.sent)} 封。" + (f"未发出 {not_sent} 封(见上)。" if not_sent else ""))
    else:
        invalid = f"另有 {not_sent} 个单位的邮箱无效,不会发送(见上)。" if not_sent else ""
        click.echo(f"预览:将发送{label} {len(result.planned)} 封;确认无误后加 --yes 发送。{invalid}")
    if result.stopped:
        raise TrackerError(result.stopped)
