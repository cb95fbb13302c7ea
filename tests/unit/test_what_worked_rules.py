"""The rules of what worked: bands, search words, redaction and how outcomes read."""

from __future__ import annotations

from cluster.what_worked import (
    HIDDEN,
    Outcomes,
    Query,
    cost_band,
    postgres_query,
    provision_key,
    redact,
    search_terms,
    sqlite_match,
    year_band,
)


def test_year_groups_fall_in_their_key_stage_band() -> None:
    assert [year_band(y) for y in ("N", "R", "Y2", "Y3", "Y6", "Y7", "Y11", "Y12", "")] == [
        "EY", "EY", "KS1", "KS2", "KS2", "KS3", "KS4", "P16", "",
    ]  # fmt: skip


def test_a_cost_falls_in_the_band_below_its_upper_bound() -> None:
    assert cost_band(499_99) == "Under £500"
    assert cost_band(500_00) == "£500 to £2,000"
    assert cost_band(4_999_99) == "£2,000 to £5,000"
    assert cost_band(1_000_000_00) == "£5,000 or more"


def test_the_same_provision_typed_differently_groups_together() -> None:
    assert provision_key("Speech  and Language group") == provision_key("speech and language, group")


def test_search_words_drop_common_words_repeats_and_anything_but_letters_and_digits() -> None:
    assert search_terms('The "speech" AND language* OR (speech) NEAR/2') == ("speech", "language", "near", "2")


def test_search_words_can_never_be_read_as_query_syntax() -> None:
    terms = search_terms('x" OR 1=1 -- ; DROP TABLE what_worked; *:')
    assert all(t.isalnum() for t in terms)
    assert sqlite_match(("speech", "group")) == 'body : ("speech" "group")'
    assert sqlite_match(("speech", "lego"), any_of=True, clusters={3, 1}) == (
        'scope : (c1 OR c3) AND body : ("speech" OR "lego")'
    )
    assert postgres_query(("speech", "group")) == "speech & group"
    assert postgres_query(("speech", "group"), any_of=True) == "speech | group"


def test_a_long_search_keeps_only_its_first_eight_words() -> None:
    assert len(search_terms(" ".join(f"word{n}" for n in range(20)))) == 8


def test_redaction_removes_references_emails_titled_names_initials_and_the_clusters_names() -> None:
    said = (
        "Mrs Jones at Etruscan Primary School tried a calm corner for JS (CEN-2526-014); ask "
        "cara@etruscan.example or Cara Etruscan. Jsonic words stay."
    )
    shown = redact(said, names=["Etruscan Primary School", "Cara Etruscan"], initials="JS")
    for gone in ("Jones", "Etruscan", "JS ", "CEN-2526-014", "cara@", "Cara"):
        assert gone not in shown, gone
    assert "calm corner" in shown and "Jsonic words stay" in shown and HIDDEN in shown


def test_outcomes_read_as_mostly_achieved_only_when_two_thirds_were_achieved() -> None:
    assert Outcomes(8, 2, 2).in_words == "Mostly achieved"
    assert Outcomes(4, 5, 3).in_words == "Achieved or partly achieved, mostly"
    assert Outcomes(1, 1, 8).in_words == "Mostly not achieved"
    assert Outcomes(0, 0, 0).in_words == "No outcomes rated yet"
    assert Outcomes(12, 5, 3).counts == "12 achieved, 5 partly, 3 not"


def test_advice_is_found_by_the_areas_name_when_no_words_were_typed() -> None:
    assert Query(area_of_need="SEMH").advice_terms == ("social", "emotional", "mental", "health")
    assert Query(area_of_need="SEMH", text="anxiety").advice_terms == ("anxiety",)
    assert Query(need_code="ASD").advice_terms == ("autistic", "spectrum", "disorder")
    assert Query().is_empty and not Query(year_band="KS2").is_empty
