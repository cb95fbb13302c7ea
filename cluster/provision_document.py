"""The Costed Provision Document's rules: which columns a loaded file has, and what each row must say.

The council prices the provision a cluster funds in one document a year (a CSV or XLSX file): each row is a
provision for an area of need, who delivers it, its unit (hour, session, week, term or item) and its cost per
unit, with the group size when the document fixes one. These rules read rows already split into cells (the
readers are ``usecases.provision_documents``) and say, for every bad row, its line and what is wrong: a file
with any bad row loads nothing, so a half-loaded price list never prices a referral.

Financial years run from 1 April to 31 March and are written "2026-27".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from cluster.provision import NotAnAmount, parse_money
from cluster.referrals import AREAS_OF_NEED

UNITS: tuple[str, ...] = ("hour", "session", "week", "term", "item")
MAX_ROWS = 5000  # a city's document is a few hundred rows; ten times that is a mistake, not a price list
MAX_GROUP = 100  # no group the cluster funds is bigger than a year group
MAX_WORDS = 6  # more words than anyone types to find a provision; the rest are ignored
PROVISION_MAX, DELIVERED_BY_MAX, NOTES_MAX = 200, 100, 500  # the columns' lengths (store.models.provision)

# Each column, and the headings people give it (compared lower-cased, with spaces and punctuation squeezed).
COLUMNS: dict[str, tuple[str, ...]] = {
    "area_of_need": ("area of need", "area", "need"),
    "provision": ("provision", "provision name", "intervention"),
    "delivered_by": ("delivered by", "who delivers it", "who delivers", "provider"),
    "unit": ("unit", "per"),
    "unit_cost": ("unit cost", "cost", "cost per unit", "rate", "price"),
    "hourly_rate": ("hourly rate", "rate per hour", "cost per hour"),
    "group_size": ("group size", "group"),
    "notes": ("notes", "note", "comments"),
}
REQUIRED = ("area_of_need", "provision", "delivered_by")
HEADINGS = "Area of need, Provision, Delivered by, Unit, Unit cost (or Hourly rate), Group size, Notes"
"""The headings as the card and the README name them."""

_YEAR = re.compile(r"(20\d\d)\s*[-/]\s*(\d\d)")
_UNIT_WORDS = {
    **{u: u for u in UNITS},
    **{u + "s": u for u in UNITS},
    "hourly": "hour",
    "per hour": "hour",
    "per session": "session",
    "weekly": "week",
    "per week": "week",
    "per term": "term",
    "termly": "term",
    "each": "item",
    "one-off": "item",
}
_AREAS = {code.lower(): code for code, _ in AREAS_OF_NEED} | {title.lower(): code for code, title in AREAS_OF_NEED}


@dataclass(frozen=True, kw_only=True)
class DocumentRow:
    """One priced provision, as a row of the document says it (money in pence)."""

    line: int
    area_of_need: str
    provision: str
    delivered_by: str
    unit: str
    unit_cost_pence: int
    group_size: int | None
    notes: str


@dataclass(frozen=True, kw_only=True)
class DocumentEntry(DocumentRow):
    """A stored row of a loaded version: the row and its id (``ProvisionLine.entry_id`` names it).

    The one type the document's reads give (``store.provision_lookup``): the loader compares versions with it,
    and the provision map's search lists it and prices rows from it (``cluster.provision_map``).
    """

    id: int
    document_id: int


@dataclass(frozen=True)
class DocumentVersion:
    """One loaded version, as the card and the CLI list it."""

    id: int
    financial_year: str
    version: int
    source_name: str
    rows: int
    example: bool
    loaded_by: str  # a person's name, or "the command line"
    loaded_at: datetime
    current: bool  # the version new provision map rows are priced from today


@dataclass(frozen=True)
class Loaded:
    """What a load did: the version it made (or found, for the same file again) and whether it is new."""

    version: DocumentVersion
    new: bool

    @property
    def notice(self) -> str:
        """The sentence the officer reads."""
        v = self.version
        if not self.new:
            return (
                f"That file is the same as version {v.version} of {v.financial_year}, already loaded: "
                "no new version was made."
            )
        return f"Loaded version {v.version} of the {v.financial_year} document: {v.rows:,} provisions."


@dataclass(frozen=True)
class DocumentsView:
    """The officer's card: every version, the financial year today is in, and what the last file did."""

    versions: tuple[DocumentVersion, ...]
    year: str
    notice: str = ""
    problems: tuple[str, ...] = field(default_factory=tuple)


def financial_year_of(day: date) -> str:
    """The financial year a day falls in: 1 April 2026 to 31 March 2027 is "2026-27"."""
    start = day.year if day.month >= 4 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def search_words(query: str) -> list[str]:
    """The words a search looks for, each somewhere in the provision's name or who delivers it (case aside)."""
    return [w for w in re.split(r"\s+", query.strip().casefold()) if w][:MAX_WORDS]


def parse_financial_year(typed: str) -> str:
    """The year as "2026-27", typed so or as "2026/27"; ValueError, with the sentence to read, for anything else."""
    found = _YEAR.fullmatch(typed.strip())
    if found is None or (int(found[1]) + 1) % 100 != int(found[2]):
        raise ValueError(f"“{typed.strip()[:20]}” is not a financial year: write it as 2026-27.")
    return f"{found[1]}-{found[2]}"


def year_in_name(name: str) -> str | None:
    """The financial year a file's name gives ("costed-provision-2026-27.xlsx"), or None when it gives none."""
    for found in _YEAR.finditer(name):
        if (int(found[1]) + 1) % 100 == int(found[2]):
            return f"{found[1]}-{found[2]}"
    return None


def _squeezed(heading: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", heading.lower()).split())


def column_map(header: Sequence[str]) -> dict[str, str]:
    """Each column this document knows (a key of :data:`COLUMNS`) to the heading the file gives it."""
    known = {alias: key for key, aliases in COLUMNS.items() for alias in aliases}
    found: dict[str, str] = {}
    for heading in header:
        key = known.get(_squeezed(heading or ""))
        if key is not None and key not in found:
            found[key] = heading
    return found


def looks_like_document(header: Sequence[str]) -> bool:
    """Whether a file's headings are a provision document's (so a file sent in chat is one, not a referral's)."""
    found = column_map(header)
    return "provision" in found and ("unit_cost" in found or "hourly_rate" in found)


def header_problems(header: Sequence[str]) -> list[str]:
    """What the heading line lacks, naming the columns to add; empty when every needed column is there."""
    found = column_map(header)
    missing = [COLUMNS[key][0] for key in REQUIRED if key not in found]
    if "unit_cost" not in found and "hourly_rate" not in found:
        missing.append("unit cost (or hourly rate)")
    if "unit_cost" in found and "hourly_rate" in found:
        return ["line 1: give the unit cost or the hourly rate, not both"]
    if "unit_cost" in found and "unit" not in found:
        missing.append("unit")
    if not missing:
        return []
    return [f"line 1: no column for {', '.join(missing)} (the headings are: {HEADINGS})"]


def _unit(typed: str, hourly: bool) -> tuple[str | None, str]:
    """The unit a cell names, or None and why not; an hourly-rate document's rows are per hour."""
    if hourly and not typed:
        return "hour", ""
    unit = _UNIT_WORDS.get(" ".join(typed.lower().split()))
    if unit is None:
        return None, f"the unit “{typed[:30]}” is not one of {', '.join(UNITS)}"
    if hourly and unit != "hour":
        return None, f"the file gives hourly rates, so the unit must be hour, not {unit}"
    return unit, ""


def _group(typed: str) -> tuple[int | None, str]:
    if not typed:
        return None, ""
    cleaned = typed.strip().removesuffix(".0")  # a spreadsheet's 4 can arrive as 4.0
    if not cleaned.isascii() or not cleaned.isdigit() or not 1 <= int(cleaned) <= MAX_GROUP:
        return None, f"the group size “{typed[:20]}” is not a whole number from 1 to {MAX_GROUP}"
    return int(cleaned), ""


def check_row(line: int, cells: Mapping[str, str], hourly: bool) -> tuple[DocumentRow | None, list[str]]:
    """One row read against the rules: the row, or None and every reason it is refused (each naming the line)."""
    reasons: list[str] = []
    area_typed = cells.get("area_of_need", "")
    area = _AREAS.get(" ".join(area_typed.lower().split()))
    if area is None:
        codes = ", ".join(code for code, _ in AREAS_OF_NEED)
        reasons.append(
            f"the area of need “{area_typed[:40]}” is not one of {codes}" if area_typed else "no area of need"
        )
    texts = {}
    for key, what, longest in (
        ("provision", "provision", PROVISION_MAX),
        ("delivered_by", "who delivers it", DELIVERED_BY_MAX),
        ("notes", "notes", NOTES_MAX),
    ):
        value = " ".join(cells.get(key, "").split()) if key != "notes" else cells.get(key, "").strip()
        if not value and key != "notes":
            reasons.append(f"no {what}")
        elif len(value) > longest:
            reasons.append(f"the {what} is longer than {longest} characters")
        texts[key] = value
    unit, why = _unit(cells.get("unit", "").strip(), hourly)
    if why:
        reasons.append(why)
    cost_typed = cells.get("hourly_rate" if hourly else "unit_cost", "").strip()
    cost = 0
    try:
        cost = parse_money(cost_typed)
        if cost == 0:
            reasons.append("the cost is £0.00: a provision the council pays for has a price")
    except NotAnAmount as wrong:
        reasons.append("no cost" if not cost_typed else wrong.message.rstrip("."))
    group, why = _group(cells.get("group_size", ""))
    if why:
        reasons.append(why)
    if reasons or area is None or unit is None:
        return None, [f"line {line:,}: {'; '.join(reasons)}"]
    row = DocumentRow(
        line=line,
        area_of_need=area,
        provision=texts["provision"],
        delivered_by=texts["delivered_by"],
        unit=unit,
        unit_cost_pence=cost,
        group_size=group,
        notes=texts["notes"],
    )
    return row, []


def read_document(
    header: Sequence[str], lines: Iterable[tuple[int, Mapping[str, str]]]
) -> tuple[list[DocumentRow], list[str]]:
    """The document's rows and every problem, each naming its line; blank lines are skipped.

    ``lines`` are (line number, {heading: cell}) as the file gives them. The same provision from the same
    deliverer for the same unit twice is refused on its second line, so a search never offers two prices.
    """
    problems = header_problems(header)
    if problems:
        return [], problems
    columns = column_map(header)
    hourly = "hourly_rate" in columns
    rows: list[DocumentRow] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for line, raw in lines:
        cells = {key: str(raw.get(heading) or "").strip() for key, heading in columns.items()}
        if not any(cells.values()):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(f"line {line:,}: the document goes on past {MAX_ROWS:,} rows; split it or check it")
            break
        row, reasons = check_row(line, cells, hourly)
        problems.extend(reasons)
        if row is None:
            continue
        same = (row.area_of_need, row.provision.lower(), row.delivered_by.lower(), row.unit)
        if same in seen:
            problems.append(f"line {line:,}: the same provision, deliverer and unit as line {seen[same]:,}")
            continue
        seen[same] = line
        rows.append(row)
    if not rows and not problems:
        problems.append("the file has headings but no provisions")
    return rows, problems
