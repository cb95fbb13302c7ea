"""Reading the first sheet of an Excel workbook (.xlsx) a person hands over, within bounds.

The CSV reader's rules (``usecases.csv_files``) hold here too: whatever the file holds, reading it ends in rows or
in problems a person can act on, never a traceback. An .xlsx file is a zip of XML, so a small file can unpack
to gigabytes: the entries' unpacked sizes are added up before openpyxl opens anything, and only the first
:data:`MAX_ROWS` rows and :data:`MAX_COLUMNS` columns are read, in openpyxl's streaming (read-only) mode.
"""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook

from cluster.text import clean_text
from usecases.csv_files import MAX_BYTES, FileProblems

MAX_UNPACKED = 40 * 1024 * 1024  # a city's price list unpacks to well under a megabyte
MAX_ROWS = 10_000
MAX_COLUMNS = 30
NOT_A_WORKBOOK = "this is not an Excel workbook (.xlsx): save it as .xlsx or as CSV (UTF-8)"

Sheet = tuple[list[str], list[tuple[int, dict[str, str]]]]


def cell_text(value: object) -> str:
    """A cell as the text a person sees: 4.0 is "4", 32.5 is "32.5", a date is 2026-04-01, empty is ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # repr, not str(Decimal(value)): 32.1 is "32.1", not its binary approximation's 49 digits.
        exact = Decimal(repr(value))
        return str(int(exact)) if exact == exact.to_integral_value() else format(exact, "f")
    if isinstance(value, datetime | date):
        return value.date().isoformat() if isinstance(value, datetime) else value.isoformat()
    return clean_text(str(value)).strip()


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileProblems([NOT_A_WORKBOOK]) from None
    if unpacked > MAX_UNPACKED:
        raise FileProblems(["the workbook unpacks to more than any real price list: save the sheet as CSV"])


def read_sheet(data: bytes) -> Sheet:
    """The first sheet's headings (its first row) and the rows after it, each with its row number.

    Raises :class:`~usecases.csv_files.FileProblems` for a file that is not a workbook or is too large.
    """
    if len(data) > MAX_BYTES:
        raise FileProblems([f"the file is larger than {MAX_BYTES // 1024 // 1024} MB, more than any real one"])
    _check_zip(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file; every one means the same to the person
        raise FileProblems([NOT_A_WORKBOOK]) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileProblems(["the workbook has no sheet"])
        values = sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_COLUMNS, values_only=True)
        first = next(values, None)
        if first is None:
            raise FileProblems(["the workbook's first sheet is empty"])
        header = [cell_text(v) for v in first]
        while header and not header[-1]:  # max_col pads a short heading line with empty cells
            header.pop()
        rows: list[tuple[int, dict[str, str]]] = []
        for number, cells in enumerate(values, start=2):
            rows.append((number, {h: cell_text(v) for h, v in zip(header, cells, strict=False) if h}))
        if len(rows) >= MAX_ROWS:
            raise FileProblems([f"row {MAX_ROWS + 1:,}: the sheet goes on past {MAX_ROWS:,} rows; split it"])
        return header, rows
    finally:
        workbook.close()
