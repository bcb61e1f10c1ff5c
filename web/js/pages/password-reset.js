// Where a password reset link lands: choose a new password, then you are signed in (and signed out
// everywhere else). The token leaves the address bar (and the history) as soon as the page opens, and is
// kept only in this page's memory until it is used.

import { call } from "../api.js";
import { button, h, showErrors, textField } from "../dom.js";
import { describe } from "../errors.js";
import { clearSession, homePath, saveSession } from "../session.js";
import { PASSWORD_HINT, passwordProblems } from "../accounts.js";

export const anonymous = true;
export const title = "Choose a new password";

const WORDING = {
  NOT_FOUND: "This link is not valid. Check you copied all of it, or ask your manager or administrator for a new one.",
  RATE_LIMITED: "There have been too many attempts. Wait 15 minutes, then try again.",
};

let pending = null; // the token from the link, once it has been taken out of the address bar

export async function render(main, { params, navigate }) {
  if (params[0]) {
    pending = params[0];
    history.replaceState(null, "", "#/reset-password");
  }
  if (!pending) {
    main.append(
      h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Open your link again"),
      h("p", { class: "govuk-body" }, "We could not find your password reset link. Open the link you were given again. If it still does not work, ask your manager or administrator for a new one."),
    );
    return "Open your link again";
  }
  const token = pending;
  const form = h(
    "form",
    { novalidate: true, id: "password-reset-form" },
    textField({ id: "new-password", label: "New password", hint: PASSWORD_HINT, type: "password", autocomplete: "new-password" }),
    textField({ id: "confirm-password", label: "Type the new password again", type: "password", autocomplete: "new-password" }),
    button("Save the password and sign in"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    choose(form, token, navigate);
  });
  main.append(
    h(
      "div",
      { class: "govuk-grid-row" },
      h(
        "div",
        { class: "govuk-grid-column-two-thirds" },
        h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Choose a new password"),
        h("p", { class: "govuk-body" }, "After this, you sign in with your email address and this password. You will be signed out anywhere else you are signed in."),
        h("p", { class: "govuk-body" }, "You can only use this link once."),
        form,
      ),
    ),
  );
  return "Choose a new password";
}

async function choose(form, token, navigate) {
  const password = form.elements["new-password"].value;
  const problems = passwordProblems(password, form.elements["confirm-password"].value, { newId: "new-password", againId: "confirm-password" });
  if (problems.length) return showErrors(form, problems);
  const submitButton = form.querySelector("button");
  submitButton.disabled = true;
  try {
    const { passwordResetRedeem } = await call("PasswordResetRedeem", { input: { token, newPassword: password } });
    pending = null;
    clearSession();
    saveSession(passwordResetRedeem);
    navigate(homePath(passwordResetRedeem.me), { message: "Your new password is saved and you are signed in." });
  } catch (error) {
    const { message } = describe(error, { labels: { newPassword: { id: "new-password", label: "password" } }, overrides: WORDING });
    showErrors(form, [{ message, fieldId: error.code === "BAD_USER_INPUT" ? "new-password" : null }]);
  } finally {
    form.elements["new-password"].value = "";
    form.elements["confirm-password"].value = "";
    submitButton.disabled = false;
  }
}
