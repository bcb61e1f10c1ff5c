"""Erasing a closed family's records when its retention date has passed: every row about the family goes,
in every table, and a tombstone stays (its reference, its dates, who erased it, when and why).

The audit log stays as it is, hash chain and all: it holds ids, never content (the family's id in it
then points at the tombstone). Append-only tables (contribution versions, plan history, assessments,
reviews, corrections and changes of meetings, published minutes) refuse UPDATE and DELETE by trigger;
their trigger functions let a DELETE through only for the family named by the transaction's
`taf.erasing_family` setting, and only once that family's tombstone is written (`taf_erasing` in the
baseline migration). No trigger is disabled, and nothing else can be deleted that way.

ERASED and KEPT name every table of the database; tests/retention/test_erasure.py fails when a table
is added without saying what erasure does to it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from notifications.erasure import forget_family
from server import pagination
from server.access.actor import Act
from server.access.kinds import Kind
from server.access.pep import AccessControl
from server.clock import today, utcnow
from server.errors import BadUserInput, Conflict
from server.family.models import Family
from server.retention.models import FamilyTombstone
from server.retention.schedule import Schedule
from server.retention.service import checked_reason, lock_closed

# The family's portal accounts: users of kind family whose member is one of the family's.
_ACCOUNTS = "SELECT u.id FROM app_user u JOIN family_member m ON m.id = u.family_member_id WHERE m.family_id = :family"


@dataclass(frozen=True)
class Step:
    table: str
    sql: str  # removes (or rewrites) the family's rows; RETURNING id


def _of_family(table: str) -> Step:
    return Step(table, f"DELETE FROM {table} WHERE family_id = :family RETURNING id")  # noqa: S608 (constant names)


def _through(table: str, parent: str, key: str) -> Step:
    return Step(
        table,
        f"DELETE FROM {table} x USING {parent} p WHERE x.{key} = p.id AND p.family_id = :family RETURNING x.id",  # noqa: S608
    )


def _of_accounts(table: str, condition: str, key: str = "id") -> Step:
    """Rows about the family's portal accounts; `{accounts}` in the condition selects their ids."""
    where = condition.format(accounts=_ACCOUNTS)
    return Step(table, f"DELETE FROM {table} WHERE {where} RETURNING {key}")  # noqa: S608 (constant SQL)


# In order: children before the rows they point at.
STEPS: tuple[Step, ...] = (
    _through("contribution_version", "contribution", "contribution_id"),
    _of_family("contribution"),
    _through("review_goal_progress", "review", "review_id"),
    _through("outcome_score", "review", "review_id"),
    _of_family("review"),
    _through("assessment_rating", "assessment", "assessment_id"),
    _of_family("assessment"),
    _of_family("taf_meeting_minutes_item"),
    _through("taf_meeting_decision", "taf_meeting", "meeting_id"),
    _through("taf_meeting_addendum", "taf_meeting", "meeting_id"),
    _through("taf_meeting_change", "taf_meeting", "meeting_id"),
    _through("taf_meeting_invitee", "taf_meeting", "meeting_id"),
    _of_family("plan_history"),
    _of_family("plan_contingency"),
    _of_family("plan_action"),
    _of_family("plan_goal"),
    _of_family("taf_meeting"),
    _of_family("escalation"),
    _of_family("consent"),
    _of_family("engagement_agreement"),
    _of_family("safeguarding_override"),
    _of_family("sharing_decision"),
    _of_family("follow_up"),
    _of_family("family_legal_status"),
    _of_family("referral"),
    _of_family("family_transition"),
    _through("panel_allocation", "panel_decision", "decision_id"),
    _of_family("panel_decision"),
    _of_family("deputy_lead"),
    _of_family("contact_log"),
    _of_family("service_received"),
    # Sign-in attempts name the account as typed: the family's portal e-mail addresses.
    _of_accounts(
        "login_attempt",
        "account IN (SELECT email FROM portal_invitation WHERE family_id = :family"
        " UNION SELECT email FROM app_user WHERE id IN ({accounts}))",
    ),
    _of_family("portal_invitation"),
    _of_accounts("session_token", "user_id IN ({accounts})"),
    _of_accounts("rate_limit_window", "subject IN (SELECT 'user:' || id::text FROM ({accounts}) a)", "subject"),
    # Idempotency keys remember the ids created under them (and the accounts that used them).
    _of_accounts("idempotency_key", "user_id IN ({accounts}) OR result_id = ANY(CAST(:created AS uuid[]))"),
    # Single sign-on is for staff; a link or a sign-in naming one of the accounts would still go with it.
    _of_accounts("identity_link", "user_id IN ({accounts})"),
    _of_accounts("sso_sign_in", "user_id IN ({accounts})"),
    # Password reset links are for staff accounts; one naming one of the accounts would still go with it.
    _of_accounts("password_reset", "user_id IN ({accounts})"),
    _of_accounts("app_user", "id IN ({accounts})"),
    _of_family("team_membership"),
    _of_family("family_network_member"),
    _of_family("family_member"),
    # An IG officer's reason for withholding an audit entry from the family may name it.
    Step(
        "audit_disclosure_block",
        "DELETE FROM audit_disclosure_block b USING audit_event e"
        " WHERE b.audit_event_id = e.id AND e.family_id = :family RETURNING b.id",
    ),
    # The retention decisions stay (when the records were extended or held, and by whom), without reasons.
    Step("retention_decision", "UPDATE retention_decision SET reason = '' WHERE family_id = :family RETURNING id"),
    Step("family", "DELETE FROM family WHERE id = :family RETURNING id"),
)

# Notifications, outbox events, timers and digests: notifications/erasure.py.
NOTIFICATION_TABLES = ("notification", "notification_outbox", "timer", "notification_preference")
ERASED = frozenset(step.table for step in STEPS) | frozenset(NOTIFICATION_TABLES)
KEPT = {
    "audit_event": "append-only and hash-chained; holds ids and codes, never content",
    "family_tombstone": "what is kept of an erased family",
    "agency": "the area's organisations, not a family's",
    "data_sharing_agreement": "agreements between the area's organisations, about no family",
    "data_sharing_agreement_party": "the organisations party to an agreement, and their IG contacts",
    "agreement_pairs": "what each agreement lets its parties be shown, worked out from the two tables above",
    "alembic_version": "the database's migration",
    "lead_absence": "a worker's own time away: about staff, naming no family",
    "catalogue_service": "the area's services list, about no family",
    "service_price": "the unit prices of the area's services, about no family",
    "panel_sitting": "a panel's sitting: its name, date, chair and who attended, naming no family",
    "case_import": "which import files were loaded, by whom and when (a fingerprint and a count), about no family",
}


async def erase(
    session: AsyncSession,
    access: AccessControl,
    schedule: Schedule,
    *,
    family_id: uuid.UUID,
    confirm_reference: str,
    reason: str,
) -> tuple[FamilyTombstone, dict[str, int]]:
    """Erase a closed family whose retention date has passed and that is not under a legal hold. The
    caller types the family's reference to confirm which family. Returns the tombstone and how many
    rows of each table went."""
    retention = await lock_closed(session, access, schedule, family_id, kind=Kind.family_erasure, act=Act.create)
    if confirm_reference.strip().upper() != retention.reference.upper():
        raise BadUserInput("Type the family's reference exactly as shown to confirm.", field="confirmReference")
    why = checked_reason(reason)
    if retention.on_hold:
        raise Conflict("This family's records are under a legal hold: remove the hold before erasing them.")
    if retention.due_on > today():
        raise Conflict(f"This family's retention date ({retention.due_on:%d %B %Y}) has not passed yet.")
    family = await session.get(Family, family_id)
    assert family is not None  # locked by lock_closed
    tombstone = FamilyTombstone(
        family_id=family_id,
        reference=retention.reference,
        opened_on=family.opened_at.date(),
        closed_on=retention.closed_on,
        retention_due_on=retention.due_on,
        erased_at=utcnow(),
        erased_by_user_id=access.actor.user_id,
        reason=why,
    )
    session.add(tombstone)
    await session.flush()
    removed = await _remove(session, family_id)
    return tombstone, removed


async def _remove(session: AsyncSession, family_id: uuid.UUID) -> dict[str, int]:
    erasing = sa.text("SELECT set_config('taf.erasing_family', :family, true)")
    await session.exec(erasing, params={"family": str(family_id)})
    accounts = [row[0] for row in (await session.exec(sa.text(_ACCOUNTS), params={"family": family_id})).all()]
    removed: dict[str, int] = {}
    created: list[str] = [str(family_id)]
    for step in STEPS:
        if step.table == "app_user":
            removed |= await forget_family(session, family_id, accounts)
        params: dict[str, Any] = {"family": family_id}
        if ":created" in step.sql:
            params["created"] = created
        ids = [row[0] for row in (await session.exec(sa.text(step.sql), params=params)).all()]
        removed[step.table] = len(ids)
        created += [str(row_id) for row_id in ids if isinstance(row_id, uuid.UUID)]
    await session.exec(sa.text("SELECT set_config('taf.erasing_family', '', true)"))
    return {table: count for table, count in removed.items() if count}


async def tombstones(session: AsyncSession, access: AccessControl, *, first: int) -> list[FamilyTombstone]:
    """What is left of erased families, the latest first, for information-governance officers."""
    pagination.check_first(first)
    access.require_outside_family(Act.read, Kind.retention_review)
    statement = select(FamilyTombstone).order_by(col(FamilyTombstone.erased_at).desc()).limit(first)
    return list((await session.exec(statement)).all())
