// My work: the home page for staff. What I have to do next, across every family I work with, from one
// request (myWork): escalations waiting for my acknowledgement, my actions, my meetings, reviews to
// arrange and unread notifications, each with its family and a link. Lists, not tables, so that the
// page reads the same at phone width without sideways scrolling.

import { call } from "../api.js";
import { h, hidden } from "../dom.js";
import { formatDate, formatDateTime } from "../labels.js";
import { noticeLink, noticeText } from "../notices.js";
import { ESCALATION_LEVEL, ESCALATION_LEVEL_TAG, MEETING_KIND } from "../plan/labels.js";

const TITLE = "My work";

export async function render(main, { session }) {
  const { myWork } = await call("MyWork", { first: 10 });
  const me = session.me;
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, TITLE),
    h("p", { class: "govuk-body" }, "What needs doing next across the families you work with. You see only what you may see on each family's page."),
    escalations(myWork.escalations),
    actions(myWork.actions),
    meetings(myWork.meetings),
    reviews(myWork.reviews),
    notifications(myWork.notifications, myWork.unreadCount, me),
  );
  return TITLE;
}

const familyPath = (family) => `#/families/${encodeURIComponent(family.id)}`;
const familyName = (family) => `${family.displayName} (${family.reference})`;
const tag = (text, colour) => h("strong", { class: `govuk-tag govuk-tag--${colour}` }, text);
const plural = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** One section: a heading with the count, the items as a list, or a sentence when there are none. */
function section({ id, title, connection, empty, item, more = null }) {
  const count = connection.totalCount ?? connection.nodes.length;
  const heading = h("h2", { class: "govuk-heading-m", id: `${id}-title` }, title, h("span", { class: "taf-secondary-text" }, ` (${count})`));
  const body = connection.nodes.length
    ? h("ul", { class: "govuk-list taf-work-list", id: `${id}-list` }, connection.nodes.map((node) => h("li", { class: "taf-work-item" }, item(node))))
    : h("p", { class: "govuk-body", id: `${id}-none` }, empty);
  const rest = count - connection.nodes.length;
  return h("section", { class: "taf-section", id, "aria-labelledby": `${id}-title` }, heading, body, rest > 0 && more ? h("p", { class: "govuk-body" }, more(rest)) : null);
}

function escalations(connection) {
  return section({
    id: "my-escalations",
    title: "Escalations to acknowledge",
    connection,
    empty: "No escalations are waiting for you.",
    more: (rest) => `And ${plural(rest, "more escalation")}: open each family's page to see them.`,
    item: ({ escalation, family }) => {
      const status = escalation.ackOverdue ? tag("Overdue", "red") : h("strong", { class: `govuk-tag ${ESCALATION_LEVEL_TAG[escalation.level]}` }, ESCALATION_LEVEL[escalation.level]);
      return [
        h("p", { class: "govuk-body" }, status, " ", h("a", { class: "govuk-link", href: familyPath(family) }, `${ESCALATION_LEVEL[escalation.level]} escalation: ${familyName(family)}`)),
        h("p", { class: "govuk-body" }, `Raised by ${escalation.raisedBy.displayName}, ${escalation.raisingAgency.name}, on ${formatDateTime(escalation.raisedAt)}.`),
        h("p", { class: "govuk-body" }, h("strong", {}, `Acknowledge by ${formatDateTime(escalation.ackDueAt)}`)),
        escalation.reasonVisible ? h("p", { class: "govuk-body taf-item-text" }, escalation.reason) : h("p", { class: "govuk-body taf-secondary-text" }, "The reason is information you may not read. Contact the person who raised it."),
      ];
    },
  });
}

function actions(connection) {
  return section({
    id: "my-actions",
    title: "My actions",
    connection,
    empty: "You have no open actions.",
    more: (rest) => `And ${plural(rest, "more action")}, due later.`,
    item: ({ action, family, dueSoon }) => [
      h(
        "p",
        { class: "govuk-body" },
        action.overdue ? [tag("Overdue", "red"), " "] : dueSoon ? [tag("Due soon", "yellow"), " "] : null,
        h("a", { class: "govuk-link", href: familyPath(family) }, action.contentVisible ? action.description : "An action on the plan", hidden(`, ${familyName(family)}`)),
      ),
      h("p", { class: "govuk-body" }, `${familyName(family)}. Due ${formatDate(action.dueDate)}.`),
    ],
  });
}

function meetings(connection) {
  return section({
    id: "my-meetings",
    title: "Meetings I am invited to",
    connection,
    empty: "You have no meetings coming up.",
    more: (rest) => `And ${plural(rest, "more meeting")}, later.`,
    item: ({ meeting, family }) => [
      h(
        "p",
        { class: "govuk-body" },
        h("a", { class: "govuk-link", href: `${familyPath(family)}/meetings/${encodeURIComponent(meeting.id)}` }, `${MEETING_KIND[meeting.kind]}: ${familyName(family)}`),
      ),
      h("p", { class: "govuk-body" }, `${formatDateTime(meeting.scheduledAt)}${meeting.location ? `, ${meeting.location}` : ""}${meeting.callLink ? " (online)" : ""}.`),
    ],
  });
}

function reviewText(schedule) {
  if (schedule.missing && schedule.late) return [tag("Late", "red"), ` No review booked. It was due by ${formatDate(schedule.dueBy)}.`];
  if (schedule.missing) return [tag("Not booked", "yellow"), ` No review booked. Due by ${formatDate(schedule.dueBy)}.`];
  if (schedule.late) return [tag("Late", "red"), ` Booked for ${formatDate(schedule.nextReviewAt)}, after it is due (${formatDate(schedule.dueBy)}).`];
  return [`Next review on ${formatDate(schedule.nextReviewAt)}.`];
}

function reviews(connection) {
  return section({
    id: "my-reviews",
    title: "Reviews due",
    connection,
    empty: "No reviews need arranging.",
    more: (rest) => `And ${plural(rest, "more review")}.`,
    item: ({ schedule, family }) => [
      h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: familyPath(family) }, familyName(family))),
      h("p", { class: "govuk-body" }, ...reviewText(schedule)),
    ],
  });
}

function notifications(connection, unreadCount, me) {
  return section({
    id: "my-notifications",
    title: "Unread notifications",
    connection: { ...connection, totalCount: unreadCount },
    empty: "You have no unread notifications.",
    more: () => h("a", { class: "govuk-link", href: "#/notifications" }, `See all ${plural(unreadCount, "unread notification")}`),
    item: (notification) => [
      h("p", { class: "govuk-body" }, notification.urgent ? [tag("Urgent", "red"), " "] : null, h("a", { class: "govuk-link", href: noticeLink(notification, me) }, noticeText(notification, me))),
      h("p", { class: "govuk-body" }, notification.family ? `${familyName(notification.family)}. ` : "", formatDateTime(notification.createdAt), "."),
    ],
  });
}
