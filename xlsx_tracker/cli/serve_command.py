"""`serve`: the local page, for the clerk who never opens a terminal (a .bat written by init starts it)."""

from __future__ import annotations

import click

from .app import main, workspace_of, workspace_option


@main.command("serve", short_help="打开本地网页:在浏览器中完成拆分、收取、汇总、审核和报告,不用命令行。")
@click.option("--port", type=click.IntRange(0, 65535), default=0, metavar="端口", help="端口号,默认自动选一个空闲端口。")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址",
              help="监听地址。默认只有本机能打开;0.0.0.0 让办公网内的同事也能打开(须先在 settings.toml 的 [web] 中设置 password)。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@workspace_option
@click.pass_context
def serve_command(ctx, port, host, no_browser):
    """在本机打开调度工作的网页(浏览器中操作本月的全部步骤),按 Ctrl+C 停止。"""
    from ..web.serve import plan, serve  # Flask and waitress load only for the page

    chosen = plan(workspace_of(ctx), host, port)
    click.echo(f"调度网页已启动:{chosen.address}")
    click.echo("请用浏览器打开上面这一行地址(已自动打开时不必再开)。关闭本窗口或按 Ctrl+C 即停止。")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"办公网内的同事请打开 http://本机IP地址:{chosen.port}/ ,输入 settings.toml 中 [web] 的密码。")
    try:
        serve(chosen, open_browser=not no_browser)
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        raise click.ClickException(f"无法在 {host}:{chosen.port} 上启动网页({exc.strerror or exc}),请换一个端口(--port)再试。") from None
    click.echo("调度网页已停止。")
