"""Stored HTML and SQL come back inert: a family name, a member's name and an item's title and text that
hold markup and SQL are shown as the literal text typed, in the caseload and on the family page, and no
script of theirs runs (no dialog, no flag set, no element made, no CSP violation in the console)."""

from __future__ import annotations

from playwright.async_api import Page, expect

from tests.builders import issue_token
from tests.e2e.conftest import SignIn, Team, check_page, open_part
from tests.graphql_client import GraphQLClient

IMG = '<img src=x onerror="window.__tafInjected=1">'
SCRIPT = "<script>window.__tafInjected=2</script>"
SQL = "Robert'); DROP TABLE family;--"


async def test_markup_and_sql_in_stored_text_are_shown_literally_and_never_run(
    page: Page, sign_in: SignIn, team: Team, sessions, gql: GraphQLClient
):
    # given a family opened, and an item added, through the API with hostile text in every text field
    token = await issue_token(sessions, team.lead)
    name, member = f"The {IMG} family", f"Tom {SCRIPT}"
    title, body = f"{IMG} attendance", f"{SCRIPT} {SQL}"
    opened = (
        await gql.data(
            "FamilyOpen",
            {
                "input": {
                    "displayName": name,
                    "levelOfNeed": "targeted",
                    "members": [{"fullName": member, "relationship": "son", "isSubjectChild": True}],
                    "leadContact": {"agencyRole": SQL},
                }
            },
            token=token,
        )
    )["familyOpen"]
    added = {"familyId": opened["id"], "kind": "update", "category": "family_history", "title": title, "body": body}
    await gql.data("ContributionAdd", {"input": added}, token=token)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    # when the lead looks at their caseload and opens the family
    await sign_in(team.lead)
    await expect(page.get_by_text(name, exact=True)).to_be_visible()
    await page.get_by_role("link", name=opened["reference"]).click()
    # then every value is shown as the literal text that was stored
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    await open_part(page, "Team and contacts")
    await expect(page.locator("#members-table")).to_contain_text(member)
    await open_part(page, "Contributions")
    contributions = page.locator("#contributions")
    await expect(contributions).to_contain_text(title)
    await expect(contributions).to_contain_text(body)
    # and none of it became markup or ran
    assert await page.evaluate("() => window.__tafInjected") is None
    await expect(page.locator('img[src="x"]')).to_have_count(0)
    await expect(page.locator("script:not([src])")).to_have_count(0)
    assert dialogs == []
    await check_page(page, "injection-family-page")
