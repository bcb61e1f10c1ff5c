// The audit log on the information-governance page: each entry in words (what happened, who did it and
// their agency, which family, whose information and which categories: never the content), filters by
// family, person, kind, outcome and dates, pages of 50 newest first, and the filtered log as a CSV file
// (made by the server, which records the export in the log itself). State is the page's hash:
// #/information-governance?familyReference=TAF-1&actor=sam&kind=consentRecord&outcome=denied&from=...&to=...&after=...

import { call } from "./api.js";
import { describe } from "./errors.js";
import { button, details, h, hidden, scrolling, selectField, showErrors, table, textArea, textField, uniqueId } from "./dom.js";
import { refuse, submit, value } from "./forms.js";
import { AUDIT_OUTCOME, categoryList, choices, formatDateTime } from "./labels.js";

const FILTERS = ["familyReference", "actor", "kind", "outcome", "from", "to"];
const FIELDS = {
  familyReference: { id: "audit-family", label: "Family reference" },
  actor: { id: "audit-actor", label: "Person" },
  kind: { id: "audit-kind", label: "What happened" },
  outcome: { id: "audit-outcome", label: "Outcome" },
  from: { id: "audit-from", label: "Entries from" },
  to: { id: "audit-to", label: "Entries to" },
};
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const suffix = (query) => (query.toString() ? `?${query}` : "");

/** The filters in the page's query, as the API takes them (empty ones left out). */
export function auditFilter(query) {
  const filter = {};
  for (const name of FILTERS) {
    const text = (query.get(name) || "").trim();
    if (text) filter[name] = text;
  }
  return filter;
}

/** Everything the section needs, fetched together; a refused filter becomes the form's error. */
export async function loadAuditLog(query) {
  const filter = auditFilter(query);
  const [{ auditEventKinds }, events] = await Promise.all([
    call("AuditEventKinds"),
    call("AuditEvents", { filter, first: 50, after: query.get("after") || null }).catch((error) => {
      if (error.code !== "BAD_USER_INPUT") throw error;
      return { error };
    }),
  ]);
  return { filter, kinds: auditEventKinds, events: events.auditEvents || null, error: events.error || null, after: query.get("after") };
}

export function auditSection({ filter, kinds, events, error, after }, view) {
  const form = filterForm(filter, kinds, view);
  if (error) showErrors(form, [describe(error, { labels: FIELDS })]);
  const filtered = Object.keys(filter).length > 0;
  return h(
    "section",
    { class: "taf-section", id: "audit", "aria-labelledby": "audit-title", tabindex: "-1" },
    h("h2", { class: "govuk-heading-m", id: "audit-title" }, "Audit log"),
    h("p", { class: "govuk-body" }, "Every read of another agency's information, every refused request and every change, newest first. Entries say whose information was read and of which kinds, never what it said."),
    form,
    events ? entries(events, filter, after, filtered, view) : "",
  );
}

function filterForm(filter, kinds, view) {
  const form = h(
    "form",
    { class: "taf-filters", id: "audit-filters", novalidate: true, "aria-label": "Filter the audit log" },
    h(
      "div",
      { class: "taf-filters__fields" },
      textField({ id: "audit-family", label: "Family reference", hint: "For example TAF-2024-0001", value: filter.familyReference || "", spellcheck: false }),
      textField({ id: "audit-actor", label: "Person", hint: "Part of their name or email address", value: filter.actor || "", spellcheck: false }),
      selectField({ id: "audit-kind", label: "What happened", options: [{ value: "", text: "Anything" }, ...kinds.map((kind) => ({ value: kind.code, text: kind.name }))], value: filter.kind || "" }),
      selectField({ id: "audit-outcome", label: "Outcome", options: choices(AUDIT_OUTCOME, { first: "Any outcome" }), value: filter.outcome || "" }),
      textField({ id: "audit-from", label: "Entries from", type: "date", value: DATE.test(filter.from || "") ? filter.from : "" }),
      textField({ id: "audit-to", label: "Entries to", type: "date", value: DATE.test(filter.to || "") ? filter.to : "" }),
    ),
    h(
      "div",
      { class: "govuk-button-group" },
      button("Apply filters", { id: "audit-apply", class: "govuk-button govuk-button--secondary" }),
      h("a", { class: "govuk-link", href: "#/information-governance", id: "audit-clear" }, "Clear filters"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = new URLSearchParams();
    for (const name of FILTERS) {
      const text = form.querySelector(`#${FIELDS[name].id}`).value.trim();
      if (text) query.set(name, text);
    }
    view.show(`/information-governance${suffix(query)}`);
  });
  return form;
}

function entries(events, filter, after, filtered, view) {
  const rows = events.nodes;
  const base = new URLSearchParams(filter);
  const older = new URLSearchParams(base);
  older.set("after", events.pageInfo.endCursor || "");
  return h(
    "div",
    { id: "audit-entries" },
    exportControl(filter),
    rows.length
      ? scrolling(
          "Audit log entries (scrolls sideways)",
          table({
            id: "audit-table",
            caption: filtered ? "Audit log entries matching the filters" : "Audit log entries",
            head: ["When", "What happened", "Outcome", "By", "Family", "Whose information", "Withhold"],
            rows: rows.map((event) => [
              formatDateTime(event.at),
              event.what,
              AUDIT_OUTCOME[event.outcome] || event.outcome,
              who(event),
              event.familyLabel || (event.familyId ? "A family (name not available)" : "Not about a family"),
              whose(event),
              withhold(event, view),
            ]),
          }),
        )
      : h("p", { class: "govuk-body", id: "audit-empty" }, filtered ? "No entries match these filters." : "The audit log is empty."),
    pages("Pages of the audit log", after ? ["audit-newest", `#/information-governance${suffix(base)}`, "Newest entries"] : null, events.pageInfo.hasNextPage ? ["audit-older", `#/information-governance?${older}`, "Older entries"] : null),
  );
}

function who(event) {
  if (!event.actorName) return event.actorUserId ? "Unknown account" : "No one signed in";
  return event.actorAgencyName ? `${event.actorName}, ${event.actorAgencyName}` : event.actorName;
}

function whose(event) {
  if (!event.owningAgencyNames.length) return [h("span", { "aria-hidden": "true" }, "—"), hidden("Not recorded")];
  const categories = event.categories.length ? `: ${categoryList(event.categories)}` : "";
  return `${event.owningAgencyNames.join(", ")}${categories}`;
}

// Withholding a read from the family's view of who has looked: named for whose read and when, never by id.
function withhold(event, view) {
  if (event.withheldFromFamily) return "Withheld from the family";
  if (!event.withholdable) return [h("span", { "aria-hidden": "true" }, "—"), hidden("Not applicable")];
  const entry = `entry for ${event.actorName || "an unknown account"}, ${formatDateTime(event.at)}`;
  const fieldId = uniqueId("withhold-reason");
  const label = "Why showing it could put someone at risk";
  const form = h(
    "form",
    { novalidate: true, class: "taf-withhold" },
    textArea({ id: fieldId, label }),
    h("button", { type: "submit", class: "govuk-button govuk-button--warning" }, "Withhold", hidden(` ${entry} from the family`)),
  );
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    if (refuse(form, value(form, fieldId) ? [] : [{ message: "Enter why showing it could put someone at risk", fieldId }])) return;
    submit(form, view, {
      send: () => call("AuditDisclosureBlock", { input: { auditEventId: event.id, reason: value(form, fieldId) } }),
      done: () => view.done("The entry is withheld from the family."),
      labels: { reason: { id: fieldId, label } },
      wording: () => ({ CONFLICT: "That entry is already withheld from the family." }),
    });
  });
  return details(["Withhold", hidden(` ${entry} from the family`)], form);
}

// The CSV is made by the server (all matching entries, formula-like cells written as text) and saved here.
function exportControl(filter) {
  const status = h("p", { class: "govuk-body", id: "audit-export-status", role: "status" });
  const control = h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "audit-export" }, "Download these entries as a spreadsheet (CSV)");
  control.addEventListener("click", async () => {
    control.disabled = true;
    status.textContent = "Preparing the file…";
    try {
      const { auditLogExport: file } = await call("AuditLogExport", { input: filter });
      const link = h("a", { href: URL.createObjectURL(new Blob([file.csv], { type: "text/csv" })), download: `audit-log-${new Date().toISOString().slice(0, 10)}.csv`, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      const count = file.rowCount === 1 ? "1 entry" : `${file.rowCount} entries`;
      status.textContent = file.complete ? `Downloaded ${count}.` : `Downloaded the newest ${count}. More entries match: narrow the filters to download the rest.`;
    } catch (error) {
      status.textContent = describe(error, { labels: FIELDS }).message;
    } finally {
      control.disabled = false;
    }
  });
  return h("div", {}, control, status);
}

/** GOV.UK pagination with a link back to the first page and one to the next: [id, href, text] or null. */
export function pages(label, first, next) {
  if (!first && !next) return "";
  const link = ([id, href, text], rel) => h("a", { class: "govuk-link govuk-pagination__link", id, href, rel }, text);
  return h(
    "nav",
    { class: "govuk-pagination", "aria-label": label },
    first ? h("div", { class: "govuk-pagination__prev" }, link(first, null)) : null,
    next ? h("div", { class: "govuk-pagination__next" }, link(next, "next")) : null,
  );
}
