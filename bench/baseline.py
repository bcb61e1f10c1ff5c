"""The baseline of `make bench`: the same data as each scenario's GraphQL operations, fetched with
hand-written asyncpg queries and serialised to JSON (stdlib json, as the app; for FamilyContributionsPage,
PostgreSQL writes the JSON in one statement), in a tiny Starlette app served by uvicorn exactly like the real
one. No GraphQL, no ORM, no policy layer: the practical limit.

It does check the bearer token (one indexed query per request, as any authenticated service must) but
decides nothing: a contributor sees every item of the family, where the real service shows the visible
ones. Writes insert the rows the domain needs (contribution + version) and nothing else: no audit chain,
no idempotency record, no notification outbox.
"""

from __future__ import annotations

import json
import os
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.data.sessions import token_hash


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(type(value).__name__)


def _json(data: Any, status: int = 200) -> Response:
    body = json.dumps({"data": data}, default=_default, separators=(",", ":"))
    return Response(body, status_code=status, media_type="application/json")


AUTH = """SELECT u.id, u.agency_id FROM session_token s JOIN app_user u ON u.id = s.user_id
          WHERE s.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > now() AND u.is_active"""

FAMILY = """SELECT id, reference, display_name, status::text, level_of_need::text, opened_at, closed_at, version
            FROM family WHERE id = $1"""
MEMBERS = """SELECT id, full_name, relationship, date_of_birth, is_subject_child FROM family_member
             WHERE family_id = $1 ORDER BY created_at, id"""
TEAM = """SELECT t.id, t.role::text, t.agency_role, t.contact_in_hours, t.contact_out_of_hours,
                 t.valid_from, t.valid_to,
                 a.id AS agency_id, a.name AS agency_name, a.kind::text AS agency_kind, u.id AS worker_id,
                 u.display_name AS worker_name
          FROM team_membership t JOIN agency a ON a.id = t.agency_id JOIN app_user u ON u.id = t.user_id
          WHERE t.family_id = $1 AND t.valid_to IS NULL
          ORDER BY t.role = 'lead_professional' DESC, t.valid_from"""
CONTRIBUTIONS = """SELECT c.id, c.kind::text, c.category::text, c.title, c.body, c.may_appear_in_family_summary,
                          c.contains_third_party_identities, c.version, c.created_at, c.updated_at, c.about_member_ids,
                          a.id AS agency_id, a.name AS agency_name, u.id AS author_id, u.display_name AS author_name
                   FROM contribution c JOIN agency a ON a.id = c.owning_agency_id
                        JOIN app_user u ON u.id = c.author_user_id
                   WHERE c.family_id = $1 ORDER BY c.created_at DESC, c.id DESC LIMIT $2"""
CONTRIBUTION_COUNT = "SELECT count(*) FROM contribution WHERE family_id = $1"
MEMBER_NAMES = "SELECT id, full_name FROM family_member WHERE family_id = $1"
CONSENTS = """SELECT c.id, c.decision::text, c.capacity::text, c.categories::text[], c.whole_team, c.purpose,
                     c.evidence_reference, c.valid_from, c.valid_to, c.withdrawn_at, c.withdrawal_reason,
                     c.recipient_agency_ids, m.id AS member_id, m.full_name, u.id AS recorder_id,
                     u.display_name AS recorder_name, c.created_at
              FROM consent c JOIN family_member m ON m.id = c.given_by_member_id
                   JOIN app_user u ON u.id = c.recorded_by_user_id
              WHERE c.family_id = $1 ORDER BY c.created_at DESC"""
ENGAGEMENT = """SELECT id, member_id, agreed, notes, recorded_at FROM engagement_agreement WHERE family_id = $1
                ORDER BY recorded_at DESC"""
AGENCY_NAMES = "SELECT id, name FROM agency WHERE id = ANY($1::uuid[])"
OVERRIDES = """SELECT o.id, o.family_id, o.categories::text[], o.justification, o.lawful_basis::text, o.advice_sought,
                      o.family_informed, o.not_informed_reason, o.starts_at, o.expires_at, o.revoked_at,
                      o.revocation_reason, o.reviewed_at, o.review_note,
                      (o.revoked_at IS NULL AND o.expires_at > now() AND o.starts_at <= now()) AS active,
                      o.recipient_agency_ids, a.id AS agency_id, a.name AS agency_name, u.id AS decider_id,
                      u.display_name AS decider_name, o.created_at
               FROM safeguarding_override o JOIN agency a ON a.id = o.owning_agency_id
                    JOIN app_user u ON u.id = o.decided_by_user_id
               WHERE o.family_id = $1 ORDER BY o.created_at DESC"""
DECISIONS = """SELECT d.id, d.categories::text[], d.reason, d.created_at, d.recipient_agency_ids, u.id AS decider_id,
                      u.display_name AS decider_name
               FROM sharing_decision d JOIN app_user u ON u.id = d.decided_by_user_id
               WHERE d.family_id = $1 ORDER BY d.created_at DESC"""
CASELOAD_COUNT = """SELECT count(*) FROM family f WHERE EXISTS (SELECT 1 FROM team_membership t
                    WHERE t.family_id = f.id AND t.valid_to IS NULL AND t.user_id = $1)"""
CASELOAD = """SELECT f.id, f.reference, f.display_name, f.status::text, f.level_of_need::text, f.opened_at,
                     u.display_name AS lead_name, a.name AS lead_agency
              FROM family f
              LEFT JOIN team_membership l ON l.family_id = f.id AND l.valid_to IS NULL AND l.role = 'lead_professional'
              LEFT JOIN app_user u ON u.id = l.user_id LEFT JOIN agency a ON a.id = l.agency_id
              WHERE EXISTS (SELECT 1 FROM team_membership t
                            WHERE t.family_id = f.id AND t.valid_to IS NULL AND t.user_id = $1)
              ORDER BY f.reference LIMIT $2"""
OUTCOME_LEVELS = """WITH exited AS (
                 SELECT DISTINCT a.family_id FROM assessment a
                 WHERE a.stage = 'exit' AND a.assessed_on BETWEEN $2 AND $3
                   AND EXISTS (SELECT 1 FROM team_membership t WHERE t.family_id = a.family_id
                               AND t.valid_to IS NULL AND t.user_id = $1)),
               pairs AS (
                 SELECT e.family_id,
                   (SELECT x.id FROM assessment x WHERE x.family_id = e.family_id AND x.stage = 'entry'
                    ORDER BY x.assessed_on, x.created_at LIMIT 1) AS entry_id,
                   (SELECT x.id FROM assessment x WHERE x.family_id = e.family_id AND x.stage = 'exit'
                    AND x.assessed_on BETWEEN $2 AND $3
                    ORDER BY x.assessed_on DESC, x.created_at DESC LIMIT 1) AS exit_id
                 FROM exited e)
               SELECT p.entry_id, p.exit_id, en.level_of_need::text AS entry_level,
                      ex.level_of_need::text AS exit_level,
                      cardinality(en.resilience_indicators) AS entry_resilience,
                      cardinality(ex.resilience_indicators) AS exit_resilience
               FROM pairs p LEFT JOIN assessment en ON en.id = p.entry_id JOIN assessment ex ON ex.id = p.exit_id"""
OUTCOME_RATINGS = """SELECT en.factor, en.rating::text AS on_entry, ex.rating::text AS on_exit, count(*) AS units
                     FROM assessment_rating en JOIN assessment_rating ex ON ex.factor = en.factor
                       AND ex.member_id IS NOT DISTINCT FROM en.member_id
                     JOIN unnest($1::uuid[], $2::uuid[]) AS p(entry_id, exit_id)
                       ON en.assessment_id = p.entry_id AND ex.assessment_id = p.exit_id
                     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"""
INSERT_CONTRIBUTION = """INSERT INTO contribution (id, family_id, owning_agency_id, author_user_id, kind, category,
                             title, body, about_member_ids, may_appear_in_family_summary,
                             contains_third_party_identities, version, created_at, updated_at)
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '{}', false, false, 1, now(), now())
                         RETURNING created_at"""
INSERT_VERSION = """INSERT INTO contribution_version (id, contribution_id, version, editor_user_id, kind, category,
                        title, body, about_member_ids, may_appear_in_family_summary, contains_third_party_identities,
                        created_at)
                    VALUES ($1, $2, 1, $3, $4, $5, $6, $7, '{}', false, false, $8)"""

# contributions_page: the family's header and its latest contributions with agency and author names, the
# JSON made by PostgreSQL in one statement (the same page as the app's FamilyContributionsPage and PostGraphile's).
CONTRIBUTIONS_PAGE = """SELECT json_build_object('data', json_build_object('family', json_build_object(
    'id', f.id, 'reference', f.reference, 'displayName', f.display_name, 'status', f.status,
    'levelOfNeed', f.level_of_need, 'openedAt', f.opened_at,
    'contributions', json_build_object(
        'totalCount', (SELECT count(*) FROM contribution WHERE family_id = f.id),
        'nodes', (SELECT coalesce(json_agg(json_build_object(
                      'id', c.id, 'kind', c.kind, 'category', c.category, 'title', c.title, 'body', c.body,
                      'createdAt', c.created_at, 'owningAgency', json_build_object('name', a.name),
                      'author', json_build_object('displayName', u.display_name))
                    ORDER BY c.created_at DESC, c.id DESC), '[]')
                  FROM (SELECT * FROM contribution WHERE family_id = f.id
                        ORDER BY created_at DESC, id DESC LIMIT $2) c
                  JOIN agency a ON a.id = c.owning_agency_id JOIN app_user u ON u.id = c.author_user_id)))))::text
FROM family f WHERE f.id = $1"""

LEVELS = ["universal", "targeted", "specialist", "statutory"]


def _records(rows) -> list[dict[str, Any]]:
    return [dict(row) for row in rows]


async def _names(connection: asyncpg.Connection, ids: set) -> dict:
    if not ids:
        return {}
    return {row["id"]: row["name"] for row in await connection.fetch(AGENCY_NAMES, list(ids))}


def create_baseline(dsn: str, pool_size: int = 10) -> Starlette:
    pool: asyncpg.Pool | None = None

    @asynccontextmanager
    async def lifespan(app):
        nonlocal pool
        pool = await asyncpg.create_pool(dsn, min_size=2, max_size=pool_size)
        yield
        await pool.close()

    async def handle(request: Request) -> Response:
        name = request.path_params["name"]
        variables = json.loads(await request.body() or b"{}")
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        assert pool is not None
        async with pool.acquire() as connection:
            user = await connection.fetchrow(AUTH, token_hash(token))
            if user is None:
                return _json(None, 401)
            answer = await HANDLERS[name](connection, user, variables)
            return answer if isinstance(answer, Response) else _json(answer)

    return Starlette(routes=[Route("/b/{name}", handle, methods=["POST"])], lifespan=lifespan)


async def family(connection, user, variables) -> dict:
    family_id = uuid.UUID(variables["id"])
    row = dict(await connection.fetchrow(FAMILY, family_id))
    row["members"] = _records(await connection.fetch(MEMBERS, family_id))
    row["team"] = [
        {
            **{k: m[k] for k in ("id", "role", "agency_role", "contact_in_hours", "contact_out_of_hours")},
            "valid_from": m["valid_from"],
            "valid_to": m["valid_to"],
            "agency": {"id": m["agency_id"], "name": m["agency_name"], "kind": m["agency_kind"]},
            "worker": {"id": m["worker_id"], "displayName": m["worker_name"]},
        }
        for m in await connection.fetch(TEAM, family_id)
    ]
    return {"family": row}


async def contributions(connection, user, variables) -> dict:
    family_id, first = uuid.UUID(variables["familyId"]), int(variables.get("first", 50))
    total = await connection.fetchval(CONTRIBUTION_COUNT, family_id)
    rows = await connection.fetch(CONTRIBUTIONS, family_id, first + 1)
    names = {row["id"]: row["full_name"] for row in await connection.fetch(MEMBER_NAMES, family_id)}
    nodes = [
        {
            **{k: r[k] for k in ("id", "kind", "category", "title", "body", "version", "created_at", "updated_at")},
            "mayAppearInFamilySummary": r["may_appear_in_family_summary"],
            "containsThirdPartyIdentities": r["contains_third_party_identities"],
            "owningAgency": {"id": r["agency_id"], "name": r["agency_name"]},
            "author": {"id": r["author_id"], "displayName": r["author_name"]},
            "about": [{"id": m, "fullName": names.get(m)} for m in r["about_member_ids"]],
        }
        for r in rows[:first]
    ]
    end = nodes[-1]["id"] if nodes else None
    page = {"nodes": nodes, "pageInfo": {"hasNextPage": len(rows) > first, "endCursor": end}, "totalCount": total}
    return {"family": {"id": family_id, "contributions": page}}


async def consents(connection, user, variables) -> dict:
    family_id = uuid.UUID(variables["familyId"])
    rows = await connection.fetch(CONSENTS, family_id)
    names = await _names(connection, {a for r in rows for a in r["recipient_agency_ids"]})
    items = [
        {
            **{k: r[k] for k in ("id", "decision", "capacity", "categories", "whole_team", "purpose")},
            **{k: r[k] for k in ("evidence_reference", "valid_from", "valid_to", "withdrawn_at", "withdrawal_reason")},
            "givenBy": {"id": r["member_id"], "fullName": r["full_name"]},
            "recipientAgencies": [{"id": a, "name": names.get(a)} for a in r["recipient_agency_ids"]],
            "recordedBy": {"id": r["recorder_id"], "displayName": r["recorder_name"]},
        }
        for r in rows
    ]
    engagement = _records(await connection.fetch(ENGAGEMENT, family_id))
    return {"family": {"id": family_id, "consents": items, "engagementAgreements": engagement}}


async def safeguarding(connection, user, variables) -> dict:
    family_id = uuid.UUID(variables["familyId"])
    overrides = await connection.fetch(OVERRIDES, family_id)
    decisions = await connection.fetch(DECISIONS, family_id)
    names = await _names(connection, {a for r in [*overrides, *decisions] for a in r["recipient_agency_ids"]})
    items = []
    for r in overrides:
        # an asyncpg Record iterates over its values, hence keys()
        item = {k: r[k] for k in r.keys() if k not in ("recipient_agency_ids", "agency_id", "agency_name")}  # noqa: SIM118
        item["owningAgency"] = {"id": r["agency_id"], "name": r["agency_name"]}
        item["recipientAgencies"] = [{"id": a, "name": names.get(a)} for a in r["recipient_agency_ids"]]
        items.append(item)
    not_shared = [
        {
            **{k: r[k] for k in ("id", "categories", "reason", "created_at")},
            "recipientAgencies": [{"id": a, "name": names.get(a)} for a in r["recipient_agency_ids"]],
            "decidedBy": {"id": r["decider_id"], "displayName": r["decider_name"]},
        }
        for r in decisions
    ]
    return {"family": {"id": family_id, "safeguardingOverrides": items, "decisionsNotToShare": not_shared}}


async def chronology(connection, user, variables) -> dict:
    family_id, first = uuid.UUID(variables["familyId"]), int(variables.get("first", 100))
    family_row = await connection.fetchrow(FAMILY, family_id)
    entries = [
        (family_row["opened_at"], "family_opened", f"Referral opened ({family_row['reference']})", None, family_id)
    ]
    for m in await connection.fetch(TEAM, family_id):
        entries.append((m["valid_from"], "team_joined", f"{m['worker_name']} joined", m["agency_id"], m["id"]))
    for c in await connection.fetch(CONTRIBUTIONS, family_id, first):
        entries.append((c["created_at"], f"contribution_{c['kind']}", c["title"], c["agency_id"], c["id"]))
    for c in await connection.fetch(CONSENTS, family_id):
        entries.append((c["created_at"], f"consent_{c['decision']}", f"Consent {c['decision']}", None, c["id"]))
    for o in await connection.fetch(OVERRIDES, family_id):
        entries.append((o["created_at"], "safeguarding_override", "Shared without consent", o["agency_id"], o["id"]))
    entries.sort(key=lambda entry: entry[0], reverse=True)
    names = await _names(connection, {e[3] for e in entries if e[3]})
    items = [
        {
            "at": at,
            "kind": kind,
            "summary": summary,
            "subjectId": subject,
            "agency": agency and {"id": agency, "name": names.get(agency)},
        }
        for at, kind, summary, agency, subject in entries[:first]
    ]
    return {"family": {"id": family_id, "chronology": {"nodes": items}}}


async def contributions_page(connection, user, variables) -> Response:
    """The answer as PostgreSQL wrote it: nothing is decoded or encoded here."""
    family_id, first = uuid.UUID(variables["familyId"]), int(variables.get("first", 100))
    body = await connection.fetchval(CONTRIBUTIONS_PAGE, family_id, first)
    return Response(body or '{"data":{"family":null}}', media_type="application/json")


async def caseload(connection, user, variables) -> dict:
    first = int(variables.get("first", 20))
    total = await connection.fetchval(CASELOAD_COUNT, user["id"])
    rows = await connection.fetch(CASELOAD, user["id"], first + 1)
    nodes = [
        {
            **{k: r[k] for k in ("id", "reference", "display_name", "status", "level_of_need", "opened_at")},
            "leadProfessional": {"worker": {"displayName": r["lead_name"]}, "agency": {"name": r["lead_agency"]}},
        }
        for r in rows[:first]
    ]
    end = nodes[-1]["reference"] if nodes else None
    return {
        "families": {
            "totalCount": total,
            "pageInfo": {"hasNextPage": len(rows) > first, "endCursor": end},
            "nodes": nodes,
        }
    }


async def contribution_add(connection, user, variables) -> dict:
    data = variables["input"]
    item_id = uuid.uuid4()
    family_id = uuid.UUID(data["familyId"])
    values = (data["kind"], data["category"], data["title"], data["body"])
    async with connection.transaction():
        created = await connection.fetchval(
            INSERT_CONTRIBUTION, item_id, family_id, user["agency_id"], user["id"], *values
        )
        await connection.execute(INSERT_VERSION, uuid.uuid4(), item_id, user["id"], *values, created)
    return {
        "contributionAdd": {
            "id": item_id,
            "kind": data["kind"],
            "category": data["category"],
            "title": data["title"],
            "version": 1,
            "createdAt": created,
        }
    }


async def outcomes(connection, user, variables) -> dict:
    exited_from, exited_to = date.fromisoformat(variables["exitedFrom"]), date.fromisoformat(variables["exitedTo"])
    pairs = [
        row for row in await connection.fetch(OUTCOME_LEVELS, user["id"], exited_from, exited_to) if row["entry_id"]
    ]
    cells: dict[tuple[str, str], int] = {}
    for row in pairs:
        cells[(row["entry_level"], row["exit_level"])] = cells.get((row["entry_level"], row["exit_level"]), 0) + 1
    matrix = [{"entryLevel": e, "counts": [cells.get((e, x), 0) for x in LEVELS]} for e in LEVELS]
    ratings = await connection.fetch(
        OUTCOME_RATINGS, [row["entry_id"] for row in pairs], [row["exit_id"] for row in pairs]
    )
    factors: dict[str, dict[str, Any]] = {}
    for r in ratings:
        factor = factors.setdefault(r["factor"], {"factor": r["factor"], "assessed": 0, "entry": {}, "exit": {}})
        factor["assessed"] += r["units"]
        factor["entry"][r["on_entry"]] = factor["entry"].get(r["on_entry"], 0) + r["units"]
        factor["exit"][r["on_exit"]] = factor["exit"].get(r["on_exit"], 0) + r["units"]
    total = len(pairs)
    return {
        "caseloadOutcomes": {
            "exitedFrom": exited_from,
            "exitedTo": exited_to,
            "families": total,
            "levelOfNeed": matrix,
            "riskFactors": list(factors.values()),
            "meanResilienceOnEntry": round(sum(r["entry_resilience"] or 0 for r in pairs) / total, 2)
            if total
            else None,
            "meanResilienceOnExit": round(sum(r["exit_resilience"] or 0 for r in pairs) / total, 2) if total else None,
            "at": datetime.now(UTC),
        }
    }


MINUTES_ITEM_ADD = """
WITH meeting AS (
    UPDATE taf_meeting SET status = 'held', version = version + 1, updated_at = now()
    WHERE id = $1 AND version = $2 AND minutes_published_at IS NULL
    RETURNING id, family_id, version
)
INSERT INTO taf_meeting_minutes_item (id, meeting_id, family_id, position, heading, text, owning_agency_id,
    category, contains_third_party_identities, about_member_ids, author_user_id, created_at)
SELECT $3, m.id, m.family_id,
    COALESCE((SELECT max(position) FROM taf_meeting_minutes_item WHERE meeting_id = m.id), 0) + 1,
    $4, $5, (SELECT agency_id FROM app_user WHERE id = $6), 'other', false, '{}', $6, now()
FROM meeting m
RETURNING id, meeting_id, position, heading, text, created_at"""
DECISION_ADD = """
INSERT INTO taf_meeting_decision (id, meeting_id, text, recorded_by_user_id, owning_agency_id, created_at)
VALUES ($1, $2, $3, $4, (SELECT agency_id FROM app_user WHERE id = $4), now()) RETURNING id, text, created_at"""
MINUTES_PUBLISH = """
UPDATE taf_meeting SET minutes_published_at = now(), version = version + 1, updated_at = now()
WHERE id = $1 AND version = $2 AND minutes_published_at IS NULL
RETURNING id, version, minutes_published_at"""


async def minutes_item_add(connection, user, variables) -> dict:
    data = variables["input"]
    row = await connection.fetchrow(
        MINUTES_ITEM_ADD,
        uuid.UUID(data["meetingId"]),
        data["expectedVersion"],
        uuid.uuid4(),
        data["heading"],
        data["text"],
        user["id"],
    )
    return {"minutesItemAdd": dict(row) if row else None}


async def meeting_decision_add(connection, user, variables) -> dict:
    data = variables["input"]
    row = await connection.fetchrow(DECISION_ADD, uuid.uuid4(), uuid.UUID(data["meetingId"]), data["text"], user["id"])
    return {"meetingDecisionAdd": dict(row)}


async def minutes_publish(connection, user, variables) -> dict:
    data = variables["input"]
    row = await connection.fetchrow(MINUTES_PUBLISH, uuid.UUID(data["meetingId"]), data["expectedVersion"])
    return {"minutesPublish": dict(row) if row else None}


HANDLERS = {
    "Family": family,
    "FamilyContributions": contributions,
    "FamilyConsents": consents,
    "FamilySafeguarding": safeguarding,
    "FamilyChronology": chronology,
    "FamilyContributionsPage": contributions_page,
    "Caseload": caseload,
    "ContributionAdd": contribution_add,
    "CaseloadOutcomes": outcomes,
    "MinutesItemAdd": minutes_item_add,
    "MeetingDecisionAdd": meeting_decision_add,
    "MinutesPublish": minutes_publish,
}


def app() -> Starlette:
    """uvicorn --factory bench.baseline:app (BENCH_BASELINE_DSN: a plain postgresql:// DSN)."""
    return create_baseline(os.environ["BENCH_BASELINE_DSN"])
