"""The 通报 read back: section order, GB/T 9704 page and fonts, and every figure equal to the month state."""

import dataclasses
import datetime as dt
import re
import subprocess
import unicodedata
from types import SimpleNamespace

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from xlsx_tracker.master.settings import BulletinHead, Settings
from xlsx_tracker.month.figures import key_figures
from xlsx_tracker.month.lights import RED, Light
from xlsx_tracker.month.summary import points
from xlsx_tracker.outputs.bulletin import _issues, _lagging, bulletin
from xlsx_tracker.outputs.bulletin_docx import Bulletin, Paragraph, column_widths, write_bulletin


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
    assert (head.element.rPr.rFonts.get(qn("w:eastAsia")), head.font.size) == ("黑体", Pt(14))  # 四号
    assert (body.element.rPr.rFonts.get(qn("w:eastAsia")), body.font.size) == ("仿宋_GB2312", Pt(14))
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


# ---------------------------------------------------------------- the attached table

HEAD = ["序号", "单位", "得分", "排名", "报送情况", "亮灯"]
ROWS = [HEAD, ["1", "人力资源和社会保障局", "42.9", "1", "按时(推定)", "红灯"], ["2", "市场监督管理局", "100", "2", "报送空表", "黄灯"]]
TWIPS_PER_MM = 1440 / 25.4


def test_each_column_is_as_wide_as_its_longest_text_at_14_pt():
    # at 14 pt a Chinese character takes 280 twips, a digit or Latin letter 140; each cell keeps 2 × 108 + 70 beside
    # its text. 序号, 得分, 排名 and 亮灯 need 2 characters (846), 单位 10 (3086), 报送情况 “按时(推定)” 5 (1686);
    # the 688 left of the 156 mm block (8844) is shared out evenly, 114 each, the last 4 to 单位
    assert column_widths(ROWS) == [960, 3204, 960, 960, 1800, 960]
    assert sum(column_widths(ROWS)) == 8844 == round(156 * TWIPS_PER_MM)


def test_a_unit_name_too_long_for_the_page_takes_what_the_other_columns_leave():
    rows = [HEAD, ["1", "某" * 30, "42.9", "1", "按时(推定)", "红灯"]]
    assert column_widths(rows) == [846, 8844 - 4 * 846 - 1686, 846, 846, 1686, 846]


def write(tmp_path, content, **settings):
    path = tmp_path / "通报.docx"
    write_bulletin(SimpleNamespace(settings=Settings(office="区委依法治区办", **settings)), content, path)
    return Document(str(path))


PLAIN = [Paragraph("title", "关于2024年5月法治政府建设示范创建工作进展情况的通报"), Paragraph("plain", "各有关单位:"),
         Paragraph("body", "正文。"), Paragraph("ragged", "联系人:张敏。"), Paragraph("plain", ""), Paragraph("body", "附件:各单位得分及亮灯情况表"),
         Paragraph("plain", ""), Paragraph("signature", "区委依法治区办"), Paragraph("signature", "2024年5月24日")]


def grid_of(table) -> list[int]:
    return [int(col.get(qn("w:w"))) for col in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def test_the_table_is_laid_out_fixed_at_those_widths_with_its_header_repeated(tmp_path):
    [table] = write(tmp_path, Bulletin(PLAIN, ROWS)).tables
    properties = table._tbl.tblPr
    assert properties.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert (properties.find(qn("w:tblW")).get(qn("w:w")), properties.find(qn("w:tblW")).get(qn("w:type"))) == ("8844", "dxa")
    assert grid_of(table) == [960, 3204, 960, 960, 1800, 960]
    assert [[cell.width.twips for cell in row.cells] for row in table.rows] == [[960, 3204, 960, 960, 1800, 960]] * 3
    flags = [[child.tag.split("}")[1] for child in row._tr.trPr] for row in table.rows]
    assert flags == [["cantSplit", "tblHeader"], ["cantSplit"], ["cantSplit"]]  # the header on each page; no row split
    assert [[c.text for c in row.cells] for row in table.rows] == ROWS


def test_no_text_of_the_month_is_wider_than_its_column(written):
    """Measured apart from column_widths: a Chinese character at 14 pt is 4.94 mm, a digit half; the cell's margins 3.8 mm."""
    path, state = written
    [table] = Document(str(path)).tables
    rows = [[c.text for c in row.cells] for row in table.rows]
    widths_mm = [w / TWIPS_PER_MM for w in grid_of(table)]
    assert round(sum(widths_mm)) == 156
    for column, width in enumerate(widths_mm):
        longest = max(sum(4.939 if unicodedata.east_asian_width(ch) in "WF" else 2.47 for ch in row[column]) for row in rows)
        assert width >= longest + 3.8, (rows[0][column], width, longest)
    assert max(len(u.unit) for u in state.units) == 10  # 人力资源和社会保障局: one line in a column of at least 53.2 mm
    assert widths_mm[1] >= 10 * 4.939 + 3.8


# ---------------------------------------------------------------- scores and names


def test_every_score_has_at_most_one_decimal(written):
    path, state = written
    document = Document(str(path))
    text = "".join(p.text for p in document.paragraphs)
    scores = re.findall(r"([\d.]+)分", text)
    assert scores and all(re.fullmatch(r"\d+(\.\d)?", score) for score in scores)
    [table] = document.tables
    assert [row.cells[2].text for row in table.rows[1:]] == [points(u.total) for u in state.units]
    assert all(re.fullmatch(r"\d+(\.\d)?", row.cells[2].text) for row in table.rows[1:])


def test_each_unit_that_did_not_return_is_named_once(written):
    path, state = written
    text = "".join(p.text for p in Document(str(path)).paragraphs)
    silent = [f.unit for f in state.follow_ups if "not-returned" in f.kinds]
    assert len(silent) == 29  # all but 司法局, 政府办 and 区委办
    assert {unit: text.count(unit) for unit in silent} == dict.fromkeys(silent, 1)
    assert "亮红灯的单位29个:未报送的29个单位(名单见第三部分第1项)。" in text
    assert f"1.未按要求报送。{'、'.join(silent)}共29个单位本月未报送工作进展。" in text


def month_of(lights, vetoes=(), chased=()):
    """The parts of a month state that (二) and 三 read, as plain data."""
    return SimpleNamespace(unit_lights=lights, vetoes=[SimpleNamespace(assignment=SimpleNamespace(unit=u, task_id="否决1")) for u in vetoes],
                           follow_ups=[SimpleNamespace(unit=u, kinds=kinds) for u, kinds in chased], stale={}, slipped={},
                           problems_of=lambda unit: [])


def test_red_units_not_returned_are_counted_and_referred_to_where_they_are_named():
    lights = [Light("甲", RED, ("未报送",)), Light("乙", RED, ("未报送", "2 项超过预计完成时间仍未完成")), Light("丙", RED, ("报送空表",)),
              Light("民政局", RED, ("1 项超过预计完成时间仍未完成",)), Light("教育局", RED, ("落后序时进度 35 个百分点",)),
              Light("司法局", RED, ("申报否决项情形已发生(否决1)",)), Light("财政局", "黄灯", ("逾期报送",))]
    month = month_of(lights, vetoes=["司法局"], chased=[("甲", ("not-returned",)), ("乙", ("not-returned", "overdue")), ("丙", ("blank",))])
    issues = _issues(month)
    assert issues == ["未按要求报送。甲、乙共2个单位本月未报送工作进展。", "报送空表。丙报回的工作簿未填写任何内容,视为未报送。",
                      "否决项情形。司法局(否决1)申报已发生否决项情形,相关单位本月亮红灯,须立即核实处置。"]
    assert _lagging(month, 3, issues) == [
        "除申报否决项情形的单位(见第三部分第3项)外,亮红灯的单位还有5个:未报送的2个单位和报送空表的1个单位(名单见第三部分第1、2项;"
        "其中乙另有2 项超过预计完成时间仍未完成),以及民政局(1 项超过预计完成时间仍未完成)、教育局(落后序时进度 35 个百分点)。",
        "亮黄灯的单位1个:财政局。"]


def test_one_unit_not_returned_and_only_a_veto_red():
    month = month_of([Light("检察院", RED, ("未报送",))], chased=[("检察院", ("not-returned",))])
    issues = _issues(month)
    assert issues == ["未按要求报送。检察院本月未报送工作进展。"]
    assert _lagging(month, 3, issues) == ["亮红灯的单位1个:未报送的1个单位(见第三部分第1项)。"]
    vetoed = month_of([Light("司法局", RED, ("申报否决项情形已发生(否决1)",))], vetoes=["司法局"])
    assert _lagging(vetoed, 3, _issues(vetoed)) == ["亮红灯的单位均为申报否决项情形的单位(见第三部分第1项)。"]


# ---------------------------------------------------------------- the 版头


MARK, NUMBER = "新城区全面依法治区委员会办公室文件", "新法治办〔2024〕5号"
CENTER = WD_ALIGN_PARAGRAPH.CENTER


def red_border(paragraph):
    borders = paragraph._p.pPr.find(qn("w:pBdr")) if paragraph._p.pPr is not None else None
    bottom = borders.find(qn("w:bottom")) if borders is not None else None
    return None if bottom is None else {k.split("}")[1]: v for k, v in bottom.attrib.items()}


def test_the_header_when_asked_for(tmp_path):
    document = write(tmp_path, Bulletin(PLAIN, ROWS, MARK, NUMBER))
    mark, number, title = document.paragraphs[:3]
    assert (mark.text, number.text, title.text) == (MARK, NUMBER, PLAIN[0].text)
    run = mark.runs[0]
    # 17 characters of 一号 (26 pt) fill the 156 mm block: the largest size that fits
    assert (east_asian(run), run.font.size, str(run.font.color.rgb), mark.alignment) == ("方正小标宋简体", Pt(26), "FF0000", CENTER)
    assert round(mark.paragraph_format.space_before.mm) == 35  # GB/T 9704 7.2.3: 35 mm below the top of the block
    run = number.runs[0]
    assert (east_asian(run), run.font.size, number.alignment) == ("仿宋_GB2312", Pt(16), CENTER)
    assert number.paragraph_format.space_before == Pt(28.95) * 2  # two lines below the mark
    assert red_border(number) == {"val": "single", "sz": "12", "space": "11", "color": "FF0000"}  # 1.5 pt, 4 mm below
    assert number.paragraph_format.left_indent is None and number.paragraph_format.right_indent is None  # the block's width
    assert red_border(mark) is None
    assert title.paragraph_format.space_before == Pt(28.95) * 2  # the title two lines below the red line


def test_the_header_without_a_number_draws_the_line_below_the_mark(tmp_path):
    document = write(tmp_path, Bulletin(PLAIN, ROWS, MARK))
    mark, title = document.paragraphs[:2]
    assert (mark.text, title.text) == (MARK, PLAIN[0].text)
    assert red_border(mark)["color"] == "FF0000"


def test_a_mark_too_long_for_2hao_is_narrowed_to_the_block(tmp_path):
    document = write(tmp_path, Bulletin(PLAIN, ROWS, "某" * 30))
    run = document.paragraphs[0].runs[0]
    assert run.font.size == Pt(22) and run._element.rPr.find(qn("w:w")).get(qn("w:val")) == "67"  # 442 pt of 660


def test_no_header_by_default(tmp_path):
    document = write(tmp_path, Bulletin(PLAIN, ROWS))
    assert [p.text for p in document.paragraphs[:2]] == [PLAIN[0].text, "各有关单位:"]
    assert document.paragraphs[0].paragraph_format.space_before == Pt(0)
    assert not any(red_border(p) for p in document.paragraphs)
    assert "FF0000" not in document.element.xml


def test_the_header_comes_from_the_settings(looped):
    _, _, run, result, _, _ = looped

    def made(**head):
        master = dataclasses.replace(run.master, settings=dataclasses.replace(run.master.settings, bulletin=BulletinHead(**head)))
        content = bulletin(master, result.state, dt.date(2024, 5, 24))
        return content.issuer_mark, content.number

    assert made() == ("", "")
    assert made(header=False, issuer_mark=MARK, number=NUMBER) == ("", "")  # off: the 通报 as without a header
    assert made(header=True, issuer_mark=f" {MARK} ", number=NUMBER) == (MARK, NUMBER)
    assert made(header=True, issuer_mark="", number=NUMBER) == ("", "")  # no mark, no 版头 (settings warn of it)


def test_a_unit_with_two_veto_items_is_named_once_with_both():
    month = month_of([Light("政法委", RED, ("申报否决项情形已发生(否决1、否决2)",)), Light("司法局", RED, ("申报否决项情形已发生(否决2)",))])
    month.vetoes = [SimpleNamespace(assignment=SimpleNamespace(unit=unit, task_id=item))
                    for unit, item in [("政法委", "否决1"), ("司法局", "否决2"), ("政法委", "否决2")]]
    assert _issues(month) == ["否决项情形。司法局(否决2)、政法委(否决1、否决2)申报已发生否决项情形,相关单位本月亮红灯,须立即核实处置。"]


def test_praise_names_the_five_best_and_says_there_are_more():
    from xlsx_tracker.outputs.bulletin import _good

    units = [SimpleNamespace(unit=f"单位{i}", total=90 - i * 2.3) for i in range(1, 8)]
    month = SimpleNamespace(units=units, vetoes=[])
    assert _good(month, [u.unit for u in units]) == \
        "亮绿灯的单位共7个,按得分依次为:单位1(87.7分)、单位2(85.4分)、单位3(83.1分)、单位4(80.8分)、单位5(78.5分)等。"
    assert _good(month, ["单位1", "单位3"]) == "亮绿灯的单位共2个,按得分依次为:单位1(87.7分)、单位3(83.1分)。"
