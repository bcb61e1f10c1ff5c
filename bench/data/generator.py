"""The one data set of `make bench` and `make bench-sharing`, written with COPY (bench/data/writer.py).

At scale 1.0 it holds the numbers of issues 3 and 8: 10,000 families (2-5 members each), 2,000 staff across
60 agencies of every kind, about 50 active team members per family drawn from those users (about 500,000
memberships, exactly one active lead professional per family, some ended memberships), 500,000
contributions with one contribution_version each, 100,000 consent records (and the area's data-sharing
agreement between every agency, which consent needs), a few thousand safeguarding overrides, and the case
work of bench/data/casework.py (50,000 meetings, 30,000 goals with 60,000 actions, assessments, 20,000
reviews). Two families are built by hand for the measurements:

- family A has exactly 200 contributions, family B exactly 20;
- the benchmark actor (a practitioner) is a contributor on both teams and sees most of their items through
  consent: a whole-team consent for nine categories, a refusal, a consent naming the actor's agency, an
  expired and a withdrawn consent, and one active override (plus an expired and a revoked one).

Every row respects the schema's constraints (foreign keys, CHECKs, the one-lead and one-active-membership
unique indexes): nothing is disabled while loading, but for published minutes, which a trigger keeps from
changing (bench/data/casework.py). audit_event is not touched.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import asyncpg

from bench.data import casework, people, sharing
from bench.data.plan import Plan, World
from bench.data.writer import TableTiming, Writer

# The tables in foreign-key order. The order is part of the data: every step draws from one seeded stream.
STEPS = [
    ("agency", people.agencies),
    ("family", people.families),
    ("family_member", people.family_members),
    ("app_user", people.users),
    ("team_membership", people.team_memberships),
    ("contribution + contribution_version", sharing.contributions),
    ("consent", sharing.consents),
    ("safeguarding_override", sharing.overrides),
    ("sharing_decision", sharing.sharing_decisions),
    ("engagement_agreement", sharing.engagement_agreements),
    ("taf_meeting", casework.meetings),
    ("plan_goal + plan_action", casework.plan_items),
    ("assessment + assessment_rating", casework.assessments),
    ("review + outcome_score", casework.reviews),
    ("data_sharing_agreement", sharing.agreement),  # last: the data before it is as it was without agreements
]


class Generator(Writer):
    def __init__(self, connection: asyncpg.Connection, plan: Plan, seed: int) -> None:
        super().__init__(connection, seed)
        self.plan = plan
        self.world = World(now=self.now)
        self.evidence = 0  # consent evidence references, numbered

    def team_agencies(self, family: int) -> list[int]:
        return sorted({self.world.user_agency[user] for user in self.world.teams[family]})

    async def generate(self, progress: Callable[[str], None]) -> dict[str, TableTiming]:
        await self.connection.execute("SET synchronous_commit = off")
        for name, step in STEPS:
            started = time.perf_counter()
            await step(self)
            progress(f"  {name}: {time.perf_counter() - started:.1f} s")
        return self.timings
