// How the signed-in worker receives each kind of notification: straight away (live) or once a day in a
// digest. Urgent escalations always arrive straight away: that is shown, and cannot be changed.

import { call } from "../api.js";
import { h, radios } from "../dom.js";
import { submit } from "../forms.js";

export const title = "How you get notifications";

const KINDS = {
  escalation_raised: "Someone raises a concern about a family (an escalation)",
  escalation_acknowledged: "An escalation is acknowledged",
  escalation_timed_out: "An escalation was not acknowledged in time",
  escalation_resolved: "An escalation is resolved",
  meeting_scheduled: "A meeting is arranged",
  meeting_changed: "A meeting is moved",
  meeting_cancelled: "A meeting is cancelled",
  meeting_minutes_published: "Meeting minutes are published",
  action_assigned: "An action is given to you",
  action_due_soon: "One of your actions is due soon",
  action_overdue: "One of your actions is overdue",
  action_done: "An action is done",
  review_due: "A family's review is due",
  assessment_overdue: "A family's assessment is overdue",
  consent_withdrawn: "A family withdraws consent",
  override_used: "Information is shared without consent",
  agreement_expiring: "A data-sharing agreement your agency is party to is about to end",
  team_member_added: "Someone joins a family's team",
  team_member_removed: "Someone leaves a family's team",
  lead_professional_changed: "A family's lead professional changes",
  family_status_changed: "A family's status changes",
  follow_up_due: "A follow-up check on a family you led is due, after its record closed",
};
const ESCALATION = new Set(["escalation_raised", "escalation_acknowledged", "escalation_timed_out", "escalation_resolved"]);

export async function render(main, context) {
  const { notificationPreferences } = await call("NotificationPreferences");
  const view = { sessionEnded: context.sessionEnded, done: (message) => context.navigate("/notifications/preferences", { message }) };
  const form = h(
    "form",
    { novalidate: true, id: "preferences-form" },
    notificationPreferences.map((preference) =>
      radios({
        id: `preference-${preference.kind}`,
        name: preference.kind,
        legend: KINDS[preference.kind] || preference.kind,
        hint: ESCALATION.has(preference.kind) ? "Urgent escalations always arrive straight away, whatever you choose here." : null,
        items: [
          { value: "live", text: "Straight away" },
          { value: "daily_digest", text: "Once a day, in a summary" },
        ],
        value: preference.delivery,
      }),
    ),
    h("button", { type: "submit", class: "govuk-button", id: "save-preferences" }, "Save my choices"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changed = notificationPreferences.filter((preference) => form.querySelector(`input[name="${preference.kind}"]:checked`)?.value !== preference.delivery);
    submit(form, view, {
      send: async () => {
        for (const preference of changed) {
          const delivery = form.querySelector(`input[name="${preference.kind}"]:checked`).value;
          await call("NotificationPreferenceSet", { input: { kind: preference.kind, delivery } });
        }
      },
      done: () => view.done(changed.length ? "Your choices are saved." : "Nothing changed."),
    });
  });
  main.append(
    h("a", { class: "govuk-back-link", href: "#/notifications" }, "Back to notifications"),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "How you get notifications"),
    h("p", { class: "govuk-body" }, "For each kind of notification, choose whether it reaches you straight away or once a day in a summary."),
    h(
      "div",
      { class: "govuk-inset-text", id: "urgent-always-live" },
      h("strong", {}, "Urgent escalations: always straight away. "),
      "When someone is worried a child may be in danger now, you are told at once. You cannot change this.",
    ),
    form,
  );
  return "How you get notifications";
}
