"""The contract between split and intake: sheet names, columns and identification of a unit workbook."""

from __future__ import annotations

import hashlib

GUIDE_SHEET = "填报说明"
TASK_SHEET = "任务清单"
REFERENCE_SHEET = "任务说明"  # the full issued text of every task, linked by 编号
EVIDENCE_SHEET = "证明材料目录"
HELPING_SHEET = "配合任务"  # tasks the unit only cooperates on ([tasks] cooperating_report = false): to read, not to fill
LIAISON_SHEET = "联络员"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"

TITLE_ROW = 0
HEADER_ROW = 1
FIRST_DATA_ROW = 2

LOCKED_COLUMNS = ["编号", "一级指标", "二级指标", "三级指标", "本单位承担事项", "申报材料要求",
                  "情况说明题目", "牵头单位", "截止日期"]
STATUS = "进展状态"  # the column every judgment reads: named here once
EDITABLE_COLUMNS = [STATUS, "本月工作进展", "已形成材料", "存在问题及需协调事项",
                    "预计完成时间", "责任人", "联系电话"]
SUMMARY_COLUMN = "任务"  # a short task text beside the inputs; the full text is on REFERENCE_SHEET
REVIEW_COLUMN = "审核意见"  # the office's word on an earlier claim (closed, or returned with its reason): locked, never read back
CLOSED = "已销号"  # the status a closed task shows in later workbooks, locked; a return that carries it changes nothing
# The clerk's sheet: 编号 and the short task, then what the unit fills, then the office's 审核意见.
# The long texts moved to REFERENCE_SHEET.
TASK_COLUMNS = ["编号", SUMMARY_COLUMN, *EDITABLE_COLUMNS, REVIEW_COLUMN]
REFERENCE_COLUMNS = LOCKED_COLUMNS
# Workbooks issued before the reference sheet carried every column on the task sheet; merge still reads them.
LEGACY_TASK_COLUMNS = LOCKED_COLUMNS + EDITABLE_COLUMNS
KNOWN_TASK_HEADERS = list(dict.fromkeys(TASK_COLUMNS + LEGACY_TASK_COLUMNS))
# Locked columns whose text identifies the issued row; a change there is tampering.
HASHED_COLUMNS = ["编号", "三级指标", "本单位承担事项", "申报材料要求", "情况说明题目", "牵头单位"]

EVIDENCE_COLUMNS = ["编号", "材料名称", "材料类型", "网址", "备注"]
EVIDENCE_TYPES = ["正式文件(PDF)", "情况说明", "网址", "截图", "图片", "视频", "其他"]
EVIDENCE_ROWS = 200

LIAISON_COLUMNS = ["单位", "姓名", "职务", "联系电话", "电子邮箱"]  # 附件2, with the e-mail notices go to

# Keys of the identification, both in the _meta sheet and in custom document properties.
META_KEYS = {"unit": "单位", "month": "月份", "version": "总表版本", "issued": "下发时间", "checksum": "标识校验"}
PROPERTY_PREFIX = "xlsx_tracker_"
META_ROWS_HEADER = ["编号", "行号", "锁定内容校验"]


def row_hash(values: dict[str, str]) -> str:
    text = "\x1f".join(str(values.get(c, "") or "").strip() for c in HASHED_COLUMNS)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def identity_checksum(unit: str, month: str, version: str, issued: str, row_hashes: list[str]) -> str:
    text = "\x1f".join([unit, month, version, issued, *row_hashes])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]

# A unit that only cooperates gets a notice, not a form: its workbook says so in a property, and merge sets it aside.
KIND_PROPERTY = "kind"
NOTICE_KIND = "配合任务告知"
NOTICE_SHEET = "告知"  # the notice's first sheet: what it is and why nothing comes back
HELPING_COLUMNS = {"编号": 7, "任务": 62, "分工(牵头、责任、配合)": 30, "完成时限": 16}  # 115 wide: A4 landscape
