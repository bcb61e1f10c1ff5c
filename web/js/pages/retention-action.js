// An information-governance officer's decision about a closed family's records, one question page each:
// keep them longer (a new date and a reason), place a legal hold, remove it, or erase them. The API decides
// and validates; these pages ask in words and say what went wrong by the field.

import { call } from "../api.js";
import { button, dateInput, h, readDate, summaryList, textArea, textField } from "../dom.js";
import { refuse, submit, value, warning } from "../forms.js";
import { formatDate, formatDateTime } from "../labels.js";
import { todayIso } from "../plan/labels.js";
import { ACTIONS } from "../retention.js";

// The same people as the information-governance page.
export { openTo } from "./information-governance.js";

export const title = "Retention review";

const MIN_REASON = 10;

const PAGES = {
  extend: { heading: "Keep these records for longer", form: extendForm },
  hold: { heading: "Place a legal hold on these records", form: holdForm },
  release: { heading: "Remove the legal hold", form: releaseForm },
  erase: { heading: "Erase these records", form: eraseForm },
};

export async function render(main, context) {
  const [familyId, action] = context.params;
  const page = PAGES[action];
  const { retentionReview: review } = await call("RetentionReview", { familyId });
  const name = review.familyLabel || review.reference;
  const view = {
    review,
    name,
    sessionEnded: context.sessionEnded,
    done: (message) => context.navigate("/information-governance", { message }),
  };
  main.append(
    h("a", { class: "govuk-back-link", href: "#/information-governance" }, "Back to information governance"),
    h("span", { class: "govuk-caption-l" }, name),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, page.heading),
    facts(review),
    page.form(view),
  );
  return `${ACTIONS[action]}: ${review.reference}`;
}

function facts(review) {
  return summaryList(
    [
      ["Closed", formatDate(review.closedOn)],
      ["Kept until", formatDate(review.dueOn)],
      ["Why that date", review.appliesBecause],
      review.extendedUntil ? ["Extended because", review.extensionReason] : null,
      review.onLegalHold ? ["Legal hold", `Since ${formatDateTime(review.legalHoldSince)}: ${review.legalHoldReason}`] : null,
    ],
    { id: "retention-facts" },
  );
}

function reasonProblems(form, id, missing, problems) {
  const reason = value(form, id);
  if (!reason) problems.push({ message: missing, fieldId: id });
  else if (reason.length < MIN_REASON) problems.push({ message: `Write the reason in full (${MIN_REASON} characters or more)`, fieldId: id });
  return reason;
}

function send(form, view, { operation, input, message, labels }) {
  submit(form, view, {
    send: () => call(operation, { input: { familyId: view.review.familyId, ...input } }),
    done: () => view.done(message),
    labels,
    wording: () => ({ FORBIDDEN: "Only information-governance officers can decide about retention.", NOT_FOUND: "These records could not be found. They may have been erased already." }),
  });
}

function extendForm(view) {
  const form = h(
    "form",
    { id: "extend-form", novalidate: true },
    dateInput({ id: "retain-until", legend: "Keep the records until", hint: "A date after today and after the current date, within 25 years. For example, 31 3 2031" }),
    textArea({ id: "extend-reason", label: "Why the records are still needed", hint: "For example: a complaint about the service is still open", rows: 4 }),
    button("Keep the records until this date"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const until = readDate(form, "retain-until");
    if (!until) problems.push({ message: until === "" ? "Enter the date to keep the records until" : "Enter a real date", fieldId: "retain-until-day" });
    else if (until <= todayIso()) problems.push({ message: "The date must be in the future", fieldId: "retain-until-day" });
    const reason = reasonProblems(form, "extend-reason", "Enter why the records are still needed", problems);
    if (refuse(form, problems)) return;
    send(form, view, {
      operation: "RetentionExtend",
      input: { retainUntil: until, reason },
      message: `The records of ${view.name} are kept until ${formatDate(until)}.`,
      labels: { retainUntil: { id: "retain-until-day", label: "The date" }, reason: { id: "extend-reason", label: "The reason" } },
    });
  });
  return form;
}

function holdForm(view) {
  const form = h(
    "form",
    { id: "hold-form", novalidate: true },
    h("p", { class: "govuk-body" }, "The records are kept, whatever their date, until you remove the hold. They cannot be erased meanwhile."),
    textArea({ id: "hold-reason", label: "Why the records must be kept", hint: "For example: a claim has been made, or an inquiry has asked for them", rows: 4 }),
    button("Place the legal hold"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const reason = reasonProblems(form, "hold-reason", "Enter why the records must be kept", problems);
    if (refuse(form, problems)) return;
    send(form, view, {
      operation: "RetentionLegalHoldPlace",
      input: { reason },
      message: `The records of ${view.name} are under a legal hold.`,
      labels: { reason: { id: "hold-reason", label: "The reason" } },
    });
  });
  return form;
}

function releaseForm(view) {
  const form = h(
    "form",
    { id: "release-form", novalidate: true },
    h("p", { class: "govuk-body" }, "The records' retention date applies again: if it has passed, they wait for review."),
    textArea({ id: "release-reason", label: "Why the hold can end", hint: "For example: the claim was settled", rows: 4 }),
    button("Remove the legal hold"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const reason = reasonProblems(form, "release-reason", "Enter why the hold can end", problems);
    if (refuse(form, problems)) return;
    send(form, view, {
      operation: "RetentionLegalHoldRemove",
      input: { reason },
      message: `The legal hold on the records of ${view.name} is removed.`,
      labels: { reason: { id: "release-reason", label: "The reason" } },
    });
  });
  return form;
}

function eraseForm(view) {
  const { review } = view;
  if (review.onLegalHold) {
    return h("p", { class: "govuk-body", id: "erase-refused" }, "These records are under a legal hold, so they cannot be erased. ", h("a", { class: "govuk-link", href: `#/information-governance/retention/${encodeURIComponent(review.familyId)}/release` }, "Remove the legal hold"), " first if it is no longer needed.");
  }
  if (review.dueOn > todayIso()) {
    return h("p", { class: "govuk-body", id: "erase-refused" }, `These records are kept until ${formatDate(review.dueOn)}. They can be erased only after that date.`);
  }
  const form = h(
    "form",
    { id: "erase-form", novalidate: true },
    warning("Erasing cannot be undone. Every record about the family goes: its members, team, plan, meetings, assessments, contributions, consent, escalations, sharing decisions, portal accounts and notifications. Only the reference, the dates, and who erased it, when and why are kept, with the audit log."),
    textField({ id: "erase-reference", label: "Type the family's reference to confirm", hint: `The reference is ${review.reference}`, autocomplete: "off", spellcheck: false, width: 10 }),
    textArea({ id: "erase-reason", label: "Why the records are erased now", hint: "For example: the retention period is over and nothing is pending", rows: 4 }),
    button("Erase the records", { class: "govuk-button govuk-button--warning" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const typed = value(form, "erase-reference");
    if (!typed) problems.push({ message: "Type the family's reference to confirm", fieldId: "erase-reference" });
    else if (typed.toUpperCase() !== review.reference.toUpperCase()) problems.push({ message: `The reference does not match: type ${review.reference}`, fieldId: "erase-reference" });
    const reason = reasonProblems(form, "erase-reason", "Enter why the records are erased now", problems);
    if (refuse(form, problems)) return;
    send(form, view, {
      operation: "FamilyErase",
      input: { confirmReference: typed, reason },
      message: `The records of ${review.reference} are erased. A tombstone and the audit log are kept.`,
      labels: { confirmReference: { id: "erase-reference", label: "The reference" }, reason: { id: "erase-reason", label: "The reason" } },
    });
  });
  return form;
}
