"""The one catalogue of problem types: code -> severity, Chinese category name and message template.

Every Problem is made here, so a code always has the same severity and wording, and every view
(console line, CSV row, report row) is rendered by the functions at the bottom of this module.
"""

from __future__ import annotations

from collections import Counter

from .model import Problem
from .sheetio import write_excel_csv

SEVERITY_TEXT = {"error": "错误", "warning": "提醒", "info": "提示"}
SEVERITY_ORDER = ("error", "warning", "info")
COUNTED_SEVERITIES = ("error", "warning")  # these cost quality points; "info" never does


class Code(str):
    """A problem type: its code (the string itself), severity, Chinese category name and message template.

    Every type is a module-level name below, and callers import the names they emit: a misspelt code fails at
    import, not when the rare file that would raise it arrives. Equal to its code string, so stored problems
    (whose code is plain text) compare with it directly.
    """

    catalogue: dict[str, Code] = {}

    def __new__(cls, code: str, severity: str, category: str, template: str) -> Code:
        if code in cls.catalogue:
            raise ValueError(f"problem code {code!r} defined twice")
        if severity not in SEVERITY_TEXT:
            raise ValueError(f"problem code {code!r}: unknown severity {severity!r}")
        kind = super().__new__(cls, code)
        kind.severity, kind.category, kind.template = severity, category, template  # template: str.format fields of problem()
        cls.catalogue[code] = kind
        return kind

    @property
    def code(self) -> str:
        return str.__str__(self)

    def __reduce__(self):
        # a worker process gets the catalogue's own handle back, not a new type
        return _catalogued, (self.code,)


def _catalogued(code: str) -> Code:
    return Code.catalogue[code]


# ---- the file as a whole (intake)
EMPTY_FILE = Code("empty-file", "error", "文件无法读取", "文件是空的(0 字节),可能是邮件附件下载失败。请让该单位重新发送。")
PASSWORD_PROTECTED = Code("password-protected", "error", "文件无法读取", "文件设置了打开密码,无法读取。请让该单位取消密码(文件→信息→保护工作簿)后重新发送。")
NOT_SPREADSHEET = Code("not-spreadsheet", "error", "文件无法读取", "{detail}")
CORRUPT_FILE = Code("corrupt-file", "error", "文件无法读取",
    "文件已损坏,无法打开({error})。请让该单位用 Excel 或 WPS 打开确认后重新保存发送。")
WPS_ET_UNSUPPORTED = Code("wps-et-unsupported", "error", "文件无法读取",
    "WPS 专有格式(.et)无法读取。请让该单位在 WPS 中“另存为”Excel 工作簿(.xlsx)后重新发送。")
FOREIGN_WORKBOOK = Code("foreign-workbook", "error", "文件无法读取", "这是 {label},请另存为 .xlsx 后重新发送({how})。")
MISSING_TASK_SHEET = Code("missing-task-sheet", "error", "文件未采用", "找不到“任务清单”表(含“编号”“进展状态”列)。请让该单位使用下发的工作簿填写。")
FILE_TOO_LARGE = Code("file-too-large", "error", "文件无法读取", "文件超过 {limit},不像是填报的工作簿,未读取。请让该单位只发送填好的工作簿,材料另行发送。")
CONTENT_TOO_LARGE = Code("content-too-large", "error", "文件无法读取", "文件内容过大,未读取:{detail}。请让该单位删除多余的行、列或内容后另存为新文件重新发送。")
UNREADABLE_FILE = Code("unreadable-file", "error", "文件无法读取", "无法读取该文件({detail})。请检查文件权限或重新保存附件后再汇总。")
NOT_A_FILE = Code("not-a-file", "error", "文件无法读取", "这不是普通文件({detail}),未读取。")
DANGLING_LINK = Code("dangling-link", "error", "文件无法读取", "这是一个指向不存在文件的快捷方式/链接(指向 {detail}),未读取。请把真正的文件放入收件目录。")
LINK_OUTSIDE_INBOX = Code("link-outside-inbox", "error", "文件无法读取",
    "这是一个指向收件目录以外({detail})的链接,为安全起见未读取、未存档。请把文件本身复制到收件目录。")
LINK_INSIDE_INBOX = Code("link-inside-inbox", "info", "文件无法读取", "这是指向收件目录内“{detail}”的链接;链接本身不汇总,所指的文件按其本身处理。")
CORRUPT_ZIP = Code("corrupt-zip", "error", "压缩包无法读取", "压缩包已损坏,无法打开({detail})。请让该单位重新压缩发送,或直接发送工作簿。")
ZIP_TOO_LARGE = Code("zip-too-large", "error", "压缩包无法读取", "压缩包未展开:{detail}。请让该单位直接发送工作簿。")
ZIP_ENCRYPTED = Code("zip-encrypted", "error", "压缩包无法读取", "压缩包中的该文件设置了密码,无法读取。请让该单位发送未加密的文件。")
READER_CRASHED = Code("reader-crashed", "error", "文件无法读取",
    "读取该文件时读取程序异常退出({detail}),文件可能已损坏或含有超大范围的内容。已跳过该文件,其他文件照常汇总。"
    "请让该单位在 Excel/WPS 中打开、检查后另存为新文件重新发送。")
READER_TIMEOUT = Code("reader-timeout", "error", "文件无法读取",
    "读取该文件{detail}仍未完成,已跳过,其他文件照常汇总。请让该单位检查文件后另存为新文件重新发送。")
MATERIAL_RECEIVED = Code("material-received", "info", "收到的材料", "收到{label},作为报送材料存档(不是填报的工作簿,不影响评分)。")
EXTENSION_MISMATCH = Code("extension-mismatch", "info", "文件格式", "文件扩展名为“{suffix}”,实际内容是 {kind} 格式,已按实际内容读取。")
OVERSIZED_PROPERTIES = Code("oversized-properties", "warning", "文件属性异常", "文档属性“{part}”异常庞大,已忽略其中的内容。")
SAVED_TIME_UNTRUSTED = Code("saved-time-untrusted", "warning", "保存时间异常",
    "文件记录的保存时间“{raw}”不可信(电脑时钟可能有误),不用于判断先后和是否按时。")
BLOATED_SHEET = Code("bloated-sheet", "info", "表格结构改动",
    "该表含大量空行或格式(解压后 {size}),只读取了前 {rows} 行。如需减小文件,可删除多余的空行后保存。")
FAR_CONTENT = Code("far-content", "warning", "表格结构改动",
    "该表的使用范围延伸到 {cell}(远超下发的表格范围,多为误触键盘),只读取了下发范围内的内容。请删除远处单元格的内容后保存。")
# ---- which unit and month (merge)
UNIDENTIFIED_FILE = Code("unidentified-file", "error", "文件未采用",
    "无法识别是哪个单位、哪个月的表(隐藏标识、文档属性、填报说明和文件名都不可用)。请让报送单位使用下发的工作簿。")
UNKNOWN_UNIT_FILE = Code("unknown-unit-file", "error", "文件未采用",
    "文件标明的单位“{unit}”不在单位名录中。如为新单位或别名,请在总任务清单“单位名录”中添加。")
NOTICE_RETURNED = Code("notice-returned", "info", "文件未采用",
    "这是发给“{unit}”的《配合任务告知》,只供了解,无需报回;已存档,未计入。配合工作的情况请该单位交牵头单位一并报送。")
WRONG_MONTH = Code("wrong-month", "error", "文件未采用", "这是 {found} 的表({unit}),不是 {month} 的,未计入本月。可能是上月文件被重复发送。")
IDENTITY_FALLBACK = Code("identity-fallback", "warning", "标识缺失", "隐藏标识表缺失,已根据{source}识别为“{unit} {month}”。")
IDENTITY_TAMPERED = Code("identity-tampered", "error", "标识被改动", "隐藏标识表的内容与校验值不符,可能被改动过。请核实该文件来源。")
MASTER_CHANGED = Code("master-changed", "info", "总表版本", "该表按旧版总任务清单({issued})下发,现行版本为 {current};已按现行任务核对。")
MASTER_EDITED_AFTER_ISSUE = Code("master-edited-after-issue", "info", "总表版本",
    "总任务清单在下发后有改动:编号 {ids} 的内容与下发时不同。报回文件按下发时的内容核对,不会因此判为改动;下次下发时按新内容。")
SUPERSEDED = Code("superseded", "info", "重复报送", "同一单位重复报送,本文件未采用:{reason}(保留存档 {archive})。")
RESUBMISSION_TIE = Code("resubmission-tie", "warning", "重复报送",
    "同一单位的“{winner}”与本文件下发时间、保存时间都相同,无法判断哪份在后;暂按{rule}采用“{winner}”。请人工确认采用哪一份。")
RESUBMISSION_UNTIMED = Code("resubmission-untimed", "warning", "重复报送",
    "同一单位的“{winner}”与本文件无法判断哪份在后:{why};文件在电脑上的修改时间不可靠,不作依据。暂采用{kept}“{winner}”,请人工确认采用哪一份。")
IDENTITY_CONFLICT = Code("identity-conflict", "error", "标识冲突",
    "文件名表明是“{named}”的表,但隐藏标识是“{unit}”的表:可能是{named}填写了{unit}的工作簿。该文件不会取代{unit}的其他报送文件,请核实。")
# ---- the task sheet (reconcile)
SHEET_RENAMED = Code("sheet-renamed", "warning", "表格结构改动", "“任务清单”表被改名为“{sheet}”,已按内容识别。下次请勿改表名。")
HEADER_RENAMED = Code("header-renamed", "warning", "表格结构改动", "表头“{found}”与下发的“{column}”不同,已按下发位置把该列作为“{column}”读取。请勿改动表头。")
FORMULA_CELL = Code("formula-cell", "info", "公式", "单元格是公式“={formula}”,已取其计算结果。请直接填写内容,不要用公式。")
FORMULA_NO_VALUE = Code("formula-no-value", "warning", "公式",
    "单元格是公式“={formula}”,但没有计算结果(可能由程序生成),已按公式文字保存。请在 Excel/WPS 中打开、确认内容后保存,或直接填写文字。")
TEXT_TOO_LONG = Code("text-too-long", "info", "内容过长",
    "“{column}”共 {length} 字,超过 Excel 单元格 32,767 字的上限:台账保存全文,报表中该单元格只显示前一部分。")
MISSING_COLUMN = Code("missing-column", "error", "表格结构改动", "缺少“{column}”列(表头被删除或改名)。该列内容无法读取,请恢复表头。")
MISSING_LOCKED_COLUMN = Code("missing-locked-column", "warning", "表格结构改动", "缺少“{column}”列(表头被删除或改名)。该列为下发内容,请恢复表头。")
EXTRA_ROW = Code("extra-row", "error", "增删行", "{detail}")
DUPLICATE_ROW = Code("duplicate-row", "error", "增删行", "编号“{task_id}”重复出现(首次在 {first}),已采用第一行,本行未采用。")
MISSING_ROW = Code("missing-row", "error", "增删行", "编号“{task_id}”的任务行被删除,本月该项视为未报送。请勿删除行。")
ROWS_REORDERED = Code("rows-reordered", "info", "增删行", "任务行的顺序被调整过,已按编号对应,不影响采用。")
LOCKED_CELL_CHANGED = Code("locked-cell-changed", "error", "改动锁定内容", "锁定的“{column}”内容被改动,已按下发原文处理。请勿修改灰色单元格。")
STATUS_NORMALIZED = Code("status-normalized", "warning", "进展状态不规范", "进展状态“{raw}”不是下拉选项,已按“{status}”处理。请从下拉列表选择。")
INVALID_STATUS = Code("invalid-status", "error", "进展状态无效", "进展状态“{raw}”无效(可能是粘贴绕过了下拉列表),未采用。应为:{allowed}。")
EMPTY_STATUS = Code("empty-status", "warning", "进展状态未填", "进展状态未填写。请从下拉列表选择。")
INVALID_DATE = Code("invalid-date", "error", "日期无效", "预计完成时间“{raw}”不是有效日期,未采用。请填写如 {year}-12-31 的日期。")
DATE_NORMALIZED = Code("date-normalized", "info", "日期格式", "预计完成时间“{raw}”以文字填写,已识别为 {day}。")
INVALID_PHONE = Code("invalid-phone", "error", "电话无效", "联系电话“{raw}”无效,未采用。请填写7–20位数字(可含“-”)。")
PHONE_AS_NUMBER = Code("phone-as-number", "info", "电话格式", "联系电话 {phone} 被存成了数字,已按文本读取。")
INVALID_EMAIL = Code("invalid-email", "error", "邮箱无效", "电子邮箱“{raw}”无效({reason}),未采用。请填写一个如 name@example.com 的邮箱地址。")
NOT_APPLICABLE_UNEXPLAINED = Code("not-applicable-unexplained", "error", "回答不完整",
    "进展状态为“无此情形(已作说明)”,但“本月工作进展”中没有写明理由,本项未采用、不计进度。请写明本单位为何不涉及此项任务。")
DONE_WITHOUT_PROGRESS = Code("done-without-progress", "warning", "回答不完整",
    "进展状态为“已完成”,但“本月工作进展”为空,本月暂按“推进中”计。请写明完成情况(如印发文件的名称、文号和日期)。")
VETO_WITHOUT_ACCOUNT = Code("veto-without-account", "error", "回答不完整",
    "否决项申报为“已发生”,但“本月工作进展”中没有写明具体情况。已按“已发生”记录;请写明发生的时间、事由和处置情况。")
# ---- the evidence sheet (reconcile)
EVIDENCE_UNKNOWN_ID = Code("evidence-unknown-id", "error", "证明材料登记有误", "材料对应的编号“{task_id}”不是本单位的任务编号。请从下拉列表选择。")
INVALID_URL = Code("invalid-url", "error", "证明材料登记有误", "网址“{url}”不是有效网址(应以 http:// 或 https:// 开头),未采用。")
TYPE_NORMALIZED = Code("type-normalized", "info", "证明材料登记有误", "材料类型“{raw}”已按“{kind}”处理。")
INVALID_TYPE = Code("invalid-type", "warning", "证明材料登记有误", "材料类型“{raw}”不是下拉选项,已按“其他”处理。")
# ---- the master task list, settings and calendar files (the office's own inputs)
MISSING_SHEET = Code("missing-sheet", "error", "总任务清单有误", "缺少工作表“{sheet}”。请恢复该表,或重新生成总任务清单。")
MISSING_HEADER = Code("missing-header", "error", "总任务清单有误", "表头缺少列:{columns}。请恢复第1行的列标题。")
EMPTY_CELL = Code("empty-cell", "error", "总任务清单有误", "{detail}")
DUPLICATE_UNIT = Code("duplicate-unit", "error", "总任务清单有误", "“{name}”在单位名录中出现两次(另见 {other})。每个名称只能属于一个单位。")
BAD_INDICATOR = Code("bad-indicator", "error", "总任务清单有误",
    "板块“{section}”或序号“{number}”无效:板块应为 指标/加分项/否决项,序号为整数。")
BAD_VALUE = Code("bad-value", "error", "总任务清单有误", "板块“{section}”无效,应为 指标/加分项/否决项。")
UNKNOWN_INDICATOR = Code("unknown-indicator", "error", "总任务清单有误", "指标序号“{numbers}”在“指标”表中找不到(板块 {section})。")
DUPLICATE_ID = Code("duplicate-id", "error", "总任务清单有误", "编号“{task_id}”重复(另见 {other})。请改为唯一编号。")
UNKNOWN_UNIT = Code("unknown-unit", "error", "总任务清单有误",
    "未知单位名称“{name}”(编号 {group_id}):请在“单位名录”表中把“{name}”加为某个单位的别名,或新增该单位,或改正拼写。")
UNCOVERED_INDICATOR = Code("uncovered-indicator", "warning", "总任务清单有误",
    "{section}第{number}项没有任何报送事项(任务分工表中无此指标序号),将不会下发。如系误删,请恢复该行。")
ROSTER_MISSING = Code("roster-missing", "info", "联络员名单",
    "总任务清单中没有“联络员”表,通知和回执将没有联系人。可运行 xlsx-tracker roster import 文件 导入附件2,或运行 xlsx-tracker master build 补上该表。")
ROSTER_UNKNOWN_UNIT = Code("roster-unknown-unit", "error", "联络员名单", "{detail}")
ROSTER_DUPLICATE = Code("roster-duplicate", "error", "联络员名单", "“{unit_name}”的联络员填了两行,只采用了第一行。请删除多余的一行。")
ROSTER_BAD_PHONE = Code("roster-bad-phone", "warning", "联络员名单", "联系电话“{raw}”无效。请填写7–20位数字(可含“-”)。")
ROSTER_BAD_EMAIL = Code("roster-bad-email", "warning", "联络员名单", "电子邮箱“{raw}”无效,通知将无法发送到该邮箱。请改正。")
LIAISON_CHANGED = Code("liaison-changed", "info", "联络员变更", "联络员变更:{before} → {after}(以本次报回的“联络员”表为准)。")
EXPLANATION_EMPTY = Code("explanation-empty", "warning", "情况说明", "情况说明文件没有文字。")
EXPLANATION_LONG = Code("explanation-long", "warning", "情况说明", "情况说明正文 {count} 字,超过一般不超过 {limit} 字的要求。请精简。")
EXPLANATION_TOO_LONG = Code("explanation-too-long", "error", "情况说明", "情况说明正文 {count} 字,超过最多 {limit} 字的上限。请删减后重新报送。")
EXPLANATION_TITLE_NEAR = Code("explanation-title-near", "warning", "情况说明", "情况说明题目“{title}”与要求的“{expected}”不一致。请按要求的题目改正。")
EXPLANATION_TITLE_WRONG = Code("explanation-title-wrong", "error", "情况说明", "情况说明题目“{title}”不是要求的题目,应为“{expected}”。")
REVIEW_UNKNOWN_ROW = Code("review-unknown-row", "error", "审核文件有误", "“{unit_name}”的编号“{task_id}”不是本月待审核的事项(可能已审核或被改动),本行未采用。")
REVIEW_TAMPERED = Code("review-tampered", "error", "审核文件有误", "“{column}”与生成审核文件时的内容不同,本行未采用。请勿改动灰色单元格。")
REVIEW_INVALID_MARK = Code("review-invalid-mark", "error", "审核文件有误", "审核结果“{raw}”无效,应为“通过”或“退回”,本行未采用。")
REVIEW_STALE = Code("review-stale", "error", "审核结果未记入",
    "“{unit_name}”的编号“{task_id}”在打开审核页面之后有了新的报送内容,本次的审核结果未记入。请刷新页面,看过新内容后重新审核。")
REVIEW_NO_REASON = Code("review-no-reason", "error", "审核文件有误", "选择“退回”时必须填写退回理由,本行未采用。")
REVIEW_CONFLICT = Code("review-conflict", "error", "审核文件有误",
    "“{unit_name}”的编号“{task_id}”本月已记入审核结果“{recorded}”,与本行的“{raw}”不同,本行未采用(已记入的审核结果不会被改写)。")
GROUP_MISMATCH = Code("group-mismatch", "error", "种子文件有误", "申报材料写明合并报送第{claimed}项指标,但表格合并的是{actual}")
BAD_SETTINGS = Code("bad-settings", "error", "设置文件有误", "{detail}")
BAD_TIMEZONE = Code("bad-timezone", "warning", "设置文件有误",
    "timezone 的值“{zone}”不是可识别的时区名,已按 {default}(北京时间)判断收到时间和是否按时。请写成 \"Asia/Shanghai\" 这样的时区名。")
SETTINGS_INCOMPLETE = Code("settings-incomplete", "warning", "设置文件不完整",
    "设置文件没有写明{missing},通报和催报通知中将缺少这些内容。请用记事本在 settings.toml 中补上(写法见 README“工作区”)。")
BAD_CALENDAR = Code("bad-calendar", "error", "节假日文件有误", "{detail}")
# ---- the State Council's holiday notice (calendar import)
NOTICE_NO_YEAR = Code("notice-no-year", "error", "放假通知有误",
    "没有找到通知标题“国务院办公厅关于XXXX年部分节假日安排的通知”,无法确定年份。请连同标题复制通知全文后再导入。")
NOTICE_NO_ITEMS = Code("notice-no-items", "error", "放假通知有误",
    "没有找到“一、元旦:……”这样的放假安排条目。请确认导入的是国务院办公厅部分节假日安排的通知全文。")
NOTICE_MISSING_HOLIDAY = Code("notice-missing-holiday", "error", "放假通知有误",
    "没有找到{names}的放假安排(读到的最后一项是“{last}”)。通知可能没有复制完整,请核对原文后重新导入。")
NOTICE_NUMBERING = Code("notice-numbering", "error", "放假通知有误",
    "条目编号从“{before}、”跳到了“{after}、”,中间的条目可能缺失或重复。请核对原文:“{text}”")
NOTICE_BAD_YEAR = Code("notice-bad-year", "error", "放假通知有误", "通知标题中的年份“{year}”不对。请核对通知标题。")
NOTICE_BAD_DATE = Code("notice-bad-date", "error", "放假通知有误", "“{name}”中的“{raw}”不是有效的日期。原文:“{text}”")
NOTICE_BAD_RANGE = Code("notice-bad-range", "error", "放假通知有误", "“{name}”的放假起止日期前后颠倒({first} 至 {last})。原文:“{text}”")
NOTICE_UNPLACED_DATE = Code("notice-unplaced-date", "error", "放假通知有误",
    "“{name}”中的 {days} 读不出是放假还是上班(所在句子没有“放假”“补休”“上班”等字样)。原文:“{text}”")
NOTICE_NOT_TEXT = Code("notice-not-text", "error", "放假通知有误",
    "这不是文本文件({kind})。请把通知全文(连同标题)复制到记事本,保存为 .txt 后再导入,或用“-”直接粘贴。")
CALENDAR_DUPLICATE_YEAR = Code("calendar-duplicate-year", "error", "放假通知有误",
    "{other} 也是 {year} 年的数据,两个文件只能留一个。请先删除或改名(扩展名不要用 .toml)后再导入。")
NOTICE_OTHER_YEAR_DIFFERS = Code("notice-other-year-differs", "warning", "放假通知说明",
    "“{name}”中的 {days} 属于 {other} 年,已有的 {other} 年数据与通知不同或没有该年数据;这几天不会写入 {year} 年的数据。"
    "请在 master_template/calendar/{other}.toml 中按通知改正(没有该文件时,先导入 {other} 年的通知)。")
NOTICE_UNREADABLE = Code("notice-unreadable", "error", "放假通知有误", "“{name}”一项没有读出放假日期。原文:“{text}”")
NOTICE_COUNT = Code("notice-count", "error", "放假通知有误",
    "“{name}”写的是共{stated}天,但列出的放假日期是 {found} 天({days})。原文:“{text}”")
NOTICE_WEEKDAY = Code("notice-weekday", "error", "放假通知有误", "“{name}”:{day} 是{actual},原文却写作“{stated}”。原文:“{text}”")
NOTICE_WORKDAY_WEEKDAY = Code("notice-workday-weekday", "error", "放假通知有误",
    "“{name}”:调休上班日 {day} 是{actual},调休上班日应为周六或周日。原文:“{text}”")
NOTICE_CONFLICT = Code("notice-conflict", "error", "放假通知有误", "{day} 在通知中出现了两次,无法确定当天是放假还是上班。原文:“{text}”")
NOTICE_OTHER_YEAR = Code("notice-other-year", "info", "放假通知说明",
    "“{name}”中的 {days} 属于 {other} 年,与已有的 {other} 年数据一致,不写入 {year} 年的数据。")
NOTICE_DIFFERS = Code("notice-differs", "warning", "放假通知说明",
    "导入的 {year} 年数据与 chinesecalendar 内置数据有 {count} 天不同:{days}。以导入的通知为准,请再核对一遍通知原文。")
CALENDAR_EXISTS = Code("calendar-exists", "error", "放假通知有误",
    "已有 {path}。如确需用这份通知替换,请加 --force;原文件不会被修改。")

CATALOGUE: dict[str, Code] = dict(Code.catalogue)


def problem(kind: Code, /, *, file: str = "", sheet: str = "", cell: str = "", unit: str = "", **fields) -> Problem:
    """A Problem of a catalogued type; its message is the type's template filled with the position and fields."""
    if not isinstance(kind, Code):
        raise TypeError(f"problem() takes a problem type of this module, not {kind!r}")
    message = kind.template.format(file=file, sheet=sheet, cell=cell, unit=unit, **fields)
    return Problem(kind.code, message, file=file, sheet=sheet, cell=cell, unit=unit, severity=kind.severity)


def category(code: str) -> str:
    kind = CATALOGUE.get(code)
    return kind.category if kind else code


def severity_counts(problems: list[Problem]) -> Counter:
    """Problems by severity: the one count the console, the report and the CSV all show."""
    return Counter(p.severity for p in problems)


def counted(problems: list[Problem]) -> list[Problem]:
    """The problems that cost a unit quality points."""
    return [p for p in problems if p.severity in COUNTED_SEVERITIES]


PROBLEM_COLUMNS = ["级别", "类别", "单位", "文件", "工作表", "单元格", "说明"]
CSV_COLUMNS = [*PROBLEM_COLUMNS, "代码(技术用)"]


def problem_row(p: Problem) -> list[str]:
    """One problem as leadership reads it: a row of the report's 校验问题 sheet (and of the CSV)."""
    return [SEVERITY_TEXT.get(p.severity, p.severity), category(p.code), p.unit, p.file, p.sheet, p.cell, p.message]


def problems_csv_rows(problems: list[Problem]) -> list[list[str]]:
    """The problem list for Excel: the report's columns, then the code in one technical column (header CSV_COLUMNS)."""
    return [[*problem_row(p), p.code] for p in problems]


def write_problem_csv(path, problems: list[Problem]) -> None:
    """The problem list (校验问题_月份.csv) for Excel: written by merge and again with the month's documents."""
    write_excel_csv(path, CSV_COLUMNS, problems_csv_rows(problems))


def problem_line(p: Problem) -> str:
    """One problem as a console line: [级别·类别] 文件 / 工作表 / 单元格:说明."""
    where = p.location()
    head = f"[{SEVERITY_TEXT.get(p.severity, p.severity)}·{category(p.code)}]"
    return f"{head} {where}:{p.message}" if where else f"{head} {p.message}"


def severity_summary(problems: list[Problem]) -> str:
    """错误 3 条,提醒 2 条,提示 4 条 — the one way every view counts problems."""
    counts = severity_counts(problems)
    return ",".join(f"{SEVERITY_TEXT[s]} {counts[s]} 条" for s in SEVERITY_ORDER)
