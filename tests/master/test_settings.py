"""settings.toml as offices edit it in Notepad: each mistake is one bad-settings problem naming the file (and, for a
syntax error, the line and column); the rest of the file still applies where it can."""

import pytest

from xlsx_tracker.master.settings import BulletinHead, Settings, load_settings

GOOD = """district = "新城区"

[plan]
title = "新城区法治政府建设示范创建工作实施方案"
number = "新政办发〔2024〕26号"

[contact]
name = "王海燕"
phone = "6218033"
office = "区委依法治区办"

[deadline]
monthly_day = 20
policy = "postpone"
"""


def settings_with(tmp_path, text=None, data=None):
    path = tmp_path / "settings.toml"
    path.write_bytes(data if data is not None else text.encode("utf-8"))
    settings, problems = load_settings(tmp_path)
    return settings, [(p.code, p.file, p.sheet, p.cell, p.severity, p.message) for p in problems], str(path)


def test_a_good_file_has_no_problem(tmp_path):
    settings, problems, _ = settings_with(tmp_path, GOOD)
    assert problems == []
    assert (settings.district, settings.contact_name, settings.office, settings.monthly_day, settings.policy) == (
        "新城区", "王海燕", "区委依法治区办", 20, "postpone")


def test_no_file_gives_the_blank_defaults_and_says_what_the_papers_will_lack(tmp_path):
    settings, problems = load_settings(tmp_path)
    assert settings == Settings()
    assert [(p.code, p.severity, p.message) for p in problems] == [(
        "settings-incomplete", "warning",
        "设置文件没有写明实施方案名称([plan] 中的 title)、实施方案文号([plan] 中的 number)、办公室名称([contact] 中的 office)、"
        "联系人([contact] 中的 name)、联系电话([contact] 中的 phone),通报和催报通知中将缺少这些内容。"
        "请用记事本在 settings.toml 中补上(写法见 README“工作区”)。")]


def test_a_workspace_from_before_the_plan_table_is_warned(tmp_path):
    old = GOOD.replace('[plan]\ntitle = "新城区法治政府建设示范创建工作实施方案"\nnumber = "新政办发〔2024〕26号"\n', "")
    settings, problems, path = settings_with(tmp_path, old)
    assert settings.plan_basis() == ""
    assert [(code, file, severity) for code, file, _, _, severity, _ in problems] == [("settings-incomplete", path, "warning")]
    assert "实施方案名称([plan] 中的 title)、实施方案文号([plan] 中的 number),通报" in problems[0][5]


@pytest.mark.parametrize(("title", "number", "basis"), [
    ("新城区法治政府建设示范创建工作实施方案", "新政办发〔2024〕26号", "根据《新城区法治政府建设示范创建工作实施方案》(新政办发〔2024〕26号)要求,"),
    ("《某区实施方案》", "(某办发〔2025〕1号)", "根据《某区实施方案》(某办发〔2025〕1号)要求,"),  # marks written in are not doubled
    ("某区实施方案", "", "根据《某区实施方案》要求,"),
    ("", "某办发〔2025〕1号", "根据某办发〔2025〕1号要求,"),
    ("", "", ""),
])
def test_the_plan_basis_of_a_notice(title, number, basis):
    assert Settings(plan_title=title, plan_number=number).plan_basis() == basis


def test_a_value_without_quotes_names_its_line_and_column(tmp_path):
    settings, problems, path = settings_with(tmp_path, GOOD.replace('name = "王海燕"', "name = 王海燕"))
    assert problems == [("bad-settings", path, "", "第8行第8列", "error",
                         "格式错误:值的写法不对(文字要加英文双引号,日期写作 2027-01-01)。请对照 README 中的示例改正。")]
    assert settings == Settings()  # nothing of a file that cannot be read is used


def test_a_file_in_no_known_encoding(tmp_path):
    _, problems, path = settings_with(tmp_path, data=b'district = "\xff\xfe\xfd"\n')
    assert problems == [("bad-settings", path, "", "", "error", "文件编码无法识别。请用记事本打开,“另存为”时编码选 UTF-8。")]


@pytest.mark.parametrize(("change", "message"), [
    (('policy = "postpone"', 'policy = "顺延"'), "deadline.policy 只能是 postpone(顺延)或 advance(提前),现为“顺延”"),
    (("monthly_day = 20", "monthly_day = 31"), "deadline.monthly_day 应为 1–28 的整数,现为“31”"),
    (("monthly_day = 20", 'monthly_day = "20"'), "deadline.monthly_day 应为 1–28 的整数,现为“20”"),
    (("monthly_day = 20", 'report_day = "每季度30日前"'),
     "deadline.report_day 应写成“每月20日前”或“每季度末月25日前”(日期为 1–28),现为“每季度30日前”"),
])
def test_a_deadline_rule_out_of_range_falls_back_to_the_default(tmp_path, change, message):
    settings, problems, path = settings_with(tmp_path, GOOD.replace(*change))
    assert problems == [("bad-settings", path, "", "", "error", message)]
    assert (settings.monthly_day, settings.policy, settings.district) == (20, "postpone", "新城区")  # the rest still applies


@pytest.mark.parametrize(("written", "day", "quarterly", "said"), [
    ("每月28日前", 28, False, "每月28日"),
    ("每季度末月25日前", 25, True, "每季度末月25日"),
    ("每季末月 10 号", 10, True, "每季度末月10日"),
])
def test_the_report_day_is_written_as_the_office_writes_it(tmp_path, written, day, quarterly, said):
    settings, problems, _ = settings_with(tmp_path, GOOD.replace("monthly_day = 20", f'report_day = "{written}"'))
    assert problems == []
    assert (settings.monthly_day, settings.quarterly, settings.report_day.describe()) == (day, quarterly, said)


def test_a_status_that_is_not_one_of_the_list(tmp_path):
    settings, problems, path = settings_with(tmp_path, GOOD + '\n[scoring.status_progress]\n"基本完成" = 90\n"推进中" = 60\n')
    assert problems == [("bad-settings", path, "", "", "error", "scoring.status_progress 含未知状态:基本完成")]
    assert settings.scoring.status_progress["推进中"] == 60 and "基本完成" not in settings.scoring.status_progress


def test_the_bulletin_header_is_off_unless_asked_for(tmp_path):
    settings, problems, _ = settings_with(tmp_path, GOOD)
    assert (problems, settings.bulletin) == ([], BulletinHead(header=False, issuer_mark="", number=""))


def test_the_bulletin_header_as_written(tmp_path):
    table = '\n[bulletin]\nheader = true\nissuer_mark = "新城区全面依法治区委员会办公室文件"\nnumber = "新法治办〔2024〕5号"\n'
    settings, problems, _ = settings_with(tmp_path, GOOD + table)
    assert problems == []
    assert settings.bulletin == BulletinHead(header=True, issuer_mark="新城区全面依法治区委员会办公室文件", number="新法治办〔2024〕5号")


def test_a_bulletin_header_without_its_issuer_mark_is_warned(tmp_path):
    settings, problems, path = settings_with(tmp_path, GOOD + '\n[bulletin]\nheader = true\nissuer_mark = "  "\nnumber = "新法治办〔2024〕5号"\n')
    assert problems == [("settings-incomplete", path, "", "", "warning",
                         "设置文件没有写明发文机关标志([bulletin] 中的 issuer_mark,header = true 时必填),通报和催报通知中将缺少这些内容。"
                         "请用记事本在 settings.toml 中补上(写法见 README“工作区”)。")]
    assert settings.bulletin.number == "新法治办〔2024〕5号"  # the rest of the table still applies


def test_an_issuer_mark_with_the_header_off_is_no_problem(tmp_path):
    _, problems, _ = settings_with(tmp_path, GOOD + '\n[bulletin]\nheader = false\nissuer_mark = ""\n')
    assert problems == []


def test_a_bulletin_header_of_the_wrong_type_keeps_the_default(tmp_path):
    settings, problems, path = settings_with(tmp_path, GOOD + '\n[bulletin]\nheader = "是"\nnumber = 5\n')
    assert problems == [("bad-settings", path, "", "", "error", "bulletin.header 应为 true 或 false,现为“是”"),
                        ("bad-settings", path, "", "", "error", "bulletin.number 应为文字(加英文双引号),现为“5”")]
    assert settings.bulletin == BulletinHead()


def test_the_template_settings_file_reads_without_a_problem():
    from pathlib import Path

    settings, problems = load_settings(Path(__file__).resolve().parents[2] / "master_template")
    assert problems == [] and settings.bulletin == BulletinHead()


# ---------------------------------------------------------------- the office's clock

def test_the_office_s_zone_is_beijing_time_unless_set(tmp_path):
    from pathlib import Path

    settings, _ = load_settings(Path(__file__).resolve().parents[2] / "master_template")
    assert (Settings().timezone, settings.timezone) == ("Asia/Shanghai", "Asia/Shanghai")
    assert settings_with(tmp_path, 'timezone = "Asia/Urumqi"\n' + GOOD)[0].timezone == "Asia/Urumqi"


@pytest.mark.parametrize("written", ['"Asia/Beijing"', '"北京时间"', '"../../etc/passwd"', "8"])
def test_an_unknown_zone_is_warned_about_and_beijing_time_used(tmp_path, written):
    settings, problems, path = settings_with(tmp_path, f"timezone = {written}\n" + GOOD)
    shown = written.strip('"')
    assert problems == [("bad-timezone", path, "", "", "warning",
                         f"timezone 的值“{shown}”不是可识别的时区名,已按 Asia/Shanghai(北京时间)判断收到时间和是否按时。"
                         '请写成 "Asia/Shanghai" 这样的时区名。')]
    assert (settings.timezone, settings.district) == ("Asia/Shanghai", "新城区")  # the rest still applies


def test_beijing_time_is_known_without_the_system_s_zone_data(monkeypatch):
    """A Windows PC without the tzdata package has no zone files: Beijing time is still UTC+8 (no summer time)."""
    import datetime as dt
    import zoneinfo

    from xlsx_tracker.master import settings as module

    def missing(name):
        raise zoneinfo.ZoneInfoNotFoundError(name)

    module.office_zone.cache_clear()
    monkeypatch.setattr(module.zoneinfo, "ZoneInfo", missing)
    try:
        zone = module.office_zone("Asia/Shanghai")
        assert zone.utcoffset(None) == dt.timedelta(hours=8)
        assert module.office_time(dt.datetime(2024, 5, 20, 2, tzinfo=dt.UTC), zone) == dt.datetime(2024, 5, 20, 10)
        with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
            module.office_zone("Asia/Urumqi")
    finally:
        module.office_zone.cache_clear()
