// The family's multi-agency chronology: significant events, newest first by the day they happened, as far as
// the worker may see. The server decides what is shown: events the worker may not see are not sent, and words
// the worker may not read are sent as withheld. Filters by agency, kind of event and dates; pages; CSV export.

import { call } from "../api.js";
import { button, dateInput, h, readDate, selectField } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { formatDate, formatDateTime } from "../labels.js";

export const id = "chronology";
export const title = "Chronology";

export const visible = () => true;

export const PAGE = 50;
const COLUMNS = ["Happened on", "Event", "Agency", "What happened", "Recorded"];

export async function render(view) {
  const state = { filter: null, after: null };
  const rows = h("tbody", { class: "govuk-table__body" });
  const status = h("p", { class: "govuk-body", id: "chronology-count", role: "status" });
  const more = h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "chronology-more" }, `Show ${PAGE} more events`);
  const moreBlock = h("div", { hidden: true }, more); // a GOV.UK button sets its own display: hide its block
  const show = (connection, append) => {
    if (!append) rows.replaceChildren();
    rows.append(...connection.nodes.map(row));
    const shown = rows.children.length;
    status.textContent = countText(connection.totalCount, shown, Boolean(state.filter));
    state.after = connection.pageInfo.endCursor;
    moreBlock.hidden = !connection.pageInfo.hasNextPage;
  };
  const load = (after) => call("FamilyChronology", { familyId: view.family.id, first: PAGE, after, filter: state.filter });
  more.addEventListener("click", async () => {
    more.disabled = true;
    try {
      show((await load(state.after)).family.chronology, true);
    } finally {
      more.disabled = false;
    }
  });
  // The first page and the filter's kinds come with the sub-page's one request.
  const { chronologyKinds, family } = await view.query("FamilyChronology", { familyId: view.family.id, first: PAGE });
  const filter = filterForm(view, chronologyKinds, (chosen, form) => {
    state.filter = chosen;
    return submit(form, view, { send: () => load(null), done: (answer) => show(answer.family.chronology, false) });
  });
  show(family.chronology, false);
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "Significant events across the agencies, newest first by the day they happened. Events about information you may not see are left out; where you may see that something happened but not read what was written, it says so."),
    filter,
    status,
    h(
      "table",
      { class: "govuk-table taf-stack-table", id: "chronology-table" },
      h("caption", { class: "govuk-table__caption govuk-visually-hidden" }, "Chronology, newest first"),
      h("thead", { class: "govuk-table__head" }, h("tr", { class: "govuk-table__row" }, COLUMNS.map((text) => h("th", { scope: "col", class: "govuk-table__header" }, text)))),
      rows,
    ),
    moreBlock,
    exportBlock(view, () => state.filter),
  );
}

function row(entry) {
  const cell = (label, ...content) => h("td", { class: "govuk-table__cell", "data-label": label }, ...content);
  return h(
    "tr",
    { class: "govuk-table__row", "data-kind": entry.kind },
    h("th", { scope: "row", class: "govuk-table__header", "data-label": COLUMNS[0] }, formatDate(entry.happenedOn)),
    cell(COLUMNS[1], entry.label),
    cell(COLUMNS[2], entry.agency ? entry.agency.name : ""),
    cell(COLUMNS[3], what(entry)),
    cell(COLUMNS[4], formatDateTime(entry.recordedAt)),
  );
}

function what(entry) {
  const parts = [];
  if (entry.description) parts.push(h("span", { class: "taf-chronology__description" }, entry.description));
  if (entry.content) parts.push(h("span", { class: "taf-chronology__content taf-item-text" }, entry.content));
  if (entry.contentWithheld) parts.push(h("span", { class: "taf-secondary-text" }, "What was written is withheld: it has not been shared with your agency."));
  return parts;
}

function countText(total, shown, filtered) {
  const noun = total === 1 ? "event" : "events";
  let text = filtered ? `${total} ${noun} match.` : `${total} ${noun} you can see.`;
  if (shown < total) text += ` Showing the newest ${shown}.`;
  return text;
}

function filterForm(view, kinds, apply) {
  const agencies = new Map(view.family.team.map((member) => [member.agency.id, member.agency.name]));
  const options = (first, entries) => [{ value: "", text: first }, ...entries.map(([id, text]) => ({ value: id, text }))];
  const form = h(
    "form",
    { id: "chronology-filter", class: "taf-chronology-filter", novalidate: true, role: "search", "aria-label": "Filter the chronology" },
    h(
      "div",
      { class: "taf-filter" },
      selectField({ id: "chronology-agency", label: "Agency", options: options("All agencies", [...agencies].sort((a, b) => a[1].localeCompare(b[1]))) }),
      selectField({ id: "chronology-kind", label: "Kind of event", options: options("All kinds of event", kinds.map((kind) => [kind.kind, kind.label])) }),
    ),
    h(
      "div",
      { class: "taf-filter" },
      dateInput({ id: "chronology-from", legend: "Happened on or after", hint: "For example, 27 3 2026" }),
      dateInput({ id: "chronology-to", legend: "Happened on or before" }),
      button("Show events", { class: "govuk-button govuk-button--secondary" }),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const from = readDate(form, "chronology-from");
    const to = readDate(form, "chronology-to");
    const problems = [];
    if (from === null) problems.push({ message: "Enter a real date for the start, or leave it empty", fieldId: "chronology-from-day" });
    if (to === null) problems.push({ message: "Enter a real date for the end, or leave it empty", fieldId: "chronology-to-day" });
    if (!problems.length && from && to && from > to) problems.push({ message: "The start must be on or before the end", fieldId: "chronology-from-day" });
    if (refuse(form, problems)) return;
    const kind = value(form, "chronology-kind");
    const chosen = { agencyId: value(form, "chronology-agency") || null, kinds: kind ? [kind] : null, happenedFrom: from || null, happenedTo: to || null };
    apply(Object.values(chosen).some(Boolean) ? chosen : null, form);
  });
  return form;
}

function exportBlock(view, currentFilter) {
  const ready = h("p", { class: "govuk-body", id: "chronology-export-ready", role: "status" });
  const form = h(
    "form",
    { id: "chronology-export", novalidate: true },
    h("p", { class: "govuk-body" }, "Download the events that match the filters as a spreadsheet (CSV). It holds only what you can see here, and the download is recorded in the audit log."),
    button("Download as CSV", { class: "govuk-button govuk-button--secondary" }),
    ready,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, view, {
      send: () => call("ChronologyExport", { input: { familyId: view.family.id, filter: currentFilter() } }),
      done: ({ chronologyExport: file }) => {
        const link = h("a", { class: "govuk-link", id: "chronology-csv", href: URL.createObjectURL(new Blob([file.csv], { type: "text/csv" })), download: file.filename }, `Download ${file.filename} (${file.entryCount} ${file.entryCount === 1 ? "event" : "events"})`);
        ready.replaceChildren("Your file is ready: ", link);
        link.click();
      },
    });
  });
  return form;
}
