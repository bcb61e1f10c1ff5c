"""Importing historic cases (docs/IMPORT.md), for administrators and IG officers. The whole file is checked
before anything is written; a dry run reports every problem by row and field; a real run writes all of
the file in the caller's one transaction, or nothing.

Not subject to the per-user rate limits meant for interactive use: one import is one request doing the
work of thousands of calls. Abuse is kept in check instead by who may import (the policy's `case_import`),
the size of a file (TAF_IMPORT_MAX_BYTES, and MAX_FAMILIES families), one import at a time across all
instances (an advisory lock), and a file being refused a second time (by its SHA-256)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.assessment.factors import Catalogue
from server.caseimport import writer
from server.caseimport.document import ImportedFamily, Problem, parse, read_family
from server.caseimport.models import CaseImport
from server.caseimport.rules import FamilyRows, family_rows
from server.caseimport.sections import Section, registered
from server.errors import BadUserInput, Conflict
from server.user.models import User

IMPORT_LOCK = 0x7AF1_4D07  # pg_advisory_xact_lock key: one import at a time
MAX_PROBLEMS = 1_000  # listed in a report; the count says how many there were


@dataclass
class ImportReport:
    dry_run: bool
    imported: bool
    sha256: str
    families: int = 0
    members: int = 0
    team_members: int = 0
    assessments: int = 0
    ratings: int = 0
    transitions: int = 0
    sections: dict[str, int] = field(default_factory=dict)  # rows of each section (e.g. services), by its key
    problem_count: int = 0
    problems: list[Problem] = field(default_factory=list)
    references: list[tuple[str, str]] = field(default_factory=list)  # (source reference, TAF reference)


async def import_cases(
    session: AsyncSession,
    access: AccessControl,
    *,
    content: str,
    dry_run: bool,
    max_bytes: int,
    catalogue: Catalogue,
) -> ImportReport:
    access.require_outside_family(Act.create, Kind.case_import)
    raw_families = parse(content, max_bytes)  # too large or not the format: refused before any work
    digest = hashlib.sha256(content.encode()).hexdigest()
    await session.exec(sa.select(sa.func.pg_advisory_xact_lock(IMPORT_LOCK)))  # type: ignore[call-overload]
    await _not_imported_before(session, digest)
    sections = registered()
    for section in sections:
        await section.prepare(session)
    problems: list[Problem] = []
    keys = {section.key for section in sections}
    imported = [read_family(row, raw, problems, keys) for row, raw in enumerate(raw_families, 1)]
    families = await _checked(session, [one for one in imported if one is not None], catalogue, sections, problems)
    report = _report(dry_run, digest, families, problems)
    report.sections = {section.key: section.count for section in sections}
    if dry_run:
        return report
    if problems:
        raise _refusal(problems)
    await writer.assign_references(session, families)
    await writer.write(session, families)
    for section in sections:
        await section.write(session)
    session.add(CaseImport(sha256=digest, imported_by_user_id=access.actor.user_id, families=len(families)))
    report.imported = True
    sources = _sources(imported)
    report.references = [(source, f.family["reference"]) for source, f in zip(sources, families, strict=True)]
    return report


async def _checked(
    session: AsyncSession,
    imported: list[ImportedFamily],
    catalogue: Catalogue,
    sections: list[Section],
    problems: list[Problem],
) -> list[FamilyRows]:
    users = await _users_by_email(session, {member.email for family in imported for member in family.team})
    rows, references = [], {}
    for family in imported:
        if family.source_reference in references:
            first = references[family.source_reference]
            problems.append(Problem(family.row, "sourceReference", f"Family {first} has the same reference."))
        references.setdefault(family.source_reference, family.row)
        checked = family_rows(family, users, catalogue, problems)
        if checked is None:
            continue
        for section in sections:
            if section.key in family.extra:
                section.check(family.row, family.extra[section.key], checked, problems)
        rows.append(checked)
    problems.sort(key=lambda problem: problem.row or 0)
    return rows


def _sources(imported: list[ImportedFamily | None]) -> list[str]:
    return [family.source_reference for family in imported if family is not None]


async def _users_by_email(session: AsyncSession, emails: set[str]) -> dict[str, User]:
    if not emails:
        return {}
    statement = select(User).where(sa.func.lower(col(User.email)).in_(emails))
    return {user.email.lower(): user for user in (await session.exec(statement)).all()}


async def _not_imported_before(session: AsyncSession, digest: str) -> None:
    earlier = (await session.exec(select(CaseImport).where(CaseImport.sha256 == digest))).first()
    if earlier is not None:
        raise Conflict(f"This file was already imported on {earlier.imported_at:%d %B %Y at %H:%M} UTC.")


def _report(dry_run: bool, digest: str, families: list[FamilyRows], problems: list[Problem]) -> ImportReport:
    return ImportReport(
        dry_run=dry_run,
        imported=False,
        sha256=digest,
        families=len(families),
        members=sum(len(f.members) for f in families),
        team_members=sum(len(f.team) for f in families),
        assessments=sum(len(f.assessments) for f in families),
        ratings=sum(len(f.ratings) for f in families),
        transitions=sum(len(f.transitions) for f in families),
        problem_count=len(problems),
        problems=problems[:MAX_PROBLEMS],
    )


def _refusal(problems: list[Problem]) -> BadUserInput:
    first = problems[0]
    where = f"family {first.row}, {first.field}" if first.row else first.field
    refusal = BadUserInput(
        f"Nothing was imported: the file has {len(problems)} problem(s), the first at {where}: {first.message}"
        " A dry run lists them all.",
        field=first.field,
    )
    refusal.extensions["row"] = first.row
    refusal.extensions["problemCount"] = len(problems)
    return refusal
