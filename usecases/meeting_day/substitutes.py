"""Substitutes: a SENCO names a colleague to attend and vote for their setting at one meeting.

A person the bot knows (chosen from a short list: the people holding a role in the cluster) is confirmed at
once; an e-mail address waits for a cluster admin, who is sent a card to confirm it. Naming one makes a
person row for the address at once (the name the SENCO typed, the address, no Teams id yet), so the
register and the admin's card can show them; the person becomes someone the bot recognises when they first
write to it (:func:`known_by_email`: Teams says their address, and that row takes their Teams id), or when
their Teams id is added to it (``clusterbot people`` or the roster, which find a person by e-mail). Once
confirmed, the substitute holds :attr:`~cluster.roles.Role.SUBSTITUTE` for that meeting
(``store.repo.person_with_grants`` reads it from the confirmed row) and is told in their personal chat,
which reaches them as soon as they have the bot.

Each naming is a new row, so its notices are owed once each, however often a click is delivered.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from cards.meeting_day.register import substitute_confirm_card, substitute_notice_card
from cluster import keys
from cluster.attendance import AttendsAs
from cluster.card_ids import MeetingId
from cluster.commands.attendance import ConfirmSubstitute, NameSubstitute, ShowSubstituteForm, WithdrawSubstitute
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import CONFIRM_SUBSTITUTE, NAME_SUBSTITUTE, Forbidden
from cluster.register import SubstituteForm
from cluster.roles import Role
from store import audit
from store.db import transaction
from store.models import Person, Substitute
from store.outbox import owe_notice
from store.repo import role_holders, slot_of
from usecases.meeting_day.attendance import next_meeting, register_turn, settings_of, still_to_come
from usecases.meeting_day.meeting_rows import MeetingRows
from usecases.meeting_day.register import capacity
from usecases.people import Actor, identify, require_registered

MAX_CHOICES = 40
"""How many people the form offers by name (the cluster's, own setting's first): a short list for a phone."""
CHOOSE_ONE = "Choose someone from the list, or give an e-mail address (not both)."


def _own_setting(actor: Actor, rows: MeetingRows) -> int:
    """The setting the SENCO names a substitute for (their first in the meeting's cluster)."""
    attends_as, setting_id = capacity([g for g in actor.grants if g.role is Role.SENCO], rows.meeting.cluster_id)
    if attends_as is not AttendsAs.SENCO or setting_id is None:
        raise Forbidden(NAME_SUBSTITUTE.refusal)
    return setting_id


def _choices(session: Session, actor: Actor, cluster_id: int, setting_id: int) -> tuple[tuple[int, str], ...]:
    """The people the bot knows in the cluster (own setting's first, then by name), not the SENCO themself."""
    ids = set(role_holders(session, list(Role), in_clusters=[cluster_id]).get(cluster_id, []))
    ids.discard(actor.person_id or 0)
    if not ids:
        return ()
    own = set(role_holders(session, [Role.SENCO, Role.DELEGATE], at_settings=[setting_id]).get(setting_id, []))
    people = session.exec(select(Person.id, Person.name).where(col(Person.id).in_(ids))).all()
    ranked = sorted(((int(i), n) for i, n in people if i is not None), key=lambda p: (p[0] not in own, p[1], p[0]))
    return tuple(ranked[:MAX_CHOICES])


def _current(session: Session, meeting_id: int, setting_id: int) -> Substitute | None:
    return session.exec(
        select(Substitute).where(Substitute.meeting_id == meeting_id, Substitute.setting_id == setting_id)
    ).first()


def _shown(session: Session, row: Substitute | None) -> str:
    if row is None:
        return ""
    person = session.get(Person, row.person_id) if row.person_id is not None else None
    state = "confirmed" if row.confirmed_at is not None else "awaiting the admin's confirmation"
    return f"{person.name if person else row.email} ({state})"


def _form(session: Session, actor: Actor, rows: MeetingRows, setting_id: int) -> SubstituteForm:
    meeting_id = rows.meeting.id or 0
    return SubstituteForm(
        meeting_id,
        rows.cluster.name,
        slot_of(rows.meeting),
        settings_of(session, rows.meeting.cluster_id).get(setting_id, ""),
        _shown(session, _current(session, meeting_id, setting_id)),
        _choices(session, actor, rows.meeting.cluster_id, setting_id),
    )


def substitute_form(engine: Engine, actor: Actor, command: ShowSubstituteForm) -> SubstituteForm:
    """The SENCO's card to name (or withdraw) a substitute for their setting at a meeting."""
    require_registered(actor)
    with transaction(engine, serial=False) as session:
        rows = register_turn(session, actor, NAME_SUBSTITUTE, command.meeting_id)
        still_to_come(rows)
        return _form(session, actor, rows, _own_setting(actor, rows))


def next_substitute_form(engine: Engine, actor: Actor, now: datetime) -> ShowSubstituteForm:
    """The substitute card's command for the next meeting of the cluster where the actor is a SENCO."""
    require_registered(actor)
    meeting_id = next_meeting(
        engine, (g.cluster_id for g in actor.grants if g.role is Role.SENCO and g.cluster_id), now
    )
    if meeting_id is None:
        raise Refusal("Your cluster has no meeting coming up to name a substitute for.")
    return ShowSubstituteForm(meeting_id=MeetingId(meeting_id))


def _person_for_email(session: Session, email: str, name: str) -> Person:
    """The person with this e-mail address; a new one (no Teams id yet) when the bot has none."""
    found = session.exec(select(Person).where(func.lower(Person.email) == email.lower())).first()
    if found is not None:
        return found
    person = Person(name=name, email=email)
    session.add(person)
    session.flush()
    return person


def _read_choice(command: NameSubstitute, offered: tuple[tuple[int, str], ...]) -> tuple[int | None, str, str]:
    """(person chosen, e-mail, name) from the form; the form comes back with the mistake beside its field."""
    email, name = command.substitute_email.strip(), " ".join(command.substitute_name.split())
    kept = {
        "substitute_person": str(command.substitute_person or ""),
        "substitute_email": email,
        "substitute_name": name,
    }
    if (command.substitute_person is None) == (not email):
        raise InvalidInput({"substitute_person": CHOOSE_ONE}, kept)
    if command.substitute_person is not None:
        if command.substitute_person not in {i for i, _ in offered}:
            raise InvalidInput({"substitute_person": "Choose someone from the list."}, kept)
        return command.substitute_person, "", ""
    local, at, domain = email.partition("@")
    if not at or not local or "." not in domain or " " in email:
        raise InvalidInput({"substitute_email": "Give an e-mail address, like name@school.example."}, kept)
    if not name:
        raise InvalidInput({"substitute_name": "Type their name, so the register can show it."}, kept)
    return None, email, name


def name_substitute(engine: Engine, actor: Actor, command: NameSubstitute, now: datetime) -> SubstituteForm:
    """Name a substitute: a known person is confirmed at once and told; an e-mail address waits for an admin.

    Naming someone else replaces the one named before (who is told it was withdrawn).
    """
    require_registered(actor)
    assert actor.person_id is not None
    with transaction(engine, serial=False) as session:
        rows = register_turn(session, actor, NAME_SUBSTITUTE, command.meeting_id)
        still_to_come(rows)
        setting_id = _own_setting(actor, rows)
        person_id, email, name = _read_choice(command, _choices(session, actor, rows.meeting.cluster_id, setting_id))
        if email:
            person_id = _person_for_email(session, email, name).id
        before = _current(session, command.meeting_id, setting_id)
        if before is not None and before.person_id == person_id and (before.email or "") == email:
            return _form(session, actor, rows, setting_id)  # the same again (a doubled click): nothing changes
        if before is not None:
            _withdraw(session, rows, before, actor, now)
        row = Substitute(
            meeting_id=command.meeting_id,
            setting_id=setting_id,
            person_id=person_id,
            email=email or None,
            named_by=actor.person_id,
            named_at=now,
            confirmed_by=None if email else actor.person_id,
            confirmed_at=None if email else now,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        audit.record(
            session, now, actor.tag, "substitute.name", f"meeting:{command.meeting_id}",
            setting_id=setting_id, person_id=person_id, by_email=bool(email),
        )  # fmt: skip
        setting = settings_of(session, rows.meeting.cluster_id)[setting_id]
        if email:
            admins = role_holders(session, [Role.ADMIN], in_clusters=[rows.meeting.cluster_id])
            card = substitute_confirm_card(
                rows.cluster.name, slot_of(rows.meeting), setting, f"{name} ({email})", actor.name, setting_id
            )
            owe_notice(session, keys.substitute(row.id, "confirm"), now, card, admins.get(rows.meeting.cluster_id, []))
        else:
            _tell_substitute(session, rows, row, setting, now)
        return _form(session, actor, rows, setting_id)


def _tell_substitute(session: Session, rows: MeetingRows, row: Substitute, setting: str, now: datetime) -> None:
    assert row.id is not None and row.person_id is not None
    card = substitute_notice_card(rows.cluster.name, slot_of(rows.meeting), setting, named=True)
    owe_notice(session, keys.substitute(row.id, "named"), now, card, [row.person_id])


def _withdraw(session: Session, rows: MeetingRows, row: Substitute, actor: Actor, now: datetime) -> None:
    """Take a substitute off the meeting; a confirmed one is told."""
    assert row.id is not None
    if row.confirmed_at is not None and row.person_id is not None:
        setting = settings_of(session, rows.meeting.cluster_id).get(row.setting_id, "")
        card = substitute_notice_card(rows.cluster.name, slot_of(rows.meeting), setting, named=False)
        owe_notice(session, keys.substitute(row.id, "withdrawn"), now, card, [row.person_id])
    audit.record(session, now, actor.tag, "substitute.withdraw", f"meeting:{row.meeting_id}", setting_id=row.setting_id)
    session.delete(row)
    session.flush()


def withdraw_substitute(engine: Engine, actor: Actor, command: WithdrawSubstitute, now: datetime) -> SubstituteForm:
    """The SENCO withdraws their setting's substitute before the meeting ends; withdrawing twice is harmless."""
    require_registered(actor)
    with transaction(engine, serial=False) as session:
        rows = register_turn(session, actor, NAME_SUBSTITUTE, command.meeting_id)
        still_to_come(rows)
        setting_id = _own_setting(actor, rows)
        row = _current(session, command.meeting_id, setting_id)
        if row is not None:
            _withdraw(session, rows, row, actor, now)
        return _form(session, actor, rows, setting_id)


def confirm_substitute(engine: Engine, actor: Actor, command: ConfirmSubstitute, now: datetime) -> str:
    """A cluster admin confirms a substitute named by e-mail; confirming twice is harmless. Returns what they read."""
    require_registered(actor)
    with transaction(engine, serial=False) as session:
        rows = register_turn(session, actor, CONFIRM_SUBSTITUTE, command.meeting_id)
        still_to_come(rows)
        settings = settings_of(session, rows.meeting.cluster_id)
        if command.setting_id not in settings:
            raise Refusal("That setting is no longer in this cluster.")
        row = _current(session, command.meeting_id, command.setting_id)
        if row is None or row.person_id is None:
            raise Refusal("No substitute is waiting for confirmation: the SENCO may have withdrawn them.")
        person = session.get(Person, row.person_id)
        who = person.name if person else row.email or ""
        if row.confirmed_at is None:
            row.confirmed_by, row.confirmed_at = actor.person_id, now
            session.add(row)
            audit.record(
                session, now, actor.tag, "substitute.confirm", f"meeting:{row.meeting_id}", setting_id=row.setting_id
            )
            _tell_substitute(session, rows, row, settings[row.setting_id], now)
        return f"{who} is confirmed as the substitute for {settings[row.setting_id]} at this meeting."


# --- a substitute named by e-mail, the first time they write ---------------------------------------------------


def _awaiting() -> SelectOfScalar[Person]:
    """People made for an e-mail address a SENCO named as a substitute, whom the bot does not know in Teams yet."""
    named = select(Substitute.person_id).where(col(Substitute.email).is_not(None))
    return select(Person).where(
        col(Person.aad_object_id).is_(None), col(Person.email).is_not(None), col(Person.id).in_(named)
    )


def awaiting_teams_id(engine: Engine) -> bool:
    """Whether any substitute named by e-mail is still unknown in Teams (else no one's address need be asked for)."""
    with transaction(engine, read_only=True) as session:
        return session.exec(_awaiting().limit(1)).first() is not None


def known_by_email(engine: Engine, actor: Actor, email: str, now: datetime) -> Actor:
    """A stranger whose Teams e-mail address is a substitute's named by e-mail: that person row becomes theirs.

    Only a row made for a substitute and not yet linked to anyone in Teams is taken (Teams vouches for the
    address; a registered person's row is never moved). Returns who they are now: the substitute, holding
    :attr:`~cluster.roles.Role.SUBSTITUTE` once confirmed, or the stranger still.
    """
    wanted = email.strip().lower()
    if actor.person_id is not None or not actor.aad_object_id or not wanted:
        return actor
    with transaction(engine, serial=False) as session:
        person = session.exec(_awaiting().where(func.lower(Person.email) == wanted)).first()
        if person is None:
            return actor
        person.aad_object_id = actor.aad_object_id
        session.add(person)
        session.flush()
        audit.record(session, now, actor.tag, "person.linked", f"person:{person.id}", by="teams e-mail")
        return identify(session, actor.aad_object_id, actor.name)
