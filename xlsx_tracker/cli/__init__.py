"""cli: the command line. It parses, calls the library and prints in Chinese; `main` is the entry point
(`xlsx_tracker.cli:main`, the same name older installs call)."""

from .entry import main

__all__ = ["main"]
