"""Each action declared once: the declaration alone routes it, puts it in the permission table and the README,
and a form whose input needs fixing comes back through the one path with what was typed kept."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from bot.actions.catalogue import ACTIONS
from bot.actions.permissions import COMMANDS, as_markdown, table
from bot.actions.registry import Actions, Duplicate, Where
from bot.actions.router import Router
from bot.actions.turn import CardAction, Reply, Request, Services, Turn
from cards import verbs
from cluster import permissions as p
from cluster.clock import Clock
from cluster.commands.inputs import Nothing, Source, money, row_id, text
from cluster.errors import InvalidInput, Refusal
from cluster.permissions import Forbidden
from cluster.roles import Grant, Role
from usecases.people import Actor

ADMIN = Actor("aad-admin", "Ada Admin", 7, frozenset({Grant(Role.ADMIN, cluster_id=1, cluster="Central")}))
SENCO = Actor("aad-senco", "Sam Senco", 8, frozenset({Grant(Role.SENCO, cluster_id=1, setting_id=3)}))


@dataclass(frozen=True, kw_only=True)
class ShowWidget:
    widget_id: int = row_id("That widget is gone.")


@dataclass(frozen=True, kw_only=True)
class PriceWidget:
    widget_id: int = row_id("That widget is gone.")
    name: str = text("Name", "Name the widget.", max_length=20)
    price: int = money("Price")


def _actions() -> Actions:
    actions = Actions()

    @actions.verb("widget.show", p.SET_BUDGET, ShowWidget)
    def show(turn: Turn, command: ShowWidget) -> Reply:
        return Reply(text=f"widget {command.widget_id} {turn.values} {turn.errors}")

    @actions.verb("widget.price", p.SET_BUDGET, PriceWidget, form=show)
    def price(turn: Turn, command: PriceWidget) -> Reply:
        if command.price > 100_00:
            raise InvalidInput({"price": "Too dear."}, {})
        return Reply(text=f"{command.name} costs {command.price}p")

    @actions.personal("widgets", p.SET_BUDGET, ShowWidget, argument="widget_id")
    def typed(turn: Turn, command: ShowWidget) -> Reply:
        return Reply(text=f"typed widget {command.widget_id}")

    return actions


def _router(actions: Actions) -> Router:
    engine = create_engine("sqlite://")
    return Router(Services(engine, Clock()), actions)


def _click(actor: Actor, verb: str, **data: object) -> Request:
    return Request(actor, "personal", "a:1", "", CardAction(verb, {"verb": verb, **data}))


def test_every_verb_a_card_can_send_is_declared_exactly_once_with_a_permission() -> None:
    declared = [d.name for d in ACTIONS if d.where is Where.VERB]
    assert len(declared) == len(set(declared))
    assert set(declared) == set(verbs.ALL)
    assert all(d.permission in p.ALL for d in ACTIONS)


def test_a_declaration_alone_routes_the_action() -> None:
    router = _router(_actions())
    assert router.dispatch(_click(ADMIN, "widget.price", widget_id=4, name="Blue", price="12.50")).text == (
        "Blue costs 1250p"
    )
    assert router.dispatch(Request(ADMIN, "personal", "a:1", "widgets 12")).text == "typed widget 12"
    assert "widget.price" in router.verbs and "widgets" in router.personal


def test_a_declaration_alone_puts_the_action_in_the_permission_table_and_the_readme_table() -> None:
    actions = _actions()
    assert table(actions) == {"widget.show": p.SET_BUDGET, "widget.price": p.SET_BUDGET, "widgets": p.SET_BUDGET}
    row = next(line for line in as_markdown(actions).splitlines() if "`widget.price`" in line)
    assert row.startswith(f"| {p.SET_BUDGET.summary} |") and "`widgets`" in row


def test_a_declared_permission_is_checked_before_the_handler_runs() -> None:
    with pytest.raises(Forbidden, match="admin"):
        _router(_actions()).dispatch(_click(SENCO, "widget.price", widget_id=4, name="Blue", price="1"))


def test_a_form_with_mistakes_comes_back_with_every_input_kept_and_each_mistake_beside_its_field() -> None:
    answer = _router(_actions()).dispatch(_click(ADMIN, "widget.price", widget_id=4, name="", price="4,2500.25"))
    assert answer.text is not None and answer.text.startswith("widget 4 ")
    assert "'name': ''" in answer.text and "'price': '4,2500.25'" in answer.text
    assert "Name the widget." in answer.text and "put commas only between groups of three digits" in answer.text


def test_a_mistake_the_use_case_finds_takes_the_same_way_back() -> None:
    answer = _router(_actions()).dispatch(_click(ADMIN, "widget.price", widget_id=4, name="Gold", price="500"))
    assert answer.text == "widget 4 {'name': 'Gold', 'price': '500'} {'price': 'Too dear.'}"


def test_the_same_verb_cannot_be_declared_twice() -> None:
    actions = _actions()
    with pytest.raises(Duplicate):
        actions.verb("widget.show", p.HELP, Nothing)(lambda turn, command: Reply(text="again"))


def test_a_card_id_the_card_never_sent_is_refused_with_the_fields_sentence() -> None:
    with pytest.raises(Refusal, match=r"That widget is gone\."):
        _router(_actions()).dispatch(_click(ADMIN, "widget.show"))


def test_the_readme_shows_the_permission_table_of_the_declarations() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    assert as_markdown() in readme


def test_every_command_the_help_card_offers_is_a_declared_personal_command() -> None:
    from cards.menu import MENU

    assert [item.text for item in MENU if item.text not in COMMANDS] == []
    assert len({item.text for item in MENU}) == len(MENU)


@dataclass(frozen=True, kw_only=True)
class WidgetRang:
    channel: str = text(missing="No channel.", source=Source.DATA)


def test_an_event_teams_sends_is_declared_once_and_routed_by_its_name() -> None:
    actions = _actions()

    @actions.event("application/vnd.example.widgetRang", p.TEAMS_MEETING, WidgetRang)
    def rang(turn: Turn, command: WidgetRang) -> Reply:
        return Reply(text=f"rang in {command.channel}")

    router = _router(actions)
    told = CardAction("application/vnd.example.widgetRang", {"channel": "19:c"})
    nobody = Actor("", "Microsoft Teams")
    assert router.dispatch(Request(nobody, "channel", "19:c", "", event=told)).text == "rang in 19:c"
    assert router.events == {"application/vnd.example.widgetRang"}
    assert table(actions)["application/vnd.example.widgetRang"] is p.TEAMS_MEETING
    # An event nothing declares gets no answer (Teams expects none), not the unknown-command sentence.
    other = CardAction("application/vnd.example.other", {})
    assert router.dispatch(Request(nobody, "channel", "19:c", "", event=other)) == Reply()
    with pytest.raises(Duplicate):
        actions.event("application/vnd.example.widgetRang", p.TEAMS_MEETING, WidgetRang)(rang)


def test_the_teams_meeting_events_are_declared_with_teams_own_permission_and_are_no_commands() -> None:
    from bot.actions.permissions import EVENTS
    from cluster.commands.teams_meeting import MEETING_EVENTS

    assert set(EVENTS) == set(MEETING_EVENTS)
    assert all(permission is p.TEAMS_MEETING for permission in EVENTS.values())
    assert not set(EVENTS) & set(COMMANDS), "no one can type an event in a chat"
    row = next(line for line in as_markdown().splitlines() if "`application/vnd.microsoft.meetingStart`" in line)
    assert "Teams itself" in row and all(f"`{name}`" in row for name in MEETING_EVENTS)
