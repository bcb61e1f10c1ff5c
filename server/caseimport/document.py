"""The import file (docs/IMPORT.md): a JSON document of historic families. This module reads it into the
domain's own inputs (MemberIn, AssessmentIn, ...), noting every problem by row (the family's position in
the file, from 1) and field (its path inside the family); it checks shapes and types only. The domain's
rules are applied by server/caseimport/rules.py."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar

from server.access.categories import InformationCategory
from server.assessment.models import AssessmentStage, RiskRating
from server.assessment.service import AssessmentIn, RatingIn
from server.errors import BadUserInput
from server.family.models import FamilyStatus, LevelOfNeed
from server.family.service import MemberIn
from server.team.service import Contact
from server.transition.models import CareOutcome, ClosureOutcome, TransitionKind
from server.transition.service import ClosureIn

FORMAT = "taf-import/1"
MAX_FAMILIES = 5_000
OPEN_STATUSES = (FamilyStatus.referral, FamilyStatus.assessment, FamilyStatus.active)
STEPS = (TransitionKind.step_up, TransitionKind.step_down)

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Problem:
    row: int | None  # the family's position in the file, from 1; None for the file as a whole
    field: str  # the path inside the family (or the file), e.g. assessments[2].assessedOn
    message: str


@dataclass
class TeamMemberIn:
    email: str
    contact: Contact
    lead: bool


@dataclass
class StepIn:
    kind: TransitionKind
    effective_on: date
    reason: str
    receiving_team: str
    level_of_need: LevelOfNeed | None  # a step down's new level


@dataclass
class ImportedAssessment:
    data: AssessmentIn
    author_email: str | None  # None: the lead professional


@dataclass
class ImportedFamily:
    """One family of the file, read into the domain's inputs. Member keys are the file's own names for
    its members, which ratings refer to; each member gets its id now, so ratings can name it."""

    row: int
    source_reference: str
    display_name: str
    level_of_need: LevelOfNeed
    status: FamilyStatus
    opened_on: date
    members: list[MemberIn]
    member_ids: dict[str, uuid.UUID]
    team: list[TeamMemberIn]
    assessments: list[ImportedAssessment]
    steps: list[StepIn]
    closure: ClosureIn | None
    extra: dict[str, Any] = field(default_factory=dict)  # sections handled by server/caseimport/sections.py


def parse(content: str, max_bytes: int) -> list[Any]:
    """The file's families as JSON values, or BAD_USER_INPUT (on `content`) before any other work when the
    file is too large, is not JSON, or is not in this format."""
    size = len(content.encode())
    if size > max_bytes:
        raise BadUserInput(
            f"The file is {size:,} bytes; the most an import takes is {max_bytes:,} bytes."
            " Split it into several files and import each.",
            field="content",
        )
    try:
        document = json.loads(content)
    except (json.JSONDecodeError, RecursionError) as error:
        raise BadUserInput(
            f"The file is not JSON ({error}). Export it as described in docs/IMPORT.md.", field="content"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise BadUserInput(
            f'The file is not an import file: it must be a JSON object with "format": "{FORMAT}".', field="content"
        )
    families = document.get("families")
    if not isinstance(families, list) or not families:
        raise BadUserInput('The file has no "families" list.', field="content")
    if len(families) > MAX_FAMILIES:
        raise BadUserInput(
            f"The file has {len(families):,} families; split it into files of {MAX_FAMILIES:,}.", field="content"
        )
    return families


class Reader:
    """Reads one family's JSON, noting problems instead of stopping at the first."""

    def __init__(self, row: int, problems: list[Problem]) -> None:
        self.row, self.problems = row, problems

    def note(self, path: str, message: str) -> None:
        self.problems.append(Problem(self.row, path, message))

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if isinstance(value, dict):
            return value
        self.note(path, "Must be an object.")
        return {}

    def items(self, value: dict, key: str, path: str) -> list[tuple[str, dict[str, Any]]]:
        found = value.get(key, [])
        if not isinstance(found, list):
            self.note(_at(path, key), "Must be a list.")
            return []
        return [(f"{_at(path, key)}[{n}]", self.obj(item, f"{_at(path, key)}[{n}]")) for n, item in enumerate(found, 1)]

    def text(self, value: dict, key: str, path: str, *, required: bool = True) -> str:
        found = value.get(key)
        if found is None and not required:
            return ""
        if not isinstance(found, str):
            self.note(_at(path, key), "Required text." if found is None else "Must be text.")
            return ""
        return found

    def day(self, value: dict, key: str, path: str, *, required: bool = True) -> date | None:
        found = value.get(key)
        if found is None and not required:
            return None
        try:
            return date.fromisoformat(found)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            self.note(_at(path, key), "Must be a date as YYYY-MM-DD.")
            return None

    def flag(self, value: dict, key: str, path: str) -> bool:
        found = value.get(key, False)
        if not isinstance(found, bool):
            self.note(_at(path, key), "Must be true or false.")
            return False
        return found

    def choice(self, value: dict, key: str, path: str, enum: type[E], default: E | None = None) -> E | None:
        found = value.get(key)
        if found is None and default is not None:
            return default
        try:
            return enum(found)
        except ValueError:
            self.note(_at(path, key), f"Must be one of: {', '.join(member.value for member in enum)}.")
            return None

    def unknown(self, value: dict, known: set[str], path: str) -> None:
        for key in sorted(set(value) - known):
            self.note(_at(path, key), "Not a field of the import format (docs/IMPORT.md).")


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


FAMILY_FIELDS = {"sourceReference", "displayName", "levelOfNeed", "status", "openedOn", "closedOn", "closure"}
FAMILY_FIELDS |= {"members", "team", "assessments", "transitions"}


def read_family(row: int, raw: Any, problems: list[Problem], extra_sections: set[str]) -> ImportedFamily | None:
    """The family at `row`, or None if its shape is too wrong to check further (problems noted)."""
    r = Reader(row, problems)
    value = r.obj(raw, "")
    before = len(problems)
    r.unknown(value, FAMILY_FIELDS | extra_sections, "")
    members, member_ids = _members(r, value)
    family = ImportedFamily(
        row=row,
        source_reference=r.text(value, "sourceReference", ""),
        display_name=r.text(value, "displayName", ""),
        level_of_need=r.choice(value, "levelOfNeed", "", LevelOfNeed),  # type: ignore[arg-type]
        status=r.choice(value, "status", "", FamilyStatus, FamilyStatus.active),  # type: ignore[arg-type]
        opened_on=r.day(value, "openedOn", ""),  # type: ignore[arg-type]
        members=members,
        member_ids=member_ids,
        team=[_team_member(r, item, path) for path, item in r.items(value, "team", "")],
        assessments=[_assessment(r, item, path, member_ids) for path, item in r.items(value, "assessments", "")],
        steps=[_step(r, item, path) for path, item in r.items(value, "transitions", "")],
        closure=_closure(r, value),
        extra={key: value[key] for key in extra_sections if key in value},
    )
    if family.status not in (*OPEN_STATUSES, None):
        r.note(
            "status", "An imported family's status is referral, assessment or active; steps and closure set the rest."
        )
    return family if len(problems) == before else None


def _members(r: Reader, value: dict) -> tuple[list[MemberIn], dict[str, uuid.UUID]]:
    members, ids = [], {}
    for path, item in r.items(value, "members", ""):
        r.unknown(item, {"key", "fullName", "relationship", "dateOfBirth", "isSubjectChild"}, path)
        key = r.text(item, "key", path)
        if key in ids:
            r.note(f"{path}.key", f"Another member has the key {key!r}.")
        ids[key] = uuid.uuid4()
        members.append(
            MemberIn(
                full_name=r.text(item, "fullName", path),
                relationship=r.text(item, "relationship", path),
                date_of_birth=r.day(item, "dateOfBirth", path, required=False),
                is_subject_child=r.flag(item, "isSubjectChild", path),
            )
        )
    return members, ids


def _team_member(r: Reader, item: dict, path: str) -> TeamMemberIn:
    r.unknown(item, {"email", "role", "agencyRole", "contactInHours", "contactOutOfHours"}, path)
    role = item.get("role")
    if role not in ("lead_professional", "contributor"):
        r.note(f"{path}.role", "Must be one of: lead_professional, contributor.")
    contact = Contact(
        agency_role=r.text(item, "agencyRole", path),
        in_hours=r.text(item, "contactInHours", path, required=False),
        out_of_hours=r.text(item, "contactOutOfHours", path, required=False),
    )
    return TeamMemberIn(
        email=r.text(item, "email", path).strip().lower(), contact=contact, lead=role == "lead_professional"
    )


ASSESSMENT_TEXTS = {"strengths": "strengths", "needs": "needs", "childViews": "child_views"}
ASSESSMENT_TEXTS |= {"familyViews": "family_views", "protectiveFactors": "protective_factors"}


def _assessment(r: Reader, item: dict, path: str, member_ids: dict[str, uuid.UUID]) -> ImportedAssessment:
    known = {"stage", "assessedOn", "levelOfNeed", "ratings", "resilienceIndicators", "category", "authorEmail"}
    r.unknown(item, known | set(ASSESSMENT_TEXTS) | {"containsThirdPartyIdentities"}, path)
    ratings = []
    for rating_path, rating in r.items(item, "ratings", path):
        r.unknown(rating, {"factor", "rating", "member"}, rating_path)
        member = rating.get("member")
        if member is not None and member not in member_ids:
            r.note(f"{rating_path}.member", f"No member of this family has the key {member!r}.")
        rating_value = r.choice(rating, "rating", rating_path, RiskRating)
        ratings.append(RatingIn(r.text(rating, "factor", rating_path), rating_value, member_ids.get(member)))  # type: ignore[arg-type]
    indicators = item.get("resilienceIndicators", [])
    if not isinstance(indicators, list) or not all(isinstance(code, str) for code in indicators):
        r.note(f"{path}.resilienceIndicators", "Must be a list of indicator codes.")
        indicators = []
    author = item.get("authorEmail")
    data = AssessmentIn(
        stage=r.choice(item, "stage", path, AssessmentStage),  # type: ignore[arg-type]
        assessed_on=r.day(item, "assessedOn", path),  # type: ignore[arg-type]
        level_of_need=r.choice(item, "levelOfNeed", path, LevelOfNeed),  # type: ignore[arg-type]
        resilience_indicators=indicators,
        ratings=ratings,
        category=r.choice(item, "category", path, InformationCategory, InformationCategory.other),  # type: ignore[arg-type]
        contains_third_party_identities=r.flag(item, "containsThirdPartyIdentities", path),
        **{name: r.text(item, key, path, required=False) for key, name in ASSESSMENT_TEXTS.items()},
    )
    return ImportedAssessment(data, author.strip().lower() if isinstance(author, str) else None)


def _step(r: Reader, item: dict, path: str) -> StepIn:
    r.unknown(item, {"kind", "effectiveOn", "reason", "receivingTeam", "levelOfNeed"}, path)
    kind = r.choice(item, "kind", path, TransitionKind)
    if kind is not None and kind not in STEPS:
        r.note(
            f"{path}.kind",
            "A transition in the file is a step_up or a step_down; give a closure in closedOn and closure.",
        )
    level = r.choice(item, "levelOfNeed", path, LevelOfNeed) if kind is TransitionKind.step_down else None
    return StepIn(
        kind=kind,  # type: ignore[arg-type]
        effective_on=r.day(item, "effectiveOn", path),  # type: ignore[arg-type]
        reason=r.text(item, "reason", path),
        receiving_team=r.text(item, "receivingTeam", path, required=False),
        level_of_need=level,
    )


def _closure(r: Reader, value: dict) -> ClosureIn | None:
    closed_on = r.day(value, "closedOn", "", required=False)
    if closed_on is None:
        if "closure" in value:
            r.note("closure", "A closure needs closedOn, the day the case was closed.")
        return None
    item = r.obj(value.get("closure"), "closure")
    r.unknown(
        item,
        {"outcome", "careOutcome", "reason", "supportContinuing", "contactIfDifficulties", "familyFeedback"},
        "closure",
    )
    return ClosureIn(
        outcome=r.choice(item, "outcome", "closure", ClosureOutcome),  # type: ignore[arg-type]
        care_outcome=r.choice(item, "careOutcome", "closure", CareOutcome),  # type: ignore[arg-type]
        reason=r.text(item, "reason", "closure"),
        support_continuing=r.text(item, "supportContinuing", "closure"),
        contact_if_difficulties=r.text(item, "contactIfDifficulties", "closure"),
        family_feedback=r.text(item, "familyFeedback", "closure", required=False),
        effective_on=closed_on,
    )
