"""The domain's rules applied to an imported family: the same checks the API's services make (they are the
services' own functions, kept free of the database for this), giving the rows to write or the problems,
each by row and field. What history adds to them: one lead professional, nothing recorded after the
closure (a closed record is read-only), and the family's status and level as the recorded events leave
them (the latest exit assessment or step, by date)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from server.assessment.factors import Catalogue
from server.assessment.models import RISK_PRESENT, AssessmentStage
from server.assessment.service import assessment_values, rating_values
from server.caseimport.document import ImportedFamily, Problem
from server.clock import moment_on
from server.errors import BadUserInput
from server.family.models import FamilyStatus, LevelOfNeed
from server.family.service import check_members, check_opened_on, member_values
from server.team.models import TeamRole
from server.team.service import check_team_worker, membership_values
from server.transition.models import TransitionKind
from server.transition.service import check_step_down_level, closure_values, transition_values
from server.user.models import SystemRole, User
from server.validation import required_text

STAND_IN = User(id=uuid.UUID(int=0), email="", display_name="", kind="staff", role=SystemRole.practitioner)


@dataclass(frozen=True)
class LeadAuthor:
    """The lead professional, as the author of the family's imported assessments."""

    user_id: uuid.UUID
    agency_id: uuid.UUID | None


Row = dict[str, Any]  # a row's column values, as the domain's *_values functions give them


@dataclass
class FamilyRows:
    """What one family writes, as column values (no ORM instances: building them cost more than all the
    checks together), in the order the tables depend on each other."""

    family: Row
    members: list[Row] = field(default_factory=list)
    team: list[Row] = field(default_factory=list)
    assessments: list[Row] = field(default_factory=list)
    ratings: list[Row] = field(default_factory=list)
    transitions: list[Row] = field(default_factory=list)


class Checker:
    """Applies the rules to one family, noting each refusal under the path of what it refused."""

    def __init__(self, imported: ImportedFamily, problems: list[Problem]) -> None:
        self.imported, self.problems, self.before = imported, problems, len(problems)

    @contextmanager
    def at(self, path: str) -> Iterator[None]:
        try:
            yield
        except BadUserInput as refusal:
            inner = refusal.extensions.get("field")
            where = ".".join(part for part in (path, inner) if part) or "family"
            self.problems.append(Problem(self.imported.row, where, refusal.message))

    def note(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.imported.row, path, message))

    @property
    def clean(self) -> bool:
        return len(self.problems) == self.before


def family_rows(
    imported: ImportedFamily, users: dict[str, User], catalogue: Catalogue, problems: list[Problem]
) -> FamilyRows | None:
    """The rows of `imported`, checked by the domain's rules, or None (with problems noted)."""
    check = Checker(imported, problems)
    family: Row = {"id": uuid.uuid4(), "status": imported.status, "level_of_need": imported.level_of_need}
    family |= {"opened_at": None, "closed_at": None}
    with check.at(""):
        family["display_name"] = required_text(imported.display_name, "displayName", 200)
    with check.at(""):
        family["opened_at"] = moment_on(check_opened_on(imported.opened_on))
    with check.at(""):
        required_text(imported.source_reference, "sourceReference", 100)
    rows = FamilyRows(family)
    _members(check, rows, imported)
    # With no lead (or no opening date) found, the rest is still checked, against a stand-in: every
    # problem is reported at once, and rows with a stand-in are never written (the family has problems).
    lead = _team(check, rows, imported, users) or STAND_IN
    if not check.clean and family["opened_at"] is None:
        family["opened_at"] = moment_on(date.min)
    _assessments(check, rows, imported, lead, catalogue)
    _transitions(check, rows, imported, lead)
    _outcome(rows, imported)
    return rows if check.clean else None


def _members(check: Checker, rows: FamilyRows, imported: ImportedFamily) -> None:
    with check.at(""):
        check_members(imported.members, require_subject_child=True)
    for n, (member, member_id) in enumerate(zip(imported.members, imported.member_ids.values(), strict=False), 1):
        with check.at(f"members[{n}]"):
            rows.members.append(member_values(rows.family["id"], member) | {"id": member_id})


def _team(check: Checker, rows: FamilyRows, imported: ImportedFamily, users: dict[str, User]) -> User | None:
    """The team's memberships from the opening day; the lead professional, when there is exactly one."""
    leads = [member for member in imported.team if member.lead]
    if len(leads) != 1:
        check.note("team", f"A family has one lead professional; the file names {len(leads)}.")
    emails: set[str] = set()
    lead = None
    for n, member in enumerate(imported.team, 1):
        if member.email in emails:
            check.note(f"team[{n}].email", f"{member.email} is on the team twice.")
        emails.add(member.email)
        with check.at(f"team[{n}]"):
            worker = check_team_worker(users.get(member.email), field="email")
            role = TeamRole.lead_professional if member.lead else TeamRole.contributor
            opened_at = rows.family["opened_at"]
            rows.team.append(membership_values(rows.family["id"], worker, role, member.contact, opened_at))
            lead = worker if member.lead else lead
    return lead if len(leads) == 1 else None


def _assessments(check: Checker, rows: FamilyRows, imported: ImportedFamily, lead: User, catalogue: Catalogue) -> None:
    """Each by the lead professional (who records assessments), none after the closure."""
    if imported.assessments and lead.role != SystemRole.practitioner:
        check.note("team", "The lead professional records the assessments: a practitioner, not a manager.")
        return
    members = set(imported.member_ids.values())
    entry_risks = _entry_risks(imported)
    author = LeadAuthor(lead.id, lead.agency_id)
    closed_on = imported.closure.effective_on if imported.closure else None
    for n, assessment in enumerate(imported.assessments, 1):
        with check.at(f"assessments[{n}]"):
            row = assessment_values(
                rows.family["id"], assessment.data, catalogue, members=members, entry_risks=entry_risks, author=author
            )
            _not_after_closure(row["assessed_on"], closed_on, "assessedOn")
            row["id"] = uuid.uuid4()
            rows.assessments.append(row)
            rows.ratings += rating_values(row["id"], author.agency_id, assessment.data, catalogue)


def _entry_risks(imported: ImportedFamily) -> set[tuple[str, uuid.UUID | None]]:
    """The risks the family's first entry assessment found (the API reads the same)."""
    entries = [a.data for a in imported.assessments if a.data.stage is AssessmentStage.entry]
    if not entries:
        return set()
    first = min(entries, key=lambda data: data.assessed_on)
    return {(r.factor, r.member_id) for r in first.ratings if r.rating in RISK_PRESENT}


def _transitions(check: Checker, rows: FamilyRows, imported: ImportedFamily, lead: User) -> None:
    opened_on, family_id = rows.family["opened_at"].date(), rows.family["id"]
    closed_on = imported.closure.effective_on if imported.closure else None
    for n, step in enumerate(imported.steps, 1):
        with check.at(f"transitions[{n}]"):
            if step.kind is TransitionKind.step_down:
                check_step_down_level(step.level_of_need)  # type: ignore[arg-type]
            row = transition_values(
                family_id, opened_on, lead.id, step.kind, step.reason, step.effective_on, step.receiving_team
            )
            _not_after_closure(row["effective_on"], closed_on, "effectiveOn")
            rows.transitions.append(row)
    if imported.closure is not None:
        closure = imported.closure
        with check.at("closure"):
            try:
                row = transition_values(
                    family_id, opened_on, lead.id, TransitionKind.closure, closure.reason, closure.effective_on
                )
            except BadUserInput as refusal:
                if refusal.extensions.get("field") == "effectiveOn":  # the closure's date is the file's closedOn
                    raise BadUserInput(refusal.message, field="closedOn") from None
                raise
            rows.transitions.append(row | closure_values(closure))


def _not_after_closure(day: date, closed_on: date | None, field_name: str) -> None:
    if closed_on is not None and day > closed_on:
        raise BadUserInput("Nothing is recorded after the case was closed (closedOn).", field=field_name)


def _outcome(rows: FamilyRows, imported: ImportedFamily) -> None:
    """Status and level as recording the events in date order leaves them: a step moves both, the latest
    exit assessment sets the level (server/assessment/exit_level.py), a closure closes the record."""
    events: list[tuple[date, int, FamilyStatus | None, LevelOfNeed]] = []
    for step in imported.steps:
        stepped_up = step.kind is TransitionKind.step_up
        status = FamilyStatus.stepped_up if stepped_up else FamilyStatus.stepped_down
        level = LevelOfNeed.statutory if stepped_up else step.level_of_need
        events.append((step.effective_on, 0, status, level))  # type: ignore[arg-type]
    for assessment in imported.assessments:
        if assessment.data.stage is AssessmentStage.exit:
            events.append((assessment.data.assessed_on, 1, None, assessment.data.level_of_need))
    family = rows.family
    for _day, _order, status, level in sorted(events, key=lambda event: (event[0], event[1])):
        family["status"] = status or family["status"]
        family["level_of_need"] = level
    if imported.closure is not None:
        family["status"] = FamilyStatus.closed
        family["closed_at"] = moment_on(imported.closure.effective_on, not_before=family["opened_at"])
