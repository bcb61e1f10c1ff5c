// The family plan: goals in the family's own words and the actions that serve them, each with its
// owner (agency and person) and due date; overdue actions are said in words. The owning agency updates
// its actions; the lead professional sets goals and actions. The words of a goal or an action are its
// agency's information in a category: where the server withholds them (null), the page says whose
// information in which category they are, and still shows the owner, dates and status.

import { call } from "../api.js";
import { button, checkbox, dateInput, details, h, hidden, readDate, selectField, summaryList, textArea, uniqueId } from "../dom.js";
import { STALE_ITEM } from "../errors.js";
import { refuse, submit, value } from "../forms.js";
import { CATEGORY, choices, formatDate } from "../labels.js";
import { contingencyForm, contingencySection } from "../plan/contingencies.js";
import { contactsPerWeek } from "./contacts.js";
import { ACTION_STATUS, ACTION_STATUS_TAG, GOAL_STATUS, OUTCOME_DOMAIN, actionWords, dueText, goalWords, todayIso, withheld } from "../plan/labels.js";
import { reloadButton } from "./contributions.js";

export const id = "plan";
export const title = "The plan";

export const visible = () => true;

const planning = (view) => view.isLead && view.family.status !== "closed";

export const questions = [
  { path: "goals/new", title: "Add a goal", offered: planning, render: (view) => goalForm(view) },
  { path: "contingencies/new", title: "Add a contingency", offered: planning, render: (view) => contingencyForm(view) },
  {
    path: "actions/new",
    title: "Add an action",
    offered: planning,
    render: async (view) => actionForm(view, (await view.query("FamilyPlan", { familyId: view.family.id })).familyPlan.goals),
  },
];

export async function render(view) {
  const [{ familyPlan: plan }, perWeek] = await Promise.all([view.query("FamilyPlan", { familyId: view.family.id }), contactsPerWeek(view.family.id, { id: "plan-contacts-per-week", weeks: 4, query: view.query })]);
  const overdue = plan.actions.filter((action) => action.overdue).length;
  const byGoal = (goalId) => plan.actions.filter((action) => action.goalId === goalId);
  const loose = plan.actions.filter((action) => !action.goalId || !plan.goals.some((goal) => goal.id === action.goalId));
  return h(
    "div",
    { id: "plan-content" },
    h(
      "p",
      { class: "govuk-body", id: "plan-summary" },
      `${count(plan.goals.length, "goal")} and ${count(plan.actions.length, "action")}.`,
      overdue ? h("strong", {}, ` ${count(overdue, "action")} ${overdue === 1 ? "is" : "are"} overdue.`) : " Nothing is overdue.",
    ),
    perWeek,
    plan.goals.length ? null : h("p", { class: "govuk-body" }, "No goals have been agreed yet."),
    plan.goals.map((goal) => goalCard(goal, byGoal(goal.id), view)),
    loose.length ? h("div", { class: "taf-agency-group" }, h("h3", { class: "govuk-heading-s" }, "Other actions"), loose.map((action) => actionCard(action, view))) : null,
    planning(view)
      ? h(
          "div",
          { class: "govuk-button-group" },
          view.questionLink("goals/new", "Add a goal", { id: "add-goal" }),
          view.questionLink("actions/new", "Add an action", { id: "add-action" }),
        )
      : null,
    contingencySection(plan.contingencies, view, reloadButton),
  );
}

const count = (n, noun) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function goalCard(goal, actions, view) {
  const titleId = uniqueId("goal");
  return h(
    "div",
    { class: "govuk-summary-card", "data-goal": goal.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title", id: titleId }, goal.contentVisible ? `“${goal.inFamilyWords}”` : `A goal about ${OUTCOME_DOMAIN[goal.outcomeDomain].toLowerCase()}`),
      h("strong", { class: `govuk-tag ${goal.status === "open" ? "govuk-tag--blue" : "govuk-tag--grey"}` }, GOAL_STATUS[goal.status]),
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      goal.contentVisible ? null : h("div", { class: "govuk-inset-text taf-withheld" }, withheld(goal)),
      summaryList(
        [
          ["Outcome area", OUTCOME_DOMAIN[goal.outcomeDomain]],
          ["Agreed with the family", goal.agreedWithFamily ? `Yes${goal.agreedOn ? `, on ${formatDate(goal.agreedOn)}` : ""}` : "Not yet"],
          goal.conferenceId ? ["Whose plan", "The family's own, made at its family group conference"] : null,
          goal.targetDate ? ["Target date", formatDate(goal.targetDate)] : null,
        ],
        { "aria-labelledby": titleId },
      ),
      view.isLead ? goalStatusForm(goal, view) : null,
      h("h4", { class: "govuk-heading-s" }, "Actions", hidden(` for this goal`)),
      actions.length ? actions.map((action) => actionCard(action, view)) : h("p", { class: "govuk-body" }, "No actions for this goal yet."),
    ),
  );
}

/** May the signed-in worker update this action? Its agency's workers, and the lead (the API decides). */
export const mayUpdate = (action, view) =>
  view.canContribute && (view.isLead || Boolean(view.me.agency && view.me.agency.id === action.owningAgency.id));

export function actionCard(action, view) {
  const mine = action.owner.id === view.me.id;
  return h(
    "div",
    { class: `taf-action${action.overdue ? " taf-action--overdue" : ""}`, "data-action": action.id },
    action.contentVisible ? h("p", { class: "govuk-body taf-action__text" }, action.description) : h("div", { class: "govuk-inset-text taf-withheld taf-action__text" }, withheld(action)),
    h(
      "p",
      { class: "govuk-body taf-action__facts" },
      h("strong", { class: `govuk-tag ${ACTION_STATUS_TAG[action.status]}` }, ACTION_STATUS[action.status]),
      " ",
      action.overdue ? h("strong", { class: "govuk-tag govuk-tag--red" }, "Overdue") : null,
      h("br"),
      `Owner: ${action.owner.displayName}, ${action.owningAgency.name}${mine ? " (you)" : ""}`,
      h("br"),
      h("span", { class: action.overdue ? "taf-overdue-text" : "" }, dueText(action)),
    ),
    mayUpdate(action, view) && (action.status === "open" || action.status === "in_progress") ? updateForm(action, view) : null,
  );
}

function updateForm(action, view) {
  const prefix = uniqueId("action-update");
  const form = h(
    "form",
    { novalidate: true, class: "taf-action-update" },
    selectField({
      id: `${prefix}-status`,
      label: "Where this action stands",
      options: choices(ACTION_STATUS),
      value: action.status,
    }),
    button(["Save", hidden(` the update to: ${actionWords(action)}`)]),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const status = value(form, `${prefix}-status`);
    if (status === action.status) return refuse(form, [{ message: "Choose where the action stands now", fieldId: `${prefix}-status` }]);
    submit(form, view, {
      send: () => call("PlanActionEdit", { input: { actionId: action.id, expectedVersion: action.version, status } }),
      done: () => view.done(`Action updated: ${ACTION_STATUS[status]}.`),
      labels: { status: { id: `${prefix}-status`, label: "Where this action stands" } },
      wording: (error) => (error.code === "CONFLICT" && /since you opened/.test(error.message) ? { CONFLICT: STALE_ITEM } : {}),
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload the plan") : null),
    });
  });
  return details(["Update this action", hidden(`: ${actionWords(action)}`)], form, { class: "govuk-details taf-action__update" });
}

/** The lead professional records where a goal stands (achieved, partly achieved...), guarded by its version. */
export function goalStatusForm(goal, view) {
  const prefix = uniqueId("goal-status");
  const form = h(
    "form",
    { novalidate: true, class: "taf-goal-status" },
    selectField({ id: `${prefix}-value`, label: "Where the goal stands", options: choices(GOAL_STATUS), value: goal.status }),
    button(["Save", hidden(` where the goal stands: ${goalWords(goal)}`)]),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const status = value(form, `${prefix}-value`);
    if (status === goal.status) return refuse(form, [{ message: "Choose where the goal stands now", fieldId: `${prefix}-value` }]);
    submit(form, view, {
      send: () => call("PlanGoalEdit", { input: { goalId: goal.id, expectedVersion: goal.version, status } }),
      done: () => view.done(`Goal updated: ${GOAL_STATUS[status]}.`),
      labels: { status: { id: `${prefix}-value`, label: "Where the goal stands" } },
      wording: (error) => (error.code === "CONFLICT" && /since you opened/.test(error.message) ? { CONFLICT: STALE_ITEM } : {}),
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload the plan") : null),
    });
  });
  return details(["Update where this goal stands", hidden(`: ${goalWords(goal)}`)], form);
}

function goalForm(view) {
  const form = h(
    "form",
    { id: "goal-add-form", novalidate: true },
    textArea({ id: "goal-words", label: "The goal, in the family's own words", rows: 2 }),
    selectField({ id: "goal-domain", label: "Outcome area", options: choices(OUTCOME_DOMAIN, { first: "Choose an outcome area" }) }),
    categoryField("goal-category"),
    checkbox({ id: "goal-agreed", label: "The family has agreed this goal", hint: "An agreed goal is shared with the whole team, unless the family refused its category" }),
    selectField({
      id: "goal-conference",
      label: "From the family's own plan (optional)",
      hint: "A goal the family made at its family group conference is agreed with the family",
      options: [{ value: "", text: "Not from a family group conference" }],
    }),
    dateInput({ id: "goal-target", legend: "Target date (optional)", hint: "For example, 27 3 2027" }),
    button("Add the goal"),
  );
  heldConferences(view.family.id).then((held) => {
    const select = form.elements["goal-conference"];
    for (const meeting of held) select.append(h("option", { value: meeting.id }, `Family group conference, ${formatDate(meeting.scheduledAt)}`));
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const target = readDate(form, "goal-target");
    const problems = [];
    if (!value(form, "goal-words")) problems.push({ message: "Enter the goal in the family's words", fieldId: "goal-words" });
    if (!value(form, "goal-domain")) problems.push({ message: "Choose an outcome area", fieldId: "goal-domain" });
    if (target === null) problems.push({ message: "Enter a real target date", fieldId: "goal-target-day" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("PlanGoalAdd", {
          input: {
            familyId: view.family.id,
            inFamilyWords: value(form, "goal-words"),
            outcomeDomain: value(form, "goal-domain"),
            agreedWithFamily: form.elements["goal-agreed"].checked || Boolean(value(form, "goal-conference")),
            targetDate: target || null,
            category: value(form, "goal-category"),
            conferenceId: value(form, "goal-conference") || null,
          },
        }),
      done: () => view.done("Goal added to the plan."),
      labels: {
        inFamilyWords: { id: "goal-words", label: "The goal" },
        outcomeDomain: { id: "goal-domain", label: "Outcome area" },
        targetDate: { id: "goal-target-day", label: "Target date" },
        category: { id: "goal-category", label: "Category" },
        conferenceId: { id: "goal-conference", label: "From the family's own plan" },
      },
    });
  });
  return form;
}

async function heldConferences(familyId) {
  const { familyMeetings: meetings } = await call("FamilyMeetings", { familyId });
  return meetings.filter((meeting) => meeting.kind === "family_group_conference" && meeting.status === "held");
}

/** The owner choices: the workers on the family's team. */
export function ownerOptions(team) {
  return [{ value: "", text: "Choose who will do it" }, ...team.map((member) => ({ value: member.worker.id, text: `${member.worker.displayName}, ${member.agency.name}` }))];
}

export function goalOptions(goals) {
  return [{ value: "", text: "Not linked to a goal" }, ...goals.map((goal) => ({ value: goal.id, text: goal.contentVisible ? goal.inFamilyWords : `${withheld(goal)} (${OUTCOME_DOMAIN[goal.outcomeDomain]})` }))];
}

/** The information category of a goal's or an action's words: consent is given per category, so it decides who reads them. */
export function categoryField(id) {
  return selectField({
    id,
    label: "Category of information",
    hint: "Consent is given per category: it decides which other agencies can read the words. Choose Other if nothing fits",
    options: choices(CATEGORY),
    value: "other",
  });
}

/** Read and check the new-action fields that share `prefix`; returns the input or null after showing problems. */
export function readAction(form, prefix) {
  const due = readDate(form, `${prefix}-due`);
  const problems = [];
  if (!value(form, `${prefix}-description`)) problems.push({ message: "Enter what needs to be done", fieldId: `${prefix}-description` });
  if (!value(form, `${prefix}-owner`)) problems.push({ message: "Choose who will do it", fieldId: `${prefix}-owner` });
  if (!due) problems.push({ message: due === "" ? "Enter the date it is due" : "Enter a real due date", fieldId: `${prefix}-due-day` });
  else if (due < todayIso()) problems.push({ message: "The due date must be today or later", fieldId: `${prefix}-due-day` });
  if (refuse(form, problems)) return null;
  return {
    description: value(form, `${prefix}-description`),
    ownerUserId: value(form, `${prefix}-owner`),
    dueDate: due,
    goalId: value(form, `${prefix}-goal`) || null,
    category: value(form, `${prefix}-category`) || "other",
  };
}

export function actionFields(prefix, team, goals) {
  return [
    textArea({ id: `${prefix}-description`, label: "What needs to be done", rows: 2 }),
    selectField({ id: `${prefix}-owner`, label: "Who will do it", hint: "A worker on the family's team; their agency owns the action", options: ownerOptions(team) }),
    dateInput({ id: `${prefix}-due`, legend: "When it is due", hint: "For example, 27 3 2027" }),
    goals.length ? selectField({ id: `${prefix}-goal`, label: "The goal it serves (optional)", options: goalOptions(goals) }) : null,
    categoryField(`${prefix}-category`),
  ];
}

export const actionLabels = (prefix) => ({
  description: { id: `${prefix}-description`, label: "What needs to be done" },
  ownerUserId: { id: `${prefix}-owner`, label: "Who will do it" },
  dueDate: { id: `${prefix}-due-day`, label: "When it is due" },
  goalId: { id: `${prefix}-goal`, label: "The goal it serves" },
  category: { id: `${prefix}-category`, label: "Category of information" },
});

function actionForm(view, goals) {
  const form = h("form", { id: "action-add-form", novalidate: true }, actionFields("new-action", view.family.team, goals), button("Add the action"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = readAction(form, "new-action");
    if (!input) return;
    submit(form, view, {
      send: () => call("PlanActionAdd", { input: { familyId: view.family.id, ...input } }),
      done: () => view.done("Action added to the plan."),
      labels: actionLabels("new-action"),
    });
  });
  return form;
}
