"""Writes policies/decisions.csv: the decision table that tests/access/test_decision_table.py executes,
and policies/portal_decisions.csv (the family portal and its invitations), which
tests/access/test_portal_decision_table.py executes.

The expected answers below are a plain statement of the sharing rules, written independently of the
enforcement code (server/access). Regenerate after changing the rules and review the diff of the CSV:
every changed row is a changed decision about who sees a family's information.

    .venv/bin/python tools/make_decision_table.py
"""

from __future__ import annotations

import csv
from pathlib import Path

CATEGORIES = [
    "health",
    "mental_health",
    "education",
    "police",
    "youth_justice",
    "housing",
    "social_care",
    "substance_misuse",
    "domestic_abuse",
    "family_history",
    "finance",
    "other",
]

# The item is always written by the "owning agency" (O). The sharing state is about the item's
# category and the "recipient agency" (R). A third agency (T) and early help (E, the lead's agency)
# are also on the team.
SHARING = {
    "none": "no consent, refusal or override on record",
    "consent_to_recipient": "the family consented to share this category with R",
    "consent_whole_team": "the family consented to share this category with the whole team",
    "refused": "the family refused to share this category with the whole team",
    "consent_and_refusal": "one member consented for R, another refused (refusal wins)",
    "consent_expired": "consent for R ended yesterday",
    "consent_withdrawn": "consent for R was withdrawn",
    "consent_not_yet_valid": "consent for R starts tomorrow",
    "consent_other_category": "consent for R covers a different category only",
    "consent_other_agency": "consent covers T only, not R",
    "override_active": "O shared this category with R under a safeguarding override",
    "override_expired": "O's override for R has expired",
    "override_revoked": "O's override for R was revoked by an IG officer",
    "override_other_category": "O's override for R covers a different category only",
    "override_by_other_agency": "T shared this category with R; the item is O's, not T's",
}
RECIPIENT_SEES = {"consent_to_recipient", "consent_whole_team", "override_active"}

ACTORS = {
    "owner_worker": "a worker of O on the team",
    "owner_worker_left": "a worker of O who has left the team",
    "recipient_worker": "a worker of R on the team",
    "recipient_worker_left": "a worker of R who has left the team",
    "recipient_not_on_team": "a worker of R who is not on this family's team",
    "third_worker": "a worker of T on the team",
    "lead_professional": "the lead professional (E)",
    "owner_manager": "a manager of O (O is on the team)",
    "recipient_manager": "a manager of R",
    "ig_officer": "an information-governance officer",
    "admin": "an administrator",
    "family_member": "a member of this family (portal account)",
    "other_family_member": "a member of another family (portal account)",
}

ITEMS = {
    "plain": "an ordinary item",
    "family_summary": "an item marked for the family summary",
    "family_summary_third_party": "an item marked for the family summary that names third parties",
}


def expected(actor: str, category: str, item: str, sharing: str) -> tuple[bool, str]:
    if actor == "owner_worker":
        return True, "an agency's workers on the team see its own items"
    if actor == "owner_manager":
        return True, "managers see their agency's items on families their agency works with"
    if actor in ("owner_worker_left", "recipient_worker_left", "recipient_not_on_team"):
        return False, "only workers currently on the family's team see its items"
    if actor == "recipient_worker":
        if sharing in RECIPIENT_SEES:
            return True, "shared with R by " + ("override" if sharing.startswith("override") else "consent")
        return False, "nothing in force shares this item's category with R"
    if actor == "third_worker" and sharing == "consent_other_agency":
        return True, "the family consented to share this category with T"
    if actor in ("third_worker", "lead_professional"):
        if sharing == "consent_whole_team":
            return True, "the family consented to share this category with the whole team"
        return False, "nothing in force shares this item's category with their agency"
    if actor == "recipient_manager":
        return False, "managers see only their own agency's items"
    if actor in ("ig_officer", "admin"):
        return False, "information-governance officers and administrators see no case content"
    if actor == "family_member":
        if item != "family_summary":
            return False, "the family sees only items marked for them that name no third parties"
        if category == "police":
            return False, "police information never reaches the family portal"
        return True, "marked for the family summary"
    return False, "nobody sees another family's information"


def rows() -> list[dict[str, str]]:
    table = []
    # Every category under every sharing state, for the worker the sharing is aimed at.
    for sharing in SHARING:
        for category in CATEGORIES:
            table.append(row("recipient_worker", category, "plain", sharing))
    # Every other actor under every sharing state, for a health item and a police item.
    for actor in ACTORS:
        if actor == "recipient_worker":
            continue
        for sharing in SHARING:
            for category in ("health", "police"):
                table.append(row(actor, category, "plain", sharing))
    # What reaches the family, for every category and kind of item.
    for actor in ("family_member", "other_family_member"):
        for category in CATEGORIES:
            for item in ("family_summary", "family_summary_third_party"):
                table.append(row(actor, category, item, "none"))
    return table


def row(actor: str, category: str, item: str, sharing: str) -> dict[str, str]:
    allowed, why = expected(actor, category, item, sharing)
    return {
        "case": f"{actor}/{category}/{item}/{sharing}",
        "actor": actor,
        "category": category,
        "item": item,
        "sharing": sharing,
        "expected": "allow" if allowed else "deny",
        "why": why,
    }


# The family portal: who may invite a family member, and what a family member sees of the plan.
PORTAL_ACTORS = {
    "lead_professional": "the family's lead professional",
    "team_worker": "a worker of another agency on the family's team",
    "lead_manager": "a manager of the lead professional's agency",
    "outsider": "a practitioner not on this family's team",
    "ig_officer": "an information-governance officer",
    "admin": "an administrator",
    "family_member": "a member of this family (portal account)",
    "other_family_member": "a member of another family (portal account)",
}
PORTAL_QUESTIONS = {
    "issue_invitation": "invite a member of the family to the portal",
    "list_invitations": "see the family's portal invitations",
    "revoke_invitation": "cancel a pending invitation",
    "read_portal": "read the family's portal page",
    "goal_agreed": "see a goal agreed with the family",
    "goal_not_agreed": "see a goal not (yet) agreed with the family",
    "action_for_agreed_goal": "see the school's action serving a goal agreed with the family",
    "police_action_for_agreed_goal": "see the police's action serving a goal agreed with the family",
    "action_for_unagreed_goal": "see an action serving a goal not agreed with the family",
    "next_meeting": "see the date and place of the next meeting",
    "outcome_scores": "see the outcome scores of reviews",
    "family_label": "see the family's name on the audit log",
}


def expected_portal(actor: str, question: str) -> tuple[bool, str]:
    if question in ("issue_invitation", "list_invitations", "revoke_invitation"):
        if actor == "lead_professional":
            return True, "the lead professional manages who from the family uses the portal"
        return False, "only the family's lead professional invites family members and manages invitations"
    if question == "family_label":
        if actor == "ig_officer":
            return True, "IG officers need to know which family an entry is about (name and reference only)"
        return False, "only IG officers read the audit log"
    if actor != "family_member":
        if actor == "other_family_member":
            return False, "nobody sees another family's portal"
        return False, "the portal page is the family's own; staff use the family's record"
    if question in ("goal_not_agreed", "action_for_unagreed_goal"):
        return False, "the family sees only goals agreed with them, and the actions serving them"
    if question == "police_action_for_agreed_goal":
        return False, "police information never reaches the family portal"
    return True, "the family's own portal shows it"


def portal_rows() -> list[dict[str, str]]:
    table = []
    for actor in PORTAL_ACTORS:
        for question in PORTAL_QUESTIONS:
            allowed, why = expected_portal(actor, question)
            table.append(
                {
                    "case": f"{actor}/{question}",
                    "actor": actor,
                    "question": question,
                    "expected": "allow" if allowed else "deny",
                    "why": why,
                }
            )
    return table


def write(path: Path, table: list[dict[str, str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(table[0]))
        writer.writeheader()
        writer.writerows(table)
    print(f"wrote {len(table)} rows to {path}")


def main() -> None:
    policies = Path(__file__).resolve().parent.parent / "policies"
    write(policies / "decisions.csv", rows())
    write(policies / "portal_decisions.csv", portal_rows())


if __name__ == "__main__":
    main()
