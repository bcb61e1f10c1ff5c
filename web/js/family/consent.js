// Consent to share: who gave or refused it, for which categories, to whom, for what and until when;
// withdrawing one; recording a new one; and the family's agreements to engage with early help.

import { call } from "../api.js";
import { button, checkboxes, checkedValues, dateInput, details, h, hidden, radios, readDate, scrolling, selectField, summaryList, table, textArea, textField, uniqueId } from "../dom.js";
import { checkedValue, refuse, submit, value } from "../forms.js";
import { CAPACITY, CATEGORY, categoryList, choices, formatDate } from "../labels.js";

export const id = "consent";
export const title = "Consent";

export const visible = () => true;

export const questions = [
  { path: "consent/new", title: "Record consent", offered: (view) => view.canContribute, render: (view) => recordForm(view) },
  { path: "engagement/new", title: "Record agreement to engage", offered: (view) => view.canContribute, render: (view) => engagementForm(view) },
];

export async function render(view) {
  const { family } = await view.query("FamilyConsents", { familyId: view.family.id });
  const memberName = (memberId) => view.family.members.find((member) => member.id === memberId)?.fullName || "A family member";
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "What the family has agreed to share, and what they have refused. A refusal wins over a consent for the same agency and category."),
    h(
      "div",
      { id: "consent-list" },
      family.consents.length ? family.consents.map((consent) => card(consent, view)) : h("p", { class: "govuk-body" }, "No consent has been recorded yet."),
    ),
    view.canContribute ? view.questionLink("consent/new", "Record consent", { id: "record-consent" }) : null,
    h("h3", { class: "govuk-heading-s", id: "engagement-title" }, "Agreement to engage with early help"),
    h("p", { class: "govuk-body" }, "Early help is voluntary. Agreeing to work with the team is not the same as agreeing to share information."),
    family.engagementAgreements.length
      ? scrolling("Agreements to engage (scrolls sideways)", table({
          id: "engagement-table",
          caption: "Agreements to engage",
          head: ["Family member", "Agreed", "Notes", "Recorded"],
          rows: family.engagementAgreements.map((agreement) => [memberName(agreement.memberId), agreement.agreed ? "Yes" : "No", agreement.notes || "None", formatDate(agreement.recordedAt)]),
        }))
      : h("p", { class: "govuk-body" }, "Not recorded yet."),
    view.canContribute ? view.questionLink("engagement/new", "Record agreement to engage", { id: "record-engagement" }) : null,
  );
}

function engagementForm(view) {
  const form = h(
    "form",
    { id: "engagement-form", novalidate: true },
    selectField({
      id: "engagement-member",
      label: "Family member",
      options: [{ value: "", text: "Choose a family member" }, ...view.family.members.map((member) => ({ value: member.id, text: `${member.fullName} (${member.relationship})` }))],
    }),
    radios({
      id: "engagement-agreed",
      name: "engagement-agreed",
      legend: "Do they agree to work with the team?",
      items: [
        { value: "yes", text: "Yes" },
        { value: "no", text: "No" },
      ],
    }),
    textArea({ id: "engagement-notes", label: "Notes (optional)", hint: "In their words if you can, for example what they want help with" }),
    button("Record the agreement", { class: "govuk-button govuk-button--secondary" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    if (!value(form, "engagement-member")) problems.push({ message: "Choose the family member", fieldId: "engagement-member" });
    if (!checkedValue(form, "engagement-agreed")) problems.push({ message: "Say whether they agree to work with the team", fieldId: "engagement-agreed-input" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("EngagementRecord", {
          input: { familyId: view.family.id, memberId: value(form, "engagement-member"), agreed: checkedValue(form, "engagement-agreed") === "yes", notes: value(form, "engagement-notes") },
        }),
      done: () => view.done("Agreement to engage recorded."),
      labels: { memberId: { id: "engagement-member", label: "Family member" }, notes: { id: "engagement-notes", label: "Notes" } },
    });
  });
  return form;
}

function state(consent) {
  if (consent.withdrawnAt) return ["Withdrawn", "govuk-tag--grey"];
  if (consent.validTo && new Date(consent.validTo) <= new Date()) return ["Expired", "govuk-tag--grey"];
  if (new Date(consent.validFrom) > new Date()) return ["Not started", "govuk-tag--grey"];
  return consent.decision === "given" ? ["Given", "govuk-tag--green"] : ["Refused", "govuk-tag--red"];
}

function card(consent, view) {
  const titleId = uniqueId("consent");
  const [stateText, stateClass] = state(consent);
  const who = consent.givenBy ? consent.givenBy.fullName : "A family member";
  const verb = consent.decision === "given" ? "agreed to share" : "refused to share";
  const inForce = !["Withdrawn", "Expired"].includes(stateText);
  return h(
    "div",
    { class: "govuk-summary-card", "data-consent": consent.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title", id: titleId }, `${who} ${verb}: ${categoryList(consent.categories)}`),
      h("strong", { class: `govuk-tag ${stateClass}` }, stateText),
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          [consent.decision === "given" ? "Given by" : "Refused by", `${who} (${CAPACITY[consent.capacity].toLowerCase()})`],
          ["Categories", categoryList(consent.categories)],
          ["With", consent.wholeTeam ? "Everyone on the team" : consent.recipientAgencies.map((agency) => agency.name).join(", ")],
          ["Purpose", consent.purpose],
          ["From", formatDate(consent.validFrom)],
          ["Until", consent.validTo ? formatDate(consent.validTo) : "Until withdrawn"],
          consent.evidenceReference ? ["Evidence", consent.evidenceReference] : null,
          ["Recorded by", consent.recordedBy.displayName],
          consent.withdrawnAt ? ["Withdrawn", `${formatDate(consent.withdrawnAt)}: ${consent.withdrawalReason || ""}`] : null,
        ],
        { "aria-labelledby": titleId },
      ),
      inForce && view.canContribute ? withdrawForm(consent, view, who) : null,
    ),
  );
}

function withdrawForm(consent, view, who) {
  const reasonId = uniqueId("withdraw-reason");
  const form = h(
    "form",
    { novalidate: true, class: "taf-withdraw" },
    textArea({ id: reasonId, label: "Why is it being withdrawn?", hint: `For example, ${who} asked for it to be withdrawn at the review meeting` }),
    h("button", { type: "submit", class: "govuk-button govuk-button--warning" }, "Withdraw", hidden(` ${who}'s ${consent.decision === "given" ? "consent" : "refusal"}`)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!value(form, reasonId)) return refuse(form, [{ message: "Enter why it is being withdrawn", fieldId: reasonId }]);
    submit(form, view, {
      send: () => call("ConsentWithdraw", { input: { consentId: consent.id, reason: value(form, reasonId) } }),
      done: () => view.done(`${who}'s ${consent.decision === "given" ? "consent" : "refusal"} has been withdrawn. It stops counting at once.`),
      labels: { reason: { id: reasonId, label: "Why it is being withdrawn" } },
    });
  });
  return details(["Withdraw", hidden(`: ${who}, ${categoryList(consent.categories)}`)], form);
}

const LABELS = {
  givenByMemberId: { id: "consent-member", label: "Who decided" },
  capacity: { id: "consent-capacity-input", label: "Deciding as" },
  decision: { id: "consent-decision-input", label: "Their decision" },
  categories: { id: "consent-categories-input", label: "Categories" },
  purpose: { id: "consent-purpose", label: "What the information will be used for" },
  recipientAgencyIds: { id: "consent-agencies-input", label: "Which agencies" },
  validTo: { id: "consent-until-day", label: "Until" },
  evidenceReference: { id: "consent-evidence", label: "Where the evidence is kept" },
};

function teamAgencies(view) {
  const seen = new Map();
  for (const member of view.family.team) seen.set(member.agency.id, member.agency);
  return [...seen.values()];
}

function recordForm(view) {
  const agencies = teamAgencies(view);
  const form = h(
    "form",
    { id: "consent-record-form", novalidate: true },
    selectField({
      id: "consent-member",
      label: "Who decided",
      options: [{ value: "", text: "Choose a family member" }, ...view.family.members.map((member) => ({ value: member.id, text: `${member.fullName} (${member.relationship})` }))],
    }),
    radios({
      id: "consent-capacity",
      name: "consent-capacity",
      legend: "Deciding as",
      items: [
        { value: "self", text: "Themselves", hint: "An adult, or a young person able to decide for themselves" },
        { value: "parental_responsibility", text: "A parent or carer, for a child" },
      ],
    }),
    radios({
      id: "consent-decision",
      name: "consent-decision",
      legend: "Their decision",
      items: [
        { value: "given", text: "They agree to share" },
        { value: "refused", text: "They refuse to share", hint: "A refusal stops the categories being shared with those agencies, even if someone else agreed" },
      ],
    }),
    checkboxes({
      id: "consent-categories",
      name: "consent-categories",
      legend: "Which information",
      items: choices(CATEGORY),
    }),
    radios({
      id: "consent-to",
      name: "consent-to",
      legend: "Shared with",
      value: "team",
      items: [
        { value: "team", text: "Everyone on the team, now and later" },
        { value: "agencies", text: "Only the agencies ticked below" },
      ],
    }),
    checkboxes({
      id: "consent-agencies",
      name: "consent-agencies",
      legend: "Which agencies (when not everyone)",
      items: agencies.map((agency) => ({ value: agency.id, text: agency.name })),
    }),
    textArea({ id: "consent-purpose", label: "What the information will be used for", hint: "In words the family agreed to, for example: to plan support for Jayden at school" }),
    dateInput({ id: "consent-until", legend: "Until (optional)", hint: "Leave empty if it lasts until withdrawn. For example, 31 7 2026" }),
    textField({ id: "consent-evidence", label: "Where the evidence is kept (optional)", hint: "For example, signed form scanned to the school's record" }),
    button("Record the decision"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const categories = checkedValues(form, "consent-categories");
    const wholeTeam = checkedValue(form, "consent-to") !== "agencies";
    const recipientAgencyIds = wholeTeam ? [] : checkedValues(form, "consent-agencies");
    const until = readDate(form, "consent-until");
    const problems = [];
    if (!value(form, "consent-member")) problems.push({ message: "Choose who decided", fieldId: "consent-member" });
    if (!checkedValue(form, "consent-capacity")) problems.push({ message: "Choose whether they decided for themselves or for a child", fieldId: "consent-capacity-input" });
    if (!checkedValue(form, "consent-decision")) problems.push({ message: "Choose whether they agree or refuse", fieldId: "consent-decision-input" });
    if (!categories.length) problems.push({ message: "Tick at least one kind of information", fieldId: "consent-categories-input" });
    if (!wholeTeam && !recipientAgencyIds.length) problems.push({ message: "Tick the agencies, or choose everyone on the team", fieldId: "consent-agencies-input" });
    if (!value(form, "consent-purpose")) problems.push({ message: "Enter what the information will be used for", fieldId: "consent-purpose" });
    if (until === null) problems.push({ message: "Until must be a real date, like 31 7 2026", fieldId: "consent-until-day" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("ConsentRecord", {
          input: {
            familyId: view.family.id,
            givenByMemberId: value(form, "consent-member"),
            capacity: checkedValue(form, "consent-capacity"),
            decision: checkedValue(form, "consent-decision"),
            categories,
            purpose: value(form, "consent-purpose"),
            wholeTeam,
            recipientAgencyIds,
            validTo: until ? `${until}T23:59:59Z` : null,
            evidenceReference: value(form, "consent-evidence"),
          },
        }),
      done: ({ consentRecord }) =>
        view.done(`${consentRecord.decision === "given" ? "Consent" : "Refusal"} recorded for ${categoryList(consentRecord.categories)}.`),
      labels: LABELS,
    });
  });
  return form;
}
