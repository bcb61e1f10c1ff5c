import { call } from "../api.js";
import { button, clearErrors, h, showErrors, textField } from "../dom.js";
import { signInMessage } from "../errors.js";
import { saveSession } from "../session.js";

export const anonymous = true;

let notice = null;

/** A message for the next sign-in page, e.g. after the session ended. */
export function setNotice(text) {
  notice = text;
}

export async function render(main, { session, navigate }) {
  if (session) {
    navigate("/");
    return "Sign in";
  }
  const form = h(
    "form",
    { novalidate: true, id: "sign-in-form" },
    textField({ id: "email", label: "Email address", type: "email", autocomplete: "username", spellcheck: false }),
    textField({ id: "password", label: "Password", type: "password", autocomplete: "current-password" }),
    button("Sign in", { id: "sign-in-button" }),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/sign-in/forgotten-password", id: "forgotten-password" }, "Forgotten your password?")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, navigate);
  });
  const shown = notice;
  notice = null;
  const services = await signInServices();
  main.append(
    h(
      "div",
      { class: "govuk-grid-row" },
      h(
        "div",
        { class: "govuk-grid-column-two-thirds" },
        shown ? h("div", { class: "govuk-inset-text", id: "sign-in-notice" }, shown) : null,
        h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Sign in"),
        services.length ? organisationSignIn(services) : null,
        services.length ? h("h2", { class: "govuk-heading-m" }, "Or sign in with an email address and password") : null,
        h("p", { class: "govuk-body" }, "Sign in with the email address and password your agency gave you."),
        form,
      ),
    ),
  );
  return "Sign in";
}

// The organisations' own sign-in services (single sign-on), if any are configured. Without them (or if
// the list cannot be had) the page offers the password form alone.
async function signInServices() {
  try {
    return (await call("SignInServices")).signInServices;
  } catch {
    return [];
  }
}

// Each a real button (keyboard and screen readers need nothing extra) that goes to the service: a
// full-page navigation, because the service's own sign-in page takes over the window.
function organisationSignIn(services) {
  return h(
    "div",
    { id: "organisation-sign-in" },
    h("h2", { class: "govuk-heading-m" }, "Sign in with your organisation"),
    h("p", { class: "govuk-body" }, "If your organisation has its own sign-in, use it. You will come back here once you have signed in."),
    h(
      "div",
      { class: "govuk-button-group" },
      services.map((service) =>
        h(
          "button",
          { type: "button", class: "govuk-button govuk-button--secondary", "data-module": "govuk-button", onclick: () => location.assign(service.startPath) },
          `Sign in with ${service.name}`,
        ),
      ),
    ),
  );
}

async function submit(form, navigate) {
  const email = form.email.value.trim();
  const password = form.password.value;
  const problems = [];
  if (!email) problems.push({ message: "Enter your email address", fieldId: "email" });
  if (!password) problems.push({ message: "Enter your password", fieldId: "password" });
  if (problems.length) return showErrors(form, problems);
  const submitButton = form.querySelector("button");
  submitButton.disabled = true;
  try {
    const { authLogin } = await call("Login", { email, password });
    saveSession(authLogin);
    clearErrors(form);
    navigate("/");
  } catch (error) {
    form.password.value = "";
    const fieldId = error.code === "UNAUTHENTICATED" ? "email" : null;
    showErrors(form, [{ message: signInMessage(error), fieldId }]);
  } finally {
    submitButton.disabled = false;
  }
}
