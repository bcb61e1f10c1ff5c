// The family's assessments (entry, review, exit): snapshots that never change, oldest first.

import { call } from "../api.js";
import { h, scrolling, summaryList, table, uniqueId } from "../dom.js";
import { formatDate, LEVEL_OF_NEED } from "../labels.js";
import { ASSESSMENT_STAGE } from "../plan/labels.js";

export const id = "assessments";
export const title = "Assessments";

export const visible = () => true;

const RATING = { not_a_concern: "Not a concern", low: "Low", medium: "Medium", high: "High", no_longer_a_risk: "No longer a risk" };

export async function render(view) {
  const { familyAssessments: assessments } = await call("FamilyAssessments", { familyId: view.family.id });
  if (!assessments.length) return h("p", { class: "govuk-body" }, "No assessment has been recorded yet.");
  const members = new Map(view.family.members.map((member) => [member.id, member.fullName]));
  return h("div", { id: "assessments-list" }, assessments.map((assessment) => card(assessment, members)));
}

function card(assessment, members) {
  const titleId = uniqueId("assessment");
  const text = (words) => words || "Not recorded";
  return h(
    "div",
    { class: "govuk-summary-card", "data-assessment": assessment.id },
    h("div", { class: "govuk-summary-card__title-wrapper" }, h("h3", { class: "govuk-summary-card__title", id: titleId }, `${ASSESSMENT_STAGE[assessment.stage]}, ${formatDate(assessment.assessedOn)}`)),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          ["Level of need", LEVEL_OF_NEED[assessment.levelOfNeed]],
          ["Strengths", text(assessment.strengths)],
          ["Needs", text(assessment.needs)],
          ["The child's views", text(assessment.childViews)],
          ["The family's views", text(assessment.familyViews)],
          ["Protective factors", text(assessment.protectiveFactors)],
          ["Resilience", `${assessment.resilienceCount} of the indicators${assessment.resilienceIndicators.length ? `: ${assessment.resilienceIndicators.map((i) => i.label).join(", ")}` : ""}`],
        ],
        { "aria-labelledby": titleId },
      ),
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
    ),
  );
}
