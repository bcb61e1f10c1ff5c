// Administrators: create a staff account, or change one (#/accounts/new, #/accounts/<id>/edit). A new account
// has no password: its holder chooses one with a link shown once on the account's page. A change made to a
// stale copy is refused (CONFLICT) with a way to reload.

import { ApiError, call } from "../api.js";
import { button, h, radios, selectField, textField } from "../dom.js";
import { checkedValue, refuse, submit, value } from "../forms.js";
import { choices } from "../labels.js";
import { ACCOUNT_WORDING, guarded, SYSTEM_ROLE, SYSTEM_ROLE_HINT } from "../accounts.js";
import { showLinkOnce } from "./account.js";

export const title = "Account";

const LABELS = {
  displayName: { id: "account-name", label: "Full name" },
  email: { id: "account-email", label: "Email address" },
  agencyId: { id: "account-agency", label: "Agency" },
  role: { id: "account-role-input", label: "Role" },
  jobTitle: { id: "account-job-title", label: "Job title" },
  phone: { id: "account-phone", label: "Phone number" },
};

export const render = (main, context) => guarded(main, () => show(main, context), { what: "Account", back: "#/accounts", backText: "Go to the accounts" }, context.session.me.role);

async function show(main, context) {
  if (context.session.me.role !== "admin") throw new ApiError("FORBIDDEN"); // administrators only
  const [accountId] = context.params;
  const { account, agencies } = accountId ? await call("AccountEditing", { id: accountId }) : { account: null, ...(await call("AgencyList")) };
  const heading = account ? `Change ${account.displayName}'s details` : "Create an account";
  const back = account ? `/accounts/${encodeURIComponent(account.id)}` : "/accounts";
  const view = { sessionEnded: context.sessionEnded, navigate: context.navigate };
  main.append(
    h("a", { class: "govuk-back-link", href: `#${back}` }, account ? `Back to ${account.displayName}` : "Back to accounts"),
    h("div", { class: "govuk-grid-row" }, h("div", { class: "govuk-grid-column-two-thirds" }, h("h1", { class: "govuk-heading-l", tabindex: "-1" }, heading), account ? null : h("p", { class: "govuk-body" }, "After you create the account you get a link to give to its holder, to choose their password."), form(account, agencies, view))),
  );
  return heading;
}

function form(account, agencies, view) {
  const node = h(
    "form",
    { novalidate: true, id: "account-form" },
    textField({ id: "account-name", label: "Full name", value: account?.displayName ?? "", autocomplete: "off", spellcheck: false }),
    textField({ id: "account-email", label: "Email address", hint: "Their work email address. They sign in with it.", type: "email", value: account?.email ?? "", autocomplete: "off", spellcheck: false }),
    selectField({ id: "account-agency", label: "Agency", options: [{ value: "", text: "Choose an agency" }, ...agencies.map((agency) => ({ value: agency.id, text: agency.name }))], value: account?.agency.id ?? "" }),
    radios({ id: "account-role", name: "account-role", legend: "Role", legendClass: "govuk-fieldset__legend--s", items: choices(SYSTEM_ROLE, { hints: SYSTEM_ROLE_HINT }), value: account?.role ?? null }),
    textField({ id: "account-job-title", label: "Job title (optional)", hint: "In their agency's words, for example Designated safeguarding lead", value: account?.jobTitle ?? "", autocomplete: "off" }),
    textField({ id: "account-phone", label: "Phone number (optional)", hint: "A work number colleagues can call", type: "tel", value: account?.phone ?? "", autocomplete: "off", width: 20 }),
    account ? h("p", { class: "govuk-body" }, "If you change their role or agency, they are signed out and sign in again with the new one.") : null,
    button(account ? "Save the changes" : "Create the account"),
  );
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = {
      displayName: value(node, "account-name"),
      email: value(node, "account-email"),
      agencyId: value(node, "account-agency"),
      role: checkedValue(node, "account-role"),
      jobTitle: value(node, "account-job-title") || null,
      phone: value(node, "account-phone") || null,
    };
    const problems = [];
    if (!input.displayName) problems.push({ message: "Enter their full name", fieldId: "account-name" });
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(input.email)) problems.push({ message: "Enter an email address like name@agency.gov.uk", fieldId: "account-email" });
    if (!input.agencyId) problems.push({ message: "Choose their agency", fieldId: "account-agency" });
    if (!input.role) problems.push({ message: "Choose their role", fieldId: "account-role-input" });
    if (refuse(node, problems)) return;
    submit(node, view, {
      send: () => (account ? call("AccountUpdate", { input: { id: account.id, version: account.version, ...input } }) : call("AccountCreate", { input })),
      done: (result) => done(result, account, view),
      labels: LABELS,
      wording: (error) => (error.code === "CONFLICT" && account && !/email/i.test(error.message) ? { CONFLICT: "Someone else changed this account since you opened it. Reload the page to see their change, then make yours again." } : ACCOUNT_WORDING),
      extra: (error) => (error.code === "CONFLICT" && account ? h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: `#/accounts/${encodeURIComponent(account.id)}/edit`, onclick: (click) => { click.preventDefault(); view.navigate(`/accounts/${encodeURIComponent(account.id)}/edit`); } }, "Reload the account")) : null),
    });
  });
  return node;
}

function done(result, account, view) {
  if (account) {
    return view.navigate(`/accounts/${encodeURIComponent(account.id)}`, { message: `${result.accountUpdate.displayName}'s details are saved.` });
  }
  const { account: created, passwordLink, passwordLinkExpiresAt } = result.accountCreate;
  if (passwordLink) showLinkOnce(created.id, "Link to choose a password", passwordLink, passwordLinkExpiresAt);
  const note = passwordLink ? " Give them the link below to choose their password." : " They sign in with their organisation's own account.";
  return view.navigate(`/accounts/${encodeURIComponent(created.id)}`, { message: `The account for ${created.displayName} is created.${note}` });
}
