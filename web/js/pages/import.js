// Importing historic cases (docs/IMPORT.md), for administrators and IG officers: choose a file, check it
// (a dry run that writes nothing), read every problem by family and field, then import it. The file is
// read in the browser and sent as text; the API checks it and decides.

import { call } from "../api.js";
import { button, clearErrors, h, scrolling, showErrors, summaryList, table } from "../dom.js";
import { describe } from "../errors.js";
import { submit } from "../forms.js";

export const title = "Import historic cases";

const LABELS = { content: { id: "import-file", label: "File" } };
const FORBIDDEN = "Only an administrator or an information governance officer can import cases.";

// The import's own words for a file too large, as the API words them: the limit, and to split the file.
function tooLarge(bytes, limits) {
  const most = limits ? ` the most an import takes is ${limits.maxBytes.toLocaleString("en-GB")} bytes.` : " it is more than an import takes.";
  const size = bytes ? `The file is ${bytes.toLocaleString("en-GB")} bytes;` : "The file is too large to send:";
  return `${size}${most} Split it into several files and import each.`;
}

// A refusal of the request's size (by the service or a proxy before it) is about the file on this page.
const wording = (limits) => ({ FORBIDDEN, PAYLOAD_TOO_LARGE: tooLarge(null, limits) });

export async function render(main, context) {
  const results = h("div", { id: "import-results", "aria-live": "polite" });
  const form = h(
    "form",
    { id: "import-form", novalidate: true },
    h(
      "div",
      { class: "govuk-form-group" },
      h("label", { class: "govuk-label govuk-label--m", for: "import-file" }, "Upload a file"),
      h("div", { class: "govuk-hint", id: "import-file-hint" }, "A JSON file in the import format (taf-import/1). Larger histories are split into several files."),
      h("input", { class: "govuk-file-upload", id: "import-file", name: "import-file", type: "file", accept: ".json,application/json", "aria-describedby": "import-file-hint" }),
    ),
    button("Check the file"),
  );
  const view = { sessionEnded: context.sessionEnded };
  // Asked once, so that a file too large is refused here, before it is read or sent; without the answer
  // (someone who may not import), the API decides.
  const limits = call("CaseImportLimits").then(({ caseImportLimits }) => caseImportLimits, () => null);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = form.elements["import-file"].files[0];
    if (!file) return showErrors(form, [{ message: "Select a file to import", fieldId: "import-file" }]);
    view.limits = await limits;
    results.replaceChildren();
    if (view.limits && file.size > view.limits.maxBytes) return showErrors(form, [{ message: tooLarge(file.size, view.limits), fieldId: "import-file" }]);
    const content = await file.text();
    await submit(form, view, {
      send: () => call("CaseImport", { input: { content, dryRun: true } }),
      done: ({ caseImport: report }) => checked(form, results, report, () => importIt(form, results, view, content, context)),
      labels: LABELS,
      wording: () => wording(view.limits),
    });
  });
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Import historic cases"),
    h("p", { class: "govuk-body" }, "Bring families from another system with the days they were really opened and closed, their members, team, assessments and steps up and down."),
    h("p", { class: "govuk-body" }, "Check the file first: nothing is written, and every problem is listed by family and field. A file is imported whole or not at all."),
    form,
    results,
  );
  return title;
}

function checked(form, results, report, onImport) {
  if (report.problemCount) {
    showErrors(form, [{ message: `The file has ${report.problemCount} ${report.problemCount === 1 ? "problem" : "problems"}. Nothing has been imported. Correct the file and check it again.`, fieldId: "import-file" }]);
    results.replaceChildren(
      h("h2", { class: "govuk-heading-m", id: "import-problems-heading" }, "Problems in the file"),
      scrolling("Problems in the file (scrolls sideways)", table({ id: "import-problems", caption: "Problems in the file, by family and field", head: ["Family (row)", "Field", "Problem"], rows: report.problems.map((problem) => [problem.row ? String(problem.row) : "The file", problem.field, problem.message]) })),
      report.problemCount > report.problems.length ? h("p", { class: "govuk-body" }, `The first ${report.problems.length} problems are listed.`) : null,
    );
    return;
  }
  clearErrors(form);
  const start = button(`Import ${report.families} ${report.families === 1 ? "family" : "families"}`, { type: "button", id: "import-start" });
  start.addEventListener("click", onImport);
  results.replaceChildren(h("h2", { class: "govuk-heading-m", tabindex: "-1", id: "import-checked" }, "The file has no problems"), counts(report), start);
  results.querySelector("h2").focus();
}

function counts(report) {
  return summaryList(
    [
      ["Families", String(report.families)],
      ["Family members", String(report.members)],
      ["Team members", String(report.teamMembers)],
      ["Assessments", `${report.assessments}, with ${report.ratings} risk ratings`],
      ["Steps and closures", String(report.transitions)],
      ["Services received", String(report.servicesReceived)],
    ],
    { id: "import-counts" },
  );
}

async function importIt(form, results, view, content, context) {
  const start = results.querySelector("#import-start");
  start.disabled = true;
  try {
    const { caseImport: report } = await call("CaseImport", { input: { content, dryRun: false } });
    results.replaceChildren(
      h("div", { class: "govuk-panel govuk-panel--confirmation", tabindex: "-1", id: "import-done" }, h("h2", { class: "govuk-panel__title" }, "Cases imported"), h("div", { class: "govuk-panel__body" }, `${report.families} ${report.families === 1 ? "family" : "families"}`)),
      counts(report),
      scrolling("References (scrolls sideways)", table({ id: "import-references", caption: "Each family's reference in the old system and in this one", captionHidden: false, head: ["Old reference", "Reference"], rows: report.references.map((r) => [r.sourceReference, r.reference]) })),
    );
    results.querySelector("#import-done").focus();
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") return context.sessionEnded();
    start.disabled = false;
    showErrors(form, [describe(error, { labels: LABELS, overrides: wording(view.limits) })]);
  }
}
