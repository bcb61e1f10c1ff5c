"""The GraphQL composition root: the only module that imports every domain's api module."""

from __future__ import annotations

import strawberry
from graphql import specified_rules
from graphql.validation import NoSchemaIntrospectionCustomRule
from strawberry.extensions.max_aliases import create_validator as max_aliases_rule
from strawberry.extensions.query_depth_limiter import create_validator as max_depth_rule
from strawberry.tools import merge_types

from server.agency.api import AgencyMutation, AgencyQuery
from server.api.audit import RequestAudit
from server.api.errors import ErrorPolicy, HideSuggestions, HideSuggestionsInExecution
from server.api.persisted import TrustedDocuments, document_cache
from server.assessment.api import AssessmentMutation, AssessmentQuery
from server.audit.api import AuditMutation, AuditQuery
from server.auth.api import AuthMutation
from server.caseimport.api import CaseImportMutation, CaseImportQuery
from server.chronology.api import ChronologyMutation, ChronologyQuery
from server.config import Settings
from server.consent.api import ConsentMutation
from server.contact.api import ContactMutation, ContactQuery
from server.contribution.api import ContributionMutation, ContributionQuery
from server.cover.api import CoverMutation, CoverQuery
from server.escalation.api import EscalationMutation, EscalationQuery
from server.family.api import FamilyMutation, FamilyQuery
from server.family_network.api import NetworkMutation, NetworkQuery
from server.follow_up.api import FollowUpMutation, FollowUpQuery
from server.inbox.api import NotificationMutation, NotificationQuery, NotificationSubscription
from server.legal_status.api import LegalStatusMutation, LegalStatusQuery
from server.meeting.api import MeetingQuery
from server.meeting.mutations import MeetingMutation
from server.my_work.api import MyWorkQuery
from server.outcomes_report.api import OutcomesReportQuery
from server.panel.api import PanelMutation, PanelQuery
from server.password_reset.api import PasswordMutation
from server.plan.api import PlanMutation, PlanQuery
from server.plan.contingency_api import PlanContingencyMutation
from server.portal.api import PortalMutation, PortalQuery
from server.referral.api import ReferralMutation, ReferralQuery
from server.retention.api import RetentionMutation, RetentionQuery
from server.safeguarding.api import SafeguardingMutation, SafeguardingQuery
from server.service_catalogue.api import ServiceCatalogueMutation, ServiceCatalogueQuery
from server.service_received.api import ServiceReceivedMutation, ServiceReceivedQuery
from server.sharing_agreement.api import SharingAgreementMutation, SharingAgreementQuery
from server.sso.api import SsoMutation, SsoQuery
from server.team.api import TeamMutation
from server.transition.api import TransitionMutation, TransitionQuery
from server.user.account_api import AccountMutation, AccountQuery
from server.user.api import UserQuery

Query = merge_types(
    "Query",
    (
        UserQuery,
        AccountQuery,
        MyWorkQuery,
        AgencyQuery,
        FamilyQuery,
        ContributionQuery,
        ChronologyQuery,
        SafeguardingQuery,
        SharingAgreementQuery,
        AuditQuery,
        PlanQuery,
        CoverQuery,
        ContactQuery,
        NetworkQuery,
        MeetingQuery,
        AssessmentQuery,
        EscalationQuery,
        ReferralQuery,
        PanelQuery,
        LegalStatusQuery,
        FollowUpQuery,
        TransitionQuery,
        NotificationQuery,
        PortalQuery,
        SsoQuery,
        RetentionQuery,
        ServiceCatalogueQuery,
        OutcomesReportQuery,
        ServiceReceivedQuery,
        CaseImportQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        AuthMutation,
        PasswordMutation,
        AccountMutation,
        AgencyMutation,
        FamilyMutation,
        TeamMutation,
        ContributionMutation,
        ChronologyMutation,
        ConsentMutation,
        SafeguardingMutation,
        SharingAgreementMutation,
        AuditMutation,
        NotificationMutation,
        PlanMutation,
        PlanContingencyMutation,
        CoverMutation,
        ContactMutation,
        NetworkMutation,
        MeetingMutation,
        AssessmentMutation,
        EscalationMutation,
        ReferralMutation,
        PanelMutation,
        LegalStatusMutation,
        FollowUpMutation,
        TransitionMutation,
        PortalMutation,
        SsoMutation,
        RetentionMutation,
        ServiceCatalogueMutation,
        ServiceReceivedMutation,
        CaseImportMutation,
    ),
)
Subscription = merge_types("Subscription", (NotificationSubscription,))


class TafSchema(strawberry.Schema):
    trusted: TrustedDocuments  # graphql/operations/, parsed and validated at start-up (server/api/persisted.py)

    def process_errors(self, errors, execution_context=None) -> None:
        """Expected errors (refusals, bad input) are answers, not faults: ErrorPolicy logs the rest."""


def create_schema(settings: Settings) -> strawberry.Schema:
    # Validation rules are built once: a rule class made per request would defeat the validation cache.
    limits = [max_depth_rule(settings.max_query_depth, None, None), max_aliases_rule(settings.max_aliases)]
    if settings.production:
        limits.append(HideSuggestions)
    # The rules every request is validated with (graphql-core's, the limits, and in production no
    # introspection), so that a trusted document is held to exactly what it would be held to when sent.
    rules = (*specified_rules, *limits, *([NoSchemaIntrospectionCustomRule] if settings.production else []))
    trusted = TrustedDocuments()
    schema = TafSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        extensions=[ErrorPolicy, RequestAudit, document_cache(trusted, max_tokens=settings.max_tokens, rules=rules)],
        execution_context_class=HideSuggestionsInExecution if settings.production else None,
    )
    trusted.load(settings.graphql_dir / "operations", schema._schema, rules)
    schema.trusted = trusted
    return schema


# For `strawberry export-schema server.api.schema:schema` and the contract test; the SDL is the same
# in every environment.
schema = create_schema(Settings(database_url=None))
