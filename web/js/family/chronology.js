// The family's multi-agency chronology: significant events, newest first, as far as the worker may see.

import { call } from "../api.js";
import { h, scrolling, table } from "../dom.js";
import { formatDateTime } from "../labels.js";

export const id = "chronology";
export const title = "Chronology";

export const visible = () => true;

export async function render(view) {
  const { family } = await call("FamilyChronology", { familyId: view.family.id, first: 100 });
  if (!family.chronology.length) return h("p", { class: "govuk-body" }, "Nothing has happened yet.");
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "Significant events across the agencies, newest first. Events about information you may not see are left out."),
    scrolling("Chronology (scrolls sideways)", table({
      id: "chronology-table",
      caption: "Chronology, newest first",
      head: ["When", "Agency", "What happened"],
      rows: family.chronology.map((entry) => [formatDateTime(entry.at), entry.agency ? entry.agency.name : "", entry.summary]),
    })),
  );
}
