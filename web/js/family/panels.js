// Multi-agency panels that considered the family: each decision's outcome, services allocated and review
// date (the team's), and its rationale where the sharing rules let the reader see it.

import { h, summaryList, uniqueId } from "../dom.js";
import { CATEGORY, formatDate } from "../labels.js";
import { decisionRows, PANEL_KIND } from "../panel-labels.js";

export const id = "panels";
export const title = "Panels";

export const visible = (view) => view.me.kind === "staff";

export async function render(view) {
  const { familyPanelDecisions: decisions } = await view.query("FamilyPanelDecisions", { familyId: view.family.id });
  if (!decisions.length) return h("p", { class: "govuk-body", id: "panels-summary" }, "This family has not been to a panel.");
  return h(
    "div",
    {},
    h("p", { class: "govuk-body", id: "panels-summary" }, `${decisions.length} panel ${decisions.length === 1 ? "decision" : "decisions"}, newest first.`),
    decisions.map(card),
  );
}

function card(decision) {
  const titleId = uniqueId("panel-decision");
  const agency = decision.recordingAgency?.name || "";
  const withheld = decision.category ? `This is ${agency}'s information about ${CATEGORY[decision.category].toLowerCase()}, which you may not see.` : "";
  return h(
    "div",
    { class: "govuk-summary-card", "data-panel-decision": decision.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title", id: titleId }, `${decision.sittingName}, ${formatDate(decision.sitsOn)}`),
      h("a", { class: "govuk-link", href: `#/panels/${encodeURIComponent(decision.sittingId)}` }, "View the sitting"),
    ),
    h("div", { class: "govuk-summary-card__content" }, summaryList([["Panel", PANEL_KIND[decision.sittingKind]], ...decisionRows(decision, withheld)], { "aria-labelledby": titleId })),
  );
}
