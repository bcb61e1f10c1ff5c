"""The data set of `make bench` (bench/suite.py): the sharing data set (bench/sharing_data.py) plus the
shared plan, written with COPY like the rest.

At scale 1.0, on top of the sharing tables: 50,000 TAF meetings (5 per family, the past ones held with
published minutes of one item), 30,000 plan goals (3 per family) with 60,000 actions, an entry assessment per family
and an exit assessment per closed family (with family risk-factor ratings and resilience indicators),
and 20,000 reviews (2 per family) with outcome scores in four domains. Meeting invitees, plan history,
goal progress and member-level ratings are not generated (no measured scenario reads them).
"""

from __future__ import annotations

import csv
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from bench.sharing_data import Generator, Plan
from server.config import REPO_ROOT
from server.family.models import LevelOfNeed
from server.plan.models import OutcomeDomain

LEVELS = [level.value for level in LevelOfNeed]
DOMAINS = [domain.value for domain in OutcomeDomain]
RATINGS = ["not_a_concern", "low", "medium", "high"]


def _factors() -> tuple[list[str], list[str], dict[str, str]]:
    lines = [line for line in (REPO_ROOT / "policies" / "assessment_factors.csv").read_text().splitlines()]
    rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
    family = [row["code"] for row in rows if row["scope"] == "family"]
    resilience = [row["code"] for row in rows if row["scope"] == "resilience"]
    return family, resilience, {row["code"]: row["category"] for row in rows}


FAMILY_FACTORS, RESILIENCE, FACTOR_CATEGORY = _factors()


@dataclass(frozen=True)
class SuitePlan:
    base: Plan
    meetings: int
    goals_per_family: int = 3
    actions_per_goal: int = 2
    reviews_per_family: int = 2

    @classmethod
    def at(cls, scale: float, families_only: float = 1.0) -> SuitePlan:
        """`families_only` multiplies families and contributions (and what hangs off each family)
        but not users, agencies or team size: the growth database."""
        base = Plan.at(scale)
        if families_only != 1.0:
            families = round(base.families * families_only)
            base = Plan(
                scale=base.scale * families_only,
                families=families,
                users=base.users,
                agencies=base.agencies,
                team_mean=base.team_mean,
                contributions=round(base.contributions * families_only),
                consents=round(base.consents * families_only),
                overrides=round(base.overrides * families_only),
                decisions=round(base.decisions * families_only),
            )
        return cls(base=base, meetings=5 * base.families)


class SuiteGenerator(Generator):
    def __init__(self, connection, plan: SuitePlan, seed: int) -> None:
        super().__init__(connection, plan.base, seed)
        self.suite = plan
        self._statuses: list[str] = []

    async def generate(self, progress):
        timings = await super().generate(progress)

        found = {row["id"]: row["status"] for row in await self.connection.fetch("SELECT id, status::text FROM family")}
        self._statuses = [found[family_id] for family_id in self.world.family_ids]
        for name, step in [
            ("taf_meeting", self.meetings),
            ("plan_goal + plan_action", self.plan_items),
            ("assessment + assessment_rating", self.assessments),
            ("review + outcome_score", self.reviews),
        ]:
            started = time.perf_counter()
            await step()
            progress(f"  {name}: {time.perf_counter() - started:.1f} s")
        return timings

    async def meetings(self) -> None:
        """Meetings, and for each past one its published minutes as one item of the chair's agency."""
        rng, world = self.rng, self.world
        per_family = max(1, self.suite.meetings // max(1, len(world.family_ids)))
        items: list[tuple] = []

        def rows() -> Iterable[tuple]:
            for family, family_id in enumerate(world.family_ids):
                opened = world.family_opened[family]
                chair = world.teams[family][0]
                for number in range(per_family):
                    meeting_id = self.new_id()
                    at = opened + timedelta(days=14 + 42 * number, hours=rng.randint(9, 16))
                    past = at < world.now
                    kind = "initial" if number == 0 else "review"
                    if past:
                        items.append(
                            (
                                self.new_id(),
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

        columns = (
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
        await self.copy("taf_meeting", columns, rows())
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
        await self.connection.execute(trigger.format("DISABLE"))
        await self.copy("taf_meeting_minutes_item", item_columns, items)
        await self.connection.execute(trigger.format("ENABLE"))

    async def plan_items(self) -> None:
        rng, world, suite = self.rng, self.world, self.suite
        goals: list[tuple] = []
        actions: list[tuple] = []
        for family, family_id in enumerate(world.family_ids):
            opened, team = world.family_opened[family], world.teams[family]
            for _ in range(suite.goals_per_family):
                goal_id = self.new_id()
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
                for _ in range(suite.actions_per_goal):
                    owner = rng.choice(team)
                    actions.append(
                        (
                            self.new_id(),
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
        await self.copy("plan_goal", goal_columns, goals)
        await self.copy("plan_action", action_columns, actions)

    async def assessments(self) -> None:
        """An entry assessment per family; an exit assessment per closed family (within the last two
        years, so the outcomes report has families to count). Five family risk factors rated each time."""
        rng, world = self.rng, self.world
        assessments: list[tuple] = []
        ratings: list[tuple] = []

        def add(family: int, stage: str, on, level: str) -> None:
            assessment_id = self.new_id()
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
                        self.new_id(),
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
            if self._statuses[family] == "closed":
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
        await self.copy("assessment", columns, assessments)
        rating_columns = ("id", "assessment_id", "factor", "member_id", "rating", "owning_agency_id", "category")
        await self.copy("assessment_rating", rating_columns, ratings)

    async def reviews(self) -> None:
        rng, world, suite = self.rng, self.world, self.suite
        reviews: list[tuple] = []
        scores: list[tuple] = []
        for family, family_id in enumerate(world.family_ids):
            opened = world.family_opened[family]
            for number in range(suite.reviews_per_family):
                review_id = self.new_id()
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
                    scores.append((self.new_id(), review_id, domain, rng.randint(1, 10)))
        await self.copy(
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
        await self.copy("outcome_score", ("id", "review_id", "domain", "score"), scores)
