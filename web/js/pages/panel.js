// One panel sitting: who sat, the families considered that the reader may see with each decision, a form
// to bring one of the reader's families, and a link to record each decision.

import { call } from "../api.js";
import { button, h, hidden, selectField, summaryList, uniqueId } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { CATEGORY, formatDate } from "../labels.js";
import { decisionRows, PANEL_KIND } from "../panel-labels.js";
import { isId } from "./not-found.js";

export const openTo = { roles: ["practitioner", "manager"], refusal: "Panels are for practitioners and managers who work with families." };

export async function render(main, context) {
  const [id] = context.params;
  if (!isId(id)) return notFound(main);
  const [{ panelSitting: sitting }, { families }] = await Promise.all([call("PanelSitting", { id }), call("Caseload", { first: 100, status: "active" })]);
  const considered = new Set(sitting.decisions.map((d) => d.familyId));
  const bringable = families.nodes.filter((family) => !considered.has(family.id));
  main.append(
    h("span", { class: "govuk-caption-l" }, PANEL_KIND[sitting.kind]),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, `${sitting.name}, ${formatDate(sitting.sitsOn)}`),
    summaryList(
      [
        ["Chair", sitting.chair.displayName],
        ["Agencies attending", sitting.agencies.map((a) => a.name).join(", ") || "Not recorded"],
        ["Members attending", sitting.members || "Not recorded"],
      ],
      { id: "panel-sitting-summary" },
    ),
    h("h2", { class: "govuk-heading-m" }, "Families considered"),
    sitting.decisions.length
      ? h("div", { id: "panel-families" }, sitting.decisions.map((decision) => card(sitting, decision)))
      : h("p", { class: "govuk-body", id: "panel-families" }, "No family you work with is on this sitting's list."),
    bringable.length ? bringForm(sitting, bringable, context) : null,
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/panels" }, "All panels")),
  );
  return sitting.name;
}

function notFound(main) {
  main.append(h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Sitting not found"), h("p", { class: "govuk-body" }, "We could not find that panel sitting."));
  return "Sitting not found";
}

function card(sitting, decision) {
  const titleId = uniqueId("panel-family");
  const agency = decision.recordingAgency?.name || "";
  const withheld = decision.category ? `This is ${agency}'s information about ${CATEGORY[decision.category].toLowerCase()}, which you may not see.` : "";
  const question = `#/panels/${encodeURIComponent(sitting.id)}/decisions/${encodeURIComponent(decision.id)}`;
  return h(
    "div",
    { class: "govuk-summary-card", "data-panel-decision": decision.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title", id: titleId }, h("a", { class: "govuk-link", href: `#/families/${encodeURIComponent(decision.familyId)}/referrals` }, `${decision.familyName} (${decision.familyReference})`)),
      h("a", { class: "govuk-link", href: question }, decision.decided ? "Change the decision" : "Record the decision", hidden(` for ${decision.familyName}`)),
    ),
    h("div", { class: "govuk-summary-card__content" }, summaryList([["Brought by", decision.addedBy.displayName], ...decisionRows(decision, withheld)], { "aria-labelledby": titleId })),
  );
}

function bringForm(sitting, families, context) {
  const form = h(
    "form",
    { id: "panel-bring", novalidate: true },
    h("h2", { class: "govuk-heading-m" }, "Bring a family to this sitting"),
    selectField({
      id: "panel-family",
      label: "Family",
      hint: "Families you lead, or whose team your agency is on if you are a manager",
      options: [{ value: "", text: "Choose a family" }, ...families.map((f) => ({ value: f.id, text: `${f.displayName} (${f.reference})` }))],
    }),
    button("Add to the list"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const familyId = value(form, "panel-family");
    if (refuse(form, familyId ? [] : [{ message: "Choose a family", fieldId: "panel-family" }])) return;
    submit(form, context, {
      send: () => call("PanelFamilyAdd", { input: { sittingId: sitting.id, familyId, idempotencyKey: crypto.randomUUID() } }),
      done: () => context.navigate(`/panels/${encodeURIComponent(sitting.id)}`, { message: "Family added to the sitting's list." }),
      labels: { familyId: { id: "panel-family", label: "Family" } },
    });
  });
  return form;
}
