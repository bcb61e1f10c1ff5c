import { call } from "../api.js";
import { checkboxes, checkedValues, h, hidden, selectField } from "../dom.js";
import { choices, formatDate, LEVEL_OF_NEED, STATUS, STATUS_TAG } from "../labels.js";

const PAGE_SIZE = 20;

// The page's state is the hash: #/caseload?status=active&level=targeted&overdue=1&escalations=1&after=<cursor>&back=<c1.c2>.
// `after` is the cursor of this page, `back` the cursors of the pages before it (the first page has none).
function hashFor({ status = "", level = "", overdue = false, escalations = false, after = null, back = [] }) {
  const query = new URLSearchParams();
  if (status) query.set("status", status);
  if (level) query.set("level", level);
  if (overdue) query.set("overdue", "1");
  if (escalations) query.set("escalations", "1");
  if (after) query.set("after", after);
  if (after && back.length) query.set("back", back.join("."));
  const search = query.toString();
  return `/caseload${search ? `?${search}` : ""}`;
}

function readState(query) {
  const status = query.get("status") in STATUS ? query.get("status") : "";
  const level = query.get("level") in LEVEL_OF_NEED ? query.get("level") : "";
  const after = query.get("after") || null;
  const back = after && query.get("back") ? query.get("back").split(".").filter(Boolean) : [];
  return { status, level, overdue: query.get("overdue") === "1", escalations: query.get("escalations") === "1", after, back };
}

export async function render(main, { query, navigate }) {
  const state = readState(query);
  let families;
  try {
    ({ families } = await call("Caseload", {
      first: PAGE_SIZE,
      after: state.after,
      status: state.status || null,
      levelOfNeed: state.level || null,
      overdueActions: state.overdue,
      openEscalations: state.escalations,
    }));
  } catch (error) {
    if (error.code === "BAD_USER_INPUT" && state.after) {
      navigate(hashFor({ ...state, after: null, back: [] })); // an old or edited page link
      return "My caseload";
    }
    throw error;
  }
  const { followUpsDue: due } = await call("FollowUpsDue", { first: 10 });
  // (Element.append would write an absent part, null, as the text "null")
  const parts = [
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "My caseload"),
    h("p", { class: "govuk-body" }, "Families whose team you are on. Choose a family to see its members, team and plan."),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/time-away", id: "time-away-link" }, "Mark yourself away"), " so that your families' deputy leads cover urgent matters."),
    followUpsDue(due),
    filterForm(state, navigate),
    results(families, state),
  ];
  main.append(...parts.filter(Boolean));
  return "My caseload";
}

// The checks after closure that are due on families the signed-in worker led (server: followUpsDue).
function followUpsDue(page) {
  if (!page.totalCount) return null;
  const more = page.totalCount - page.nodes.length;
  return h(
    "div",
    { class: "govuk-inset-text", id: "follow-ups-due" },
    h("h2", { class: "govuk-heading-s" }, `Follow-up checks due: ${page.totalCount}`),
    h(
      "ul",
      { class: "govuk-list" },
      page.nodes.map((check) =>
        h("li", {}, h("a", { class: "govuk-link", href: `#/families/${encodeURIComponent(check.familyId)}/referrals` }, `${check.familyName} (${check.familyReference})`), `: the ${check.months}-month check, due ${formatDate(check.dueOn)}`),
      ),
    ),
    more > 0 ? h("p", { class: "govuk-body" }, `And ${more} more.`) : null,
  );
}

function filterForm(state, navigate) {
  const form = h(
    "form",
    { class: "taf-filters", id: "caseload-filters", novalidate: true, role: "search", "aria-label": "Filter your caseload" },
    h(
      "div",
      { class: "taf-filters__fields" },
      selectField({
        id: "filter-status",
        label: "Status",
        options: choices(STATUS, { first: "Any status" }),
        value: state.status,
      }),
      selectField({
        id: "filter-level",
        label: "Level of need",
        options: choices(LEVEL_OF_NEED, { first: "Any level of need" }),
        value: state.level,
      }),
      checkboxes({
        id: "filter-attention",
        name: "filter-attention",
        legend: "Needs attention",
        items: [
          { value: "overdue", text: "Has overdue actions" },
          { value: "escalations", text: "Has open escalations" },
        ],
        checked: [state.overdue && "overdue", state.escalations && "escalations"].filter(Boolean),
      }),
    ),
    h(
      "div",
      { class: "govuk-button-group" },
      h("button", { type: "submit", class: "govuk-button govuk-button--secondary", id: "apply-filters" }, "Apply filters"),
      state.status || state.level || state.overdue || state.escalations ? h("a", { class: "govuk-link", href: `#${hashFor({})}` }, "Clear filters") : null,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const attention = checkedValues(form, "filter-attention");
    navigate(hashFor({ status: form["filter-status"].value, level: form["filter-level"].value, overdue: attention.includes("overdue"), escalations: attention.includes("escalations") }));
  });
  return form;
}

function results(families, state) {
  const count = `${families.totalCount} ${families.totalCount === 1 ? "family" : "families"}`;
  const filters = [
    state.status && `status ${STATUS[state.status]}`,
    state.level && `level of need ${LEVEL_OF_NEED[state.level]}`,
    state.overdue && "overdue actions",
    state.escalations && "open escalations",
  ].filter(Boolean);
  const heading = h("h2", { class: "govuk-heading-m", id: "caseload-count" }, filters.length ? `${count} with ${filters.join(" and ")}` : count);
  if (!families.nodes.length) {
    return h("div", {}, heading, h("p", { class: "govuk-body" }, filters.length ? "No families on your caseload match these filters." : "You are not on any family's team yet."));
  }
  return h(
    "div",
    {},
    heading,
    // On a phone each family's row stacks into a card, each value under its column's name (taf.css,
    // .taf-stack-table); in between, the table scrolls sideways inside this region (focusable, so by
    // keyboard too) instead of the whole page.
    h(
      "div",
      { class: "taf-table-scroll", role: "region", "aria-labelledby": "caseload-caption", tabindex: "0" },
      h(
        "table",
        { class: "govuk-table taf-stack-table", id: "caseload-table" },
        h("caption", { class: "govuk-table__caption govuk-visually-hidden", id: "caseload-caption" }, "Families on your caseload"),
        h(
          "thead",
          { class: "govuk-table__head" },
          h("tr", { class: "govuk-table__row" }, COLUMNS.map((text) => h("th", { scope: "col", class: "govuk-table__header" }, text))),
        ),
        h("tbody", { class: "govuk-table__body" }, families.nodes.map(row)),
      ),
    ),
    pagination(families.pageInfo, state),
  );
}

const COLUMNS = ["Reference", "Family", "Status", "Level of need", "Needs attention", "Next review", "Lead professional"];

function row(family) {
  const lead = family.leadProfessional;
  const cells = [
    h("a", { class: "govuk-link", href: `#/families/${encodeURIComponent(family.id)}` }, family.reference, hidden(`, ${family.displayName}`)),
    family.displayName,
    h("strong", { class: `govuk-tag ${STATUS_TAG[family.status]}` }, STATUS[family.status]),
    LEVEL_OF_NEED[family.levelOfNeed],
    attention(family),
    nextReview(family.reviewSchedule),
    lead ? [lead.worker.displayName, h("br"), h("span", { class: "taf-secondary-text" }, lead.agency.name)] : "No lead professional yet",
  ];
  // data-label: the column's name, shown above the value when the row stacks on a phone
  return h(
    "tr",
    { class: "govuk-table__row" },
    cells.map((cell, index) => h("td", { class: "govuk-table__cell", "data-label": COLUMNS[index] }, cell)),
  );
}

// In words, not colour alone; null counts (records the caller may not read) are left out.
function attention(family) {
  const plural = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;
  const parts = [
    family.overdueActionCount ? h("strong", { class: "govuk-tag govuk-tag--red" }, `${plural(family.overdueActionCount, "overdue action")}`) : null,
    // Urgent ones (urgent or immediate danger) in red like overdue actions: they are due in hours.
    family.urgentEscalationCount ? h("strong", { class: "govuk-tag govuk-tag--red" }, `${plural(family.urgentEscalationCount, "urgent escalation")}`) : null,
    family.openEscalationCount - (family.urgentEscalationCount || 0) > 0 ? h("strong", { class: "govuk-tag govuk-tag--yellow" }, `${plural(family.openEscalationCount - (family.urgentEscalationCount || 0), "open escalation")}`) : null,
  ].filter(Boolean);
  if (!parts.length) return "None";
  return parts.flatMap((part, index) => (index ? [h("br"), part] : [part]));
}

// When the family's next review is; whether it is late or missing, in words. Null: the caller may not see
// the family's meetings.
function nextReview(schedule) {
  if (!schedule) return "Not shown";
  if (schedule.missing) return [h("strong", { class: `govuk-tag ${schedule.late ? "govuk-tag--red" : "govuk-tag--yellow"}` }, schedule.late ? "Late" : "Not booked"), h("br"), h("span", { class: "taf-secondary-text" }, `Due by ${formatDate(schedule.dueBy)}`)];
  const when = formatDate(schedule.nextReviewAt);
  return schedule.late ? [when, h("br"), h("strong", { class: "govuk-tag govuk-tag--red" }, "Late"), h("span", { class: "taf-secondary-text" }, ` due by ${formatDate(schedule.dueBy)}`)] : when;
}

function pagination(pageInfo, state) {
  const hasPrevious = Boolean(state.after);
  if (!hasPrevious && !pageInfo.hasNextPage) return null;
  const pageNumber = hasPrevious ? state.back.length + 2 : 1;
  const previous = hasPrevious
    ? hashFor({ ...state, after: state.back.at(-1) || null, back: state.back.slice(0, -1) })
    : null;
  const next = pageInfo.hasNextPage
    ? hashFor({ ...state, after: pageInfo.endCursor, back: state.after ? [...state.back, state.after] : [] })
    : null;
  return h(
    "nav",
    { class: "govuk-pagination", "aria-label": "Pages of your caseload" },
    previous ? h("div", { class: "govuk-pagination__prev" }, h("a", { class: "govuk-link govuk-pagination__link", href: `#${previous}`, rel: "prev" }, "Previous", hidden(" page"))) : null,
    h("p", { class: "govuk-body govuk-pagination__current" }, `Page ${pageNumber}`),
    next ? h("div", { class: "govuk-pagination__next" }, h("a", { class: "govuk-link govuk-pagination__link", href: `#${next}`, rel: "next" }, "Next", hidden(" page"))) : null,
  );
}
