"""Demo data for data-sharing agreements: Northbridge's multi-agency information-sharing agreement (every
agency but Northbridge Homes, due for review in a fortnight), and Northbridge Homes' own agreement with the
Early Help Hub and Children's Social Care, ending in 25 days (so its parties' IG officers, Hannah Wood
among them, are told). No agreement covers Northbridge Homes and Riverside Academy: in the Carter family,
Lisa consented to share housing with the whole team, yet Dan Okafor does not read the damp repairs."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from server.access.categories import InformationCategory
from server.agency.models import Agency
from server.clock import utcnow
from server.sharing_agreement import service as agreement_service
from server.sharing_agreement.models import AgreementLawfulBasis, DataSharingAgreement, DataSharingAgreementParty
from server.user.models import User

# agency key -> (IG contact, e-mail, phone)
IG_CONTACTS = {
    "early_help": ("Morgan Reid", "ig@earlyhelp.example", "01632 960200"),
    "police": ("Information Management Unit", "imu@police.example", "101 ext 4000"),
    "health": ("Caldicott Guardian's office", "caldicott@health.example", "01632 960300"),
    "school": ("Data protection officer", "dpo@school.example", "01632 960420"),
    "housing": ("Information governance team", "ig@housing.example", "01632 960530"),
    "social_care": ("Hannah Wood", "hannah.wood@council.example", "01632 960600"),
    "voluntary": ("Data protection lead", "dpo@familyaction.example", "07700 900700"),
}


async def load(session: AsyncSession, agencies: dict[str, Agency], ig: User) -> None:
    today = utcnow().date()
    area_wide = DataSharingAgreement(
        title="Northbridge multi-agency information-sharing agreement",
        categories=[category.value for category in InformationCategory],
        purposes="Coordinating early help through Team Around the Family plans for families who agree to it;"
        " safeguarding and promoting the welfare of children.",
        lawful_basis=AgreementLawfulBasis.public_task,
        lawful_basis_detail="Children Act 1989 s17 and Children Act 2004 s10 and s11; UK GDPR Art 9(2)(g) and (h),"
        " DPA 2018 Sch 1 paras 2, 6 and 18",
        starts_on=today - timedelta(days=351),
        review_on=today + timedelta(days=14),
        ends_on=today + timedelta(days=744),
        document_reference="NB-ISA-2025, Northbridge Safeguarding Partnership shared drive",
        created_by_user_id=ig.id,
    )
    homes = DataSharingAgreement(
        title="Northbridge Homes tenancy sustainment agreement",
        categories=["housing", "finance", "family_history"],
        purposes="Helping families keep their tenancy: repairs, arrears and support plans.",
        lawful_basis=AgreementLawfulBasis.public_task,
        lawful_basis_detail="Housing Act 1996 s213; Children Act 2004 s10",
        starts_on=today - timedelta(days=340),
        review_on=today - timedelta(days=10),
        ends_on=today + timedelta(days=25),
        document_reference="NH-DSA-03, Northbridge Homes legal team",
        created_by_user_id=ig.id,
    )
    parties = [
        (area_wide, ["early_help", "police", "health", "school", "social_care", "voluntary"]),
        (homes, ["housing", "early_help", "social_care"]),
    ]
    session.add_all([area_wide, homes])
    await session.flush()
    for agreement, keys in parties:
        for key in keys:
            name, email, phone = IG_CONTACTS[key]
            session.add(
                DataSharingAgreementParty(
                    agreement_id=agreement.id,
                    agency_id=agencies[key].id,
                    ig_contact_name=name,
                    ig_contact_email=email,
                    ig_contact_phone=phone,
                )
            )
        await agreement_service.schedule_expiry_notice(session, agreement)
