"""What the user sees when something unexpected happens: an apology and a reference, never internals."""

from __future__ import annotations

import logging

from bot.http import observe
from cluster.errors import new_reference

log = logging.getLogger("clusterbot.errors")

APOLOGY = (
    "Sorry, something went wrong on our side and nothing was changed. "
    "If it happens again, give your admin this reference: {ref}."
)


def report_unexpected(exc: BaseException, where: str) -> str:
    """Log the stack trace under a fresh reference and return the apology that names it.

    The reference also goes on the turn's own log line, when this happens during a turn.
    """
    ref = new_reference()
    log.error("unexpected error ref=%s in %s", ref, where, exc_info=exc)
    observe.note_error(ref)
    return APOLOGY.format(ref=ref)
