"""zipsafe on containers built in memory: the limits judged on declared sizes before anything is inflated,
bounded reads, member names as Chinese Windows wrote them, the table of contents read from the file's tail,
and what a zip holds judged by its parts."""

import io
import random
import zipfile
from types import SimpleNamespace

import pytest

from xlsx_tracker.intake import zipsafe
from xlsx_tracker.intake.zipsafe import (
    TooLarge,
    bounded_read,
    chunks,
    decoded_name,
    directory_problem,
    head,
    is_encrypted,
    is_workbook,
    limit_problem,
    zip_kind,
)

MB = 1024 * 1024


def zip_of(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> zipfile.ZipFile:
    """An open zip holding the members, written and read in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return zipfile.ZipFile(io.BytesIO(buffer.getvalue()))


def declaring(*members: tuple[str, int, int]) -> SimpleNamespace:
    """A container as its table of contents describes it: (name, inflated size, compressed size) per member.
    limit_problem judges only what is declared, so nothing of that size needs to exist."""
    infos = []
    for name, size, compressed in members:
        info = zipfile.ZipInfo(name)
        info.file_size, info.compress_size = size, compressed
        infos.append(info)
    return SimpleNamespace(infolist=lambda: infos)


def gbk_member(name: str) -> zipfile.ZipInfo:
    """A member name as an old Chinese Windows zipper stores it: GBK bytes, no UTF-8 flag (zipfile shows them as cp437)."""
    return zipfile.ZipInfo(name.encode("gbk").decode("cp437"))


# ---------------------------------------------------------------- limits, on declared sizes

def test_a_return_within_every_limit_has_no_problem():
    workbook = declaring(("xl/worksheets/sheet1.xml", 2 * MB, 200 * 1024), ("xl/sharedStrings.xml", 300 * 1024, 60 * 1024))
    assert limit_problem(workbook) == ""


def test_too_many_members():
    crowded = declaring(*[(f"材料/{i}.pdf", 10, 10) for i in range(zipsafe.MAX_MEMBERS + 1)])
    assert limit_problem(crowded) == "压缩包内有 2001 个文件,超过 2000 个的上限"


def test_exactly_the_member_limit_is_allowed():
    assert limit_problem(declaring(*[(f"{i}.pdf", 10, 10) for i in range(zipsafe.MAX_MEMBERS)])) == ""


def test_members_that_inflate_past_the_total():
    bomb = declaring(*[(f"part{i}.xml", 150 * MB, 150 * MB) for i in range(4)])  # 600 MB, each part within its own limit
    assert limit_problem(bomb) == "解压后共 600 MB,超过 512 MB 的上限(疑似“压缩炸弹”)"


def test_one_member_past_the_part_limit_is_named():
    far_rows = declaring(("docProps/app.xml", 1024, 512), ("xl/worksheets/sheet1.xml", 200 * MB, 2 * MB))
    assert limit_problem(far_rows) == "其中“xl/worksheets/sheet1.xml”解压后 200 MB,超过 160 MB 的上限(疑似“压缩炸弹”或大量空行)"


def test_a_part_compressed_too_well_is_a_bomb():
    suspicious = declaring(("xl/sharedStrings.xml", 100 * MB, 100 * 1024))  # 1024:1, within both size limits
    assert limit_problem(suspicious) == "其中“xl/sharedStrings.xml”压缩比 1024:1,异常(疑似“压缩炸弹”)"


def test_a_small_part_may_compress_as_well_as_it_likes():
    assert limit_problem(declaring(("xl/styles.xml", 4 * MB, 1024))) == ""  # not over RATIO_FLOOR: 4096:1 is fine


def test_a_member_named_in_gbk_is_named_as_sent():
    info = gbk_member("审计局/数据.xml")
    info.file_size, info.compress_size = 200 * MB, 200 * MB
    assert limit_problem(SimpleNamespace(infolist=lambda: [info])) == "其中“审计局/数据.xml”解压后 200 MB,超过 160 MB 的上限(疑似“压缩炸弹”或大量空行)"


def test_a_real_zip_of_zeros_is_caught_by_its_ratio():
    zeros = zip_of({"zeros.xml": b"\0" * (5 * MB)})
    [info] = zeros.infolist()
    assert info.file_size // info.compress_size > zipsafe.MAX_RATIO
    assert limit_problem(zeros) == f"其中“zeros.xml”压缩比 {info.file_size // info.compress_size}:1,异常(疑似“压缩炸弹”)"


# ---------------------------------------------------------------- bounded reading

def test_bounded_read_returns_a_member_up_to_its_cap():
    archive = zip_of({"a.txt": b"x" * 100})
    assert bounded_read(archive, "a.txt", cap=100) == b"x" * 100


def test_bounded_read_refuses_one_byte_over_the_cap():
    archive = zip_of({"a.txt": b"x" * 101})
    with pytest.raises(TooLarge) as refused:
        bounded_read(archive, "a.txt", cap=100)
    assert str(refused.value) == "a.txt"


def test_chunks_overlap_so_that_a_pattern_across_two_is_found():
    archive = zip_of({"sheet.xml": b"0123456789"})
    assert list(chunks(archive, "sheet.xml", size=4)) == [b"0123", b"01234567", b"456789"]  # each begins with the last chunk


def test_chunks_keep_only_the_last_overlap_bytes():
    data = bytes(range(200))
    pieces = list(chunks(zip_of({"p": data}), "p", size=100))
    assert pieces == [data[:100], data[100 - zipsafe.OVERLAP:100] + data[100:]]


def test_chunks_stop_inflating_at_the_cap():
    archive = zip_of({"sheet.xml": b"a" * 10})
    read = chunks(archive, "sheet.xml", cap=7, size=4)
    assert next(read) == b"aaaa"
    with pytest.raises(TooLarge):
        next(read)


def test_head_reads_only_the_first_bytes():
    assert head(zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "mimetype", 11) == b"application"


# ---------------------------------------------------------------- member names

def test_a_gbk_name_without_the_utf8_flag_is_decoded_as_gbk():
    assert decoded_name(gbk_member("财政局报表.xlsx")) == "财政局报表.xlsx"


def test_utf8_bytes_without_the_flag_are_utf8():
    info = zipfile.ZipInfo("司法局_2024-05.xlsx".encode().decode("cp437"))  # as a Mac or 7-Zip writes them
    assert decoded_name(info) == "司法局_2024-05.xlsx"


def test_a_name_flagged_utf8_is_taken_as_it_is():
    info = zipfile.ZipInfo("通知.pdf")
    info.flag_bits |= zipsafe.UTF8_FLAG
    assert decoded_name(info) == "通知.pdf"


def test_bytes_that_are_neither_utf8_nor_gbk_are_replaced_not_raised():
    assert decoded_name(zipfile.ZipInfo(b"\xff\xfe.xlsx".decode("cp437"))) == "\ufffd\ufffd.xlsx"


def test_a_name_written_by_zipfile_round_trips():
    [info] = zip_of({"材料/深层/照片.jpg": b"jpg"}).infolist()
    assert decoded_name(info) == "材料/深层/照片.jpg"


def test_encryption_is_bit_one_of_the_flags():
    plain, locked = zipfile.ZipInfo("a.xlsx"), zipfile.ZipInfo("b.xlsx")
    locked.flag_bits = 0x1
    assert (is_encrypted(plain), is_encrypted(locked)) == (False, True)


# ---------------------------------------------------------------- the table of contents, from the tail

def end_record(entries: int, directory_size: int, comment: bytes = b"") -> bytes:
    """An end-of-central-directory record declaring entries and the directory's size."""
    return (b"PK\x05\x06" + b"\x00" * 6 + entries.to_bytes(2, "little") + directory_size.to_bytes(4, "little")
            + b"\x00" * 4 + len(comment).to_bytes(2, "little") + comment)


def test_a_zip_with_a_small_directory_passes(tmp_path):
    path = tmp_path / "材料.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("通知.pdf", b"%PDF-1.4")
    assert directory_problem(path) == ""


def test_a_directory_declaring_too_many_entries(tmp_path):
    path = tmp_path / "目录过大.zip"
    path.write_bytes(end_record(3000, 1024))
    assert directory_problem(path) == "压缩包目录过大(声明 3000 个文件),不像是报送材料"


def test_a_directory_declaring_the_zip64_marker(tmp_path):
    path = tmp_path / "目录过大.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100 + end_record(0xFFFF, 0xFFFFFFFF))
    assert directory_problem(path) == "压缩包目录过大(声明 超过 65,535 个文件),不像是报送材料"


def test_a_directory_too_large_in_bytes(tmp_path):
    path = tmp_path / "目录过大.zip"
    path.write_bytes(end_record(10, zipsafe.MAX_DIRECTORY_BYTES + 1))
    assert directory_problem(path) == "压缩包目录过大(声明 10 个文件),不像是报送材料"


def test_the_record_is_found_behind_a_comment(tmp_path):
    path = tmp_path / "带注释.zip"
    path.write_bytes(random.Random(0).randbytes(70_000) + end_record(3000, 1024, comment="说明".encode() * 100))
    assert directory_problem(path) == "压缩包目录过大(声明 3000 个文件),不像是报送材料"


def test_not_a_zip_and_a_truncated_record_are_left_to_zipfile(tmp_path):
    (tmp_path / "a.pdf").write_bytes(b"%PDF-1.4\n" * 10)
    (tmp_path / "cut.zip").write_bytes(b"PK\x05\x06\x00\x00")
    assert (directory_problem(tmp_path / "a.pdf"), directory_problem(tmp_path / "cut.zip")) == ("", "")


# ---------------------------------------------------------------- what a zip holds

@pytest.mark.parametrize(("members", "kind", "workbook"), [
    ({"[Content_Types].xml": b"", "xl/workbook.xml": b"<workbook/>"}, "xlsx", True),
    ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""}, "ods", True),
    ({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b""}, "zip", False),  # an .odt
    ({"word/document.xml": b"<document/>"}, "docx", False),
    ({"OFD.xml": b"<ofd/>"}, "ofd", False),
    ({"Doc_1/Document.xml": b"<doc/>"}, "ofd", False),
    ({"审计局/审计局_2024-05.xlsx": b"PK"}, "zip", False),  # a workbook inside a zip is still a zip
])
def test_kind_by_parts_not_by_name(members, kind, workbook):
    archive = zip_of(members)
    assert (zip_kind(archive), is_workbook(archive)) == (kind, workbook)
