"""Checking the record chain: ``clusterbot audit verify`` (what it proves is in ``cluster.record_chain``)."""

from __future__ import annotations

from sqlalchemy import Engine

from cluster.record_chain import Verified
from store.chain import verify
from store.db import transaction


def verify_chain(engine: Engine) -> Verified:
    """Walk the whole chain and every chained row in one read-only snapshot; the first problem, if any."""
    with transaction(engine, read_only=True) as session:
        return verify(session.connection())


def said(verified: Verified) -> str:
    """What the person at the terminal reads, verified or not."""
    if verified.problem is None:
        return (
            f"The record chain verifies: {verified.entries} entries, and the {verified.rows} decisions, instalments, "
            "releases and budgets they record still hold what the bot wrote."
        )
    return f"The record chain does not verify. {verified.problem.sentence}"
