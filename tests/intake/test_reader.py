"""read_data on bytes made in Python: a file whose content is not what its spreadsheet name says is refused,
named by what it is; beside the workbooks, the same kinds are kept as materials."""

import pytest

from xlsx_tracker.intake.reader import read_data


@pytest.mark.parametrize(("data", "name", "what"), [
    (b"%PDF-1.4\n%fake\n", "司法局_2024-05.xlsx", "PDF 文件"),
    (b"\xff\xd8\xff\xe0 photo", "表.xls", "图片"),
])
def test_a_material_under_a_spreadsheet_name_is_refused_as_not_a_spreadsheet(data, name, what):
    returned = read_data(data, name)
    assert not returned.readable
    assert [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in returned.problems] == [
        ("not-spreadsheet", name, "", "", "error", f"这是{what},不是 Excel/WPS 表格。请让该单位发送填好的 .xlsx 工作簿。")]


def test_the_same_bytes_under_their_own_name_are_a_material():
    returned = read_data(b"%PDF-1.4\n%fake\n", "通知.pdf")
    assert returned.kind == "material"
    assert [(p.code, p.file, p.severity, p.message) for p in returned.problems] == [
        ("material-received", "通知.pdf", "info", "收到PDF 文件,作为报送材料存档(不是填报的工作簿,不影响评分)。")]
