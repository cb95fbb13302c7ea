"""A referrer's steps played through the use cases directly, as set-ups play what happened before a test."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from cluster.commands.referrals import OneReferral, SubmitReferral
from usecases import referrals as uc
from usecases.people import Actor
from usecases.referrals import ReferralChanged


def submit_shown(engine: Engine, person: Actor, referral_id: int, now: datetime) -> ReferralChanged:
    """Submit the referral at the version its review card would show now (open it, then press Submit)."""
    shown = uc.open_for_edit(engine, person, OneReferral(referral_id=referral_id), now).version
    return uc.submit(engine, person, SubmitReferral(referral_id=referral_id, version=shown), now)
