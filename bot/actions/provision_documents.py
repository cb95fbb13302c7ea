"""The council officer's ``provision document`` command and card: the Costed Provision Document's versions.

A new version arrives as a file the officer sends in personal chat; ``bot.teams.file_desk`` hands it to
``usecases.provision_documents.load_sent_file`` and answers with this card.
"""

from __future__ import annotations

from bot.actions.registry import ACTIONS
from bot.actions.turn import Reply, Turn
from cards import verbs
from cards.provision_documents import provision_documents_card
from cluster import permissions as p
from cluster.commands.inputs import Nothing
from usecases import provision_documents as uc


@ACTIONS.personal("provision document", p.LOAD_PROVISION_DOCUMENT)
@ACTIONS.verb(verbs.PROVISION_DOCUMENTS, p.LOAD_PROVISION_DOCUMENT)
def show_provision_documents(turn: Turn, _: Nothing) -> Reply:
    """Every version of the document loaded, newest first, and how to send a new one."""
    return Reply(card=provision_documents_card(uc.documents(turn.engine, turn.actor, turn.now())))
