"""click's own words in Chinese: usage lines, option headings, and its error messages.

click marks every text it prints with gettext; its modules bind `_` and `ngettext` at import. We replace
those bindings with a lookup in the table below, so that a clerk never meets "Usage:" or "Missing option".
Unknown texts pass through unchanged (a newer click may add some; a test lists every text we translate).
"""

from __future__ import annotations

import importlib
import re
import unicodedata

CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "termui", "types", "utils", "shell_completion")

TEXTS = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s,版本 %(version)s",
    "Error: {message}": "错误:{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效:{message}",
    "Invalid value: {message}": "值无效:{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少必填选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数:{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少命令。",
    "No such command {name!r}.": "没有“{name}”这个命令。",
    "No such option {name!r}.": "没有“{name}”这个选项。",
    "Did you mean {possibility}?": "您是不是要用 {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(您是不是要用其中之一:{possibilities}?)",
    "Option {name!r} does not take a value.": "选项“{name}”不需要填写值。",
    "Option {name!r} requires an argument.": "选项“{name}”需要填写一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项“{name}”需要填写 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多出了参数({args})",
    "Got unexpected extra arguments ({args})": "多出了参数({args})",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”需要 {nargs} 个值。",
    "{value!r} is not {choice}.": "“{value}”无效,只能是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”无效,只能是其中之一:{choices}。",
    "Choose from:\n\t{choices}": "请从以下选项中选择:\n\t{choices}",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "{value} is not in the range {range}.": "{value} 不在允许的范围 {range} 内。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合格式 {formats} 中的任何一种。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是一个文件,这里需要文件夹。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是一个文件夹,这里需要文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取(没有权限)。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入(没有权限)。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”无法执行。",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”:{message}",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "default: {default}": "默认:{default}",
    "env var: {var}": "环境变量:{var}",
    "Aborted!": "已取消。",
    "Do you want to continue?": "是否继续?",
    "Confirm the action without prompting.": "不经询问直接执行。",
    "Repeat for confirmation": "请再输入一次以确认",
    "Error: The two entered values do not match.": "错误:两次输入不一致。",
    "Error: invalid input": "错误:输入无效",
    "required": "必填",
}
TYPE_NAMES = {"IntParamType": "整数", "IntRange": "整数", "FloatParamType": "数字", "FloatRange": "数字", "StringParamType": "文字"}


def translate(message: str) -> str:
    return TEXTS.get(message, message)


def ntranslate(singular: str, plural: str, count: int) -> str:
    return translate(singular if count == 1 else plural)


def install(group=None) -> None:
    """Bind click's gettext names to the Chinese table (idempotent); with group, also name its path parameters in Chinese.

    click.Path takes its name ("file", "directory") from gettext when a command is declared, before this runs.
    """
    if group is not None:
        _name_paths(group)
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = translate
        if hasattr(module, "ngettext"):
            module.ngettext = ntranslate
    types = importlib.import_module("click.types")
    for class_name, chinese in TYPE_NAMES.items():  # "“abc”不是有效的整数", not "... integer"
        getattr(types, class_name).name = chinese
    exceptions = importlib.import_module("click.exceptions")
    if not getattr(exceptions.MissingParameter.format_message, "chinese", False):
        exceptions.MissingParameter.format_message = _chinese_stop(exceptions.MissingParameter.format_message)
    formatting = importlib.import_module("click.formatting")
    formatting.term_len = display_len  # help columns line up when option names carry Chinese metavars


def _name_paths(command) -> None:
    import click

    for param in command.params:
        if isinstance(param.type, click.Path):
            param.type.name = translate(param.type.name)
    for sub in getattr(command, "commands", {}).values():
        _name_paths(sub)


def display_len(text: str) -> int:
    """Width on a terminal: a Chinese character takes two columns."""
    plain = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in plain)


def _chinese_stop(format_message):
    """click ends "Missing option '--year'." with an English full stop of its own; end it the Chinese way."""
    def formatted(self) -> str:
        text = format_message(self)
        return text[:-1] + "。" if text.endswith(".") else text
    formatted.chinese = True
    return formatted
