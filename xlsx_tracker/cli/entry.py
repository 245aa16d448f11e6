"""The xlsx-tracker command line: parse arguments, call the library, print in Chinese.

The entry point. The commands are defined by stage in the modules imported here; importing them registers
them on the one group, `main`.
"""

from __future__ import annotations

from . import calendar_commands, mail_commands, month_commands, serve_command, setup_commands  # noqa: F401  (registers the commands)
from .app import main

__all__ = ["main"]
