// Data-sharing agreements on the information-governance page: those due for review first, each with its
// parties and their IG contacts; record one, change one, end one. Sharing by consent between two agencies
// needs an agreement in force between them that covers the category; sharing without consent does not.

import { call } from "./api.js";
import { button, checkboxes, checkedValues, dateInput, details, h, hidden, radios, readDate, selectField, summaryList, textArea, textField, uniqueId } from "./dom.js";
import { checkedValue, refuse, submit, value } from "./forms.js";
import { CATEGORY, categoryList, formatDate } from "./labels.js";

export const AGREEMENT_BASIS = {
  public_task: { text: "Public task", hint: "A statutory function, such as safeguarding and promoting children's welfare (Children Act 1989 and 2004). UK GDPR Article 6(1)(e)." },
  legal_obligation: { text: "Legal obligation", hint: "A law requires the parties to share. UK GDPR Article 6(1)(c)." },
  legitimate_interests: { text: "Legitimate interests", hint: "For voluntary and private organisations. UK GDPR Article 6(1)(f)." },
  vital_interests: { text: "Vital interests", hint: "To protect someone's life. UK GDPR Article 6(1)(d)." },
};

const STATUS = {
  active: ["In force", "govuk-tag--green"],
  not_started: ["Not started", "govuk-tag--grey"],
  ended: ["Ended", "govuk-tag--grey"],
  expired: ["Expired", "govuk-tag--grey"],
};

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** The section of the IG page; `data` is the answer of DataSharingAgreements. */
export function agreementsSection({ dataSharingAgreements: agreements, agencies }, view) {
  const due = agreements.filter((agreement) => agreement.dueForReview).length;
  return h(
    "section",
    { class: "taf-section", id: "agreements", "aria-labelledby": "agreements-title", tabindex: "-1" },
    h("h2", { class: "govuk-heading-m", id: "agreements-title" }, "Data-sharing agreements"),
    h("p", { class: "govuk-body" }, "A family's consent shares information between two agencies only while a data-sharing agreement between them is in force and covers that kind of information. Sharing without consent to keep a child safe does not need one."),
    h("p", { class: "govuk-body", id: "agreements-due" }, due === 1 ? "1 agreement is due for review." : `${due} agreements are due for review.`),
    details("Record an agreement", agreementForm({ agencies, view }), { id: "agreement-record" }),
    h(
      "div",
      { id: "agreement-list" },
      agreements.length ? agreements.map((agreement) => agreementCard(agreement, agencies, view)) : h("p", { class: "govuk-body" }, "No agreements have been recorded."),
    ),
  );
}

function agreementCard(agreement, agencies, view) {
  const titleId = uniqueId("agreement");
  const [state, colour] = STATUS[agreement.status];
  const finished = agreement.status === "ended" || agreement.status === "expired";
  return h(
    "div",
    { class: "govuk-summary-card", "data-agreement": agreement.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title", id: titleId }, agreement.title),
      h(
        "div",
        {},
        h("strong", { class: `govuk-tag ${colour}` }, state),
        agreement.dueForReview ? [" ", h("strong", { class: "govuk-tag govuk-tag--yellow" }, "Due for review")] : null,
        agreement.endsSoon ? [" ", h("strong", { class: "govuk-tag govuk-tag--orange" }, "Ends soon")] : null,
      ),
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          ["Parties", h("ul", { class: "govuk-list" }, agreement.parties.map((party) => h("li", {}, partyText(party))))],
          ["Information", categoryList(agreement.categories)],
          ["Purposes", agreement.purposes],
          ["Lawful basis", [AGREEMENT_BASIS[agreement.lawfulBasis]?.text || agreement.lawfulBasis, agreement.lawfulBasisDetail ? `: ${agreement.lawfulBasisDetail}` : ""].join("")],
          ["Starts", formatDate(agreement.startsOn)],
          ["Review by", formatDate(agreement.reviewOn)],
          ["Ends", formatDate(agreement.endsOn)],
          ["Signed agreement", agreement.documentReference],
          agreement.endedAt ? ["Ended", `${formatDate(agreement.endedAt)}: ${agreement.endReason || ""}`] : null,
        ],
        { "aria-labelledby": titleId },
      ),
      finished
        ? null
        : [
            lazyDetails(["Change", hidden(` ${agreement.title}`)], () => agreementForm({ agencies, view, agreement })),
            lazyDetails(["End now", hidden(`: ${agreement.title}`)], () => endForm(agreement, view)),
          ],
    ),
  );
}

// The forms of a long list are built when opened, not with the page.
function lazyDetails(summaryText, build) {
  const element = details(summaryText, []);
  element.addEventListener("toggle", () => {
    const content = element.querySelector(".govuk-details__text");
    if (element.open && !content.childElementCount) content.append(build());
  });
  return element;
}

function partyText(party) {
  const contact = [party.igContactName, party.igContactEmail, party.igContactPhone].filter(Boolean).join(", ");
  return `${party.agency.name} (information governance: ${contact})`;
}

function agreementForm({ agencies, view, agreement = null }) {
  const prefix = uniqueId(agreement ? "agreement-change" : "agreement-new");
  const field = (name) => `${prefix}-${name}`;
  const partiesList = h("div", { id: field("parties") });
  const form = h(
    "form",
    { novalidate: true, class: agreement ? "taf-agreement-change" : "taf-agreement-record" },
    textField({ id: field("title"), label: "Title", hint: "For example, Northbridge multi-agency information-sharing agreement", value: agreement?.title || "" }),
    h(agreement ? "h4" : "h3", { class: "govuk-heading-s" }, "Parties"),
    h("p", { class: "govuk-body" }, "At least two agencies, each with the person who answers for its information governance."),
    partiesList,
    h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: field("add-party") }, "Add another party"),
    checkboxes({
      id: field("categories"),
      name: field("categories"),
      legend: "Which information it lets the parties share by consent",
      items: Object.entries(CATEGORY).map(([value, text]) => ({ value, text })),
      checked: agreement?.categories || [],
    }),
    textArea({ id: field("purposes"), label: "Purposes", hint: "What the shared information is used for" }),
    radios({
      id: field("basis"),
      name: field("basis"),
      legend: "Lawful basis",
      items: Object.entries(AGREEMENT_BASIS).map(([value, { text, hint }]) => ({ value, text, hint })),
      value: agreement?.lawfulBasis || null,
    }),
    textArea({ id: field("basis-detail"), label: "Conditions and laws relied on (optional)", hint: "For example, UK GDPR Article 9(2)(g) and the Data Protection Act 2018 Schedule 1 paragraphs 6 and 18" }),
    dateInput({ id: field("starts"), legend: "Starts", hint: "For example, 1 4 2026" }),
    dateInput({ id: field("review"), legend: "Review by", hint: "After it starts" }),
    dateInput({ id: field("ends"), legend: "Ends", hint: "After the review date; the last day it is in force" }),
    textField({ id: field("document"), label: "Where the signed agreement is kept", hint: "For example, ISA-2026-01 on the information-governance shared drive", value: agreement?.documentReference || "" }),
    button(agreement ? "Save the changes" : "Record the agreement"),
  );
  form.querySelector(`#${field("purposes")}`).value = agreement?.purposes || "";
  form.querySelector(`#${field("basis-detail")}`).value = agreement?.lawfulBasisDetail || "";
  for (const [name, date] of [["starts", agreement?.startsOn], ["review", agreement?.reviewOn], ["ends", agreement?.endsOn]]) fillDate(form, field(name), date);
  const parties = [];
  const addParty = (party = null) => {
    const row = partyFields(field, parties.length + 1, agencies, party);
    parties.push(row);
    partiesList.append(row.element);
    row.remove.addEventListener("click", () => {
      parties.splice(parties.indexOf(row), 1);
      row.element.remove();
      parties.forEach((each, index) => each.renumber(index + 1));
      form.querySelector(`#${field("add-party")}`).focus();
    });
    return row;
  };
  for (const party of agreement?.parties || [null, null]) addParty(party);
  form.querySelector(`#${field("add-party")}`).addEventListener("click", () => addParty().agency.focus());

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const read = readForm(form, field, parties);
    if (refuse(form, read.problems)) return;
    const labels = {
      title: { id: field("title"), label: "Title" },
      parties: { id: parties[0]?.agency.id || field("add-party"), label: "Parties" },
      igContactName: { id: parties[0]?.name.id, label: "IG contact's name" },
      igContactEmail: { id: parties[0]?.email.id, label: "IG contact's e-mail address" },
      categories: { id: `${field("categories")}-input`, label: "Which information" },
      purposes: { id: field("purposes"), label: "Purposes" },
      lawfulBasisDetail: { id: field("basis-detail"), label: "Conditions and laws relied on" },
      reviewOn: { id: `${field("review")}-day`, label: "Review by" },
      endsOn: { id: `${field("ends")}-day`, label: "Ends" },
      documentReference: { id: field("document"), label: "Where the signed agreement is kept" },
    };
    submit(form, view, {
      send: () =>
        agreement
          ? call("DataSharingAgreementUpdate", { input: { agreementId: agreement.id, expectedVersion: agreement.version, agreement: read.input } })
          : call("DataSharingAgreementCreate", { input: { agreement: read.input } }),
      done: () => view.done(agreement ? "The agreement has been changed." : "The agreement has been recorded."),
      labels,
      wording: () => ({ CONFLICT: "Someone else changed or ended this agreement since you opened the page. Reload to see their change.", FORBIDDEN: "Only information-governance officers can record and change data-sharing agreements." }),
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view) : null),
    });
  });
  return form;
}

function partyFields(field, number, agencies, party) {
  const key = uniqueId(field("party"));
  const legend = h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, `Party ${number}`);
  const remove = h("button", { type: "button", class: "govuk-button govuk-button--secondary taf-remove-party" }, "Remove", hidden(` party ${number}`));
  const element = h(
    "fieldset",
    { class: "govuk-fieldset taf-party", "data-party": key },
    legend,
    selectField({ id: `${key}-agency`, label: "Agency", options: [{ value: "", text: "Choose an agency" }, ...agencies.map((agency) => ({ value: agency.id, text: agency.name }))], value: party?.agency.id || "" }),
    textField({ id: `${key}-name`, label: "IG contact's name", value: party?.igContactName || "" }),
    textField({ id: `${key}-email`, label: "IG contact's e-mail address", type: "email", autocomplete: "off", spellcheck: false, value: party?.igContactEmail || "" }),
    textField({ id: `${key}-phone`, label: "IG contact's phone number (optional)", type: "tel", value: party?.igContactPhone || "" }),
    remove,
  );
  const get = (name) => element.querySelector(`#${key}-${name}`);
  return {
    element,
    remove,
    agency: get("agency"),
    name: get("name"),
    email: get("email"),
    phone: get("phone"),
    renumber(n) {
      legend.textContent = `Party ${n}`;
      remove.replaceChildren("Remove", hidden(` party ${n}`));
    },
  };
}

function readForm(form, field, parties) {
  const problems = [];
  const dates = Object.fromEntries(["starts", "review", "ends"].map((name) => [name, readDate(form, field(name))]));
  if (!value(form, field("title"))) problems.push({ message: "Enter the agreement's title", fieldId: field("title") });
  if (parties.length < 2) problems.push({ message: "Add at least two parties", fieldId: field("add-party") });
  const chosen = new Set();
  parties.forEach((party, index) => {
    const n = index + 1;
    if (!party.agency.value) problems.push({ message: `Choose the agency of party ${n}`, fieldId: party.agency.id });
    else if (chosen.has(party.agency.value)) problems.push({ message: `Party ${n} is already a party: choose each agency once`, fieldId: party.agency.id });
    chosen.add(party.agency.value);
    if (!party.name.value.trim()) problems.push({ message: `Enter the IG contact's name for party ${n}`, fieldId: party.name.id });
    if (!EMAIL.test(party.email.value.trim())) problems.push({ message: `Enter the IG contact's e-mail address for party ${n}, like name@example.org`, fieldId: party.email.id });
  });
  const categories = checkedValues(form, field("categories"));
  if (!categories.length) problems.push({ message: "Tick the information it lets the parties share", fieldId: `${field("categories")}-input` });
  if (!value(form, field("purposes"))) problems.push({ message: "Enter what the shared information is used for", fieldId: field("purposes") });
  const lawfulBasis = checkedValue(form, field("basis"));
  if (!lawfulBasis) problems.push({ message: "Choose the lawful basis", fieldId: `${field("basis")}-input` });
  for (const [name, label] of [["starts", "the start date"], ["review", "the review date"], ["ends", "the end date"]]) {
    if (!dates[name]) problems.push({ message: `Enter ${label} as a real date, for example 1 4 2026`, fieldId: `${field(name)}-day` });
  }
  if (dates.starts && dates.review && dates.review <= dates.starts) problems.push({ message: "The review date must be after the start date", fieldId: `${field("review")}-day` });
  if (dates.review && dates.ends && dates.ends <= dates.review) problems.push({ message: "The end date must be after the review date", fieldId: `${field("ends")}-day` });
  if (!value(form, field("document"))) problems.push({ message: "Enter where the signed agreement is kept", fieldId: field("document") });
  return {
    problems,
    input: {
      title: value(form, field("title")),
      parties: parties.map((party) => ({ agencyId: party.agency.value, igContactName: party.name.value.trim(), igContactEmail: party.email.value.trim(), igContactPhone: party.phone.value.trim() })),
      categories,
      purposes: value(form, field("purposes")),
      lawfulBasis,
      lawfulBasisDetail: value(form, field("basis-detail")),
      startsOn: dates.starts,
      reviewOn: dates.review,
      endsOn: dates.ends,
      documentReference: value(form, field("document")),
    },
  };
}

function reloadButton(view) {
  return h("button", { type: "button", class: "govuk-button govuk-button--secondary", onclick: view.reload }, "Reload the agreements");
}

function fillDate(form, id, date) {
  if (!date) return;
  const [year, month, day] = date.split("-");
  form.querySelector(`#${id}-day`).value = String(Number(day));
  form.querySelector(`#${id}-month`).value = String(Number(month));
  form.querySelector(`#${id}-year`).value = year;
}

function endForm(agreement, view) {
  const fieldId = uniqueId("agreement-end-reason");
  const label = "Why it ends now";
  const form = h(
    "form",
    { novalidate: true, class: "taf-agreement-end" },
    textArea({ id: fieldId, label, hint: "Sharing by consent that needed this agreement stops at once" }),
    h("button", { type: "submit", class: "govuk-button govuk-button--warning" }, "End the agreement now", hidden(`: ${agreement.title}`)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (refuse(form, value(form, fieldId) ? [] : [{ message: "Enter why the agreement ends", fieldId }])) return;
    submit(form, view, {
      send: () => call("DataSharingAgreementEnd", { input: { agreementId: agreement.id, expectedVersion: agreement.version, reason: value(form, fieldId) } }),
      done: () => view.done("The agreement has ended. Sharing by consent that needed it has stopped."),
      labels: { reason: { id: fieldId, label } },
      wording: () => ({ CONFLICT: "Someone else changed or ended this agreement since you opened the page. Reload to see their change." }),
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view) : null),
    });
  });
  return form;
}
