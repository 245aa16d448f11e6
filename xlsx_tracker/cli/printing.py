"""What the month commands print: the lines of outputs.sayings, echoed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ..base.model import TrackerError
from ..outputs.sayings import NOTHING_TAKEN, applied_lines, blocked_message, documents_said, merge_summary, returned_line, split_said  # noqa: F401  (printed here)

if TYPE_CHECKING:
    from ..outputs.documents import MonthDocuments


def echo_documents(documents: MonthDocuments, prefix: str = "") -> None:
    """One line per document written (the problem list is named by the merge summary), and what the office should know."""
    for line in documents_said(documents):
        click.echo(prefix + line)


def fail_on_blocked(documents: MonthDocuments, month: str, recorded: str = "") -> None:
    """Exit 1 naming every document another program kept open; what was recorded stays recorded."""
    message = blocked_message(documents, month, recorded)
    if message:
        raise TrackerError(message)
