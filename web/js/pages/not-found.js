import { h } from "../dom.js";
import { describe } from "../errors.js";

export async function render(main) {
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Page not found"),
    h("p", { class: "govuk-body" }, "If you typed the web address, check it is correct."),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/caseload" }, "Go to your caseload")),
  );
  return "Page not found";
}

/** A page that could not be shown: a family you cannot see looks exactly like one that does not exist. */
export function renderError(main, error) {
  main.replaceChildren();
  if (error.code === "NOT_FOUND") {
    main.append(
      h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Family not found"),
      h("p", { class: "govuk-body" }, "We could not find that family. It may not exist, or you may not be on its team."),
      h("p", { class: "govuk-body" }, "If you think you should be on the team, ask the family's lead professional to add you."),
      h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/caseload" }, "Go to your caseload")),
    );
    return "Family not found";
  }
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Sorry, there is a problem"),
    h("p", { class: "govuk-body", id: "page-problem" }, describe(error).message),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/caseload" }, "Go to your caseload")),
  );
  return "Sorry, there is a problem";
}
