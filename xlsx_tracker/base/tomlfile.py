"""Reading the office's TOML files (settings, next year's calendar) as Notepad on Chinese Windows saves them."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .model import Problem
from .problems import problem

ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 with or without BOM, then ANSI as Chinese Windows writes it
_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_REASONS = {  # tomllib's words for the mistakes people make by hand
    "Invalid value": "值的写法不对(文字要加英文双引号,日期写作 2027-01-01)",
    "Invalid statement": "这一行的写法不对",
    "Expected '=' after a key in a key/value pair": "名称后面缺少“=”",
    "Cannot overwrite a value": "同一项写了两次",
    "Unclosed array": "方括号 [ ] 没有配对",
    "Unclosed inline table": "花括号 { } 没有配对",
    "Unterminated string": "引号没有配对",
    "Illegal character": "含有不允许的字符",
    "Invalid initial character for a key part": "名称的第一个字符不对(含中文的名称要加英文双引号)",
    "Expected newline or end of document after a statement": "一行只能写一项",
    "Invalid date or datetime": "日期无效",
}


def decode(data: bytes) -> str | None:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Notepad's "Unicode": UTF-16 with its byte-order mark
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_toml(path: Path, code: str) -> tuple[dict, list[Problem]]:
    """(data, problems); every problem names the file and, for a syntax error, the line, in Chinese."""
    where = str(path)
    text = decode(Path(path).read_bytes())
    if text is None:
        return {}, [problem(code, file=where, detail="文件编码无法识别。请用记事本打开,“另存为”时编码选 UTF-8。")]
    try:
        return tomllib.loads(text), []
    except tomllib.TOMLDecodeError as exc:
        return {}, [problem(code, file=where, cell=_line(exc), detail=f"格式错误:{_reason(exc)}。请对照 README 中的示例改正。")]


def _line(exc: tomllib.TOMLDecodeError) -> str:
    found = _POSITION.search(str(exc))
    return f"第{found.group(1)}行第{found.group(2)}列" if found else ""


def _reason(exc: tomllib.TOMLDecodeError) -> str:
    text = _POSITION.sub("", str(exc)).strip()
    return _REASONS.get(text, f"无法解析({text})")
