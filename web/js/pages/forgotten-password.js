// From the sign-in page: there is no email, so a forgotten password is reset by a person who can vouch for
// you. Your manager (for practitioners) or an administrator gives you a link to choose a new one.

import { h } from "../dom.js";

export const anonymous = true;
export const title = "If you have forgotten your password";

export async function render(main) {
  main.append(
    h("a", { class: "govuk-back-link", href: "#/sign-in" }, "Back to sign in"),
    h(
      "div",
      { class: "govuk-grid-row" },
      h(
        "div",
        { class: "govuk-grid-column-two-thirds" },
        h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "If you have forgotten your password"),
        h("p", { class: "govuk-body" }, "This service does not send emails, so it cannot send you a reset link itself."),
        h("p", { class: "govuk-body" }, "Ask your manager or your service's administrator for a password reset link. They will give it to you in person or by a secure message."),
        h("p", { class: "govuk-body" }, "Open the link and choose a new password. It works once, for 24 hours."),
        h("h2", { class: "govuk-heading-m" }, "If your organisation has its own sign-in"),
        h("p", { class: "govuk-body" }, "If you sign in with your organisation's own account, you have no password here. Ask your organisation's IT service desk to reset it."),
        h("h2", { class: "govuk-heading-m" }, "If you are a family member"),
        h("p", { class: "govuk-body" }, "Ask your lead professional for help."),
        h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/sign-in" }, "Go back to sign in")),
      ),
    ),
  );
  return "If you have forgotten your password";
}
