"""Live notifications in the browser: the unread badge, the list updating without a reload when another
user changes something through the API, resuming after the socket drops, and the urgent banner."""

from __future__ import annotations

import asyncio
import re

from playwright.async_api import Page, WebSocketRoute, expect

from notifications import outbox
from notifications.events import EscalationRaised
from server.db.engine import SessionFactory, unit_of_work
from server.escalation.notices import escalation_fields
from tests.builders import issue_token
from tests.builders_notify import create_escalation
from tests.e2e.conftest import SignIn, Team, check_page
from tests.graphql_client import GraphQLClient


async def sockets_opened(sockets: list[WebSocketRoute], count: int) -> None:
    """Wait (10 s at most) until the page has opened `count` sockets."""
    async with asyncio.timeout(10):
        while len(sockets) < count:
            await asyncio.sleep(0.05)


CONTACT = {"agencyRole": "Health visitor", "contactInHours": "01632 960311", "contactOutOfHours": ""}


async def test_a_notification_arrives_live_and_still_arrives_after_the_socket_drops(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory, gql: GraphQLClient
):
    # The page's socket goes through Playwright, which can drop it as a network failure would.
    sockets: list[WebSocketRoute] = []

    def through(route: WebSocketRoute) -> None:
        route.connect_to_server()
        sockets.append(route)

    await page.route_web_socket(re.compile(r"/graphql$"), through)
    await sign_in(team.colleague)
    await page.get_by_role("link", name="Notifications").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    await expect(page.locator("#unread-number")).to_have_text("0")
    await sockets_opened(sockets, 1)

    # Another user (the lead) adds someone to the family's team through the API.
    lead = await issue_token(sessions, team.lead)
    added = await gql.data(
        "TeamMemberAdd",
        {"input": {"familyId": str(team.family.id), "userId": str(team.health_visitor.id), "contact": CONTACT}},
        lead,
    )
    items = page.locator("#notification-list li")
    await expect(items).to_have_count(1)
    await expect(items.first).to_contain_text("Someone joined a family's team")
    await expect(page.locator("#notifications-none")).to_have_count(0)
    await expect(page.locator("#unread-number")).to_have_text("1")
    await expect(page.locator("#live-status")).to_contain_text("New notification")

    # The connection drops; the page reconnects by itself and resumes after the last id it saw.
    await sockets[0].close(code=1006, reason="network lost")
    await sockets_opened(sockets, 2)
    await gql.data(
        "TeamMemberEnd", {"input": {"membershipId": added["teamMemberAdd"]["id"], "reason": "Moved away"}}, lead
    )
    await expect(items).to_have_count(2)
    await expect(items.first).to_contain_text("Someone left a family's team")
    await expect(page.locator("#unread-number")).to_have_text("2")
    assert "null" not in await page.get_by_role("main").inner_text()
    await check_page(page, "notifications")

    await page.get_by_role("button", name="Mark all as read").click()
    await expect(page.locator("#unread-number")).to_have_text("0")
    await expect(page.locator("#notifications-unread")).to_have_text("You have 0 unread notifications.")
    # A reload replays nothing twice: the list comes from the inbox and the stream resumes after it.
    await page.reload()
    await expect(page.locator("#notification-list li")).to_have_count(2)


async def test_an_urgent_escalation_is_shown_in_a_banner_on_any_page(
    page: Page, sign_in: SignIn, team: Team, sessions: SessionFactory
):
    await sign_in(team.lead)
    await expect(page.locator("#unread-number")).to_have_text("0")
    await page.wait_for_timeout(300)  # the protocol has no "subscribed" acknowledgement
    # (the notification names the escalation; the page shows the reason the server renders for the lead)
    row = await create_escalation(
        sessions, family=team.family, raised_by=team.lead, reason="Disclosure at school this morning"
    )
    async with unit_of_work(sessions) as session:
        await outbox.append(session, EscalationRaised(**{**escalation_fields(row), "level": "high"}))
    banner = page.get_by_role("alert").filter(has_text="Urgent")
    await expect(banner).to_contain_text(
        f"An escalation was raised by {team.lead.display_name} ({team.early_help.name}) about"
        f" {team.family.display_name} ({team.family.reference}): Disclosure at school this morning"
    )
    await expect(page.locator("#unread-number")).to_have_text("1")
    await check_page(page, "notification-urgent")

    await banner.get_by_role("link", name="see all notifications").click()
    item = page.locator("#notification-list li").first
    await expect(item).to_contain_text("Urgent")
    await item.get_by_role("button", name="Acknowledge").click()
    await expect(item).to_contain_text("Acknowledged.")
