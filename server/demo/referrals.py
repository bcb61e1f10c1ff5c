"""The demo referrals: how two families came to early help. The Osei family's shows the whole journey
from referral to the threshold decision (by the early help team manager), first contact and, with its
entry assessment (plan.py), the waits; its case was later closed (plan.py). The Williams family's
referral still waits for its decision."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from server.family.models import Family, LevelOfNeed
from server.referral.models import Referral, ReferralConsent, ReferralOutcome


async def load(session: AsyncSession, families: list[Family], staff: dict) -> None:
    by_name = {family.display_name: family for family in families}
    osei, williams = by_name["The Osei family"], by_name["The Williams family"]
    received = osei.opened_at.date() - timedelta(days=5)
    session.add(
        Referral(
            family_id=osei.id,
            received_on=received,
            referrer_name="Mr Daniel Okafor",
            referrer_organisation="Riverside Academy",
            referrer_role="Designated safeguarding lead",
            referrer_contact="01632 960410",
            consent=ReferralConsent.given,
            consent_given_by="Abena Osei (mother)",
            reason="Kwame's attendance has fallen to 71% and he is often late and hungry.",
            presenting_needs="School attendance; rent arrears and a notice seeking possession; low mood (mother).",
            owning_agency_id=staff["lead"].agency_id,
            category="education",
            recorded_by_user_id=staff["lead"].id,
            decided_level=LevelOfNeed.targeted,
            decided_on=received + timedelta(days=2),
            decided_by_user_id=staff["manager"].id,
            decision_reason="Needs across school, housing and the home that no single agency can meet: early help"
            " with a Team Around the Family.",
            outcome=ReferralOutcome.accepted,
            first_contact_on=received + timedelta(days=3),
        )
    )
    session.add(
        Referral(
            family_id=williams.id,
            received_on=williams.opened_at.date(),
            referrer_name="Grace Williams",
            referrer_organisation="Self-referral",
            referrer_role="Grandmother and carer",
            consent=ReferralConsent.given,
            consent_given_by="Grace Williams (grandmother)",
            reason="Kai has been excluded twice this term and Grace is struggling to cope.",
            presenting_needs="Behaviour at school; a kinship carer's own health.",
            owning_agency_id=staff["lead"].agency_id,
            category="education",
            recorded_by_user_id=staff["lead"].id,
        )
    )
