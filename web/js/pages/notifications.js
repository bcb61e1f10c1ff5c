// The signed-in worker's notifications, newest first; new ones appear at the top as they arrive.

import { call } from "../api.js";
import { h, hidden } from "../dom.js";
import { describe } from "../errors.js";
import { formatDateTime } from "../labels.js";
import { onNotification } from "../live.js";
import { clearEscalationBanner, isEscalation, noticeLink, noticeText, setUnread } from "../notices.js";

export const title = "Notifications";
const PAGE = 50;

export async function render(main, context) {
  const after = context.query.get("after");
  const { inbox, unreadCount } = await call("Inbox", { first: PAGE, after });
  setUnread(unreadCount);
  const me = context.session.me;
  const list = h("ol", { class: "govuk-list", id: "notification-list", "aria-labelledby": "notifications-heading" });
  const count = h("p", { class: "govuk-body", id: "notifications-unread" });
  const problem = h("div", { id: "notifications-problem" });
  const none = h("p", { class: "govuk-body", id: "notifications-none" }, "You have no notifications yet. New ones appear here as they happen.");
  let unread = unreadCount;
  const showCount = () => {
    count.textContent = unread === 1 ? "You have 1 unread notification." : `You have ${unread} unread notifications.`;
  };
  showCount();
  const markAll = h("button", { type: "button", class: "govuk-button govuk-button--secondary", id: "mark-all-read" }, "Mark all as read");
  markAll.addEventListener("click", async () => {
    const ids = [...list.querySelectorAll("[data-unread]")].map((item) => item.dataset.notification);
    if (!ids.length) return;
    markAll.disabled = true;
    try {
      await call("NotificationMarkRead", { ids });
      for (const item of list.querySelectorAll("[data-unread]")) markRead(item);
      const { unreadCount: left } = await call("Inbox", { first: 1 });
      unread = left;
      setUnread(left);
      showCount();
    } catch (error) {
      if (error.code === "UNAUTHENTICATED") return context.sessionEnded();
      problem.replaceChildren(h("p", { class: "govuk-error-message" }, describe(error).message));
    } finally {
      markAll.disabled = false;
    }
  });
  list.append(...inbox.nodes.map((notification) => item(notification, me, context, problem)));
  const stop = onNotification((notification) => {
    if (!context.isCurrent() || !list.isConnected) return stop();
    none.remove();
    list.prepend(item(notification, me, context, problem));
    if (!notification.readAt) {
      unread += 1;
      showCount();
    }
  });
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1", id: "notifications-heading" }, "Notifications"),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/notifications/preferences", id: "preferences-link" }, "Choose how you get notifications")),
    count,
    problem,
    markAll,
    h(
      "div",
      {},
      inbox.nodes.length ? null : none,
      list,
      inbox.pageInfo.hasNextPage
        ? h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: `#/notifications?after=${encodeURIComponent(inbox.pageInfo.endCursor)}` }, "Older notifications"))
        : null,
    ),
  );
  return "Notifications";
}

function markRead(element) {
  element.removeAttribute("data-unread");
  element.classList.remove("taf-notification--unread");
  element.querySelector(".taf-unread-tag")?.remove();
}

function item(notification, me, context, problem) {
  const text = noticeText(notification, me);
  const element = h(
    "li",
    {
      class: `taf-notification${notification.readAt ? "" : " taf-notification--unread"}`,
      "data-notification": notification.id,
      "data-unread": notification.readAt ? null : "yes",
      "data-kind": notification.kind,
    },
    h(
      "p",
      { class: "taf-notification__text" },
      notification.urgent ? [h("strong", { class: "govuk-tag govuk-tag--red" }, "Urgent"), " "] : null,
      notification.readAt ? null : [h("strong", { class: "govuk-tag govuk-tag--blue taf-unread-tag" }, "New"), " "],
      text,
    ),
    h(
      "p",
      { class: "govuk-body taf-secondary-text" },
      formatDateTime(notification.createdAt),
      " · ",
      h("a", { class: "govuk-link", href: noticeLink(notification, me) }, me.role === "ig_officer" ? "Review" : "Open the family's page", hidden(`: ${text}`)),
    ),
  );
  if (isEscalation(notification) && notification.urgent && !notification.acknowledgedAt) {
    const acknowledge = h("button", { type: "button", class: "govuk-button" }, "Acknowledge", hidden(`: ${text}`));
    acknowledge.addEventListener("click", async () => {
      acknowledge.disabled = true;
      try {
        await call("NotificationAcknowledge", { id: notification.id });
        if (notification.payload?.escalation_id) clearEscalationBanner(notification.payload.escalation_id);
        acknowledge.replaceWith(h("p", { class: "govuk-body" }, "Acknowledged. The person who raised it can see that you have."));
      } catch (error) {
        if (error.code === "UNAUTHENTICATED") return context.sessionEnded();
        acknowledge.disabled = false;
        problem.replaceChildren(h("p", { class: "govuk-error-message" }, describe(error).message));
      }
    });
    element.append(acknowledge);
  }
  return element;
}
