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
# are also on the team. Sharing by consent between two agencies also needs an active data-sharing
# agreement between them that covers the category: in the consent states (those starting "consent",
# "refused" and "closed") O, R, T and E have one covering every category, as an area's multi-agency
# information-sharing agreement does; in "none" and the override states they have none (an override
# needs no agreement); the last three states say what agreement they have.
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
    "closed_with_consent": "the family consented to share this category with R; its record was closed 10 days ago",
    "closed_beyond_read_period": "the family consented to share this category with R; its record was closed"
    " 100 days ago, beyond the 90 days the team keeps reading a closed family's content",
    "consent_no_agreement": "the family consented to share this category with the whole team; O has no data-sharing"
    " agreement with R, T or E",
    "consent_agreement_expired": "the family consented to share this category with the whole team; the data-sharing"
    " agreement between O, R, T and E ended yesterday",
    "consent_agreement_other_category": "the family consented to share this category with the whole team; the"
    " data-sharing agreement between O, R, T and E covers a different category only",
}
RECIPIENT_SEES = {"consent_to_recipient", "consent_whole_team", "override_active", "closed_with_consent"}
# Consented, but the agencies' agreement is what is missing: the family's consent alone does not share.
AGREEMENT_MISSING = {
    "consent_no_agreement": "no data-sharing agreement between O and their agency covers it",
    "consent_agreement_expired": "the data-sharing agreement between O and their agency has expired",
    "consent_agreement_other_category": "the data-sharing agreement between O and their agency does not cover"
    " this category",
}
STAFF = {
    "owner_worker",
    "owner_worker_left",
    "recipient_worker",
    "recipient_worker_left",
    "recipient_not_on_team",
    "third_worker",
    "lead_professional",
    "owner_manager",
    "recipient_manager",
}

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

# Every kind of case content, with the variants of an item the rules tell apart. Each kind is the
# owning agency's (O's) content in the row's category, whoever keeps the record it sits in.
KINDS = {
    "contribution": "an item an agency adds to the plan",
    "assessment_narrative": "an assessment's written parts (strengths, needs, views)",
    "assessment_rating": "one risk factor's rating in an assessment",
    "minutes_item": "one agency's part of a TAF meeting's minutes",
    "meeting_decision": "a decision recorded at a TAF meeting",
    "meeting_addendum": "a correction added to published minutes",
    "review_note": "a review's summary and progress notes",
    "plan_goal": "a goal's words on the family plan",
    "plan_action": "an action's description on the family plan",
    "plan_contingency": "a contingency on the family plan: its trigger, response and who acts",
    "escalation_reason": "the reason (and outcome note) of a risk escalation",
    "contact_note": "the note of a worker's contact with the family (a visit, a call)",
    "service_received": "a service the family received, from the area's services list",
    "referral_reason": "a referral's reason, presenting needs and the threshold decision's rationale",
    "panel_rationale": "the rationale of a multi-agency panel's decision about the family",
}
PLAN_KINDS = {"plan_goal", "plan_action", "plan_contingency"}
AGREED_KINDS = {"plan_goal", "plan_action", "plan_contingency", "meeting_decision"}  # can be agreed with the family
SUMMARY_KINDS = {"contribution", "plan_goal", "plan_action", "plan_contingency"}  # can reach the family's portal
THIRD_PARTY_KINDS = {"plan_contingency"}  # can be agreed with the family and name someone outside it

ITEMS = {
    "plain": "an ordinary piece of content",
    "family_summary": "a contribution marked for the family summary",
    "family_summary_third_party": "a contribution marked for the family summary that names third parties",
    "family_summary_police_owner": "a contribution in this category marked for the family summary, written by"
    " a police agency",
    "agreed": "agreed with the family (a goal, an action serving one, a contingency, a decision agreed at the meeting)",
    "agreed_third_party": "a contingency agreed with the family that names someone outside the family",
}
REFUSED_FOR = {  # whose agency a refusal in force withholds the category from
    "refused": {"recipient_worker", "third_worker", "lead_professional"},
    "consent_and_refusal": {"recipient_worker"},
}
TEAM_WORKERS = {"recipient_worker", "third_worker", "lead_professional"}


def expected(kind: str, actor: str, category: str, item: str, sharing: str) -> tuple[bool, str]:
    if sharing == "closed_beyond_read_period" and actor in STAFF:
        return False, "a closed family's content is read by the team only for 90 days after closure"
    if actor == "owner_worker":
        return True, "an agency's workers on the team see its own content"
    if actor == "owner_manager":
        return True, "managers see their agency's content on families their agency works with"
    if actor in ("owner_worker_left", "recipient_worker_left", "recipient_not_on_team"):
        return False, "only workers currently on the family's team see its content"
    if actor == "lead_professional" and kind in PLAN_KINDS:
        return True, "the lead professional keeps the plan and reads all of it"
    if item.startswith("agreed") and actor in TEAM_WORKERS:
        if actor in REFUSED_FOR.get(sharing, set()):
            return False, "agreed with the family, but a refusal in force withholds this category from their agency"
        return True, "agreed with the family as part of its plan: the whole team's"
    if sharing in AGREEMENT_MISSING and actor in TEAM_WORKERS:
        return False, "the family consented, but " + AGREEMENT_MISSING[sharing]
    if actor == "recipient_worker":
        if sharing == "override_active":
            return True, "shared with R by override (no data-sharing agreement needed)"
        if sharing in RECIPIENT_SEES:
            return True, "shared with R by consent, under a data-sharing agreement between O and R"
        return False, "nothing in force shares this category of O's content with R"
    if actor == "third_worker" and sharing == "consent_other_agency":
        return True, "the family consented to share this category with T"
    if actor in ("third_worker", "lead_professional"):
        if sharing == "consent_whole_team":
            return True, "the family consented to share this category with the whole team"
        return False, "nothing in force shares this category with their agency"
    if actor == "recipient_manager":
        return False, "managers see only their own agency's content"
    if actor in ("ig_officer", "admin"):
        return False, "information-governance officers and administrators see no case content"
    if actor == "family_member":
        return _family_sees(kind, category, item)
    return False, "nobody sees another family's information"


def _family_sees(kind: str, category: str, item: str) -> tuple[bool, str]:
    marked = (kind == "contribution" and item.startswith("family_summary")) or (
        kind in PLAN_KINDS and item.startswith("agreed")
    )
    if not marked:
        return False, "the family sees only what is marked for them (items for the summary, goals agreed with them)"
    if item in ("family_summary_third_party", "agreed_third_party"):
        return False, "what names third parties never reaches the family"
    if item == "family_summary_police_owner":
        return False, "nothing a police agency holds reaches the family, whatever its category"
    if category == "police":
        return False, "police information never reaches the family portal"
    return True, "marked for the family"


def _variants(kind: str) -> list[str]:
    if kind in THIRD_PARTY_KINDS:
        return ["plain", "agreed", "agreed_third_party"]
    return ["plain", "agreed"] if kind in AGREED_KINDS else ["plain"]


def rows() -> list[dict[str, str]]:
    table = []
    for kind in KINDS:
        # Every category under every sharing state, for the worker the sharing is aimed at.
        for sharing in SHARING:
            for category in CATEGORIES:
                table.append(row(kind, "recipient_worker", category, "plain", sharing))
        # Every other actor under every sharing state: contributions for a health and a police item,
        # other kinds for a health item (the rules read the category the same way for every kind).
        categories = ("health", "police") if kind == "contribution" else ("health",)
        for actor in ACTORS:
            for sharing in SHARING:
                for category in categories:
                    for item in _variants(kind):
                        if (actor, item) != ("recipient_worker", "plain"):
                            table.append(row(kind, actor, category, item, sharing))
        # What reaches the family, for every category and variant that could reach it.
        if kind in SUMMARY_KINDS:
            items = (
                ["family_summary", "family_summary_third_party", "family_summary_police_owner"]
                if kind == "contribution"
                else _variants(kind)[1:]
            )
            for actor in ("family_member", "other_family_member"):
                for category in CATEGORIES:
                    for item in items:
                        table.append(row(kind, actor, category, item, "none"))
    return table


def row(kind: str, actor: str, category: str, item: str, sharing: str) -> dict[str, str]:
    allowed, why = expected(kind, actor, category, item, sharing)
    return {
        "case": f"{kind}/{actor}/{category}/{item}/{sharing}",
        "kind": kind,
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
