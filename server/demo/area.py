"""The demo area, Northbridge: its agencies and their staff (README lists the accounts). Development only."""

from __future__ import annotations

from server.agency.models import AgencyKind
from server.user.models import SystemRole

DEMO_PASSWORD = "taf-demo-2026"  # noqa: S105 (a published demo credential, never used in production)

AGENCIES = {
    "early_help": ("Northbridge Early Help Hub", AgencyKind.early_help),
    "police": ("Northbridge Police", AgencyKind.police),
    "health": ("Northbridge Community Health", AgencyKind.health),
    "school": ("Riverside Academy", AgencyKind.education),
    "housing": ("Northbridge Homes", AgencyKind.housing),
    "social_care": ("Northbridge Children's Social Care", AgencyKind.social_care),
    "voluntary": ("Family Action Northbridge", AgencyKind.voluntary),
}

# key, agency, e-mail, name, role, what they do on a team, in hours, out of hours
STAFF = [
    (
        "lead",
        "early_help",
        "sam.patel@earlyhelp.example",
        "Sam Patel",
        SystemRole.practitioner,
        "Lead professional: coordinates the plan and chairs TAF meetings",
        "07700 900101, Mon-Fri 9-5",
        "Emergency Duty Team 0300 555 0100",
    ),
    (
        "manager",
        "early_help",
        "morgan.reid@earlyhelp.example",
        "Morgan Reid",
        SystemRole.manager,
        "Early help team manager",
        "01632 960200",
        "Emergency Duty Team 0300 555 0100",
    ),
    (
        "police",
        "police",
        "alex.jones@police.example",
        "PC Alex Jones",
        SystemRole.practitioner,
        "Neighbourhood policing and Operation Encompass liaison",
        "101 ext 4410",
        "999 in an emergency, else 101",
    ),
    (
        "health",
        "health",
        "priya.shah@health.example",
        "Priya Shah",
        SystemRole.practitioner,
        "Health visitor: child development and parental wellbeing",
        "01632 960311",
        "NHS 111",
    ),
    (
        "school",
        "school",
        "dan.okafor@school.example",
        "Dan Okafor",
        SystemRole.practitioner,
        "Designated safeguarding lead: attendance support and mentoring",
        "01632 960422 (term time)",
        "School office answerphone; Emergency Duty Team 0300 555 0100",
    ),
    (
        "housing",
        "housing",
        "jo.lee@housing.example",
        "Jo Lee",
        SystemRole.practitioner,
        "Tenancy sustainment and repairs",
        "01632 960533",
        "Out-of-hours repairs 0800 555 0199",
    ),
    (
        "social_care",
        "social_care",
        "ruth.evans@socialcare.example",
        "Ruth Evans",
        SystemRole.practitioner,
        "Social worker: consultation and step-up advice",
        "01632 960644",
        "Emergency Duty Team 0300 555 0100",
    ),
    (
        "voluntary",
        "voluntary",
        "chris.bell@familyaction.example",
        "Chris Bell",
        SystemRole.practitioner,
        "Family support worker: parenting and routines at home",
        "07700 900707",
        "Family Action helpline 0808 555 0123",
    ),
    ("ig", "social_care", "hannah.wood@council.example", "Hannah Wood", SystemRole.ig_officer, "", "", ""),
    ("admin", "social_care", "ali.khan@council.example", "Ali Khan", SystemRole.admin, "", "", ""),
]
