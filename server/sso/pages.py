"""The page a browser gets when a sign-in through a provider does not happen: in words, GOV.UK style,
with the reason and a way back. Built from text, escaped; no script (the strict CSP applies)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from starlette.responses import HTMLResponse

from server.sso.client import Problem

SERVICE = "Team Around the Family"
TRY_AGAIN = "Go back to the sign-in page and try again."
IT_DESK = "If it keeps happening, tell your IT service desk, quoting the reference below."


@dataclass(frozen=True)
class Wording:
    status: int
    title: str
    paragraphs: tuple[str, ...]


_UNTRUSTED = "{provider} answered, but the answer could not be trusted, so you have not been signed in."


def _untrusted(reason: str) -> Wording:
    return Wording(502, "We could not confirm who you are", (_UNTRUSTED, f"Reason: {reason}", TRY_AGAIN, IT_DESK))


def _unusable(reason: str) -> Wording:
    return Wording(400, "This sign-in cannot be finished", (reason, "You have not been signed in.", TRY_AGAIN))


WORDING: dict[Problem, Wording] = {
    Problem.unknown_provider: Wording(
        404,
        "Sign-in service not found",
        ("There is no sign-in service at this address.", "Go back to the sign-in page and choose your organisation."),
    ),
    Problem.too_many_attempts: Wording(
        429,
        "Too many attempts to sign in",
        ("There have been too many attempts to sign in from your network.", "Wait a minute, then try again."),
    ),
    Problem.provider_unavailable: Wording(
        503,
        "{provider} is not available",
        (
            "We could not reach {provider}'s sign-in service, so you have not been signed in.",
            "Try again in a few minutes.",
            IT_DESK,
        ),
    ),
    Problem.cancelled: Wording(
        400,
        "You have not been signed in",
        ("{provider} did not confirm who you are. You may have cancelled signing in there.", TRY_AGAIN),
    ),
    Problem.bad_state: _unusable("This sign-in link is not one this service started."),
    Problem.replayed_state: _unusable("This sign-in link has already been used. Each one works only once."),
    Problem.expired_state: _unusable("Signing in took more than 10 minutes, so this sign-in link has expired."),
    Problem.other_browser: _unusable(
        "This sign-in was started in another browser, or in a browser window that has since been closed."
    ),
    Problem.code_refused: _untrusted("{provider} would not confirm the sign-in when we asked it to."),
    Problem.wrong_issuer: _untrusted("the answer came from a different sign-in service than {provider}."),
    Problem.bad_signature: _untrusted("the answer was not signed with {provider}'s keys."),
    Problem.expired_token: _untrusted("the answer had expired. Check that this computer's clock is right."),
    Problem.wrong_audience: _untrusted("the answer was meant for a different service."),
    Problem.bad_nonce: _untrusted("the answer was for a different sign-in."),
    Problem.invalid_token: _untrusted("the answer was not in the expected form."),
    Problem.unknown_subject: Wording(
        403,
        "Your account is not linked",
        (
            "{provider} confirmed who you are, but your account there is not linked to an account in this service.",
            "Ask your administrator to link your account. You have not been signed in.",
        ),
    ),
    Problem.disabled_user: Wording(
        403,
        "Your account is switched off",
        (
            "Your account in this service has been switched off, so you cannot sign in.",
            "Ask your manager or your administrator if you think this is wrong.",
        ),
    ),
    Problem.agency_not_served: Wording(
        403,
        "{provider} cannot sign you in",
        (
            "Your account in this service belongs to an agency that does not sign in with {provider}.",
            "Go back to the sign-in page and choose your own organisation's sign-in.",
        ),
    ),
    Problem.handover_failed: _unusable("This sign-in has already been collected, or took too long."),
}


def problem_page(problem: Problem, provider_name: str | None) -> HTMLResponse:
    wording = WORDING[problem]
    name = provider_name or "The sign-in service"
    title = wording.title.format(provider=name)
    paragraphs = "".join(
        f'<p class="govuk-body">{escape(text.format(provider=name))}</p>' for text in wording.paragraphs
    )
    body = _PAGE.format(
        title=escape(title),
        service=escape(SERVICE),
        paragraphs=paragraphs,
        reference=escape(problem.value),
    )
    return HTMLResponse(body, status_code=wording.status, headers={"cache-control": "no-store"})


_PAGE = """<!doctype html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} \u2013 {service}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="/css/taf.css">
</head>
<body>
  <a href="#main-content" class="govuk-skip-link">Skip to main content</a>
  <header class="govuk-header" role="banner">
    <div class="govuk-header__bar">
      <div class="govuk-width-container govuk-header__container">
        <a href="/" class="govuk-header__service-name">{service}</a>
      </div>
    </div>
  </header>
  <div class="govuk-width-container">
    <main class="govuk-main-wrapper" id="main-content" tabindex="-1">
      <div class="govuk-grid-row">
        <div class="govuk-grid-column-two-thirds">
          <h1 class="govuk-heading-l">{title}</h1>
          {paragraphs}
          <p class="govuk-body"><a class="govuk-link" href="/#/sign-in" id="back-to-sign-in">Go back to sign in</a></p>
          <p class="govuk-body govuk-hint">Reference: <span id="problem-reference">{reference}</span></p>
        </div>
      </div>
    </main>
  </div>
</body>
</html>
"""
