"""The words of the generated data: names, item titles by category, sentences, the roles agencies play."""

from __future__ import annotations

FIRST_NAMES = str.split(
    "Amira Ben Chloe Dylan Ella Finn Grace Harvey Isla Jack Kai Leah Mason Nia Oscar Priya Quinn Ruby Sami Tara"
    " Umar Violet Wes Xena Yusuf Zara Aisha Callum Demi Ethan Freya Gabriel Hana Idris Jade Kofi Lena Milo"
)
SURNAMES = str.split(
    "Adams Begum Clarke Davies Evans Fraser Green Hughes Iqbal Jones Khan Lewis Morgan Nowak Okafor Patel"
    " Quinn Roberts Singh Taylor Usman Vaughan Walsh Young Zielinski Ahmed Brown Carter Doyle Ellis"
)

TITLE_WORDS = {
    "health": ["GP review", "Immunisations due", "Dental check missed", "Speech therapy referral"],
    "mental_health": ["Low mood reported", "CAMHS referral", "Anxiety at school", "Sleep problems"],
    "education": ["Attendance below 90%", "Mentoring started", "SEN support plan", "Exclusion review"],
    "police": ["Incident attended", "Operation Encompass notice", "Missing episode", "Anti-social behaviour"],
    "youth_justice": ["Referral order", "Out-of-court disposal", "Reparation session", "YOT check-in"],
    "housing": ["Damp repairs booked", "Rent arrears plan", "Overcrowding assessment", "Tenancy visit"],
    "social_care": ["Strategy discussion", "Child in need review", "Step-down plan", "Respite offer"],
    "substance_misuse": ["Treatment engagement", "Harm reduction advice", "Relapse noted", "Testing booked"],
    "domestic_abuse": ["MARAC referral", "Safety plan agreed", "IDVA contact", "Incident disclosed"],
    "family_history": ["Genogram updated", "Previous involvement", "Kinship support", "Bereavement"],
    "finance": ["Debt advice", "Benefits check", "Food bank voucher", "Budgeting support"],
    "other": ["Holiday club place", "Sports club", "Transport help", "Interpreter needed"],
}
SENTENCES = [
    "Discussed progress with the parent at the home visit and agreed the next steps.",
    "The child was seen alone and said things at home are getting better.",
    "Attendance has improved since the mentoring sessions started in the autumn term.",
    "A referral was made and the family were told what would happen next.",
    "Concerns were raised at the team meeting and actions were given owners and dates.",
    "The young person engaged well and set two goals for the coming month.",
    "Mum reports that routines at bedtime are easier since the parenting course.",
    "The worker will check in by phone next week and update the plan afterwards.",
    "No new concerns this month; the plan stays as agreed at the last review.",
    "Contact details and availability for the school holidays were confirmed.",
]
AGENCY_ROLES = [
    "Family support worker",
    "Health visitor",
    "Designated safeguarding lead",
    "Neighbourhood officer",
    "Tenancy sustainment officer",
    "Social worker",
    "Youth justice worker",
    "School nurse",
    "Drug and alcohol worker",
    "IDVA",
]
