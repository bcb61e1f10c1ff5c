// For the lead professional (and their manager): which agency may see which information, and why.
// The API answers null for everyone else, and then the section is not shown.

import { call } from "../api.js";
import { h, table } from "../dom.js";
import { categoryList } from "../labels.js";

export const id = "consent-picture";
export const title = "Consent picture";

export const visible = (view) => view.isLead || view.managesTeam;

export async function render(view) {
  const { family } = await view.query("ConsentPicture", { familyId: view.family.id });
  if (!family.consentPicture) return h("p", { class: "govuk-body" }, "Only the lead professional and their manager see the consent picture.");
  const cell = (categories) => (categories.length ? categoryList(categories) : "None");
  // Consented, but no data-sharing agreement between the agencies covers it: the agreement is missing, not consent.
  const gaps = (row) =>
    row.consentedWithoutAgreement.length
      ? h("ul", { class: "govuk-list" }, row.consentedWithoutAgreement.map((gap) => h("li", {}, `${categoryList([gap.category])}: no agreement with ${gap.agencies.map((agency) => agency.name).join(", ")}`)))
      : "None";
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "For each agency on the team: what the family has agreed to share with it, what they refused, what is shared without consent to keep a child safe, and where consent has not been asked yet."),
    h("p", { class: "govuk-body" }, "Consent shares another agency's information only where a data-sharing agreement between the two agencies covers it. Where the family consented but no agreement does, the agreement is what is missing: ask your information-governance officer."),
    h(
      "div",
      { class: "taf-table-scroll", tabindex: "0", role: "region", "aria-labelledby": "consent-picture-caption" },
      table({
        id: "consent-picture-table",
        caption: h("span", { id: "consent-picture-caption" }, "Consent picture by agency"),
        head: ["Agency", "Consented", "Consented, but no data-sharing agreement", "Refused", "Shared by override", "Not asked yet"],
        rows: family.consentPicture.map((row) => [row.agency.name, cell(row.consented), gaps(row), cell(row.refused), cell(row.sharedByOverride), cell(row.missing)]),
      }),
    ),
  );
}
