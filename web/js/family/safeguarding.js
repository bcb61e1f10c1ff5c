// Sharing without consent to keep a child safe (safeguarding overrides) and decisions not to share, as
// far as the signed-in worker is a party to them; and the form to share without consent.

import { call } from "../api.js";
import { button, checkboxes, checkedValues, dateInput, h, radios, readDate, summaryList, textArea, textField, uniqueId } from "../dom.js";
import { checkedValue, refuse, submit, value, warning } from "../forms.js";
import { CATEGORY, categoryList, choices, formatDate, LAWFUL_BASIS, LAWFUL_BASIS_HINT } from "../labels.js";

export const id = "safeguarding";
export const title = "Safeguarding";

export const visible = () => true;

export const questions = [
  { path: "overrides/new", title: "Share without consent", offered: (view) => view.canContribute, render: (view) => overrideForm(view) },
  { path: "decisions/new", title: "Record a decision not to share", offered: (view) => view.canContribute, render: (view) => decisionForm(view) },
];

const MAX_DAYS = 90;
const MIN_JUSTIFICATION = 20;

export async function render(view) {
  const { family } = await view.query("FamilySafeguarding", { familyId: view.family.id });
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "Information shared without consent because a child is at risk of significant harm, and decisions not to share. You see those your agency is part of."),
    h("h3", { class: "govuk-heading-s" }, "Shared without consent"),
    h(
      "div",
      { id: "override-list" },
      family.safeguardingOverrides.length ? family.safeguardingOverrides.map((item) => overrideCard(item)) : h("p", { class: "govuk-body" }, "None that you can see."),
    ),
    h("h3", { class: "govuk-heading-s" }, "Decisions not to share"),
    h(
      "div",
      { id: "decision-list" },
      family.decisionsNotToShare.length ? family.decisionsNotToShare.map((decision) => decisionCard(decision)) : h("p", { class: "govuk-body" }, "None that you can see."),
    ),
    view.canContribute
      ? h(
          "div",
          { class: "govuk-button-group" },
          view.questionLink("overrides/new", "Share without consent", { id: "share-without-consent" }),
          view.questionLink("decisions/new", "Record a decision not to share", { id: "decide-not-to-share" }),
        )
      : null,
  );
}

function otherAgencies(view) {
  const agencies = new Map();
  for (const member of view.family.team) if (member.agency.id !== view.me.agency?.id) agencies.set(member.agency.id, member.agency);
  return [...agencies.values()];
}

// Recording a decision not to share (with reasons) is as much a part of the record as sharing.
function decisionForm(view) {
  const form = h(
    "form",
    { id: "decision-form", novalidate: true },
    checkboxes({ id: "decision-categories", name: "decision-categories", legend: "Which information", items: choices(CATEGORY) }),
    checkboxes({ id: "decision-agencies", name: "decision-agencies", legend: "Not shared with", items: otherAgencies(view).map((agency) => ({ value: agency.id, text: agency.name })) }),
    textArea({ id: "decision-reason", label: "Why you decided not to share", hint: "For example, the risk does not reach the threshold of significant harm" }),
    button("Record the decision not to share", { class: "govuk-button govuk-button--secondary" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const categories = checkedValues(form, "decision-categories");
    const recipientAgencyIds = checkedValues(form, "decision-agencies");
    const problems = [];
    if (!categories.length) problems.push({ message: "Tick the information you decided not to share", fieldId: "decision-categories-input" });
    if (!recipientAgencyIds.length) problems.push({ message: "Tick who it is not shared with", fieldId: "decision-agencies-input" });
    if (!value(form, "decision-reason")) problems.push({ message: "Enter why you decided not to share", fieldId: "decision-reason" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () => call("SharingDecisionRecord", { input: { familyId: view.family.id, categories, recipientAgencyIds, reason: value(form, "decision-reason") } }),
      done: () => view.done("Decision not to share recorded."),
      labels: {
        categories: { id: "decision-categories-input", label: "Which information" },
        recipientAgencyIds: { id: "decision-agencies-input", label: "Not shared with" },
        reason: { id: "decision-reason", label: "Why you decided not to share" },
      },
    });
  });
  return form;
}

export function overrideCard(item, { extra = null, showFamily = false, heading = "h4" } = {}) {
  const titleId = uniqueId("override");
  const state = item.active ? ["In force", "govuk-tag--red"] : item.revokedAt ? ["Revoked", "govuk-tag--grey"] : new Date(item.startsAt) > new Date() ? ["Not started", "govuk-tag--grey"] : ["Expired", "govuk-tag--grey"];
  return h(
    "div",
    { class: "govuk-summary-card", "data-override": item.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h(heading, { class: "govuk-summary-card__title", id: titleId }, `${item.owningAgency.name} shared ${categoryList(item.categories)}`),
      h("strong", { class: `govuk-tag ${state[1]}` }, state[0]),
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          showFamily ? ["Family", item.familyLabel || item.familyId] : null,
          ["Shared with", item.recipientAgencies.map((agency) => agency.name).join(", ")],
          ["Decided by", `${item.decidedBy.displayName}${item.decidedBy.agency ? `, ${item.decidedBy.agency.name}` : ""}`],
          ["Why", item.justification],
          ["Lawful basis", LAWFUL_BASIS[item.lawfulBasis] || item.lawfulBasis],
          item.adviceSought ? ["Advice sought", item.adviceSought] : null,
          ["Family told", item.familyInformed ? "Yes" : `No: ${item.notInformedReason || ""}`],
          ["From", formatDate(item.startsAt)],
          ["Until", formatDate(item.expiresAt)],
          item.reviewedAt ? ["Reviewed", `${formatDate(item.reviewedAt)}: ${item.reviewNote || ""}`] : null,
          item.revokedAt ? ["Revoked", `${formatDate(item.revokedAt)}: ${item.revocationReason || ""}`] : null,
        ],
        { "aria-labelledby": titleId },
      ),
      extra,
    ),
  );
}

function decisionCard(decision) {
  const titleId = uniqueId("decision");
  return h(
    "div",
    { class: "govuk-summary-card", "data-decision": decision.id },
    h("div", { class: "govuk-summary-card__title-wrapper" }, h("h4", { class: "govuk-summary-card__title", id: titleId }, `Not shared: ${categoryList(decision.categories)}`)),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          ["Not shared with", decision.recipientAgencies.map((agency) => agency.name).join(", ")],
          ["Why", decision.reason],
          ["Decided by", decision.decidedBy.displayName],
          ["On", formatDate(decision.createdAt)],
        ],
        { "aria-labelledby": titleId },
      ),
    ),
  );
}

const LABELS = {
  categories: { id: "override-categories-input", label: "Which information" },
  recipientAgencyIds: { id: "override-agencies-input", label: "Who it is shared with" },
  justification: { id: "override-justification", label: "Why the risk of harm means it must be shared" },
  lawfulBasis: { id: "override-basis-input", label: "Lawful basis" },
  expiresAt: { id: "override-expiry-day", label: "Share until" },
  familyInformed: { id: "override-informed-input", label: "Has the family been told" },
  notInformedReason: { id: "override-not-informed-reason", label: "Why the family has not been told" },
  adviceSought: { id: "override-advice", label: "Whose advice you sought" },
};

function overrideForm(view) {
  const agencies = otherAgencies(view);
  const form = h(
    "form",
    { id: "override-form", novalidate: true },
    warning("Only share without consent when a child is at risk of significant harm and asking the family would increase the risk or cause harmful delay. Information-governance officers review every use."),
    h("p", { class: "govuk-body" }, `You are sharing ${view.me.agency ? `${view.me.agency.name}'s` : "your agency's"} information only.`),
    checkboxes({ id: "override-categories", name: "override-categories", legend: "Which information", items: choices(CATEGORY) }),
    checkboxes({
      id: "override-agencies",
      name: "override-agencies",
      legend: "Who it is shared with",
      hint: "Other agencies on the team",
      items: agencies.map((agency) => ({ value: agency.id, text: agency.name })),
    }),
    textArea({
      id: "override-justification",
      label: "Why the risk of harm means it must be shared",
      hint: `At least ${MIN_JUSTIFICATION} characters. Say what the risk is and why consent is not being asked.`,
      rows: 4,
    }),
    radios({
      id: "override-basis",
      name: "override-basis",
      legend: "Lawful basis",
      hint: "The law that allows sharing without consent. If unsure, ask your safeguarding lead or information-governance officer.",
      items: choices(LAWFUL_BASIS, { hints: LAWFUL_BASIS_HINT }),
    }),
    dateInput({ id: "override-expiry", legend: "Share until", hint: `At most ${MAX_DAYS} days from today. For example, ${exampleDate()}` }),
    radios({
      id: "override-informed",
      name: "override-informed",
      legend: "Has the family been told?",
      items: [
        { value: "yes", text: "Yes" },
        { value: "no", text: "No", hint: "Only when telling them would put a child at more risk" },
      ],
    }),
    textArea({ id: "override-not-informed-reason", label: "If not, why not?", hint: "Required when the family has not been told" }),
    textField({ id: "override-advice", label: "Whose advice you sought (optional)", hint: "For example, designated safeguarding lead and Caldicott Guardian, 3 November" }),
    button("Share without consent", { class: "govuk-button govuk-button--warning" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const categories = checkedValues(form, "override-categories");
    const recipientAgencyIds = checkedValues(form, "override-agencies");
    const justification = value(form, "override-justification");
    const expiry = readDate(form, "override-expiry");
    const informed = checkedValue(form, "override-informed");
    const problems = [];
    if (!categories.length) problems.push({ message: "Tick the information you are sharing", fieldId: "override-categories-input" });
    if (!recipientAgencyIds.length) problems.push({ message: "Tick who it is shared with", fieldId: "override-agencies-input" });
    if (justification.length < MIN_JUSTIFICATION)
      problems.push({ message: `Say why it must be shared, in at least ${MIN_JUSTIFICATION} characters`, fieldId: "override-justification" });
    if (!checkedValue(form, "override-basis")) problems.push({ message: "Choose the lawful basis", fieldId: "override-basis-input" });
    if (!expiry) problems.push({ message: "Enter the date sharing ends, like 31 1 2026", fieldId: "override-expiry-day" });
    else if (!withinDays(expiry)) problems.push({ message: `The end date must be after today and at most ${MAX_DAYS} days away`, fieldId: "override-expiry-day" });
    if (!informed) problems.push({ message: "Say whether the family has been told", fieldId: "override-informed-input" });
    if (informed === "no" && !value(form, "override-not-informed-reason"))
      problems.push({ message: "Say why the family has not been told", fieldId: "override-not-informed-reason" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("SafeguardingOverrideRecord", {
          input: {
            familyId: view.family.id,
            categories,
            recipientAgencyIds,
            justification,
            lawfulBasis: checkedValue(form, "override-basis"),
            expiresAt: endOfDay(expiry),
            familyInformed: informed === "yes",
            notInformedReason: informed === "no" ? value(form, "override-not-informed-reason") : "",
            adviceSought: value(form, "override-advice"),
          },
        }),
      done: () => view.done(`Shared without consent until ${formatDate(expiry)}. Information-governance officers and the lead professional have been told.`),
      labels: LABELS,
    });
  });
  return form;
}

function exampleDate() {
  const date = new Date(Date.now() + 30 * 86400000);
  return `${date.getUTCDate()} ${date.getUTCMonth() + 1} ${date.getUTCFullYear()}`;
}

// The end of the chosen day is sent; the API allows 90 days from now, so the 90th day itself ends too
// late: the last day allowed is day 89 at midnight, checked here so the user is told before sending.
function endOfDay(isoDate) {
  const end = new Date(`${isoDate}T23:59:00Z`);
  const latest = new Date(Date.now() + MAX_DAYS * 86400000 - 60000);
  return (end > latest ? latest : end).toISOString();
}

function withinDays(isoDate) {
  const end = new Date(`${isoDate}T23:59:00Z`);
  const days = (end - Date.now()) / 86400000;
  return days > 0 && days <= MAX_DAYS + 1;
}
