// Where the sign-in lives in the browser.
//
// Threat model. The API takes a bearer token (Authorization header), so the browser has to hold it
// somewhere script can read. We keep it in sessionStorage:
//   - It lasts only as long as the tab: closing the tab (or the browser on a shared office computer)
//     forgets it, and other tabs never see it. localStorage would keep it on disk across restarts.
//   - It is never sent automatically, so there is no cross-site request forgery to defend against
//     (a cookie would need CSRF protection on every mutation).
//   - Its weakness is cross-site scripting: any script running on this origin could read it. So the
//     server sends a strict Content-Security-Policy (script-src 'self', no inline script or style,
//     connect-src 'self'), the pages load no third-party code, and every piece of data is put into the
//     page as text (textContent), never as HTML.
//   - The token never appears in a URL (the hash holds only page state), so it cannot leak through
//     history, bookmarks, Referer headers or server logs; it is never written to the console.
//   - Tokens expire on the server (TAF_TOKEN_TTL_MINUTES, 8 hours by default) and signing out revokes
//     the token on every server at once.
// An HttpOnly cookie would also keep the token away from a successful XSS, at the price of cookie
// authentication plus CSRF tokens on the server: a possible later step, not needed while the CSP holds.

const KEY = "taf.session";

export function currentSession() {
  const raw = sessionStorage.getItem(KEY);
  if (!raw) return null;
  try {
    const session = JSON.parse(raw);
    if (!session.token || new Date(session.expiresAt) <= new Date()) {
      clearSession();
      return null;
    }
    return session;
  } catch {
    clearSession();
    return null;
  }
}

export function saveSession({ token, expiresAt, me }) {
  sessionStorage.setItem(KEY, JSON.stringify({ token, expiresAt, me }));
}

export function updateMe(me) {
  const session = currentSession();
  if (session) saveSession({ ...session, me });
}

export function clearSession() {
  sessionStorage.removeItem(KEY);
}

/** Where a signed-in person starts: family members their portal, IG officers their page, administrators the
 * accounts, everyone else their caseload. */
export function homePath(me) {
  if (me?.kind === "family") return "/portal";
  if (me?.role === "ig_officer") return "/information-governance";
  if (me?.role === "admin") return "/accounts";
  return "/my-work";
}
