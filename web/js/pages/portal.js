// The family portal: read-only pages for a family member's own account, in plain English. It shows
// our goals, our team and how to reach them (also out of hours), what happens next, how things are
// going, what the team has written for us, and who has looked at our information. Everything comes
// from the API, which decides through the same policy as the workers' pages (PortalSummary).

import { call } from "../api.js";
import { details, h, summaryList, uniqueId } from "../dom.js";
import { formatDate } from "../labels.js";
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
// Kinds of information in words for families ("they looked at information about ...").
const ABOUT = {
  health: "health",
  mental_health: "feelings and mental health",
  education: "school",
  police: "the police",
  youth_justice: "youth justice",
  housing: "your home",
  social_care: "social care",
  substance_misuse: "drugs or alcohol",
  domestic_abuse: "domestic abuse",
  family_history: "your family's past",
  finance: "money and benefits",
  other: "other things",
};
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
    ["portal-access", "Who has looked at our information", looked(summary.accessDays)],
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
    h("p", { class: "govuk-body" }, "These are the people who work with your family. If you need help when the office is shut, use the out-of-hours contact. In an emergency, call 999."),
    details(
      "What is a lead professional?",
      h(
        "p",
        { class: "govuk-body", id: "portal-lead-explained" },
        "Your lead professional is your main contact. They make sure everyone in your team works together on your family's plan. Ask them if you have a question or if something is wrong.",
      ),
      { id: "portal-lead-details" },
    ),
    members.map((member) => {
      const titleId = uniqueId("portal-member");
      return h(
        "div",
        { class: "govuk-summary-card", "data-lead": member.lead ? "true" : "false" },
        h(
          "div",
          { class: "govuk-summary-card__title-wrapper" },
          h("h3", { class: "govuk-summary-card__title", id: titleId }, `${member.name}, ${member.agencyName}`),
          member.lead ? h("strong", { class: "govuk-tag govuk-tag--blue" }, "Your lead professional") : null,
        ),
        h(
          "div",
          { class: "govuk-summary-card__content" },
          summaryList(
            [
              ["What they do", member.whatTheyDo],
              ["In office hours", member.contactInHours || "Ask your lead professional"],
              ["When the office is shut", member.contactOutOfHours || "Ask your lead professional"],
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
      ? h(
          "ul",
          { class: "govuk-list", id: "portal-action-list" },
          summary.actionsDue.map((action) => {
            const titleId = uniqueId("portal-action");
            return h(
              "li",
              { class: "taf-portal-action" },
              h("p", { class: "govuk-body govuk-!-font-weight-bold govuk-!-margin-bottom-1", id: titleId }, action.description),
              summaryList(
                [
                  ["Who", action.agencyName],
                  ["By when", formatDate(action.dueDate)],
                  ["How it is going", ACTION_STATUS[action.status] || action.status],
                ],
                { "aria-labelledby": titleId },
              ),
            );
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

// One line per organisation per day, however many times someone from it looked that day.
function looked(days) {
  if (!days.length) {
    return h("p", { class: "govuk-body" }, "No one from another service has looked at details about your family yet. Each time someone does, we write it down here.");
  }
  const byDay = new Map();
  for (const entry of days) byDay.set(entry.on, [...(byDay.get(entry.on) || []), entry]);
  return [
    h("p", { class: "govuk-body" }, "Each time a worker from another service looks at details about your family, we write it down. You can see who looked and when."),
    h(
      "div",
      { id: "portal-access-days" },
      [...byDay].map(([on, entries]) => {
        const dayId = uniqueId("portal-access-day");
        return h(
          "div",
          { class: "taf-portal-access-day" },
          h("h3", { class: "govuk-heading-s", id: dayId }, formatDate(on)),
          h(
            "ul",
            { class: "govuk-list govuk-list--bullet", "aria-labelledby": dayId },
            entries.map((entry) => h("li", { "data-agency": entry.agencyName }, lookedLine(entry))),
          ),
        );
      }),
    ),
  ];
}

function lookedLine(entry) {
  const about = entry.categories.map((category) => ABOUT[category] || "other things");
  const what = about.length ? `details about ${joinWords(about)}` : "details about your family";
  const times = entry.times === 1 ? "once" : entry.times === 2 ? "twice" : `${entry.times} times`;
  return `Someone from ${entry.agencyName} looked at ${what}, ${times}.`;
}

function joinWords(words) {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}
