// Words for the plan, meetings, escalations, assessments and transitions (the API's enumerations).

import { CATEGORY, formatDate } from "../labels.js";

export const ACTION_STATUS = { open: "Not started", in_progress: "In progress", done: "Done", cancelled: "Cancelled" };
export const ACTION_STATUS_TAG = { open: "govuk-tag--grey", in_progress: "govuk-tag--blue", done: "govuk-tag--green", cancelled: "govuk-tag--grey" };

export const GOAL_STATUS = {
  open: "Working on it",
  achieved: "Achieved",
  partly_achieved: "Partly achieved",
  not_achieved: "Not achieved",
  withdrawn: "Withdrawn",
};

export const OUTCOME_DOMAIN = {
  behaviour: "Behaviour",
  school_attendance_attainment: "School attendance and attainment",
  family_peer_relationships: "Family and friendships",
  confidence_self_esteem: "Confidence and self-esteem",
  aspirations_employability: "Aspirations and work",
  living_conditions: "Living conditions",
  mental_physical_health: "Mental and physical health",
  safety: "Safety",
};

export const ESCALATION_LEVEL = { concern: "Concern", urgent: "Urgent", immediate_danger: "Immediate danger" };
export const ESCALATION_LEVEL_HINT = {
  concern: "A worry the lead professional should know about within 2 days",
  urgent: "The lead professional must respond within 4 hours",
  immediate_danger: "Someone is at risk now. Call 999 first if a child is in danger; the lead must respond within 15 minutes",
};
export const ESCALATION_LEVEL_TAG = { concern: "govuk-tag--yellow", urgent: "govuk-tag--red", immediate_danger: "govuk-tag--red" };
export const ESCALATION_STATUS = { raised: "Waiting for the lead professional", acknowledged: "Acknowledged", resolved: "Resolved" };
export const ESCALATION_OUTCOME = {
  managed_within_plan: "Managed within the plan",
  referral_childrens_social_care: "Referred to children's social care",
  referral_police: "Referred to the police",
  step_up: "Stepped up to statutory services",
  no_further_action: "No further action",
};

export const MEETING_KIND = { initial: "Initial meeting", review: "Review meeting", closure: "Closure meeting", family_group_conference: "Family group conference", other: "Meeting" };
export const MEETING_STATUS = { scheduled: "Scheduled", held: "Held", cancelled: "Cancelled" };
export const MEETING_STATUS_TAG = { scheduled: "govuk-tag--blue", held: "govuk-tag--green", cancelled: "govuk-tag--grey" };
export const ATTENDANCE = { invited: "Not recorded", present: "Present", apologies: "Sent apologies", absent: "Absent" };

export const ASSESSMENT_STAGE = { entry: "Entry assessment", review: "Review assessment", exit: "Exit assessment" };

export const TRANSITION_KIND = { step_up: "Stepped up", step_down: "Stepped down", closure: "Closed", reopening: "Re-opened" };
// The edge-of-care outcome at closure: where the young person lives.
export const CARE_OUTCOME = {
  remained_at_home: "Remained at home",
  entered_care: "Entered care",
  returned_home: "Returned home from care",
  moved_away: "Moved away",
  other: "Other",
};
export const CLOSURE_OUTCOME = {
  goals_achieved: "The family's goals were achieved",
  partly_achieved: "Some goals were achieved",
  stepped_down_to_universal: "Stepped down to universal services",
  stepped_up_to_statutory: "Stepped up to statutory services",
  family_disengaged: "The family stopped taking part",
  moved_away: "The family moved away",
  other: "Another reason",
};

/** What the words of a goal or an action are when the caller may not read them (the server sends null). */
export const withheld = (entry) => `Withheld: ${(CATEGORY[entry.category] || entry.category).toLowerCase()} information of ${entry.owningAgency.name}`;

/** A goal's words in quotes, or what they are when withheld. */
export const goalWords = (goal) => (goal.contentVisible ? `“${goal.inFamilyWords}”` : withheld(goal));

/** An action's description, or what it is when withheld. */
export const actionWords = (action) => (action.contentVisible ? action.description : withheld(action));

/** "Overdue: was due 3 November 2026" / "Due 3 November 2026", always in words (never colour alone). */
export function dueText(action) {
  return action.overdue ? `Overdue: was due ${formatDate(action.dueDate)}` : `Due ${formatDate(action.dueDate)}`;
}

/** Today's date as YYYY-MM-DD in UK time. */
export function todayIso() {
  return new Date().toLocaleDateString("en-CA", { timeZone: "Europe/London" });
}

/** A YYYY-MM-DD date `days` from today. */
export function daysFromToday(days) {
  const date = new Date(`${todayIso()}T12:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
