// The practitioners' workspace: a small hash router over pages built from the API.
// Page state lives in the hash (#/caseload?status=active) so it survives reloads and can be shared;
// the sign-in token never goes there (see session.js).

import { call } from "./api.js";
import { setTitle, successBanner } from "./dom.js";
import * as live from "./live.js";
import { addUnread, announce, clearEscalationBanner, setUnread, showAwaiting, showUrgent } from "./notices.js";
import { clearSession, currentSession, homePath, updateMe } from "./session.js";
import * as account from "./pages/account.js";
import * as accountForm from "./pages/account-form.js";
import * as accountStatus from "./pages/account-status.js";
import * as accounts from "./pages/accounts.js";
import * as agencies from "./pages/agencies.js";
import * as agencyEdit from "./pages/agency-edit.js";
import * as assessmentCorrect from "./pages/assessment-correct.js";
import * as caseload from "./pages/caseload.js";
import * as forgottenPassword from "./pages/forgotten-password.js";
import * as family from "./pages/family.js";
import * as caseImport from "./pages/import.js";
import * as meeting from "./pages/meeting.js";
import * as myWork from "./pages/my-work.js";
import * as informationGovernance from "./pages/information-governance.js";
import * as notFound from "./pages/not-found.js";
import * as notifications from "./pages/notifications.js";
import * as notificationPreferences from "./pages/notification-preferences.js";
import * as passwordChange from "./pages/password-change.js";
import * as passwordReset from "./pages/password-reset.js";
import * as outcomes from "./pages/outcomes.js";
import * as panel from "./pages/panel.js";
import * as panelDecision from "./pages/panel-decision.js";
import * as panels from "./pages/panels.js";
import * as portal from "./pages/portal.js";
import * as portalInvitations from "./pages/portal-invitations.js";
import * as portalInvite from "./pages/portal-invite.js";
import * as referral from "./pages/referral.js";
import * as retentionAction from "./pages/retention-action.js";
import * as signIn from "./pages/sign-in.js";
import * as signInComplete from "./pages/sign-in-complete.js";
import * as signedOut from "./pages/signed-out.js";
import * as timeAway from "./pages/time-away.js";

// path pattern -> page module; a page exports title, render(main, context) and `anonymous` if it needs no sign-in.
const ROUTES = [
  [/^\/sign-in$/, signIn],
  [/^\/sign-in\/complete$/, signInComplete],
  [/^\/sign-in\/forgotten-password$/, forgottenPassword],
  [/^\/reset-password(?:\/([^/]+))?$/, passwordReset],
  [/^\/account\/password$/, passwordChange],
  [/^\/accounts$/, accounts],
  [/^\/accounts\/new$/, accountForm],
  [/^\/accounts\/([^/]+)$/, account],
  [/^\/accounts\/([^/]+)\/edit$/, accountForm],
  [/^\/accounts\/([^/]+)\/(deactivate|reactivate)$/, accountStatus],
  [/^\/agencies$/, agencies],
  [/^\/agencies\/([^/]+)\/edit$/, agencyEdit],
  [/^\/signed-out$/, signedOut],
  [/^\/my-work$/, myWork],
  [/^\/caseload$/, caseload],
  [/^\/families\/([^/]+)\/(meetings\/new)$/, family], // arranging a meeting: a question page of the record
  [/^\/families\/([^/]+)\/meetings\/([^/]+)$/, meeting],
  [/^\/families\/([^/]+)\/assessments\/([^/]+)\/correct$/, assessmentCorrect],
  [/^\/referrals\/new$/, referral],
  [/^\/notifications$/, notifications],
  [/^\/information-governance$/, informationGovernance],
  [/^\/import$/, caseImport],
  [/^\/information-governance\/retention\/([^/]+)\/(extend|hold|release|erase)$/, retentionAction],
  [/^\/portal$/, portal],
  [/^\/portal\/invite(?:\/([^/]+))?$/, portalInvite],
  [/^\/families\/([^/]+)\/portal-access$/, portalInvitations],
  [/^\/families\/([^/]+)(?:\/(.+))?$/, family], // the record's sub-pages and question pages (after the routes above)
  [/^\/notifications\/preferences$/, notificationPreferences],
  [/^\/time-away$/, timeAway],
  [/^\/outcomes$/, outcomes],
  [/^\/panels$/, panels],
  [/^\/panels\/([^/]+)$/, panel],
  [/^\/panels\/([^/]+)\/decisions\/([^/]+)$/, panelDecision],
];

let flash = null; // a success message to show on the next page
let renderCount = 0;
let firstRender = true;

export function navigate(path, { message = null } = {}) {
  flash = message;
  if (location.hash === `#${path}`) route();
  else location.hash = path;
}

function parse() {
  const raw = location.hash.startsWith("#/") ? location.hash.slice(1) : "/";
  const [path, search = ""] = raw.split("?");
  return { path, query: new URLSearchParams(search) };
}

async function route() {
  const { path, query } = parse();
  let session = currentSession();
  if (session && !session.me) session = await whoAmI();
  updateHeader(session);
  if (session?.me?.kind === "staff") startLive(session);
  if (path === "/") return navigate(session ? home(session) : "/sign-in");
  // Family members have their own read-only pages; the workspace is for staff.
  const forFamilies = ["/portal", "/portal/invite", "/sign", "/reset-password", "/account/password"];
  if (session?.me?.kind === "family" && !forFamilies.some((start) => path.startsWith(start))) return navigate("/portal");
  let page = notFound;
  let params = [];
  for (const [pattern, module] of ROUTES) {
    const match = path.match(pattern);
    if (match) {
      page = module;
      params = match.slice(1).map((part) => (part === undefined ? undefined : decodeURIComponent(part))); // an absent optional part stays absent
      break;
    }
  }
  if (!page.anonymous && !session) return navigate("/sign-in");
  // Pages for one role or kind of account say so to anyone else (the API refuses them the data anyway).
  const refusal = notFound.refusalFor(page.openTo, session?.me);
  if (refusal) page = { render: (main) => notFound.cannotOpen(main, session.me, refusal) };
  const current = ++renderCount;
  const main = document.getElementById("main-content");
  main.setAttribute("aria-busy", "true");
  const message = flash;
  flash = null;
  const content = document.createElement("div");
  const context = {
    params,
    query,
    session,
    navigate,
    isCurrent: () => current === renderCount,
    reload: () => route(),
    sessionEnded,
  };
  let title;
  try {
    title = await page.render(content, context);
  } catch (error) {
    if (error.code === "UNAUTHENTICATED") return sessionEnded();
    title = notFound.renderError(content, error, session?.me);
  }
  if (current !== renderCount) return; // a later navigation has taken over
  if (message) content.querySelector("h1")?.before(successBanner(message));
  main.replaceChildren(...content.childNodes);
  main.removeAttribute("aria-busy");
  setTitle(title);
  // After a navigation within the app, move focus to the heading (or the banner) so screen reader and
  // keyboard users start at the new content; on the first load, leave the skip link first in order.
  if (!firstRender || message) (main.querySelector(".govuk-notification-banner") || main.querySelector("h1"))?.focus();
  firstRender = false;
}

/** Fill in who is signed in when the session holds only a token (e.g. handed over by another tool). */
async function whoAmI() {
  try {
    updateMe((await call("Me")).me);
  } catch {
    clearSession();
  }
  return currentSession();
}

function home(session) {
  return homePath(session.me);
}

// The unread count and the urgent escalations waiting for my acknowledgement come once per sign-in (one
// request: LiveStart); after that the live stream keeps them up to date.
let liveFor = null;

async function startLive(session) {
  if (liveFor === session.token) return;
  liveFor = session.token;
  let after = null;
  try {
    const { inbox, unreadCount, myWork } = await call("LiveStart");
    setUnread(unreadCount);
    after = inbox.nodes.length ? inbox.nodes[0].id : "0";
    if (liveFor === session.token) myWork.escalations.nodes.filter(({ escalation }) => escalation.level !== "concern").reverse().forEach(showAwaiting);
  } catch {
    // The count stays as it is; the stream still starts.
  }
  if (liveFor !== session.token) return;
  live.start(session.token, { after, ended: sessionEnded });
}

live.onNotification((notification) => {
  const me = currentSession()?.me;
  if (!notification.readAt) addUnread(1);
  announce(notification, me);
  const escalationId = notification.payload?.escalation_id;
  if (escalationId && ["escalation_acknowledged", "escalation_resolved"].includes(notification.kind)) clearEscalationBanner(escalationId);
  else if (notification.urgent) showUrgent(notification, me);
});

function stopLive() {
  liveFor = null;
  live.stop({ forget: true });
  setUnread(0);
  document.getElementById("live-alerts").replaceChildren();
}

function sessionEnded() {
  stopLive();
  clearSession();
  signIn.setNotice("Your sign-in has ended. Sign in again to carry on.");
  navigate("/sign-in");
}

// The header's links, and the start of the paths each one is current for.
const NAVIGATION = [
  ["nav-my-work", "/my-work"],
  ["nav-caseload", "/caseload"],
  ["nav-referral", "/referrals"],
  ["nav-outcomes", "/outcomes"],
  ["nav-panels", "/panels"],
  ["nav-notifications", "/notifications"],
  ["nav-ig", "/information-governance"],
  ["nav-import", "/import"],
  ["nav-accounts", "/accounts"],
  ["nav-password", "/account/password"],
];

/** The links a role can use: work, caseloads, referrals, outcomes and panels are for those who work with families
 * (the API refuses the rest); information governance is the IG officers' own page; importing past cases is
 * for administrators and IG officers; accounts for administrators, and managers for their practitioners'
 * password links. Everyone signed in may change their password. */
function navigationFor(me) {
  if (!me) return [];
  if (me.kind !== "staff") return ["nav-password"];
  if (me.role === "ig_officer") return ["nav-ig", "nav-import", "nav-notifications", "nav-password"];
  if (me.role === "admin") return ["nav-accounts", "nav-import", "nav-notifications", "nav-password"];
  const manager = me.role === "manager" ? ["nav-accounts"] : [];
  return ["nav-my-work", "nav-caseload", "nav-referral", "nav-outcomes", "nav-panels", "nav-notifications", ...manager, "nav-password"];
}

// The phase banner, for staff or in words for a family member (who has no families to "work with").
const PHASE = {
  staff: ["Beta", "This is a new service. Only use it for families you work with."],
  family: ["New", "This is a new service. If something looks wrong, tell your lead professional."],
};

function updateHeader(session) {
  document.getElementById("navigation").hidden = !session;
  const [tag, text] = session?.me?.kind === "family" ? PHASE.family : PHASE.staff;
  document.getElementById("phase-tag").textContent = tag;
  document.getElementById("phase-text").textContent = text;
  const who = document.getElementById("signed-in-as");
  if (session?.me) {
    const agency = session.me.agency ? `, ${session.me.agency.name}` : "";
    who.textContent = `Signed in as ${session.me.displayName}${agency}`;
  } else {
    who.textContent = "";
  }
  const shown = navigationFor(session?.me);
  for (const id of NAVIGATION.map(([navId]) => navId)) document.getElementById(id).parentElement.hidden = !shown.includes(id);
  const { path } = parse();
  for (const [id, prefix] of NAVIGATION) {
    const link = document.getElementById(id);
    if (path.startsWith(prefix)) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function signOut() {
  try {
    await call("Logout");
  } catch {
    // The token is forgotten here either way; it also expires on the server.
  }
  stopLive();
  clearSession();
  navigate("/signed-out");
}

// Links to a place on the same page (#members, #main-content, error summary links) move focus there
// without touching the hash, which holds the page's route.
function followInPageLink(event) {
  const link = event.target.closest('a[href^="#"]');
  if (!link || link.getAttribute("href").startsWith("#/")) return;
  const target = document.getElementById(link.getAttribute("href").slice(1));
  if (!target) return;
  event.preventDefault();
  if (!target.matches("input, select, textarea, button, a, [tabindex]")) target.setAttribute("tabindex", "-1");
  target.focus();
  target.scrollIntoView({ block: "start" });
}

document.documentElement.classList.replace("no-js", "js");
document.addEventListener("click", followInPageLink);
document.getElementById("sign-out").addEventListener("click", signOut);
window.addEventListener("hashchange", route);
route();
