// The family's TAF meetings, latest first, each linking to the meeting view; when the next review is
// due; and, for the lead professional, a form to arrange a meeting.

import { call } from "../api.js";
import { button, checkboxes, checkedValues, dateInput, h, readDate, scrolling, selectField, table, textArea, textField } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { choices, formatDate, formatDateTime } from "../labels.js";
import { MEETING_KIND, MEETING_STATUS, MEETING_STATUS_TAG } from "../plan/labels.js";

export const id = "meetings";
export const title = "Meetings";

export const visible = () => true;

const arranging = (view) => view.isLead && view.family.status !== "closed";

// "new" is no meeting's id: main.js routes #/families/<id>/meetings/new here, before the meeting view.
export const questions = [{ path: "new", title: "Arrange a meeting", offered: arranging, render: async (view) => scheduleForm(view, (await call("FamilyNetwork", { familyId: view.family.id })).familyNetwork) }];

export const meetingPath = (familyId, meetingId) => `#/families/${encodeURIComponent(familyId)}/meetings/${encodeURIComponent(meetingId)}`;

export function minutesText(meeting) {
  if (meeting.minutesPublishedAt) return `Published ${formatDate(meeting.minutesPublishedAt)}`;
  return meeting.status === "held" ? "Draft" : "Not written yet";
}

export async function render(view) {
  const [{ familyMeetings: meetings }, { reviewSchedule: schedule }] = await Promise.all([
    view.query("FamilyMeetings", { familyId: view.family.id }),
    view.query("ReviewSchedule", { familyId: view.family.id }),
  ]);
  return h(
    "div",
    {},
    scheduleText(schedule, view.family),
    meetings.length
      ? scrolling(
          "Meetings (scrolls sideways)",
          table({
            id: "meetings-table",
            caption: "Meetings, latest first",
            head: ["Meeting", "When", "Status", "Minutes"],
            rows: meetings.map((meeting) => [
              h("a", { class: "govuk-link", href: meetingPath(view.family.id, meeting.id) }, `${MEETING_KIND[meeting.kind]}, ${formatDate(meeting.scheduledAt)}`),
              formatDateTime(meeting.scheduledAt),
              h("strong", { class: `govuk-tag ${MEETING_STATUS_TAG[meeting.status]}` }, MEETING_STATUS[meeting.status]),
              minutesText(meeting),
            ]),
          }),
        )
      : h("p", { class: "govuk-body" }, "No meetings have been arranged yet."),
    arranging(view) ? view.questionLink("new", "Arrange a meeting", { id: "arrange-meeting" }) : null,
  );
}

function scheduleText(schedule, family) {
  if (family.status === "closed") return null;
  const next = schedule.nextReviewAt ? `The next meeting is on ${formatDateTime(schedule.nextReviewAt)}.` : "No meeting is arranged.";
  const due = `Reviews are due between ${formatDate(schedule.earliestDue)} and ${formatDate(schedule.dueBy)}.`;
  const late = schedule.late ? h("strong", { class: "govuk-tag govuk-tag--red" }, "Review late") : null;
  return h("p", { class: "govuk-body", id: "review-schedule" }, late, late ? " " : null, `${next} ${due}`);
}

const CONFERENCE = "family_group_conference";

function scheduleForm(view, network) {
  const { family, me } = view;
  const workers = family.team.filter((member) => member.worker.id !== me.id);
  const form = h(
    "form",
    { id: "meeting-schedule-form", novalidate: true },
    selectField({ id: "meeting-kind", label: "What kind of meeting", options: choices(MEETING_KIND), value: "review" }),
    dateInput({ id: "meeting-date", legend: "Date", hint: "For example, 27 3 2027" }),
    textField({ id: "meeting-time", label: "Time", hint: "In 24-hour time, for example 14:30", width: 5 }),
    textField({ id: "meeting-location", label: "Where (or give a call link)" }),
    textField({ id: "meeting-call-link", label: "Call link (optional)", type: "url" }),
    textArea({ id: "meeting-agenda", label: "Agenda", hint: "One item a line", rows: 4 }),
    workers.length ? checkboxes({ id: "meeting-workers", name: "meeting-workers", legend: "Invite from the team", hint: "You chair the meeting and are invited", items: workers.map((member) => ({ value: member.worker.id, text: `${member.worker.displayName}, ${member.agency.name}` })) }) : null,
    family.members.length ? checkboxes({ id: "meeting-members", name: "meeting-members", legend: "Invite from the family", items: family.members.map((member) => ({ value: member.id, text: member.fullName })) }) : null,
    networkChoice(network),
    button("Arrange the meeting"),
  );
  // The family network is invited to a family group conference only: its choices show for that kind.
  const kind = form.elements["meeting-kind"];
  const networkGroup = form.querySelector("#meeting-network-group");
  const showNetwork = () => {
    if (networkGroup) networkGroup.hidden = kind.value !== CONFERENCE;
  };
  kind.addEventListener("change", showNetwork);
  showNetwork();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const day = readDate(form, "meeting-date");
    const time = value(form, "meeting-time");
    const problems = [];
    if (!day) problems.push({ message: day === "" ? "Enter the date of the meeting" : "Enter a real date", fieldId: "meeting-date-day" });
    if (!/^([01]?\d|2[0-3]):[0-5]\d$/.test(time)) problems.push({ message: "Enter the time in 24-hour time, for example 14:30", fieldId: "meeting-time" });
    if (!value(form, "meeting-location") && !value(form, "meeting-call-link")) problems.push({ message: "Enter where the meeting is, or a call link", fieldId: "meeting-location" });
    if (refuse(form, problems)) return;
    const [hours, minutes] = time.split(":").map(Number);
    const at = new Date(`${day}T00:00:00`);
    at.setHours(hours, minutes);
    submit(form, view, {
      send: () =>
        call("MeetingSchedule", {
          input: {
            familyId: family.id,
            kind: value(form, "meeting-kind"),
            scheduledAt: at.toISOString(),
            location: value(form, "meeting-location"),
            callLink: value(form, "meeting-call-link"),
            agenda: value(form, "meeting-agenda"),
            inviteeUserIds: checkedValues(form, "meeting-workers"),
            inviteeMemberIds: checkedValues(form, "meeting-members"),
            inviteeNetworkMemberIds: value(form, "meeting-kind") === CONFERENCE ? checkedValues(form, "meeting-network") : [],
          },
        }),
      done: () => view.done("Meeting arranged. Everyone invited has been told."),
      labels: {
        scheduledAt: { id: "meeting-date-day", label: "Date" },
        location: { id: "meeting-location", label: "Where" },
        callLink: { id: "meeting-call-link", label: "Call link" },
        agenda: { id: "meeting-agenda", label: "Agenda" },
        inviteeNetworkMemberIds: { id: "meeting-network-input", label: "Invite from the family network" },
      },
    });
  });
  return form;
}

function networkChoice(network) {
  const hint = "People the family named. Add more in the family network section.";
  const content = network.length
    ? checkboxes({ id: "meeting-network", name: "meeting-network", legend: "Invite from the family network", hint, items: network.map((person) => ({ value: person.id, text: `${person.fullName} (${person.relationship})` })) })
    : h("p", { class: "govuk-body" }, "No one has been named in the family network yet. Add them in the family network section.");
  return h("div", { id: "meeting-network-group" }, content);
}
