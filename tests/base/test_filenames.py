"""The one safe file name: Windows and Linux limits, device names, two files never sharing a name."""

from xlsx_tracker.base.filenames import NAME_BYTES, safe_name, unique


def test_a_300_character_ascii_name_fits_and_keeps_its_extension():
    name = safe_name("a" * 300 + ".pdf")
    assert name.endswith(".pdf") and len(name) <= 200 and len(name.encode("utf-8")) <= NAME_BYTES


def test_800_bytes_of_chinese_fit_the_linux_byte_limit():
    name = safe_name("关于印发法治政府建设实施方案的通知" * 16 + ".docx")
    assert name.endswith(".docx") and len(name.encode("utf-8")) <= NAME_BYTES


def test_device_names_traversal_and_control_characters_are_made_safe():
    assert [safe_name(n) for n in ("PRN.pdf", "nul.pdf", "com1.pdf", "aux", "../etc/passwd", "报告\r\n.pdf", "a:b*c?.xlsx")] == [
        "_PRN.pdf", "_nul.pdf", "_com1.pdf", "_aux", "_etc_passwd", "报告__.pdf", "a_b_c_.xlsx"]


def test_two_files_of_one_name_never_share_it_case_ignored_as_windows_does():
    used: set[str] = set()
    assert [unique(n, used) for n in ("通知.pdf", "通知.PDF", "通知.pdf", "其他.pdf")] == ["通知.pdf", "通知(2).PDF", "通知(3).pdf", "其他.pdf"]


def test_a_long_chinese_name_given_a_unit_prefix_stays_within_the_linux_byte_limit():
    from xlsx_tracker.outputs.taizhang import file_names

    names = file_names("12_某某", [("甲" * 80 + ".pdf", "财政局"), ("甲" * 80 + ".pdf", "人力资源和社会保障局")])
    assert len(set(names)) == 2 and all(n.endswith(".pdf") and len(n.encode("utf-8")) <= NAME_BYTES for n in names)
