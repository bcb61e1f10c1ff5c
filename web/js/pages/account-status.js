// Administrators: deactivate a staff account (someone left) or reactivate it, on a page of its own that says
// what happens, so that it is never done by a slip. Deactivation signs them out at once, everywhere.

import { ApiError, call } from "../api.js";
import { button, h } from "../dom.js";
import { submit, warning } from "../forms.js";
import { ACCOUNT_WORDING, guarded } from "../accounts.js";

export const title = "Account";

export const render = (main, context) => guarded(main, () => show(main, context), { what: "Account", back: "#/accounts", backText: "Go to the accounts" }, context.session.me.role);

async function show(main, context) {
  if (context.session.me.role !== "admin") throw new ApiError("FORBIDDEN"); // administrators only
  const [accountId, action] = context.params;
  const { account } = await call("Account", { id: accountId });
  const path = `/accounts/${encodeURIComponent(account.id)}`;
  const deactivate = action === "deactivate";
  const heading = deactivate ? `Deactivate ${account.displayName}'s account` : `Reactivate ${account.displayName}'s account`;
  const view = { sessionEnded: context.sessionEnded };
  const form = h(
    "form",
    { novalidate: true, id: "account-status-form" },
    deactivate
      ? [
          warning("They are signed out at once on every device, and cannot sign in again until an administrator reactivates the account."),
          h("p", { class: "govuk-body" }, "What they wrote stays, under their name. If they lead any family's team, hand those families to a colleague."),
        ]
      : h("p", { class: "govuk-body" }, "They can sign in again with their email address and password."),
    h(
      "div",
      { class: "govuk-button-group" },
      button(deactivate ? "Deactivate the account" : "Reactivate the account", { class: deactivate ? "govuk-button govuk-button--warning" : "govuk-button" }),
      h("a", { class: "govuk-link", href: `#${path}` }, "Cancel"),
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, view, {
      send: () => call(deactivate ? "AccountDeactivate" : "AccountReactivate", { input: { id: account.id, version: account.version } }),
      done: () => context.navigate(path, { message: deactivate ? `${account.displayName}'s account is deactivated. They have been signed out.` : `${account.displayName}'s account is active again.` }),
      wording: (error) => (error.code === "CONFLICT" ? { CONFLICT: "Someone else changed this account since you opened it. Go back to the account to see it as it is now." } : ACCOUNT_WORDING),
    });
  });
  main.append(
    h("a", { class: "govuk-back-link", href: `#${path}` }, `Back to ${account.displayName}`),
    h("div", { class: "govuk-grid-row" }, h("div", { class: "govuk-grid-column-two-thirds" }, h("span", { class: "govuk-caption-l" }, account.agency.name), h("h1", { class: "govuk-heading-l", tabindex: "-1" }, heading), form)),
  );
  return heading;
}
