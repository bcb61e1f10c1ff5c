// Correcting a wrong assessment: its author gives the whole of it again as it should read, and why. The
// API keeps the old version (shown as the assessment's earlier versions) and refuses anyone else.
// #/families/<family id>/assessments/<assessment id>/correct

import { call } from "../api.js";
import { button, checkbox, checkboxes, checkedValues, dateInput, h, readDate, selectField, textArea } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { CATEGORY, choices, formatDate, LEVEL_OF_NEED } from "../labels.js";
import { ASSESSMENT_STAGE, todayIso } from "../plan/labels.js";
import { RATING } from "../family/assessments.js";
import { isId, noSuchFamily } from "./not-found.js";

export const openTo = { roles: ["practitioner"], refusal: "Only the practitioner who recorded an assessment can correct it." };

const NARRATIVE = [
  ["strengths", "assessment-strengths", "Strengths", 3],
  ["needs", "assessment-needs", "Needs", 3],
  ["childViews", "assessment-child-views", "The child's views, in their own words", 2],
  ["familyViews", "assessment-family-views", "The family's views, in their own words", 2],
  ["protectiveFactors", "assessment-protective", "Protective factors", 2],
];

export async function render(main, context) {
  const [familyId, assessmentId] = context.params;
  if (!isId(familyId) || !isId(assessmentId)) return noSuchFamily(main, context.session.me);
  const [{ family }, { assessment }, { assessmentFactors: factors }] = await Promise.all([
    call("Family", { id: familyId }),
    call("Assessment", { id: assessmentId }),
    call("AssessmentFactors"),
  ]);
  const familyPath = `/families/${encodeURIComponent(family.id)}/assessments`; // back to the Assessments sub-page
  const title = `Correct the ${ASSESSMENT_STAGE[assessment.stage].toLowerCase()} of ${formatDate(assessment.assessedOn)}`;
  const back = h("a", { class: "govuk-back-link", href: `#${familyPath}` }, `Back to ${family.displayName}'s assessments`);
  const heading = [h("span", { class: "govuk-caption-l" }, family.displayName), h("h1", { class: "govuk-heading-l", tabindex: "-1" }, title)];
  if (assessment.author.id !== context.session.me.id || !assessment.contentVisible) {
    main.append(back, ...heading, h("p", { class: "govuk-body", id: "assessment-correct-refused" }, "Only the practitioner who recorded this assessment can correct it. Ask them to, giving the reason."));
    return title;
  }
  const form = correctionForm(assessment, family, factors);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(form, assessment, factors, { ...context, done: () => context.navigate(familyPath, { message: "Assessment corrected. The earlier version is kept with it." }) });
  });
  main.append(back, h("div", { class: "govuk-grid-row" }, h("div", { class: "govuk-grid-column-two-thirds" }, ...heading, h("p", { class: "govuk-body" }, "Give the whole assessment as it should read. The version you correct is kept, and shown with it as an earlier version, with your reason."), form)));
  return title;
}

function correctionForm(assessment, family, factors) {
  const familyFactors = factors.filter((factor) => factor.scope === "family");
  const resilience = factors.filter((factor) => factor.scope === "resilience");
  const rated = new Map(assessment.ratings.filter((rating) => !rating.memberId).map((rating) => [rating.factor, rating.rating]));
  const memberRatings = assessment.ratings.filter((rating) => rating.memberId);
  const names = new Map(family.members.map((member) => [member.id, member.fullName]));
  const form = h(
    "form",
    { id: "assessment-correct-form", novalidate: true },
    selectField({ id: "assessment-stage", label: "Which assessment", options: choices(ASSESSMENT_STAGE), value: assessment.stage }),
    dateInput({ id: "assessment-on", legend: "Date of the assessment", hint: "Today or earlier, for example 3 11 2026" }),
    selectField({ id: "assessment-level", label: "Level of need found", options: choices(LEVEL_OF_NEED), value: assessment.levelOfNeed }),
    NARRATIVE.map(([, id, label, rows]) => textArea({ id, label, rows })),
    selectField({ id: "assessment-category", label: "Category of the assessment's words", hint: "It decides which agencies may read it.", options: choices(CATEGORY), value: assessment.category }),
    checkbox({ id: "assessment-third-party", label: "Names people outside the family", hint: "Such as a neighbour or an ex-partner. It is never shown to the family.", checked: assessment.containsThirdPartyIdentities }),
    resilience.length
      ? checkboxes({ id: "assessment-resilience", name: "assessment-resilience", legend: "Resilience indicators present", items: resilience.map((factor) => ({ value: factor.code, text: factor.label })), checked: assessment.resilienceIndicators.map((indicator) => indicator.code) })
      : null,
    familyFactors.length ? h("h2", { class: "govuk-heading-m" }, "Risk factors for the family as a whole") : null,
    familyFactors.map((factor) => selectField({ id: `assessment-factor-${factor.code}`, label: factor.label, options: choices(RATING, { first: "Not rated" }), value: rated.get(factor.code) || "" })),
    memberRatings.length
      ? h(
          "div",
          { class: "govuk-inset-text", id: "assessment-member-ratings" },
          h("p", { class: "govuk-body" }, "These ratings for family members are kept as they are:"),
          h("ul", { class: "govuk-list govuk-list--bullet" }, memberRatings.map((rating) => h("li", {}, `${rating.label} for ${names.get(rating.memberId) || "a family member"}: ${RATING[rating.rating]}`))),
        )
      : null,
    textArea({ id: "assessment-reason", label: "Why are you correcting it?", hint: "For example, the date was mistyped, or a rating was recorded against the wrong factor. The team reads this with the assessment.", rows: 3 }),
    button("Save the correction"),
  );
  const [year, month, day] = assessment.assessedOn.split("-");
  form.querySelector("#assessment-on-day").value = String(Number(day));
  form.querySelector("#assessment-on-month").value = String(Number(month));
  form.querySelector("#assessment-on-year").value = year;
  for (const [key, id] of NARRATIVE) form.querySelector(`#${id}`).value = assessment[key] || "";
  return form;
}

function send(form, assessment, factors, context) {
  const on = readDate(form, "assessment-on");
  const problems = [];
  if (!value(form, "assessment-reason")) problems.push({ message: "Enter why you are correcting the assessment", fieldId: "assessment-reason" });
  if (!on) problems.push({ message: on === "" ? "Enter the date of the assessment" : "Enter a real date", fieldId: "assessment-on-day" });
  else if (on > todayIso()) problems.push({ message: "The date cannot be in the future", fieldId: "assessment-on-day" });
  if (refuse(form, problems)) return;
  const familyRatings = factors
    .filter((factor) => factor.scope === "family" && value(form, `assessment-factor-${factor.code}`))
    .map((factor) => ({ factor: factor.code, rating: value(form, `assessment-factor-${factor.code}`) }));
  const memberRatings = assessment.ratings.filter((rating) => rating.memberId).map((rating) => ({ factor: rating.factor, rating: rating.rating, memberId: rating.memberId }));
  const input = {
    assessmentId: assessment.id,
    reason: value(form, "assessment-reason"),
    stage: value(form, "assessment-stage"),
    assessedOn: on,
    levelOfNeed: value(form, "assessment-level"),
    ...Object.fromEntries(NARRATIVE.map(([key, id]) => [key, value(form, id)])),
    resilienceIndicators: checkedValues(form, "assessment-resilience"),
    ratings: [...familyRatings, ...memberRatings],
    category: value(form, "assessment-category"),
    containsThirdPartyIdentities: form.elements["assessment-third-party"].checked,
  };
  submit(form, context, {
    send: () => call("AssessmentCorrect", { input }),
    done: context.done,
    labels: {
      reason: { id: "assessment-reason", label: "Why are you correcting it?" },
      stage: { id: "assessment-stage", label: "Which assessment" },
      assessedOn: { id: "assessment-on-day", label: "Date" },
      levelOfNeed: { id: "assessment-level", label: "Level of need found" },
      ratings: { id: factors.find((factor) => factor.scope === "family") ? `assessment-factor-${factors.find((factor) => factor.scope === "family").code}` : "assessment-stage", label: "Risk factors" },
    },
  });
}
