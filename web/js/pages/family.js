// A family's record, as sub-pages: an overview, then one short page per part of the work, each reached from
// the sub navigation under the family's name (#/families/<id>/<sub>). Each section is a module in
// ../family/ with {id, title, visible(view), render(view)}; SUBPAGES below is the one place that says which
// sub-page a section sits on, so a new section joins the record with one line.
//
// A section may also offer questions: `questions = [{path, title, render(view)}]`, each a form on its own
// page (#/families/<id>/<sub>/<question path>, the GOV.UK question-page pattern) whose `view.done(message)`
// returns to the sub-page with the success banner.
//
// Requests: every sub-page and question page loads with two, the family (FamilyPage) and the sub-page's
// own data. A sub-page names one operation (`load`) that reads what its sections read, in the same shape as
// the sections' own operations; a section asks `view.query(name, variables)`, which answers from that load
// when the sub-page serves `name`, and otherwise sends the operation itself (tests/e2e/test_family_subpages.py
// counts the requests).

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
import * as panels from "../family/panels.js";
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
import { cannotOpen, isId, noSuchFamily, render as notFound } from "./not-found.js";

/**
 * The family's sub-pages, in the order of the sub navigation. `path` is the part after the family's id
 * ("" for the overview); `load` is the one operation that reads the sub-page's data, with the section
 * operations it serves (the rest of a sub-page's sections read only the family).
 */
export const SUBPAGES = [
  { path: "", title: "Overview", sections: [escalations, status], load: { operation: "FamilyEscalations", serves: ["FamilyEscalations"] } },
  {
    path: "plan",
    title: "Plan",
    sections: [plan],
    load: { operation: "FamilyPlanPage", serves: ["FamilyPlan", "FamilyContactWeeks"] },
  },
  { path: "contributions", title: "Contributions", sections: [contributions] },
  { path: "meetings", title: "Meetings", sections: [meetings], load: { operation: "FamilyMeetingsPage", serves: ["FamilyMeetings", "ReviewSchedule"] } },
  {
    path: "team",
    title: "Team and contacts",
    sections: [members, network, team, contacts],
    load: {
      operation: "FamilyTeamPage",
      serves: ["Agencies", "FamilyNetwork", "FamilyContacts", "FamilyContactWeeks"],
      variables: (view) => ({ withAgencies: view.managesTeam, withNetwork: network.visible(view) }),
    },
  },
  {
    path: "sharing",
    title: "Sharing and consent",
    sections: [consent, consentPicture, safeguarding],
    load: {
      operation: "FamilySharingPage",
      serves: ["FamilyConsents", "ConsentPicture", "FamilySafeguarding"],
      variables: (view) => ({ withPicture: consentPicture.visible(view) }),
    },
  },
  {
    path: "assessments",
    title: "Assessments",
    sections: [assessments, legalStatus],
    load: {
      operation: "FamilyAssessmentsPage",
      serves: ["FamilyAssessments", "AssessmentFactors", "FamilyLegalStatus"],
      variables: (view) => ({ withFactors: view.isLead && view.family.status !== "closed" }),
    },
  },
  {
    path: "referrals",
    title: "Referrals and closure",
    sections: [referrals, panels, transitions, followUps],
    load: {
      operation: "FamilyReferralsPage",
      serves: ["FamilyReferrals", "FamilyPanelDecisions", "FamilyTransitions", "FamilyRetention", "FamilyFollowUps"],
      variables: (view) => ({ withRetention: view.family.status === "closed", withPanels: panels.visible(view) }),
    },
  },
  {
    path: "chronology",
    title: "Chronology",
    sections: [chronology],
    load: { operation: "FamilyChronology", serves: ["FamilyChronology"], variables: () => ({ first: chronology.PAGE }) },
  },
];

export const familyPath = (familyId, sub = "") => `/families/${encodeURIComponent(familyId)}${sub ? `/${sub}` : ""}`;

/** The sub-page and question a path after the family's id names; null when it names none. */
function place(rest) {
  const parts = rest ? rest.split("/") : [];
  const subpage = SUBPAGES.find((candidate) => candidate.path && candidate.path === parts[0]) || SUBPAGES[0];
  const questionPath = (subpage.path ? parts.slice(1) : parts).join("/");
  if (!questionPath) return { subpage, question: null };
  for (const section of subpage.sections) {
    const question = (section.questions || []).find((candidate) => candidate.path === questionPath);
    if (question) return { subpage, section, question };
  }
  return null;
}

export async function render(main, context) {
  const [id, rest] = context.params;
  const { me } = context.session;
  if (!isId(id)) return noSuchFamily(main, me);
  const found = place(rest);
  if (!found) return notFound(main, context);
  const { family } = await call("FamilyPage", { id });
  const view = viewOf(family, found.subpage, context);
  if (found.question && !(found.section.visible(view) && (!found.question.offered || found.question.offered(view)))) {
    return cannotOpen(main, me, "Your part in this family's work, or the state of its record, does not allow this.");
  }
  return found.question ? questionPage(main, view, found) : subpagePage(main, view, found.subpage);
}

async function subpagePage(main, view, subpage) {
  const shown = subpage.sections.filter((section) => section.visible(view));
  const needed = shown.length ? view.loaded() : null;
  main.append(
    h("span", { class: "govuk-caption-l" }, `Family ${view.family.reference}`),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, view.family.displayName),
    subNavigation(view),
    ...(subpage.path ? [] : [summary(view.family), coverNotice(view) || ""]),
  );
  await needed;
  main.append(...(await Promise.all(shown.map((section) => sectionElement(section, view)))));
  return subpage.path ? `${subpage.title}: ${view.family.displayName}` : view.family.displayName;
}

async function questionPage(main, view, { question }) {
  const form = await question.render(view);
  main.append(
    h("a", { class: "govuk-back-link", href: `#${view.path}` }, `Back to ${view.subpage.path ? view.subpage.title.toLowerCase() : "the family's overview"}`),
    h("span", { class: "govuk-caption-l" }, `${view.family.displayName}, family ${view.family.reference}`),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, question.title),
    form,
  );
  return `${question.title}: ${view.family.displayName}`;
}

function viewOf(family, subpage, context) {
  const me = context.session.me;
  const { cover } = family;
  const lead = family.team.find((member) => member.role === "lead_professional") || null;
  const isLead = Boolean(lead && lead.worker.id === me.id);
  // The API decides; these only choose which controls to offer (policies/policy.csv: the lead
  // professional manages the family and its team; a manager of the lead's agency manages the team).
  // Named workers on the team add items, record consent and share their agency's information.
  const canContribute = me.kind === "staff" && family.team.some((member) => member.worker.id === me.id);
  const managesTeam = isLead || (me.role === "manager" && Boolean(lead && me.agency && lead.agency.id === me.agency.id));
  const path = familyPath(family.id, subpage.path);
  const view = {
    family,
    me,
    lead,
    isLead,
    managesTeam,
    canContribute,
    cover,
    subpage,
    path,
    // The lead, and the deputy lead while the lead is away (the API says which: FamilyPage's cover).
    mayActOnEscalations: cover.viewerMayActOnEscalations,
    done: (message) => context.navigate(path, { message }),
    reload: () => context.navigate(path),
    sessionEnded: context.sessionEnded,
  };
  let load = null;
  // The sub-page's data, read once (the first time a section or question asks for it).
  view.loaded = () => {
    const { operation, variables = () => ({}) } = subpage.load || {};
    if (!operation) return Promise.resolve(null);
    load ??= call(operation, { familyId: family.id, ...variables(view) });
    return load;
  };
  view.query = (operation, variables) => ((subpage.load?.serves || []).includes(operation) ? view.loaded() : call(operation, variables));
  /** The link to one of this sub-page's questions: a link (it opens a page) styled as a secondary button. */
  view.questionLink = (questionPath, text, attributes = {}) =>
    h("a", { class: "govuk-button govuk-button--secondary taf-question-link", href: `#${path}/${questionPath}`, ...attributes }, text);
  return view;
}

function subNavigation(view) {
  return h(
    "nav",
    { class: "taf-subnav", "aria-label": "Family record" },
    h(
      "ul",
      { class: "taf-subnav__list" },
      SUBPAGES.map((subpage) =>
        h(
          "li",
          { class: "taf-subnav__item" },
          h(
            "a",
            {
              class: "govuk-link taf-subnav__link",
              href: `#${familyPath(view.family.id, subpage.path)}`,
              id: `subnav-${subpage.path || "overview"}`,
              "aria-current": subpage === view.subpage ? "page" : null,
            },
            subpage.title,
          ),
        ),
      ),
    ),
  );
}

function summary(family) {
  const lead = family.team.find((member) => member.role === "lead_professional");
  const rows = [
    ["Reference", family.reference],
    ["Status", h("strong", { class: `govuk-tag ${STATUS_TAG[family.status]}`, id: "family-status" }, STATUS[family.status])],
    ["Level of need", h("span", { id: "family-level" }, LEVEL_OF_NEED[family.levelOfNeed])],
    ["Lead professional", lead ? `${lead.worker.displayName}, ${lead.agency.name}` : "No lead professional"],
    ["Family members", `${family.members.length}`],
    ["Team around the family", `${family.team.length} ${family.team.length === 1 ? "person" : "people"}`],
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

async function sectionElement(section, view) {
  return h(
    "section",
    { class: "taf-section", id: section.id, "aria-labelledby": `${section.id}-title`, tabindex: "-1" },
    h("h2", { class: "govuk-heading-m", id: `${section.id}-title` }, section.title),
    await section.render(view),
  );
}
