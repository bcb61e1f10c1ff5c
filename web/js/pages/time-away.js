// A worker's own time away: the periods they are marked away, cancelling one, and marking a new one.
// While they are away, the deputy lead of each family they lead covers urgent matters. Why they are away
// is never asked: the team only needs to know that someone covers. A manager does the same for their own
// agency's practitioners from each one's account page (timeAwaySection, with `who`).

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
    periodsTable(periods, view, null),
    h("h2", { class: "govuk-heading-m" }, "Mark yourself away"),
    recordForm(view, null),
  );
  return title;
}

/** For a manager, on a practitioner's account page: their time away, and marking them away. */
export async function timeAwaySection(who, view) {
  const { timeAwayOf: periods } = await call("TimeAwayOf", { userId: who.id });
  return h(
    "section",
    { id: "their-time-away", "aria-labelledby": "their-time-away-title" },
    h("h2", { class: "govuk-heading-m", id: "their-time-away-title" }, "Time away"),
    h("p", { class: "govuk-body" }, `If ${who.name} cannot mark it themselves, mark them away here. Meanwhile the deputy lead of each family they lead covers urgent matters; name deputy leads on each family's page.`),
    periodsTable(periods, view, who),
    recordForm(view, who),
  );
}

function periodsTable(periods, view, who) {
  if (!periods.length) return h("p", { class: "govuk-body", id: "no-time-away" }, who ? `${who.name} is not marked away.` : "You are not marked away.");
  return table({
    id: "time-away-table",
    caption: who ? `When ${who.name} is away` : "When you are away",
    head: ["First day", "Last day", "Now", "Cancel"],
    rows: periods.map((period) => [formatDate(period.startsOn), formatDate(period.endsOn), period.current ? "Away now" : "Coming up", cancelForm(period, view, who)]),
  });
}

function cancelForm(period, view, who) {
  const whose = who ? `${who.name}'s` : "your";
  const form = h("form", { novalidate: true, class: "taf-time-away-cancel" }, button(["Cancel", hidden(` ${whose} time away from ${formatDate(period.startsOn)} to ${formatDate(period.endsOn)}`)], { class: "govuk-button govuk-button--secondary govuk-!-margin-bottom-0" }));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, view, {
      send: () => call("TimeAwayCancel", { input: { timeAwayId: period.id, expectedVersion: period.version } }),
      done: () => view.done(who ? `${who.name}'s time away was cancelled.` : "Your time away was cancelled."),
    });
  });
  return form;
}

function recordForm(view, who) {
  const form = h(
    "form",
    { novalidate: true, id: "time-away-form" },
    dateInput({ id: "away-from", legend: "First day away", hint: "For example, 27 3 2027" }),
    dateInput({ id: "away-to", legend: "Last day away", hint: who ? "The day before they are back" : "The day before you are back" }),
    button(who ? `Mark ${who.name} away` : "Mark me away"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const startsOn = readDate(form, "away-from");
    const endsOn = readDate(form, "away-to");
    const problems = [];
    const whose = who ? "their" : "your";
    if (!startsOn) problems.push({ message: startsOn === "" ? `Enter ${whose} first day away` : "Enter a real first day away", fieldId: "away-from-day" });
    if (!endsOn) problems.push({ message: endsOn === "" ? `Enter ${whose} last day away` : "Enter a real last day away", fieldId: "away-to-day" });
    else if (startsOn && endsOn < startsOn) problems.push({ message: `${who ? "Their" : "Your"} last day away must be the same as or after ${whose} first`, fieldId: "away-to-day" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () => call("TimeAwayRecord", { input: { startsOn, endsOn, userId: who ? who.id : null } }),
      done: () => view.done(`${who ? `${who.name} is` : "You are"} marked away from ${formatDate(startsOn)} to ${formatDate(endsOn)}.`),
      labels: { startsOn: { id: "away-from-day", label: "First day away" }, endsOn: { id: "away-to-day", label: "Last day away" } },
    });
  });
  return form;
}
