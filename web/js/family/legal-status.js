// The family's legal status and whether it is in the edge-of-care cohort, with the history of changes.
// The team reads it; the lead professional records a change from a date.

import { call } from "../api.js";
import { button, checkbox, dateInput, h, radios, readDate, scrolling, summaryList, table } from "../dom.js";
import { STALE } from "../errors.js";
import { checkedValue, refuse, submit } from "../forms.js";
import { choices, formatDate } from "../labels.js";
import { todayIso } from "../plan/labels.js";
import { reloadButton } from "./contributions.js";

export const id = "legal-status";
export const title = "Legal status and cohort";

export const visible = () => true;

const recording = (view) => view.isLead && view.family.status !== "closed";

export const questions = [
  {
    path: "legal-status/new",
    title: "Record a change of legal status or cohort",
    offered: recording,
    render: async (view) => changeForm(view, (await view.query("FamilyLegalStatus", { familyId: view.family.id })).familyLegalStatus[0]),
  },
];

export const LEGAL_STATUS = {
  none: "No statutory status (early help)",
  child_in_need: "Child in need",
  child_protection_plan: "Child protection plan",
  looked_after: "Looked after",
};

const cohort = (change) => (change.edgeOfCare ? "Edge of care" : "Not in the edge-of-care cohort");

export async function render(view) {
  const { familyLegalStatus: changes } = await view.query("FamilyLegalStatus", { familyId: view.family.id });
  const [current] = changes;
  return h(
    "div",
    {},
    current
      ? summaryList(
          [
            ["Legal status", h("span", { id: "legal-status-now" }, LEGAL_STATUS[current.legalStatus])],
            ["Cohort", h("span", { id: "cohort-now" }, cohort(current))],
            ["Since", formatDate(current.effectiveFrom)],
          ],
          { id: "legal-status-summary" },
        )
      : h("p", { class: "govuk-body", id: "legal-status-summary" }, "No legal status has been recorded."),
    changes.length > 1 ? history(changes) : null,
    recording(view) ? view.questionLink("legal-status/new", "Record a change of legal status or cohort", { id: "change-legal-status" }) : null,
  );
}

function history(changes) {
  return scrolling(
    "Changes of legal status (scrolls sideways)",
    table({
      id: "legal-status-history",
      caption: "Changes of legal status and cohort, newest first",
      head: ["From", "Legal status", "Cohort", "Recorded by"],
      rows: changes.map((change) => [formatDate(change.effectiveFrom), LEGAL_STATUS[change.legalStatus], cohort(change), change.recordedBy.displayName]),
    }),
  );
}

function changeForm(view, current) {
  const form = h(
    "form",
    { id: "legal-status-form", novalidate: true },
    radios({ id: "legal-status", name: "legal-status", legend: "Legal status", items: choices(LEGAL_STATUS), value: current?.legalStatus ?? null }),
    checkbox({ id: "edge-of-care", label: "The young person is at risk of entering care (edge of care)", checked: Boolean(current?.edgeOfCare) }),
    dateInput({ id: "legal-status-from", legend: "Date it applies from", hint: "Today or earlier, for example 3 11 2026" }),
    button("Record the change"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const legalStatus = checkedValue(form, "legal-status");
    if (!legalStatus) problems.push({ message: "Choose the legal status", fieldId: "legal-status-input" });
    const from = readDate(form, "legal-status-from");
    if (!from) problems.push({ message: from === "" ? "Enter the date it applies from" : "The date it applies from must be a real date", fieldId: "legal-status-from-day" });
    else if (from > todayIso()) problems.push({ message: "The date it applies from cannot be in the future", fieldId: "legal-status-from-day" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("FamilyLegalStatusSet", {
          input: { familyId: view.family.id, expectedVersion: view.family.version, legalStatus, edgeOfCare: form.elements["edge-of-care"].checked, effectiveFrom: from },
        }),
      done: () => view.done("Legal status recorded."),
      labels: { legalStatus: { id: "legal-status-input", label: "Legal status" }, effectiveFrom: { id: "legal-status-from-day", label: "Date it applies from" } },
      wording: (error) => (error.code === "CONFLICT" && /since you opened/.test(error.message) ? { CONFLICT: STALE } : {}),
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload this family") : null),
    });
  });
  return form;
}
