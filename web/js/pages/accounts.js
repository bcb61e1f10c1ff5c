// Accounts: administrators see every staff account (and manage agencies); managers see their own agency's
// practitioners, to give them password reset links. A search by name or email address, and paging.

import { call } from "../api.js";
import { checkbox, h, scrolling, table, textField } from "../dom.js";
import { guarded, put, SYSTEM_ROLE } from "../accounts.js";

export const title = "Accounts";

const PAGE = 50;

export const render = (main, context) => guarded(main, () => show(main, context), { what: "Account", back: "#/", backText: "Go to your home page" }, context.session.me.role);

async function show(main, { query, session }) {
  const search = query.get("search") || "";
  const includeDeactivated = query.get("deactivated") === "yes";
  const after = query.get("after") || null;
  const { accounts } = await call("Accounts", { first: PAGE, after, search: search || null, includeDeactivated });
  const admin = session.me.role === "admin";
  put(
    main,
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Accounts"),
    h(
      "p",
      { class: "govuk-body" },
      admin
        ? "Create, change and deactivate staff accounts, and give people a link to set a new password."
        : "The practitioners of your agency. If one of them cannot sign in, give them a link to set a new password.",
    ),
    admin
      ? h(
          "div",
          { class: "govuk-button-group" },
          h("a", { class: "govuk-button", href: "#/accounts/new", role: "button", draggable: "false" }, "Create an account"),
          h("a", { class: "govuk-link", href: "#/agencies" }, "Agencies"),
        )
      : null,
    filters(search, includeDeactivated),
    h("p", { class: "govuk-body", id: "accounts-count" }, `${accounts.totalCount} ${accounts.totalCount === 1 ? "account" : "accounts"}`),
    accounts.nodes.length
      ? scrolling(
          "Accounts (scrolls sideways)",
          table({
            id: "accounts-table",
            caption: "Accounts, by name",
            head: ["Name", "Email address", "Agency", "Role", "Status"],
            rows: accounts.nodes.map((account) => [
              h("a", { class: "govuk-link", href: `#/accounts/${encodeURIComponent(account.id)}` }, account.displayName),
              account.email,
              account.agency.name,
              SYSTEM_ROLE[account.role],
              account.isActive ? h("strong", { class: "govuk-tag govuk-tag--green" }, "Active") : h("strong", { class: "govuk-tag govuk-tag--grey" }, "Deactivated"),
            ]),
          }),
        )
      : h("p", { class: "govuk-body", id: "no-accounts" }, "No accounts match."),
    accounts.pageInfo.hasNextPage ? nextPage(search, includeDeactivated, accounts.pageInfo.endCursor) : null,
  );
  return "Accounts";
}

function filters(search, includeDeactivated) {
  const form = h(
    "form",
    { id: "accounts-filter", novalidate: true, role: "search", "aria-label": "Accounts" },
    textField({ id: "account-search", label: "Search by name or email address", value: search, width: 20, spellcheck: false }),
    checkbox({ id: "account-deactivated", label: "Include deactivated accounts", checked: includeDeactivated }),
    h("button", { type: "submit", class: "govuk-button govuk-button--secondary" }, "Search"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = `#/accounts?${params(form.elements["account-search"].value.trim(), form.elements["account-deactivated"].checked)}`;
  });
  return form;
}

function params(search, includeDeactivated, after = null) {
  const values = new URLSearchParams();
  if (search) values.set("search", search);
  if (includeDeactivated) values.set("deactivated", "yes");
  if (after) values.set("after", after);
  return values.toString();
}

function nextPage(search, includeDeactivated, after) {
  return h("nav", { class: "govuk-pagination", "aria-label": "Pages of accounts" }, h("div", { class: "govuk-pagination__next" }, h("a", { class: "govuk-link govuk-pagination__link", href: `#/accounts?${params(search, includeDeactivated, after)}`, rel: "next" }, h("span", { class: "govuk-pagination__link-title" }, "Next page"))));
}
