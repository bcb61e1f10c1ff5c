"""Schemathesis checks for TAF's error contract (loaded with SCHEMATHESIS_HOOKS=tests.security.fuzz_checks).

Schemathesis's own `not_a_server_error` counts every GraphQL `errors` entry as a failure; TAF answers
bad input, refusals and unknown ids with errors by design, each with a stable code. What must never
happen is a 5xx, an error without a code, an INTERNAL error, or a trace in a response."""

from __future__ import annotations

import schemathesis


@schemathesis.check
def taf_error_contract(ctx, response, case) -> None:
    assert response.status_code < 500, f"HTTP {response.status_code}"
    body = response.json()
    assert isinstance(body, dict) and ("data" in body or "errors" in body), "not a GraphQL response"
    assert set(body) <= {"data", "errors", "extensions"}, f"unexpected top-level keys {sorted(body)}"
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code, f"an error without a code: {error}"
        assert code != "INTERNAL", f"an unexpected fault: {error}"
    assert "Traceback" not in response.text and "sqlalchemy" not in response.text.lower(), "internals leaked"
