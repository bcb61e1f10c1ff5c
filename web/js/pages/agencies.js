// Administrators: the area's agencies, with a form to add one (above the list, which grows with the area)
// and a link to change each.

import { ApiError, call } from "../api.js";
import { button, h, hidden, scrolling, selectField, table, textField } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { choices } from "../labels.js";
import { ACCOUNT_WORDING, AGENCY_KIND, guarded } from "../accounts.js";

export const title = "Agencies";

export const render = (main, context) => guarded(main, () => show(main, context), { what: "Agency", back: "#/", backText: "Go to your home page" }, context.session.me.role);

async function show(main, context) {
  if (context.session.me.role !== "admin") throw new ApiError("FORBIDDEN"); // administrators only
  const { agencies } = await call("AgencyList");
  const view = { sessionEnded: context.sessionEnded };
  main.append(
    h("a", { class: "govuk-back-link", href: "#/accounts" }, "Back to accounts"),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Agencies"),
    h("h2", { class: "govuk-heading-m" }, "Add an agency"),
    agencyForm(null, view, context),
    h("h2", { class: "govuk-heading-m" }, "The area's agencies"),
    scrolling(
      "Agencies (scrolls sideways)",
      table({
        id: "agencies-table",
        caption: "Agencies, by name",
        head: ["Name", "Kind", "Signs in", "Action"],
        rows: agencies.map((agency) => [
          agency.name,
          AGENCY_KIND[agency.kind],
          agency.ssoOnly ? "With its organisation's own accounts" : "With passwords",
          h("a", { class: "govuk-link", href: `#/agencies/${encodeURIComponent(agency.id)}/edit` }, "Change", hidden(` ${agency.name}`)),
        ]),
      }),
    ),
  );
  return "Agencies";
}

/** The form to add an agency (agency null) or change one; shared with the change page. */
export function agencyForm(agency, view, context) {
  const form = h(
    "form",
    { novalidate: true, id: "agency-form" },
    textField({ id: "agency-name", label: "Name", hint: "As people in the area know it, for example Riverside Academy", value: agency?.name ?? "", autocomplete: "off" }),
    selectField({ id: "agency-kind", label: "Kind of agency", options: choices(AGENCY_KIND, { first: "Choose a kind" }), value: agency?.kind ?? "" }),
    button(agency ? "Save the changes" : "Add the agency"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = { name: value(form, "agency-name"), kind: value(form, "agency-kind") };
    const problems = [];
    if (!input.name) problems.push({ message: "Enter the agency's name", fieldId: "agency-name" });
    if (!input.kind) problems.push({ message: "Choose the kind of agency", fieldId: "agency-kind" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () => (agency ? call("AgencyUpdate", { input: { id: agency.id, version: agency.version, ...input } }) : call("AgencyCreate", { input })),
      done: () => context.navigate("/agencies", { message: agency ? `${input.name} is saved.` : `${input.name} is added.` }),
      labels: { name: { id: "agency-name", label: "The name" }, kind: { id: "agency-kind", label: "The kind" } },
      wording: (error) => (error.code === "CONFLICT" && !/already exists/.test(error.message) ? { CONFLICT: "Someone else changed this agency since you opened it. Go back to the agencies to see their change." } : ACCOUNT_WORDING),
    });
  });
  return form;
}
