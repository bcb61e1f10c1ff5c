// Cover while the lead professional is away: who the deputy lead is, when the lead is away, and (for the
// lead or their manager) naming the deputy. While the lead is away, the deputy is told of the lead's
// escalations and actions and acknowledges and resolves escalations; everything else waits for the lead.

import { call } from "../api.js";
import { button, h, selectField } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { formatDate } from "../labels.js";

const period = (away) => (away.startsOn === away.endsOn ? `on ${formatDate(away.startsOn)}` : `from ${formatDate(away.startsOn)} to ${formatDate(away.endsOn)}`);

/** Said at the top of the family's page while the lead is away (or about to be). */
export function coverNotice(view) {
  const { cover, lead } = view;
  if (!cover.leadAway || !lead) return null;
  const deputy = cover.deputyLead ? `${cover.deputyLead.worker.displayName}, the deputy lead, covers urgent matters.` : "No deputy lead is named: urgent matters go to the lead professional's manager.";
  const when = cover.leadAway.current ? `${lead.worker.displayName} is away ${period(cover.leadAway)}.` : `${lead.worker.displayName} will be away ${period(cover.leadAway)}.`;
  return h("div", { class: "govuk-inset-text", id: "cover-notice" }, `${when} ${deputy}`);
}

/** The deputy lead, under the team; the lead (or their manager) names one. */
export function coverPanel(view) {
  const { cover } = view;
  return h(
    "div",
    { class: "taf-subsection", id: "deputy-lead" },
    h("h3", { class: "govuk-heading-s" }, "Deputy lead"),
    h(
      "p",
      { class: "govuk-body", id: "deputy-lead-name" },
      cover.deputyLead ? `${cover.deputyLead.worker.displayName}, ${cover.deputyLead.agency.name}` : "No deputy lead is named.",
    ),
    h("p", { class: "govuk-hint" }, "While the lead professional is away, the deputy lead is told of the family's escalations and actions, and acknowledges and resolves escalations."),
    view.managesTeam && view.family.status !== "closed" ? deputyForm(view) : null,
  );
}

function deputyForm(view) {
  const current = view.cover.deputyLead ? view.cover.deputyLead.worker.id : "";
  const options = [
    { value: "", text: "No deputy lead" },
    ...view.family.team.filter((member) => member.role !== "lead_professional").map((member) => ({ value: member.worker.id, text: `${member.worker.displayName}, ${member.agency.name}` })),
  ];
  const form = h(
    "form",
    { novalidate: true, id: "deputy-lead-form" },
    selectField({ id: "deputy-lead-choice", label: "Who is the deputy lead", hint: "A worker on the team", options, value: current }),
    button("Save the deputy lead"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = value(form, "deputy-lead-choice");
    if (chosen === current) return refuse(form, [{ message: "Choose a different deputy lead, or none", fieldId: "deputy-lead-choice" }]);
    submit(form, view, {
      send: () => call("DeputyLeadSet", { input: { familyId: view.family.id, userId: chosen || null, expectedDeputyUserId: current || null } }),
      done: () => view.done(chosen ? "Deputy lead named." : "There is no deputy lead now."),
      labels: { userId: { id: "deputy-lead-choice", label: "Who is the deputy lead" } },
    });
  });
  return form;
}
