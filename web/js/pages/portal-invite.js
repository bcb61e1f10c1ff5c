// A family member opens the invitation link their lead professional gave them, chooses a password and
// is signed in to the family portal. The link works once; a used, expired or cancelled one is explained.
// The token is taken out of the address bar (and so out of the browser's history) as soon as the page
// opens; it is kept only in this page's memory until the password is set.

import { call } from "../api.js";
import { button, h, showErrors, textField } from "../dom.js";
import { describe } from "../errors.js";
import { clearSession, saveSession } from "../session.js";

export const anonymous = true;
export const title = "Set up your account";

const MIN_LENGTH = 12;
const WORDING = {
  NOT_FOUND: "This invitation link is not valid. Check you copied all of it, or ask your lead professional for a new one.",
  RATE_LIMITED: "There have been too many attempts. Wait 15 minutes, then try again.",
};

let pending = null; // the token from the link, once it has been taken out of the address bar

export async function render(main, { params, navigate }) {
  if (params[0]) {
    pending = params[0];
    history.replaceState(null, "", "#/portal/invite");
  }
  const token = pending;
  if (!token) {
    main.append(
      h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Open your invitation link again"),
      h("p", { class: "govuk-body" }, "We could not find your invitation. Open the link your lead professional gave you again. If it still does not work, ask them for a new one."),
    );
    return "Open your invitation link again";
  }
  const form = h(
    "form",
    { novalidate: true, id: "invite-accept-form" },
    textField({
      id: "new-password",
      label: "Choose a password",
      hint: `Use at least ${MIN_LENGTH} characters. A few words you will remember is a good choice.`,
      type: "password",
      autocomplete: "new-password",
    }),
    textField({ id: "confirm-password", label: "Type the password again", type: "password", autocomplete: "new-password" }),
    button("Set my password and continue", { id: "invite-accept-button" }),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    accept(form, token, navigate);
  });
  main.append(
    h(
      "div",
      { class: "govuk-grid-row" },
      h(
        "div",
        { class: "govuk-grid-column-two-thirds" },
        h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Set up your account"),
        h("p", { class: "govuk-body" }, "Your lead professional has invited you to see your family's plan online. Choose a password. After this, you sign in with your email address and this password."),
        h("p", { class: "govuk-body" }, "You can only use this link once."),
        form,
      ),
    ),
  );
  return "Set up your account";
}

async function accept(form, token, navigate) {
  const password = form.elements["new-password"].value;
  const again = form.elements["confirm-password"].value;
  const problems = [];
  if (password.length < MIN_LENGTH) problems.push({ message: `Your password must be at least ${MIN_LENGTH} characters long`, fieldId: "new-password" });
  else if (password !== again) problems.push({ message: "The two passwords are not the same. Type them again", fieldId: "confirm-password" });
  if (problems.length) return showErrors(form, problems);
  const submitButton = form.querySelector("button");
  submitButton.disabled = true;
  try {
    const { portalInvitationAccept } = await call("PortalInvitationAccept", { input: { token, password } });
    pending = null;
    clearSession();
    saveSession(portalInvitationAccept);
    navigate("/portal", { message: "Your account is set up. This is your family's page." });
  } catch (error) {
    form.elements["new-password"].value = "";
    form.elements["confirm-password"].value = "";
    const { message } = describe(error, { labels: { password: { id: "new-password", label: "password" } }, overrides: WORDING });
    showErrors(form, [{ message, fieldId: error.code === "BAD_USER_INPUT" ? "new-password" : null }]);
  } finally {
    submitButton.disabled = false;
  }
}
