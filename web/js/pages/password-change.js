// Change your password: the current one first, then the new one twice. Your other sign-ins end; this one
// carries on. An account that signs in through its organisation has no password here.

import { call } from "../api.js";
import { button, h, textField } from "../dom.js";
import { refuse, submit } from "../forms.js";
import { PASSWORD_HINT, passwordProblems } from "../accounts.js";

export const title = "Change your password";

const LABELS = { currentPassword: { id: "current-password", label: "Current password" }, newPassword: { id: "new-password", label: "New password" } };

export async function render(main, context) {
  const ssoOnly = context.session.me.agency?.ssoOnly;
  main.append(h("div", { class: "govuk-grid-row" }, h("div", { class: "govuk-grid-column-two-thirds" }, h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Change your password"), ssoOnly ? noPassword() : form(context))));
  return "Change your password";
}

function noPassword() {
  return h("p", { class: "govuk-body", id: "no-password-here" }, "You sign in with your organisation's own account, so there is no password here to change. Change it with your organisation.");
}

function form(context) {
  const node = h(
    "form",
    { novalidate: true, id: "password-change-form" },
    textField({ id: "current-password", label: "Current password", type: "password", autocomplete: "current-password" }),
    textField({ id: "new-password", label: "New password", hint: PASSWORD_HINT, type: "password", autocomplete: "new-password" }),
    textField({ id: "confirm-password", label: "Type the new password again", type: "password", autocomplete: "new-password" }),
    h("p", { class: "govuk-body" }, "You stay signed in here. Anywhere else you are signed in, you are signed out."),
    button("Change your password"),
  );
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    const current = node.elements["current-password"].value;
    const fresh = node.elements["new-password"].value;
    const problems = current ? [] : [{ message: "Enter your current password", fieldId: "current-password" }];
    problems.push(...passwordProblems(fresh, node.elements["confirm-password"].value, { newId: "new-password", againId: "confirm-password" }));
    if (refuse(node, problems)) return;
    submit(node, { sessionEnded: context.sessionEnded }, {
      send: () => call("PasswordChange", { input: { currentPassword: current, newPassword: fresh } }),
      done: () => context.navigate("/account/password", { message: "Your password is changed. You have been signed out everywhere else." }),
      labels: LABELS,
      wording: () => ({
        FORBIDDEN: "You sign in with your organisation's own account, so there is no password here to change.",
        RATE_LIMITED: "There have been too many wrong passwords. Wait 15 minutes, then try again.",
      }),
    }).finally(() => {
      for (const id of ["current-password", "new-password", "confirm-password"]) node.elements[id].value = "";
    });
  });
  return node;
}
