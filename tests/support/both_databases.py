"""Central on SQLite and on PostgreSQL, for a test module that overrides the shared ``central`` fixture with it.

The shared ``central`` fixture is SQLite only (a copy of a file seeded once); :func:`seeded_central` seeds the
Central cluster and the test roster into the ``engine`` fixture's database, which is each of the two in turn.
"""

from __future__ import annotations

from sqlalchemy import Engine

from cluster.clock import FixedClock
from tests.conftest import _seed_central


def seeded_central(engine: Engine, clock: FixedClock) -> Engine:
    """The Central cluster and the test roster, seeded at the clock's time into ``engine``."""
    _seed_central(engine, clock.now())
    return engine
