"""工作台账 built from a month with materials: the tree, the files, their names, the 总目录; a rebuild is byte-identical."""

import datetime as dt
import hashlib

import openpyxl
from click.testing import CliRunner
from docx import Document

from xlsx_tracker.base.workspace import init_workspace
from xlsx_tracker.cli import main
from xlsx_tracker.master.tasklist import load_master_or_fail
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.taizhang import build


def explanation_docx(path, title, characters):
    document = Document()
    document.add_paragraph(title)
    document.add_paragraph("法" * characters)
    document.save(str(path))


def tree(root):
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_taizhang_files_proof_by_group(tmp_path, calendar, month_of, filled_return):
    workspace = init_workspace(tmp_path / "工作区")
    run = month_of(load_master_or_fail(workspace), calendar, "2024-05", workspace)
    [sheet] = split(run, units=["司法局"], issued_at=dt.datetime(2024, 5, 6, 9))
    inbox = tmp_path / "收件箱"
    filled_return(sheet, inbox, fill=False, statuses=lambda t: "未发生" if str(t).startswith("否决") else "已完成",
                  values=lambda t: {"本月工作进展": "已完成,见证明材料"},
                  evidence=[("21", "关于规章备案的通知", "正式文件(PDF)", "http://www.example.gov.cn/21.html")],
                  saved=dt.datetime(2024, 5, 15, 9))
    (inbox / "关于规章备案的通知.pdf").write_bytes(b"%PDF-1.4 notice for 21")  # named in the 证明材料目录
    explanation_docx(inbox / "22_关于规范性文件的情况说明.docx", "关于规范性文件的情况说明", 300)  # the number in its name
    (inbox / "会议照片.jpg").write_bytes(b"\xff\xd8\xff\xe0 photo")  # cannot be placed
    merge(run, inbox, now=dt.datetime(2024, 5, 21))
    result = CliRunner().invoke(main, ["-w", str(workspace.root), "taizhang"])
    assert result.exit_code == 0, result.output
    root = workspace.root / "工作台账"
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    assert len(folders) == 79  # every reporting group but the two 否决项
    folder_21 = next(root / f for f in folders if f.startswith("21_"))
    assert sorted(p.name for p in folder_21.iterdir()) == ["关于规章备案的通知.pdf", "证明材料目录.xlsx"]
    assert (folder_21 / "关于规章备案的通知.pdf").read_bytes() == b"%PDF-1.4 notice for 21"  # the original, byte for byte
    listed = [[c.value for c in row] for row in openpyxl.load_workbook(folder_21 / "证明材料目录.xlsx").active.iter_rows(min_row=2)]
    assert listed == [["司法局", "21", "关于规章备案的通知", "正式文件(PDF)", "http://www.example.gov.cn/21.html", ""]]
    folder_22 = next(root / f for f in folders if f.startswith("22_"))
    assert "22_关于规范性文件的情况说明.docx" in [p.name for p in folder_22.iterdir()]
    index = openpyxl.load_workbook(root / "总目录.xlsx")
    rows = {r[2].value: [c.value for c in r] for r in index["总目录"].iter_rows(min_row=2)}
    assert rows["21"][6] == "无情况说明文件" and rows["21"][8] == "关于规章备案的通知.pdf"
    assert index["总目录"].cell(2, 8).hyperlink.target == index["总目录"].cell(2, 8).value  # a link to the folder beside it
    assert [r[0].value for r in index["未归类材料"].iter_rows(min_row=2)] == ["会议照片.jpg"]
    from xlsx_tracker.month.state import load_state
    from xlsx_tracker.outputs.review import write_review
    review, _ = write_review(run, load_state(run))  # the reviewer sees the files received for each claim
    received = {r[1].value: r[6].value for r in openpyxl.load_workbook(review)["审核"].iter_rows(min_row=3)}
    assert (received["21"], received["22"]) == ("关于规章备案的通知.pdf", "22_关于规范性文件的情况说明.docx")
    first = tree(root)
    build(run)
    assert tree(root) == first  # a second build gives the same bytes
    assert not list(workspace.root.glob(".tmp-*"))
