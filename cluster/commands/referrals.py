"""The referral cards' commands: starting, the form's steps, submitting, withdrawing, the admin's check, export.

The form's inputs are read here as the text a person typed; the referral rules
(:mod:`cluster.referrals` and :mod:`cluster.forms`) then check them, field by field, with the sentences a
person reads beside each field. A kind's details depend on the stored referral's kind, so they come as
:func:`~cluster.commands.inputs.answers` for the use case to check against that kind's form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from cluster.commands.inputs import Source, answers, row_id, text, whole
from cluster.commands.inputs import row_id as chosen_row

REFERRAL_GONE = "I can't find that referral, or it isn't one you can see."
CHOOSE_SETTING = "Choose the setting this referral is for."
# Long enough for anything a card lets a person type: the rules say what is too long, in their own words.
TYPED = 100_000


class NamesReferral(Protocol):
    """Any of the commands that name one referral (a step of its form, a button on it): what opening it takes."""

    @property
    def referral_id(self) -> int:
        """The referral the card names."""
        ...


@dataclass(frozen=True, kw_only=True)
class OneReferral:
    """A button that names one referral and nothing else (its costs, its review, withdraw, accept)."""

    referral_id: int = row_id(REFERRAL_GONE)


@dataclass(frozen=True, kw_only=True)
class StartReferral:
    """Start a draft from the picker: the setting, the kind, and the picker card's one-off key.

    The setting is the card's when the person refers for one, else chosen from a list on it (so the
    button may carry none). The kind and the key are checked by the use case, in its own sentences.
    """

    setting_id: int | None = row_id(required=False)
    kind: str = text(required=False, max_length=TYPED, source=Source.DATA)
    once: str = text(required=False, max_length=TYPED, source=Source.DATA)


@dataclass(frozen=True, kw_only=True)
class OpenReferral:
    """Open a referral where its editor left off, or at a step: ``details``, or ``documents`` at a page."""

    referral_id: int = row_id(REFERRAL_GONE)
    step: str = text(required=False, max_length=20, source=Source.DATA)
    page: int | None = whole("Page", required=False, minimum=1, source=Source.DATA)


@dataclass(frozen=True, kw_only=True)
class SaveDetails:
    """Save the details step: the kind's own fields, checked against the stored referral's kind."""

    referral_id: int = row_id(REFERRAL_GONE)
    version: int | None = whole("Version", required=False, minimum=0, source=Source.DATA)  # the form's, shown only
    answers: dict[str, str] = answers()


@dataclass(frozen=True, kw_only=True)
class ShowRows:
    """The costs step; with ``row_id``, that row put into the form to change or remove it."""

    referral_id: int = row_id(REFERRAL_GONE)
    row_id: int | None = row_id(required=False)


@dataclass(frozen=True, kw_only=True)
class SaveRow:
    """A provision row as typed: added at the end, or (with ``row_id``) replacing that row."""

    referral_id: int = row_id(REFERRAL_GONE)
    row_id: int | None = row_id(required=False)
    provision: str = text(required=False, max_length=TYPED)
    area_of_need: str = text(required=False, max_length=TYPED)
    delivered_by: str = text(required=False, max_length=TYPED)
    minutes_per_session: str = text(required=False, max_length=TYPED)
    sessions_per_week: str = text(required=False, max_length=TYPED)
    group_size: str = text(required=False, max_length=TYPED)
    weeks: str = text(required=False, max_length=TYPED)
    hourly_rate: str = text(required=False, max_length=TYPED)
    # Issue 21: the council's document's row chosen by searching it (its id), or why a provision it lacks is needed.
    entry: int | None = chosen_row(required=False, source=Source.INPUT)  # ``row_id`` is a field here
    custom_reason: str = text(required=False, max_length=TYPED)

    @property
    def typed(self) -> dict[str, str]:
        """The row's inputs by name, for the provision form's checks."""
        return {
            "custom_reason": self.custom_reason,
            "provision": self.provision,
            "area_of_need": self.area_of_need,
            "delivered_by": self.delivered_by,
            "minutes_per_session": self.minutes_per_session,
            "sessions_per_week": self.sessions_per_week,
            "group_size": self.group_size,
            "weeks": self.weeks,
            "hourly_rate": self.hourly_rate,
        }


@dataclass(frozen=True, kw_only=True)
class FindProvision:
    """Look the council's document up from the row form, for a Teams client without its search as you type.

    What was typed in the form so far comes back with the matches as the choice's list.
    """

    referral_id: int = row_id(REFERRAL_GONE)
    row_id: int | None = row_id(required=False)
    find: str = text(required=False, max_length=TYPED)
    answers: dict[str, str] = answers()


@dataclass(frozen=True, kw_only=True)
class SearchProvision:
    """What Teams asks as a SENCO types in the row form's provision choice: a version of the document and the text."""

    document_id: int = row_id()
    query: str = text(required=False, max_length=TYPED, source=Source.DATA)


@dataclass(frozen=True, kw_only=True)
class RemoveRow:
    """Remove a provision row (one the card names no longer there: nothing to do)."""

    referral_id: int = row_id(REFERRAL_GONE)
    row_id: int | None = row_id(required=False)


@dataclass(frozen=True, kw_only=True)
class SetContribution:
    """What the setting itself pays towards the provision, as typed in pounds (empty: nothing)."""

    referral_id: int = row_id(REFERRAL_GONE)
    contribution: str = text(required=False, max_length=TYPED)


@dataclass(frozen=True, kw_only=True)
class ShowDocuments:
    """The documents step, at a page (the first when it names none; the card cuts it to the last)."""

    referral_id: int = row_id(REFERRAL_GONE)
    page: int | None = whole("Page", required=False, minimum=1, source=Source.DATA)


@dataclass(frozen=True, kw_only=True)
class AddLink:
    """Attach a link to a file in the school's SharePoint or OneDrive; ``page`` is where a mistake returns."""

    referral_id: int = row_id(REFERRAL_GONE)
    page: int | None = whole("Page", required=False, minimum=1, source=Source.DATA)
    link_name: str = text(required=False, max_length=TYPED)
    link_url: str = text(required=False, max_length=TYPED)


@dataclass(frozen=True, kw_only=True)
class RemoveDocument:
    """Remove a supporting document, staying on the page it was on."""

    referral_id: int = row_id(REFERRAL_GONE)
    document_id: int | None = row_id(required=False)
    page: int | None = whole("Page", required=False, minimum=1, source=Source.DATA)


@dataclass(frozen=True, kw_only=True)
class SubmitReferral:
    """Submit to the cluster; ``version`` is the one the review card showed (a changed referral is refused)."""

    referral_id: int = row_id(REFERRAL_GONE)
    version: int | None = whole("Version", required=False, minimum=0, source=Source.DATA)


@dataclass(frozen=True, kw_only=True)
class WithdrawReferral:
    """Withdraw a referral: named by the card, or chosen from the list of the person's referrals.

    From the list the id is the chosen one (the button carries none), so its absence is refused by the use case.
    """

    referral_id: int | None = row_id(required=False)


@dataclass(frozen=True, kw_only=True)
class ReturnReferral:
    """Return a submitted referral as incomplete, with the reason typed in the box beside it on the list."""

    referral_id: int = row_id(REFERRAL_GONE)
    reason: str = text(required=False, max_length=TYPED, key="reason_{referral_id}")
    # A card with one referral's box names it plain "reason".
    reason_only: str = text(required=False, max_length=TYPED, key="reason")

    @property
    def typed(self) -> str:
        """The reason as typed, from the box beside this referral (else the card's only one)."""
        return self.reason or self.reason_only


@dataclass(frozen=True, kw_only=True)
class ExportReferral:
    """Offer a referral's pack: the one a card names, or the one typed (``export CEN-2526-014``, or its id)."""

    referral_id: int | None = row_id(required=False)
    reference: str = text("Reference", required=False)
