// The family plan: goals in the family's own words and the actions that serve them, each with its
// owner (agency and person) and due date; overdue actions are said in words. The owning agency updates
// its actions; the lead professional sets goals and actions.

import { call } from "../api.js";
import { button, checkbox, dateInput, details, h, hidden, readDate, selectField, summaryList, textArea, uniqueId } from "../dom.js";
import { STALE_ITEM } from "../errors.js";
import { refuse, submit, value } from "../forms.js";
import { formatDate } from "../labels.js";
import { ACTION_STATUS, ACTION_STATUS_TAG, GOAL_STATUS, OUTCOME_DOMAIN, dueText, options, todayIso } from "../plan/labels.js";
import { reloadButton } from "./contributions.js";

export const id = "plan";
export const title = "The plan";

export const visible = () => true;

export async function render(view) {
  const { familyPlan: plan } = await call("FamilyPlan", { familyId: view.family.id });
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
    plan.goals.length ? null : h("p", { class: "govuk-body" }, "No goals have been agreed yet."),
    plan.goals.map((goal) => goalCard(goal, byGoal(goal.id), view)),
    loose.length ? h("div", { class: "taf-agency-group" }, h("h3", { class: "govuk-heading-s" }, "Other actions"), loose.map((action) => actionCard(action, view))) : null,
    view.isLead && view.family.status !== "closed" ? [goalForm(view), actionForm(view, plan.goals)] : null,
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
      h("h3", { class: "govuk-summary-card__title", id: titleId }, `“${goal.inFamilyWords}”`),
      h("strong", { class: `govuk-tag ${goal.status === "open" ? "govuk-tag--blue" : "govuk-tag--grey"}` }, GOAL_STATUS[goal.status]),
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          ["Outcome area", OUTCOME_DOMAIN[goal.outcomeDomain]],
          ["Agreed with the family", goal.agreedWithFamily ? `Yes${goal.agreedOn ? `, on ${formatDate(goal.agreedOn)}` : ""}` : "Not yet"],
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
    h("p", { class: "govuk-body taf-action__text" }, action.description),
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
      options: options(ACTION_STATUS),
      value: action.status,
    }),
    button(["Save", hidden(` the update to: ${action.description}`)]),
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
  return details(["Update this action", hidden(`: ${action.description}`)], form, { class: "govuk-details taf-action__update" });
}

/** The lead professional records where a goal stands (achieved, partly achieved...), guarded by its version. */
export function goalStatusForm(goal, view) {
  const prefix = uniqueId("goal-status");
  const form = h(
    "form",
    { novalidate: true, class: "taf-goal-status" },
    selectField({ id: `${prefix}-value`, label: "Where the goal stands", options: options(GOAL_STATUS), value: goal.status }),
    button(["Save", hidden(` where the goal stands: ${goal.inFamilyWords}`)]),
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
  return details(["Update where this goal stands", hidden(`: ${goal.inFamilyWords}`)], form);
}

function goalForm(view) {
  const form = h(
    "form",
    { id: "goal-add-form", novalidate: true },
    textArea({ id: "goal-words", label: "The goal, in the family's own words", rows: 2 }),
    selectField({ id: "goal-domain", label: "Outcome area", options: [{ value: "", text: "Choose an outcome area" }, ...options(OUTCOME_DOMAIN)] }),
    checkbox({ id: "goal-agreed", label: "The family has agreed this goal" }),
    dateInput({ id: "goal-target", legend: "Target date (optional)", hint: "For example, 27 3 2027" }),
    button("Add the goal"),
  );
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
            agreedWithFamily: form.elements["goal-agreed"].checked,
            targetDate: target || null,
          },
        }),
      done: () => view.done("Goal added to the plan."),
      labels: {
        inFamilyWords: { id: "goal-words", label: "The goal" },
        outcomeDomain: { id: "goal-domain", label: "Outcome area" },
        targetDate: { id: "goal-target-day", label: "Target date" },
      },
    });
  });
  return h("div", { class: "taf-subsection", id: "add-goal" }, details("Add a goal", form));
}

/** The owner choices: the workers on the family's team. */
export function ownerOptions(team) {
  return [{ value: "", text: "Choose who will do it" }, ...team.map((member) => ({ value: member.worker.id, text: `${member.worker.displayName}, ${member.agency.name}` }))];
}

export function goalOptions(goals) {
  return [{ value: "", text: "Not linked to a goal" }, ...goals.map((goal) => ({ value: goal.id, text: goal.inFamilyWords }))];
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
  };
}

export function actionFields(prefix, team, goals) {
  return [
    textArea({ id: `${prefix}-description`, label: "What needs to be done", rows: 2 }),
    selectField({ id: `${prefix}-owner`, label: "Who will do it", hint: "A worker on the family's team; their agency owns the action", options: ownerOptions(team) }),
    dateInput({ id: `${prefix}-due`, legend: "When it is due", hint: "For example, 27 3 2027" }),
    goals.length ? selectField({ id: `${prefix}-goal`, label: "The goal it serves (optional)", options: goalOptions(goals) }) : null,
  ];
}

export const actionLabels = (prefix) => ({
  description: { id: `${prefix}-description`, label: "What needs to be done" },
  ownerUserId: { id: `${prefix}-owner`, label: "Who will do it" },
  dueDate: { id: `${prefix}-due-day`, label: "When it is due" },
  goalId: { id: `${prefix}-goal`, label: "The goal it serves" },
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
  return h("div", { class: "taf-subsection", id: "add-action" }, details("Add an action", form));
}
