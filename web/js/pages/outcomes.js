// The outcomes report: a practitioner's caseload, a manager's agency (the API counts only what the caller
// may see). The figures as a chart and as tables, and a CSV file built here from the same answer.
// Page state is the hash: #/outcomes?from=2026-01-01&to=2026-06-30&team=<agency id>&status=child_in_need&level=specialist

import { call } from "../api.js";
import { describe } from "../errors.js";
import { button, h, scrolling, selectField, showErrors, summaryList, table, textField } from "../dom.js";
import { LEGAL_STATUS } from "../family/legal-status.js";
import { choices, formatDate, LEVEL_OF_NEED } from "../labels.js";

const SVG = "http://www.w3.org/2000/svg";
const LEVELS = ["universal", "targeted", "specialist", "statutory"];
// The legal status cohort: a status held at some time from entry to exit, or the edge-of-care cohort.
const STATUS_COHORT = {
  child_in_need: LEGAL_STATUS.child_in_need,
  child_protection_plan: LEGAL_STATUS.child_protection_plan,
  looked_after: LEGAL_STATUS.looked_after,
  edge_of_care: "Edge of care (at risk of entering care)",
};
const FIELDS = { exitedFrom: { id: "outcomes-from", label: "From" }, exitedTo: { id: "outcomes-to", label: "To" }, teamAgencyId: { id: "outcomes-team", label: "Team" } };

function isoDate(day) {
  return day.toISOString().slice(0, 10);
}

function readState(query) {
  const today = new Date();
  const yearAgo = new Date(today.getTime() - 365 * 24 * 3600 * 1000);
  const valid = (value) => /^\d{4}-\d{2}-\d{2}$/.test(value || "");
  return {
    from: valid(query.get("from")) ? query.get("from") : isoDate(yearAgo),
    to: valid(query.get("to")) ? query.get("to") : isoDate(today),
    team: query.get("team") || "",
    level: query.get("level") in LEVEL_OF_NEED ? query.get("level") : "",
    status: query.get("status") in STATUS_COHORT ? query.get("status") : "",
  };
}

function hashFor(state) {
  const query = new URLSearchParams({ from: state.from, to: state.to });
  if (state.team) query.set("team", state.team);
  if (state.status) query.set("status", state.status);
  if (state.level) query.set("level", state.level);
  return `/outcomes?${query}`;
}

export async function render(main, { query, navigate }) {
  const state = readState(query);
  const [{ agencies }] = await Promise.all([call("Agencies")]);
  const form = filterForm(state, agencies, navigate);
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Outcomes report"),
    h("p", { class: "govuk-body" }, "Families whose exit assessment falls in the period: their level of need and risks on entry against exit, resilience, how many of those closed remained at home or were referred again within 12 months, how often they were seen, and what the services they received cost. A practitioner's report covers the families they work with; a manager's, the families their agency works with. Only what you may see is counted. Percentages are whole numbers, halves rounded up, as published evaluations give them."),
    form,
  );
  let report;
  try {
    ({ outcomesReport: report } = await call("OutcomesReport", { filter: filterOf(state) }));
  } catch (error) {
    if (error.code !== "BAD_USER_INPUT") throw error;
    showErrors(form, [describe(error, { labels: FIELDS })]);
    return "Outcomes report";
  }
  main.append(results(report, agencies));
  return "Outcomes report";
}

function filterOf(state) {
  return {
    exitedFrom: state.from,
    exitedTo: state.to,
    teamAgencyId: state.team || null,
    cohort: cohortOf(state),
  };
}

function cohortOf(state) {
  const cohort = {};
  if (state.level) cohort.entryLevels = [state.level];
  if (state.status === "edge_of_care") cohort.edgeOfCare = true;
  else if (state.status) cohort.legalStatuses = [state.status];
  return Object.keys(cohort).length ? cohort : null;
}

function filterForm(state, agencies, navigate) {
  const form = h(
    "form",
    { class: "taf-filters", id: "outcomes-filters", novalidate: true, "aria-label": "Choose the families to report on" },
    h(
      "div",
      { class: "taf-filters__fields" },
      textField({ id: "outcomes-from", label: "Exit assessment from", type: "date", value: state.from }),
      textField({ id: "outcomes-to", label: "Exit assessment to", type: "date", value: state.to }),
      selectField({
        id: "outcomes-team",
        label: "Agency on the team",
        options: [{ value: "", text: "Any agency" }, ...agencies.map((agency) => ({ value: agency.id, text: agency.name }))],
        value: state.team,
      }),
      selectField({ id: "outcomes-status", label: "Legal status during support", options: choices(STATUS_COHORT, { first: "Any status" }), value: state.status }),
      selectField({ id: "outcomes-level", label: "Level of need on entry", options: choices(LEVEL_OF_NEED, { first: "Any level" }), value: state.level }),
    ),
    button("Show the report", { id: "outcomes-show" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = (id) => form.querySelector(`#${id}`).value;
    navigate(hashFor({ from: value("outcomes-from"), to: value("outcomes-to"), team: value("outcomes-team"), status: value("outcomes-status"), level: value("outcomes-level") }));
  });
  return form;
}

const percent = (value) => (value === null || value === undefined ? "Not applicable" : `${value}%`);
// Money comes as pounds in a decimal string ("4220.00"): shown with thousands separators, never through a float.
const pounds = (amount) => {
  if (amount === null || amount === undefined) return "Not applicable";
  const [whole, pence = "00"] = String(amount).split(".");
  return `£${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${pence}`;
};
const mean = (value) => (value === null || value === undefined ? "Not applicable" : String(value));
const ofClosed = (count, share) => `${count} (${percent(share)})`;

function results(report, agencies) {
  const team = agencies.find((agency) => agency.id === report.teamAgencyId);
  const cohort = report.cohortEdgeOfCare ? STATUS_COHORT.edge_of_care : report.cohortLegalStatuses.map((status) => LEGAL_STATUS[status]).join(" or ");
  const heading = `${formatDate(report.exitedFrom)} to ${formatDate(report.exitedTo)}${team ? `, with ${team.name} on the team` : ""}${cohort ? `, ${cohort}` : ""}`;
  if (!report.families) {
    return h("div", { id: "outcomes-results" }, h("h2", { class: "govuk-heading-m" }, heading), h("p", { class: "govuk-body", id: "outcomes-empty" }, "No families you may see had an exit assessment in this period."));
  }
  return h(
    "div",
    { id: "outcomes-results" },
    h("h2", { class: "govuk-heading-m" }, heading),
    summaryList([
      ["Families", `${report.families}`],
      ["Exited without an entry assessment (not counted)", `${report.familiesWithoutEntry}`],
      ["Level of need fell", `${report.needDown} (${percent(report.needDownPercent)})`],
      ["Level of need held", `${report.needSame} (${percent(report.needSamePercent)})`],
      ["Level of need rose", `${report.needUp} (${percent(report.needUpPercent)})`],
      ["Resilience indicators on entry and exit (mean)", `${mean(report.meanResilienceOnEntry)} and ${mean(report.meanResilienceOnExit)}, over ${report.familiesWithResilience} families`],
      ["Cost of services received", `${pounds(report.totalCost)} for ${report.familiesWithServices} families`],
      ["Cost per family", pounds(report.costPerFamily)],
      ["Cost per family that remained at home", pounds(report.costPerFamilyRemainingAtHome)],
    ], { id: "outcomes-summary" }),
    h("h2", { class: "govuk-heading-m" }, "After closure, and contacts"),
    journeyChart(report),
    scrolling("After closure and contacts, as a table (scrolls sideways)", journeyTable(report)),
    h("h2", { class: "govuk-heading-m" }, "Risk factors on entry and exit"),
    riskChart(report.riskFactors),
    scrolling("Risk factors, as a table (scrolls sideways)", riskTable(report.riskFactors)),
    h("h2", { class: "govuk-heading-m" }, "Level of need on entry and exit"),
    scrolling("Level of need, as a table (scrolls sideways)", levelTable(report)),
    csvLink(report),
  );
}

function journeyTable(report) {
  return table({
    id: "outcomes-journey",
    caption: "What became of the families closed, and how often the families were seen",
    captionHidden: false,
    head: ["Measure", "Figure"],
    rows: [
      ["Families closed", `${report.familiesClosed}`],
      ["Remained at home (of those closed)", ofClosed(report.remainedAtHome, report.remainedAtHomePercent)],
      ["Referred again within 12 months of closure (of those closed)", ofClosed(report.reReferredWithin12Months, report.reReferredPercent)],
      ["Cost per family that remained at home", pounds(report.costPerFamilyRemainingAtHome)],
      ["Contacts", `${report.contacts}, with ${report.familiesWithContactLog} families`],
      ["Contacts per family (mean)", mean(report.meanContactsPerFamily)],
      ["Contacts per week of involvement", mean(report.contactsPerWeek)],
    ],
  });
}

/** One bar each: of the families closed, the share that remained at home and the share referred again. */
function journeyChart(report) {
  const labelWidth = 230;
  const barSpace = 300;
  const bars = [
    ["Remained at home", report.remainedAtHomePercent, "exit"],
    ["Referred again within 12 months", report.reReferredPercent, "entry"],
  ];
  const height = bars.length * 30 + 24;
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${labelWidth + barSpace + 60} ${height}`, width: "100%", role: "img", "aria-labelledby": "outcomes-journey-chart-title outcomes-journey-chart-desc", class: "taf-chart", focusable: "false", id: "outcomes-journey-chart" },
    svg("title", { id: "outcomes-journey-chart-title" }, "Families closed: share that remained at home and share referred again within 12 months"),
    ...[0, 50, 100].map((tick) => svg("line", { x1: labelWidth + (tick / 100) * barSpace, x2: labelWidth + (tick / 100) * barSpace, y1: 0, y2: height - 20, class: "taf-chart__grid" })),
    ...[0, 50, 100].map((tick) => svg("text", { x: labelWidth + (tick / 100) * barSpace, y: height - 4, "text-anchor": "middle", class: "taf-chart__tick" }, `${tick}%`)),
    ...bars.flatMap(([label, value, kind], index) => {
      const y = index * 30 + 4;
      return [
        svg("text", { x: labelWidth - 8, y: y + 12, "text-anchor": "end", class: "taf-chart__label" }, label),
        svg("rect", { x: labelWidth, y, width: ((value || 0) / 100) * barSpace, height: 14, class: `taf-chart__bar taf-chart__bar--${kind}` }),
        svg("text", { x: labelWidth + ((value || 0) / 100) * barSpace + 6, y: y + 12, class: "taf-chart__value" }, percent(value)),
      ];
    }),
  );
  return h(
    "figure",
    { class: "taf-chart-figure" },
    h("p", { class: "govuk-body", id: "outcomes-journey-chart-desc" }, `Of the ${report.familiesClosed} families closed, the share whose young person remained at home, and the share referred again within 12 months of closure. The same figures are in the table below.`),
    chart,
  );
}

function riskTable(factors) {
  return table({
    id: "outcomes-risks",
    caption: "Each risk factor: families with it as a share of all families reported, and of those assessed for it",
    captionHidden: false,
    head: ["Risk factor", "Families on entry", "Families on exit", "Reduction", "Assessed", "Of assessed on entry", "Of assessed on exit"],
    rows: factors.map((f) => [f.label, percent(f.percentOfCohortOnEntry), percent(f.percentOfCohortOnExit), percent(f.percentReduction), `${f.assessed}`, percent(f.percentOfAssessedOnEntry), percent(f.percentOfAssessedOnExit)]),
  });
}

function levelTable(report) {
  return table({
    id: "outcomes-levels",
    caption: "Families by level of need on entry (rows) and on exit (columns)",
    captionHidden: false,
    head: ["On entry", ...LEVELS.map((level) => `${LEVEL_OF_NEED[level]} on exit`), "All"],
    rows: [
      ...report.levelOfNeed.map((row) => [LEVEL_OF_NEED[row.entryLevel], ...row.counts.map((count, i) => `${count} (${percent(row.percents[i])})`), `${row.total} (${percent(row.totalPercent)})`]),
      ["All", ...report.columnTotals.map((count, i) => `${count} (${percent(report.columnPercents[i])})`), `${report.families}`],
    ],
  });
}

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
}

/** Two bars a factor: the share of all families reported with the risk on entry, and on exit. */
function riskChart(factors) {
  const rowHeight = 44;
  const labelWidth = 230;
  const barSpace = 300;
  const height = factors.length * rowHeight + 24;
  const bar = (value, y, kind) => svg("rect", { x: labelWidth, y, width: ((value || 0) / 100) * barSpace, height: 14, class: `taf-chart__bar taf-chart__bar--${kind}` });
  const chart = svg(
    "svg",
    { viewBox: `0 0 ${labelWidth + barSpace + 60} ${height}`, width: "100%", role: "img", "aria-labelledby": "outcomes-chart-title outcomes-chart-desc", class: "taf-chart", focusable: "false", id: "outcomes-chart" },
    svg("title", { id: "outcomes-chart-title" }, "Risk factors: share of families on entry and on exit"),
    ...[0, 50, 100].map((tick) => svg("line", { x1: labelWidth + (tick / 100) * barSpace, x2: labelWidth + (tick / 100) * barSpace, y1: 0, y2: height - 20, class: "taf-chart__grid" })),
    ...[0, 50, 100].map((tick) => svg("text", { x: labelWidth + (tick / 100) * barSpace, y: height - 4, "text-anchor": "middle", class: "taf-chart__tick" }, `${tick}%`)),
    ...factors.flatMap((factor, index) => {
      const y = index * rowHeight + 4;
      return [
        svg("text", { x: labelWidth - 8, y: y + 18, "text-anchor": "end", class: "taf-chart__label" }, factor.label),
        bar(factor.percentOfCohortOnEntry, y, "entry"),
        svg("text", { x: labelWidth + ((factor.percentOfCohortOnEntry || 0) / 100) * barSpace + 6, y: y + 12, class: "taf-chart__value" }, percent(factor.percentOfCohortOnEntry)),
        bar(factor.percentOfCohortOnExit, y + 18, "exit"),
        svg("text", { x: labelWidth + ((factor.percentOfCohortOnExit || 0) / 100) * barSpace + 6, y: y + 30, class: "taf-chart__value" }, percent(factor.percentOfCohortOnExit)),
      ];
    }),
  );
  return h(
    "figure",
    { class: "taf-chart-figure" },
    h("p", { class: "govuk-body", id: "outcomes-chart-desc" }, "For each risk factor, the upper bar is the share of families with it on entry, the lower bar on exit. The same figures are in the table below."),
    chart,
  );
}

// CSV built from the answer shown: what the file says is exactly what the page says.
function csvCell(value) {
  const text = value === null || value === undefined ? "" : String(value);
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text; // never a formula in a spreadsheet
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function toCsv(report) {
  const lines = [
    ["Section", "Item", "Measure", "Value"],
    ["Period", "Exit assessment", "From", report.exitedFrom],
    ["Period", "Exit assessment", "To", report.exitedTo],
    ["Families", "All", "Count", report.families],
    ["Families", "Exited without an entry assessment", "Count", report.familiesWithoutEntry],
    ...[["fell", "Down"], ["held", "Same"], ["rose", "Up"]].flatMap(([word, key]) => [
      ["Level of need", word, "Families", report[`need${key}`]],
      ["Level of need", word, "Percent", report[`need${key}Percent`]],
    ]),
    ...report.levelOfNeed.flatMap((row) => row.counts.map((count, i) => ["Level of need on entry and exit", `${row.entryLevel} to ${LEVELS[i]}`, "Families", count])),
    ...report.riskFactors.flatMap((f) => [
      ["Risk factor", f.label, "Assessed", f.assessed],
      ["Risk factor", f.label, "Percent of families on entry", f.percentOfCohortOnEntry],
      ["Risk factor", f.label, "Percent of families on exit", f.percentOfCohortOnExit],
      ["Risk factor", f.label, "Percent reduction", f.percentReduction],
      ["Risk factor", f.label, "Percent of assessed on entry", f.percentOfAssessedOnEntry],
      ["Risk factor", f.label, "Percent of assessed on exit", f.percentOfAssessedOnExit],
    ]),
    ["Resilience", "Mean indicators", "On entry", report.meanResilienceOnEntry],
    ["Resilience", "Mean indicators", "On exit", report.meanResilienceOnExit],
    ["Cost", "Services received", "Total (pounds)", report.totalCost],
    ["Cost", "Services received", "Per family (pounds)", report.costPerFamily],
    ["Cost", "Services received", "Per family that remained at home (pounds)", report.costPerFamilyRemainingAtHome],
    ["Cohort", "Legal status", "Held from entry to exit", report.cohortLegalStatuses.join(" or ")],
    ["Cohort", "Edge of care", "Only the edge-of-care cohort", report.cohortEdgeOfCare ? "yes" : "no"],
    ["After closure", "Families closed", "Count", report.familiesClosed],
    ["After closure", "Remained at home", "Families", report.remainedAtHome],
    ["After closure", "Remained at home", "Percent of families closed", report.remainedAtHomePercent],
    ["After closure", "Referred again within 12 months", "Families", report.reReferredWithin12Months],
    ["After closure", "Referred again within 12 months", "Percent of families closed", report.reReferredPercent],
    ["Contacts", "Families with a contact log", "Count", report.familiesWithContactLog],
    ["Contacts", "All", "Count", report.contacts],
    ["Contacts", "Per family", "Mean", report.meanContactsPerFamily],
    ["Contacts", "Per week of involvement", "Mean", report.contactsPerWeek],
  ];
  return `${lines.map((line) => line.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

function csvLink(report) {
  const file = new Blob([toCsv(report)], { type: "text/csv" });
  return h(
    "p",
    { class: "govuk-body" },
    h("a", { class: "govuk-link", id: "outcomes-csv", href: URL.createObjectURL(file), download: `outcomes-${report.exitedFrom}-to-${report.exitedTo}.csv` }, "Download these figures as a spreadsheet (CSV)"),
  );
}
