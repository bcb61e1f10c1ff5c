// Each agency's items on the family's plan, grouped by agency. Only what the API returns is shown: items
// the signed-in worker may not see (no consent, a refusal) are left out by the server, not hidden here.
// Workers on the team add items for their agency and edit their own agency's items.

import { call } from "../api.js";
import { button, checkbox, checkboxes, checkedValues, details, h, hidden, selectField, summaryList, textArea, textField, uniqueId } from "../dom.js";
import { STALE_ITEM } from "../errors.js";
import { refuse, submit, value } from "../forms.js";
import { CATEGORY, choices, formatDate, KIND } from "../labels.js";

export const id = "contributions";
export const title = "Contributions by agency";

export const visible = () => true;

export const questions = [{ path: "new", title: "Add a contribution", offered: (view) => view.canContribute, render: (view) => addForm(view) }];

const PAGE = 100;

export async function render(view) {
  const list = h("div", { id: "contributions-list" });
  const status = h("p", { class: "govuk-body", id: "contributions-count", role: "status" });
  const show = (connection, filtered) => {
    status.textContent = countText(connection, filtered);
    list.replaceChildren(...groups(connection.nodes, view));
  };
  const filter = h(
    "form",
    { id: "contributions-filter", novalidate: true, role: "search", "aria-label": "Filter the items" },
    h(
      "div",
      { class: "taf-filter" },
      selectField({ id: "contributions-category", label: "Category", options: choices(CATEGORY, { first: "All categories" }) }),
      textField({ id: "contributions-search", label: "Words in the title or text", type: "search", autocomplete: "off" }),
      button("Show items", { class: "govuk-button govuk-button--secondary" }),
    ),
  );
  filter.addEventListener("submit", (event) => {
    event.preventDefault();
    const category = value(filter, "contributions-category") || null;
    const search = value(filter, "contributions-search") || null;
    submit(filter, view, {
      send: () => call("FamilyContributions", { familyId: view.family.id, first: PAGE, category, search }),
      done: ({ family }) => show(family.contributions, Boolean(category || search)),
    });
  });
  const { family } = await call("FamilyContributions", { familyId: view.family.id, first: PAGE });
  show(family.contributions, false);
  return h(
    "div",
    {},
    h("p", { class: "govuk-body" }, "What each agency has added to the plan. You see an agency's items when the family has agreed to share them with your agency, or when they are shared to keep a child safe."),
    filter,
    status,
    list,
    view.canContribute ? view.questionLink("new", "Add a contribution", { id: "add-contribution" }) : null,
  );
}

function countText(connection, filtered) {
  const count = connection.totalCount;
  const noun = count === 1 ? "item" : "items";
  let text = filtered ? `${count} ${noun} match.` : `${count} ${noun} you can see.`;
  if (connection.pageInfo.hasNextPage) text += ` Showing the newest ${connection.nodes.length}.`;
  return text;
}

function groups(items, view) {
  if (!items.length) return [h("p", { class: "govuk-body", id: "contributions-none" }, "There are no items to show.")];
  const byAgency = new Map();
  for (const item of items) {
    if (!byAgency.has(item.owningAgency.id)) byAgency.set(item.owningAgency.id, { agency: item.owningAgency, items: [] });
    byAgency.get(item.owningAgency.id).items.push(item);
  }
  return [...byAgency.values()]
    .sort((a, b) => a.agency.name.localeCompare(b.agency.name))
    .map(({ agency, items: own }) =>
      h(
        "div",
        { class: "taf-agency-group", "data-agency": agency.name },
        h("h3", { class: "govuk-heading-s" }, agency.name, " ", h("span", { class: "taf-secondary-text" }, `(${own.length} ${own.length === 1 ? "item" : "items"})`)),
        own.map((item) => card(item, view)),
      ),
    );
}

function card(item, view) {
  const titleId = uniqueId("item");
  const ownAgency = view.canContribute && view.me.agency && view.me.agency.id === item.owningAgency.id;
  return h(
    "div",
    { class: "govuk-summary-card", "data-item": item.id },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h4", { class: "govuk-summary-card__title", id: titleId }, item.title),
      h("strong", { class: `govuk-tag ${item.kind === "concern" || item.kind === "risk_factor" ? "govuk-tag--red" : "govuk-tag--grey"}` }, KIND[item.kind]),
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      h("p", { class: "govuk-body taf-item-text" }, item.body),
      summaryList(
        [
          ["Category", CATEGORY[item.category]],
          item.about.length ? ["About", item.about.map((member) => member.fullName).join(", ")] : null,
          ["Written by", `${item.author.displayName}, ${formatDate(item.createdAt)}`],
          item.version > 1 ? ["Last changed", `${formatDate(item.updatedAt)} (version ${item.version})`] : null,
          ["In the family summary", item.mayAppearInFamilySummary ? "Yes" : "No"],
          item.containsThirdPartyIdentities ? ["Third parties", "Names people outside the family"] : null,
        ],
        { "aria-labelledby": titleId },
      ),
      ownAgency ? editForm(item, view) : null,
    ),
  );
}

const EDIT_LABELS = (prefix) => ({
  title: { id: `${prefix}-title`, label: "Title" },
  body: { id: `${prefix}-body`, label: "Text" },
  category: { id: `${prefix}-category`, label: "Category" },
});

function editForm(item, view) {
  const prefix = uniqueId("edit-item");
  const form = h(
    "form",
    { novalidate: true, class: "taf-edit-item" },
    selectField({ id: `${prefix}-category`, label: "Category", options: choices(CATEGORY), value: item.category }),
    textField({ id: `${prefix}-title`, label: "Title", value: item.title }),
    textArea({ id: `${prefix}-body`, label: "Text", rows: 4 }),
    h("button", { type: "submit", class: "govuk-button" }, "Save changes", hidden(` to ${item.title}`)),
  );
  form.querySelector("textarea").value = item.body;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    if (!value(form, `${prefix}-title`)) problems.push({ message: "Enter a title", fieldId: `${prefix}-title` });
    if (!value(form, `${prefix}-body`)) problems.push({ message: "Enter the text", fieldId: `${prefix}-body` });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("ContributionEdit", {
          input: {
            contributionId: item.id,
            expectedVersion: item.version,
            category: value(form, `${prefix}-category`),
            title: value(form, `${prefix}-title`),
            body: value(form, `${prefix}-body`),
          },
        }),
      done: ({ contributionEdit }) => view.done(`“${contributionEdit.title}” saved.`),
      labels: EDIT_LABELS(prefix),
      wording: () => ({ CONFLICT: STALE_ITEM }),
      extra: (error) => (error.code === "CONFLICT" ? reloadButton(view, "Reload the items") : null),
    });
  });
  return details(["Edit this item", hidden(`: ${item.title}`)], form);
}

export function reloadButton(view, text) {
  const reload = h("button", { type: "button", class: "govuk-button govuk-button--secondary" }, text);
  reload.addEventListener("click", () => view.reload());
  return reload;
}

const ADD_LABELS = {
  kind: { id: "item-kind", label: "What kind of item" },
  category: { id: "item-category", label: "Category" },
  title: { id: "item-title", label: "Title" },
  body: { id: "item-body", label: "Text" },
  aboutMemberIds: { id: "item-about-input", label: "Who it is about" },
};

function addForm(view) {
  const form = h(
    "form",
    { id: "contribution-add-form", novalidate: true },
    selectField({ id: "item-kind", label: "What kind of item", options: choices(KIND, { first: "Choose a kind" }) }),
    selectField({
      id: "item-category",
      label: "Category",
      hint: "Consent is given per category, so choose the one that fits best: it decides who can see the item",
      options: choices(CATEGORY, { first: "Choose a category" }),
    }),
    textField({ id: "item-title", label: "Title", hint: "A short summary, 200 characters at most" }),
    textArea({ id: "item-body", label: "Text", rows: 5 }),
    view.family.members.length
      ? checkboxes({
          id: "item-about",
          name: "item-about",
          legend: "Who it is about (optional)",
          items: view.family.members.map((member) => ({ value: member.id, text: member.fullName })),
        })
      : null,
    checkbox({
      id: "item-summary",
      label: "May appear in the family summary",
      hint: "The family can read it in their portal, unless it names other people, is police information or comes from the police",
    }),
    checkbox({
      id: "item-third-party",
      label: "Contains third-party identities",
      hint: "It names people outside the family, such as a neighbour or an ex-partner. It is never shown to the family.",
    }),
    h("button", { type: "submit", class: "govuk-button" }, "Add the item"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    if (!value(form, "item-kind")) problems.push({ message: "Choose what kind of item it is", fieldId: "item-kind" });
    if (!value(form, "item-category")) problems.push({ message: "Choose a category", fieldId: "item-category" });
    if (!value(form, "item-title")) problems.push({ message: "Enter a title", fieldId: "item-title" });
    if (!value(form, "item-body")) problems.push({ message: "Enter the text", fieldId: "item-body" });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () =>
        call("ContributionAdd", {
          input: {
            familyId: view.family.id,
            kind: value(form, "item-kind"),
            category: value(form, "item-category"),
            title: value(form, "item-title"),
            body: value(form, "item-body"),
            aboutMemberIds: checkedValues(form, "item-about"),
            mayAppearInFamilySummary: form.elements["item-summary"].checked,
            containsThirdPartyIdentities: form.elements["item-third-party"].checked,
          },
        }),
      done: ({ contributionAdd }) => view.done(`“${contributionAdd.title}” added to the plan.`),
      labels: ADD_LABELS,
    });
  });
  return form;
}
