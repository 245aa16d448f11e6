"""The test mail servers, shared by the mail tests: a throw-away Dovecot (IMAP, any user with PASSWORD, each user its
own empty mailbox) and the settings that point a workspace at it. Without Dovecot the IMAP tests are skipped, except
where XLSX_TRACKER_REQUIRE_DOVECOT is set (CI): there they fail."""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from .messages import PASSWORD
from .servers import free_port


def require_dovecot() -> str:
    found = shutil.which("dovecot") or (os.path.exists("/usr/sbin/dovecot") and "/usr/sbin/dovecot")
    if found:
        return found
    if os.environ.get("XLSX_TRACKER_REQUIRE_DOVECOT"):
        pytest.fail("需要 Dovecot(dovecot-imapd)作为真实的 IMAP 测试服务器,但未安装。")
    pytest.skip("Dovecot is not installed: the IMAP tests need a real server")


@pytest.fixture(scope="session")
def dovecot():
    """A throw-away Dovecot on 127.0.0.1: static password, a maildir owned by dovecot, everything in a temp folder."""
    binary = require_dovecot()
    root = Path(tempfile.mkdtemp(prefix="xlsx-tracker-dovecot-"))
    root.chmod(0o755)  # the mail processes run as the dovecot user
    (root / "mail").mkdir()
    shutil.chown(root / "mail", "dovecot", "dovecot")
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(f"""protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
default_login_user = dovenull
default_internal_user = dovecot
mail_location = maildir:{root}/mail/%u
passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/mail/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
""", encoding="utf-8")
    # The server keeps UTC whatever this machine is set to, as many hosted servers do: the office is 8 hours ahead
    process = subprocess.Popen([binary, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, "TZ": "UTC"})
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail(f"Dovecot did not start: {(root / 'dovecot.log').read_text(errors='replace') if (root / 'dovecot.log').exists() else ''}")
    yield port
    process.terminate()
    process.wait(10)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def point_mail():
    """point_mail(workspace, user, imap_port=None, smtp_port=None): the workspace's [mail] set to the test servers."""
    def point(workspace, user: str, imap_port: int | None = None, smtp_port: int | None = None) -> None:
        settings = workspace.master_dir / "settings.toml"
        text = settings.read_text(encoding="utf-8").replace('user = ""', f'user = "{user}"')
        if imap_port:
            text = text.replace('host = "imap.163.com"', 'host = "127.0.0.1"').replace("port = 993", f"port = {imap_port}")
            text = text.replace("tls = true", "tls = false")
        if smtp_port:
            text = text.replace('smtp_host = "smtp.163.com"', 'smtp_host = "127.0.0.1"').replace("smtp_port = 465", f"smtp_port = {smtp_port}")
            text = text.replace('smtp_security = "ssl"', 'smtp_security = "none"')
        settings.write_text(text, encoding="utf-8")
    return point
