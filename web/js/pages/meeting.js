// The lead professional's meeting view: run a TAF meeting from one screen. Attendance, the agenda, a
// review of each goal and action, decisions, new actions, and the minutes (items added to a draft, then
// published and never changed: family/minutes.js). The rest of the team sees the same page without the
// controls, and of the minutes and decisions only the parts the API lets them read.
// Changes carry the meeting's version: if someone else changed it meanwhile, the page says so in words.

import { call } from "../api.js";
import { button, h, radios, scrolling, selectField, summaryList, table, textArea } from "../dom.js";
import { submit, refuse, value, checkedValue } from "../forms.js";
import { formatDate, formatDateTime } from "../labels.js";
import { actionCard, actionFields, actionLabels, goalStatusForm, readAction } from "../family/plan.js";
import { contactsPerWeek } from "../family/contacts.js";
import { minutesText } from "../family/meetings.js";
import { decisionsSection, minutesSection } from "../family/minutes.js";
import { reloadButton } from "../family/contributions.js";
import { contentFields, withheldText } from "../family/assessments.js";
import { home, isId, noSuchFamily } from "./not-found.js";
import { ATTENDANCE, GOAL_STATUS, MEETING_KIND, MEETING_STATUS, MEETING_STATUS_TAG, OUTCOME_DOMAIN, actionWords, goalWords } from "../plan/labels.js";

export const MEETING_STALE =
  "Someone else changed this meeting since you opened it, so your change was not saved. Copy anything you typed, reload the meeting to see their change, then make yours again.";

export async function render(main, context) {
  const [familyId, meetingId] = context.params;
  if (!isId(familyId)) return noSuchFamily(main, context.session.me);
  if (!isId(meetingId)) return notFound(main, context.session.me);
  let loaded;
  try {
    loaded = await Promise.all([
      call("Family", { id: familyId }),
      call("Meeting", { id: meetingId }),
      call("FamilyPlan", { familyId }),
      call("FamilyReviews", { familyId }),
      contactsPerWeek(familyId, { id: "review-contacts-per-week" }),
    ]);
  } catch (error) {
    if (error.code === "NOT_FOUND") return notFound(main, context.session.me);
    throw error;
  }
  const [{ family }, { meeting }, { familyPlan: plan }, { familyReviews: reviews }, perWeek] = loaded;
  if (meeting.familyId !== family.id) return notFound(main, context.session.me);
  const view = viewOf(family, meeting, context);
  const title = `${MEETING_KIND[meeting.kind]}, ${formatDateTime(meeting.scheduledAt)}`;
  const sections = [
    ["attendance", "Attendance", attendance(view)],
    ["agenda", "Agenda", agenda(meeting)],
    ["review", "Review of the plan", [h("h3", { class: "govuk-heading-s" }, "Intensity of support"), perWeek, review(view, plan, reviews.filter((r) => r.meetingId === meeting.id))]],
    ["decisions", "Decisions", decisionsSection(view, send)],
    ["new-actions", "New actions", newActions(view, plan)],
    ["minutes", "Minutes", minutesSection(view, send)],
  ];
  const parts = [
    h("span", { class: "govuk-caption-l" }, h("a", { class: "govuk-link", href: `#/families/${encodeURIComponent(family.id)}/meetings` }, `${family.displayName} (${family.reference})`)),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, title),
    facts(meeting),
    state(view),
    h("nav", { class: "taf-contents", "aria-labelledby": "contents-title" }, h("h2", { class: "govuk-heading-s", id: "contents-title" }, "On this page"), h("ul", { class: "govuk-list" }, sections.map(([id, text]) => h("li", {}, h("a", { class: "govuk-link", href: `#${id}` }, text))))),
    sections.map(([id, text, content]) => h("section", { class: "taf-section", id, "aria-labelledby": `${id}-title`, tabindex: "-1" }, h("h2", { class: "govuk-heading-m", id: `${id}-title` }, text), content)),
  ];
  main.append(...parts.flat().filter(Boolean));
  return title;
}

function notFound(main, me) {
  const [href, text] = home(me);
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Meeting not found"),
    h("p", { class: "govuk-body" }, "We could not find that meeting. It may not exist, or you may not be on the family's team."),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href }, text)),
  );
  return "Meeting not found";
}

function viewOf(family, meeting, context) {
  const me = context.session.me;
  const lead = family.team.find((member) => member.role === "lead_professional") || null;
  const isLead = Boolean(lead && lead.worker.id === me.id);
  const started = new Date(meeting.scheduledAt) <= new Date();
  const path = `/families/${encodeURIComponent(family.id)}/meetings/${encodeURIComponent(meeting.id)}`;
  return {
    family,
    meeting,
    me,
    isLead,
    canContribute: family.team.some((member) => member.worker.id === me.id),
    // The chair records what happened once the meeting has started, until the minutes are published.
    running: isLead && started && meeting.status !== "cancelled" && !meeting.minutesPublishedAt,
    started,
    done: (message) => context.navigate(path, { message }),
    reload: () => context.navigate(path),
    sessionEnded: context.sessionEnded,
  };
}

function facts(meeting) {
  return summaryList(
    [
      ["Status", h("strong", { class: `govuk-tag ${MEETING_STATUS_TAG[meeting.status]}`, id: "meeting-status" }, MEETING_STATUS[meeting.status])],
      ["When", formatDateTime(meeting.scheduledAt)],
      meeting.location ? ["Where", meeting.location] : null,
      meeting.callLink ? ["Call link", meeting.callLink] : null,
      ["Chair", meeting.chair.displayName],
      ["Minutes", h("span", { id: "minutes-state" }, minutesText(meeting))],
    ],
    { id: "meeting-summary" },
  );
}

function state(view) {
  const { meeting } = view;
  if (meeting.status === "cancelled") return h("div", { class: "govuk-inset-text" }, `This meeting was cancelled: ${meeting.cancelReason || "no reason given"}.`);
  if (meeting.minutesPublishedAt) return h("div", { class: "govuk-inset-text" }, `The minutes were published on ${formatDateTime(meeting.minutesPublishedAt)} and can no longer change. Corrections are added below them.`);
  if (!view.started) return h("div", { class: "govuk-inset-text" }, "This meeting has not started yet. What happens at it can be recorded here once it has.");
  if (!view.isLead) return h("div", { class: "govuk-inset-text" }, "The lead professional records this meeting. The minutes are a draft until they publish them.");
  return null;
}

// Each change goes to the API on its own; a stale version is explained in words, with a way to reload.
function send(form, view, { operation, input, message, labels = {} }) {
  submit(form, view, {
    send: () => call(operation, { input }),
    done: (result) => view.done(typeof message === "function" ? message(result) : message),
    labels,
    wording: (error) => (error.code === "CONFLICT" && /since you opened/.test(error.message) ? { CONFLICT: MEETING_STALE } : {}),
    extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload the meeting") : null),
  });
}

const inviteeName = (invitee) => {
  if (invitee.professional) return invitee.professional.displayName;
  if (invitee.networkMember) return `${invitee.networkMember.fullName} (${invitee.networkMember.relationship}, family network)`;
  return `${invitee.familyMember.fullName} (family)`;
};

function attendance(view) {
  const { meeting } = view;
  if (!meeting.invitees.length) return h("p", { class: "govuk-body" }, "Nobody was invited.");
  if (!view.running) {
    return scrolling("Attendance (scrolls sideways)", table({ id: "attendance-table", caption: "Who was invited, and who came", head: ["Invited", "Attendance"], rows: meeting.invitees.map((invitee) => [inviteeName(invitee), ATTENDANCE[invitee.attendance]]) }));
  }
  const form = h(
    "form",
    { id: "attendance-form", novalidate: true },
    meeting.invitees.map((invitee) =>
      radios({
        id: `attendance-${invitee.id}`,
        name: `attendance-${invitee.id}`,
        legend: inviteeName(invitee),
        value: invitee.attendance === "invited" ? null : invitee.attendance,
        items: ["present", "apologies", "absent"].map((choice) => ({ value: choice, text: ATTENDANCE[choice] })),
        legendClass: "govuk-fieldset__legend--s",
      }),
    ),
    button("Save attendance"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const missing = meeting.invitees.filter((invitee) => !checkedValue(form, `attendance-${invitee.id}`));
    if (refuse(form, missing.map((invitee) => ({ message: `Choose whether ${inviteeName(invitee)} was present, sent apologies or was absent`, fieldId: `attendance-${invitee.id}-input` })))) return;
    send(form, view, {
      operation: "MeetingAttendanceRecord",
      input: { meetingId: meeting.id, expectedVersion: meeting.version, attendance: meeting.invitees.map((invitee) => ({ inviteeId: invitee.id, attendance: checkedValue(form, `attendance-${invitee.id}`) })) },
      message: "Attendance saved.",
    });
  });
  return form;
}

function agenda(meeting) {
  if (!meeting.agenda.trim()) return h("p", { class: "govuk-body" }, "No agenda was written.");
  return h("p", { class: "govuk-body taf-item-text", id: "agenda-text" }, meeting.agenda);
}

function review(view, plan, earlier) {
  const actionsOf = (goalId) => plan.actions.filter((action) => action.goalId === goalId);
  const loose = plan.actions.filter((action) => !action.goalId || !plan.goals.some((goal) => goal.id === action.goalId));
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "Go through each goal and its actions. The owner's agency, or you as the chair, can change where an action stands."),
    plan.goals.length ? null : h("p", { class: "govuk-body" }, "The plan has no goals yet."),
    plan.goals.map((goal) =>
      h(
        "div",
        { class: "taf-agency-group", "data-goal": goal.id },
        h("h3", { class: "govuk-heading-s" }, `Goal: ${goalWords(goal)}`, " ", h("strong", { class: "govuk-tag govuk-tag--grey" }, GOAL_STATUS[goal.status])),
        h("p", { class: "govuk-body taf-secondary-text" }, OUTCOME_DOMAIN[goal.outcomeDomain], goal.targetDate ? `; target ${formatDate(goal.targetDate)}` : ""),
        view.isLead && view.meeting.status !== "cancelled" ? goalStatusForm(goal, view) : null,
        actionsOf(goal.id).length ? actionsOf(goal.id).map((action) => actionCard(action, view)) : h("p", { class: "govuk-body" }, "No actions for this goal."),
      ),
    ),
    loose.length ? h("div", { class: "taf-agency-group" }, h("h3", { class: "govuk-heading-s" }, "Other actions"), loose.map((action) => actionCard(action, view))) : null,
    earlier.map(recordedReview),
    view.running && plan.goals.length ? reviewForm(view, plan.goals) : null,
  );
}

function recordedReview(recorded) {
  return h(
    "div",
    { class: "govuk-inset-text", "data-review": recorded.id },
    h("h3", { class: "govuk-heading-s" }, `Review recorded for ${formatDate(recorded.reviewedOn)}`),
    recorded.contentVisible ? null : h("p", { class: "govuk-body", "data-withheld": recorded.category }, withheldText(recorded.owningAgency, recorded.category)),
    recorded.summary ? h("p", { class: "govuk-body" }, recorded.summary) : null,
    recorded.scores.length ? h("p", { class: "govuk-body" }, `Scores: ${recorded.scores.map((s) => `${OUTCOME_DOMAIN[s.domain]} ${s.score} out of 10`).join("; ")}.`) : null,
  );
}

function reviewForm(view, goals) {
  const { meeting } = view;
  const domains = [...new Set(goals.map((goal) => goal.outcomeDomain))];
  const fields = goals.map((goal, index) => ({ goal, id: `review-progress-${index}` }));
  const scoreOptions = [{ value: "", text: "Not scored" }, ...Array.from({ length: 10 }, (_, i) => ({ value: String(i + 1), text: `${i + 1}${i === 0 ? " (serious difficulty)" : i === 9 ? " (thriving)" : ""}` }))];
  const form = h(
    "form",
    { id: "review-form", novalidate: true },
    fields.map(({ goal, id }) => textArea({ id, label: `Progress on ${goalWords(goal)}`, hint: "Leave empty if it was not discussed", rows: 2 })),
    domains.map((domain) => selectField({ id: `review-score-${domain}`, label: `Score for ${OUTCOME_DOMAIN[domain].toLowerCase()}`, hint: "From 1 (serious difficulty) to 10 (thriving), as the family sees it", options: scoreOptions })),
    textArea({ id: "review-summary", label: "Summary of the review (optional)", rows: 3 }),
    contentFields("review", "summary and the progress notes"),
    button("Record the review"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const progress = fields.filter(({ id }) => value(form, id)).map(({ goal, id }) => ({ goalId: goal.id, progress: value(form, id) }));
    const scores = domains.filter((d) => value(form, `review-score-${d}`)).map((domain) => ({ domain, score: Number(value(form, `review-score-${domain}`)) }));
    if (refuse(form, progress.length || scores.length ? [] : [{ message: "Enter the progress on at least one goal, or a score", fieldId: fields[0].id }])) return;
    send(form, view, {
      operation: "ReviewRecord",
      input: {
        familyId: view.family.id,
        reviewedOn: meeting.scheduledAt.slice(0, 10),
        meetingId: meeting.id,
        summary: value(form, "review-summary"),
        progress,
        scores,
        category: value(form, "review-category"),
        containsThirdPartyIdentities: form.elements["review-third-party"].checked,
      },
      message: "Review recorded.",
      labels: { summary: { id: "review-summary", label: "Summary" }, progress: { id: fields[0].id, label: "Progress" } },
    });
  });
  return h("div", { class: "taf-subsection", id: "record-review" }, h("h3", { class: "govuk-heading-s" }, "Record the review"), form);
}

function newActions(view, plan) {
  const { meeting } = view;
  const list = meeting.actions.length
    ? scrolling("Actions agreed (scrolls sideways)", table({ id: "meeting-actions-table", caption: "Actions agreed at this meeting", head: ["Action", "Owner", "Due"], rows: meeting.actions.map((action) => [actionWords(action), `${action.owner.displayName}, ${action.owningAgency.name}`, formatDate(action.dueDate)]) }))
    : h("p", { class: "govuk-body", id: "meeting-actions-none" }, "No actions agreed at this meeting yet.");
  if (!view.running) return list;
  const form = h("form", { id: "meeting-action-form", novalidate: true }, actionFields("meeting-action", view.family.team, plan.goals), button("Add the action"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = readAction(form, "meeting-action");
    if (!input) return;
    send(form, view, { operation: "MeetingActionAdd", input: { meetingId: meeting.id, ...input }, message: "Action added to the plan. Its owner has been told.", labels: actionLabels("meeting-action") });
  });
  return h("div", {}, list, h("h3", { class: "govuk-heading-s" }, "Agree a new action"), form);
}
