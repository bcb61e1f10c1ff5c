"""Where each kind of chronology entry comes from: one `Source` per kind, in `SOURCES`.

A source says which table rows make its entries, the real date each event happened on (an effective date,
a meeting's date, an assessment's date, a contact's time) apart from when it was recorded, the agency it
belongs to, the codes its description is written from, and, where the entry shows case content, which kind
of content that is and its columns (`Content`). The service (service.py) turns the sources into one UNION ALL
statement, and decides each content column through the enforcement point's SQL form of the rules
(`StatementPolicy.item_condition`, over the family's facts read in the same statement): the words are selected
only where the reader may read them. A source whose `seen_as` kind the reader may not read
(policies/policy.csv) is left out of the statement altogether.

Adding a kind of event to the chronology is one `Source` in `SOURCES`, at the end of this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from server.access.kinds import Kind
from server.access.rules import ContentColumns
from server.assessment.models import Assessment, Review
from server.chronology.words import NOTHING, Describer, closure, follow_up, sentence, team_joined
from server.consent.models import Consent
from server.contact.models import Contact
from server.contribution.models import Contribution
from server.contribution.service import content_columns as contribution_columns
from server.cover.models import DeputyLead
from server.escalation.models import Escalation
from server.escalation.service import reason_columns as escalation_reason_columns
from server.family.models import Family
from server.follow_up.models import FollowUp
from server.legal_status.models import LegalStatusChange
from server.meeting.models import Meeting, MeetingStatus
from server.panel.content import rationale_columns as panel_rationale_columns
from server.panel.models import PanelDecision, PanelSitting
from server.plan.content import action_columns, contingency_columns, goal_columns
from server.plan.models import (
    ActionStatus,
    ContingencyStatus,
    GoalStatus,
    PlanAction,
    PlanContingency,
    PlanGoal,
    PlanHistory,
)
from server.referral.models import Referral
from server.referral.service import reason_columns as referral_reason_columns
from server.safeguarding.models import SafeguardingOverride, SharingDecision
from server.service_catalogue.models import Service
from server.service_received.content import content_columns as service_columns
from server.service_received.models import ServiceReceived
from server.team.models import TeamMembership
from server.transition.models import FamilyTransition, TransitionKind
from server.user.models import User


@dataclass(frozen=True)
class Content:
    """Case content an entry shows, decided by the enforcement point for `kind` on `columns`. `whole_record`:
    the entry is nothing but that content (a contribution, a service received), so a reader who may not read it
    does not see the entry at all; otherwise the entry stays, as a coordination fact, with its words withheld."""

    kind: Kind
    columns: ContentColumns
    words: ColumnElement | None = None
    whole_record: bool = False


@dataclass(frozen=True)
class Shape:
    """The expressions of one source's entries. `happened_on` is a date; `codes` (at most two) are what the
    description is written from, never free text."""

    family_id: ColumnElement
    subject_id: ColumnElement
    happened_on: ColumnElement
    recorded_at: ColumnElement
    agency_id: ColumnElement | None = None
    codes: tuple[ColumnElement, ...] = ()
    where: tuple[ColumnElement, ...] = ()
    from_: FromClause | None = None
    content: Content | None = None


@dataclass(frozen=True)
class Source:
    kind: str  # the chronology's name of the event, as the API and the filters name it
    label: str  # in plain English, for the reader
    seen_as: Kind  # the reader must be allowed to read this kind of record in the family
    shape: Callable[[], Shape]
    describe: Describer = NOTHING  # the description, from the shape's codes (words.py)


def on_day(moment: ColumnElement) -> ColumnElement:
    """The day (UTC) a moment fell on."""
    return sa.cast(sa.func.timezone("UTC", moment), sa.Date)


def _text(column: ColumnElement) -> ColumnElement:
    return sa.cast(column, sa.Text)


_f, _ref, _team, _dep = Family.__table__.c, Referral.__table__.c, TeamMembership.__table__.c, DeputyLead.__table__.c
_con, _esc, _meet = Contribution.__table__.c, Escalation.__table__.c, Meeting.__table__.c
_ass, _rev, _goal, _act = Assessment.__table__.c, Review.__table__.c, PlanGoal.__table__.c, PlanAction.__table__.c
_cont, _tr, _legal = PlanContingency.__table__.c, FamilyTransition.__table__.c, LegalStatusChange.__table__.c
_fu, _cons, _srv = FollowUp.__table__.c, Consent.__table__.c, ServiceReceived.__table__.c
_catalogue, _ovr, _dns = Service.__table__.c, SafeguardingOverride.__table__.c, SharingDecision.__table__.c
_panel, _sitting = PanelDecision.__table__.c, PanelSitting.__table__.c


def _by(user_column: ColumnElement, table: sa.Table) -> tuple[ColumnElement, FromClause]:
    """The agency of the user in `user_column`, and the join that reads it."""
    user = User.__table__.alias()
    return user.c.agency_id, table.join(user, user.c.id == user_column, isouter=True)


def _family_opened() -> Shape:
    return Shape(_f.id, _f.id, on_day(_f.opened_at), _f.opened_at)


def _referral_received() -> Shape:
    content = Content(Kind.referral_reason, referral_reason_columns(), _ref.reason)
    codes = (_ref.referrer_organisation,)
    return Shape(
        _ref.family_id, _ref.id, _ref.received_on, _ref.created_at, _ref.owning_agency_id, codes, (), None, content
    )


def _referral_decided() -> Shape:
    content = Content(Kind.referral_reason, referral_reason_columns(), _ref.decision_reason)
    codes = (_text(_ref.decided_level), _text(_ref.outcome))
    agency, joined = _by(_ref.decided_by_user_id, Referral.__table__)
    where = (_ref.decided_on.is_not(None),)
    return Shape(_ref.family_id, _ref.id, _ref.decided_on, _ref.updated_at, agency, codes, where, joined, content)


def _first_contact() -> Shape:
    where = (_ref.first_contact_on.is_not(None),)
    return Shape(_ref.family_id, _ref.id, _ref.first_contact_on, _ref.updated_at, _ref.owning_agency_id, (), where)


def _team_joined() -> Shape:
    codes = (_text(_team.role), _team.agency_role)
    return Shape(_team.family_id, _team.id, on_day(_team.valid_from), _team.created_at, _team.agency_id, codes)


def _team_left() -> Shape:
    codes = (_text(_team.role),)
    where = (_team.valid_to.is_not(None),)
    return Shape(_team.family_id, _team.id, on_day(_team.valid_to), _team.valid_to, _team.agency_id, codes, where)


def _deputy_named() -> Shape:
    agency, joined = _by(_dep.user_id, DeputyLead.__table__)
    return Shape(_dep.family_id, _dep.id, on_day(_dep.valid_from), _dep.valid_from, agency, (), (), joined)


def _contribution() -> Shape:
    content = Content(Kind.contribution, contribution_columns(), _con.title, whole_record=True)
    codes = (_text(_con.kind),)
    return Shape(
        _con.family_id,
        _con.id,
        on_day(_con.created_at),
        _con.created_at,
        _con.owning_agency_id,
        codes,
        (),
        None,
        content,
    )


def _escalation_raised() -> Shape:
    content = Content(Kind.escalation_reason, escalation_reason_columns(), _esc.reason)
    codes = (_text(_esc.level), _text(_esc.category))
    return Shape(
        _esc.family_id, _esc.id, on_day(_esc.raised_at), _esc.raised_at, _esc.owning_agency_id, codes, (), None, content
    )


def _escalation_acknowledged() -> Shape:
    agency, joined = _by(_esc.acknowledged_by_user_id, Escalation.__table__)
    when, codes = _esc.acknowledged_at, (_text(_esc.level),)
    return Shape(_esc.family_id, _esc.id, on_day(when), when, agency, codes, (when.is_not(None),), joined)


def _escalation_resolved() -> Shape:
    content = Content(Kind.escalation_reason, escalation_reason_columns(), _esc.outcome_note)
    agency, joined = _by(_esc.resolved_by_user_id, Escalation.__table__)
    when, codes = _esc.resolved_at, (_text(_esc.outcome),)
    return Shape(_esc.family_id, _esc.id, on_day(when), when, agency, codes, (when.is_not(None),), joined, content)


def _meeting_held() -> Shape:
    agency, joined = _by(_meet.chair_user_id, Meeting.__table__)
    where = (_meet.status == MeetingStatus.held.value,)
    codes = (_text(_meet.kind),)
    return Shape(_meet.family_id, _meet.id, on_day(_meet.scheduled_at), _meet.created_at, agency, codes, where, joined)


def _minutes_published() -> Shape:
    agency, joined = _by(_meet.chair_user_id, Meeting.__table__)
    when = _meet.minutes_published_at
    return Shape(_meet.family_id, _meet.id, on_day(when), when, agency, (), (when.is_not(None),), joined)


def _assessment(corrected: bool) -> Callable[[], Shape]:
    def shape() -> Shape:
        codes = (_text(_ass.stage), _text(_ass.level_of_need))
        where = (_ass.supersedes_id.is_not(None) if corrected else _ass.supersedes_id.is_(None),)
        return Shape(_ass.family_id, _ass.id, _ass.assessed_on, _ass.created_at, _ass.owning_agency_id, codes, where)

    return shape


def _review() -> Shape:
    return Shape(_rev.family_id, _rev.id, _rev.reviewed_on, _rev.created_at, _rev.owning_agency_id)


def _first_version(entity_id: ColumnElement, status: ColumnElement, fallback: ColumnElement) -> ColumnElement:
    """When the plan's history first holds a version of the entity whose status meets `status` (a condition on
    the snapshot's status): the day a goal was closed or an action done, which later edits of its words do not
    move. `fallback` for an entity without that history (rows written by other means)."""
    history = PlanHistory.__table__.c
    first = sa.select(sa.func.min(history.created_at)).where(history.entity_id == entity_id, status).scalar_subquery()
    return sa.func.coalesce(first, fallback)


def _snapshot_status() -> ColumnElement:
    return PlanHistory.__table__.c.snapshot["status"].astext


def _goal_event(status: str | None) -> Callable[[], Shape]:
    """Added (status None), or closed with an outcome (any status but open)."""

    def shape() -> Shape:
        content = Content(Kind.plan_goal, goal_columns(), _goal.in_family_words)
        closed = _snapshot_status() != GoalStatus.open.value
        when = _first_version(_goal.id, closed, _goal.updated_at) if status else _goal.created_at
        where = (_goal.status != GoalStatus.open.value,) if status else ()
        codes = (_text(_goal.status if status else _goal.outcome_domain),)
        return Shape(_goal.family_id, _goal.id, on_day(when), when, _goal.owning_agency_id, codes, where, None, content)

    return shape


def _action_event(done: bool) -> Callable[[], Shape]:
    def shape() -> Shape:
        content = Content(Kind.plan_action, action_columns(), _act.description)
        finished = _snapshot_status() == ActionStatus.done.value
        when = _first_version(_act.id, finished, _act.updated_at) if done else _act.created_at
        where = (_act.status == ActionStatus.done.value,) if done else ()
        codes = (_text(_act.due_date),)
        return Shape(_act.family_id, _act.id, on_day(when), when, _act.owning_agency_id, codes, where, None, content)

    return shape


def _contingency_event(used: bool) -> Callable[[], Shape]:
    def shape() -> Shape:
        content = Content(Kind.plan_contingency, contingency_columns(), _cont.trigger)
        put_to_use = _snapshot_status() == ContingencyStatus.used.value
        when = _first_version(_cont.id, put_to_use, _cont.updated_at) if used else _cont.created_at
        where = (_cont.status == ContingencyStatus.used.value,) if used else ()
        return Shape(_cont.family_id, _cont.id, on_day(when), when, _cont.owning_agency_id, (), where, None, content)

    return shape


def _transition(kind: TransitionKind) -> Callable[[], Shape]:
    def shape() -> Shape:
        agency, joined = _by(_tr.recorded_by_user_id, FamilyTransition.__table__)
        codes = (_text(_tr.outcome), _text(_tr.care_outcome)) if kind is TransitionKind.closure else ()
        where = (_tr.kind == kind.value,)
        return Shape(_tr.family_id, _tr.id, _tr.effective_on, _tr.created_at, agency, codes, where, joined)

    return shape


def _legal_status() -> Shape:
    agency, joined = _by(_legal.recorded_by_user_id, LegalStatusChange.__table__)
    codes = (_text(_legal.legal_status), sa.case((_legal.edge_of_care, "edge of care"), else_=""))
    return Shape(_legal.family_id, _legal.id, _legal.effective_from, _legal.created_at, agency, codes, (), joined)


def _follow_up() -> Shape:
    agency, joined = _by(_fu.recorded_by_user_id, FollowUp.__table__)
    codes = (_text(_fu.months), _text(_fu.still_at_home))
    where = (_fu.checked_on.is_not(None), _fu.recorded_at.is_not(None))
    return Shape(_fu.family_id, _fu.id, _fu.checked_on, _fu.recorded_at, agency, codes, where, joined)


def _consent(decision: str) -> Callable[[], Shape]:
    def shape() -> Shape:
        codes = (sa.func.array_to_string(_cons.categories, ", "),)
        return Shape(
            _cons.family_id,
            _cons.id,
            on_day(_cons.valid_from),
            _cons.created_at,
            None,
            codes,
            (_cons.decision == decision,),
        )

    return shape


def _consent_withdrawn() -> Shape:
    codes = (sa.func.array_to_string(_cons.categories, ", "),)
    when = _cons.withdrawn_at
    return Shape(_cons.family_id, _cons.id, on_day(when), when, None, codes, (when.is_not(None),))


def _contact() -> Shape:
    c = Contact.__table__.c
    codes = (_text(c.kind), _text(c.duration_minutes))
    return Shape(c.family_id, c.id, on_day(c.contacted_at), c.created_at, c.owning_agency_id, codes)


def _service_received() -> Shape:
    joined = ServiceReceived.__table__.join(Service.__table__, _catalogue.id == _srv.service_id)
    content = Content(Kind.service_received, service_columns(), _catalogue.name, whole_record=True)
    return Shape(
        _srv.family_id, _srv.id, _srv.started_on, _srv.created_at, _srv.provider_agency_id, (), (), joined, content
    )


def _panel_decision() -> Shape:
    """A panel's decision about the family, on the day the panel sat; its rationale is the recording agency's."""
    joined = PanelDecision.__table__.join(PanelSitting.__table__, _sitting.id == _panel.sitting_id)
    content = Content(Kind.panel_rationale, panel_rationale_columns(), _panel.rationale)
    codes, decided = (_text(_panel.outcome), _text(_sitting.kind)), (_panel.decided_at.is_not(None),)
    return Shape(
        _panel.family_id,
        _panel.id,
        _sitting.sits_on,
        _panel.decided_at,
        _panel.owning_agency_id,
        codes,
        decided,
        joined,
        content,
    )


def _override() -> Shape:
    columns = ContentColumns(_ovr.owning_agency_id, sa.literal(""), recipients=_ovr.recipient_agency_ids)
    content = Content(Kind.safeguarding_override, columns, whole_record=True)
    codes = (sa.func.array_to_string(_ovr.categories, ", "),)
    when = _ovr.starts_at
    return Shape(
        _ovr.family_id, _ovr.id, on_day(when), _ovr.created_at, _ovr.owning_agency_id, codes, (), None, content
    )


def _decision_not_to_share() -> Shape:
    columns = ContentColumns(_dns.owning_agency_id, sa.literal(""), recipients=_dns.recipient_agency_ids)
    content = Content(Kind.sharing_decision, columns, whole_record=True)
    codes = (sa.func.array_to_string(_dns.categories, ", "),)
    when = _dns.created_at
    return Shape(_dns.family_id, _dns.id, on_day(when), when, _dns.owning_agency_id, codes, (), None, content)


SOURCES: tuple[Source, ...] = (
    Source("family_opened", "Record opened", Kind.family, _family_opened),
    Source("referral_received", "Referral received", Kind.referral, _referral_received, sentence("From {}")),
    Source(
        "referral_decided", "Threshold decision", Kind.referral, _referral_decided, sentence("Level {}; outcome: {}")
    ),
    Source("first_contact", "First contact with the family", Kind.referral, _first_contact),
    Source("team_joined", "Joined the team", Kind.family, _team_joined, team_joined),
    Source("team_left", "Left the team", Kind.family, _team_left, sentence("Was {}")),
    Source("deputy_named", "Deputy lead named", Kind.family, _deputy_named),
    Source("contribution", "Agency information added", Kind.family, _contribution, sentence("{}")),
    Source(
        "escalation_raised", "Escalation raised", Kind.escalation, _escalation_raised, sentence("Level: {}; about {}")
    ),
    Source("escalation_acknowledged", "Escalation acknowledged", Kind.escalation, _escalation_acknowledged),
    Source("escalation_resolved", "Escalation resolved", Kind.escalation, _escalation_resolved, sentence("{}")),
    Source("meeting_held", "TAF meeting held", Kind.meeting, _meeting_held, sentence("{} meeting")),
    Source("minutes_published", "Minutes published", Kind.meeting, _minutes_published),
    Source(
        "assessment", "Assessment", Kind.assessment, _assessment(False), sentence("{} assessment; level of need {}")
    ),
    Source(
        "assessment_corrected",
        "Assessment corrected",
        Kind.assessment,
        _assessment(True),
        sentence("{} assessment; level of need {}"),
    ),
    Source("review", "Review", Kind.assessment, _review),
    Source("goal_added", "Goal added to the plan", Kind.plan, _goal_event(None), sentence("Outcome area: {}")),
    Source("goal_closed", "Goal closed", Kind.plan, _goal_event("closed"), sentence("{}")),
    Source("action_added", "Action added to the plan", Kind.plan, _action_event(False), sentence("Due {}")),
    Source("action_completed", "Action completed", Kind.plan, _action_event(True)),
    Source("contingency_added", "Contingency added to the plan", Kind.plan, _contingency_event(False)),
    Source("contingency_used", "Contingency used", Kind.plan, _contingency_event(True)),
    Source("step_up", "Stepped up", Kind.plan, _transition(TransitionKind.step_up)),
    Source("step_down", "Stepped down", Kind.plan, _transition(TransitionKind.step_down)),
    Source("closure", "Case closed", Kind.plan, _transition(TransitionKind.closure), closure),
    Source("reopening", "Case re-opened", Kind.plan, _transition(TransitionKind.reopening)),
    Source("legal_status", "Legal status changed", Kind.legal_status, _legal_status, sentence("{} {}")),
    Source("follow_up", "Follow-up check recorded", Kind.follow_up, _follow_up, follow_up),
    Source("consent_given", "Consent given", Kind.consent, _consent("given"), sentence("To share: {}")),
    Source("consent_refused", "Consent refused", Kind.consent, _consent("refused"), sentence("Not to share: {}")),
    Source("consent_withdrawn", "Consent withdrawn", Kind.consent, _consent_withdrawn, sentence("Was for: {}")),
    Source("contact", "Contact with the family", Kind.contact, _contact, sentence("{}, {} minutes")),
    Source("service_received", "Service started", Kind.family, _service_received),
    Source("panel_decision", "Panel decision", Kind.panel_decision, _panel_decision, sentence("{} ({} panel)")),
    Source(
        "safeguarding_override",
        "Information shared without consent to safeguard a child",
        Kind.family,
        _override,
        sentence("Categories: {}"),
    ),
    Source(
        "decision_not_to_share",
        "Decision not to share",
        Kind.family,
        _decision_not_to_share,
        sentence("Categories: {}"),
    ),
)

BY_KIND: dict[str, Source] = {source.kind: source for source in SOURCES}
