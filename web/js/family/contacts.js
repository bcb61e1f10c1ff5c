// The contact log: each worker's contacts with the family (who, agency, when, how, how long), and how many
// there were each week. That a contact happened is the team's; its note is the worker's agency's
// information in a category: where the server withholds it (null), the page says whose it is.

import { call } from "../api.js";
import { button, dateInput, details, h, readDate, selectField, table, textArea, textField } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { CATEGORY, choices, formatDate, formatDateTime } from "../labels.js";

export const id = "contacts";
export const title = "Contacts with the family";

export const visible = () => true;

const recording = (view) => view.canContribute && view.family.status !== "closed";

export const questions = [{ path: "contacts/new", title: "Record a contact", offered: recording, render: (view) => recordForm(view) }];

export const CONTACT_KIND = { home_visit: "Home visit", phone: "Phone call", school: "At school", office: "At an office", video: "Video call", other: "Other" };

export async function render(view) {
  const [{ familyContacts: page }, summary] = await Promise.all([view.query("FamilyContacts", { familyId: view.family.id, first: 20 }), contactsPerWeek(view.family.id, { id: "contacts-per-week", query: view.query })]);
  return h(
    "div",
    {},
    summary,
    page.nodes.length
      ? table({
          id: "contacts-table",
          caption: `The ${page.nodes.length} most recent of ${page.totalCount} contacts`,
          captionHidden: false,
          head: ["When", "Who", "How", "How long", "Note"],
          rows: page.nodes.map((contact) => [
            formatDateTime(contact.contactedAt),
            `${contact.worker.displayName}, ${contact.agency.name}`,
            CONTACT_KIND[contact.kind],
            `${contact.durationMinutes} minutes`,
            contact.contentVisible ? contact.note || "No note" : `Withheld: ${CATEGORY[contact.category].toLowerCase()} information of ${contact.agency.name}`,
          ]),
        })
      : h("p", { class: "govuk-body" }, "No contacts have been recorded yet."),
    recording(view) ? view.questionLink("contacts/new", "Record a contact", { id: "record-contact" }) : null,
  );
}

/** Contacts per week over the last eight weeks, as a table with a one-line summary: for the plan and reviews. */
export async function contactsPerWeek(familyId, { id: elementId, weeks = 8, query = call } = {}) {
  const { familyContactWeeks: found } = await query("FamilyContactWeeks", { familyId, weeks });
  const total = found.reduce((sum, week) => sum + week.contacts, 0);
  const average = (total / found.length).toFixed(1).replace(/\.0$/, "");
  return h(
    "div",
    { id: elementId, class: "taf-contacts-per-week" },
    h("p", { class: "govuk-body" }, `${total} contact${total === 1 ? "" : "s"} in the last ${found.length} weeks: ${average} a week on average.`),
    details(
      "Contacts each week",
      table({
        caption: "Contacts with the family each week",
        head: ["Week starting", "Contacts", "Minutes"],
        rows: found.map((week) => [formatDate(week.startsOn), String(week.contacts), String(week.minutes)]),
      }),
    ),
  );
}

function recordForm(view) {
  const form = h(
    "form",
    { id: "contact-record-form", novalidate: true },
    dateInput({ id: "contact-day", legend: "Day of the contact", hint: "For example, 27 3 2027" }),
    textField({ id: "contact-time", label: "Time it started", hint: "24-hour clock, for example 14:30", width: 5 }),
    selectField({ id: "contact-kind", label: "How", options: choices(CONTACT_KIND, { first: "Choose how" }) }),
    textField({ id: "contact-minutes", label: "How long, in minutes", type: "text", width: 3 }),
    textArea({ id: "contact-note", label: "A short note (optional)", hint: "Your agency's information: the category decides who else can read it", rows: 2 }),
    selectField({ id: "contact-category", label: "Category of the note", options: choices(CATEGORY), value: "other" }),
    button("Record the contact"),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const input = readContact(form);
    if (!input) return;
    submit(form, view, {
      send: () => call("ContactRecord", { input: { familyId: view.family.id, ...input } }),
      done: () => view.done("Contact recorded."),
      labels: {
        contactedAt: { id: "contact-day-day", label: "Day of the contact" },
        kind: { id: "contact-kind", label: "How" },
        durationMinutes: { id: "contact-minutes", label: "How long" },
        note: { id: "contact-note", label: "Note" },
      },
    });
  });
  return form;
}

function readContact(form) {
  const day = readDate(form, "contact-day");
  const time = value(form, "contact-time");
  const minutes = value(form, "contact-minutes");
  const problems = [];
  if (!day) problems.push({ message: day === "" ? "Enter the day of the contact" : "Enter a real day", fieldId: "contact-day-day" });
  if (!/^([01]?\d|2[0-3]):[0-5]\d$/.test(time)) problems.push({ message: "Enter the time it started, for example 14:30", fieldId: "contact-time" });
  if (!value(form, "contact-kind")) problems.push({ message: "Choose how you were in contact", fieldId: "contact-kind" });
  if (!/^\d+$/.test(minutes) || Number(minutes) < 1 || Number(minutes) > 720) problems.push({ message: "Enter how long it lasted, from 1 to 720 minutes", fieldId: "contact-minutes" });
  if (refuse(form, problems)) return null;
  const [hours, mins] = time.split(":").map(Number);
  const [year, month, date] = day.split("-").map(Number);
  // The worker's local time, sent with its offset: the API keeps the instant.
  const started = new Date(year, month - 1, date, hours, mins);
  return { contactedAt: started.toISOString(), kind: value(form, "contact-kind"), durationMinutes: Number(minutes), note: value(form, "contact-note"), category: value(form, "contact-category") };
}
