"""What worked: the rules of searching a cluster's record of funded provisions, their outcomes and peers' advice.

The record is read in groups, never one referral at a time: a provision's group is every funded row of the
same provision (its name, in any case or spacing) for the same area of need, with the ratings its referrals'
reviews gave; a search's advice is every solution-focused discussion it matched. A group that rests on fewer
than :data:`MIN_REFERRALS` referrals is not shown, so no result can be traced back to one pupil or school.

The advice shown is the chair's words with what could name someone taken out when it is indexed
(:func:`redact`): referral references, e-mail addresses, titled names (Mrs Smith), the pupil's initials and
every name the cluster holds (its settings and people).

Search terms are plain words (:func:`search_terms`): letters and digits only, so what a person types can
never be read as the database's query syntax, whichever database runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from cluster.referrals.forms import AREAS_OF_NEED, NEED_CODES

MIN_REFERRALS = 5  # a group resting on fewer is not shown: small numbers identify children
MAX_TERMS = 8  # words of a search that count; a longer question is cut, not refused
MAX_GROUPS = 10  # provision groups a card shows, best first
MAX_ADVICE = 3  # pieces of advice a card shows, best first
HIDDEN = "[removed]"


class Kind(StrEnum):
    """What one indexed row is."""

    PROVISION = "provision"  # a funded provision map row and the ratings its referral's review gave
    ADVICE = "advice"  # a solution-focused discussion's advice


class Scope(StrEnum):
    """Whose record a search reads."""

    CLUSTER = "cluster"  # the searcher's own cluster (or clusters)
    CITY = "city"  # every cluster the council has agreed may share its record


YEAR_BANDS: tuple[tuple[str, str], ...] = (
    ("EY", "Early years (nursery and reception)"),
    ("KS1", "Key stage 1 (years 1 and 2)"),
    ("KS2", "Key stage 2 (years 3 to 6)"),
    ("KS3", "Key stage 3 (years 7 to 9)"),
    ("KS4", "Key stage 4 (years 10 and 11)"),
    ("P16", "Post-16 (years 12 to 14)"),
)
_BAND_OF_YEAR = {
    "N": "EY",
    "R": "EY",
    **{f"Y{n}": "KS1" for n in (1, 2)},
    **{f"Y{n}": "KS2" for n in range(3, 7)},
    **{f"Y{n}": "KS3" for n in range(7, 10)},
    **{f"Y{n}": "KS4" for n in (10, 11)},
    **{f"Y{n}": "P16" for n in range(12, 15)},
}

# Cost bands of one funded provision row, in pence: (upper bound, exclusive, or None; label).
COST_BANDS: tuple[tuple[int | None, str], ...] = (
    (500_00, "Under £500"),
    (2_000_00, "£500 to £2,000"),
    (5_000_00, "£2,000 to £5,000"),
    (None, "£5,000 or more"),
)

_STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "how", "in", "is", "it", "of", "on",
        "or", "our", "the", "to", "was", "we", "what", "when", "with",
    }
)  # fmt: skip
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_REFERENCE = re.compile(r"\b[A-Z]{2,5}-\d{4}-\d{3,4}\b")
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*)?")


def year_band(year_group: object) -> str:
    """The band of a year group code (``Y4`` is ``KS2``); "" for none or one we do not know."""
    return _BAND_OF_YEAR.get(str(year_group or ""), "")


def cost_band(pence: float) -> str:
    """The band a provision's cost falls in, as people read it."""
    for upper, label in COST_BANDS:
        if upper is None or pence < upper:
            return label
    raise AssertionError("the last band has no upper bound")


def provision_key(provision: str) -> str:
    """What groups rows of the same provision: its words, lower-cased, single-spaced."""
    return " ".join(_WORD.findall(provision.lower()))[:200]


def search_terms(typed: str) -> tuple[str, ...]:
    """The words of a search, lower-cased, without common words or repeats; at most :data:`MAX_TERMS`."""
    terms: list[str] = []
    for word in _WORD.findall(typed.lower()):
        if word not in _STOP_WORDS and word not in terms:
            terms.append(word)
    return tuple(terms[:MAX_TERMS])


def scope_words(cluster_id: int) -> str:
    """A row's cluster as a word (``c12``), for the SQLite index to find a cluster's rows by."""
    return f"c{cluster_id}"


def sqlite_match(terms: Iterable[str], *, any_of: bool = False, clusters: Iterable[int] | None = None) -> str:
    """An FTS5 MATCH expression: each term as a word of the body (stemmed), all of them (or ``any_of`` them).

    With ``clusters``, only those clusters' rows (their ``scope`` word) match, so the index reads one
    cluster's rows rather than a common word's across the whole city (the kind is left to the join: a word
    every row holds would make ``bm25`` read the whole index). Whole words, not prefixes: a prefix makes the
    index read every word it starts, ten times slower at 100x.
    """
    expression = []
    if clusters is not None:
        expression.append("scope : (" + " OR ".join(f"c{c}" for c in sorted(clusters)) + ")")
    joiner = " OR " if any_of else " "
    expression.append("body : (" + joiner.join(f'"{t}"' for t in terms) + ")")
    return " AND ".join(expression)


def postgres_query(terms: Iterable[str], *, any_of: bool = False) -> str:
    """A ``to_tsquery`` text: each term as a word (stemmed), all of them (or ``any_of`` them)."""
    joiner = " | " if any_of else " & "
    return joiner.join(terms)


def label_of(code: str, choices: tuple[tuple[str, str], ...]) -> str:
    """The label a choice list gives a code ("" for none)."""
    return dict(choices).get(code, "")


def searchable(*parts: str) -> str:
    """The text a row is found by: its parts, one line each, empty ones left out."""
    return "\n".join(p for p in parts if p)


def redact(text: str, names: Iterable[str] = (), initials: str = "", references: Iterable[str] = ()) -> str:
    """``text`` with what could name someone replaced by ``[removed]``.

    Referral references (given, and anything shaped like one), e-mail addresses, a title followed by a name
    (Mrs Smith), the pupil's initials as a word of their own, and each of ``names`` (settings, people; their
    first names too), in any case, as whole words. Longer names go first, so "Etruscan Primary School" goes
    whole rather than leaving "Primary School".
    """
    result = _REFERENCE.sub(HIDDEN, text)
    result = _EMAIL.sub(HIDDEN, result)
    result = _TITLED.sub(HIDDEN, result)
    words: set[str] = {r for r in references if r}
    for name in names:
        name = name.strip()
        if not name:
            continue
        words.add(name)
        first = name.split()[0]
        if len(first) > 2 and first.lower() not in _STOP_WORDS:
            words.add(first)
    for word in sorted(words, key=len, reverse=True):
        result = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", HIDDEN, result, flags=re.IGNORECASE)
    if initials:  # as typed, in capitals: "JS" is initials, "js" inside a word is not
        result = re.sub(rf"(?<!\w){re.escape(initials)}(?!\w)", HIDDEN, result)
    return result


@dataclass(frozen=True)
class Outcomes:
    """How the reviews of a group's referrals rated the outcomes they set."""

    achieved: int
    partly: int
    not_achieved: int

    @property
    def total(self) -> int:
        """Every rating counted."""
        return self.achieved + self.partly + self.not_achieved

    @property
    def counts(self) -> str:
        """The counts as a line: "12 achieved, 5 partly, 3 not"."""
        return f"{self.achieved} achieved, {self.partly} partly, {self.not_achieved} not"

    @property
    def in_words(self) -> str:
        """What the ratings mostly say, for someone deciding whether to try the provision."""
        if self.total == 0:
            return "No outcomes rated yet"
        if 3 * self.achieved >= 2 * self.total:
            return "Mostly achieved"
        if 3 * (self.achieved + self.partly) >= 2 * self.total:
            return "Achieved or partly achieved, mostly"
        return "Mostly not achieved"


@dataclass(frozen=True)
class ProvisionResult:
    """One provision's group: what it is, what it costs, how it went, and how many referrals it rests on."""

    provision: str
    area_of_need: str
    referrals: int
    average_cost_pence: int
    outcomes: Outcomes

    @property
    def cost_band(self) -> str:
        """The band of the group's average row cost."""
        return cost_band(self.average_cost_pence)

    @property
    def area_label(self) -> str:
        """The area of need in words."""
        return label_of(self.area_of_need, AREAS_OF_NEED) or self.area_of_need


@dataclass(frozen=True)
class Query:
    """What a search asks: structured filters (codes, or "" for any) and words."""

    area_of_need: str = ""
    need_code: str = ""
    year_band: str = ""
    provision: str = ""
    text: str = ""
    scope: Scope = Scope.CLUSTER

    @property
    def terms(self) -> tuple[str, ...]:
        """The words to find, from the provision and the free text together."""
        return search_terms(f"{self.provision} {self.text}")

    @property
    def advice_terms(self) -> tuple[str, ...]:
        """What finds advice: the words, else the area's or need's name (discussions record neither code)."""
        if self.terms:
            return self.terms
        need = label_of(self.need_code, NEED_CODES).split(" - ", 1)[-1]  # "ASD - Autistic ..." without its code
        return search_terms(f"{label_of(self.area_of_need, AREAS_OF_NEED)} {need}")

    @property
    def is_empty(self) -> bool:
        """Whether nothing at all was asked (the card then shows the form and the most common groups)."""
        return not (self.area_of_need or self.need_code or self.year_band or self.terms)


@dataclass(frozen=True)
class Advice:
    """The advice a search found: the best few, and how many discussions matched (never fewer than five)."""

    texts: tuple[str, ...]
    discussions: int


@dataclass(frozen=True)
class Found:
    """A search's answer: the query, whose record it read, the provision groups, and the advice."""

    query: Query
    scope_label: str  # "the Central cluster", "every cluster sharing its record (4)"
    groups: tuple[ProvisionResult, ...]
    advice: Advice | None
    note: str = ""  # why the scope asked for was not the one searched, say
    can_search_city: bool = False


@dataclass(frozen=True)
class Sharing:
    """One cluster and whether the council consents to its record being searched citywide."""

    cluster_id: int
    name: str
    shares: bool
