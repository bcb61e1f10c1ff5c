// Changing a family's status or level of need (lead professional), guarded by the version read.

import { call } from "../api.js";
import { h, selectField } from "../dom.js";
import { STALE } from "../errors.js";
import { refuse, submit, value } from "../forms.js";
import { choices, LEVEL_OF_NEED, STATUS } from "../labels.js";

export const id = "status";
export const title = "Change status or level of need";

// A closed record is re-opened (with a reason) in the step up, step down or close section, not here.
export const visible = (view) => view.isLead && view.family.status !== "closed";

// Closing needs an outcome and a sustainability plan (familyClose), so it is not a status to pick here.
const STATUS_CHOICES = choices(STATUS).filter((item) => item.value !== "closed");

export function render(view) {
  const { family } = view;
  const form = h(
    "form",
    { id: "status-form", novalidate: true },
    h("p", { class: "govuk-body" }, "Changes show at once for everyone on the team. To close the record, use ", h("a", { class: "govuk-link", href: `#/families/${encodeURIComponent(family.id)}/referrals/close` }, "Close the family's record"), "."),
    selectField({ id: "status-value", label: "Status", options: STATUS_CHOICES, value: family.status }),
    selectField({ id: "level-value", label: "Level of need", options: choices(LEVEL_OF_NEED), value: family.levelOfNeed }),
    h("button", { type: "submit", class: "govuk-button" }, "Save changes"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosenStatus = value(form, "status-value");
    const chosenLevel = value(form, "level-value");
    if (chosenStatus === family.status && chosenLevel === family.levelOfNeed) {
      return refuse(form, [{ message: "Choose a different status or level of need", fieldId: "status-value" }]);
    }
    submit(form, view, {
      send: () =>
        call("FamilyUpdate", {
          input: {
            familyId: family.id,
            expectedVersion: family.version, // the version this page showed: a later change makes this stale
            status: chosenStatus === family.status ? null : chosenStatus,
            levelOfNeed: chosenLevel === family.levelOfNeed ? null : chosenLevel,
          },
        }),
      done: () => view.done("Status and level of need saved."),
      labels: { status: { id: "status-value", label: "Status" }, levelOfNeed: { id: "level-value", label: "Level of need" } },
      // A closed record is also a CONFLICT, with its own explanation; anything else is a stale page.
      wording: (error) => (error.code === "CONFLICT" && !/closed/i.test(error.message) ? { CONFLICT: STALE } : {}),
      extra: (error) =>
        error.code === "CONFLICT"
          ? h("p", { class: "govuk-body" }, h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "reload-family", onclick: view.reload }, "Reload this family"))
          : null,
    });
  });
  return form;
}
