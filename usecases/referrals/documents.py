"""A referral's supporting documents: links to the school's SharePoint or OneDrive, files sent in chat, removal.

Each change takes the referral's turn and checks it may still change; a link's mistakes raise
:class:`~cluster.errors.InvalidInput` keyed by the field at fault, and nothing is stored.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select

from cluster.commands.referrals import AddLink, RemoveDocument
from cluster.errors import InvalidInput, Refusal
from cluster.forms import Field, check_form
from cluster.referrals import ReferralView, State
from store import audit
from store.db import transaction
from store.models import Referral, ReferralDocument
from store.referral_views import view_of
from usecases.people import Actor, require_registered
from usecases.referrals.access import NOT_A_REFERRER, edited, referrer_setting_ids, take_for_edit, touch

LINK_HOSTS = ("sharepoint.com", "onedrive.live.com", "1drv.ms", "sharepoint.us")
MAX_DOCUMENTS = 20

LINK_FIELDS: tuple[Field, ...] = (
    Field("link_name", "Document name", max_length=200),
    Field("link_url", "Link", max_length=2000),
)


def _link_mistakes(command: AddLink) -> tuple[dict[str, str], dict[str, Any]]:
    """The link form's mistakes (a link must go to the school's SharePoint or OneDrive), and its values."""
    checked = check_form(LINK_FIELDS, {"link_name": command.link_name, "link_url": command.link_url})
    errors = dict(checked.errors)
    url = str(checked.values.get("link_url", ""))
    if url:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme != "https" or not any(host == h or host.endswith("." + h) for h in LINK_HOSTS):
            errors["link_url"] = (
                "Give a link to a file in your school's SharePoint or OneDrive, starting https:// "
                "(for example https://yourschool.sharepoint.com/...)."
            )
    return errors, checked.values


def _document_count(session: Session, referral_id: int) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(ReferralDocument).where(ReferralDocument.referral_id == referral_id)
        ).one()
    )


def add_link(engine: Engine, actor: Actor, command: AddLink, now: datetime) -> ReferralView:
    """Attach a link to a file in the school's SharePoint or OneDrive; the same link twice is kept once."""
    referral_id = command.referral_id
    with transaction(engine, serial=False) as session:
        referral = take_for_edit(session, actor, referral_id, now)
        errors, values = _link_mistakes(command)
        if errors:
            raise InvalidInput(errors, {"link_name": command.link_name, "link_url": command.link_url})
        url = str(values["link_url"])
        kept = session.exec(
            select(ReferralDocument.id).where(ReferralDocument.referral_id == referral_id, ReferralDocument.url == url)
        ).first()
        if kept is not None:
            return view_of(session, referral)
        if _document_count(session, referral_id) >= MAX_DOCUMENTS:
            raise Refusal(f"A referral can have at most {MAX_DOCUMENTS} supporting documents.")
        assert actor.person_id is not None
        session.add(
            ReferralDocument(
                referral_id=referral_id, name=values["link_name"], url=url, added_by=actor.person_id, added_at=now
            )
        )
        return edited(session, actor, referral, "link.add", now)


def add_file(engine: Engine, actor: Actor, name: str, content_type: str, data: bytes, now: datetime) -> ReferralView:
    """Attach a file the SENCO sent in chat to their most recently changed open referral."""
    require_registered(actor)
    assert actor.person_id is not None
    settings = referrer_setting_ids(actor)
    if not settings:
        raise Refusal(NOT_A_REFERRER)
    with transaction(engine, serial=False) as session:
        latest = session.exec(
            select(Referral.id)
            .where(
                col(Referral.setting_id).in_(settings),
                Referral.created_by == actor.person_id,
                col(Referral.state).in_([State.DRAFT.value, State.RETURNED.value, State.SUBMITTED.value]),
            )
            .order_by(col(Referral.updated_at).desc(), col(Referral.id).desc())
        ).first()
        if latest is None:
            raise Refusal("You have no open referral to attach this file to. Start one with “new referral”.")
        referral = take_for_edit(session, actor, latest, now)
        if _document_count(session, latest) >= MAX_DOCUMENTS:
            raise Refusal(f"A referral can have at most {MAX_DOCUMENTS} supporting documents.")
        session.add(
            ReferralDocument(
                referral_id=latest,
                name=name[:200],
                content_type=content_type,
                size_bytes=len(data),
                content=data,
                added_by=actor.person_id,
                added_at=now,
            )
        )
        touch(referral, now)
        session.add(referral)
        audit.record(
            session, now, actor.tag, "referral.edit", f"referral:{referral.id}", part="file.add", size=len(data)
        )
        session.flush()
        return view_of(session, referral)


def remove_document(engine: Engine, actor: Actor, command: RemoveDocument, now: datetime) -> ReferralView:
    """Remove a supporting document; removing it twice is harmless."""
    referral_id, document_id = command.referral_id, command.document_id
    with transaction(engine, serial=False) as session:
        referral = take_for_edit(session, actor, referral_id, now)
        document = session.get(ReferralDocument, document_id) if document_id is not None else None
        if document is None or document.referral_id != referral_id:
            return view_of(session, referral)
        session.delete(document)
        return edited(session, actor, referral, "document.remove", now)
