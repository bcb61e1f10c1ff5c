import { h } from "../dom.js";

export const anonymous = true;

export async function render(main) {
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "You have signed out"),
    h("p", { class: "govuk-body" }, "Your sign-in has been ended on every server. Close this tab if you are on a shared computer."),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/sign-in" }, "Sign in again")),
  );
  return "You have signed out";
}
