// Follow-up checks after closure, 3, 6 and 12 months on: is the young person still at home, was the
// family referred again. The lead professional is told when one falls due and records it here.

import { call } from "../api.js";
import { button, dateInput, details, h, radios, readDate, scrolling, table, textArea, uniqueId } from "../dom.js";
import { STALE } from "../errors.js";
import { checkedValue, refuse, submit, value } from "../forms.js";
import { formatDate } from "../labels.js";
import { todayIso } from "../plan/labels.js";
import { reloadButton } from "./contributions.js";

export const id = "follow-ups";
export const title = "Follow-up after closure";

export const visible = () => true;

const STATUS = { scheduled: "Not yet due", due: "Due", recorded: "Recorded", cancelled: "Cancelled: the case re-opened" };
const YES_NO = [
  { value: "yes", text: "Yes" },
  { value: "no", text: "No" },
];
const yesNo = (answer) => (answer === null ? "" : answer ? "Yes" : "No");

export async function render(view) {
  const { familyFollowUps: checks } = await view.query("FamilyFollowUps", { familyId: view.family.id });
  if (!checks.length) return h("p", { class: "govuk-body", id: "follow-ups-summary" }, "Checks at 3, 6 and 12 months are arranged when the family's record is closed.");
  const open = checks.filter((check) => check.status === "due" || check.status === "scheduled");
  return h(
    "div",
    {},
    scrolling(
      "Follow-up checks (scrolls sideways)",
      table({
        id: "follow-ups-table",
        caption: "Follow-up checks after closure, by due date",
        head: ["Check", "Due", "Status", "Still at home", "Referred again", "Note"],
        rows: checks.map((check) => [`${check.months} months`, formatDate(check.dueOn), STATUS[check.status], yesNo(check.stillAtHome), yesNo(check.reReferred), check.note]),
      }),
    ),
    view.isLead ? open.map((check) => recordForm(check, view)) : null,
  );
}

function recordForm(check, view) {
  const prefix = uniqueId("follow-up");
  const form = h(
    "form",
    { novalidate: true, class: "taf-follow-up", "data-follow-up": check.id },
    dateInput({ id: `${prefix}-on`, legend: "Date of the check", hint: "After the record was closed, for example 3 11 2026" }),
    radios({ id: `${prefix}-home`, name: `${prefix}-home`, legend: "Is the young person still living at home?", items: YES_NO }),
    radios({ id: `${prefix}-again`, name: `${prefix}-again`, legend: "Has the family been referred again?", items: YES_NO }),
    textArea({ id: `${prefix}-note`, label: "Note (optional)", rows: 2 }),
    button("Record the check"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    const on = readDate(form, `${prefix}-on`);
    if (!on) problems.push({ message: on === "" ? "Enter the date of the check" : "The date of the check must be a real date", fieldId: `${prefix}-on-day` });
    else if (on > todayIso()) problems.push({ message: "The date of the check cannot be in the future", fieldId: `${prefix}-on-day` });
    const home = checkedValue(form, `${prefix}-home`);
    if (!home) problems.push({ message: "Choose whether the young person is still living at home", fieldId: `${prefix}-home-input` });
    const again = checkedValue(form, `${prefix}-again`);
    if (!again) problems.push({ message: "Choose whether the family has been referred again", fieldId: `${prefix}-again-input` });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("FollowUpRecord", {
          input: { followUpId: check.id, expectedVersion: check.version, checkedOn: on, stillAtHome: home === "yes", reReferred: again === "yes", note: value(form, `${prefix}-note`) },
        }),
      done: () => view.done(`The ${check.months}-month check is recorded.`),
      labels: { checkedOn: { id: `${prefix}-on-day`, label: "Date of the check" }, note: { id: `${prefix}-note`, label: "Note" } },
      wording: (error) => (error.code === "CONFLICT" && /since you opened/.test(error.message) ? { CONFLICT: STALE } : {}),
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload this family") : null),
    });
  });
  const label = check.status === "due" ? `Record the ${check.months}-month check (due ${formatDate(check.dueOn)})` : `Record the ${check.months}-month check early (due ${formatDate(check.dueOn)})`;
  return h("div", { class: "taf-subsection" }, details(label, form));
}
