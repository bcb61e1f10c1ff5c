// Retention at closure on the information-governance page: closed families whose retention date has
// passed (each with its date, what gives it, and the three decisions as question pages), those a legal
// hold keeps, and what is left of erased ones. No case content: names, references and dates only.

import { h, hidden, scrolling, table } from "./dom.js";
import { formatDate, formatDateTime } from "./labels.js";

export const ACTIONS = {
  extend: "Extend",
  hold: "Place a legal hold",
  release: "Remove the legal hold",
  erase: "Erase",
};

// What each link's words say to a screen reader, after the visible words: which family's records.
const OF = { extend: "the records of", hold: "on the records of", release: "on the records of", erase: "the records of" };

export const actionPath = (familyId, action) => `#/information-governance/retention/${encodeURIComponent(familyId)}/${action}`;

const label = (review) => review.familyLabel || review.reference;

function actionLinks(review, actions) {
  return h(
    "ul",
    { class: "govuk-list taf-actions" },
    actions.map((action) => h("li", {}, h("a", { class: "govuk-link", href: actionPath(review.familyId, action) }, ACTIONS[action], hidden(` ${OF[action]} ${label(review)}`)))),
  );
}

export function dueSection({ nodes: families, pageInfo, totalCount }) {
  const waiting = totalCount === 1 ? "1 closed family's records are past their retention date." : `${totalCount} closed families' records are past their retention date.`;
  return h(
    "section",
    { class: "taf-section", id: "retention", "aria-labelledby": "retention-title", tabindex: "-1" },
    h("h2", { class: "govuk-heading-m", id: "retention-title" }, "Records due for review"),
    h("p", { class: "govuk-body", id: "retention-count" }, waiting, pageInfo.hasNextPage ? ` The ${families.length} longest overdue are listed.` : ""),
    h("p", { class: "govuk-body" }, "For each, keep the records longer (with a reason and a new date), place a legal hold, or erase them."),
    families.length
      ? scrolling(
          "Records due for review (scrolls sideways)",
          table({
            id: "retention-table",
            caption: "Closed families whose retention date has passed, the longest overdue first",
            head: ["Family", "Closed", "Kept until", "Why that date", "Decide"],
            rows: families.map((review) => [label(review), formatDate(review.closedOn), formatDate(review.dueOn), review.appliesBecause, actionLinks(review, ["extend", "hold", "erase"])]),
          }),
        )
      : h("p", { class: "govuk-body" }, "No records are past their retention date."),
  );
}

export function heldSection({ nodes: families }) {
  return h(
    "section",
    { class: "taf-section", id: "legal-holds", "aria-labelledby": "legal-holds-title", tabindex: "-1" },
    h("h2", { class: "govuk-heading-m", id: "legal-holds-title" }, "Records under a legal hold"),
    families.length
      ? scrolling(
          "Records under a legal hold (scrolls sideways)",
          table({
            id: "legal-holds-table",
            caption: "Closed families whose records a legal hold keeps",
            head: ["Family", "Held since", "Why", "Kept until, without the hold", "Decide"],
            rows: families.map((review) => [label(review), formatDateTime(review.legalHoldSince), review.legalHoldReason, formatDate(review.dueOn), actionLinks(review, ["release"])]),
          }),
        )
      : h("p", { class: "govuk-body" }, "No records are under a legal hold."),
  );
}

export function erasedSection(tombstones) {
  return h(
    "section",
    { class: "taf-section", id: "erased", "aria-labelledby": "erased-title", tabindex: "-1" },
    h("h2", { class: "govuk-heading-m", id: "erased-title" }, "Erased records"),
    h("p", { class: "govuk-body" }, "What is kept of an erased family: its reference, its dates, and who erased it, when and why."),
    tombstones.length
      ? scrolling(
          "Erased records (scrolls sideways)",
          table({
            id: "erased-table",
            caption: "Erased families, the latest first",
            head: ["Reference", "Open", "Kept until", "Erased", "By", "Why"],
            rows: tombstones.map((t) => [t.reference, `${formatDate(t.openedOn)} to ${formatDate(t.closedOn)}`, formatDate(t.retentionDueOn), formatDateTime(t.erasedAt), t.erasedBy ? t.erasedBy.displayName : "Unknown account", t.reason]),
          }),
        )
      : h("p", { class: "govuk-body" }, "No records have been erased."),
  );
}
