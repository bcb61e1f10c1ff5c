// Contingencies on the family plan: "if this happens, this is what we will do, and who does it". The lead
// professional writes them and records when one was used or is withdrawn; the team reads them as the
// sharing rules allow (where the server withholds the words, the page says whose information they are).

import { call } from "../api.js";
import { button, checkbox, details, h, hidden, selectField, summaryList, textArea, textField, uniqueId } from "../dom.js";
import { STALE_ITEM } from "../errors.js";
import { refuse, submit, value } from "../forms.js";
import { CATEGORY, choices } from "../labels.js";
import { withheld } from "./labels.js";

export const CONTINGENCY_STATUS = { in_place: "In place", used: "Used", withdrawn: "Withdrawn" };
const STATUS_TAG = { in_place: "govuk-tag--blue", used: "govuk-tag--green", withdrawn: "govuk-tag--grey" };

const words = (item) => (item.contentVisible ? item.trigger : withheld(item));

/** The plan's contingencies section: `reloadButton(view, text)` offers a reload after a conflict. */
export function contingencySection(contingencies, view, reloadButton) {
  return h(
    "div",
    { class: "taf-subsection", id: "contingencies" },
    h("h3", { class: "govuk-heading-m" }, "What we will do if something happens"),
    contingencies.length ? contingencies.map((item) => card(item, view, reloadButton)) : h("p", { class: "govuk-body" }, "No contingencies are on the plan yet."),
    view.isLead && view.family.status !== "closed" ? view.questionLink("contingencies/new", "Add a contingency", { id: "add-contingency" }) : null,
  );
}

function card(item, view, reloadButton) {
  const titleId = uniqueId("contingency");
  return h(
    "div",
    { class: "govuk-summary-card", "data-contingency": item.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h4", { class: "govuk-summary-card__title", id: titleId }, words(item)),
      h("strong", { class: `govuk-tag ${STATUS_TAG[item.status]}` }, CONTINGENCY_STATUS[item.status]),
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      item.contentVisible ? null : h("div", { class: "govuk-inset-text taf-withheld" }, withheld(item)),
      summaryList(
        [
          item.contentVisible ? ["What will be done", item.response] : null,
          item.contentVisible ? ["Who does it", item.whoActs] : null,
          ["Agreed with the family", item.agreedWithFamily ? "Yes" : "Not yet"],
          item.namesThirdParty ? ["Names someone outside the family", "Yes: not shown on the family's portal"] : null,
        ],
        { "aria-labelledby": titleId },
      ),
      view.isLead && view.family.status !== "closed" ? statusForm(item, view, reloadButton) : null,
    ),
  );
}

function statusForm(item, view, reloadButton) {
  const prefix = uniqueId("contingency-status");
  const form = h(
    "form",
    { novalidate: true, class: "taf-contingency-status" },
    selectField({ id: `${prefix}-value`, label: "Where this contingency stands", options: choices(CONTINGENCY_STATUS), value: item.status }),
    button(["Save", hidden(` where the contingency stands: ${words(item)}`)]),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const status = value(form, `${prefix}-value`);
    if (status === item.status) return refuse(form, [{ message: "Choose where the contingency stands now", fieldId: `${prefix}-value` }]);
    submit(form, view, {
      send: () => call("PlanContingencyEdit", { input: { contingencyId: item.id, expectedVersion: item.version, status } }),
      done: () => view.done(`Contingency updated: ${CONTINGENCY_STATUS[status]}.`),
      labels: { status: { id: `${prefix}-value`, label: "Where this contingency stands" } },
      wording: (error) => (error.code === "CONFLICT" && /since you opened/.test(error.message) ? { CONFLICT: STALE_ITEM } : {}),
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload the plan") : null),
    });
  });
  return details(["Update where this contingency stands", hidden(`: ${words(item)}`)], form);
}

const FIELDS = {
  trigger: { id: "contingency-trigger", label: "If this happens", missing: "Enter what would set the contingency off", limit: 1000 },
  response: { id: "contingency-response", label: "What will be done", missing: "Enter what will be done", limit: 2000 },
  whoActs: { id: "contingency-who", label: "Who does it", missing: "Enter who does it", limit: 300 },
};

/** Adding a contingency: a question page of the plan (plan.js lists it). */
export function contingencyForm(view) {
  const form = h(
    "form",
    { id: "contingency-add-form", novalidate: true },
    textArea({ id: FIELDS.trigger.id, label: FIELDS.trigger.label, hint: "For example, if Mum is admitted to hospital again", rows: 2 }),
    textArea({ id: FIELDS.response.id, label: FIELDS.response.label, rows: 3 }),
    textField({ id: FIELDS.whoActs.id, label: FIELDS.whoActs.label, hint: "A worker, a member of the family or the out-of-hours duty team" }),
    categoryChoice(),
    checkbox({ id: "contingency-agreed", label: "The family has agreed this contingency", hint: "An agreed contingency is shared with the whole team and shown on the family's portal" }),
    checkbox({ id: "contingency-third-party", label: "It names someone outside the family", hint: "It is then never shown on the family's portal" }),
    button("Add the contingency"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    for (const field of Object.values(FIELDS)) {
      const text = value(form, field.id);
      if (!text) problems.push({ message: field.missing, fieldId: field.id });
      else if (text.length > field.limit) problems.push({ message: `${field.label} must be ${field.limit} characters or fewer`, fieldId: field.id });
    }
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("PlanContingencyAdd", {
          input: {
            familyId: view.family.id,
            trigger: value(form, FIELDS.trigger.id),
            response: value(form, FIELDS.response.id),
            whoActs: value(form, FIELDS.whoActs.id),
            agreedWithFamily: form.elements["contingency-agreed"].checked,
            namesThirdParty: form.elements["contingency-third-party"].checked,
            category: value(form, "contingency-category"),
          },
        }),
      done: () => view.done("Contingency added to the plan."),
      labels: { ...FIELDS, category: { id: "contingency-category", label: "Category of information" } },
    });
  });
  return form;
}

// The same field as a goal's (plan.js's categoryField), built here: importing plan.js would make a cycle.
function categoryChoice() {
  return selectField({
    id: "contingency-category",
    label: "Category of information",
    hint: "Consent is given per category: it decides which other agencies can read the words. Choose Other if nothing fits",
    options: choices(CATEGORY),
    value: "other",
  });
}
