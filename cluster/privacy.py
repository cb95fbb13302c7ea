"""Who a referral is about: the rules that find one pupil's records (subject access, erasure, retention).

A pupil is known to the bot only by the setting that referred them and the school's own pupil reference
(``pupil_ref``, from the school's MIS); names and dates of birth are never asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def pupil_key(pupil_ref: str) -> str:
    """A pupil reference as compared: case and surrounding spaces do not matter (``ab-12`` is ``AB-12``)."""
    return pupil_ref.strip().upper()


def is_about(details: Mapping[str, Any], pupil_ref: str) -> bool:
    """True when a referral's answers name this pupil reference (within one setting: references are the school's)."""
    held = details.get("pupil_ref")
    return isinstance(held, str) and bool(held.strip()) and pupil_key(held) == pupil_key(pupil_ref)
