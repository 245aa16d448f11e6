"""The month the notices and the 通报 are read from, built once for this folder."""

import datetime as dt
import zipfile

import pytest

from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.demo import simulate
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.notice_files import notices_for

MONTH = "2024-05"


def first_task_status(text):
    """A defect: the first row's 进展状态 pasted from elsewhere, not one of the list."""
    return lambda book: simulate.paste_invalid_status(book, list(simulate.task_rows(book))[0], text)


@pytest.fixture(scope="package")
def looped(tmp_path_factory, calendar, month_of, filled_return, fill_roster):
    """司法局 on time and clean, 政府办 with an error, 区委办 late, a lock file and a zip of material; the rest silent.

    (workspace, inbox, run, merge result, receipts, reminders)
    """
    root = tmp_path_factory.mktemp("loop")
    workspace = init_workspace(root / "工作区")
    fill_roster(workspace, {"司法局": ["王海", "科员", "0471-6218033", "wanghai@example.com"],
                            "政府办": ["李娜", "副主任", "0471-6218034", "lina@example.com"]})
    master = load_master_or_fail(workspace)
    run = month_of(master, calendar, MONTH, workspace)
    issued = {s.unit: s for s in split(run, issued_at=dt.datetime(2024, 5, 6, 9))}
    inbox = root / "收件箱"
    for unit, folder, change in [("司法局", "2024-05-18", None), ("政府办", "2024-05-19", "基本完成"), ("区委办", "2024-05-23", None)]:
        filled_return(issued[unit], inbox / folder, seed=1, defects=[first_task_status(change)] if change else [],
                      saved=dt.datetime(2024, 5, 17, 9))
    (inbox / "~$司法局_2024-05.xlsx").write_bytes(b"lock")
    with zipfile.ZipFile(inbox / "材料.zip", "w") as archive:
        archive.writestr("通知.pdf", b"%PDF-1.4 notice")
    result = merge(run, inbox, now=dt.datetime(2024, 5, 24, 9))
    receipts, reminders = notices_for(run, result.state, generated=dt.datetime(2024, 5, 24, 9))
    return workspace, inbox, run, result, receipts, reminders


@pytest.fixture(scope="package")
def demo(tmp_path_factory):
    """The demo's two months (32 units, the May return messy), run once through the command line."""
    from click.testing import CliRunner

    from xlsx_tracker.cli import main

    result = CliRunner().invoke(main, ["demo", "--month", MONTH, "--dir", str(tmp_path_factory.mktemp("demo") / "演示")])
    assert result.exit_code == 0, result.output
    return result
