"""The citywide view over four clusters: each cluster and the total, to the penny, on the card and spreadsheet."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import openpyxl
import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import Engine

from bot.config import Settings
from bot.http.app import create_app
from cards import verbs
from cluster.clock import FixedClock
from cluster.commands.reviews import SubmitReview
from cluster.permissions import CITYWIDE
from tests.conftest import TEST_NOW, Bot
from tests.support import activities as act
from tests.support.fake_connector import FakeConnector
from tests.support.four_clusters import FourClusters, four_clusters
from tests.support.queries import count_queries
from tests.support.referral_flow import Flow
from tests.support.tables import is_table, table_rows
from usecases.budget import budget_for
from usecases.citywide import city_figures

TODAY = TEST_NOW.date()
FILE_CONSENT = "application/vnd.microsoft.teams.card.file.consent"


@pytest.fixture
async def city(engine: Engine, connector: FakeConnector) -> AsyncIterator[tuple[Bot, FourClusters]]:
    scene = four_clusters(engine, TEST_NOW, connector.url)
    settings = Settings(CLUSTERBOT_ALLOW_NO_AUTH=True, CLUSTERBOT_SCHEDULER=False)
    app = create_app(settings, clock=FixedClock(TEST_NOW), engine=engine)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    bot = Bot(client, connector)
    await bot.post(act.personal_install(connector.url, *scene.officer.who))
    yield bot, scene
    await client.close()


def table_of(card: dict[str, Any], title: str) -> dict[str, list[str]]:
    """The rows of the table a chart titled ``title`` falls back to, by their first cell (header row included)."""
    for element in card["body"]:
        fallback = element.get("fallback") if element.get("title") == title else None
        items = element.get("items") or [{}]
        if fallback is None and items[0].get("text") == title:
            fallback = element  # a chart with nothing to draw (every figure nought or hidden): its table stands alone
        if fallback:
            table = next(i for i in fallback["items"] if is_table(i))
            return {row[0]: row[1:] for row in table_rows(table)}
    raise AssertionError(f"no chart titled {title!r} in {[e.get('title') for e in card['body']]}")


def pence(shown: str) -> int:
    return round(float(shown.replace("£", "").replace(",", "")) * 100)


async def accept(bot: Bot, who: tuple[str, str], offer: dict[str, Any], name: str) -> bytes:
    """``who`` accepts an offered file; returns the bytes the bot uploaded."""
    answer = act.card_click(bot.connector.url, *who, "x")
    answer["name"] = "fileConsent/invoke"
    answer["value"] = {
        "type": "fileUpload",
        "action": "accept",
        "context": offer["content"]["acceptContext"],
        "uploadInfo": {
            "contentUrl": f"https://w-my.sharepoint.com/{name}",
            "name": name,
            "uploadUrl": f"{bot.connector.url}/upload/{name}",
            "uniqueId": name,
            "fileType": "xlsx",
        },
    }
    assert (await bot.post(answer)).status == 200
    return bot.connector.uploads[name][0]


def sheet_rows(workbook: Any, name: str) -> dict[str, dict[str, Any]]:
    sheet = workbook[name]
    header = [c.value for c in sheet[1]]
    return {str(r[0]): dict(zip(header, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)}


async def test_the_officers_citywide_card_adds_every_cluster_up_to_the_penny_and_agrees_with_the_spreadsheet(
    city: tuple[Bot, FourClusters], engine: Engine
) -> None:
    bot, scene = city
    officer = Flow(bot, scene.officer.who)
    card = await officer.card(verbs.CITYWIDE)
    money = table_of(card, "Each cluster's money (£)")
    assert list(money) == ["", "Central", "North", "South", "West", "Total"]
    totals = [0, 0, 0, 0, 0]
    for c in scene:
        view = budget_for(engine, c.name, TODAY)
        assert view is not None
        at = view.position
        expected = [at.allocated, at.committed, at.paid, at.available, at.reserve_left]
        assert [pence(v) for v in money[c.name]] == expected, f"{c.name} as its own budget card says"
        assert at.committed == c.amount_pence and at.paid == c.paid_pence
        totals = [t + e for t, e in zip(totals, expected, strict=True)]
    assert [pence(v) for v in money["Total"]] == totals
    city_money = table_of(card, "The city's money")
    assert pence(city_money["Committed"][0]) == totals[1] and pence(city_money["Paid"][0]) == totals[2]
    assert pence(city_money["Committed, not yet paid"][0]) == totals[1] - totals[2]

    referrals = table_of(
        await officer.card(verbs.CITYWIDE, {"section": "referrals"}), "Referrals by cluster and where they stand"
    )
    header = ["Referrals", "Approved", "Declined", "Deferred", "Advice given", "Withdrawn", "Waiting"]
    assert referrals[""] == header  # the header row: a phone shows the columns as facts
    for c in scene:  # the funded referral, and one waiting for its check; the draft is not counted
        row = dict(zip(header, referrals[c.name], strict=True))
        # Two referrals a cluster: under five, so hidden beyond the cluster (the small-numbers rule).
        assert (row["Referrals"], row["Approved"], row["Waiting"]) == ("hidden", "hidden", "hidden"), c.name
    assert referrals["Total"][0] == "8"  # the city's total stays exact

    approved = table_of(await officer.card(verbs.CITYWIDE, {"section": "approved"}), "Approved by kind (£)")
    for c in scene:
        assert pence(approved[c.name][2]) == c.amount_pence, f"{c.name}: its EHCP approval"
    assert pence(approved["Total"][-1]) == sum(c.amount_pence for c in scene)

    # The spreadsheet holds the same figures, to the penny.
    before = len(bot.connector.calls)
    answer = await officer.click(verbs.CITYWIDE_EXPORT)
    assert answer["type"] == "application/vnd.microsoft.activity.message"
    await bot.connector.wait_for(before + 1)
    offers = [a for c in bot.connector.calls[before:] for a in c.body.get("attachments") or []]
    [offer] = [a for a in offers if a["contentType"] == FILE_CONSENT]
    assert offer["name"] == f"Citywide figures {TODAY.isoformat()}.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(await accept(bot, scene.officer.who, offer, "city.xlsx")))
    sheet = sheet_rows(workbook, "Money")
    assert list(sheet) == ["Central", "North", "South", "West", "Total"]
    columns = ["Allocated (£)", "Committed (£)", "Paid (£)", "Available (£)", "Reserve left (£)"]
    for name, shown in money.items():
        if name != "":
            assert [round(sheet[name][col] * 100) for col in columns] == [pence(v) for v in shown], name
    approved_sheet = sheet_rows(workbook, "Approved")
    assert round(approved_sheet["Total"]["Total (£)"] * 100) == sum(c.amount_pence for c in scene)


async def test_chairs_and_teams_see_the_citywide_figures_but_sencos_admins_and_observers_do_not(
    city: tuple[Bot, FourClusters],
) -> None:
    bot, scene = city
    for key in ("chair", "team"):
        member = scene["North"][key]
        await bot.post(act.personal_install(bot.connector.url, *member.who))
        card = await Flow(bot, member.who).card(verbs.CITYWIDE)
        assert set(table_of(card, "Each cluster's money (£)")) >= {"Central", "North", "South", "West", "Total"}
        text = json.dumps(card)
        for c in scene:  # figures only: no referral, no setting, no person
            assert c.reference not in text and c.referring_setting not in text and c["senco"].name not in text
    for key in ("senco", "delegate", "admin", "observer"):
        member = scene["South"][key]
        await bot.post(act.personal_install(bot.connector.url, *member.who))
        assert await Flow(bot, member.who).refused(verbs.CITYWIDE) == CITYWIDE.refusal
        assert await Flow(bot, member.who).refused(verbs.CITYWIDE_EXPORT) == CITYWIDE.refusal


async def test_a_forged_section_shows_the_money(city: tuple[Bot, FourClusters]) -> None:
    bot, scene = city
    card = await Flow(bot, scene.officer.who).card(verbs.CITYWIDE, {"section": "../../etc/passwd"})
    assert card["body"][0]["text"] == "Citywide: Money"


def test_the_citys_figures_cost_the_same_number_of_queries_for_four_clusters_as_for_one(engine: Engine) -> None:
    from store.db import transaction

    four_clusters(engine, TEST_NOW)
    with count_queries(engine) as counted, transaction(engine, read_only=True) as session:
        city = city_figures(session, date(2025, 11, 20))
    assert len(city.clusters) == 4
    # clusters, budgets, committed, released, paid, referrals, approved (2), reviews, capital's few, BEGIN
    assert counted.count <= 16, counted.statements


async def test_the_impact_section_adds_up_each_clusters_rated_outcomes_by_kind_as_the_spreadsheet_does(
    city: tuple[Bot, FourClusters], engine: Engine
) -> None:
    from datetime import datetime

    from sqlmodel import Session, select

    from cluster.clock import LONDON
    from store.models import Review
    from usecases.people import identify
    from usecases.reviews import submit_review

    bot, scene = city
    answers = {
        "outcomes_achieved": "Met.",
        "attendance": "95%",
        "progress": "Good",
        "wellbeing": "Settled",
        "provision_delivered": "As planned",
        "actual_spend": "100",
        "recommendation": "stop",
    }
    # Central's review says its (one) outcome was achieved, North's partly; South and West have not reviewed.
    for name, rating in (("Central", "achieved"), ("North", "partly")):
        senco = scene[name]["senco"]
        with Session(engine) as session:
            review = session.exec(select(Review).where(Review.referral_id == scene[name].referral_id)).one()
            actor = identify(session, senco.aad, senco.name)
        submitted = datetime(2026, 6, 1, 9, 0, tzinfo=LONDON)
        submit_review(
            engine,
            actor,
            SubmitReview(review_id=review.id or 0, answers={**answers, "outcome_rating_1": rating}),
            submitted,
        )

    officer = Flow(bot, scene.officer.who)
    card = await officer.card(verbs.CITYWIDE, {"section": "impact"})
    by_cluster = table_of(card, "Outcomes achieved by cluster (%)")
    assert by_cluster[""] == ["Achieved", "Partly achieved", "Not achieved", "Achieved"]
    # One outcome rated in each of two clusters: under five, so neither count (nor a share from it) is shown.
    shown = [cell for row in (by_cluster["Central"], by_cluster["North"], by_cluster["Total"]) for cell in row]
    assert "1" not in shown and "100%" not in shown and "50%" not in shown, by_cluster
    assert by_cluster["Central"][0] == "hidden" and by_cluster["North"][1] == "hidden"
    assert by_cluster["South"] == ["0", "0", "0", "-"]
    by_kind = table_of(card, "Outcomes by kind of referral")
    assert by_kind["EHCP"][:2] == ["hidden", "hidden"] and by_kind["Individual pupil"] == ["0", "0", "0", "-"]

    before = len(bot.connector.calls)
    await officer.click(verbs.CITYWIDE_EXPORT)
    await bot.connector.wait_for(before + 1)
    offers = [a for c in bot.connector.calls[before:] for a in c.body.get("attachments") or []]
    [offer] = [a for a in offers if a["contentType"] == FILE_CONSENT]
    workbook = openpyxl.load_workbook(io.BytesIO(await accept(bot, scene.officer.who, offer, "impact.xlsx")))
    rows = list(workbook["Impact"].iter_rows(min_row=2, values_only=True))
    totals = {(r[0], r[1]): r[2:] for r in rows}
    # The spreadsheet hides what the card hides; the city's outcomes rated (2) stay exact.
    assert totals[("Total", "All kinds")][3] == 2
    assert totals[("Total", "All kinds")][:2] == ("hidden", "hidden")
    assert totals[("North", "EHCP exceptional needs or funding change")][1] == "hidden"
