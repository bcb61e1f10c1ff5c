"""The words of the chronology's descriptions: codes in plain English, never the codes themselves."""

from __future__ import annotations

from collections.abc import Callable

from server.team.models import TeamRole


def plain(code: str | None) -> str:
    """A code in plain English: `child_protection_plan` -> "child protection plan"."""
    return WORDS.get(code or "", (code or "").replace("_", " "))


WORDS = {
    "lead_professional": "lead professional",
    "contributor": "team member",
    "referral_childrens_social_care": "referral to children's social care",
    "referral_police": "referral to the police",
    "managed_within_plan": "managed within the plan",
    "none": "no statutory status (early help)",
    "accept_for_service": "accepted for a service",
    "no_change": "no change",
    "step_up": "step up",
    "step_down": "step down",
    "defer": "deferred",
    "true": "yes",
    "false": "no",
}


def sentence(template: str) -> Callable[[list[str | None]], str]:
    def describe(codes: list[str | None]) -> str:
        return template.format(*(plain(code) for code in codes))

    return describe


def closure(codes: list[str | None]) -> str:
    outcome, care = codes
    parts = [f"Outcome: {plain(outcome)}" if outcome else "", f"young person {plain(care)}" if care else ""]
    return "; ".join(part for part in parts if part)


def team_joined(codes: list[str | None]) -> str:
    role, agency_role = codes
    lead = role == TeamRole.lead_professional.value
    said = "Became the lead professional" if lead else "Joined the team"
    return f"{said} ({agency_role})" if agency_role else said


def follow_up(codes: list[str | None]) -> str:
    months, at_home = codes
    home = {"true": "still at home", "false": "no longer at home"}.get(at_home or "", "")
    return f"{months}-month check" + (f": {home}" if home else "")
