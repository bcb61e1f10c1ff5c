// Information-governance officers: every safeguarding override, unreviewed first, to review or revoke;
// the retention review of closed families (../retention.js); the data-sharing agreements between agencies,
// those due for review first (../agreements.js); and the audit log. They see no case content:
// overrides carry the reasons for sharing, not what was shared.

import { call } from "../api.js";
import { auditSection, loadAuditLog, pages } from "../audit-log.js";
import { details, h, hidden, textArea, uniqueId } from "../dom.js";
import { overrideCard } from "../family/safeguarding.js";
import { refuse, submit, value } from "../forms.js";
import { agreementsSection } from "../agreements.js";
import { formatDate } from "../labels.js";
import { dueSection, erasedSection, heldSection } from "../retention.js";

export const title = "Information governance";
export const openTo = {
  roles: ["ig_officer"],
  refusal: "Information governance is for information-governance officers: reviewing sharing without consent, data-sharing agreements, how long records are kept and the audit log.",
};

export async function render(main, context) {
  const overridesAfter = context.query.get("overridesAfter");
  const [{ safeguardingOverrideQueue: overrides, waiting }, auditLog, due, held, { erasedFamilies }, agreements] = await Promise.all([
    call("OverrideQueue", { unreviewedOnly: false, first: 20, after: overridesAfter }),
    loadAuditLog(context.query),
    call("RetentionReviewQueue", { first: 100 }),
    call("RetentionReviewQueue", { first: 100, onLegalHold: true }),
    call("ErasedFamilies", { first: 50 }),
    call("DataSharingAgreements"),
  ]);
  const view = {
    sessionEnded: context.sessionEnded,
    done: (message) => context.navigate("/information-governance", { message }),
    reload: () => context.navigate("/information-governance"),
    show: (path) => context.navigate(path),
  };
  const unreviewed = waiting.totalCount;
  const moreOverrides = new URLSearchParams({ overridesAfter: overrides.pageInfo.endCursor || "" });
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Information governance"),
    h(
      "nav",
      { class: "taf-contents", "aria-labelledby": "ig-contents-title" },
      h("h2", { class: "govuk-heading-s", id: "ig-contents-title" }, "On this page"),
      h(
        "ul",
        { class: "govuk-list" },
        [
          ["#overrides", "Sharing without consent to review"],
          ["#retention", "Records due for review"],
          ["#legal-holds", "Records under a legal hold"],
          ["#erased", "Erased records"],
          ["#agreements", "Data-sharing agreements"],
          ["#audit", "Audit log"],
        ].map(([href, text]) => h("li", {}, h("a", { class: "govuk-link", href }, text))),
      ),
    ),
    h(
      "section",
      { class: "taf-section", id: "overrides", "aria-labelledby": "overrides-title", tabindex: "-1" },
      h("h2", { class: "govuk-heading-m", id: "overrides-title" }, "Sharing without consent to review"),
      h("p", { class: "govuk-body", id: "overrides-count" }, unreviewed === 1 ? "1 use is waiting for review." : `${unreviewed} uses are waiting for review.`),
      h(
        "div",
        { id: "override-queue" },
        overrides.nodes.length
          ? overrides.nodes.map((item) => overrideCard(item, { showFamily: true, heading: "h3", extra: actions(item, view) }))
          : h("p", { class: "govuk-body" }, overridesAfter ? "No more uses of sharing without consent." : "No information has been shared without consent."),
      ),
      pages(
        "Pages of sharing without consent",
        overridesAfter ? ["overrides-newest", "#/information-governance", "Most recent uses"] : null,
        overrides.pageInfo.hasNextPage ? ["overrides-older", `#/information-governance?${moreOverrides}`, "Earlier uses of sharing without consent"] : null,
      ),
    ),
    dueSection(due.retentionReviewQueue),
    heldSection(held.retentionReviewQueue),
    erasedSection(erasedFamilies),
    agreementsSection(agreements, view),
    auditSection(auditLog, view),
  );
  return "Information governance";
}

function actions(item, view) {
  const parts = [];
  if (!item.reviewedAt) parts.push(noteForm(item, view, "review"));
  if (item.active) parts.push(noteForm(item, view, "revoke"));
  return parts;
}

function noteForm(item, view, action) {
  const fieldId = uniqueId(`${action}-note`);
  const review = action === "review";
  const label = review ? "Your review note" : "Why it must stop now";
  const form = h(
    "form",
    { novalidate: true, class: `taf-${action}` },
    textArea({
      id: fieldId,
      label,
      hint: review ? "For example: lawful basis appropriate; family to be told after the strategy meeting" : "The lead professional and the agencies involved are told it has stopped",
    }),
    h("button", { type: "submit", class: review ? "govuk-button" : "govuk-button govuk-button--warning" }, review ? "Record the review" : "Revoke now", hidden(` of ${overrideName(item)}`)),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!value(form, fieldId)) return refuse(form, [{ message: review ? "Enter your review note" : "Enter why it must stop", fieldId }]);
    submit(form, view, {
      send: () =>
        review
          ? call("SafeguardingOverrideReview", { input: { overrideId: item.id, note: value(form, fieldId) } })
          : call("SafeguardingOverrideRevoke", { input: { overrideId: item.id, reason: value(form, fieldId) } }),
      done: () => view.done(review ? "Review recorded." : "Sharing without consent has been revoked. It stopped at once."),
      labels: { note: { id: fieldId, label }, reason: { id: fieldId, label } },
      wording: () => ({ FORBIDDEN: "Only information-governance officers can review or revoke sharing without consent." }),
    });
  });
  return details([review ? "Review" : "Revoke", hidden(` ${overrideName(item)}`)], form);
}

// How a screen reader tells one override's buttons from another's: whose sharing, about which family, from when.
function overrideName(item) {
  const family = item.familyLabel ? ` about ${item.familyLabel}` : "";
  return `${item.owningAgency.name} sharing${family} from ${formatDate(item.startsAt)}`;
}
