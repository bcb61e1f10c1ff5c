// The lead professional invites family members to the family portal: a one-time link that lets them set
// a password. The link is shown once (only its hash is kept); pending invitations can be cancelled.

import { call } from "../api.js";
import { h, hidden, scrolling, selectField, table, textField, uniqueId } from "../dom.js";
import { refuse, submit, value } from "../forms.js";
import { formatDateTime } from "../labels.js";

export const title = "Invite family members to the portal";

const STATUS = {
  pending: ["Waiting to be used", "govuk-tag--blue"],
  accepted: ["Used: account set up", "govuk-tag--green"],
  expired: ["Expired", "govuk-tag--grey"],
  revoked: ["Cancelled", "govuk-tag--grey"],
};

let lastLink = null; // {familyId, memberName, link}: shown once, after issuing

export async function render(main, context) {
  const [familyId] = context.params;
  const [{ family }, { portalInvitations }] = await Promise.all([call("Family", { id: familyId }), call("PortalInvitations", { familyId })]);
  const path = `/families/${encodeURIComponent(family.id)}/portal-access`;
  const view = { sessionEnded: context.sessionEnded, done: (message) => context.navigate(path, { message }) };
  const fresh = lastLink && lastLink.familyId === family.id ? lastLink : null;
  lastLink = null;
  main.append(
    h("a", { class: "govuk-back-link", href: `#/families/${encodeURIComponent(family.id)}/team` }, `Back to ${family.displayName}`),
    h("span", { class: "govuk-caption-l" }, `${family.displayName}, ${family.reference}`),
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Invite family members to the portal"),
    h("p", { class: "govuk-body" }, "The portal shows a family member, in plain words, their goals, their team and how to reach them, what happens next, how things are going and who has looked at their information. It shows only what is marked for the family."),
    fresh ? linkPanel(fresh) : null,
    h("h2", { class: "govuk-heading-m" }, "Send a new invitation"),
    issueForm(family, view),
    h("h2", { class: "govuk-heading-m", id: "invitations-title" }, "Invitations"),
    portalInvitations.length
      ? scrolling(
          "Invitations (scrolls sideways)",
          table({
            id: "invitations-table",
            caption: "Invitations to the portal, newest first",
            head: ["Family member", "Email address", "Sent", "Link works until", "Status", "Action"],
            rows: portalInvitations.map((invitation) => [
              invitation.memberName,
              invitation.email,
              formatDateTime(invitation.createdAt),
              formatDateTime(invitation.expiresAt),
              h("strong", { class: `govuk-tag ${STATUS[invitation.status][1]}` }, STATUS[invitation.status][0]),
              invitation.status === "pending" ? revokeForm(invitation, view) : "None",
            ]),
          }),
        )
      : h("p", { class: "govuk-body", id: "no-invitations" }, "No one has been invited yet."),
  );
  return `Portal invitations: ${family.displayName}`;
}

function linkPanel({ memberName, link }) {
  return h(
    "div",
    { class: "govuk-inset-text taf-invite-panel", id: "invitation-link-panel" },
    h("h2", { class: "govuk-heading-m" }, `Invitation ready for ${memberName}`),
    h(
      "div",
      {},
      h("p", { class: "govuk-body" }, "Give this link to them in person or by a secure message. It works once, and you will not see it again."),
      h("p", { class: "govuk-body taf-invite-link" }, h("code", { id: "invitation-link" }, link)),
    ),
  );
}

function issueForm(family, view) {
  const memberId = uniqueId("invite-member");
  const emailId = uniqueId("invite-email");
  const form = h(
    "form",
    { novalidate: true, id: "invite-form" },
    selectField({
      id: memberId,
      label: "Who are you inviting?",
      options: [{ value: "", text: "Choose a family member" }, ...family.members.map((member) => ({ value: member.id, text: `${member.fullName} (${member.relationship})` }))],
    }),
    textField({ id: emailId, label: "Their email address", hint: "They will sign in with this address.", type: "email", autocomplete: "off", spellcheck: false }),
    h("button", { type: "submit", class: "govuk-button" }, "Create the invitation link"),
  );
  const labels = { familyMemberId: { id: memberId, label: "family member" }, email: { id: emailId, label: "email address" } };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problems = [];
    if (!value(form, memberId)) problems.push({ message: "Choose who you are inviting", fieldId: memberId });
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value(form, emailId))) problems.push({ message: "Enter an email address like name@example.com", fieldId: emailId });
    if (refuse(form, problems)) return;
    submit(form, view, {
      send: () => call("PortalInvitationIssue", { input: { familyId: family.id, familyMemberId: value(form, memberId), email: value(form, emailId) } }),
      done: ({ portalInvitationIssue }) => {
        lastLink = { familyId: family.id, memberName: portalInvitationIssue.invitation.memberName, link: portalInvitationIssue.link };
        view.done(`Invitation created for ${portalInvitationIssue.invitation.memberName}.`);
      },
      labels,
      wording: () => ({ FORBIDDEN: "Only the family's lead professional can invite family members to the portal.", NOT_FOUND: "That person is not in this family." }),
    });
  });
  return form;
}

function revokeForm(invitation, view) {
  const form = h("form", { novalidate: true, class: "taf-inline-form" }, h("button", { type: "submit", class: "govuk-button govuk-button--warning govuk-!-margin-bottom-0" }, "Cancel", hidden(` the invitation for ${invitation.memberName}`)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(form, view, {
      send: () => call("PortalInvitationRevoke", { invitationId: invitation.id }),
      done: () => view.done(`The invitation for ${invitation.memberName} is cancelled. Its link no longer works.`),
      wording: () => ({ FORBIDDEN: "Only the family's lead professional can cancel an invitation." }),
    });
  });
  return form;
}
