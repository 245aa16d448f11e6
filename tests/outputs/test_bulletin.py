"""The 通报 read back: section order, GB/T 9704 page and fonts, and every figure equal to the month state."""

import datetime as dt
import re
import subprocess

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from xlsx_tracker.month.figures import key_figures
from xlsx_tracker.month.lights import RED
from xlsx_tracker.outputs.bulletin import bulletin, write_bulletin


@pytest.fixture(scope="module")
def written(looped, tmp_path_factory):
    """The 通报 of the `looped` month (tests/outputs/conftest.py: on-time, erroneous, late and silent units)."""
    _, _, run, result, _, _ = looped
    path = tmp_path_factory.mktemp("bulletin") / "通报.docx"
    write_bulletin(run.master, bulletin(run.master, result.state, dt.date(2024, 5, 24)), path)
    return path, result.state


def east_asian(run) -> str:
    return run._element.rPr.rFonts.get(qn("w:eastAsia"))


def test_sections_in_order(written):
    path, _ = written
    texts = [p.text for p in Document(str(path)).paragraphs if p.text]
    assert texts[0] == "关于2024年5月法治政府建设示范创建工作进展情况的通报"
    assert texts[1] == "各有关单位:"
    headings = [t for t in texts if t[:2] in ("一、", "二、", "三、", "四、") or t.startswith("(")]
    assert headings == ["一、总体情况", "二、各单位进展情况", "(一)进展较好的单位", "(二)进展滞后的单位", "三、存在的问题", "四、下一步工作要求",
                        "(一)各单位要对照本通报和回执指出的问题,逐项整改,于下月20日前按时报送工作进展,确保数据真实、材料完整。",
                        "(二)亮红灯、黄灯的单位要分析原因,明确责任人和完成时限,加快推进;已列入约谈或挂牌督办名单的单位,要专题研究整改措施。",
                        "(三)各单位要按照申报材料要求,同步整理情况说明、证明材料目录和印证材料,做到逐一分类建档。"]
    assert texts[-4:-2] == ["区委依法治区办(司法局)", "2024年5月24日"]
    assert texts[-2:] == ["附件", "各单位得分及亮灯情况表"]


def test_page_and_fonts_follow_gbt_9704(written):
    path, _ = written
    document = Document(str(path))
    section = document.sections[0]
    mm = [round(x.mm) for x in (section.page_width, section.page_height, section.top_margin, section.left_margin)]
    assert mm == [210, 297, 37, 28]  # A4; stored in twentieths of a point, so compared in whole millimetres
    block = (section.page_width - section.left_margin - section.right_margin, section.page_height - section.top_margin - section.bottom_margin)
    assert [round(x / 36000) for x in block] == [156, 225]  # EMU per millimetre
    assert section._sectPr.find(qn("w:docGrid")).get(qn("w:linePitch")) == "579"  # 22 lines of 28.95 pt
    by_text = {p.text: p for p in document.paragraphs if p.text}
    title = by_text["关于2024年5月法治政府建设示范创建工作进展情况的通报"].runs[0]
    assert (east_asian(title), title.font.size) == ("方正小标宋简体", Pt(22))
    heading = by_text["一、总体情况"].runs[0]
    assert (east_asian(heading), heading.font.size) == ("黑体", Pt(16))
    assert east_asian(by_text["(一)进展较好的单位"].runs[0]) == "楷体_GB2312"
    body = by_text["各有关单位:"].runs[0]
    assert (east_asian(body), body.font.size) == ("仿宋_GB2312", Pt(16))
    assert by_text["一、总体情况"].paragraph_format.line_spacing == Pt(28.95)
    footer = section.footer.paragraphs[0]
    assert footer.text == "—  —" and "PAGE" in footer._element.xml  # "— 1 —" once Word fills the field
    assert east_asian(footer.runs[0]) == "宋体" and footer.runs[0].font.size == Pt(14)


def test_the_signature_never_stands_alone_on_a_page(written):
    path, _ = written
    paragraphs = Document(str(path)).paragraphs
    last = max(i for i, p in enumerate(paragraphs) if p.text.endswith("日") and "年" in p.text)  # the date line
    block = paragraphs[last - 5:last]
    assert block[0].text.startswith("联系人:") and all(p.paragraph_format.keep_with_next for p in block)
    assert not paragraphs[last - 6].paragraph_format.keep_with_next


def test_table_cells_take_their_font_from_two_styles(written):
    path, state = written
    [table] = Document(str(path)).tables
    styles = [[cell.paragraphs[0].style for cell in row.cells] for row in table.rows]
    assert {s.name for s in styles[0]} == {"附表表头"} and {s.name for row in styles[1:] for s in row} == {"附表文字"}
    head, body = styles[0][0], styles[1][0]
    assert (head.element.rPr.rFonts.get(qn("w:eastAsia")), head.font.size) == ("黑体", Pt(12))
    assert (body.element.rPr.rFonts.get(qn("w:eastAsia")), body.font.size) == ("仿宋_GB2312", Pt(12))
    assert all(run._element.rPr is None for row in table.rows for cell in row.cells for run in cell.paragraphs[0].runs)


def test_every_figure_is_the_month_states(written):
    path, state = written
    document = Document(str(path))
    text = "\n".join(p.text for p in document.paragraphs)
    figures = key_figures(state)
    assert f"本月应报送单位{len(state.units)}个,按时报送{figures['on_time']}个,逾期报送{figures['late']}个," \
           f"未报送{figures['not_returned']}个" in text
    assert f"全部任务总体平均进度{figures['progress']:.1f}%,序时进度{state.pace:.1f}%" in text
    assert f"已完成{figures['indicators_done']}项,已完成任务{figures['tasks_done']}项" in text
    reds = [x.key for x in state.unit_lights if x.light == RED]
    assert f"红灯{len(reds)}个" in text and all(unit in text for unit in reds)
    [table] = document.tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "单位", "得分", "排名", "报送情况", "亮灯"]
    assert [(r[1], r[2]) for r in rows[1:]] == [(u.unit, f"{round(u.total, 1):g}") for u in state.units]  # one decimal


def test_converts_to_pdf_with_libreoffice(written, tmp_path, soffice):
    path, _ = written
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf", "--outdir",
                    str(tmp_path), str(path)], check=True, capture_output=True, timeout=180)
    pdf = (tmp_path / "通报.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    print(f"通报: {pages} pages")
    assert 2 <= pages <= 8


def test_stale_and_slipped_items_are_counted_per_unit_and_their_numbers_left_to_the_receipts():
    from types import SimpleNamespace

    from xlsx_tracker.outputs.bulletin import _issues

    month = SimpleNamespace(not_returned=[], problems=[], vetoes=[], follow_ups=[],
                            stale={"人大办": ["47-51/2", "52-54/1", "61/2"], "司法局": []},
                            slipped={"区委办": [("47-51/3", ["2024-06-30", "2024-09-30"])]})
    assert _issues(month) == [
        "进展更新不及时。人大办3项本月进展与上月完全相同(具体事项编号已在各单位回执和调度报告“催办名单”中列明)。",
        "部分任务延期。区委办1项预计完成时间较上月延后(具体事项编号已在各单位回执和调度报告“催办名单”中列明)。"]
