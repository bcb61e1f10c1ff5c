// The team around the family: each agency's role and how to reach its worker in and out of hours.
// The lead professional (or a manager of the lead's agency) adds and removes members and hands over
// the lead.

import { call } from "../api.js";
import { h, hidden, radios, selectField, textArea, textField, uniqueId } from "../dom.js";
import { refuse, submit, value, warning, checkedValue } from "../forms.js";
import { formatDate, TEAM_ROLE } from "../labels.js";
import { coverPanel } from "./cover.js";

export const id = "team";
export const title = "Team around the family";

export const visible = () => true;

export const questions = [
  {
    path: "people/new",
    title: "Add someone to the team",
    offered: (view) => view.managesTeam,
    render: async (view) => addMember(view, (await view.query("Agencies")).agencies),
  },
];

const FAMILY_WORDS_HINT =
  "Optional. The family sees this on their portal instead of the role above, which is for staff. Use short, plain words, for example: Helps Sam get to school every day. Without it, the portal explains their role on the plan.";
const FAMILY_WORDS_LIMIT = 300;

/** The problem with words for the family, as the API would say it, or null. */
function familyWordsProblem(text, fieldId) {
  if (text.length > FAMILY_WORDS_LIMIT) return { message: `Words for the family must be ${FAMILY_WORDS_LIMIT} characters or fewer`, fieldId };
  if (/[<>\n\r\t]/.test(text)) return { message: "Words for the family must be plain words on one line, without < or >", fieldId };
  return null;
}

const CONTACT_LABELS = {
  agencyRole: { id: "new-member-role", label: "Their role on the plan" },
  contactInHours: { id: "new-member-in-hours", label: "How to reach them in office hours" },
  contactOutOfHours: { id: "new-member-out-of-hours", label: "Who to contact out of hours" },
  familyDescription: { id: "new-member-family-words", label: "What they do, in words for the family" },
  userId: { id: "new-member-person-input", label: "Who should join the team" },
};

export async function render(view) {
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "Each agency describes its own part. Use the out-of-hours contact when the worker is away or it is outside office hours."),
    h("div", { id: "team-list" }, view.family.team.map((member) => card(member, view))),
    coverPanel(view),
    view.managesTeam ? view.questionLink("people/new", "Add someone to the team", { id: "add-team-member" }) : null,
    view.managesTeam ? handOver(view) : null,
  );
}

function card(member, view) {
  const titleId = uniqueId("team-member");
  const rows = [
    ["Worker", member.worker.displayName],
    ["Role on the plan", TEAM_ROLE[member.role]],
    ["What they do", member.agencyRole],
    ["In office hours", member.contactInHours || "Not given"],
    ["Out of hours", member.contactOutOfHours || "Not given"],
    ["For the family", member.familyDescription || "Not written: the family portal explains their role on the plan"],
    ["On the team since", formatDate(member.validFrom)],
  ];
  return h(
    "div",
    { class: "govuk-summary-card", "data-team-member": member.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title", id: titleId }, `${member.agency.name}: ${member.worker.displayName}`),
      member.role === "lead_professional" ? h("strong", { class: "govuk-tag govuk-tag--blue" }, "Lead professional") : null,
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      h(
        "dl",
        { class: "govuk-summary-list", "aria-labelledby": titleId },
        rows.map(([key, text]) =>
          h("div", { class: "govuk-summary-list__row" }, h("dt", { class: "govuk-summary-list__key" }, key), h("dd", { class: "govuk-summary-list__value" }, text)),
        ),
      ),
      view.managesTeam ? describeForFamily(member, view) : null,
      view.managesTeam && member.role !== "lead_professional" ? endMembership(member, view) : null,
    ),
  );
}

// What the member does, in words for the family: the portal shows it instead of the agency's own role.
function describeForFamily(member, view) {
  const fieldId = uniqueId("family-words");
  const form = h(
    "form",
    { novalidate: true, class: "taf-family-words" },
    textField({ id: fieldId, label: `What ${member.worker.displayName} does, in words for the family`, hint: FAMILY_WORDS_HINT, value: member.familyDescription }),
    h("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, "Save words for the family", hidden(`: ${member.worker.displayName}`)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problem = familyWordsProblem(value(form, fieldId), fieldId);
    if (problem) return refuse(form, [problem]);
    submit(form, view, {
      send: () => call("TeamMemberDescribe", { input: { membershipId: member.id, familyDescription: value(form, fieldId) } }),
      done: () => view.done(`Words for the family saved for ${member.worker.displayName}.`),
      labels: { familyDescription: { id: fieldId, label: "What they do, in words for the family" } },
    });
  });
  return h(
    "details",
    { class: "govuk-details" },
    h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text" }, "Describe for the family", hidden(`: ${member.worker.displayName}`))),
    h("div", { class: "govuk-details__text" }, form),
  );
}

function endMembership(member, view) {
  const reasonId = uniqueId("end-reason");
  const form = h(
    "form",
    { novalidate: true, class: "taf-end-membership" },
    textArea({ id: reasonId, label: `Why is ${member.worker.displayName} leaving the team?`, hint: "The team sees this in the record's history" }),
    h("button", { type: "submit", class: "govuk-button govuk-button--warning" }, "End membership", hidden(` of ${member.worker.displayName}`)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!value(form, reasonId)) return refuse(form, [{ message: "Enter why they are leaving the team", fieldId: reasonId }]);
    submit(form, view, {
      send: () => call("TeamMemberEnd", { input: { membershipId: member.id, reason: value(form, reasonId) } }),
      done: () => view.done(`${member.worker.displayName} has left the team.`),
      labels: { reason: { id: reasonId, label: "Reason" } },
    });
  });
  return h(
    "details",
    { class: "govuk-details" },
    h("summary", { class: "govuk-details__summary" }, h("span", { class: "govuk-details__summary-text" }, "End this membership", hidden(`: ${member.worker.displayName}`))),
    h("div", { class: "govuk-details__text" }, form),
  );
}

// Adding someone: find them in the staff directory (by name and agency), then say what they will do.
function addMember(view, agencies) {
  const results = h("div", { id: "find-person-results", "aria-live": "polite" });
  const find = h(
    "form",
    { id: "find-person-form", novalidate: true, role: "search", "aria-label": "Find a person to add to the team" },
    textField({ id: "find-person-name", label: "Name", hint: "Type all or part of their name", autocomplete: "off", spellcheck: false }),
    selectField({
      id: "find-person-agency",
      label: "Agency",
      options: [{ value: "", text: "Any agency" }, ...agencies.map((agency) => ({ value: agency.id, text: agency.name }))],
    }),
    h("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, "Find people"),
  );
  find.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(find, view, {
      send: () =>
        call("StaffDirectory", {
          search: value(find, "find-person-name") || null,
          agencyId: value(find, "find-person-agency") || null,
          first: 50,
        }),
      done: ({ staffDirectory }) => results.replaceChildren(choosePerson(view, staffDirectory)),
    });
  });
  return h("div", { id: "add-team-member-form" }, find, results);
}

function choosePerson(view, people) {
  const onTeam = new Set(view.family.team.map((member) => member.worker.id));
  const candidates = people.filter((person) => !onTeam.has(person.id));
  if (!candidates.length) {
    return h("p", { class: "govuk-body", id: "find-person-none" }, "No one found who is not already on the team. Try another name or agency.");
  }
  const form = h(
    "form",
    { id: "team-member-add-form", novalidate: true },
    radios({
      id: "new-member-person",
      name: "new-member-person",
      legend: "Who should join the team?",
      items: candidates.map((person) => ({ value: person.id, text: person.displayName, hint: person.agency ? person.agency.name : "" })),
    }),
    textField({ id: "new-member-role", label: "Their role on the plan", hint: "In their agency's words, for example attendance support and mentoring" }),
    textField({ id: "new-member-in-hours", label: "How to reach them in office hours", hint: "For example, a phone number and the days and hours they work" }),
    textField({ id: "new-member-out-of-hours", label: "Who to contact out of hours", hint: "For example, the emergency duty team, or a colleague when they are away" }),
    textField({ id: "new-member-family-words", label: "What they do, in words for the family", hint: FAMILY_WORDS_HINT }),
    h("button", { type: "submit", class: "govuk-button" }, "Add to the team"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const userId = checkedValue(form, "new-member-person");
    const problems = [];
    if (!userId) problems.push({ message: "Choose who should join the team", fieldId: "new-member-person-input" });
    if (!value(form, "new-member-role")) problems.push({ message: "Enter their role on the plan", fieldId: "new-member-role" });
    const wordsProblem = familyWordsProblem(value(form, "new-member-family-words"), "new-member-family-words");
    if (wordsProblem) problems.push(wordsProblem);
    if (refuse(form, problems)) return;
    const person = candidates.find((candidate) => candidate.id === userId);
    submit(form, view, {
      send: () =>
        call("TeamMemberAdd", {
          input: {
            familyId: view.family.id,
            userId,
            contact: {
              agencyRole: value(form, "new-member-role"),
              contactInHours: value(form, "new-member-in-hours"),
              contactOutOfHours: value(form, "new-member-out-of-hours"),
              familyDescription: value(form, "new-member-family-words"),
            },
          },
        }),
      done: () => view.done(`${person.displayName} added to the team.`),
      labels: CONTACT_LABELS,
    });
  });
  return form;
}

function handOver(view) {
  const contributors = view.family.team.filter((member) => member.role !== "lead_professional");
  const section = h("div", { class: "taf-subsection", id: "hand-over" }, h("h3", { class: "govuk-heading-s" }, "Hand over the lead"));
  if (!contributors.length) {
    section.append(h("p", { class: "govuk-body" }, "Add the new lead professional to the team first, then hand over to them here."));
    return section;
  }
  const form = h(
    "form",
    { id: "hand-over-form", novalidate: true },
    selectField({
      id: "new-lead",
      label: "New lead professional",
      hint: "Someone already on the team. To hand over to someone else, add them to the team first.",
      options: [{ value: "", text: "Choose a team member" }, ...contributors.map((member) => ({ value: member.worker.id, text: `${member.worker.displayName}, ${member.agency.name}` }))],
    }),
    warning("The current lead professional stays on the team as a contributor and can no longer change the plan's status or team."),
    h("button", { type: "submit", class: "govuk-button" }, "Hand over the lead"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const userId = value(form, "new-lead");
    if (!userId) return refuse(form, [{ message: "Choose the new lead professional", fieldId: "new-lead" }]);
    const name = contributors.find((member) => member.worker.id === userId).worker.displayName;
    submit(form, view, {
      send: () => call("LeadProfessionalSet", { input: { familyId: view.family.id, userId } }),
      done: () => view.done(`${name} is now the lead professional.`),
      labels: { userId: { id: "new-lead", label: "New lead professional" } },
    });
  });
  section.append(form);
  return section;
}
