// Risk escalations: any worker on the team raises one; the lead professional acknowledges it by its
// deadline and resolves it. Open urgent ones come first and stand out, in words as well as colour.

import { call } from "../api.js";
import { button, details, h, hidden, radios, selectField, summaryList, textArea, uniqueId } from "../dom.js";
import { refuse, submit, value, checkedValue, warning } from "../forms.js";
import { CATEGORY, choices, formatDateTime } from "../labels.js";
import {
  ESCALATION_LEVEL,
  ESCALATION_LEVEL_HINT,
  ESCALATION_LEVEL_TAG,
  ESCALATION_OUTCOME,
  ESCALATION_STATUS,
} from "../plan/labels.js";
import { clearEscalationBanner, setUnread } from "../notices.js";
import { reloadButton } from "./contributions.js";

export const id = "escalations";
export const title = "Escalations";

export const visible = () => true;

export const questions = [
  {
    path: "escalations/new",
    title: "Raise an escalation",
    offered: (view) => view.canContribute && view.family.status !== "closed",
    render: async (view) => raiseForm(view, (await view.query("FamilyEscalations", { familyId: view.family.id })).escalationReasonHiddenFromLead),
  },
];

const isUrgent = (escalation) => escalation.level !== "concern";
const isOpen = (escalation) => escalation.status !== "resolved";

export async function render(view) {
  const { familyEscalations: escalations } = await view.query("FamilyEscalations", { familyId: view.family.id });
  const open = escalations.filter(isOpen);
  const urgent = open.filter(isUrgent);
  // Open urgent first, then other open, then resolved; newest first within each (the API's order).
  const rank = (e) => (isOpen(e) ? (isUrgent(e) ? 0 : 1) : 2);
  const ordered = [...escalations].sort((a, b) => rank(a) - rank(b));
  return h(
    "div",
    {},
    urgent.length ? warning(`${urgent.length} urgent ${urgent.length === 1 ? "escalation is" : "escalations are"} open. Read ${urgent.length === 1 ? "it" : "them"} first.`) : null,
    h(
      "p",
      { class: "govuk-body", id: "escalations-summary" },
      escalations.length ? `${open.length} open, ${escalations.length - open.length} resolved.` : "No escalations have been raised.",
    ),
    h("div", { id: "escalations-list" }, ordered.map((escalation) => card(escalation, view))),
    view.canContribute && view.family.status !== "closed" ? view.questionLink("escalations/new", "Raise an escalation", { id: "raise-escalation" }) : null,
  );
}

function card(escalation, view) {
  const titleId = uniqueId("escalation");
  const urgent = isUrgent(escalation) && isOpen(escalation);
  const agency = view.family.team.find((member) => member.agency.id === escalation.raisingAgency.id)?.agency.name || escalation.raisingAgency.name;
  return h(
    "div",
    { class: `govuk-summary-card${urgent ? " taf-escalation--urgent" : ""}`, "data-escalation": escalation.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title", id: titleId }, `${ESCALATION_LEVEL[escalation.level]}: ${CATEGORY[escalation.category]}`),
      h("strong", { class: `govuk-tag ${isOpen(escalation) ? ESCALATION_LEVEL_TAG[escalation.level] : "govuk-tag--grey"}` }, ESCALATION_STATUS[escalation.status]),
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          ["Level", ESCALATION_LEVEL[escalation.level]],
          ["Raised", `${formatDateTime(escalation.raisedAt)} by ${escalation.raisedBy.displayName}, ${agency}`],
          ["Reason", escalation.reasonVisible ? escalation.reason : `This is ${agency}'s information about ${CATEGORY[escalation.category].toLowerCase()}, which you may not see.`],
          // A lead who may not read the reason can still find out: by asking the person who raised it.
          view.isLead && !escalation.reasonVisible ? ["Contact the person who raised it", contactOf(escalation)] : null,
          escalation.acknowledgedAt
            ? ["Acknowledged", formatDateTime(escalation.acknowledgedAt)]
            : [escalation.ackOverdue ? "Response overdue" : "Response due", escalation.ackOverdue ? `The lead professional should have responded by ${formatDateTime(escalation.ackDueAt)}` : `The lead professional must respond by ${formatDateTime(escalation.ackDueAt)}`],
          escalation.resolvedAt ? ["Resolved", `${formatDateTime(escalation.resolvedAt)}: ${ESCALATION_OUTCOME[escalation.outcome]}${escalation.outcomeNote ? `. ${escalation.outcomeNote}` : ""}`] : null,
        ],
        { "aria-labelledby": titleId },
      ),
      view.mayActOnEscalations && escalation.status === "raised" ? acknowledgeForm(escalation, view) : null,
      view.mayActOnEscalations && isOpen(escalation) ? resolveForm(escalation, view) : null,
    ),
  );
}

// Acknowledging (or resolving) marks the lead's notifications of the escalation read: the header's count follows.
function refreshUnread() {
  call("Inbox", { first: 1 })
    .then(({ unreadCount }) => setUnread(unreadCount))
    .catch(() => {});
}

function contactOf(escalation) {
  const contact = escalation.raiserContact;
  if (!contact || !(contact.inHours || contact.outOfHours)) return `${escalation.raisedBy.displayName} has left the family's team. Contact ${escalation.raisingAgency.name}.`;
  return [
    escalation.raisedBy.displayName,
    contact.inHours ? [h("br"), `In working hours: ${contact.inHours}`] : null,
    contact.outOfHours ? [h("br"), `Out of hours: ${contact.outOfHours}`] : null,
  ];
}

function acknowledgeForm(escalation, view) {
  const form = h("form", { novalidate: true, class: "taf-acknowledge" }, button(["Acknowledge", hidden(` the ${ESCALATION_LEVEL[escalation.level].toLowerCase()} escalation raised ${formatDateTime(escalation.raisedAt)}`)]));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, view, {
      send: () => call("EscalationAcknowledge", { input: { escalationId: escalation.id } }),
      done: () => {
        clearEscalationBanner(escalation.id);
        refreshUnread();
        view.done("Escalation acknowledged. The worker who raised it can see that you have.");
      },
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload the escalations") : null),
    });
  });
  return form;
}

function resolveForm(escalation, view) {
  const prefix = uniqueId("resolve");
  const form = h(
    "form",
    { novalidate: true },
    selectField({ id: `${prefix}-outcome`, label: "Outcome", options: choices(ESCALATION_OUTCOME, { first: "Choose an outcome" }) }),
    textArea({ id: `${prefix}-note`, label: "Note (optional)", rows: 2 }),
    button("Resolve the escalation"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (refuse(form, value(form, `${prefix}-outcome`) ? [] : [{ message: "Choose an outcome", fieldId: `${prefix}-outcome` }])) return;
    submit(form, view, {
      send: () => call("EscalationResolve", { input: { escalationId: escalation.id, outcome: value(form, `${prefix}-outcome`), note: value(form, `${prefix}-note`) } }),
      done: () => {
        clearEscalationBanner(escalation.id);
        refreshUnread();
        view.done("Escalation resolved.");
      },
      labels: { outcome: { id: `${prefix}-outcome`, label: "Outcome" }, note: { id: `${prefix}-note`, label: "Note" } },
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload the escalations") : null),
    });
  });
  return details(["Resolve", hidden(" this escalation")], form);
}

// Shown once the worker has chosen a category in which the lead may not read their reason: before they send it.
function leadWarning(view) {
  const lead = view.lead;
  const contact = lead ? [lead.contactInHours, lead.contactOutOfHours].filter(Boolean).join(" or ") : "";
  return h(
    "div",
    { id: "escalation-lead-warning", hidden: true },
    warning(
      `${lead ? lead.worker.displayName : "The lead professional"} cannot read this kind of information from your agency. They will see that you raised an escalation, how serious it is and how to contact you, but not the reason. Contact them as well${contact ? `: ${contact}` : ""}.`,
    ),
  );
}

function raiseForm(view, hiddenFromLead = []) {
  const notice = leadWarning(view);
  const form = h(
    "form",
    { id: "escalation-raise-form", novalidate: true },
    warning("If a child is in immediate danger, call 999 first."),
    radios({
      id: "escalation-level",
      name: "escalation-level",
      legend: "How serious is it?",
      items: choices(ESCALATION_LEVEL, { hints: ESCALATION_LEVEL_HINT }),
    }),
    selectField({
      id: "escalation-category",
      label: "What kind of information is the reason",
      hint: "It decides who can read the reason, as for your agency's items",
      options: choices(CATEGORY, { first: "Choose a category" }),
    }),
    h("div", { "aria-live": "polite" }, notice),
    textArea({ id: "escalation-reason", label: "What has happened and why you are worried", rows: 4 }),
    button("Raise the escalation", { class: "govuk-button govuk-button--warning" }),
  );
  form["escalation-category"].addEventListener("change", () => {
    notice.hidden = !hiddenFromLead.includes(value(form, "escalation-category"));
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    if (!checkedValue(form, "escalation-level")) problems.push({ message: "Choose how serious it is", fieldId: "escalation-level-input" });
    if (!value(form, "escalation-category")) problems.push({ message: "Choose what kind of information the reason is", fieldId: "escalation-category" });
    if (!value(form, "escalation-reason")) problems.push({ message: "Enter what has happened and why you are worried", fieldId: "escalation-reason" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("EscalationRaise", {
          input: {
            familyId: view.family.id,
            level: checkedValue(form, "escalation-level"),
            category: value(form, "escalation-category"),
            reason: value(form, "escalation-reason"),
          },
        }),
      done: () => view.done("Escalation raised. The lead professional has been told."),
      labels: {
        level: { id: "escalation-level-input", label: "How serious it is" },
        category: { id: "escalation-category", label: "Category" },
        reason: { id: "escalation-reason", label: "What has happened" },
      },
    });
  });
  return form;
}
