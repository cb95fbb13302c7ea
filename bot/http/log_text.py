r"""Log lines safe with anything typed: one record is one line, with no control characters or bidi overrides.

A log line may quote text that came from outside (an exception's message, a malformed answer from a client,
a row stored long ago). A line break in it would forge a second log line in plain-text logs, a control
character can garble a terminal, and a U+202E reverses what an operator reads. Every record's message is
therefore cleaned as it is made (``cluster.text.clean_text``), with its line breaks shown as ``\n``; a
stack trace (``exc_info``) is formatted by the handler as usual.
"""

from __future__ import annotations

import logging
from typing import Any

from cluster.text import clean_text


def one_line(message: str) -> str:
    r"""``message`` cleaned, its line breaks written as ``\n`` so that it stays one line."""
    return clean_text(message).replace("\n", "\\n")


def clean_record(record: logging.LogRecord) -> logging.LogRecord:
    """``record`` with its message formatted now and made :func:`one_line`.

    A record whose arguments do not fit its format is left for the handler to report, as logging does.
    """
    try:
        message = record.getMessage()
    except Exception:  # logging reports a bad format when it emits; never fail the caller's log call
        return record
    cleaned = one_line(message)
    if cleaned != message or record.args:
        record.msg, record.args = cleaned, ()
    return record


def install() -> None:
    """Clean every log record this process makes from now on (idempotent)."""
    current = logging.getLogRecordFactory()
    if getattr(current, "cleans_text", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return clean_record(current(*args, **kwargs))

    factory.cleans_text = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
