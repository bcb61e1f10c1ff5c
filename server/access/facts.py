"""What the domain records say, right now, about one actor's relationship to families.

Facts are read per request in one statement for any number of families (no process-wide cache to
invalidate: a consent withdrawn or a worker removed on any server counts on the next request
everywhere). Time checks use statement_timestamp(), not now(), so a transaction that waited on a lock
sees records committed while it waited. A write that locks its family FOR SHARE reads them in the lock's own
statement (`with_locked_facts`) and keeps them only when the lock found the family row they were read from and
did not wait; else they are read again after the lock, as by every other write.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from server.access.actor import Actor


@dataclass(frozen=True, slots=True)
class FamilyFacts:
    family_id: uuid.UUID
    named_worker: bool = False
    lead_professional: bool = False
    agency_on_team: bool = False
    agency_manages_lead: bool = False
    own_family: bool = False
    consented: frozenset[str] = frozenset()  # categories the family shares with the actor's agency
    overridden: frozenset[tuple[uuid.UUID, str]] = field(default=frozenset())  # (owning agency, category)
    refused: frozenset[str] = frozenset()  # categories a refusal in force withholds from the actor's agency
    police_agencies: frozenset[uuid.UUID] = frozenset()  # the area's police agencies
    # The family's record was closed longer ago than the read period (Settings.closed_read_period).
    closed_read_over: bool = False
    # (owning agency, category, override id) of each override in force sharing with the actor's agency:
    # the audit log records which override a read relied on (was the family told of it?).
    override_ids: frozenset[tuple[uuid.UUID, str, uuid.UUID]] = frozenset()
    # (other agency, category) pairs that an active data-sharing agreement between that agency and the
    # actor's covers: sharing by consent between two agencies needs one. Not about the family, but read
    # in the same statement, so a decision never waits for a second one.
    agreements: frozenset[tuple[uuid.UUID, str]] = frozenset()
    # The actor is the family's deputy lead, on its team, and its lead professional is marked away today
    # (server/cover): they cover the lead's urgent matters.
    deputy_covering: bool = False


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """The attributes of one piece of case content (or an override) that decisions depend on."""

    owning_agency_id: uuid.UUID
    category: str
    family_summary: bool = False  # marked for the family's own summary (the portal)
    third_party: bool = False  # names people outside the family
    team_shared: bool = False  # agreed with the family as part of its plan with the whole team
    recipients: frozenset[uuid.UUID] = frozenset()  # for overrides: the agencies it shares with


# The categories of the family's consents in force for the actor's agency that say `decision`.
# A consent in force for the actor's agency ({agency}); `c` is the consent.
_CONSENT_IN_FORCE = """c.withdrawn_at IS NULL
          AND c.valid_from <= statement_timestamp()
          AND (c.valid_to IS NULL OR c.valid_to > statement_timestamp())
          AND (c.whole_team OR {agency} = ANY (c.recipient_agency_ids))"""

# The categories of the family's consents in force for the actor's agency that say `decision`.
_CONSENTS = f"""
        SELECT unnest(c.categories) FROM consent c
        WHERE c.family_id = f.id AND c.decision = '{{decision}}' AND {_CONSENT_IN_FORCE}
"""  # noqa: S608 (constant text: every value is bound)


def account_facts(agency_id: uuid.UUID, role: str) -> ItemFacts:
    """A staff account as the rules read it: its agency as the owning agency, its system role as the category
    (rule own_agency_practitioner)."""
    return ItemFacts(owning_agency_id=agency_id, category=role)


# The facts of one (actor, family) pair; {user}, {agency} and {member} name the actor's ids, {consented} and
# {refused_array} are the arrays of _CONSENTS for that agency (_facts_columns).
_FACTS_COLUMNS = """
      EXISTS (SELECT 1 FROM team_membership t
              WHERE t.family_id = f.id AND t.valid_to IS NULL AND t.user_id = {user}),
      EXISTS (SELECT 1 FROM team_membership t
              WHERE t.family_id = f.id AND t.valid_to IS NULL AND t.user_id = {user}
                AND t.role = 'lead_professional'),
      EXISTS (SELECT 1 FROM team_membership t
              WHERE t.family_id = f.id AND t.valid_to IS NULL AND t.agency_id = {agency}),
      EXISTS (SELECT 1 FROM team_membership t
              WHERE t.family_id = f.id AND t.valid_to IS NULL AND t.agency_id = {agency}
                AND t.role = 'lead_professional'),
      ({member} IS NOT NULL AND EXISTS (SELECT 1 FROM family_member m WHERE m.family_id = f.id AND m.id = {member})),
      {consented},
      {overridden},
      {refused_array},
      {police},
      f.status = 'closed' AND f.closed_at IS NOT NULL
        AND f.closed_at <= statement_timestamp() - {closed_read_period},
      {agreed}
      EXISTS (SELECT 1 FROM deputy_lead d
              JOIN team_membership dm ON dm.family_id = d.family_id AND dm.user_id = d.user_id
                AND dm.valid_to IS NULL
              JOIN team_membership l ON l.family_id = d.family_id AND l.valid_to IS NULL
                AND l.role = 'lead_professional' AND l.user_id <> d.user_id
              JOIN lead_absence a ON a.user_id = l.user_id AND a.cancelled_at IS NULL
              WHERE d.family_id = f.id AND d.user_id = {user} AND d.valid_to IS NULL
                AND a.starts_on <= CAST(statement_timestamp() AT TIME ZONE 'UTC' AS date)
                AND a.ends_on >= CAST(statement_timestamp() AT TIME ZONE 'UTC' AS date))
"""


# The facts that are not about the family (read once per statement, the same for every family).
_POLICE = "SELECT a.id FROM agency a WHERE a.kind = 'police'"
# The agreements in force that the actor's agency ({agency}) is a party to, `a` the agreement, `mine` the party.
_AGREEMENT_CURRENT = """a.ended_at IS NULL
          AND a.starts_on <= CAST(statement_timestamp() AT TIME ZONE 'UTC' AS date)
          AND a.ends_on >= CAST(statement_timestamp() AT TIME ZONE 'UTC' AS date)"""
_AGREEMENT_IN_FORCE = "mine.agency_id = {agency} AND " + _AGREEMENT_CURRENT
# The agreements in force that the actor's agency ({agency}) is a party to, each as its parties and its
# categories ("party party ...;category category ..."), in the agreements' order: ~40 bytes per party, not per
# (party, category) pair (60 agencies over 12 categories: 2.4 kB, not 708 texts of 40; `_agreements_through`
# makes the pairs, once per agency and agreements). What every statement whose facts Python reads sends: made
# into pairs by PostgreSQL, the agreements were most of the facts statement of a write (-0.25 ms of its 0.56:
# bench/README.md, "The facts statement's agreements as parties").
_PARTIES_TEXT = """array_to_string(ARRAY(SELECT p.agency_id::text FROM data_sharing_agreement_party p
                                     WHERE p.agreement_id = a.id ORDER BY p.agency_id), ' ')
               || ';' || COALESCE(array_to_string(a.categories, ' '), '')"""
_AGREEMENT_PARTIES = f"""
        SELECT {_PARTIES_TEXT}
        FROM data_sharing_agreement_party mine
        JOIN data_sharing_agreement a ON a.id = mine.agreement_id
        WHERE {_AGREEMENT_IN_FORCE}
        ORDER BY a.id
"""  # noqa: S608 (constant text: every value is bound)
# The overrides in force sharing with the actor's agency, `o` the override (in force for one family, or many).
_OVERRIDE_IN_FORCE = """o.revoked_at IS NULL
          AND o.starts_at <= statement_timestamp() AND o.expires_at > statement_timestamp()
          AND {agency} = ANY (o.recipient_agency_ids)"""


def _facts_columns(*, user: str, agency: str, member: str, agreements: str | None) -> str:
    """The facts columns of one family `f`, each read by its own subquery (the agreements by `agreements`;
    None: no agreements column)."""
    given = _CONSENTS.format(decision="given", agency=agency)
    refused = _CONSENTS.format(decision="refused", agency=agency)
    overridden = f"""ARRAY(
        SELECT o.owning_agency_id::text || ' ' || category || ' ' || o.id::text
        FROM safeguarding_override o, unnest(o.categories) AS category
        WHERE o.family_id = f.id AND {_OVERRIDE_IN_FORCE.format(agency=agency)}
      )"""  # noqa: S608 (constant text: every value is bound)
    return _FACTS_COLUMNS.format(
        user=user,
        agency=agency,
        member=member,
        closed_read_period=":closed_read_period",
        consented=f"ARRAY({given} EXCEPT {refused})",
        overridden=overridden,
        refused_array=f"ARRAY({refused})",
        police=f"ARRAY({_POLICE})",
        agreed=f"ARRAY({agreements.format(agency=agency)}      )," if agreements is not None else "",
    )


def _families_facts_columns(*, user: str, agency: str, member: str) -> str:
    """The same facts for many families at once (families_facts), arrays sorted and without duplicates,
    overrides without their ids: what the family's consents and overrides say is read once for all the
    families, by a join (`consents`, `overrides`), not by a search per family; what is not about the family
    is read once per statement (the police agencies in `shared`, the agreements' pairs in _AGREEMENT_PAIRS)."""
    return _FACTS_COLUMNS.format(
        user=user,
        agency=agency,
        member=member,
        closed_read_period=":closed_read_period",
        consented="COALESCE(consents.consented, '{}')",
        overridden="COALESCE(overrides.overridden, '{}')",
        refused_array="COALESCE(consents.refused, '{}')",
        police="shared.police",
        agreed="",
    )


# The categories each family's consents in force give (and none refuses) and refuse, for the families of
# `ids` (families_facts); and the (owning agency, category) of their overrides in force, each list sorted, no
# duplicates.
_GROUPED_CONSENTS = f"""
  SELECT family_id,
    array_agg(category ORDER BY category) FILTER (WHERE given AND NOT refused) AS consented,
    array_agg(category ORDER BY category) FILTER (WHERE refused) AS refused
  FROM (
    SELECT c.family_id, category, bool_or(c.decision = 'given') AS given, bool_or(c.decision = 'refused') AS refused
    FROM consent c CROSS JOIN unnest(c.categories) AS category
    JOIN ids ON ids.id = c.family_id
    WHERE c.decision IN ('given', 'refused')
      AND {_CONSENT_IN_FORCE.format(agency=":agency_id")}
    GROUP BY c.family_id, category) AS by_category
  GROUP BY family_id
"""  # noqa: S608 (constant text: every value is bound)
_GROUPED_OVERRIDES = f"""
  SELECT o.family_id, array_agg(DISTINCT o.owning_agency_id::text || ' ' || category
                                ORDER BY o.owning_agency_id::text || ' ' || category) AS overridden
  FROM safeguarding_override o CROSS JOIN unnest(o.categories) AS category
  JOIN ids ON ids.id = o.family_id
  WHERE {_OVERRIDE_IN_FORCE.format(agency=":agency_id")}
  GROUP BY o.family_id
"""  # noqa: S608 (constant text: every value is bound)
_SHARED = f"SELECT ARRAY(SELECT DISTINCT x FROM ({_POLICE}) AS s(x) ORDER BY 1) AS police"  # noqa: S608


_FACTS_SQL = sa.text(
    "SELECT f.id,"  # noqa: S608 (constant text: every value is bound)
    + _facts_columns(user=":user_id", agency=":agency_id", member=":member_id", agreements=_AGREEMENT_PARTIES)
    + " FROM family f WHERE f.id = ANY (:family_ids)"
).bindparams(
    sa.bindparam("family_ids", type_=ARRAY(sa.Uuid())),
    sa.bindparam("user_id", type_=sa.Uuid()),
    sa.bindparam("agency_id", type_=sa.Uuid()),
    sa.bindparam("member_id", type_=sa.Uuid()),
    sa.bindparam("closed_read_period", type_=sa.Interval()),
)

# The same for one family, its id a scalar: PostgreSQL then keeps one generic plan for the prepared text (an
# array of ids is estimated at ten families, so each run was planned anew, ~1 ms: bench/README.md, "Plans kept").
_ONE_FAMILY_FACTS = (
    "SELECT f.id,"  # noqa: S608 (constant text: every value is bound)
    + _facts_columns(user=":user_id", agency=":agency_id", member=":member_id", agreements=_AGREEMENT_PARTIES)
    + " FROM family f WHERE f.id = :family_id"
)
_ONE_FAMILY_PARAMETERS = (
    sa.bindparam("family_id", type_=sa.Uuid()),
    sa.bindparam("user_id", type_=sa.Uuid()),
    sa.bindparam("agency_id", type_=sa.Uuid()),
    sa.bindparam("member_id", type_=sa.Uuid()),
    sa.bindparam("closed_read_period", type_=sa.Interval()),
)
_FAMILY_FACTS_SQL = sa.text(_ONE_FAMILY_FACTS).bindparams(*_ONE_FAMILY_PARAMETERS)

# The same facts of one family, as columns `facts.*` of a statement that takes the family's lock (server/writes.py
# `share_and_require`, `shared_by`), with last the version of the family row they were read from (its xmin, as
# text): one round trip for the lock and the facts. The statement's snapshot is taken before it waits for the lock,
# so these facts count only if the row it locked is that version (every change of what they read moves the family
# row on: migration 0011; a change that committed meanwhile shows as a newer row) and if it did not wait (their
# time checks are as of the statement's start). Otherwise they are read again, by a statement of their own. No such
# family: every column null.
_LOCKED_FACTS_FROM = sa.text(
    "(SELECT 1) AS one LEFT JOIN (SELECT f.id,"  # noqa: S608 (constant text: every value is bound)
    + _facts_columns(user=":user_id", agency=":agency_id", member=":member_id", agreements=_AGREEMENT_PARTIES)
    + ", f.xmin::text FROM family f WHERE f.id = :family_id) AS facts ON true"
).bindparams(*_ONE_FAMILY_PARAMETERS)
# Evaluated after the columns before it (a select list is evaluated in order): the lock was taken without waiting.
_LOCKED_PROMPTLY = sa.literal_column("clock_timestamp() - statement_timestamp() < interval '50 milliseconds'")


def with_locked_facts(lock: sa.ScalarSelect, *before: sa.ColumnElement) -> sa.Select:
    """A one-row select of `before`, then `lock` (a scalar subquery that locks the family and gives the version of
    the row it locked, or more: `locked_facts` is told that version), whether it was taken promptly, then the facts
    columns of one family and the version of the row they were read from. Its parameters are `facts_query`'s and
    the lock's."""
    return sa.select(
        *before, lock.label("locked"), _LOCKED_PROMPTLY.label("promptly"), sa.literal_column("facts.*")
    ).select_from(_LOCKED_FACTS_FROM)


# A row of a family's record locked FOR UPDATE with its family FOR SHARE, then the caller's facts in the family, as
# `facts.*` of `with_locked_facts`. The family is locked first, as every exclusive change of the row locks them (no
# deadlock): PostgreSQL locks a result row's marks in the order of the locking clauses. The locked sub-select
# gives the row as the lock found it (a locking clause reads the newest version of a row it locks, whatever the
# statement's snapshot) and the family's [status, version] as writes.SHARE_STATUS gives them; the facts are read
# in the snapshot, after the lock (they join on the locked row's family), so `locked_facts` decides whether they
# count. Without the locking clause (`row_read_with_facts`) all of it is of one snapshot, and the row's own version
# is read for an optimistic write's guard.
_ROW_OF = """(SELECT r.*, ARRAY[f.status::text, f.xmin::text] AS family_locked, r.xmin::text AS row_version
    FROM {table} r JOIN family f ON f.id = r.family_id WHERE r.id = :locked_row_id{lock}) AS locked"""
_ROW_LOCK = " FOR SHARE OF f FOR UPDATE OF r"
_FACTS_OF_LOCKED = (
    " LEFT JOIN LATERAL (SELECT f.id,"  # noqa: S608 (constant text: every value is bound)
    + _facts_columns(user=":user_id", agency=":agency_id", member=":member_id", agreements=_AGREEMENT_PARTIES)
    + ", f.xmin::text FROM family f WHERE f.id = locked.family_id) AS facts ON true"
)


def row_locked_with_facts(table: sa.Table) -> sa.Select:
    """One row of `table` (a part of a family's record: it has a family_id) by its id, `locked_row_id`, locked FOR
    UPDATE with its family FOR SHARE: the row's columns, then the family's [status, version] (`locked`), whether the
    locks were taken promptly, then the facts columns and the version they were read from, as `with_locked_facts`
    gives them. No such row: no row. Its other parameters are `facts_query`'s but the family's id, the row's."""
    return _row_with_facts(table, _ROW_LOCK, _LOCKED_PROMPTLY)


def row_read_with_facts(table: sa.Table) -> sa.Select:
    """`row_locked_with_facts` without the locks, for a change written optimistically (server/writes.py
    `share_family_of`): the row, its family's [status, version] and the caller's facts of one snapshot (so
    "promptly" is true), then, last, the row's own version (its xmin), for the write's guard."""
    return _row_with_facts(table, "", sa.true(), sa.literal_column("locked.row_version"))


def _row_with_facts(
    table: sa.Table, lock: str, promptly: sa.ColumnElement[bool], *after: sa.ColumnElement[Any]
) -> sa.Select:
    from_row = sa.text(_ROW_OF.format(table=table.name, lock=lock) + _FACTS_OF_LOCKED).bindparams(
        sa.bindparam("locked_row_id", type_=sa.Uuid()), *_ONE_FAMILY_PARAMETERS[1:]
    )
    columns = [sa.literal_column(f"locked.{column.name}") for column in table.c]
    return sa.select(
        *columns,
        sa.literal_column("locked.family_locked"),
        promptly.label("promptly"),
        sa.literal_column("facts.*"),
        *after,
    ).select_from(from_row)


def locked_facts(
    locked_version: str | None, promptly: bool, columns: Sequence[Any], agency_id: uuid.UUID | None
) -> FamilyFacts | None:
    """The facts of `with_locked_facts`'s facts columns if they are the family's as its lock found it (the row it
    locked, `locked_version`, is the one they were read from, and it did not wait); else None: read them again."""
    *row, read_version = columns
    if row[0] is None or not promptly or locked_version is None or read_version != locked_version:
        return None
    return _facts_for(tuple(row), agency_id)


# The same facts for many (actor, family) pairs in one statement (a notification dispatcher's batch).
_PAIR_FACTS_SQL = sa.text(
    "SELECT p.user_id, f.id,"  # noqa: S608 (constant text: every value is bound)
    + _facts_columns(user="p.user_id", agency="p.agency_id", member="p.member_id", agreements=_AGREEMENT_PARTIES)
    + " FROM unnest(:user_ids, :agency_ids, :member_ids, :family_ids) AS p(user_id, agency_id, member_id, family_id)"
    " JOIN family f ON f.id = p.family_id"
).bindparams(
    sa.bindparam("user_ids", type_=ARRAY(sa.Uuid())),
    sa.bindparam("agency_ids", type_=ARRAY(sa.Uuid())),
    sa.bindparam("member_ids", type_=ARRAY(sa.Uuid())),
    sa.bindparam("family_ids", type_=ARRAY(sa.Uuid())),
    sa.bindparam("closed_read_period", type_=sa.Interval()),
)


def _team_facts_text(families: str) -> str:
    """Every active team member of the families `families` selects (a condition on `t.family_id`), with their
    account and their facts of the family as a decision without an item reads them, in one statement (a
    notification dispatcher's batch: a family's team is who must know of most events, and whether each may be
    told is a decision about the family, not about an item of it)."""
    return (
        "SELECT t.family_id, t.user_id, t.agency_id, t.role,"  # noqa: S608 (constant text)
        " u.display_name, u.kind, u.role, u.agency_id, u.family_member_id, u.is_active,"
        " ARRAY(SELECT p.kind FROM notification_preference p WHERE p.user_id = u.id AND p.delivery = 'daily_digest'),"
        " f.id,"
        + _family_level_columns(user="u.id", agency="u.agency_id", member="u.family_member_id")
        + " FROM team_membership t JOIN app_user u ON u.id = t.user_id JOIN family f ON f.id = t.family_id"
        f" WHERE {families} AND t.valid_to IS NULL"
    )


def _family_level_columns(*, user: str, agency: str, member: str) -> str:
    """`_facts_columns` with the sets only an item decision reads (consents, overrides, refusals, the police
    agencies, the agreements) left empty: the facts rules.family_decision_key names, in the same columns."""
    return _FACTS_COLUMNS.format(
        user=user,
        agency=agency,
        member=member,
        closed_read_period=":closed_read_period",
        consented=_NO_TEXTS,
        overridden=_NO_TEXTS,
        refused_array=_NO_TEXTS,
        police="CAST('{}' AS uuid[])",
        agreed=_NO_TEXTS + ",",
    )


_NO_TEXTS = "CAST('{}' AS text[])"


_TEAM_FACTS_SQL = sa.text(_team_facts_text("t.family_id = ANY (:family_ids)")).bindparams(
    sa.bindparam("family_ids", type_=ARRAY(sa.Uuid())),
    sa.bindparam("closed_read_period", type_=sa.Interval()),
)
# The same for one family (a dispatch at commit is for the one family the change was about), its id a scalar so
# that PostgreSQL keeps one generic plan (as _ONE_FAMILY_FACTS), and given through a sub-select so that a custom
# plan is estimated for a team of the average size too: else a family whose team is smaller than the average
# (the bench's) is planned anew at every dispatch, ~2 ms of its ~4 (bench/README.md, "The team's facts").
_ONE_TEAM_FACTS_SQL = sa.text(_team_facts_text("t.family_id = (SELECT CAST(:family_id AS uuid))")).bindparams(
    sa.bindparam("family_id", type_=sa.Uuid()),
    sa.bindparam("closed_read_period", type_=sa.Interval()),
)
TEAM_FACTS_LEAD = 11  # columns before a row's facts (family id first), see _TEAM_FACTS_SQL


# The "agency category" pairs of the agreements in force that the actor's agency (:agency_id) is a party to, as
# the keys of one jsonb object: what rule shared_by_consent's SQL form looks an item's pair up in, with the
# family's consented categories (rules.FactsColumns). The database keeps each agreement's pairs per party
# (migration 0012, table agreement_pairs), so a statement reads them, where it made every pair anew: ~700 for
# an agreement of 60 agencies over 12 categories, ~0.3 ms of PostgreSQL per statement (bench/README.md). Not
# about the family, so worked out once per statement however many families it reads.
_AGREEMENT_PAIRS = (
    "(SELECT COALESCE(taf_jsonb_union(p.pairs), CAST('{}' AS jsonb))"  # noqa: S608 (constant text)
    " FROM agreement_pairs p JOIN data_sharing_agreement a ON a.id = p.agreement_id"
    " WHERE p.agency_id = :agency_id AND " + _AGREEMENT_CURRENT + ") AS agreement_pairs"
)
# The facts of each family of the relation `ids` (families_facts), as FactsColumns names them.
FAMILIES_FACTS_NAMES = (
    "family_id",
    "named_worker",
    "lead_professional",
    "agency_on_team",
    "agency_manages_lead",
    "own_family",
    "consented",
    "overridden",
    "refused",
    "police_agencies",
    "closed_read_over",
    "deputy_covering",
)
# families_facts' columns: the facts as worked out, then what facts_row also derives from them.
FAMILIES_FACTS_COLUMNS = (*FAMILIES_FACTS_NAMES, "agreement_pairs")
_FAMILIES_FACTS_SQL = sa.text(
    f"SELECT g.*, {_AGREEMENT_PAIRS} FROM (SELECT f.id,"  # noqa: S608 (constant text: every value is bound)
    + _families_facts_columns(user=":user_id", agency=":agency_id", member=":member_id")
    + " FROM ids JOIN family f ON f.id = ids.id"
    f" LEFT JOIN ({_GROUPED_CONSENTS}) AS consents ON consents.family_id = f.id"
    f" LEFT JOIN ({_GROUPED_OVERRIDES}) AS overrides ON overrides.family_id = f.id"
    f" CROSS JOIN ({_SHARED}) AS shared) AS g({', '.join(FAMILIES_FACTS_NAMES)})"
).bindparams(
    sa.bindparam("user_id", type_=sa.Uuid()),
    sa.bindparam("agency_id", type_=sa.Uuid()),
    sa.bindparam("member_id", type_=sa.Uuid()),
    sa.bindparam("closed_read_period", type_=sa.Interval()),
)


def families_facts(name: str = "families_facts") -> sa.CTE:
    """The facts of each family of the relation `ids` of the same statement (a CTE so named, with the family's
    id as its column `id`, rendered before this one) for the actor (:user_id, :agency_id, :member_id,
    :closed_read_period: families_facts_parameters), one row per family, named as FAMILIES_FACTS_COLUMNS, read
    by the rules as facts_row's columns are (rules.facts_columns), so that a statement across many families
    keeps the same text whatever their facts. Left to PostgreSQL to inline where it is read once: the facts no
    rule reads are then not worked out."""
    text_types = ARRAY(sa.Text())
    types = {
        "family_id": sa.Uuid(),
        "consented": text_types,
        "overridden": text_types,
        "refused": text_types,
        "police_agencies": ARRAY(sa.Uuid()),
        "agreement_pairs": JSONB(),
    }
    columns = [sa.column(name, types.get(name, sa.Boolean())) for name in FAMILIES_FACTS_COLUMNS]
    return _FAMILIES_FACTS_SQL.columns(*columns).cte(name)


def families_facts_parameters(actor: Actor, closed_read_period: timedelta) -> dict:
    return {
        "user_id": actor.user_id,
        "agency_id": actor.agency_id,
        "member_id": actor.family_member_id,
        "closed_read_period": closed_read_period,
    }


DEFAULT_CLOSED_READ_PERIOD = timedelta(days=90)

# The facts of one family for one actor as a row of named columns, to join in a larger statement whose text
# never changes (compiled reads, server/access/pep.py StatementPolicy): the same facts as _FACTS_SQL, with
# the overrides also as "agency category" pairs (what the rules compare), their ids kept for the audit, and
# the agreements read only as rule shared_by_consent reads them: their pairs as the keys of a JSON object
# (_AGREEMENT_PAIRS), so "an agreement covers it" is one look-up in it per item (PostgreSQL finds a key of a
# jsonb object by binary search; an agreement of 60 agencies over 12 categories is 708 pairs, which an array
# would be searched through end to end).
FACTS_ROW_NAMES = (
    "family_id",
    "named_worker",
    "lead_professional",
    "agency_on_team",
    "agency_manages_lead",
    "own_family",
    "consented",
    "override_ids",
    "refused",
    "police_agencies",
    "closed_read_over",
    "deputy_covering",
)
_FACTS_ROW_SQL = sa.text(
    "SELECT g.*, ARRAY(SELECT split_part(x, ' ', 1) || ' ' || split_part(x, ' ', 2) FROM unnest(g.override_ids) x)"  # noqa: S608 (constant text: every value is bound)
    f" AS overridden, {_AGREEMENT_PAIRS}"
    # OFFSET 0 keeps `g` a subquery of its own, so that its columns are not copied into the expressions that read
    # them (`override_ids` into `overridden`) and worked out again there. It bought 8% of the header + 100
    # statement when the agreements' pairs read `consented`; since they are read from agreement_pairs it measures
    # the same with or without (1.24-1.35 ms either way, bench/README.md), and the other compiled reads were not
    # measured without it, so it stays.
    " FROM (SELECT f.id,"
    + _facts_columns(user=":user_id", agency=":agency_id", member=":member_id", agreements=None)
    + " FROM family f WHERE f.id = :family_id OFFSET 0) AS g("
    + ", ".join(FACTS_ROW_NAMES)
    + ")"
).bindparams(*_ONE_FAMILY_PARAMETERS)


def facts_row(name: str = "facts") -> sa.CTE:
    """One row when the family (:family_id) exists: its facts for the actor (:user_id, :agency_id, :member_id,
    :closed_read_period, `facts_row_parameters`), named as FACTS_ROW_NAMES plus `overridden` and
    `agreement_pairs`."""
    text_types = ARRAY(sa.Text())
    types = {
        "family_id": sa.Uuid(),
        "consented": text_types,
        "override_ids": text_types,
        "refused": text_types,
        "police_agencies": ARRAY(sa.Uuid()),
        "overridden": text_types,
        "agreement_pairs": JSONB(),
    }
    names = (*FACTS_ROW_NAMES, "overridden", "agreement_pairs")
    columns = [sa.column(name, types.get(name, sa.Boolean())) for name in names]
    return _FACTS_ROW_SQL.columns(*columns).cte(name)


def facts_row_parameters(actor: Actor, family_id: uuid.UUID, closed_read_period: timedelta) -> dict:
    return {
        "family_id": family_id,
        "user_id": actor.user_id,
        "agency_id": actor.agency_id,
        "member_id": actor.family_member_id,
        "closed_read_period": closed_read_period,
    }


def facts_statement(
    actor: Actor, family_ids: list[uuid.UUID], closed_read_period: timedelta = DEFAULT_CLOSED_READ_PERIOD
) -> sa.TextClause:
    statement, params = facts_query(actor, family_ids, closed_read_period)
    return statement.params(**params)


def facts_query(
    actor: Actor, family_ids: list[uuid.UUID], closed_read_period: timedelta = DEFAULT_CLOSED_READ_PERIOD
) -> tuple[sa.TextClause, dict[str, Any]]:
    """`facts_statement` as the statement built once and its parameters, to execute on a connection without the
    statement's clone (`TextClause.params`) and that clone's cache key each time."""
    who = {"user_id": actor.user_id, "agency_id": actor.agency_id, "member_id": actor.family_member_id}
    if len(family_ids) == 1:
        return _FAMILY_FACTS_SQL, {"family_id": family_ids[0], "closed_read_period": closed_read_period, **who}
    return _FACTS_SQL, {"family_ids": family_ids, "closed_read_period": closed_read_period, **who}


def pair_facts_statement(
    pairs: list[tuple[Actor, uuid.UUID]], closed_read_period: timedelta = DEFAULT_CLOSED_READ_PERIOD
) -> sa.TextClause:
    """Rows of (user id, family id, the facts columns) for each (actor, family) pair whose family exists."""
    return _PAIR_FACTS_SQL.params(
        user_ids=[actor.user_id for actor, _ in pairs],
        agency_ids=[actor.agency_id for actor, _ in pairs],
        member_ids=[actor.family_member_id for actor, _ in pairs],
        family_ids=[family_id for _, family_id in pairs],
        closed_read_period=closed_read_period,
    )


def team_facts_statement(
    family_ids: list[uuid.UUID], closed_read_period: timedelta = DEFAULT_CLOSED_READ_PERIOD
) -> sa.TextClause:
    """Rows of (family id, member's user id, agency id, team role, their account's display name, kind, system
    role, agency id, family member id and is_active, the kinds of notification they take in the daily digest,
    then the facts columns of that member and family as facts_from_rows reads them, but the sets only an item
    decision reads, empty: `team_member_facts`) for each active membership of these families: what a dispatch to
    a team needs of it, in one statement."""
    statement, params = team_facts_query(family_ids, closed_read_period)
    return statement.params(**params)


def team_facts_query(
    family_ids: list[uuid.UUID], closed_read_period: timedelta = DEFAULT_CLOSED_READ_PERIOD
) -> tuple[sa.TextClause, dict[str, Any]]:
    """`team_facts_statement` as the statement built once and its parameters (as `facts_query`)."""
    if len(family_ids) == 1:
        return _ONE_TEAM_FACTS_SQL, {"family_id": family_ids[0], "closed_read_period": closed_read_period}
    return _TEAM_FACTS_SQL, {"family_ids": family_ids, "closed_read_period": closed_read_period}


def facts_from_rows(
    family_ids: list[uuid.UUID], rows: list[tuple], agency_id: uuid.UUID | None
) -> dict[uuid.UUID, FamilyFacts]:
    """The facts of each family of `family_ids` from the rows of facts_statement (or pair_facts_statement, without
    its user id) for an actor of `agency_id`; a family with no row has no facts."""
    found = {row[0]: _facts_for(row, agency_id) for row in rows}
    return {family_id: found.get(family_id, FamilyFacts(family_id)) for family_id in family_ids}


def team_member_facts(row: tuple) -> FamilyFacts:
    """The facts of the member and family of one row of team_facts_statement: what a decision without an item
    reads (rules.family_decision_key), the sets an item decision reads empty. For `AccessControl.decide` about the
    family only (server/inbox/audience.py), never an enforcement point's facts of the family."""
    facts = row[TEAM_FACTS_LEAD:]  # the family's id and five flags, the empty sets, then the last two flags
    return FamilyFacts(*facts[:6], closed_read_over=bool(facts[10]), deputy_covering=bool(facts[12]))


def _facts_for(row: tuple, agency_id: uuid.UUID | None) -> FamilyFacts:
    """The facts of one row of facts columns (its agreements as _AGREEMENT_PARTIES gives them) for an actor of
    `agency_id`."""
    return _facts(row, _agreements_through(agency_id, tuple(row[11])))


def _facts(row: tuple, agreements: frozenset[tuple[uuid.UUID, str]]) -> FamilyFacts:
    family_id, worker, lead, on_team, manages, own, consented, overridden, refused, police, closed_over = row[:11]
    covering = row[12]
    overrides = _overrides(tuple(overridden))
    return FamilyFacts(
        family_id,
        worker,
        lead,
        on_team,
        manages,
        own,
        frozenset(consented),
        frozenset((agency, category) for agency, category, _ in overrides),
        frozenset(refused),
        frozenset(police),
        bool(closed_over),
        overrides,
        agreements,
        bool(covering),
    )


# A family's overrides and, agency by agency, its agreements are the same text in many rows: every request of an
# agency's staff, every recipient of a dispatch batch off the team (whose facts are read in full), a caseload's
# families. Parsing the few hundred "agency category" texts into ids once per row was most of a publication's CPU
# (bench README "Meeting writes"). The parsed sets are immutable, so one is shared by every row that holds its text.
@functools.lru_cache(maxsize=1024)
def _overrides(entries: tuple[str, ...]) -> frozenset[tuple[uuid.UUID, str, uuid.UUID]]:
    return frozenset(
        (uuid.UUID(agency), category, uuid.UUID(override))
        for agency, category, override in (entry.split(" ") for entry in entries)
    )


@functools.lru_cache(maxsize=128)  # an area has a few dozen agencies
def _agreements_through(agency: uuid.UUID | None, agreements: tuple[str, ...]) -> frozenset[tuple[uuid.UUID, str]]:
    """The (other agency, category) pairs of `agency`'s agreements as _AGREEMENT_PARTIES gives them: every other
    party of each agreement with each of its categories (as agreement_pairs keeps them, migration 0012)."""
    pairs = set()
    for agreement in agreements:
        parties, categories = agreement.split(";")
        others = [other for other in map(uuid.UUID, parties.split()) if other != agency]
        pairs.update((other, category) for other in others for category in categories.split())
    return frozenset(pairs)
