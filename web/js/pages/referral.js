// Opening a family's record from a referral: the family, who is in it, and the lead's contacts.

import { call } from "../api.js";
import { checkbox, dateInput, h, radios, readDate, textField } from "../dom.js";
import { refuse, submit, value, checkedValue } from "../forms.js";
import { choices, LEVEL_OF_NEED, LEVEL_OF_NEED_HINT } from "../labels.js";
import { todayIso } from "../plan/labels.js";

const MAX_MEMBERS = 30;

export const openTo = { roles: ["practitioner", "manager"], refusal: "Opening a referral is for practitioners and managers who work with families." };

export async function render(main, context) {
  const people = h("div", { id: "referral-people" });
  const form = h(
    "form",
    { id: "referral-form", novalidate: true },
    textField({ id: "referral-name", label: "Family name", hint: "How the team will refer to the family, for example The Carter family" }),
    radios({
      id: "referral-level",
      name: "referral-level",
      legend: "Level of need",
      items: choices(LEVEL_OF_NEED, { hints: LEVEL_OF_NEED_HINT }),
      legendClass: "govuk-fieldset__legend--m",
    }),
    dateInput({ id: "referral-opened", legend: "Date the case was opened (optional)", hint: "Leave it empty for today. For a case recorded late, the day it really began, for example 3 11 2026" }),
    h("h2", { class: "govuk-heading-m" }, "People in the family"),
    h("p", { class: "govuk-body" }, "Include at least one child the referral is about."),
    people,
    h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "add-person" }, "Add another person"),
    h("h2", { class: "govuk-heading-m" }, "You as lead professional"),
    h("p", { class: "govuk-body" }, "You will lead the family's plan. You can hand the lead to someone else later."),
    textField({ id: "lead-role", label: "Your role on the plan", hint: "For example, lead professional: coordinates the plan and chairs TAF meetings" }),
    textField({ id: "lead-in-hours", label: "How to reach you in office hours" }),
    textField({ id: "lead-out-of-hours", label: "Who to contact out of hours" }),
    h("button", { type: "submit", class: "govuk-button" }, "Open referral"),
  );
  people.append(person(1));
  form.querySelector("#add-person").addEventListener("click", () => {
    const count = people.children.length;
    if (count >= MAX_MEMBERS) return;
    const added = person(count + 1);
    people.append(added);
    added.querySelector("input").focus();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form, people, context);
  });
  main.append(
    h("div", { class: "govuk-grid-row" }, h("div", { class: "govuk-grid-column-two-thirds" }, h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Open a referral"), form)),
  );
  return "Open a referral";
}

function person(number) {
  const prefix = `person-${number}`;
  const fieldset = h(
    "fieldset",
    { class: "govuk-fieldset taf-person", "data-person": number },
    h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--s" }, `Person ${number}`),
    textField({ id: `${prefix}-name`, label: "Full name", autocomplete: "off" }),
    textField({ id: `${prefix}-relationship`, label: "Relationship", hint: "In the family's words, for example son, mother, grandmother", width: 20 }),
    dateInput({ id: `${prefix}-dob`, legend: "Date of birth (optional)", hint: "For example, 27 3 2012" }),
    checkbox({ id: `${prefix}-subject`, label: "The referral is about this child" }),
  );
  if (number > 1) {
    const remove = h("button", { type: "button", class: "govuk-button govuk-button--secondary taf-remove" }, `Remove person ${number}`);
    remove.addEventListener("click", () => {
      const container = fieldset.parentElement;
      fieldset.remove();
      container.closest("form").querySelector("#add-person").focus();
    });
    fieldset.append(remove);
  }
  return fieldset;
}

function readPeople(form, people, problems) {
  return [...people.querySelectorAll("[data-person]")].map((fieldset) => {
    const prefix = `person-${fieldset.dataset.person}`;
    const label = fieldset.querySelector("legend").textContent;
    const dateOfBirth = readDate(form, `${prefix}-dob`);
    if (!value(form, `${prefix}-name`)) problems.push({ message: `Enter the full name of ${label.toLowerCase()}`, fieldId: `${prefix}-name` });
    if (!value(form, `${prefix}-relationship`)) problems.push({ message: `Enter the relationship of ${label.toLowerCase()}`, fieldId: `${prefix}-relationship` });
    if (dateOfBirth === null) problems.push({ message: `The date of birth of ${label.toLowerCase()} must be a real date, like 27 3 2012`, fieldId: `${prefix}-dob-day` });
    return {
      fullName: value(form, `${prefix}-name`),
      relationship: value(form, `${prefix}-relationship`),
      dateOfBirth: dateOfBirth || null,
      isSubjectChild: form.elements[`${prefix}-subject`].checked,
    };
  });
}

function send(form, people, context) {
  const problems = [];
  if (!value(form, "referral-name")) problems.push({ message: "Enter the family name", fieldId: "referral-name" });
  const levelOfNeed = checkedValue(form, "referral-level");
  if (!levelOfNeed) problems.push({ message: "Choose the level of need", fieldId: "referral-level-input" });
  const openedOn = readDate(form, "referral-opened");
  if (openedOn === null) problems.push({ message: "The date the case was opened must be a real date, like 3 11 2026", fieldId: "referral-opened-day" });
  else if (openedOn > todayIso()) problems.push({ message: "The date the case was opened cannot be in the future", fieldId: "referral-opened-day" });
  const members = readPeople(form, people, problems);
  if (!members.some((member) => member.isSubjectChild)) {
    const first = people.querySelector("[data-person]").dataset.person;
    problems.push({ message: "Tick at least one child the referral is about", fieldId: `person-${first}-subject` });
  }
  if (!value(form, "lead-role")) problems.push({ message: "Enter your role on the plan", fieldId: "lead-role" });
  if (refuse(form, problems)) return;
  submit(form, context, {
    send: () =>
      call("FamilyOpen", {
        input: {
          displayName: value(form, "referral-name"),
          levelOfNeed,
          openedOn: openedOn || null,
          members,
          leadContact: {
            agencyRole: value(form, "lead-role"),
            contactInHours: value(form, "lead-in-hours"),
            contactOutOfHours: value(form, "lead-out-of-hours"),
          },
        },
      }),
    done: ({ familyOpen }) => context.navigate(`/families/${encodeURIComponent(familyOpen.id)}`, { message: `Referral opened as ${familyOpen.reference}.` }),
    labels: {
      displayName: { id: "referral-name", label: "Family name" },
      openedOn: { id: "referral-opened-day", label: "Date the case was opened" },
      agencyRole: { id: "lead-role", label: "Your role on the plan" },
      contactInHours: { id: "lead-in-hours", label: "How to reach you in office hours" },
      contactOutOfHours: { id: "lead-out-of-hours", label: "Who to contact out of hours" },
      fullName: { id: "person-1-name", label: "Full name" },
      relationship: { id: "person-1-relationship", label: "Relationship" },
      members: { id: "person-1-subject", label: "People in the family" },
    },
  });
}
