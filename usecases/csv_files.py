"""Reading a CSV file a person hands over (a roster, a finance system's payments), within bounds.

Whatever the file holds, the import ends in a refusal a person can act on, never a traceback: a file
larger than any real one, one that is not text, or a value longer than the csv module reads is refused
with the line it goes wrong on. And however many lines are wrong, a refusal lists at most :data:`SHOWN`
problems, each cut to :data:`PROBLEM_CHARS` characters (a problem may quote what was typed), then how
many more there are, so what is printed stays a screenful.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

# A payments file or roster for the whole city is a few hundred kilobytes; ten times that is still real.
MAX_BYTES = 2 * 1024 * 1024
SHOWN = 20  # problems listed before "and N more"
PROBLEM_CHARS = 200  # one problem's length, quoted text included


class FileProblems(ValueError):
    """A file that cannot be imported; ``problems`` lists what is wrong, bounded (see :func:`bounded`)."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = bounded(problems)
        super().__init__("\n".join(self.problems))


def bounded(problems: Sequence[str]) -> list[str]:
    """At most :data:`SHOWN` problems, each at most :data:`PROBLEM_CHARS` long, then "and N more problems"."""
    shown = [_clip(p) for p in problems[:SHOWN]]
    rest = len(problems) - SHOWN
    if rest > 0:
        shown.append(f"and {rest:,} more problem{'s' if rest > 1 else ''} (fix these first)")
    return shown


def _clip(problem: str) -> str:
    return problem if len(problem) <= PROBLEM_CHARS else problem[: PROBLEM_CHARS - 1] + "…"


def _line_at(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> str:
    """The file's text (UTF-8, with or without a byte-order mark); raises FileProblems naming the line.

    Only ``max_bytes`` (and one more) are read, so a huge file costs no more than a real one.
    """
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise FileProblems([f"cannot read {path.name}: {exc.strerror or 'it cannot be opened'}"]) from None
    return decode_text(data, max_bytes)


def decode_text(data: bytes, max_bytes: int = MAX_BYTES) -> str:
    """A file's bytes as text (UTF-8, with or without a byte-order mark), under the rules of :func:`read_text`."""
    if len(data) > max_bytes:
        raise FileProblems(
            [
                f"line {_line_at(data, max_bytes):,}: the file goes on past {max_bytes // 1024 // 1024} MB, "
                "more than any real one: split it into smaller files"
            ]
        )
    nul = data.find(b"\x00")
    if nul >= 0:
        raise FileProblems([f"line {_line_at(data, nul):,}: this is not a text file: save it as CSV (UTF-8)"])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileProblems(
            [f"line {_line_at(data, exc.start):,}: this is not UTF-8 text: save the file as CSV (UTF-8)"]
        ) from None


def rows(reader: csv.DictReader[str], problems: list[str]) -> Iterator[tuple[int, dict[Any, Any]]]:
    """The reader's rows with the line each ends on; a line the csv module cannot read ends the file.

    Its problem (a value longer than the csv module's limit, a stray quote) is added to ``problems``
    with its line; the lines before it are still given, so their own problems are reported too.
    """
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            limit = csv.field_size_limit()
            reason = (
                f"a value is longer than {limit:,} characters"
                if "field larger" in str(exc)
                else "the line cannot be read as CSV (check its quotes)"
            )
            # DictReader's own line_num is updated only after a row is read: the underlying reader's is current.
            problems.append(f"line {reader.reader.line_num:,}: {reason}; nothing after it was read")
            return
        yield reader.line_num, row
