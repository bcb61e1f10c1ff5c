// Referrals: who referred the family, why, with what consent, the threshold decision by its named
// decision-maker, and how long the family waited for a decision, first contact and assessment.

import { call } from "../api.js";
import { button, dateInput, details, h, hidden, radios, readDate, selectField, summaryList, textArea, textField, uniqueId } from "../dom.js";
import { STALE } from "../errors.js";
import { checkedValue, refuse, submit, value } from "../forms.js";
import { CATEGORY, choices, formatDate, LEVEL_OF_NEED } from "../labels.js";
import { todayIso } from "../plan/labels.js";
import { reloadButton } from "./contributions.js";

export const id = "referrals";
export const title = "Referrals";

export const visible = () => true;

export const questions = [{ path: "new", title: "Record a referral", offered: (view) => view.isLead, render: (view) => recordForm(view) }];

const CONSENT = { given: "Consent given", refused: "Consent refused", not_sought: "Consent not sought" };
const CONSENT_HINT = { not_sought: "For example, where asking would put a child at risk" };
const OUTCOME = { accepted: "Accepted", redirected: "Redirected to another service", no_further_action: "No further action" };

export async function render(view) {
  const { familyReferrals: referrals } = await view.query("FamilyReferrals", { familyId: view.family.id });
  return h(
    "div",
    {},
    h("p", { class: "govuk-body", id: "referrals-summary" }, referrals.length ? `${referrals.length} ${referrals.length === 1 ? "referral" : "referrals"}, newest first.` : "No referral has been recorded."),
    h("div", { id: "referrals-list" }, referrals.map((referral) => card(referral, view))),
    view.isLead ? view.questionLink("new", "Record a referral", { id: "record-referral" }) : null,
  );
}

const days = (count) => (count === null ? "Not yet" : `${count} ${count === 1 ? "day" : "days"}`);

function card(referral, view) {
  const titleId = uniqueId("referral");
  const agency = referral.recordingAgency.name;
  const withheld = `This is ${agency}'s information about ${CATEGORY[referral.category].toLowerCase()}, which you may not see.`;
  const words = (text) => (referral.reasonVisible ? text : withheld);
  const referrer = [referral.referrerName, referral.referrerRole, referral.referrerOrganisation].filter(Boolean).join(", ");
  return h(
    "div",
    { class: "govuk-summary-card", "data-referral": referral.id },
    h("div", { class: "govuk-summary-card__title-wrapper" }, h("h3", { class: "govuk-summary-card__title", id: titleId }, `Referral received ${formatDate(referral.receivedOn)}`)),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          referral.reReferral ? ["Referred again", `This family's case ${referral.earlierFamilyReference} was closed before this referral`] : null,
          ["Referred by", referral.referrerContact ? `${referrer} (${referral.referrerContact})` : referrer],
          ["Consent to refer", referral.consentGivenBy ? `${CONSENT[referral.consent]} by ${referral.consentGivenBy}` : CONSENT[referral.consent]],
          ["Reason", words(referral.reason)],
          ["Presenting needs", words(referral.presentingNeeds)],
          ["Threshold decision", referral.decided ? decisionText(referral) : "Waiting for a threshold decision"],
          referral.decided ? ["Why", words(referral.decisionReason)] : null,
          ["Time to decision", days(referral.daysToDecision)],
          ["Time to first contact", referral.firstContactOn ? `${days(referral.daysToFirstContact)} (${formatDate(referral.firstContactOn)})` : "Not yet"],
          ["Time to assessment", referral.assessedOn ? `${days(referral.daysToAssessment)} (${formatDate(referral.assessedOn)})` : "Not yet"],
        ],
        { "aria-labelledby": titleId },
      ),
      view.managesTeam && !referral.decided ? decideForm(referral, view) : null,
      view.isLead && !referral.firstContactOn ? firstContactForm(referral, view) : null,
    ),
  );
}

function decisionText(referral) {
  const outcome = referral.outcome === "redirected" ? `Redirected to ${referral.redirectedTo}` : OUTCOME[referral.outcome];
  return `${outcome}. Level of need: ${LEVEL_OF_NEED[referral.decidedLevel].toLowerCase()}. Decided on ${formatDate(referral.decidedOn)} by ${referral.decidedBy.displayName}`;
}

function dateProblem(form, fieldId, label, problems) {
  const on = readDate(form, fieldId);
  if (!on) problems.push({ message: on === "" ? `Enter ${label}` : `${label[0].toUpperCase()}${label.slice(1)} must be a real date`, fieldId: `${fieldId}-day` });
  else if (on > todayIso()) problems.push({ message: `${label[0].toUpperCase()}${label.slice(1)} cannot be in the future`, fieldId: `${fieldId}-day` });
  return on;
}

const conflict = (view) => ({
  wording: (error) => (error.code === "CONFLICT" && /since you opened/.test(error.message) ? { CONFLICT: STALE } : {}),
  extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload this family") : null),
});

function decideForm(referral, view) {
  const prefix = uniqueId("decide");
  const form = h(
    "form",
    { novalidate: true, class: "taf-referral-decide" },
    h("p", { class: "govuk-body" }, "You are recorded as the person who made this decision."),
    radios({ id: `${prefix}-outcome`, name: `${prefix}-outcome`, legend: "Outcome", items: choices(OUTCOME) }),
    textField({ id: `${prefix}-where`, label: "Where the family was redirected to (if redirected)", hint: "For example, CAMHS single point of access" }),
    selectField({ id: `${prefix}-level`, label: "Level of need", options: choices(LEVEL_OF_NEED, { first: "Choose a level of need" }) }),
    dateInput({ id: `${prefix}-on`, legend: "Date of the decision", hint: "On or after the date the referral was received, for example 3 11 2026" }),
    textArea({ id: `${prefix}-reason`, label: "Why you made this decision", rows: 3 }),
    button("Record the decision"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const outcome = checkedValue(form, `${prefix}-outcome`);
    if (!outcome) problems.push({ message: "Choose the outcome", fieldId: `${prefix}-outcome-input` });
    if (outcome === "redirected" && !value(form, `${prefix}-where`)) problems.push({ message: "Enter where the family was redirected to", fieldId: `${prefix}-where` });
    if (!value(form, `${prefix}-level`)) problems.push({ message: "Choose the level of need", fieldId: `${prefix}-level` });
    const on = dateProblem(form, `${prefix}-on`, "the date of the decision", problems);
    if (on && on < referral.receivedOn) problems.push({ message: "The decision cannot be before the referral was received", fieldId: `${prefix}-on-day` });
    if (!value(form, `${prefix}-reason`)) problems.push({ message: "Enter why you made this decision", fieldId: `${prefix}-reason` });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("ReferralDecide", {
          input: {
            referralId: referral.id,
            expectedVersion: referral.version,
            outcome,
            redirectedTo: outcome === "redirected" ? value(form, `${prefix}-where`) : "",
            levelOfNeed: value(form, `${prefix}-level`),
            decidedOn: on,
            reason: value(form, `${prefix}-reason`),
          },
        }),
      done: () => view.done("Threshold decision recorded."),
      labels: {
        redirectedTo: { id: `${prefix}-where`, label: "Where the family was redirected to" },
        decidedOn: { id: `${prefix}-on-day`, label: "Date of the decision" },
        reason: { id: `${prefix}-reason`, label: "Why" },
      },
      ...conflict(view),
    });
  });
  return details(["Record the threshold decision", hidden(` on the referral received ${formatDate(referral.receivedOn)}`)], form);
}

function firstContactForm(referral, view) {
  const prefix = uniqueId("contact");
  const form = h("form", { novalidate: true, class: "taf-referral-contact" }, dateInput({ id: `${prefix}-on`, legend: "Date of first contact with the family", hint: "For example, 3 11 2026" }), button("Record first contact"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const on = dateProblem(form, `${prefix}-on`, "the date of first contact", problems);
    if (on && on < referral.receivedOn) problems.push({ message: "First contact cannot be before the referral was received", fieldId: `${prefix}-on-day` });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () => call("ReferralFirstContact", { input: { referralId: referral.id, expectedVersion: referral.version, firstContactOn: on } }),
      done: () => view.done("First contact recorded."),
      labels: { firstContactOn: { id: `${prefix}-on-day`, label: "Date of first contact" } },
      ...conflict(view),
    });
  });
  return details(["Record first contact", hidden(` for the referral received ${formatDate(referral.receivedOn)}`)], form);
}

function recordForm(view) {
  const form = h(
    "form",
    { id: "referral-record-form", novalidate: true },
    dateInput({ id: "referral-received", legend: "Date the referral was received", hint: "Today or earlier, for example 3 11 2026" }),
    h("h4", { class: "govuk-heading-s" }, "Who referred the family"),
    textField({ id: "referrer-name", label: "Referrer's name" }),
    textField({ id: "referrer-organisation", label: "Agency or organisation" }),
    textField({ id: "referrer-role", label: "Role (optional)" }),
    textField({ id: "referrer-contact", label: "Telephone or email (optional)" }),
    radios({ id: "referral-consent", name: "referral-consent", legend: "Did the family agree to the referral?", items: choices(CONSENT, { hints: CONSENT_HINT }) }),
    textField({ id: "referral-consent-by", label: "Who gave or refused consent", hint: "Leave empty if consent was not sought" }),
    textArea({ id: "referral-reason", label: "Why the family was referred", rows: 3 }),
    textArea({ id: "referral-needs", label: "Presenting needs", rows: 3 }),
    selectField({ id: "referral-category", label: "What kind of information the reason and needs are", hint: "It decides who can read them, as for your agency's items", options: choices(CATEGORY, { first: "Choose a category" }) }),
    button("Record the referral"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const received = dateProblem(form, "referral-received", "the date the referral was received", problems);
    const required = [
      ["referrer-name", "Enter the referrer's name"],
      ["referrer-organisation", "Enter the referrer's agency or organisation"],
    ];
    required.forEach(([fieldId, message]) => value(form, fieldId) || problems.push({ message, fieldId }));
    const consent = checkedValue(form, "referral-consent");
    if (!consent) problems.push({ message: "Choose whether the family agreed to the referral", fieldId: "referral-consent-input" });
    if (consent && consent !== "not_sought" && !value(form, "referral-consent-by")) problems.push({ message: "Enter who gave or refused consent", fieldId: "referral-consent-by" });
    if (consent === "not_sought" && value(form, "referral-consent-by")) problems.push({ message: "Consent was not sought: leave who gave it empty", fieldId: "referral-consent-by" });
    [
      ["referral-reason", "Enter why the family was referred"],
      ["referral-needs", "Enter the presenting needs"],
      ["referral-category", "Choose what kind of information the reason and needs are"],
    ].forEach(([fieldId, message]) => value(form, fieldId) || problems.push({ message, fieldId }));
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("ReferralRecord", {
          input: {
            familyId: view.family.id,
            receivedOn: received,
            referrer: { name: value(form, "referrer-name"), organisation: value(form, "referrer-organisation"), role: value(form, "referrer-role"), contact: value(form, "referrer-contact") },
            consent,
            consentGivenBy: value(form, "referral-consent-by"),
            reason: value(form, "referral-reason"),
            presentingNeeds: value(form, "referral-needs"),
            category: value(form, "referral-category"),
          },
        }),
      done: () => view.done("Referral recorded."),
      labels: {
        receivedOn: { id: "referral-received-day", label: "Date received" },
        referrerName: { id: "referrer-name", label: "Referrer's name" },
        referrerOrganisation: { id: "referrer-organisation", label: "Agency or organisation" },
        consentGivenBy: { id: "referral-consent-by", label: "Who gave or refused consent" },
        reason: { id: "referral-reason", label: "Why the family was referred" },
        presentingNeeds: { id: "referral-needs", label: "Presenting needs" },
      },
    });
  });
  return form;
}
