// Words and parts shared by the account pages: system roles and agency kinds in plain English, the
// password rule (NCSC: length, not complexity), and the panel that shows a one-time link once.

import { h } from "./dom.js";

/** Append children to a page's main element, flattening lists and leaving out what is absent (null). */
export const put = (main, ...children) => main.append(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));

export const SYSTEM_ROLE = {
  practitioner: "Practitioner",
  manager: "Manager",
  ig_officer: "Information governance officer",
  admin: "Administrator",
};

export const SYSTEM_ROLE_HINT = {
  practitioner: "Works with families on their teams.",
  manager: "Oversees their agency's staff and caseload, and can give their practitioners password reset links.",
  ig_officer: "Reviews safeguarding overrides, the audit log and how long records are kept. Sees no case content.",
  admin: "Manages agencies and accounts. Sees no case content.",
};

export const AGENCY_KIND = {
  early_help: "Early help",
  education: "Education",
  health: "Health",
  housing: "Housing",
  police: "Police",
  social_care: "Social care",
  youth_justice: "Youth justice",
  voluntary: "Voluntary sector",
  other: "Other",
};

export const MIN_PASSWORD = 12;
export const PASSWORD_HINT = `Use at least ${MIN_PASSWORD} characters. Three or more random words you will remember make a strong password.`;

/** Problems with a new password and its confirmation, for the error summary. */
export function passwordProblems(password, again, { newId, againId }) {
  if (password.length < MIN_PASSWORD) return [{ message: `Your new password must be at least ${MIN_PASSWORD} characters long`, fieldId: newId }];
  if (password !== again) return [{ message: "The two passwords are not the same. Type them again", fieldId: againId }];
  return [];
}

/** The one-time link, shown once after it was made: only its hash is kept. */
export function linkPanel({ heading, link, expiresAt, who }) {
  return h(
    "div",
    { class: "govuk-inset-text taf-invite-panel", id: "password-link-panel" },
    h("h2", { class: "govuk-heading-m" }, heading),
    h("p", { class: "govuk-body" }, `Give this link to ${who} in person or by a secure message. It works once, until ${expiresAt}. You will not see it again.`),
    h("p", { class: "govuk-body taf-invite-link" }, h("code", { id: "password-link" }, link)),
  );
}

export const ACCOUNT_WORDING = {
  FORBIDDEN: "Only administrators can change accounts. Managers can give their own agency's practitioners a password reset link.",
  NOT_FOUND: "We could not find that account. It may not exist, or you may not manage it.",
};

/** The page for an account or agency that cannot be shown: the API's refusal in words, never a family's. */
export function unavailable(main, error, { what, back, backText }) {
  main.replaceChildren();
  const missing = error.code === "NOT_FOUND" || error.code === "BAD_USER_INPUT";
  const heading = missing ? `${what} not found` : "You cannot open this page";
  const text = missing
    ? `We could not find that ${what.toLowerCase()}. It may not exist, or you may not manage it.`
    : "Only administrators manage accounts and agencies. Managers see their own agency's practitioners, to give them a password reset link.";
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, heading),
    h("p", { class: "govuk-body", id: "page-problem" }, text),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: back }, backText)),
  );
  return heading;
}

/** Run a page's render, showing `unavailable` for a refusal (FORBIDDEN, NOT_FOUND, a malformed id). The API
 * answers NOT_FOUND for an account one may not see; to a role that manages no accounts, say so instead. */
export async function guarded(main, render, where, role) {
  try {
    return await render();
  } catch (error) {
    if (!["FORBIDDEN", "NOT_FOUND", "BAD_USER_INPUT"].includes(error.code)) throw error;
    const manages = role === "admin" || role === "manager";
    return unavailable(main, manages ? error : { code: "FORBIDDEN" }, where);
  }
}
