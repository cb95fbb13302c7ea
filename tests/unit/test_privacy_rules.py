"""Finding one pupil's records by the school's pupil reference."""

from cluster.privacy import is_about, pupil_key


def test_a_pupil_reference_is_compared_without_case_or_spaces() -> None:
    assert pupil_key("  ab-12 ") == "AB-12"
    assert is_about({"pupil_ref": "ab-12"}, " AB-12")


def test_a_referral_without_a_pupil_reference_is_about_no_pupil() -> None:
    assert not is_about({"title": "Nurture room"}, "AB-12")
    assert not is_about({"pupil_ref": ""}, "")


def test_another_pupils_reference_does_not_match() -> None:
    assert not is_about({"pupil_ref": "AB-12"}, "AB-13")
