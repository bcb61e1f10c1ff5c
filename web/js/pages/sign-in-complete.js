// Where the browser lands after signing in with an organisation's sign-in service (single sign-on). The
// server has checked who the service vouched for and left a one-time, HttpOnly cookie; this page exchanges
// it, with a same-origin request, for an ordinary session token, kept like a password sign-in's (session.js).
// The token is never in the address. Reloading this page later finds the session already there.

import { h } from "../dom.js";
import { saveSession } from "../session.js";

export const anonymous = true;

export async function render(main, { session, navigate }) {
  if (session) {
    navigate("/");
    return "Signing in";
  }
  const collected = await collect();
  if (collected) {
    saveSession(collected);
    navigate("/");
    return "Signing in";
  }
  main.append(
    h("h1", { class: "govuk-heading-l", tabindex: "-1" }, "Your sign-in could not be finished"),
    h("p", { class: "govuk-body" }, "This sign-in has already been used, or took too long to finish. You have not been signed in."),
    h("p", { class: "govuk-body" }, h("a", { class: "govuk-link", href: "#/sign-in" }, "Go back to sign in")),
  );
  return "Your sign-in could not be finished";
}

async function collect() {
  try {
    const response = await fetch("/auth/oidc/session", { method: "POST", credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return null;
    const { token, expiresAt } = await response.json();
    return token ? { token, expiresAt, me: null } : null;
  } catch {
    return null;
  }
}
