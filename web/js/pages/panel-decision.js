// The question page for one family's panel decision: the outcome, why (the recorder's agency's information,
// in the category chosen), the services allocated from the area's list, and when to review it.

import { call } from "../api.js";
import { button, checkbox, dateInput, h, radios, readDate, selectField, textArea, textField } from "../dom.js";
import { STALE } from "../errors.js";
import { checkedValue, refuse, submit, value } from "../forms.js";
import { CATEGORY, choices, formatDate } from "../labels.js";
import { PANEL_OUTCOME } from "../panel-labels.js";
import { isId } from "./not-found.js";

export const openTo = { roles: ["practitioner", "manager"], refusal: "Panels are for practitioners and managers who work with families." };

export async function render(main, context) {
  const [sittingId, decisionId] = context.params;
  if (!isId(sittingId) || !isId(decisionId)) return context.navigate("/panels");
  const [{ panelDecision: decision }, { services }] = await Promise.all([call("PanelDecision", { id: decisionId }), call("Services")]);
  const back = `/panels/${encodeURIComponent(decision.sittingId)}`;
  const heading = `Panel decision for ${decision.familyName}`;
  const form = h(
    "form",
    { id: "panel-decision-form", novalidate: true },
    radios({ id: "decision-outcome", name: "decision-outcome", legend: "What did the panel decide?", items: choices(PANEL_OUTCOME), value: decision.outcome, legendClass: "govuk-fieldset__legend--m" }),
    textArea({ id: "decision-rationale", label: "Why the panel decided this", hint: "The rationale: what the panel weighed and why", rows: 5 }),
    selectField({ id: "decision-category", label: "Category of information", hint: "It decides who may read the rationale", options: choices(CATEGORY, { first: "Choose a category" }), value: decision.category || "" }),
    checkbox({ id: "decision-third-party", label: "The rationale names someone outside the family", checked: Boolean(decision.namesThirdParty) }),
    h(
      "fieldset",
      { class: "govuk-fieldset", id: "decision-services" },
      h("legend", { class: "govuk-fieldset__legend govuk-fieldset__legend--m" }, "Services allocated"),
      h("div", { class: "govuk-hint" }, "Enter how many units of each service the panel allocated. Leave the others empty."),
      services.map((service) => textField({ id: `service-${service.id}`, label: `${service.name} (${service.unit}s)`, width: 4, value: String(allocated(decision, service.id) || ""), spellcheck: false })),
    ),
    dateInput({ id: "decision-review", legend: "Review the decision by", hint: `After the sitting on ${formatDate(decision.sitsOn)}, for example 3 11 2026` }),
    button(decision.decided ? "Save the decision" : "Record the decision"),
  );
  if (decision.rationaleVisible) form.querySelector("#decision-rationale").value = decision.rationale;
  if (decision.reviewOn) fillDate(form, "decision-review", decision.reviewOn);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form, decision, services, back, context);
  });
  main.append(
    h(
      "div",
      { class: "govuk-grid-row" },
      h(
        "div",
        { class: "govuk-grid-column-two-thirds" },
        h("span", { class: "govuk-caption-l" }, `${decision.sittingName}, ${formatDate(decision.sitsOn)}`),
        h("h1", { class: "govuk-heading-l", tabindex: "-1" }, heading),
        form,
        h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: `#${back}` }, "Back to the sitting")),
      ),
    ),
  );
  return heading;
}

const allocated = (decision, serviceId) => decision.allocations.find((a) => a.serviceId === serviceId)?.quantity;

function fillDate(form, id, iso) {
  const [year, month, day] = iso.split("-");
  form.querySelector(`#${id}-day`).value = String(Number(day));
  form.querySelector(`#${id}-month`).value = String(Number(month));
  form.querySelector(`#${id}-year`).value = year;
}

function send(form, decision, services, back, context) {
  const problems = [];
  const outcome = checkedValue(form, "decision-outcome");
  if (!outcome) problems.push({ message: "Choose what the panel decided", fieldId: "decision-outcome-input" });
  if (!value(form, "decision-rationale")) problems.push({ message: "Enter why the panel decided this", fieldId: "decision-rationale" });
  if (!value(form, "decision-category")) problems.push({ message: "Choose the category of information", fieldId: "decision-category" });
  const allocations = [];
  for (const service of services) {
    const text = value(form, `service-${service.id}`);
    if (!text) continue;
    if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 10000) problems.push({ message: `Enter a whole number from 1 to 10000 for ${service.name}`, fieldId: `service-${service.id}` });
    else allocations.push({ serviceId: service.id, quantity: Number(text) });
  }
  const reviewOn = readDate(form, "decision-review");
  if (!reviewOn) problems.push({ message: reviewOn === "" ? "Enter the review date" : "The review date must be a real date, like 3 11 2026", fieldId: "decision-review-day" });
  else if (reviewOn <= decision.sitsOn) problems.push({ message: "The review date must be after the date of the sitting", fieldId: "decision-review-day" });
  if (refuse(form, problems)) return;
  submit(form, context, {
    send: () =>
      call("PanelDecide", {
        input: {
          decisionId: decision.id,
          expectedVersion: decision.version,
          outcome,
          rationale: value(form, "decision-rationale"),
          category: value(form, "decision-category"),
          namesThirdParty: form.elements["decision-third-party"].checked,
          allocations,
          reviewOn,
        },
      }),
    done: () => context.navigate(back, { message: `Decision recorded for ${decision.familyName}.` }),
    labels: {
      rationale: { id: "decision-rationale", label: "Why the panel decided this" },
      reviewOn: { id: "decision-review-day", label: "Review the decision by" },
      allocations: { id: "decision-services", label: "Services allocated" },
    },
    wording: (error) => (error.code === "CONFLICT" ? { CONFLICT: STALE } : {}),
  });
}
