// The family network: people outside the household whom the family names (a grandmother, an uncle, a
// neighbour), who can be invited to its family group conference. Who they are is the team's; how to reach
// them is for the lead professional (and the deputy lead while covering): where the server withholds it
// (null), the page says so. Any worker on the team records a person; the lead professional changes entries.

import { call } from "../api.js";
import { button, details, h, scrolling, selectField, table, textArea, textField } from "../dom.js";
import { refuse, submit, value } from "../forms.js";

export const id = "network";
export const title = "Family network";

export const visible = () => true;

export async function render(view) {
  const { familyNetwork: network } = await view.query("FamilyNetwork", { familyId: view.family.id });
  const open = view.family.status !== "closed";
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "People outside the household whom the family names. They can be invited to a family group conference."),
    network.length
      ? scrolling(
          "Family network (scrolls sideways)",
          table({
            id: "network-table",
            caption: "The family network",
            head: ["Name", "Relationship", "Named by", "Contact details"],
            rows: network.map((person) => [person.fullName, person.relationship, namedBy(view, person), contactText(person)]),
          }),
        )
      : h("p", { class: "govuk-body" }, "No one from the wider family or friends has been named yet."),
    view.canContribute && open ? h("div", { class: "taf-subsection", id: "add-network-member" }, details("Add a person the family names", personForm(view, null))) : null,
    view.isLead && open ? network.map((person) => h("div", { class: "taf-subsection" }, details(`Change the details of ${person.fullName}`, personForm(view, person)))) : null,
  );
}

function namedBy(view, person) {
  const member = view.family.members.find((m) => m.id === person.namedByMemberId);
  return member ? member.fullName : "A member of the family";
}

function contactText(person) {
  if (!person.contactVisible) return "Seen by the lead professional only";
  const parts = [person.phone, person.email, person.address].filter(Boolean);
  return parts.length ? parts.join(", ") : "None recorded";
}

function personForm(view, person) {
  const prefix = person ? `network-${person.id}` : "network-new";
  const field = (name) => `${prefix}-${name}`;
  const members = view.family.members.map((member) => ({ value: member.id, text: member.fullName }));
  const form = h(
    "form",
    { id: `${prefix}-form`, novalidate: true },
    textField({ id: field("name"), label: "Name of the person", value: person?.fullName ?? "" }),
    textField({ id: field("relationship"), label: "How they are related to the family", hint: "In the family's words, for example grandmother, uncle, neighbour", value: person?.relationship ?? "", width: 20 }),
    selectField({ id: field("named-by"), label: "Who in the family named them", options: [{ value: "", text: "Choose who" }, ...members], value: person?.namedByMemberId ?? "" }),
    h("p", { class: "govuk-body" }, "Contact details are seen by the lead professional only, to arrange the conference."),
    textField({ id: field("phone"), label: "Phone (optional)", type: "tel", autocomplete: "off", value: person?.phone ?? "", width: 20 }),
    textField({ id: field("email"), label: "Email (optional)", type: "email", autocomplete: "off", spellcheck: false, value: person?.email ?? "" }),
    textArea({ id: field("address"), label: "Address (optional)", rows: 2 }),
    button(person ? "Save the changes" : "Add to the network"),
  );
  if (person?.address) form.elements[field("address")].value = person.address;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    if (!value(form, field("name"))) problems.push({ message: "Enter the name of the person", fieldId: field("name") });
    if (!value(form, field("relationship"))) problems.push({ message: "Enter how they are related to the family", fieldId: field("relationship") });
    if (!value(form, field("named-by"))) problems.push({ message: "Choose who in the family named them", fieldId: field("named-by") });
    if (refuse(form, problems)) return;
    const fields = {
      fullName: value(form, field("name")),
      relationship: value(form, field("relationship")),
      namedByMemberId: value(form, field("named-by")),
      phone: value(form, field("phone")),
      email: value(form, field("email")),
      address: value(form, field("address")),
    };
    submit(form, view, {
      send: () =>
        person
          ? call("NetworkMemberEdit", { input: { networkMemberId: person.id, expectedVersion: person.version, ...fields } })
          : call("NetworkMemberAdd", { input: { familyId: view.family.id, ...fields } }),
      done: () => view.done(person ? `${fields.fullName}'s details saved.` : `${fields.fullName} added to the family network.`),
      labels: {
        fullName: { id: field("name"), label: "Name of the person" },
        relationship: { id: field("relationship"), label: "How they are related" },
        namedByMemberId: { id: field("named-by"), label: "Who named them" },
        phone: { id: field("phone"), label: "Phone" },
        email: { id: field("email"), label: "Email" },
        address: { id: field("address"), label: "Address" },
      },
    });
  });
  return form;
}
