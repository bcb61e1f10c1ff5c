// A worker's own time away: the periods they are marked away, cancelling one, and marking a new one.
// While they are away, the deputy lead of each family they lead covers urgent matters. Why they are away
// is never asked: the team only needs to know that someone covers.

import { call } from "../api.js";
import { button, dateInput, h, hidden, readDate, table } from "../dom.js";
import { refuse, submit } from "../forms.js";
import { formatDate } from "../labels.js";

export const title = "Your time away";

export async function render(main, context) {
  const { myTimeAway: periods } = await call("MyTimeAway");
  const view = { sessionEnded: context.sessionEnded, done: (message) => context.navigate("/time-away", { message }) };
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Your time away"),
    h("p", { class: "govuk-body" }, "While you are away, the deputy lead of each family you lead is told of its escalations and actions, and acknowledges and resolves escalations. Families without a deputy lead go to your manager."),
    periods.length
      ? table({
          id: "time-away-table",
          caption: "When you are away",
          head: ["First day", "Last day", "Now", "Cancel"],
          rows: periods.map((period) => [formatDate(period.startsOn), formatDate(period.endsOn), period.current ? "Away now" : "Coming up", cancelForm(period, view)]),
        })
      : h("p", { class: "govuk-body", id: "no-time-away" }, "You are not marked away."),
    h("h2", { class: "govuk-heading-m" }, "Mark yourself away"),
    recordForm(view),
  );
  return title;
}

function cancelForm(period, view) {
  const form = h("form", { novalidate: true, class: "taf-time-away-cancel" }, button(["Cancel", hidden(` your time away from ${formatDate(period.startsOn)} to ${formatDate(period.endsOn)}`)], { class: "govuk-button govuk-button--secondary govuk-!-margin-bottom-0" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, view, {
      send: () => call("TimeAwayCancel", { input: { timeAwayId: period.id, expectedVersion: period.version } }),
      done: () => view.done("Your time away was cancelled."),
    });
  });
  return form;
}

function recordForm(view) {
  const form = h(
    "form",
    { novalidate: true, id: "time-away-form" },
    dateInput({ id: "away-from", legend: "First day away", hint: "For example, 27 3 2027" }),
    dateInput({ id: "away-to", legend: "Last day away", hint: "The day before you are back" }),
    button("Mark me away"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const startsOn = readDate(form, "away-from");
    const endsOn = readDate(form, "away-to");
    const problems = [];
    if (!startsOn) problems.push({ message: startsOn === "" ? "Enter your first day away" : "Enter a real first day away", fieldId: "away-from-day" });
    if (!endsOn) problems.push({ message: endsOn === "" ? "Enter your last day away" : "Enter a real last day away", fieldId: "away-to-day" });
    else if (startsOn && endsOn < startsOn) problems.push({ message: "Your last day away must be the same as or after your first", fieldId: "away-to-day" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () => call("TimeAwayRecord", { input: { startsOn, endsOn } }),
      done: () => view.done(`You are marked away from ${formatDate(startsOn)} to ${formatDate(endsOn)}.`),
      labels: { startsOn: { id: "away-from-day", label: "First day away" }, endsOn: { id: "away-to-day", label: "Last day away" } },
    });
  });
  return form;
}
