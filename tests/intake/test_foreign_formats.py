"""Workbooks in formats this tool does not read, named for what they are (fixtures built in code): an .xlsb, an Excel
2.x–4.x .xls, a flat ODS (.fods), an Excel 2003 XML sheet. Under a unit's return name such a file is that unit's
return, refused with the reason its receipt gives; where the extension also lies, the refusal leads the file list."""

import datetime as dt
import io
import zipfile

import pytest

from xlsx_tracker.intake.reader import read_data
from xlsx_tracker.intake.sniff import sniff
from xlsx_tracker.month.merge import merge
from xlsx_tracker.month.split import split
from xlsx_tracker.outputs.notices import receipt, render_text

MONTH = "2024-05"
IN_EXCEL = "在 Excel 或 WPS 中打开,“另存为”时文件类型选“Excel 工作簿(*.xlsx)”"


def xlsb() -> bytes:
    """A minimal .xlsb: a zip whose workbook part is binary (xl/workbook.bin), no xl/workbook.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                         'content-types"><Override PartName="/xl/workbook.bin" ContentType="application/vnd.ms-excel.sheet.binary.'
                         'macroEnabled.main"/></Types>')
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00\x80\x01\x00")
        archive.writestr("xl/worksheets/sheet1.bin", b"\x81\x01\x00")
    return buffer.getvalue()


def biff(version: int) -> bytes:
    """The start of an Excel 2.x (09 00), 3.x (09 02) or 4.x (09 04) file: its BOF record, then a cell and EOF."""
    bof = {2: b"\x09\x00\x04\x00\x02\x00\x10\x00", 3: b"\x09\x02\x06\x00\x00\x00\x10\x00\x00\x00",
           4: b"\x09\x04\x06\x00\x00\x00\x10\x00\x00\x00"}[version]
    return bof + b"\x03\x00\x0f\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf0\x3f" + b"\x0a\x00\x00\x00"


FODS = ('<?xml version="1.0" encoding="UTF-8"?>\n<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet"><office:body><office:spreadsheet>'
        '<table:table table:name="任务清单"/></office:spreadsheet></office:body></office:document>').encode()
XML2003 = ('\ufeff<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:'
           'spreadsheet"><Worksheet ss:Name="任务清单"/></Workbook>').encode("utf-8")

XLSB_SAID = f"这是 .xlsb 二进制工作簿,请另存为 .xlsx 后重新发送({IN_EXCEL})。"
BIFF_SAID = f"这是 Excel 2.x–4.x 旧格式的工作簿(1987–1994 年的 .xls),请另存为 .xlsx 后重新发送({IN_EXCEL})。"
FODS_SAID = "这是 .fods 扁平 XML 电子表格,请另存为 .xlsx 后重新发送(在 LibreOffice 中打开,“另存为”时文件类型选“Excel 2007-365 (.xlsx)”)。"
XML2003_SAID = f"这是 Excel 2003 XML 表格,请另存为 .xlsx 后重新发送({IN_EXCEL})。"


@pytest.mark.parametrize(("data", "name", "kind", "said"), [
    (xlsb(), "司法局_2024-05.xlsb", "xlsb", XLSB_SAID),
    (xlsb(), "司法局_2024-05.xlsx", "xlsb", XLSB_SAID),  # renamed .xlsx: still what it is
    (biff(2), "司法局_2024-05.xls", "biff", BIFF_SAID),
    (biff(3), "司法局_2024-05.xls", "biff", BIFF_SAID),
    (biff(4), "进展表.xls", "biff", BIFF_SAID),
    (FODS, "司法局_2024-05.fods", "fods", FODS_SAID),
    (XML2003, "司法局_2024-05.xml", "xml2003", XML2003_SAID),
], ids=["xlsb", "xlsb-named-xlsx", "biff2", "biff3", "biff4", "fods", "xml2003"])
def test_a_foreign_workbook_is_refused_for_what_it_is(data, name, kind, said):
    assert sniff(data, zipfile.ZipFile(io.BytesIO(data)) if data[:2] == b"PK" else None) == kind
    returned = read_data(data, name)
    assert (returned.kind, returned.readable) == ("workbook", False)  # a return refused, not a material
    assert [(p.code, p.file, p.severity, p.message) for p in returned.problems] == [("foreign-workbook", name, "error", said)]
    assert returned.refusal is returned.problems[0]


def test_a_wrong_extension_is_noted_after_the_refusal():
    returned = read_data(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "政府办_2024-05.xlsx")  # a damaged .xls renamed .xlsx
    assert [p.code for p in returned.problems] == ["extension-mismatch", "corrupt-file"]
    assert returned.refusal.code == "corrupt-file"


@pytest.fixture
def month_with_foreign_returns(workspace, master, calendar, month_of, tmp_path):
    run = month_of(master, calendar, MONTH, workspace)
    split(run, units=["司法局", "政府办", "区委办"], issued_at=dt.datetime(2024, 5, 6, 9))
    inbox = tmp_path / "收件箱" / "2024-05-19"
    inbox.mkdir(parents=True)
    (inbox / "司法局_2024-05.xlsb").write_bytes(xlsb())
    (inbox / "区委办_2024-05.fods").write_bytes(FODS)
    (inbox / "政府办_2024-05.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    (inbox / "旧表.xls").write_bytes(biff(2))
    return run, merge(run, inbox.parent, now=dt.datetime(2024, 5, 21, 9))


def test_under_a_unit_s_name_it_is_that_unit_s_return_refused(month_with_foreign_returns):
    run, result = month_with_foreign_returns
    subs = {s.file_name: s for s in result.state.submissions}
    assert {name: (s.outcome, s.unit) for name, s in subs.items()} == {
        "2024-05-19/司法局_2024-05.xlsb": ("rejected", "司法局"), "2024-05-19/区委办_2024-05.fods": ("rejected", "区委办"),
        "2024-05-19/政府办_2024-05.xlsx": ("rejected", "政府办"), "2024-05-19/旧表.xls": ("rejected", "")}
    assert not any(s.outcome == "material" for s in subs.values())
    fates = {e.name: e.fate for e in result.manifest}  # the 文件清单
    assert fates["2024-05-19/司法局_2024-05.xlsb"] == f"未采用:{XLSB_SAID}"
    assert fates["2024-05-19/区委办_2024-05.fods"] == f"未采用:{FODS_SAID}"
    assert fates["2024-05-19/旧表.xls"] == f"未采用:{BIFF_SAID}"
    # the decisive reason first, the note on the extension after it
    assert fates["2024-05-19/政府办_2024-05.xlsx"] == (
        "未采用:文件已损坏,无法打开(CalamineError)。请让该单位用 Excel 或 WPS 打开确认后重新保存发送。"
        "(另:文件扩展名为“.xlsx”,实际内容是 xls 格式,已按实际内容读取)")
    assert result.file_list_path.read_text(encoding="utf-8-sig").count("未采用:") == 4
    assert set(result.not_returned) >= {"司法局", "区委办", "政府办"}


def test_the_unit_s_receipt_gives_the_refusal_as_an_error(month_with_foreign_returns, master):
    _, result = month_with_foreign_returns
    text = render_text(receipt(master, result.state, "司法局", dt.datetime(2024, 5, 21, 10)))
    assert f"  1. 文件:司法局_2024-05.xlsb;收到时间:2024-05-19;依据:收件目录日期;处理结果:未采用:{XLSB_SAID}\n" in text
    assert "二、采用情况\n  本月尚无可采用的文件(见上表“处理结果”),视为未报送。\n" in text
    assert f"三、需要改正的问题\n  1. “司法局_2024-05.xlsb”:{XLSB_SAID}\n" in text
    office = render_text(receipt(master, result.state, "政府办", dt.datetime(2024, 5, 21, 10)))
    assert "处理结果:未采用:文件已损坏,无法打开(CalamineError)。请用 Excel 或 WPS 打开确认后重新保存发送。\n" in office
