"""A provision map priced from the council's Costed Provision Document (issue 21): the rules, without a database.

The SENCO finds a provision in the document by typing part of its name; its rate, unit, who delivers it and
(where the document fixes it) its group size come from the document's row, and the SENCO gives only the
amount: minutes a session and sessions a week for provision priced by the hour, sessions a week for provision
priced by the session, and how many weeks, terms or items. A provision the document lacks is typed in full,
with the reason it is needed; it is marked as such wherever the map is shown.

A referral keeps the version of the document its first document row was priced with, and every row copies its
rate when it is priced, so loading a later version never changes an existing referral's money.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from cluster.agenda import CustomRow
from cluster.errors import InvalidInput
from cluster.forms import Field, FieldType, check_form
from cluster.provision import HOUR, ITEM, SESSION, TERM, WEEK, ProvisionRow, format_pence
from cluster.provision_document import DocumentEntry
from cluster.referrals.forms import PROVISION_FIELDS, provision_row

# The inputs of the row form, by name.
ENTRY = "entry"  # the document's row, as chosen from the search (its id)
FIND = "find"  # what a client without Teams' search typed to look the document up
REASON = "custom_reason"

SEARCH_DATASET = "provision"  # the search the row form's choice asks Teams for (bot.actions.referrals)
MAX_CHOICES = 15  # Teams shows at most 15 choices from a search

UNIT_NAMES: dict[str, tuple[str, str]] = {  # a unit, and its plural
    HOUR: ("hour", "hours"),
    SESSION: ("session", "sessions"),
    WEEK: ("week", "weeks"),
    TERM: ("term", "terms"),
    ITEM: ("item", "items"),
}

_BY_NAME = {f.name: f for f in PROVISION_FIELDS}
REASON_FIELD = Field(
    REASON,
    "Why a provision not in the council's document is needed",
    FieldType.MULTILINE,
    max_length=500,
    hint="Shown to the cluster's admin, on the agenda and in the minutes: do not name the pupil.",
)
# A provision typed by hand: everything the document would have given, and why it is needed.
CUSTOM_FIELDS: tuple[Field, ...] = (*PROVISION_FIELDS, REASON_FIELD)
COUNT_FIELD = replace(_BY_NAME["weeks"], label="Weeks, terms or items", hint="How many of the document's unit")

NOT_IN_DOCUMENT = "Not in the council's document"
CHOOSE = "Choose a provision from the council's document, or fill in one that is not in it and say why."
BOTH = "Choose a provision from the document or describe one that is not in it, not both."
WRONG_VERSION = (
    "This referral was priced with version {version} of the council's document, so its rows come from that "
    "version. Search again and choose the provision from the list."
)
GONE = "That provision is not in the council's document this referral is priced with. Search again and choose it."


def choice_title(entry: DocumentEntry) -> str:
    """How the search lists a document's row: the provision, who delivers it, and its price per unit and group."""
    group = f", group of {entry.group_size}" if entry.group_size else ""
    price = f"{format_pence(entry.unit_cost_pence)} a {UNIT_NAMES[entry.unit][0]}"
    return f"{entry.provision} · {entry.delivered_by} · {price}{group}"


def amount_fields(unit: str, fixed_group: bool) -> tuple[Field, ...]:
    """What the SENCO gives for a provision priced by ``unit``: the group size only where the document leaves it."""
    names = {HOUR: ("minutes_per_session", "sessions_per_week"), SESSION: ("sessions_per_week",)}.get(unit, ())
    fields = [_BY_NAME[n] for n in names]
    fields.append(_BY_NAME["weeks"] if unit in (HOUR, SESSION, WEEK) else COUNT_FIELD)
    if not fixed_group:
        fields.append(_BY_NAME["group_size"])
    return tuple(fields)


def priced_row(entry: DocumentEntry, typed: Mapping[str, str]) -> ProvisionRow:
    """A row priced from the document's entry with the amounts typed; a mistake raises :class:`InvalidInput`."""
    checked = check_form(amount_fields(entry.unit, entry.group_size is not None), typed)
    if checked.errors:
        raise InvalidInput(checked.errors, dict(typed))
    values = checked.values
    return ProvisionRow(
        provision=entry.provision,
        area_of_need=entry.area_of_need,
        delivered_by=entry.delivered_by,
        minutes_per_session=values.get("minutes_per_session", 0),
        sessions_per_week=values.get("sessions_per_week", 0),
        group_size=entry.group_size or values["group_size"],
        weeks=values["weeks"],
        hourly_rate_pence=entry.unit_cost_pence,
        unit=entry.unit,
        entry_id=entry.id,
    )


def custom_row(typed: Mapping[str, str]) -> ProvisionRow:
    """A provision the document lacks, typed in full by the hour with the reason it is needed."""
    checked = check_form(CUSTOM_FIELDS, typed)
    if checked.errors:
        raise InvalidInput(checked.errors, dict(typed))
    return replace(provision_row(checked.values), custom_reason=checked.values[REASON])


def is_custom(typed: Mapping[str, str]) -> bool:
    """Whether the SENCO described a provision by hand (anything typed that the document would have given)."""
    return any(str(typed.get(f.name, "")).strip() for f in CUSTOM_FIELDS if f.name not in _AMOUNTS)


_AMOUNTS = frozenset({"minutes_per_session", "sessions_per_week", "group_size", "weeks"})


def choose_or_describe(entry_chosen: bool, typed: Mapping[str, str]) -> None:
    """Refuse a row that neither names a document row nor describes one by hand, or does both."""
    custom = is_custom(typed)
    if entry_chosen and custom:
        raise InvalidInput({ENTRY: BOTH}, dict(typed))
    if not entry_chosen and not custom:
        raise InvalidInput({ENTRY: CHOOSE}, dict(typed))


def custom_or_costed(
    minutes: int,
    sessions: int,
    group: int,
    weeks: int,
    rate: int,
    unit: str = HOUR,
    entry_id: int | None = None,
    provision: str = "",
    reason: str = "",
) -> ProvisionRow:
    """A row as an agenda needs it: the numbers that price it, and its name and reason only when typed by hand.

    An agenda is posted in the cluster's channel: it names no document provision a pupil receives, only the
    ones the meeting is asked to weigh because the document lacks them.
    """
    custom = entry_id is None and bool(reason)
    shown, why = (provision, reason) if custom else ("", "")
    return ProvisionRow(shown, "", "", minutes, sessions, group, weeks, rate, unit, entry_id, why)


def custom_rows(rows: Iterable[ProvisionRow]) -> tuple[CustomRow, ...]:
    """The rows not priced from the document that say why they are needed, as the agenda and minutes mark them."""
    return tuple(CustomRow(r.provision, r.custom_reason) for r in rows if not r.from_document and r.custom_reason)


def amount_line(row: ProvisionRow) -> str:
    """A row not priced by the hour, in words by its unit: "3 terms, 1:1 at £400.00/term"."""
    group = "1:1" if row.group_size == 1 else f"group of {row.group_size}"
    one, many = UNIT_NAMES.get(row.unit, UNIT_NAMES[HOUR])
    if row.unit == SESSION:
        amount = f"{row.sessions_per_week}/week × {row.weeks} {'week' if row.weeks == 1 else 'weeks'}"
    else:
        amount = f"{row.weeks} {one if row.weeks == 1 else many}"
    return f"{amount}, {group} at {format_pence(row.hourly_rate_pence)}/{one}"


@dataclass(frozen=True)
class ProvisionSource:
    """What a row form offers of the council's document: the version it searches and any choices to list.

    ``document_id`` is None when no document is loaded for the year: rows are then typed by hand. ``choices``
    are (title, value) pairs: the matches a client without Teams' search asked for, and the row's own entry.
    """

    document_id: int | None
    label: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    find: str = ""

    @property
    def dataset(self) -> str:
        """The search the row form's choice asks Teams for: this version of the document."""
        return f"{SEARCH_DATASET}:{self.document_id}"


def custom_line(rows: Iterable[CustomRow]) -> str:
    """The agenda's and minutes' mark of provisions the document lacks: "Equine therapy (why: ...)", each in turn."""
    return "; ".join(f"{row.provision} (why: {row.reason})" for row in rows)
