// The people in the family; the lead professional can add one.

import { call } from "../api.js";
import { checkbox, dateInput, h, readDate, scrolling, textField } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { formatDate } from "../labels.js";

export const id = "members";
export const title = "Family members";

export const visible = () => true;

export const questions = [{ path: "family-members/new", title: "Add a family member", offered: (view) => view.isLead, render: (view) => addForm(view) }];

export function render(view) {
  const { members } = view.family;
  return h(
    "div",
    {},
    scrolling(
      "People in the family (scrolls sideways)",
      h(
      "table",
      { class: "govuk-table", id: "members-table" },
      h("caption", { class: "govuk-table__caption govuk-visually-hidden" }, "People in the family"),
      h(
        "thead",
        { class: "govuk-table__head" },
        h("tr", { class: "govuk-table__row" }, ["Name", "Relationship", "Date of birth", "Household and needs"].map((text) => h("th", { scope: "col", class: "govuk-table__header" }, text))),
      ),
      h(
        "tbody",
        { class: "govuk-table__body" },
        members.map((member) =>
          h(
            "tr",
            { class: "govuk-table__row" },
            h(
              "td",
              { class: "govuk-table__cell" },
              member.fullName,
              member.isSubjectChild ? [" ", h("strong", { class: "govuk-tag govuk-tag--yellow" }, "Subject child")] : null,
            ),
            h("td", { class: "govuk-table__cell" }, member.relationship),
            h("td", { class: "govuk-table__cell" }, member.dateOfBirth ? formatDate(member.dateOfBirth) : "Not known"),
            h("td", { class: "govuk-table__cell" }, needs(member)),
          ),
        ),
      ),
    ),
    ),
    view.isLead ? view.questionLink("family-members/new", "Add a family member", { id: "add-family-member" }) : null,
    view.isLead
      ? h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: `#/families/${encodeURIComponent(view.family.id)}/portal-access`, id: "portal-access-link" }, "Invite family members to the family portal"))
      : null,
  );
}

// Household composition, and what the team needs to know to work with the person.
function needs(member) {
  const said = [
    member.livesInHousehold ? "Lives in the household" : "Wider family, not in the household",
    member.isYoungCarer ? "Young carer" : null,
    member.firstLanguage ? `First language: ${member.firstLanguage}${member.interpreterNeeded ? ", needs an interpreter" : ""}` : null,
    member.hasDisability ? "Has a disability" : null,
  ];
  return said.filter(Boolean).join(". ");
}

const LABELS = {
  fullName: { id: "member-name", label: "Full name" },
  relationship: { id: "member-relationship", label: "Relationship" },
  dateOfBirth: { id: "member-dob-day", label: "Date of birth" },
};

function addForm(view) {
  const form = h(
    "form",
    { id: "member-add-form", novalidate: true },
    textField({ id: "member-name", label: "Full name", autocomplete: "off" }),
    textField({ id: "member-relationship", label: "Relationship", hint: "In the family's words, for example mother, stepfather, grandmother", width: 20 }),
    dateInput({ id: "member-dob", legend: "Date of birth (optional)", hint: "For example, 27 3 2012" }),
    checkbox({ id: "member-subject", label: "The plan is about this child" }),
    h("button", { type: "submit", class: "govuk-button" }, "Add family member"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const dateOfBirth = readDate(form, "member-dob");
    const problems = [];
    if (!value(form, "member-name")) problems.push({ message: "Enter the person's full name", fieldId: "member-name" });
    if (!value(form, "member-relationship")) problems.push({ message: "Enter their relationship in the family", fieldId: "member-relationship" });
    if (dateOfBirth === null) problems.push({ message: "Date of birth must be a real date, like 27 3 2012", fieldId: "member-dob-day" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("FamilyMemberAdd", {
          input: {
            familyId: view.family.id,
            member: {
              fullName: value(form, "member-name"),
              relationship: value(form, "member-relationship"),
              dateOfBirth: dateOfBirth || null,
              isSubjectChild: form.elements["member-subject"].checked,
            },
          },
        }),
      done: ({ familyMemberAdd }) => view.done(`${familyMemberAdd.fullName} added to the family.`),
      labels: LABELS,
    });
  });
  return form;
}
