// The family's assessments (entry, review, exit): snapshots that never change, oldest first. The
// narrative and each rating are the assessing agency's information: the API leaves out what the reader
// may not see (a withheld narrative comes as null, with contentVisible false; a withheld rating not at all).

import { call } from "../api.js";
import { button, checkbox, checkboxes, checkedValues, dateInput, details, h, readDate, scrolling, selectField, summaryList, table, textArea, uniqueId } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { CATEGORY, choices, formatDate, LEVEL_OF_NEED } from "../labels.js";
import { ASSESSMENT_STAGE, todayIso } from "../plan/labels.js";

export const id = "assessments";
export const title = "Assessments";

export const visible = () => true;

const recording = (view) => view.isLead && view.family.status !== "closed";

export const questions = [
  { path: "new", title: "Record an assessment", offered: recording, render: async (view) => recordForm(view, (await view.query("AssessmentFactors")).assessmentFactors) },
];

export const RATING = { not_a_concern: "Not a concern", low: "Low", medium: "Medium", high: "High", no_longer_a_risk: "No longer a risk" };

export async function render(view) {
  const { familyAssessments: assessments } = await view.query("FamilyAssessments", { familyId: view.family.id });
  const members = new Map(view.family.members.map((member) => [member.id, member.fullName]));
  const recordable = recording(view);
  return h(
    "div",
    {},
    assessments.length
      ? h("div", { id: "assessments-list" }, assessments.map((assessment) => card(assessment, members, { correctPath: correctable(view, assessment) ? `/families/${encodeURIComponent(view.family.id)}/assessments/${encodeURIComponent(assessment.id)}/correct` : null })))
      : h("p", { class: "govuk-body", id: "assessments-list" }, "No assessment has been recorded yet."),
    recordable ? view.questionLink("new", "Record an assessment", { id: "record-assessment" }) : null,
  );
}

// The API lets the author correct their own assessment while they may record the family's assessments.
const correctable = (view, assessment) => view.family.status !== "closed" && assessment.author.id === view.me.id && assessment.contentVisible;

const RATING_CHOICES = choices(RATING, { first: "Not rated" });

/** In place of content the reader may not see: whose it is and its category, nothing of it. */
export const withheldText = (agency, category) => `Withheld: you may not read ${agency.name}'s ${CATEGORY[category].toLowerCase()} information.`;

/** The same as GOV.UK inset text. */
export const withheld = (agency, category) => h("div", { class: "govuk-inset-text", "data-withheld": category }, withheldText(agency, category));

/** The category select and third-party checkbox of a form that records case content. */
export function contentFields(prefix, what) {
  return [
    selectField({ id: `${prefix}-category`, label: `Category of the ${what}`, hint: "It decides which agencies may read it: those the family agreed to share this category with, or a safeguarding override shares it with.", options: choices(CATEGORY), value: "other" }),
    checkbox({ id: `${prefix}-third-party`, label: "Names people outside the family", hint: "Such as a neighbour or an ex-partner. It is never shown to the family." }),
  ];
}

// The form records the family-wide risk factors and the resilience indicators; ratings for each
// family member are recorded through the API (assessmentRecord) for now.
function recordForm(view, factors) {
  const family = factors.filter((factor) => factor.scope === "family");
  const resilience = factors.filter((factor) => factor.scope === "resilience");
  const form = h(
    "form",
    { id: "assessment-form", novalidate: true },
    selectField({ id: "assessment-stage", label: "Which assessment", options: choices(ASSESSMENT_STAGE, { first: "Choose one" }) }),
    dateInput({ id: "assessment-on", legend: "Date of the assessment", hint: "Today or earlier, for example 3 11 2026" }),
    selectField({ id: "assessment-level", label: "Level of need found", options: choices(LEVEL_OF_NEED, { first: "Choose a level of need" }), value: view.family.levelOfNeed }),
    textArea({ id: "assessment-strengths", label: "Strengths", rows: 3 }),
    textArea({ id: "assessment-needs", label: "Needs", rows: 3 }),
    textArea({ id: "assessment-child-views", label: "The child's views, in their own words", rows: 2 }),
    textArea({ id: "assessment-family-views", label: "The family's views, in their own words", rows: 2 }),
    textArea({ id: "assessment-protective", label: "Protective factors", rows: 2 }),
    contentFields("assessment", "assessment's words"),
    resilience.length ? checkboxes({ id: "assessment-resilience", name: "assessment-resilience", legend: "Resilience indicators present", items: resilience.map((factor) => ({ value: factor.code, text: factor.label })) }) : null,
    family.length ? h("h3", { class: "govuk-heading-s" }, "Risk factors for the family as a whole") : null,
    family.map((factor) => selectField({ id: `assessment-factor-${factor.code}`, label: factor.label, options: RATING_CHOICES.filter((choice) => choice.value !== "no_longer_a_risk") })),
    button("Record the assessment"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const on = readDate(form, "assessment-on");
    const problems = [];
    if (!value(form, "assessment-stage")) problems.push({ message: "Choose which assessment it is", fieldId: "assessment-stage" });
    if (!on) problems.push({ message: on === "" ? "Enter the date of the assessment" : "Enter a real date", fieldId: "assessment-on-day" });
    else if (on > todayIso()) problems.push({ message: "The date cannot be in the future", fieldId: "assessment-on-day" });
    if (!value(form, "assessment-level")) problems.push({ message: "Choose the level of need", fieldId: "assessment-level" });
    if (refuse(form, problems)) return;
    const ratings = family
      .filter((factor) => value(form, `assessment-factor-${factor.code}`))
      .map((factor) => ({ factor: factor.code, rating: value(form, `assessment-factor-${factor.code}`) }));
    submit(form, view, {
      send: () =>
        call("AssessmentRecord", {
          input: {
            familyId: view.family.id,
            stage: value(form, "assessment-stage"),
            assessedOn: on,
            levelOfNeed: value(form, "assessment-level"),
            strengths: value(form, "assessment-strengths"),
            needs: value(form, "assessment-needs"),
            childViews: value(form, "assessment-child-views"),
            familyViews: value(form, "assessment-family-views"),
            protectiveFactors: value(form, "assessment-protective"),
            resilienceIndicators: checkedValues(form, "assessment-resilience"),
            ratings,
            category: value(form, "assessment-category"),
            containsThirdPartyIdentities: form.elements["assessment-third-party"].checked,
          },
        }),
      done: () => view.done("Assessment recorded."),
      labels: {
        stage: { id: "assessment-stage", label: "Which assessment" },
        assessedOn: { id: "assessment-on-day", label: "Date" },
        levelOfNeed: { id: "assessment-level", label: "Level of need found" },
        ratings: { id: family.length ? `assessment-factor-${family[0].code}` : "assessment-stage", label: "Risk factors" },
      },
    });
  });
  return form;
}

// A corrected assessment says so and why; its earlier versions are loaded when the reader opens them.
function corrections(assessment) {
  if (assessment.version === 1) return [];
  return [
    ["Version", `${assessment.version}, corrected on ${formatDate(assessment.createdAt.slice(0, 10))}`],
    assessment.contentVisible ? ["Why it was corrected", assessment.correctionReason] : null,
  ];
}

function history(assessment, members) {
  const content = h("p", { class: "govuk-body" }, "Loading the earlier versions…");
  const shown = details(`Earlier versions of this assessment (${assessment.version - 1})`, content, { "data-history": assessment.id });
  shown.addEventListener("toggle", async () => {
    if (!shown.open || shown.dataset.loaded) return;
    shown.dataset.loaded = "true";
    const { assessment: current } = await call("Assessment", { id: assessment.id });
    content.replaceChildren(...current.history.slice().reverse().map((version) => card(version, members, { heading: "h4", earlier: true })));
  });
  return shown;
}

function card(assessment, members, { heading = "h3", earlier = false, correctPath = null } = {}) {
  const titleId = uniqueId("assessment");
  const text = (words) => words || "Not recorded";
  const title = `${ASSESSMENT_STAGE[assessment.stage]}, ${formatDate(assessment.assessedOn)}${earlier ? ` (version ${assessment.version}, since corrected)` : ""}`;
  return h(
    "div",
    { class: "govuk-summary-card", "data-assessment": assessment.id },
    h("div", { class: "govuk-summary-card__title-wrapper" }, h(heading, { class: "govuk-summary-card__title", id: titleId }, title)),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          ...corrections(assessment),
          ["Level of need", LEVEL_OF_NEED[assessment.levelOfNeed]],
          ["Information", `${assessment.owningAgency.name}, ${CATEGORY[assessment.category].toLowerCase()}`],
          ...(assessment.contentVisible
            ? [
                ["Strengths", text(assessment.strengths)],
                ["Needs", text(assessment.needs)],
                ["The child's views", text(assessment.childViews)],
                ["The family's views", text(assessment.familyViews)],
                ["Protective factors", text(assessment.protectiveFactors)],
                ["Resilience", `${assessment.resilienceCount} of the indicators${assessment.resilienceIndicators.length ? `: ${assessment.resilienceIndicators.map((i) => i.label).join(", ")}` : ""}`],
              ]
            : []),
        ],
        { "aria-labelledby": titleId },
      ),
      assessment.contentVisible ? null : withheld(assessment.owningAgency, assessment.category),
      assessment.ratings.length
        ? scrolling(
            "Risk factor ratings (scrolls sideways)",
            table({
              caption: `Risk factor ratings, ${ASSESSMENT_STAGE[assessment.stage].toLowerCase()}`,
              head: ["Risk factor", "For", "Rating"],
              rows: assessment.ratings.map((rating) => [rating.label, rating.memberId ? members.get(rating.memberId) || "A family member" : "The family", RATING[rating.rating]]),
            }),
          )
        : null,
      assessment.version > 1 && !earlier ? history(assessment, members) : null,
      correctPath
        ? h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: `#${correctPath}`, "data-correct": assessment.id }, "Correct this assessment", h("span", { class: "govuk-visually-hidden" }, ` (${title})`)))
        : null,
    ),
  );
}
