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
import { reloadButton } from "./contributions.js";

export const id = "escalations";
export const title = "Escalations";

export const visible = () => true;

const isUrgent = (escalation) => escalation.level !== "concern";
const isOpen = (escalation) => escalation.status !== "resolved";

export async function render(view) {
  const { familyEscalations: escalations } = await call("FamilyEscalations", { familyId: view.family.id });
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
    view.canContribute && view.family.status !== "closed" ? raiseForm(view) : null,
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

function acknowledgeForm(escalation, view) {
  const form = h("form", { novalidate: true, class: "taf-acknowledge" }, button(["Acknowledge", hidden(` the ${ESCALATION_LEVEL[escalation.level].toLowerCase()} escalation raised ${formatDateTime(escalation.raisedAt)}`)]));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, view, {
      send: () => call("EscalationAcknowledge", { input: { escalationId: escalation.id } }),
      done: () => view.done("Escalation acknowledged. The worker who raised it can see that you have."),
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
      done: () => view.done("Escalation resolved."),
      labels: { outcome: { id: `${prefix}-outcome`, label: "Outcome" }, note: { id: `${prefix}-note`, label: "Note" } },
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload the escalations") : null),
    });
  });
  return details(["Resolve", hidden(" this escalation")], form);
}

function raiseForm(view) {
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
    textArea({ id: "escalation-reason", label: "What has happened and why you are worried", rows: 4 }),
    button("Raise the escalation", { class: "govuk-button govuk-button--warning" }),
  );
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
  return h("div", { class: "taf-subsection", id: "raise-escalation" }, details("Raise an escalation", form));
}
