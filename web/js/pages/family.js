// A family's page: a summary, then one section per part of the work. Each section is a module in
// ../family/ with {id, title, visible(view), render(view)}; the plan, meetings and escalations join
// the list as the API grows.

import { call } from "../api.js";
import { h } from "../dom.js";
import * as assessments from "../family/assessments.js";
import * as chronology from "../family/chronology.js";
import * as consent from "../family/consent.js";
import * as consentPicture from "../family/consent-picture.js";
import * as contacts from "../family/contacts.js";
import * as contributions from "../family/contributions.js";
import * as escalations from "../family/escalations.js";
import * as followUps from "../family/follow-ups.js";
import * as legalStatus from "../family/legal-status.js";
import * as meetings from "../family/meetings.js";
import * as members from "../family/members.js";
import * as network from "../family/network.js";
import * as plan from "../family/plan.js";
import * as referrals from "../family/referrals.js";
import * as safeguarding from "../family/safeguarding.js";
import * as status from "../family/status.js";
import * as team from "../family/team.js";
import * as transitions from "../family/transitions.js";
import { coverNotice } from "../family/cover.js";
import { formatDate, LEVEL_OF_NEED, STATUS, STATUS_TAG } from "../labels.js";
import { isId, noSuchFamily } from "./not-found.js";

const SECTIONS = [escalations, referrals, plan, meetings, members, network, team, contacts, contributions, consent, consentPicture, safeguarding, assessments, status, legalStatus, transitions, followUps, chronology];

export async function render(main, context) {
  const [id] = context.params;
  if (!isId(id)) return noSuchFamily(main, context.session.me);
  const [{ family }, { family: covered }] = await Promise.all([call("Family", { id }), call("FamilyCover", { familyId: id })]);
  const view = viewOf(family, covered.cover, context);
  const shown = SECTIONS.filter((section) => section.visible(view));
  main.append(
    h("span", { class: "govuk-caption-l" }, `Family ${family.reference}`),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, family.displayName),
    summary(family),
    coverNotice(view),
    contents(shown),
    ...(await Promise.all(shown.map((section) => sectionElement(section, view)))),
  );
  return family.displayName;
}

function viewOf(family, cover, context) {
  const me = context.session.me;
  const lead = family.team.find((member) => member.role === "lead_professional") || null;
  const isLead = Boolean(lead && lead.worker.id === me.id);
  // The API decides; these only choose which controls to offer (policies/policy.csv: the lead
  // professional manages the family and its team; a manager of the lead's agency manages the team).
  // Named workers on the team add items, record consent and share their agency's information.
  const canContribute = me.kind === "staff" && family.team.some((member) => member.worker.id === me.id);
  const managesTeam = isLead || (me.role === "manager" && Boolean(lead && me.agency && lead.agency.id === me.agency.id));
  const path = `/families/${encodeURIComponent(family.id)}`;
  return {
    family,
    me,
    lead,
    isLead,
    managesTeam,
    canContribute,
    cover,
    // The lead, and the deputy lead while the lead is away (the API says which: FamilyCover).
    mayActOnEscalations: cover.viewerMayActOnEscalations,
    done: (message) => context.navigate(path, { message }),
    reload: () => context.navigate(path),
    sessionEnded: context.sessionEnded,
  };
}

function summary(family) {
  const lead = family.team.find((member) => member.role === "lead_professional");
  const rows = [
    ["Reference", family.reference],
    ["Status", h("strong", { class: `govuk-tag ${STATUS_TAG[family.status]}`, id: "family-status" }, STATUS[family.status])],
    ["Level of need", h("span", { id: "family-level" }, LEVEL_OF_NEED[family.levelOfNeed])],
    ["Lead professional", lead ? `${lead.worker.displayName}, ${lead.agency.name}` : "No lead professional"],
    ["Opened", formatDate(family.openedAt)],
    family.closedAt ? ["Closed", formatDate(family.closedAt)] : null,
  ].filter(Boolean);
  return h(
    "dl",
    { class: "govuk-summary-list", id: "family-summary" },
    rows.map(([key, value]) =>
      h("div", { class: "govuk-summary-list__row" }, h("dt", { class: "govuk-summary-list__key" }, key), h("dd", { class: "govuk-summary-list__value" }, value)),
    ),
  );
}

function contents(sections) {
  return h(
    "nav",
    { class: "taf-contents", "aria-labelledby": "contents-title" },
    h("h2", { class: "govuk-heading-s", id: "contents-title" }, "On this page"),
    h("ul", { class: "govuk-list" }, sections.map((section) => h("li", {}, h("a", { class: "govuk-link", href: `#${section.id}` }, section.title)))),
  );
}

async function sectionElement(section, view) {
  return h(
    "section",
    { class: "taf-section", id: section.id, "aria-labelledby": `${section.id}-title`, tabindex: "-1" },
    h("h2", { class: "govuk-heading-m", id: `${section.id}-title` }, section.title),
    await section.render(view),
  );
}
