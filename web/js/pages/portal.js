// The family portal: read-only pages for a family member's own account, in plain English. It shows
// our goals, our team and how to reach them (also out of hours), what happens next, how things are
// going, what the team has written for us, and who has looked at our information. Everything comes
// from the API, which decides through the same policy as the workers' pages (PortalSummary).

import { call } from "../api.js";
import { h, scrolling, summaryList, table, uniqueId } from "../dom.js";
import { categoryList, formatDate } from "../labels.js";
import { AREA, scoresChart } from "../portal-chart.js";

export const title = "Your family's plan";
export const openTo = {
  kinds: ["family"],
  refusal: "The family portal is for family members, signed in with their own account. You are signed in as a member of staff: a family's own page is where you work with its plan, and the lead professional can invite family members to the portal from there.",
};

const GOAL_STATUS = {
  open: ["We are working on this", "govuk-tag--blue"],
  achieved: ["Done", "govuk-tag--green"],
  partly_achieved: ["Partly done", "govuk-tag--yellow"],
  not_achieved: ["Not done", "govuk-tag--grey"],
};
const ACTION_STATUS = { open: "Not started yet", in_progress: "Started" };
const MEETING_KIND = { initial: "first meeting", review: "review meeting", closure: "last meeting", other: "meeting" };

export async function render(main) {
  const { portalSummary: summary } = await call("PortalSummary");
  const shared = await call("FamilyContributions", { familyId: summary.familyId, first: 100 });
  const items = shared.family.contributions.nodes;
  const sections = [
    ["portal-goals", "Our goals", goals(summary.goals)],
    ["portal-contingencies", "If something happens", contingencies(summary.contingencies)],
    ["portal-team", "Our team and how to reach them", team(summary.team)],
    ["portal-next", "What happens next", next(summary)],
    ["portal-progress", "How things are going", summary.reviews.length ? scoresChart(summary.reviews) : h("p", { class: "govuk-body" }, "There are no scores yet. You and the team will give scores at your first review.")],
    ["portal-updates", "What the team has written for you", updates(items)],
    ["portal-access", "Who has looked at our information", looked(summary.accessLog)],
  ];
  main.append(
    h("span", { class: "govuk-caption-l" }, summary.familyName),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Your family's plan"),
    h("p", { class: "govuk-body" }, "This is what the people helping your family have shared with you. You cannot change anything here. If something is wrong, tell your lead professional."),
    h(
      "nav",
      { class: "taf-contents", "aria-labelledby": "portal-contents-title" },
      h("h2", { class: "govuk-heading-s", id: "portal-contents-title" }, "On this page"),
      h("ul", { class: "govuk-list" }, sections.map(([id, heading]) => h("li", {}, h("a", { class: "govuk-link", href: `#${id}` }, heading)))),
    ),
    ...sections.map(([id, heading, content]) => section(id, heading, content)),
  );
  return "Your family's plan";
}

function section(id, heading, ...content) {
  return h("section", { class: "taf-section", id, "aria-labelledby": `${id}-title`, tabindex: "-1" }, h("h2", { class: "govuk-heading-m", id: `${id}-title` }, heading), ...content);
}

function goals(list) {
  if (!list.length) return h("p", { class: "govuk-body" }, "You have not agreed any goals with the team yet. You will agree them together at a meeting.");
  return h(
    "ul",
    { class: "govuk-list", id: "portal-goal-list" },
    list.map((goal) => {
      const [text, tag] = GOAL_STATUS[goal.status] || GOAL_STATUS.open;
      return h(
        "li",
        { class: "taf-portal-goal" },
        h("p", { class: "govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1" }, `“${goal.inFamilyWords}”`),
        h(
          "p",
          { class: "govuk-body" },
          h("strong", { class: `govuk-tag ${tag}` }, text),
          ` About: ${(AREA[goal.outcomeDomain] || goal.outcomeDomain).toLowerCase()}.`,
          goal.targetDate ? ` We hope to get there by ${formatDate(goal.targetDate)}.` : "",
        ),
      );
    }),
  );
}

function contingencies(list) {
  if (!list.length) return h("p", { class: "govuk-body" }, "You have not agreed any plans with the team for what to do if something happens.");
  return h(
    "ul",
    { class: "govuk-list", id: "portal-contingency-list" },
    list.map((item) => {
      const titleId = uniqueId("portal-contingency");
      return h(
        "li",
        { class: "taf-portal-contingency" },
        h("p", { class: "govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1", id: titleId }, item.trigger),
        summaryList(
          [
            ["What we will do", item.response],
            ["Who does it", item.whoActs],
          ],
          { "aria-labelledby": titleId },
        ),
      );
    }),
  );
}

function team(members) {
  return [
    h("p", { class: "govuk-body" }, "These are the people working with your family. If you need help outside office hours, use the out-of-hours number. In an emergency, call 999."),
    members.map((member) => {
      const titleId = uniqueId("portal-member");
      return h(
        "div",
        { class: "govuk-summary-card" },
        h(
          "div",
          { class: "govuk-summary-card__title-wrapper" },
          h("h3", { class: "govuk-summary-card__title", id: titleId }, `${member.worker.displayName}, ${member.agency.name}`),
          member.role === "lead_professional" ? h("strong", { class: "govuk-tag govuk-tag--blue" }, "Your lead professional") : null,
        ),
        h(
          "div",
          { class: "govuk-summary-card__content" },
          summaryList(
            [
              ["What they do", member.agencyRole],
              ["In office hours", member.contactInHours || "Ask your lead professional"],
              ["Out of hours", member.contactOutOfHours || "Ask your lead professional"],
            ],
            { "aria-labelledby": titleId },
          ),
        ),
      );
    }),
  ];
}

function next(summary) {
  const meeting = summary.nextMeeting;
  const where = meeting ? (meeting.location ? `at ${meeting.location}` : "online. Your lead professional will send you the link") : "";
  return [
    h("h3", { class: "govuk-heading-s" }, "Our next meeting"),
    meeting
      ? h("p", { class: "govuk-body", id: "portal-next-meeting" }, `Our next ${MEETING_KIND[meeting.kind] || "meeting"} is on ${formatDate(meeting.at)} at ${timeOf(meeting.at)}, ${where}.`)
      : h("p", { class: "govuk-body", id: "portal-next-meeting" }, "No meeting is booked yet. Your lead professional will tell you when it is."),
    h("h3", { class: "govuk-heading-s" }, "What people have agreed to do"),
    summary.actionsDue.length
      ? scrolling(
          "What people have agreed to do (scrolls sideways)",
          table({
            id: "portal-actions-table",
            caption: "What people have agreed to do, soonest first",
            head: ["What", "Who", "By when", "How it is going"],
            rows: summary.actionsDue.map((action) => [action.description, action.agencyName, formatDate(action.dueDate), ACTION_STATUS[action.status] || action.status]),
          }),
        )
      : h("p", { class: "govuk-body" }, "Nothing is waiting to be done right now."),
  ];
}

function timeOf(value) {
  return new Date(value).toLocaleTimeString("en-GB", { hour: "numeric", minute: "2-digit", hour12: true });
}

function updates(items) {
  if (!items.length) return h("p", { class: "govuk-body" }, "Nothing has been shared with you yet.");
  return items.map((item) =>
    h(
      "div",
      { class: "govuk-summary-card", "data-item": item.id },
      h("div", { class: "govuk-summary-card__title-wrapper" }, h("h3", { class: "govuk-summary-card__title" }, item.title)),
      h(
        "div",
        { class: "govuk-summary-card__content" },
        h("p", { class: "govuk-body taf-item-text" }, item.body),
        h("p", { class: "govuk-body taf-secondary-text" }, `From ${item.owningAgency.name}, ${formatDate(item.createdAt)}`),
      ),
    ),
  );
}

function looked(log) {
  return [
    h("p", { class: "govuk-body" }, "Each time someone from another organisation looks at information about your family, it is written down here."),
    log.length
      ? scrolling(
          "Who has looked at our information (scrolls sideways)",
          table({
            id: "access-log-table",
            caption: "Who has looked at our information, newest first",
            head: ["When", "Who", "What they looked at"],
            rows: log.map((entry) => [
              formatDate(entry.at),
              entry.viewerRole ? `Someone from ${entry.agencyName} (${entry.viewerRole})` : `Someone from ${entry.agencyName}`,
              `${entry.itemCount} ${entry.itemCount === 1 ? "thing" : "things"} about ${categoryList(entry.categories).toLowerCase()}`,
            ]),
          }),
        )
      : h("p", { class: "govuk-body" }, "No one from another organisation has looked at your information yet."),
  ];
}
