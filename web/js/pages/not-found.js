// Pages that cannot be shown, in the words GOV.UK services use: an address that leads nowhere (or a
// malformed reference), a record you may not see (which looks exactly like one that does not exist), a
// page your role cannot use, and any other problem. Codes and technical messages never reach the page.

import { h } from "../dom.js";
import { describe } from "../errors.js";

const TYPED = "If you typed the web address, check it is correct.";
const PASTED = "If you pasted the web address, check you copied the entire address.";

// A family's or a meeting's reference in the address is an id the API gave out: anything else leads nowhere.
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isId = (value) => ID.test(value || "");

/** Where "go back" leads: the signed-in person's own start page. */
export function home(me) {
  if (!me) return ["#/sign-in", "Go to the sign-in page"];
  if (me.kind === "family") return ["#/portal", "Go to your family's plan"];
  if (me.role === "ig_officer") return ["#/information-governance", "Go to information governance"];
  return ["#/my-work", "Go to My work"];
}

function homeLink(me) {
  const [href, text] = home(me);
  return h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href }, text));
}

function page(main, me, heading, ...paragraphs) {
  main.replaceChildren(h("h1", { class: "govuk-heading-l", tabindex: "-1" }, heading), ...paragraphs.map((text) => h("p", { class: "govuk-body" }, text)), homeLink(me));
  return heading;
}

export async function render(main, context) {
  return page(main, context.session?.me, "Page not found", TYPED, PASTED);
}

/** A malformed family reference in the address (#/families/abc): as GOV.UK says of a page that is not there. */
export function noSuchFamily(main, me) {
  return page(main, me, "Page not found", "There is no family with that reference.", `${TYPED} ${PASTED}`);
}

/** A page the signed-in person's role cannot use; `refusal` says who it is for. */
export function cannotOpen(main, me, refusal) {
  return page(main, me, "You cannot open this page", refusal, "If you think you should be able to, ask your manager or your information-governance officer.");
}

/** Who may open a page (a page module's `openTo`: roles of staff, or kinds of account), or null. */
export function refusalFor(openTo, me) {
  if (!openTo || !me) return null;
  const allowed = (openTo.kinds || ["staff"]).includes(me.kind) && (!openTo.roles || openTo.roles.includes(me.role));
  return allowed ? null : openTo.refusal;
}

/** A page that could not be shown: a family you cannot see looks exactly like one that does not exist. */
export function renderError(main, error, me = null) {
  main.replaceChildren();
  if (error.code === "NOT_FOUND") {
    return page(main, me, "Family not found", "We could not find that family. It may not exist, or you may not be on its team.", "If you think you should be on the team, ask the family's lead professional to add you.");
  }
  if (error.code === "BAD_USER_INPUT" && ["id", "familyId"].includes(error.field)) return noSuchFamily(main, me);
  if (error.code === "FORBIDDEN") return cannotOpen(main, me, "Your role does not give you access to what this page shows.");
  main.append(h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Sorry, there is a problem"), h("p", { class: "govuk-body", id: "page-problem" }, describe(error).message), homeLink(me));
  return "Sorry, there is a problem";
}
