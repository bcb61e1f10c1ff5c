"""The GraphQL composition root: the only module that imports every domain's api module."""

from __future__ import annotations

import strawberry
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.tools import merge_types

from server.agency.api import AgencyQuery
from server.api.audit import RequestAudit
from server.api.errors import ErrorPolicy, HideSuggestions, HideSuggestionsInExecution
from server.assessment.api import AssessmentMutation, AssessmentQuery
from server.audit.api import AuditMutation, AuditQuery
from server.auth.api import AuthMutation
from server.config import Settings
from server.consent.api import ConsentMutation
from server.contribution.api import ContributionMutation, ContributionQuery
from server.escalation.api import EscalationMutation, EscalationQuery
from server.family.api import FamilyMutation, FamilyQuery
from server.inbox.api import NotificationMutation, NotificationQuery, NotificationSubscription
from server.meeting.api import MeetingQuery
from server.meeting.mutations import MeetingMutation
from server.my_work.api import MyWorkQuery
from server.plan.api import PlanMutation, PlanQuery
from server.portal.api import PortalMutation, PortalQuery
from server.retention.api import RetentionMutation, RetentionQuery
from server.safeguarding.api import SafeguardingMutation, SafeguardingQuery
from server.sharing_agreement.api import SharingAgreementMutation, SharingAgreementQuery
from server.sso.api import SsoMutation, SsoQuery
from server.team.api import TeamMutation
from server.transition.api import TransitionMutation, TransitionQuery
from server.user.api import UserQuery

Query = merge_types(
    "Query",
    (
        UserQuery,
        MyWorkQuery,
        AgencyQuery,
        FamilyQuery,
        ContributionQuery,
        SafeguardingQuery,
        SharingAgreementQuery,
        AuditQuery,
        PlanQuery,
        MeetingQuery,
        AssessmentQuery,
        EscalationQuery,
        TransitionQuery,
        NotificationQuery,
        PortalQuery,
        SsoQuery,
        RetentionQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutation,
        FamilyMutation,
        TeamMutation,
        ContributionMutation,
        ConsentMutation,
        SafeguardingMutation,
        SharingAgreementMutation,
        AuditMutation,
        NotificationMutation,
        PlanMutation,
        MeetingMutation,
        AssessmentMutation,
        EscalationMutation,
        TransitionMutation,
        PortalMutation,
        SsoMutation,
        RetentionMutation,
    ),
)
Subscription = merge_types("Subscription", (NotificationSubscription,))


class TafSchema(strawberry.Schema):
    def process_errors(self, errors, execution_context=None) -> None:
        """Expected errors (refusals, bad input) are answers, not faults: ErrorPolicy logs the rest."""


def create_schema(settings: Settings) -> strawberry.Schema:
    # Validation rules are built once: a rule class made per request would defeat the validation cache.
    limits = [max_depth_rule(settings.max_query_depth, None, None), max_aliases_rule(settings.max_aliases)]
    if settings.production:
        limits.append(HideSuggestions)
    extensions: list = [
        ErrorPolicy,
        RequestAudit,
        lambda: MaxTokensLimiter(max_token_count=settings.max_tokens),
        lambda: AddValidationRules(limits),
        lambda: ParserCache(maxsize=512),
        lambda: ValidationCache(maxsize=512),
    ]
    if settings.production:
        extensions.append(DisableIntrospection)
    return TafSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=extensions,
        execution_context_class=HideSuggestionsInExecution if settings.production else None,
    )


# For `strawberry export-schema server.api.schema:schema` and the contract test; the SDL is the same
# in every environment.
schema = create_schema(Settings(database_url=None))
