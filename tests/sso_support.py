"""A real OpenID Connect provider for the tests (tests/oidc/provider.mjs: the certified npm package
`oidc-provider`), installed with `npm ci` from tests/oidc/package-lock.json when that lock changes, and
started once per test session; and a browser-like walk through a sign-in over plain HTTP."""

from __future__ import annotations

import hashlib
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urljoin, urlsplit

import fasteners
import httpx

from server.config import REPO_ROOT
from server.sso.providers import OidcProvider

OIDC_DIR = REPO_ROOT / "tests" / "oidc"
CLIENT_ID = "taf"
CLIENT_SECRET = "taf-test-secret"
# The provider's instances (tests/oidc/provider.mjs says how each behaves), each configured in TAF under
# its own name; "down" is a provider where nothing listens.
MISBEHAVING = ("wrong-issuer", "other-keys", "expired", "wrong-audience")
INSTANCES = ("good", "trusts-email", *MISBEHAVING, "token-down")
READY_SECONDS = 30
# The main test server's one sign-in service, never reached: there so that the administrator's linking API
# can be exercised by the suite's sweeps; it signs in the staff of the agency of this name.
STANDING_AGENCY = "Standing Sign-in Constabulary"
STANDING_PROVIDER = OidcProvider(
    id="standing",
    name="Standing Test Service",
    issuer="http://127.0.0.1:9/standing",
    client_id=CLIENT_ID,
    client_secret=None,
    agencies=(STANDING_AGENCY,),
)


def install_provider() -> None:
    """`npm ci` in tests/oidc, once per change of its package-lock.json (works offline from npm's cache)."""
    with fasteners.InterProcessLock(OIDC_DIR / ".install.lock"):  # the parallel run's workers install once
        _install_provider()


def _install_provider() -> None:
    want = hashlib.sha256((OIDC_DIR / "package-lock.json").read_bytes()).hexdigest()
    stamp = OIDC_DIR / "node_modules" / ".taf-installed"
    if stamp.exists() and stamp.read_text() == want:
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("The single sign-on tests need Node.js and npm (tests/oidc); install nodejs and npm.")
    command = [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"]
    done = subprocess.run(command, cwd=OIDC_DIR, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"npm ci in tests/oidc failed:\n{done.stdout}\n{done.stderr}")
    stamp.write_text(want)


@contextmanager
def running_provider(port: int) -> Iterator[str]:
    """The provider on 127.0.0.1:port until the block ends; yields its base URL (issuers are base/<name>)."""
    install_provider()
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("The single sign-on tests need Node.js (node) on PATH.")
    process = subprocess.Popen(
        [node, "provider.mjs", "--port", str(port)],
        cwd=OIDC_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        _wait_until_ready(process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _wait_until_ready(process: subprocess.Popen) -> None:
    deadline = time.monotonic() + READY_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tests/oidc/provider.mjs exited with {process.returncode} before it was ready")
        readable, _, _ = select.select([process.stdout], [], [], 0.2)
        if readable and process.stdout.readline().strip() == "ready":
            return
    raise RuntimeError(f"tests/oidc/provider.mjs was not ready within {READY_SECONDS} s")


def configured_providers(base: str, *, agencies: tuple[str, ...], down_port: int) -> tuple[OidcProvider, ...]:
    """TAF's configuration for the test provider's instances, as an operator would write it."""

    def provider(name: str, issuer: str, *, link_by_email: bool = False) -> OidcProvider:
        title = "Test " + name.replace("-", " ").title()
        return OidcProvider(
            id=name,
            name=title,
            issuer=issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            agencies=agencies,
            link_by_email=link_by_email,
        )

    return (
        *(provider(name, f"{base}/{name}", link_by_email=name == "trusts-email") for name in INSTANCES),
        provider("down", f"http://127.0.0.1:{down_port}/down"),
    )


async def through_provider(
    browser: httpx.AsyncClient, service: str, account: str, *, email: str | None = None, verified: bool = False
) -> str:
    """Start signing in with `service`, sign in at the provider as `account`, and return the callback URL
    the provider sends the browser back to (not yet followed, so a test can follow it, or follow it twice)."""
    response = await browser.get(f"/auth/oidc/{service}/start")
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    callback = f"{browser.base_url}".rstrip("/") + f"/auth/oidc/{service}/callback"
    for _ in range(10):
        if location.startswith(callback):
            return location
        response = await browser.get(location)
        if response.status_code == 200 and "/interaction/" in location:  # the provider's sign-in form
            form = {"account": account, "email": email or ""}
            if verified:
                form["email_verified"] = "true"
            response = await browser.post(location, data=form)
        assert response.status_code in (302, 303), (location, response.status_code, response.text)
        location = urljoin(location, response.headers["location"])
    raise AssertionError(f"the provider never sent the browser back to {callback}")


def query_of(url: str) -> str:
    return urlsplit(url).query
