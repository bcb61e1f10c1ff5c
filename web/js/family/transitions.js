// Stepping up to statutory services, stepping down, closing the record (with an outcome and a
// sustainability plan) and re-opening it: the lead professional's controls, and the history for everyone.

import { call } from "../api.js";
import { button, dateInput, h, radios, readDate, scrolling, selectField, summaryList, table, textArea, textField } from "../dom.js";
import { STALE } from "../errors.js";
import { checkedValue, refuse, submit, value, warning } from "../forms.js";
import { choices, formatDate, LEVEL_OF_NEED } from "../labels.js";
import { CARE_OUTCOME, CLOSURE_OUTCOME, TRANSITION_KIND, todayIso } from "../plan/labels.js";
import { reloadButton } from "./contributions.js";

export const id = "transitions";
export const title = "Step up, step down or close";

export const visible = () => true;

const whileOpen = (view) => view.isLead && view.family.status !== "closed";
const onceClosed = (view) => view.isLead && view.family.status === "closed";

export const questions = [
  { path: "step-up", title: "Step up to statutory services", offered: whileOpen, render: async (view) => stepUpForm(view, await agreedAtPanel(view, "step_up")) },
  { path: "step-down", title: "Step down", offered: whileOpen, render: async (view) => stepDownForm(view, await agreedAtPanel(view, "step_down")) },
  { path: "close", title: "Close the family's record", offered: whileOpen, render: (view) => closeForm(view) },
  { path: "reopen", title: "Re-open the family's record", offered: onceClosed, render: (view) => reopenForm(view) },
];

/** The family's panel decisions with this outcome, which a step may say it was agreed at. */
async function agreedAtPanel(view, outcome) {
  const { familyPanelDecisions } = await call("FamilyPanelDecisions", { familyId: view.family.id });
  return familyPanelDecisions.filter((decision) => decision.outcome === outcome);
}

export async function render(view) {
  const closed = view.family.status === "closed";
  const [{ familyTransitions: transitions }, retention] = await Promise.all([
    view.query("FamilyTransitions", { familyId: view.family.id }),
    closed ? view.query("FamilyRetention", { familyId: view.family.id }) : null,
  ]);
  return h(
    "div",
    {},
    history(transitions),
    retention?.familyRetention ? keptUntil(retention.familyRetention) : null,
    questionLinks(view),
  );
}

function questionLinks(view) {
  const offered = questions.filter((question) => question.offered(view));
  return offered.length ? h("div", { class: "govuk-button-group" }, offered.map((question) => view.questionLink(question.path, question.title, { id: question.path }))) : null;
}

function history(transitions) {
  if (!transitions.length) return h("p", { class: "govuk-body" }, "The family has not been stepped up, stepped down or closed.");
  return scrolling(
    "Changes of service (scrolls sideways)",
    table({
      id: "transitions-table",
      caption: "Step ups, step downs, closures and re-openings, oldest first",
      head: ["What", "From", "Why", "To or outcome"],
      rows: transitions.map((t) => [TRANSITION_KIND[t.kind], formatDate(t.effectiveOn), t.panelDecisionId ? `${t.reason} (agreed at panel)` : t.reason, t.kind === "closure" ? closureText(t) : t.receivingTeam]),
    }),
  );
}

function closureText(transition) {
  const outcome = CLOSURE_OUTCOME[transition.outcome];
  return transition.careOutcome ? `${outcome}. ${CARE_OUTCOME[transition.careOutcome]}` : outcome;
}

// Once closed, the family's records are kept until a date the retention schedule gives (policies/retention_schedule.csv).
function keptUntil(retention) {
  return h(
    "div",
    { class: "taf-subsection", id: "retention-date" },
    h("h3", { class: "govuk-heading-s" }, "How long the records are kept"),
    summaryList([
      ["Kept until", formatDate(retention.dueOn)],
      ["Why that date", retention.appliesBecause],
    ]),
    h("p", { class: "govuk-body" }, "After that date, an information-governance officer reviews them: they may keep them longer, with a reason, or erase them."),
  );
}

// Each form sends the family's version as read; a stale page is a conflict, explained in words.
function send(form, view, { operation, input, message, labels }) {
  submit(form, view, {
    send: () => call(operation, { input: { familyId: view.family.id, expectedVersion: view.family.version, ...input } }),
    done: () => view.done(message),
    labels,
    wording: (error) => {
      if (error.code === "CONFLICT" && /since you opened/.test(error.message)) return { CONFLICT: STALE };
      if (error.field === "openActions") return { BAD_USER_INPUT: "Some actions on the plan are still open. Choose whether to cancel them or keep them with their owners" };
      return {};
    },
    extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload this family") : null),
  });
}

function effectiveDate(form, prefix, problems) {
  const on = readDate(form, `${prefix}-on`);
  if (!on) problems.push({ message: on === "" ? "Enter the date it takes effect" : "Enter a real date", fieldId: `${prefix}-on-day` });
  else if (on > todayIso()) problems.push({ message: "The date cannot be in the future", fieldId: `${prefix}-on-day` });
  return on;
}

function dateField(prefix) {
  const field = dateInput({ id: `${prefix}-on`, legend: "Date it takes effect", hint: "Today or earlier, for example 3 11 2026" });
  const [year, month, day] = todayIso().split("-");
  field.querySelector(`#${prefix}-on-day`).value = String(Number(day));
  field.querySelector(`#${prefix}-on-month`).value = String(Number(month));
  field.querySelector(`#${prefix}-on-year`).value = year;
  return field;
}

// A step agreed at a multi-agency panel names that panel's decision (one of the family's with the same outcome).
function panelField(prefix, decisions) {
  if (!decisions.length) return null;
  const options = decisions.map((d) => ({ value: d.id, text: `${d.sittingName}, ${formatDate(d.sitsOn)}` }));
  return selectField({ id: `${prefix}-panel`, label: "Agreed at a panel (optional)", options: [{ value: "", text: "Not agreed at a panel" }, ...options] });
}

const required = (form, id, message, problems) => {
  if (!value(form, id)) problems.push({ message, fieldId: id });
  return value(form, id);
};

function stepUpForm(view, decisions) {
  const form = h(
    "form",
    { id: "step-up-form", novalidate: true },
    h("p", { class: "govuk-body" }, "The level of need becomes statutory and the family's record shows it as stepped up."),
    textArea({ id: "step-up-reason", label: "Why the family needs statutory services", rows: 3 }),
    textField({ id: "step-up-team", label: "The team taking the case", hint: "For example, Children's Social Care, Assessment Team 2" }),
    dateField("step-up"),
    panelField("step-up", decisions),
    button("Step up"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const reason = required(form, "step-up-reason", "Enter why the family needs statutory services", problems);
    const team = required(form, "step-up-team", "Enter the team taking the case", problems);
    const on = effectiveDate(form, "step-up", problems);
    if (refuse(form, problems)) return;
    send(form, view, {
      operation: "FamilyStepUp",
      input: { reason, receivingTeam: team, effectiveOn: on, panelDecisionId: value(form, "step-up-panel") || null },
      message: "The family was stepped up to statutory services.",
      labels: { reason: { id: "step-up-reason", label: "Why" }, receivingTeam: { id: "step-up-team", label: "The team taking the case" }, effectiveOn: { id: "step-up-on-day", label: "Date" }, panelDecisionId: { id: "step-up-panel", label: "Agreed at a panel" } },
    });
  });
  return form;
}

function stepDownForm(view, decisions) {
  const form = h(
    "form",
    { id: "step-down-form", novalidate: true },
    textArea({ id: "step-down-reason", label: "Why the family can step down", rows: 3 }),
    textField({ id: "step-down-team", label: "Who will support the family now", hint: "For example, Riverside Academy pastoral team" }),
    selectField({ id: "step-down-level", label: "New level of need", options: [{ value: "", text: "Choose a level of need" }, { value: "universal", text: LEVEL_OF_NEED.universal }, { value: "targeted", text: LEVEL_OF_NEED.targeted }] }),
    dateField("step-down"),
    panelField("step-down", decisions),
    button("Step down"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const reason = required(form, "step-down-reason", "Enter why the family can step down", problems);
    const team = required(form, "step-down-team", "Enter who will support the family now", problems);
    const level = required(form, "step-down-level", "Choose the new level of need", problems);
    const on = effectiveDate(form, "step-down", problems);
    if (refuse(form, problems)) return;
    send(form, view, {
      operation: "FamilyStepDown",
      input: { reason, receivingTeam: team, levelOfNeed: level, effectiveOn: on, panelDecisionId: value(form, "step-down-panel") || null },
      message: "The family was stepped down.",
      labels: { reason: { id: "step-down-reason", label: "Why" }, receivingTeam: { id: "step-down-team", label: "Who will support the family" }, levelOfNeed: { id: "step-down-level", label: "New level of need" }, effectiveOn: { id: "step-down-on-day", label: "Date" }, panelDecisionId: { id: "step-down-panel", label: "Agreed at a panel" } },
    });
  });
  return form;
}

function closeForm(view) {
  const form = h(
    "form",
    { id: "close-form", novalidate: true },
    warning("Closing ends the work with this family. The team can still read the record; only a re-opening, with a reason, starts it again."),
    selectField({ id: "close-outcome", label: "Outcome", options: choices(CLOSURE_OUTCOME, { first: "Choose an outcome" }) }),
    radios({ id: "close-care", name: "close-care", legend: "Where does the young person live now?", items: choices(CARE_OUTCOME) }),
    textArea({ id: "close-reason", label: "Why the record is closing", rows: 3 }),
    textArea({ id: "close-support", label: "What support continues", hint: "The sustainability plan: who keeps helping, and how", rows: 3 }),
    textArea({ id: "close-contact", label: "Who the family can contact if things get difficult again", rows: 2 }),
    textArea({ id: "close-feedback", label: "What the family said about the help (optional)", rows: 2 }),
    dateField("close"),
    radios({
      id: "close-actions",
      name: "close-actions",
      legend: "If any actions are still open",
      items: [
        { value: "cancel", text: "Cancel them" },
        { value: "keep", text: "Keep them with their owners" },
      ],
    }),
    button("Close the record", { class: "govuk-button govuk-button--warning" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const outcome = required(form, "close-outcome", "Choose an outcome", problems);
    const careOutcome = checkedValue(form, "close-care");
    if (!careOutcome) problems.push({ message: "Choose where the young person lives now", fieldId: "close-care-input" });
    const reason = required(form, "close-reason", "Enter why the record is closing", problems);
    const support = required(form, "close-support", "Enter what support continues", problems);
    const contact = required(form, "close-contact", "Enter who the family can contact if things get difficult again", problems);
    const on = effectiveDate(form, "close", problems);
    if (refuse(form, problems)) return;
    send(form, view, {
      operation: "FamilyClose",
      input: {
        outcome,
        careOutcome,
        reason,
        supportContinuing: support,
        contactIfDifficulties: contact,
        familyFeedback: value(form, "close-feedback"),
        effectiveOn: on,
        openActions: checkedValue(form, "close-actions") || null,
      },
      message: "The family's record is closed.",
      labels: {
        outcome: { id: "close-outcome", label: "Outcome" },
        careOutcome: { id: "close-care-input", label: "Where the young person lives now" },
        reason: { id: "close-reason", label: "Why" },
        supportContinuing: { id: "close-support", label: "What support continues" },
        contactIfDifficulties: { id: "close-contact", label: "Who to contact" },
        familyFeedback: { id: "close-feedback", label: "What the family said" },
        effectiveOn: { id: "close-on-day", label: "Date" },
        openActions: { id: "close-actions-input", label: "Open actions" },
      },
    });
  });
  return form;
}

function reopenForm(view) {
  const form = h(
    "form",
    { id: "reopen-form", novalidate: true },
    textArea({ id: "reopen-reason", label: "Why the record is re-opening", rows: 3 }),
    button("Re-open the record"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const reason = required(form, "reopen-reason", "Enter why the record is re-opening", problems);
    if (refuse(form, problems)) return;
    send(form, view, { operation: "FamilyReopen", input: { reason }, message: "The family's record is open again.", labels: { reason: { id: "reopen-reason", label: "Why" } } });
  });
  return form;
}
