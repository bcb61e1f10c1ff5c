// One staff account: its details, and what the viewer may do with it. Administrators change it, deactivate
// or reactivate it and give its holder a password link; a manager gives their own practitioners a link.
// A link just made is shown here once (only its hash is kept).

import { call } from "../api.js";
import { h, summaryList } from "../dom.js";
import { submit } from "../forms.js";
import { formatDateTime } from "../labels.js";
import { ACCOUNT_WORDING, guarded, linkPanel, put, SYSTEM_ROLE } from "../accounts.js";
import { timeAwaySection } from "./time-away.js";

export const title = "Account";

let fresh = null; // {accountId, heading, link, expiresAt}: shown once, after a link was made

/** Show a link on the account's page the next time it opens (after creating the account). */
export function showLinkOnce(accountId, heading, link, expiresAt) {
  fresh = { accountId, heading, link, expiresAt };
}

export const render = (main, context) => guarded(main, () => show(main, context), { what: "Account", back: "#/accounts", backText: "Go to the accounts" }, context.session.me.role);

async function show(main, context) {
  const [accountId] = context.params;
  const { account } = await call("Account", { id: accountId });
  const path = `/accounts/${encodeURIComponent(account.id)}`;
  const shown = fresh && fresh.accountId === account.id ? fresh : null;
  fresh = null;
  const admin = context.session.me.role === "admin";
  const view = { sessionEnded: context.sessionEnded, done: (message) => context.navigate(path, { message }) };
  // A manager marks their own agency's practitioners away (the API decides: own_agency_practitioner).
  const marksAway = context.session.me.role === "manager" && account.role === "practitioner" && account.isActive;
  const away = marksAway ? await timeAwaySection({ id: account.id, name: account.displayName }, view) : null;
  put(
    main,
    h("a", { class: "govuk-back-link", href: "#/accounts" }, "Back to accounts"),
    h("span", { class: "govuk-caption-l" }, account.agency.name),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, account.displayName),
    shown ? linkPanel({ heading: shown.heading, link: shown.link, expiresAt: formatDateTime(shown.expiresAt), who: account.displayName }) : null,
    details(account),
    admin ? h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: `#${path}/edit`, id: "change-account" }, "Change these details", h("span", { class: "govuk-visually-hidden" }, ` of ${account.displayName}`))) : null,
    passwordSection(account, view),
    away,
    admin ? statusSection(account, path) : null,
  );
  return `Account: ${account.displayName}`;
}

function details(account) {
  return summaryList(
    [
      ["Name", account.displayName],
      ["Email address", account.email],
      ["Agency", account.agency.name],
      ["Role", SYSTEM_ROLE[account.role]],
      ["Job title", account.jobTitle || "Not given"],
      ["Phone", account.phone || "Not given"],
      ["Status", account.isActive ? "Active" : `Deactivated on ${formatDateTime(account.deactivatedAt)}`],
      ["Signs in with", signsInWith(account)],
    ],
    { id: "account-details" },
  );
}

function signsInWith(account) {
  if (account.agency.ssoOnly) return "Their organisation's own account (no password here)";
  return account.passwordSet ? "Email address and password" : "No password yet: they need to use their link";
}

function passwordSection(account, view) {
  const heading = h("h2", { class: "govuk-heading-m" }, "Password");
  if (account.agency.ssoOnly) return [heading, h("p", { class: "govuk-body", id: "no-password-here" }, "This account signs in with its organisation's own account, so it has no password here. Its organisation resets that.")];
  if (!account.isActive) return [heading, h("p", { class: "govuk-body" }, "The account is deactivated. Reactivate it before giving it a new password.")];
  const form = h(
    "form",
    { novalidate: true, id: "reset-link-form" },
    h("p", { class: "govuk-body" }, "If they have forgotten their password, or cannot sign in, make a link for them to choose a new one. The link works once, for 24 hours. Any earlier link stops working, and when they use it they are signed out everywhere else."),
    h("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, "Create a password reset link"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, view, {
      send: () => call("PasswordResetIssue", { input: { userId: account.id } }),
      done: ({ passwordResetIssue }) => {
        showLinkOnce(account.id, "Password reset link ready", passwordResetIssue.link, passwordResetIssue.expiresAt);
        view.done(`A password reset link for ${account.displayName} is ready.`);
      },
      wording: () => ACCOUNT_WORDING,
    });
  });
  return [heading, form];
}

function statusSection(account, path) {
  const action = account.isActive ? "deactivate" : "reactivate";
  return [
    h("h2", { class: "govuk-heading-m" }, account.isActive ? "Deactivate the account" : "Reactivate the account"),
    h("p", { class: "govuk-body" }, account.isActive ? "When someone leaves, deactivate their account. They are signed out at once, everywhere. What they wrote stays." : "They can sign in again with their password."),
    h("a", { class: `govuk-button ${account.isActive ? "govuk-button--warning" : "govuk-button--secondary"}`, href: `#${path}/${action}`, role: "button", draggable: "false", id: `${action}-link` }, account.isActive ? "Deactivate" : "Reactivate", h("span", { class: "govuk-visually-hidden" }, ` ${account.displayName}`)),
  ];
}
