"""The shared plan's case work, for `make bench`'s scenarios: TAF meetings (the past ones held, their minutes
published as one item), plan goals with actions, an entry assessment per family and an exit one per closed
family (family risk factors rated, resilience indicators), and reviews with outcome scores. Meeting
invitees, plan history, goal progress and member-level ratings are not generated (no measured scenario
reads them)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import timedelta
from typing import TYPE_CHECKING

from bench.data.plan import DOMAINS, LEVELS, ROOT

if TYPE_CHECKING:
    from bench.data.generator import Generator

RATINGS = ["not_a_concern", "low", "medium", "high"]
MEETING_COLUMNS = (
    "id",
    "family_id",
    "kind",
    "status",
    "scheduled_at",
    "location",
    "call_link",
    "chair_user_id",
    "agenda",
    "minutes_published_at",
    "cancel_reason",
    "version",
    "created_at",
    "updated_at",
)


def _factors() -> tuple[list[str], list[str], dict[str, str]]:
    lines = [line for line in (ROOT / "policies" / "assessment_factors.csv").read_text().splitlines()]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    family = [row["code"] for row in rows if row["scope"] == "family"]
    resilience = [row["code"] for row in rows if row["scope"] == "resilience"]
    return family, resilience, {row["code"]: row["category"] for row in rows}


FAMILY_FACTORS, RESILIENCE, FACTOR_CATEGORY = _factors()


async def meetings(g: Generator) -> None:
    """Meetings, and for each past one its published minutes as one item of the chair's agency."""
    rng, world = g.rng, g.world
    per_family = max(1, g.plan.meetings // max(1, len(world.family_ids)))
    items: list[tuple] = []

    def rows() -> Iterable[tuple]:
        for family, family_id in enumerate(world.family_ids):
            opened = world.family_opened[family]
            chair = world.teams[family][0]
            for number in range(per_family):
                meeting_id = g.new_id()
                at = opened + timedelta(days=14 + 42 * number, hours=rng.randint(9, 16))
                past = at < world.now
                kind = "initial" if number == 0 else "review"
                if past:
                    items.append(
                        (
                            g.new_id(),
                            meeting_id,
                            family_id,
                            1,
                            "Review of the plan",
                            "Everyone attended. The plan was reviewed goal by goal.",
                            world.agency_ids[world.user_agency[chair]],
                            "other",
                            False,
                            [],
                            world.user_ids[chair],
                            at + timedelta(hours=2),
                        )
                    )
                yield (
                    meeting_id,
                    family_id,
                    kind,
                    "held" if past else "scheduled",
                    at,
                    "Family hub, meeting room 2",
                    "",
                    world.user_ids[chair],
                    "Progress on the plan; what the family wants to change next",
                    at + timedelta(hours=3) if past else None,
                    None,
                    1,
                    at - timedelta(days=10),
                    at if past else at - timedelta(days=10),
                )

    await g.copy("taf_meeting", MEETING_COLUMNS, rows())
    item_columns = (
        "id",
        "meeting_id",
        "family_id",
        "position",
        "heading",
        "text",
        "owning_agency_id",
        "category",
        "contains_third_party_identities",
        "about_member_ids",
        "author_user_id",
        "created_at",
    )
    # Published minutes never change (a trigger); these were written before they were published.
    trigger = "ALTER TABLE taf_meeting_minutes_item {} TRIGGER taf_meeting_minutes_items_fixed"
    await g.connection.execute(trigger.format("DISABLE"))
    await g.copy("taf_meeting_minutes_item", item_columns, items)
    await g.connection.execute(trigger.format("ENABLE"))


async def plan_items(g: Generator) -> None:
    rng, world, plan = g.rng, g.world, g.plan
    goals: list[tuple] = []
    actions: list[tuple] = []
    for family, family_id in enumerate(world.family_ids):
        opened, team = world.family_opened[family], world.teams[family]
        for _ in range(plan.goals_per_family):
            goal_id = g.new_id()
            created = opened + timedelta(days=rng.uniform(14, 30))
            goals.append(
                (
                    goal_id,
                    family_id,
                    "We want the children to get to school on time every day",
                    True,
                    created.date(),
                    (created + timedelta(days=120)).date(),
                    rng.choice(DOMAINS),
                    rng.choice(["open", "open", "achieved", "partly_achieved"]),
                    1,
                    world.user_ids[team[0]],
                    world.agency_ids[world.user_agency[team[0]]],
                    created,
                    created,
                )
            )
            for _ in range(plan.actions_per_goal):
                owner = rng.choice(team)
                actions.append(
                    (
                        g.new_id(),
                        family_id,
                        goal_id,
                        None,
                        "Walk to school together on Mondays and Wednesdays",
                        world.agency_ids[world.user_agency[owner]],
                        world.user_ids[owner],
                        (created + timedelta(days=rng.uniform(7, 90))).date(),
                        rng.choice(["open", "in_progress", "done"]),
                        1,
                        world.user_ids[team[0]],
                        created,
                        created,
                    )
                )
    goal_columns = (
        "id",
        "family_id",
        "in_family_words",
        "agreed_with_family",
        "agreed_on",
        "target_date",
        "outcome_domain",
        "status",
        "version",
        "created_by_user_id",
        "owning_agency_id",
        "created_at",
        "updated_at",
    )
    action_columns = (
        "id",
        "family_id",
        "goal_id",
        "meeting_id",
        "description",
        "owning_agency_id",
        "owner_user_id",
        "due_date",
        "status",
        "version",
        "created_by_user_id",
        "created_at",
        "updated_at",
    )
    await g.copy("plan_goal", goal_columns, goals)
    await g.copy("plan_action", action_columns, actions)


async def assessments(g: Generator) -> None:
    """An entry assessment per family; an exit assessment per closed family (within the last two
    years, so the outcomes report has families to count). Five family risk factors rated each time."""
    rng, world = g.rng, g.world
    assessments: list[tuple] = []
    ratings: list[tuple] = []

    def add(family: int, stage: str, on, level: str) -> None:
        assessment_id = g.new_id()
        author = world.teams[family][0]
        agency_id = world.agency_ids[world.user_agency[author]]
        resilience = rng.sample(RESILIENCE, rng.randint(1, 6))
        assessments.append(
            (
                assessment_id,
                world.family_ids[family],
                stage,
                on,
                level,
                "Warm relationships; the family asked for help",
                "Routines, school attendance",
                "I want my mum to be less stressed",
                "We want things to calm down at home",
                "Grandmother nearby",
                resilience,
                world.user_ids[author],
                agency_id,
                world.now,
            )
        )
        for factor in rng.sample(FAMILY_FACTORS, 5):
            ratings.append(
                (
                    g.new_id(),
                    assessment_id,
                    factor,
                    None,
                    rng.choice(RATINGS),
                    agency_id,
                    FACTOR_CATEGORY[factor],
                )
            )

    for family in range(len(world.family_ids)):
        opened = world.family_opened[family]
        entry_level = rng.choice(LEVELS)
        add(family, "entry", (opened + timedelta(days=10)).date(), entry_level)
        if world.family_status[family] == "closed":
            exit_on = max(opened + timedelta(days=40), world.now - timedelta(days=rng.uniform(1, 700)))
            add(family, "exit", min(exit_on, world.now).date(), rng.choice(LEVELS))
    columns = (
        "id",
        "family_id",
        "stage",
        "assessed_on",
        "level_of_need",
        "strengths",
        "needs",
        "child_views",
        "family_views",
        "protective_factors",
        "resilience_indicators",
        "author_user_id",
        "owning_agency_id",
        "created_at",
    )
    await g.copy("assessment", columns, assessments)
    rating_columns = ("id", "assessment_id", "factor", "member_id", "rating", "owning_agency_id", "category")
    await g.copy("assessment_rating", rating_columns, ratings)


async def reviews(g: Generator) -> None:
    rng, world, plan = g.rng, g.world, g.plan
    reviews: list[tuple] = []
    scores: list[tuple] = []
    for family, family_id in enumerate(world.family_ids):
        opened = world.family_opened[family]
        for number in range(plan.reviews_per_family):
            review_id = g.new_id()
            on = opened + timedelta(days=60 + 60 * number)
            reviews.append(
                (
                    review_id,
                    family_id,
                    None,
                    on.date(),
                    "Good progress on routines",
                    world.user_ids[world.teams[family][0]],
                    world.agency_ids[world.user_agency[world.teams[family][0]]],
                    on,
                )
            )
            for domain in rng.sample(DOMAINS, 4):
                scores.append((g.new_id(), review_id, domain, rng.randint(1, 10)))
    await g.copy(
        "review",
        (
            "id",
            "family_id",
            "meeting_id",
            "reviewed_on",
            "summary",
            "author_user_id",
            "owning_agency_id",
            "created_at",
        ),
        reviews,
    )
    await g.copy("outcome_score", ("id", "review_id", "domain", "score"), scores)
