// Administrators: rename an agency or correct its kind.

import { ApiError, call } from "../api.js";
import { guarded } from "../accounts.js";
import { h } from "../dom.js";
import { agencyForm } from "./agencies.js";

export const title = "Change an agency";

export const render = (main, context) => guarded(main, () => show(main, context), { what: "Agency", back: "#/agencies", backText: "Go to the agencies" }, context.session.me.role);

async function show(main, context) {
  if (context.session.me.role !== "admin") throw new ApiError("FORBIDDEN"); // administrators only
  const [agencyId] = context.params;
  const { agencies } = await call("AgencyList");
  const agency = agencies.find((each) => each.id === agencyId);
  if (!agency) {
    main.append(h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Agency not found"), h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/agencies" }, "Go to the agencies")));
    return "Agency not found";
  }
  main.append(
    h("a", { class: "govuk-back-link", href: "#/agencies" }, "Back to agencies"),
    h("div", { class: "govuk-grid-row" }, h("div", { class: "govuk-grid-column-two-thirds" }, h("h1", { class: "govuk-heading-l", tabindex: "-1" }, `Change ${agency.name}`), agencyForm(agency, { sessionEnded: context.sessionEnded }, context))),
  );
  return `Change ${agency.name}`;
}
