// A meeting's minutes, decisions and corrections. The minutes are a list of items (an agenda point or one
// agency's update), each one agency's information in one category: the API returns only the items the
// reader may see, so a reader gets the parts shared with them and nothing marks what was left out. The
// chair adds, changes and removes items while the minutes are a draft, then publishes them; after that
// corrections are added below. Every change carries the meeting's version (see send in pages/meeting.js).

import { button, checkbox, checkboxes, checkedValues, details, h, hidden, selectField, textArea, textField } from "../dom.js";
import { refuse, value, warning } from "../forms.js";
import { CATEGORY, choices, formatDateTime } from "../labels.js";

const CATEGORY_HINT = "It decides who may read it: the agency whose information it is, and those the family agreed to share this category with, or a safeguarding override shares it with.";

const agenciesOf = (family) => [...new Map(family.team.map((member) => [member.agency.id, member.agency])).values()];

const whose = (item) => `${item.owningAgency.name}, ${CATEGORY[item.category].toLowerCase()} information${item.containsThirdPartyIdentities ? ", names people outside the family" : ""}`;

export function minutesSection(view, send) {
  const { meeting } = view;
  const published = Boolean(meeting.minutesPublishedAt);
  const state = published
    ? h("p", { class: "govuk-body" }, h("strong", { class: "govuk-tag govuk-tag--green" }, "Published"), ` ${formatDateTime(meeting.minutesPublishedAt)}`)
    : meeting.minutes.length || view.running
      ? h("p", { class: "govuk-body" }, h("strong", { class: "govuk-tag govuk-tag--yellow" }, "Draft"), view.running ? " Nobody is told until you publish them." : "")
      : null;
  return h(
    "div",
    {},
    state,
    h("p", { class: "govuk-body taf-secondary-text" }, "Each part of the minutes is one agency's information. You see the parts you may read."),
    itemList(view, send),
    view.running ? addItem(view, send) : null,
    view.running ? publishForm(view, send) : null,
    published ? corrections(view, send) : null,
  );
}

function itemList(view, send) {
  const { meeting } = view;
  if (!meeting.minutes.length) return h("p", { class: "govuk-body", id: "minutes-none" }, view.running ? "No items yet: add the first below." : "No minutes to show.");
  return h(
    "ol",
    { class: "govuk-list", id: "minutes-list" },
    meeting.minutes.map((item, index) =>
      h(
        "li",
        { class: "taf-agency-group", "data-item": item.id },
        h("h3", { class: "govuk-heading-s" }, item.heading || "Minutes"),
        h("p", { class: "govuk-body taf-secondary-text" }, whose(item), about(view.family, item)),
        h("p", { class: "govuk-body taf-item-text" }, item.text),
        view.running ? details(["Change or remove", hidden(` “${item.heading || "Minutes"}”`)], [editItem(view, send, item, `minutes-item-${index}`), removeItem(view, send, item)]) : null,
      ),
    ),
  );
}

function about(family, item) {
  const names = family.members.filter((member) => item.aboutMemberIds.includes(member.id)).map((member) => member.fullName);
  return names.length ? `; about ${names.join(", ")}` : "";
}

function itemFields(prefix, view, item = null) {
  const { family, me } = view;
  const mine = family.team.find((member) => member.worker.id === me.id);
  const headingField = textField({ id: `${prefix}-heading`, label: "Heading", hint: "An agenda point, or “Update from” and the agency", value: item ? item.heading : "" });
  const text = textArea({ id: `${prefix}-text`, label: "What was said", rows: 4 });
  if (item) text.querySelector("textarea").value = item.text;
  return [
    headingField,
    text,
    selectField({
      id: `${prefix}-agency`,
      label: "Whose information it is",
      hint: "Your agency's, or the agency whose update you are recording",
      options: agenciesOf(family).map((agency) => ({ value: agency.id, text: agency.name })),
      value: item ? item.owningAgency.id : mine ? mine.agency.id : "",
    }),
    selectField({ id: `${prefix}-category`, label: "Category", hint: CATEGORY_HINT, options: choices(CATEGORY), value: item ? item.category : "other" }),
    checkbox({ id: `${prefix}-third-party`, label: "Names people outside the family", hint: "Such as a neighbour or an ex-partner.", checked: item ? item.containsThirdPartyIdentities : false }),
    family.members.length
      ? checkboxes({ id: `${prefix}-about`, name: `${prefix}-about`, legend: "Who it is about (optional)", items: family.members.map((member) => ({ value: member.id, text: member.fullName })), checked: item ? item.aboutMemberIds : [] })
      : null,
  ];
}

function readItem(form, prefix) {
  const problems = [];
  if (!value(form, `${prefix}-heading`)) problems.push({ message: "Enter a heading", fieldId: `${prefix}-heading` });
  if (!value(form, `${prefix}-text`)) problems.push({ message: "Enter what was said", fieldId: `${prefix}-text` });
  if (refuse(form, problems)) return null;
  return {
    heading: value(form, `${prefix}-heading`),
    text: value(form, `${prefix}-text`),
    agencyId: value(form, `${prefix}-agency`),
    category: value(form, `${prefix}-category`),
    containsThirdPartyIdentities: form.elements[`${prefix}-third-party`].checked,
    aboutMemberIds: checkedValues(form, `${prefix}-about`),
  };
}

const itemLabels = (prefix) => ({
  heading: { id: `${prefix}-heading`, label: "Heading" },
  text: { id: `${prefix}-text`, label: "What was said" },
  agencyId: { id: `${prefix}-agency`, label: "Whose information it is" },
  aboutMemberIds: { id: `${prefix}-about-input`, label: "Who it is about" },
});

// Said after a change that leaves the item where the chair may not read it (another agency's, in a
// category not shared with theirs): it is saved, and the page says why it is not shown.
function savedMessage(view, operation, input, done) {
  return (result) => {
    const minutes = result[operation[0].toLowerCase() + operation.slice(1)].minutes;
    const known = new Set(view.meeting.minutes.map((item) => item.id));
    const shown = input.itemId ? minutes.some((item) => item.id === input.itemId) : minutes.some((item) => !known.has(item.id));
    if (shown) return done;
    const agency = agenciesOf(view.family).find((candidate) => candidate.id === input.agencyId);
    return `${done} It is ${agency ? agency.name : "another agency"}'s ${CATEGORY[input.category].toLowerCase()} information, which is not shared with your agency, so it is not shown to you.`;
  };
}

function addItem(view, send) {
  const { meeting } = view;
  const prefix = "minutes-item";
  const form = h("form", { id: "minutes-item-form", novalidate: true }, itemFields(prefix, view), button("Add the item", { class: "govuk-button govuk-button--secondary" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const item = readItem(form, prefix);
    if (!item) return;
    const input = { meetingId: meeting.id, expectedVersion: meeting.version, ...item };
    send(form, view, { operation: "MinutesItemAdd", input, message: savedMessage(view, "MinutesItemAdd", input, "Item added to the draft minutes."), labels: itemLabels(prefix) });
  });
  return h("div", { class: "taf-subsection", id: "add-minutes-item" }, h("h3", { class: "govuk-heading-s" }, "Add an item"), form);
}

function editItem(view, send, item, prefix) {
  const form = h("form", { class: "taf-minutes-edit", novalidate: true, "data-edit": item.id }, itemFields(prefix, view, item), button("Save the item"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changed = readItem(form, prefix);
    if (!changed) return;
    const input = { itemId: item.id, expectedVersion: view.meeting.version, ...changed };
    send(form, view, { operation: "MinutesItemEdit", input, message: savedMessage(view, "MinutesItemEdit", input, "Item changed."), labels: itemLabels(prefix) });
  });
  return form;
}

function removeItem(view, send, item) {
  const form = h("form", { novalidate: true, "data-remove": item.id }, button(["Remove this item", hidden(` “${item.heading || "Minutes"}”`)], { class: "govuk-button govuk-button--warning" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form, view, { operation: "MinutesItemRemove", input: { itemId: item.id, expectedVersion: view.meeting.version }, message: "Item removed from the draft minutes." });
  });
  return form;
}

function publishForm(view, send) {
  const form = h(
    "form",
    { id: "publish-form", novalidate: true },
    warning("Once published, the minutes cannot change and the team is told that they were published. Each reader sees the items they may read."),
    button("Publish the minutes"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form, view, {
      operation: "MinutesPublish",
      input: { meetingId: view.meeting.id, expectedVersion: view.meeting.version },
      message: "Minutes published. The team has been told.",
      labels: { minutes: { id: "minutes-item-heading", label: "Minutes" } },
    });
  });
  return h("div", { class: "taf-subsection" }, h("h3", { class: "govuk-heading-s" }, "Publish"), form);
}

function corrections(view, send) {
  const { meeting } = view;
  const form = h(
    "form",
    { id: "addendum-form", novalidate: true },
    textArea({ id: "addendum-text", label: "Correction", rows: 2 }),
    selectField({ id: "addendum-category", label: "Category of the correction", hint: CATEGORY_HINT, options: choices(CATEGORY), value: "other" }),
    checkbox({ id: "addendum-third-party", label: "Names people outside the family" }),
    button("Add the correction"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (refuse(form, value(form, "addendum-text") ? [] : [{ message: "Enter the correction", fieldId: "addendum-text" }])) return;
    const input = {
      meetingId: meeting.id,
      text: value(form, "addendum-text"),
      category: value(form, "addendum-category"),
      containsThirdPartyIdentities: form.elements["addendum-third-party"].checked,
    };
    send(form, view, { operation: "MinutesAddendumAdd", input, message: "Correction added to the minutes.", labels: { text: { id: "addendum-text", label: "Correction" } } });
  });
  return h(
    "div",
    {},
    meeting.addenda.length
      ? [
          h("h3", { class: "govuk-heading-s" }, "Corrections"),
          h("ol", { class: "govuk-list", id: "addenda-list" }, meeting.addenda.map((addendum) => h("li", { "data-addendum": addendum.id }, h("p", { class: "govuk-body taf-item-text" }, addendum.text), h("p", { class: "govuk-body taf-secondary-text" }, `${addendum.author.displayName}, ${whose(addendum)}`)))),
        ]
      : null,
    view.isLead ? details(["Add a correction", hidden(" to the minutes")], form) : null,
  );
}

export function decisionsSection(view, send) {
  const { meeting } = view;
  const list = meeting.decisions.length
    ? h(
        "ol",
        { class: "govuk-list govuk-list--number", id: "decisions-list" },
        meeting.decisions.map((decision) =>
          h("li", { "data-decision": decision.id }, decision.text, h("span", { class: "taf-secondary-text" }, ` (${whose(decision)}${decision.agreedWithFamily ? "" : "; not agreed with the family"})`)),
        ),
      )
    : h("p", { class: "govuk-body", id: "decisions-list" }, "No decisions to show.");
  if (!view.running) return list;
  const form = h(
    "form",
    { id: "decision-form", novalidate: true },
    textArea({ id: "decision-text", label: "Decision", rows: 2 }),
    selectField({ id: "decision-category", label: "Category of the decision", hint: CATEGORY_HINT, options: choices(CATEGORY), value: "other" }),
    checkbox({ id: "decision-agreed", label: "Agreed with the family", hint: "The whole team then reads it, unless the family refused to share its category.", checked: true }),
    checkbox({ id: "decision-third-party", label: "Names people outside the family" }),
    button("Record the decision"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (refuse(form, value(form, "decision-text") ? [] : [{ message: "Enter the decision", fieldId: "decision-text" }])) return;
    const input = {
      meetingId: meeting.id,
      text: value(form, "decision-text"),
      category: value(form, "decision-category"),
      agreedWithFamily: form.elements["decision-agreed"].checked,
      containsThirdPartyIdentities: form.elements["decision-third-party"].checked,
    };
    send(form, view, { operation: "MeetingDecisionAdd", input, message: "Decision recorded.", labels: { text: { id: "decision-text", label: "Decision" } } });
  });
  return h("div", {}, list, form);
}
