// Notifications in words, the unread count in the header, and the banner for urgent escalations.

import { h } from "./dom.js";
import { categoryList, formatDate, formatDateTime } from "./labels.js";
import { ESCALATION_OUTCOME } from "./plan/labels.js";

// The words for an escalation by its level: "An urgent escalation", "A concern".
const ESCALATION_NOUN = { concern: "a concern", urgent: "an urgent escalation", immediate_danger: "an escalation of immediate danger" };

function escalationNamed(notification, { capital = false } = {}) {
  const text = ESCALATION_NOUN[(notification.payload || {}).level] || "an escalation";
  return capital ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

// Rendered by the server at read time: the family only where the reader may see it, and who raised it.
const about = (notification) => (notification.family ? ` about ${notification.family.displayName} (${notification.family.reference})` : "");

function by(notification) {
  const raiser = notification.raisedBy;
  if (!raiser) return "";
  return ` by ${raiser.displayName}${raiser.agency ? ` (${raiser.agency.name})` : ""}`;
}

/** One sentence saying what happened, for the person signed in (`me`). */
export function noticeText(notification, me) {
  // The payload holds the event's structure; the words (reason, outcome note, title) are rendered by the
  // server for the reader at the moment it is read, and are null where they may not read them.
  const p = notification.payload || {};
  const you = (userId) => Boolean(me && userId === me.id);
  const withTitle = (text) => (notification.title ? `${text}: ${notification.title}` : text);
  switch (notification.kind) {
    case "escalation_raised":
      return `${escalationNamed(notification, { capital: true })} was raised${by(notification)}${about(notification)}${notification.reason ? `: ${notification.reason}` : ""}`;
    case "escalation_acknowledged":
      return `${escalationNamed(notification, { capital: true })}${about(notification)} was acknowledged`;
    case "escalation_timed_out":
      return `${escalationNamed(notification, { capital: true })}${notification.raisedBy ? ` raised${by(notification)}` : ""}${about(notification)} was not acknowledged in time`;
    case "escalation_resolved":
      return `${escalationNamed(notification, { capital: true })}${about(notification)} was resolved${p.outcome ? `: ${ESCALATION_OUTCOME[p.outcome] || p.outcome}` : ""}${notification.outcomeNote ? ` (${notification.outcomeNote})` : ""}`;
    case "meeting_scheduled":
      return `A team meeting was arranged for ${formatDateTime(p.starts_at)}`;
    case "meeting_changed":
      return `A team meeting was moved to ${formatDateTime(p.starts_at)}`;
    case "meeting_cancelled":
      return `The team meeting on ${formatDateTime(p.starts_at)} was cancelled`;
    case "meeting_minutes_published":
      return `Minutes were published for the meeting on ${formatDate(p.starts_at)}`;
    case "action_assigned":
      return withTitle(you(p.owner_user_id) ? "An action was given to you" : "An action was given to a team member");
    case "action_due_soon":
      return withTitle(`An action is due on ${formatDate(p.due_on)}`);
    case "action_overdue":
      return withTitle("An action is overdue");
    case "action_done":
      return withTitle("An action was done");
    case "follow_up_due":
      return `A ${p.months}-month follow-up check on a closed family is due on ${formatDate(p.due_on)}`;
    case "review_due":
      return `The family's plan is due for review on ${formatDate(p.due_on)}`;
    case "assessment_overdue":
      return `The family's assessment was due by ${formatDate(p.due_on)} and none is recorded`;
    case "consent_withdrawn":
      return `Consent to share ${categoryList(p.categories || [])} was withdrawn`;
    case "override_used":
      return `Information was shared without consent to keep a child safe: ${categoryList(p.categories || [])}`;
    case "agreement_expiring":
      return `A data-sharing agreement your agency is party to ends on ${formatDate(p.ends_on)}: review or renew it`;
    case "team_member_added":
      return you(p.user_id) ? "You were added to a family's team" : "Someone joined a family's team";
    case "team_member_removed":
      return you(p.user_id) ? "You were removed from a family's team" : "Someone left a family's team";
    case "lead_professional_changed":
      return you(p.user_id) ? "You are now the lead professional for a family" : "A family has a new lead professional";
    case "daily_digest":
      return `Your daily digest for ${formatDate(p.digest_on)}: ${p.total} ${p.total === 1 ? "notification" : "notifications"} you chose to receive once a day`;
    default:
      return "Something changed on a family's plan";
  }
}

/** Where to read more: the family's page, or for information-governance officers their own page. */
export function noticeLink(notification, me) {
  if (notification.kind === "daily_digest") return "#/notifications";
  if (notification.kind === "agreement_expiring") return "#/information-governance";
  if (me && me.role === "ig_officer") return "#/information-governance";
  return `#/families/${encodeURIComponent(notification.familyId)}`;
}

export const isEscalation = (notification) => notification.kind.startsWith("escalation_");

let unread = 0;

export function setUnread(count) {
  unread = Math.max(0, count);
  const badge = document.getElementById("unread-count");
  badge.dataset.count = String(unread);
  document.getElementById("unread-number").textContent = String(unread);
}

export const addUnread = (delta) => setUnread(unread + delta);

/** A GOV.UK notification banner (role="alert") above every page for an urgent notification, one per escalation. */
export function showUrgent(notification, me) {
  const escalationId = (notification.payload || {}).escalation_id || null;
  const familyLink = noticeLink(notification, me);
  banner({ key: escalationId || `notification-${notification.id}`, heading: noticeText(notification, me), familyLink });
}

/** The banner for an urgent escalation waiting for the signed-in lead's acknowledgement (from myWork). */
export function showAwaiting({ escalation, family }) {
  const raiser = escalation.raisedBy;
  const agency = raiser.agency ? ` (${raiser.agency.name})` : "";
  const noun = ESCALATION_NOUN[escalation.level] || "an escalation";
  banner({
    key: escalation.id,
    heading: `${noun.charAt(0).toUpperCase()}${noun.slice(1)} about ${family.displayName} (${family.reference}) was raised by ${raiser.displayName}${agency}`,
    detail: `${escalation.ackOverdue ? "It should have been acknowledged by" : "Acknowledge it by"} ${formatDateTime(escalation.ackDueAt)}.`,
    familyLink: `#/families/${encodeURIComponent(family.id)}`,
  });
}

/** The escalation was acknowledged (here or on another device) or resolved: its banner goes. */
export function clearEscalationBanner(escalationId) {
  for (const element of document.querySelectorAll("#live-alerts [data-escalation-banner]")) {
    if (element.dataset.escalationBanner === escalationId) element.remove();
  }
}

function banner({ key, heading, detail = null, familyLink }) {
  if ([...document.querySelectorAll("#live-alerts [data-escalation-banner]")].some((element) => element.dataset.escalationBanner === key)) return;
  const titleId = `urgent-${key}-title`;
  const element = h(
    "div",
    { class: "govuk-notification-banner govuk-notification-banner--urgent", role: "alert", "aria-labelledby": titleId, "data-escalation-banner": key },
    h("div", { class: "govuk-notification-banner__header" }, h("h2", { class: "govuk-notification-banner__title", id: titleId }, "Urgent")),
    h(
      "div",
      { class: "govuk-notification-banner__content" },
      h("p", { class: "govuk-notification-banner__heading" }, heading),
      detail ? h("p", { class: "govuk-body" }, detail) : null,
      h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: familyLink }, "Open the family's page"), " or ", h("a", { class: "govuk-link", href: "#/notifications" }, "see all notifications"), "."),
    ),
  );
  document.getElementById("live-alerts").prepend(element);
}

/** Say a new notification arrived, politely, to screen reader users. */
export function announce(notification, me) {
  document.getElementById("live-status").textContent = `New notification: ${noticeText(notification, me)}`;
}
