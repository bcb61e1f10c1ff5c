// The family portal: read-only pages for a family member's own account, in plain English. It shows
// the team and how to reach them, what the team has written for the family, and who has looked at the
// family's information. Everything comes from the same API and policy as the workers' pages.

import { call } from "../api.js";
import { h, scrolling, summaryList, table, uniqueId } from "../dom.js";
import { categoryList, formatDate, formatDateTime } from "../labels.js";

export const title = "Your family's plan";

export async function render(main) {
  const { families } = await call("Caseload", { first: 1 });
  if (!families.nodes.length) {
    main.append(h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Your family's plan"), h("p", { class: "govuk-body" }, "There is no plan linked to your account yet. Ask your lead professional."));
    return "Your family's plan";
  }
  const familyId = families.nodes[0].id;
  const [{ family }, shared, looked] = await Promise.all([
    call("Family", { id: familyId }),
    call("FamilyContributions", { familyId, first: 100 }),
    call("FamilyAccessLog", { familyId, first: 50 }),
  ]);
  const items = shared.family.contributions.nodes;
  const log = looked.family.accessLog;
  main.append(
    h("span", { class: "govuk-caption-l" }, family.displayName),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Your family's plan"),
    h("p", { class: "govuk-body" }, "This is what the people helping your family have shared with you. You cannot change anything here. If something is wrong, tell your lead professional."),
    section(
      "portal-team",
      "Your team",
      h("p", { class: "govuk-body" }, "The people working with your family, and how to reach them."),
      family.team.map((member) => teamCard(member)),
    ),
    section(
      "portal-updates",
      "What the team has written for you",
      items.length
        ? items.map((item) =>
            h(
              "div",
              { class: "govuk-summary-card", "data-item": item.id },
              h("div", { class: "govuk-summary-card__title-wrapper" }, h("h3", { class: "govuk-summary-card__title" }, item.title)),
              h(
                "div",
                { class: "govuk-summary-card__content" },
                h("p", { class: "govuk-body taf-item-text" }, item.body),
                h("p", { class: "govuk-body taf-secondary-text" }, `From ${item.owningAgency.name}, ${formatDate(item.createdAt)}`),
              ),
            ),
          )
        : h("p", { class: "govuk-body" }, "Nothing has been shared with you yet."),
    ),
    section(
      "portal-access",
      "Who has looked at your information",
      h("p", { class: "govuk-body" }, "Each time someone from another organisation looks at information about your family, it is recorded here."),
      log.length
        ? scrolling("Who has looked at your information (scrolls sideways)", table({
            id: "access-log-table",
            caption: "Who has looked at your information, newest first",
            head: ["Who", "From", "When", "What they looked at"],
            rows: log.map((entry) => [entry.viewerName, entry.agencyName, formatDateTime(entry.at), `${entry.itemCount} ${entry.itemCount === 1 ? "item" : "items"} about ${categoryList(entry.categories).toLowerCase()}`]),
          }))
        : h("p", { class: "govuk-body" }, "No one from another organisation has looked at your information yet."),
    ),
  );
  return "Your family's plan";
}

function section(id, heading, ...content) {
  return h("section", { class: "taf-section", id, "aria-labelledby": `${id}-title` }, h("h2", { class: "govuk-heading-m", id: `${id}-title` }, heading), ...content);
}

function teamCard(member) {
  const titleId = uniqueId("portal-member");
  return h(
    "div",
    { class: "govuk-summary-card" },
    h(
      "div",
      { class: "govuk-summary-card__title-wrapper" },
      h("h3", { class: "govuk-summary-card__title", id: titleId }, `${member.worker.displayName}, ${member.agency.name}`),
      member.role === "lead_professional" ? h("strong", { class: "govuk-tag govuk-tag--blue" }, "Your lead professional") : null,
    ),
    h(
      "div",
      { class: "govuk-summary-card__content" },
      summaryList(
        [
          ["What they do", member.agencyRole],
          ["In office hours", member.contactInHours || "Ask your lead professional"],
          ["Out of hours", member.contactOutOfHours || "Ask your lead professional"],
        ],
        { "aria-labelledby": titleId },
      ),
    ),
  );
}
