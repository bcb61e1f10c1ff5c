"""The data set of the sharing benchmark (bench/sharing_scale.py), written with COPY.

At scale 1.0 it holds the numbers of issue 3: 10,000 families (2-5 members each), 2,000 staff across 60
agencies of every kind, about 50 active team members per family drawn from those users (about 500,000
memberships, exactly one active lead professional per family, some ended memberships), 500,000
contributions with one contribution_version each, 100,000 consent records and a few thousand
safeguarding overrides. Two families are built by hand for the measurements:

- family A has exactly 200 contributions, family B exactly 20;
- the benchmark actor (a practitioner) is a contributor on both teams and sees most of their items through
  consent: a whole-team consent for nine categories, a refusal, a consent naming the actor's agency, an
  expired and a withdrawn consent, and one active override (plus an expired and a revoked one).

Every row respects the schema's constraints (foreign keys, CHECKs, the one-lead and one-active-membership
unique indexes): nothing is disabled while loading. audit_event is not touched.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg

from server.access.categories import InformationCategory
from server.agency.models import AgencyKind
from server.contribution.models import ContributionKind
from server.family.models import FamilyStatus, LevelOfNeed
from server.safeguarding.models import LawfulBasis

CATEGORIES = [category.value for category in InformationCategory]
KINDS = [kind.value for kind in ContributionKind]
AGENCY_KINDS = [kind.value for kind in AgencyKind]
LAWFUL_BASES = [basis.value for basis in LawfulBasis]
BATCH = 25_000

# What family A's (and B's) whole-team consent covers: every category except mental health (refused
# by the young person), police (its consents expired or were withdrawn) and domestic abuse (shared with
# the actor's agency alone).
A_WHOLE_TEAM = [
    "health",
    "education",
    "youth_justice",
    "housing",
    "social_care",
    "substance_misuse",
    "family_history",
    "finance",
    "other",
]

FIRST_NAMES = str.split(
    "Amira Ben Chloe Dylan Ella Finn Grace Harvey Isla Jack Kai Leah Mason Nia Oscar Priya Quinn Ruby Sami Tara"
    " Umar Violet Wes Xena Yusuf Zara Aisha Callum Demi Ethan Freya Gabriel Hana Idris Jade Kofi Lena Milo"
)
SURNAMES = str.split(
    "Adams Begum Clarke Davies Evans Fraser Green Hughes Iqbal Jones Khan Lewis Morgan Nowak Okafor Patel"
    " Quinn Roberts Singh Taylor Usman Vaughan Walsh Young Zielinski Ahmed Brown Carter Doyle Ellis"
)

TITLE_WORDS = {
    "health": ["GP review", "Immunisations due", "Dental check missed", "Speech therapy referral"],
    "mental_health": ["Low mood reported", "CAMHS referral", "Anxiety at school", "Sleep problems"],
    "education": ["Attendance below 90%", "Mentoring started", "SEN support plan", "Exclusion review"],
    "police": ["Incident attended", "Operation Encompass notice", "Missing episode", "Anti-social behaviour"],
    "youth_justice": ["Referral order", "Out-of-court disposal", "Reparation session", "YOT check-in"],
    "housing": ["Damp repairs booked", "Rent arrears plan", "Overcrowding assessment", "Tenancy visit"],
    "social_care": ["Strategy discussion", "Child in need review", "Step-down plan", "Respite offer"],
    "substance_misuse": ["Treatment engagement", "Harm reduction advice", "Relapse noted", "Testing booked"],
    "domestic_abuse": ["MARAC referral", "Safety plan agreed", "IDVA contact", "Incident disclosed"],
    "family_history": ["Genogram updated", "Previous involvement", "Kinship support", "Bereavement"],
    "finance": ["Debt advice", "Benefits check", "Food bank voucher", "Budgeting support"],
    "other": ["Holiday club place", "Sports club", "Transport help", "Interpreter needed"],
}
SENTENCES = [
    "Discussed progress with the parent at the home visit and agreed the next steps.",
    "The child was seen alone and said things at home are getting better.",
    "Attendance has improved since the mentoring sessions started in the autumn term.",
    "A referral was made and the family were told what would happen next.",
    "Concerns were raised at the team meeting and actions were given owners and dates.",
    "The young person engaged well and set two goals for the coming month.",
    "Mum reports that routines at bedtime are easier since the parenting course.",
    "The worker will check in by phone next week and update the plan afterwards.",
    "No new concerns this month; the plan stays as agreed at the last review.",
    "Contact details and availability for the school holidays were confirmed.",
]
AGENCY_ROLES = [
    "Family support worker",
    "Health visitor",
    "Designated safeguarding lead",
    "Neighbourhood officer",
    "Tenancy sustainment officer",
    "Social worker",
    "Youth justice worker",
    "School nurse",
    "Drug and alcohol worker",
    "IDVA",
]


@dataclass(frozen=True)
class Plan:
    """How many rows of each kind a scale asks for (1.0 = the issue's numbers)."""

    scale: float
    families: int
    users: int
    agencies: int
    team_mean: int
    contributions: int
    consents: int
    overrides: int
    decisions: int

    @classmethod
    def at(cls, scale: float) -> Plan:
        def scaled(count: int, low: int) -> int:
            return max(low, round(count * scale))

        families = scaled(10_000, 20)
        return cls(
            scale=scale,
            families=families,
            users=scaled(2_000, 150),
            agencies=60,
            team_mean=50,
            contributions=max(scaled(500_000, 500), 220 + (families - 2)),
            consents=scaled(100_000, 100),
            overrides=scaled(3_000, 20),
            decisions=scaled(1_000, 10),
        )


@dataclass
class World:
    """What the measurements need to know about the generated data."""

    now: datetime
    agency_ids: list[uuid.UUID] = field(default_factory=list)
    user_ids: list[uuid.UUID] = field(default_factory=list)
    user_agency: list[int] = field(default_factory=list)
    user_role: list[str] = field(default_factory=list)
    family_ids: list[uuid.UUID] = field(default_factory=list)
    family_opened: list[datetime] = field(default_factory=list)
    members: list[list[tuple[uuid.UUID, int]]] = field(default_factory=list)  # (id, age), adult first
    teams: list[list[int]] = field(default_factory=list)  # active user indexes, lead first
    actor: int = -1
    family_a: int = 0
    family_b: int = 1

    def summary(self) -> dict[str, Any]:
        return {
            "actor_user_id": str(self.user_ids[self.actor]),
            "actor_agency_id": str(self.agency_ids[self.user_agency[self.actor]]),
            "family_a_id": str(self.family_ids[self.family_a]),
            "family_b_id": str(self.family_ids[self.family_b]),
        }


@dataclass
class TableTiming:
    rows: int = 0
    seconds: float = 0.0  # generating the rows in Python plus COPY
    copy_seconds: float = 0.0  # COPY alone

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "seconds": round(self.seconds, 3),
            "copy_seconds": round(self.copy_seconds, 3),
            "rows_per_second": round(self.rows / self.seconds) if self.seconds else None,
        }


class Generator:
    def __init__(self, connection: asyncpg.Connection, plan: Plan, seed: int) -> None:
        self.connection = connection
        self.plan = plan
        self.rng = random.Random(seed)
        self.world = World(now=datetime.now(UTC).replace(microsecond=0))
        self.timings: dict[str, TableTiming] = {}
        self._evidence = 0

    # ---- helpers

    def new_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def between(self, start: datetime, end: datetime) -> datetime:
        if end <= start:
            return start
        return start + timedelta(seconds=self.rng.uniform(0, (end - start).total_seconds()))

    def days_ago(self, low: float, high: float) -> datetime:
        return self.world.now - timedelta(days=self.rng.uniform(low, high))

    def body(self) -> str:
        return " ".join(self.rng.sample(SENTENCES, self.rng.randint(2, 4)))

    def team_agencies(self, family: int) -> list[int]:
        return sorted({self.world.user_agency[user] for user in self.world.teams[family]})

    async def copy(self, table: str, columns: Sequence[str], rows: Iterable[tuple]) -> None:
        """COPY rows in batches; the time spent generating them counts towards the table too."""
        timing = self.timings.setdefault(table, TableTiming())
        started = time.perf_counter()
        batch: list[tuple] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= BATCH:
                await self._copy_batch(table, columns, batch, timing)
                batch = []
        if batch:
            await self._copy_batch(table, columns, batch, timing)
        timing.seconds += time.perf_counter() - started

    async def _copy_batch(self, table: str, columns: Sequence[str], batch: list[tuple], timing: TableTiming) -> None:
        started = time.perf_counter()
        await self.connection.copy_records_to_table(table, records=batch, columns=list(columns))
        timing.copy_seconds += time.perf_counter() - started
        timing.rows += len(batch)

    # ---- the tables, in foreign-key order

    async def generate(self, progress: Callable[[str], None]) -> dict[str, TableTiming]:
        await self.connection.execute("SET synchronous_commit = off")
        steps = [
            ("agency", self.agencies),
            ("family", self.families),
            ("family_member", self.family_members),
            ("app_user", self.users),
            ("team_membership", self.team_memberships),
            ("contribution + contribution_version", self.contributions),
            ("consent", self.consents),
            ("safeguarding_override", self.overrides),
            ("sharing_decision", self.sharing_decisions),
            ("engagement_agreement", self.engagement_agreements),
        ]
        for name, step in steps:
            started = time.perf_counter()
            await step()
            progress(f"  {name}: {time.perf_counter() - started:.1f} s")
        return self.timings

    async def agencies(self) -> None:
        world, created = self.world, self.world.now - timedelta(days=1500)
        rows = []
        for index in range(self.plan.agencies):
            kind = AGENCY_KINDS[index % len(AGENCY_KINDS)]
            agency_id = self.new_id()
            world.agency_ids.append(agency_id)
            name = f"Bench {kind.replace('_', ' ').title()} {index // len(AGENCY_KINDS) + 1:02d}"
            rows.append((agency_id, name, kind, created))
        await self.copy("agency", ("id", "name", "kind", "created_at"), rows)

    async def families(self) -> None:
        rng, world = self.rng, self.world
        statuses = [status.value for status in FamilyStatus]
        levels = [level.value for level in LevelOfNeed]

        def rows() -> Iterable[tuple]:
            for index in range(self.plan.families):
                family_id = self.new_id()
                designed = index in (world.family_a, world.family_b)
                opened = self.days_ago(700, 730) if designed else self.days_ago(30, 1100)
                status = "active" if designed else rng.choices(statuses, weights=(10, 10, 50, 10, 10, 10))[0]
                closed = min(opened + timedelta(days=rng.uniform(90, 400)), world.now) if status == "closed" else None
                world.family_ids.append(family_id)
                world.family_opened.append(opened)
                surname = rng.choice(SURNAMES)
                yield (
                    family_id,
                    f"TAF-{1001 + index}",
                    f"The {surname} family",
                    status,
                    rng.choice(levels),
                    opened,
                    closed,
                    1,
                    closed or opened,
                )

        columns = (
            "id",
            "reference",
            "display_name",
            "status",
            "level_of_need",
            "opened_at",
            "closed_at",
            "version",
            "updated_at",
        )
        await self.copy("family", columns, rows())
        await self.connection.execute("SELECT setval('family_reference_seq', $1)", 1000 + self.plan.families)

    async def family_members(self) -> None:
        rng, world = self.rng, self.world
        today = world.now.date()

        def rows() -> Iterable[tuple]:
            for index, family_id in enumerate(world.family_ids):
                surname = rng.choice(SURNAMES)
                if index in (world.family_a, world.family_b):
                    people = [("mother", 38, False), ("son", 14, True), ("daughter", 9, True)]
                else:
                    adult = rng.choice(["mother", "father", "grandmother", "aunt", "stepfather"])
                    children = [
                        (rng.choice(["son", "daughter"]), rng.randint(0, 17), True) for _ in range(rng.randint(1, 4))
                    ]
                    people = [(adult, rng.randint(22, 60), False), *children]
                members = []
                for relationship, age, subject in people:
                    member_id = self.new_id()
                    members.append((member_id, age))
                    born = date(today.year - age, 1, 1) + timedelta(days=rng.randint(0, 360))
                    yield (
                        member_id,
                        family_id,
                        f"{rng.choice(FIRST_NAMES)} {surname}",
                        born,
                        relationship,
                        subject,
                        world.family_opened[index],
                    )
                world.members.append(members)

        columns = ("id", "family_id", "full_name", "date_of_birth", "relationship", "is_subject_child", "created_at")
        await self.copy("family_member", columns, rows())

    async def users(self) -> None:
        rng, world, plan = self.rng, self.world, self.plan
        ig_officers = max(2, plan.users // 100)
        admins = max(1, plan.users // 400)
        created = world.now - timedelta(days=1400)
        rows = []
        for index in range(plan.users):
            if index < plan.agencies:  # every agency has a manager
                agency, role = index, "manager"
            elif index < plan.agencies + ig_officers:
                agency, role = rng.randrange(plan.agencies), "ig_officer"
            elif index < plan.agencies + ig_officers + admins:
                agency, role = rng.randrange(plan.agencies), "admin"
            else:
                agency = rng.randrange(plan.agencies)
                role = "manager" if rng.random() < 0.03 else "practitioner"
            user_id = self.new_id()
            world.user_ids.append(user_id)
            world.user_agency.append(agency)
            world.user_role.append(role)
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            rows.append(
                (
                    user_id,
                    f"user{index:05d}@bench.example",
                    name,
                    "staff",
                    role,
                    world.agency_ids[agency],
                    True,
                    created,
                )
            )
        world.actor = world.user_role.index("practitioner")
        columns = ("id", "email", "display_name", "kind", "role", "agency_id", "is_active", "created_at")
        await self.copy("app_user", columns, rows)

    def _team(self, family: int, eligible: list[int], practitioners: list[int]) -> list[int]:
        """Active team members, lead professional (a practitioner) first."""
        rng, world = self.rng, self.world
        size = min(rng.randint(self.plan.team_mean - 20, self.plan.team_mean + 20), len(eligible) - 10)
        team = rng.sample(eligible, size)
        if family in (world.family_a, world.family_b):
            actor_agency = world.user_agency[world.actor]
            if world.actor in team:
                team.remove(world.actor)
            team.append(world.actor)
            lead = rng.choice([user for user in practitioners if world.user_agency[user] != actor_agency])
            if lead in team:
                team.remove(lead)
            return [lead, *team]
        lead = next((user for user in team if world.user_role[user] == "practitioner"), None)
        if lead is None:
            lead = rng.choice([user for user in practitioners if user not in team])
            team[0] = lead
        team.remove(lead)
        return [lead, *team]

    async def team_memberships(self) -> None:
        rng, world = self.rng, self.world
        eligible = [i for i, role in enumerate(world.user_role) if role in ("practitioner", "manager")]
        practitioners = [i for i, role in enumerate(world.user_role) if role == "practitioner"]

        def rows() -> Iterable[tuple]:
            for family, family_id in enumerate(world.family_ids):
                opened = world.family_opened[family]
                team = self._team(family, eligible, practitioners)
                world.teams.append(team)
                for position, user in enumerate(team):
                    joined = opened if position == 0 else self.between(opened, opened + timedelta(days=60))
                    yield self._membership(
                        family_id, user, "lead_professional" if position == 0 else "contributor", joined
                    )
                # Agencies that left the team: an earlier lead now and then, and a few contributors.
                members = set(team)
                leavers = [user for user in rng.sample(practitioners, 8) if user not in members]
                ended = leavers[: rng.randint(0, 4)]
                for number, user in enumerate(ended):
                    role = "lead_professional" if number == 0 and rng.random() < 0.3 else "contributor"
                    joined = opened
                    left = self.between(joined + timedelta(days=7), world.now)
                    yield self._membership(family_id, user, role, joined, left)

        columns = (
            "id",
            "family_id",
            "agency_id",
            "user_id",
            "role",
            "agency_role",
            "contact_in_hours",
            "contact_out_of_hours",
            "valid_from",
            "valid_to",
            "ended_reason",
            "created_at",
        )
        await self.copy("team_membership", columns, rows())

    def _membership(
        self, family_id: uuid.UUID, user: int, role: str, joined: datetime, left: datetime | None = None
    ) -> tuple:
        world = self.world
        return (
            self.new_id(),
            family_id,
            world.agency_ids[world.user_agency[user]],
            world.user_ids[user],
            role,
            AGENCY_ROLES[user % len(AGENCY_ROLES)],
            f"01632 96{user % 10_000:04d}",
            "Emergency Duty Team 0300 555 0100",
            joined,
            left,
            "Agency's work with the family ended" if left else None,
            joined,
        )

    async def contributions(self) -> None:
        started = time.perf_counter()
        rng, world, plan = self.rng, self.world, self.plan
        counts = [0] * plan.families
        counts[world.family_a], counts[world.family_b] = 200, 20
        others = [index for index in range(plan.families) if index not in (world.family_a, world.family_b)]
        for index in others:  # every family has at least one item
            counts[index] = 1
        for _ in range(plan.contributions - sum(counts)):
            counts[rng.choice(others)] += 1
        # Items are written over time, across families, so rows land in created_at order and a family's
        # items are spread over the table as in a real system (not clustered by family).
        timeline = [
            (self.between(world.family_opened[family], world.now), family)
            for family, count in enumerate(counts)
            for _ in range(count)
        ]
        timeline.sort(key=lambda pair: pair[0])
        contribution_columns = (
            "id",
            "family_id",
            "owning_agency_id",
            "author_user_id",
            "kind",
            "category",
            "title",
            "body",
            "about_member_ids",
            "may_appear_in_family_summary",
            "contains_third_party_identities",
            "version",
            "created_at",
            "updated_at",
        )
        version_columns = (
            "id",
            "contribution_id",
            "version",
            "editor_user_id",
            "kind",
            "category",
            "title",
            "body",
            "about_member_ids",
            "may_appear_in_family_summary",
            "contains_third_party_identities",
            "created_at",
        )
        for start in range(0, len(timeline), BATCH):
            items = [self._item(created, family) for created, family in timeline[start : start + BATCH]]
            await self.copy("contribution", contribution_columns, items)
            versions = [(self.new_id(), item[0], 1, item[3], *item[4:11], item[12]) for item in items]
            await self.copy("contribution_version", version_columns, versions)
        # Generating the items (and the timeline) counts towards contribution, the versions' copies not.
        total = time.perf_counter() - started
        self.timings["contribution"].seconds = total - self.timings["contribution_version"].seconds

    def _item(self, created: datetime, family: int) -> tuple:
        rng, world = self.rng, self.world
        author = rng.choice(world.teams[family])
        category = rng.choice(CATEGORIES)
        members = world.members[family]
        about = [member for member, _ in rng.sample(members, rng.randint(0, min(2, len(members))))]
        return (
            self.new_id(),
            world.family_ids[family],
            world.agency_ids[world.user_agency[author]],
            world.user_ids[author],
            rng.choice(KINDS),
            category,
            rng.choice(TITLE_WORDS[category]),
            self.body(),
            about,
            rng.random() < 0.3,
            rng.random() < 0.1,
            1,
            created,
            created,
        )

    async def consents(self) -> None:
        rng, world, plan = self.rng, self.world, self.plan
        others = [index for index in range(plan.families) if index not in (world.family_a, world.family_b)]

        def random_consent() -> tuple:
            family = rng.choice(others)
            given_by, _age = rng.choice([member for member in world.members[family] if member[1] >= 12])
            adult = world.members[family][0][0] == given_by
            capacity = rng.choice(["self", "parental_responsibility"]) if adult else "self"
            whole_team = rng.random() < 0.5
            agencies = self.team_agencies(family)
            recipients = [] if whole_team else rng.sample(agencies, min(len(agencies), rng.randint(1, 3)))
            valid_from = self.between(world.family_opened[family], world.now - timedelta(days=1))
            roll = rng.random()
            if roll < 0.60:
                valid_to = None
            elif roll < 0.85:
                valid_to = world.now + timedelta(days=rng.uniform(30, 365))
            else:  # expired
                valid_to = self.between(valid_from + timedelta(hours=1), world.now - timedelta(minutes=1))
            withdrawn = rng.random() < 0.1
            return self._consent(
                family,
                given_by,
                capacity,
                "given" if rng.random() < 0.8 else "refused",
                rng.sample(CATEGORIES, rng.randint(1, 5)),
                whole_team,
                [world.agency_ids[agency] for agency in recipients],
                rng.choice(world.teams[family]),
                valid_from,
                valid_to,
                self.between(valid_from, world.now) if withdrawn else None,
            )

        def rows() -> Iterable[tuple]:
            for family in (world.family_a, world.family_b):
                yield from self._designed_consents(family)
            for _ in range(plan.consents - 10):
                yield random_consent()

        columns = (
            "id",
            "family_id",
            "given_by_member_id",
            "capacity",
            "decision",
            "categories",
            "whole_team",
            "recipient_agency_ids",
            "purpose",
            "evidence_reference",
            "recorded_by_user_id",
            "valid_from",
            "valid_to",
            "withdrawn_at",
            "withdrawn_by_user_id",
            "withdrawal_reason",
            "created_at",
        )
        await self.copy("consent", columns, rows())

    def _designed_consents(self, family: int) -> list[tuple]:
        world = self.world
        mother, son = world.members[family][0][0], world.members[family][1][0]
        lead = world.teams[family][0]
        actor_agency = world.agency_ids[world.user_agency[world.actor]]
        since = world.now - timedelta(days=180)
        return [
            self._consent(family, mother, "parental_responsibility", "given", A_WHOLE_TEAM, True, [], lead, since),
            self._consent(family, son, "self", "refused", ["mental_health"], True, [], lead, since),
            self._consent(family, mother, "self", "given", ["domestic_abuse"], False, [actor_agency], lead, since),
            self._consent(
                family, mother, "self", "given", ["police"], True, [], lead, since, world.now - timedelta(days=30)
            ),
            self._consent(
                family,
                mother,
                "self",
                "given",
                ["police", "mental_health"],
                True,
                [],
                lead,
                since,
                None,
                world.now - timedelta(days=10),
            ),
        ]

    def _consent(
        self,
        family: int,
        given_by: uuid.UUID,
        capacity: str,
        decision: str,
        categories: list[str],
        whole_team: bool,
        recipients: list[uuid.UUID],
        recorded_by: int,
        valid_from: datetime,
        valid_to: datetime | None = None,
        withdrawn_at: datetime | None = None,
    ) -> tuple:
        world = self.world
        self._evidence += 1
        return (
            self.new_id(),
            world.family_ids[family],
            given_by,
            capacity,
            decision,
            categories,
            whole_team,
            recipients,
            "To coordinate the family's early help plan",
            f"Signed form CS-{self._evidence:06d}",
            world.user_ids[recorded_by],
            valid_from,
            valid_to,
            withdrawn_at,
            world.user_ids[recorded_by] if withdrawn_at else None,
            "The family asked to stop sharing" if withdrawn_at else None,
            valid_from,
        )

    async def overrides(self) -> None:
        rng, world, plan = self.rng, self.world, self.plan
        others = [index for index in range(plan.families) if index not in (world.family_a, world.family_b)]
        ig_officers = [i for i, role in enumerate(world.user_role) if role == "ig_officer"]

        def random_override() -> tuple:
            family = rng.choice(others)
            decider = rng.choice(world.teams[family])
            owner = world.user_agency[decider]
            recipients = [agency for agency in self.team_agencies(family) if agency != owner]
            starts = self.days_ago(0.5, 150)
            expires = starts + timedelta(days=rng.uniform(7, 90))
            revoked = rng.random() < 0.1 and expires > starts + timedelta(days=1)
            reviewed = rng.random() < 0.3
            return self._override(
                family,
                decider,
                rng.sample(CATEGORIES, rng.randint(1, 2)),
                rng.sample(recipients, min(len(recipients), rng.randint(1, 3))),
                starts,
                expires,
                revoked=rng.choice(ig_officers) if revoked else None,
                reviewed=rng.choice(ig_officers) if reviewed else None,
                informed=rng.random() < 0.7,
            )

        def rows() -> Iterable[tuple]:
            actor_agency = world.user_agency[world.actor]
            for family in (world.family_a, world.family_b):
                team = world.teams[family]
                decider = next(user for user in team[1:] if world.user_agency[user] != actor_agency)
                now = world.now
                categories = ["mental_health", "police"]
                yield self._override(
                    family, decider, categories, [actor_agency], now - timedelta(days=5), now + timedelta(days=30)
                )
                yield self._override(
                    family, decider, ["finance"], [actor_agency], now - timedelta(days=90), now - timedelta(days=20)
                )
                yield self._override(
                    family,
                    decider,
                    ["substance_misuse"],
                    [actor_agency],
                    now - timedelta(days=9),
                    now + timedelta(days=50),
                    revoked=ig_officers[0],
                )
            for _ in range(plan.overrides - 6):
                yield random_override()

        columns = (
            "id",
            "family_id",
            "owning_agency_id",
            "decided_by_user_id",
            "categories",
            "recipient_agency_ids",
            "justification",
            "lawful_basis",
            "advice_sought",
            "family_informed",
            "not_informed_reason",
            "starts_at",
            "expires_at",
            "revoked_at",
            "revoked_by_user_id",
            "revocation_reason",
            "reviewed_at",
            "reviewed_by_user_id",
            "review_note",
            "created_at",
        )
        await self.copy("safeguarding_override", columns, rows())

    def _override(
        self,
        family: int,
        decider: int,
        categories: list[str],
        recipients: list[int],
        starts: datetime,
        expires: datetime,
        *,
        revoked: int | None = None,
        reviewed: int | None = None,
        informed: bool = False,
    ) -> tuple:
        world, rng = self.world, self.rng
        revoked_at = self.between(starts, min(expires, world.now)) if revoked is not None else None
        reviewed_at = self.between(starts, world.now) if reviewed is not None else None
        return (
            self.new_id(),
            world.family_ids[family],
            world.agency_ids[world.user_agency[decider]],
            world.user_ids[decider],
            categories,
            [world.agency_ids[agency] for agency in recipients],
            "A child is at risk of significant harm; the school must know today to keep them safe.",
            rng.choice(LAWFUL_BASES),
            "Discussed with the designated safeguarding lead",
            informed,
            None if informed else "Telling the family now could put the child at greater risk",
            starts,
            expires,
            revoked_at,
            world.user_ids[revoked] if revoked is not None else None,
            "No longer necessary" if revoked is not None else None,
            reviewed_at,
            world.user_ids[reviewed] if reviewed is not None else None,
            "Proportionate and time-limited" if reviewed is not None else None,
            starts,
        )

    async def sharing_decisions(self) -> None:
        rng, world = self.rng, self.world

        def rows() -> Iterable[tuple]:
            for _ in range(self.plan.decisions):
                family = rng.randrange(self.plan.families)
                decider = rng.choice(world.teams[family])
                owner = world.user_agency[decider]
                recipients = [agency for agency in self.team_agencies(family) if agency != owner]
                yield (
                    self.new_id(),
                    world.family_ids[family],
                    world.agency_ids[owner],
                    world.user_ids[decider],
                    rng.sample(CATEGORIES, rng.randint(1, 2)),
                    [world.agency_ids[agency] for agency in rng.sample(recipients, min(2, len(recipients)))],
                    "Not necessary or proportionate for the plan at this stage.",
                    self.days_ago(1, 300),
                )

        columns = (
            "id",
            "family_id",
            "owning_agency_id",
            "decided_by_user_id",
            "categories",
            "recipient_agency_ids",
            "reason",
            "created_at",
        )
        await self.copy("sharing_decision", columns, rows())

    async def engagement_agreements(self) -> None:
        rng, world = self.rng, self.world

        def rows() -> Iterable[tuple]:
            for family, family_id in enumerate(world.family_ids):
                lead = world.teams[family][0]
                yield (
                    self.new_id(),
                    family_id,
                    world.members[family][0][0],
                    rng.random() < 0.92,
                    "",
                    world.user_ids[lead],
                    world.family_opened[family],
                    None,
                )

        columns = (
            "id",
            "family_id",
            "member_id",
            "agreed",
            "notes",
            "recorded_by_user_id",
            "recorded_at",
            "withdrawn_at",
        )
        await self.copy("engagement_agreement", columns, rows())
