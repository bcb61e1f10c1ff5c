"""A closed family's retention date, from the default schedule (policies/retention_schedule.csv: the youngest
subject child's 25th birthday, and at least 6 years after closure; consent 6 years after closure) and from
a schedule of the test's own: counted from closure or a birthday, for the kinds of record the family holds,
unless an IG officer extended it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from server.config import REPO_ROOT
from server.contribution.models import InformationCategory
from server.family.models import FamilyStatus
from server.retention import service as retention_service
from server.retention.models import RetentionDecisionKind
from server.retention.schedule import load_schedule
from server.retention.words import applies
from tests.builders import create_area, create_consent, create_contribution
from tests.builders_retain import create_closed_family, decide

DEFAULT = load_schedule(REPO_ROOT / "policies" / "retention_schedule.csv")

BIRTHDAY = "The youngest child's 25th birthday"
LATER = "6 years after closure, which is later than the youngest child's 25th birthday"
# case, closed on, subject children's birthdays, other children's -> the date, and what applies
ROWS = [
    ("child turns 25 after six years", date(2015, 6, 1), (date(2000, 3, 10),), (), date(2025, 3, 10), BIRTHDAY),
    ("born on 29 February", date(2015, 6, 1), (date(2000, 2, 29),), (), date(2025, 2, 28), BIRTHDAY),
    ("six years after closure comes later", date(2018, 1, 1), (date(1995, 1, 1),), (), date(2024, 1, 1), LATER),
    ("no date of birth recorded", date(2015, 5, 5), (None,), (), date(2021, 5, 5), "6 years after closure: no date"),
    (
        "the youngest subject child",
        date(2010, 1, 1),
        (date(1990, 1, 1), date(1995, 7, 1)),
        (),
        date(2020, 7, 1),
        BIRTHDAY,
    ),
    (
        "not a child the plan is not about",
        date(2010, 1, 1),
        (date(1990, 1, 1),),
        (date(2005, 1, 1),),
        date(2016, 1, 1),
        LATER,
    ),
]


@pytest.mark.parametrize(
    ("case", "closed_on", "births", "others", "due_on", "words"), ROWS, ids=[row[0] for row in ROWS]
)
async def test_the_default_schedule(sessions, case, closed_on, births, others, due_on, words):
    # given a closed family
    area = await create_area(sessions)
    family = await create_closed_family(
        sessions, lead=area.lead, closed_on=closed_on, births=births, other_births=others
    )
    # when its retention is worked out
    async with sessions() as session:
        retention = await retention_service.of_family(session, DEFAULT, family.id)
    # then
    assert retention is not None
    assert (retention.closed_on, retention.due_on) == (closed_on, due_on)
    assert applies(retention).startswith(words), applies(retention)
    assert "the family's record" in applies(retention)


async def test_an_open_family_has_no_retention_date(sessions):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead, status=FamilyStatus.active)
    async with sessions() as session:
        assert await retention_service.of_family(session, DEFAULT, family.id) is None


SCHEDULE = """# a test schedule: consent is kept 10 years after closure, contributions until the child is 18 plus 3
record,counted_from,years,at_least_years_after_closure,basis
family_record,closure,2,2,test
contribution,child_18,3,1,"test, quoted"
assessment,closure,2,2,test
meeting,closure,2,2,test
plan,closure,2,2,test
escalation,closure,2,2,test
safeguarding,closure,2,2,test
consent,closure,10,0,test
"""


@pytest.fixture
def schedule(tmp_path: Path):
    path = tmp_path / "schedule.csv"
    path.write_text(SCHEDULE)
    return load_schedule(path)


async def test_only_the_kinds_of_record_the_family_holds_count(sessions, schedule):
    # given three families closed on the same day, a child born in 2000 (18 in 2018, plus 3: 2021)
    area = await create_area(sessions)
    bare, with_item, with_consent = [
        await create_closed_family(sessions, lead=area.lead, closed_on=date(2015, 1, 1), births=(date(2000, 4, 2),))
        for _ in range(3)
    ]
    await create_contribution(sessions, family=with_item, author=area.lead, category=InformationCategory.health)
    await create_consent(sessions, family=with_consent, recorded_by=area.lead, categories=["health"])
    # when
    async with sessions() as session:
        dates = [
            await retention_service.of_family(session, schedule, family.id)
            for family in (bare, with_item, with_consent)
        ]
    # then: the family's record alone gives closure + 2; a contribution the child's 18th birthday + 3;
    # consent closure + 10
    assert [retention.due_on for retention in dates] == [date(2017, 1, 1), date(2021, 4, 2), date(2025, 1, 1)]
    assert applies(dates[0]) == "2 years after closure (applies to the family's record)"
    assert applies(dates[1]) == "The youngest child's 18th birthday plus 3 years (applies to contributions)"
    assert applies(dates[2]) == "10 years after closure (applies to consent)"
    assert [rule.record.value for period in dates[1].periods for rule in period.held] == [
        "family_record",
        "contribution",
    ]


async def test_an_extension_gives_a_later_date_and_says_so(sessions):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead, closed_on=date(2012, 1, 1), births=(None,))
    extended = RetentionDecisionKind.extended
    await decide(sessions, family=family, by=area.ig, kind=extended, retain_until=date(2031, 5, 6))
    async with sessions() as session:
        retention = await retention_service.of_family(session, DEFAULT, family.id)
    assert retention is not None
    assert retention.due_on == date(2031, 5, 6)
    assert retention.extended_until == date(2031, 5, 6)
    assert applies(retention) == "Extended by information governance"


async def test_a_legal_hold_is_in_force_until_removed(sessions):
    area = await create_area(sessions)
    family = await create_closed_family(sessions, lead=area.lead)

    async def on_hold() -> bool:
        async with sessions() as session:
            retention = await retention_service.of_family(session, DEFAULT, family.id)
        assert retention is not None
        return retention.on_hold

    assert not await on_hold()
    await decide(sessions, family=family, by=area.ig, kind=RetentionDecisionKind.legal_hold)
    assert await on_hold()
    await decide(sessions, family=family, by=area.ig, kind=RetentionDecisionKind.hold_removed)
    assert not await on_hold()


async def test_what_applies_names_every_kind_of_record_held_with_that_period(sessions):
    area = await create_area(sessions)
    family = await create_closed_family(
        sessions, lead=area.lead, closed_on=date(2015, 6, 1), births=(date(2000, 3, 10),)
    )
    await create_contribution(sessions, family=family, author=area.lead)
    await create_consent(sessions, family=family, recorded_by=area.lead, categories=["health"])
    async with sessions() as session:
        retention = await retention_service.of_family(session, DEFAULT, family.id)
    assert retention is not None
    assert applies(retention) == "The youngest child's 25th birthday (applies to the family's record and contributions)"
    assert [period.on for period in retention.periods] == [date(2025, 3, 10), date(2021, 6, 1)]  # consent: 6 years
