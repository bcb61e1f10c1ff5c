"""The OpenID Connect providers staff may sign in with, read from configuration at start-up.

`TAF_OIDC_PROVIDERS` holds a JSON list of providers, or `TAF_OIDC_PROVIDERS_FILE` names a file holding
that list (README.md, "Single sign-on"). Malformed configuration stops start-up with a message naming
the variable and the provider; whether a provider answers is only known at sign-in time.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_SCOPES = ("openid", "email", "profile")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYS = {
    "id",
    "name",
    "issuer",
    "client_id",
    "client_secret",
    "client_secret_env",
    "agencies",
    "scopes",
    "link_by_email",
}


class ProviderConfigError(ValueError):
    """The providers' configuration is unusable; the message never holds a client secret."""


@dataclass(frozen=True)
class OidcProvider:
    id: str  # in URLs: /auth/oidc/<id>/start and /auth/oidc/<id>/callback
    name: str  # shown to people: "Sign in with <name>"
    issuer: str  # exactly as the provider's discovery document and ID tokens give it
    client_id: str
    client_secret: str | None  # None: a public client (PKCE only, no client authentication)
    agencies: tuple[str, ...]  # names of the agencies whose staff may sign in through it
    scopes: tuple[str, ...] = DEFAULT_SCOPES
    # Whether a first sign-in whose verified e-mail matches a staff account of one of `agencies` may link
    # that account to the subject. Off unless the provider is trusted to verify the e-mail addresses.
    link_by_email: bool = False

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    def __repr__(self) -> str:  # never print the secret, in a log or a traceback
        return f"OidcProvider(id={self.id!r}, issuer={self.issuer!r})"


def providers_from(environ: Mapping[str, str]) -> tuple[OidcProvider, ...]:
    inline = environ.get("TAF_OIDC_PROVIDERS", "").strip()
    path = environ.get("TAF_OIDC_PROVIDERS_FILE", "").strip()
    if inline and path:
        raise ProviderConfigError("set TAF_OIDC_PROVIDERS or TAF_OIDC_PROVIDERS_FILE, not both")
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise ProviderConfigError(f"TAF_OIDC_PROVIDERS_FILE: cannot read {path!r} ({error.strerror})") from None
        return parse_providers(text, environ, source="TAF_OIDC_PROVIDERS_FILE")
    if inline:
        return parse_providers(inline, environ, source="TAF_OIDC_PROVIDERS")
    return ()


def parse_providers(text: str, environ: Mapping[str, str], *, source: str) -> tuple[OidcProvider, ...]:
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        raise ProviderConfigError(f"{source} is not valid JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(entries, list):
        raise ProviderConfigError(f"{source} must be a JSON list of providers, one object each")
    providers = tuple(_provider(entry, index, environ, source) for index, entry in enumerate(entries))
    ids = [provider.id for provider in providers]
    issuers = [provider.issuer for provider in providers]
    for name, values in (("id", ids), ("issuer", issuers)):
        repeated = sorted({value for value in values if values.count(value) > 1})
        if repeated:
            raise ProviderConfigError(f"{source}: two providers have the same {name} {repeated[0]!r}")
    return providers


def _provider(entry: object, index: int, environ: Mapping[str, str], source: str) -> OidcProvider:
    where = f"{source}, provider {index + 1}"
    if not isinstance(entry, dict):
        raise ProviderConfigError(f"{where} must be a JSON object")
    if isinstance(entry.get("id"), str):
        where = f"{source}, provider {entry['id']!r}"
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise ProviderConfigError(f"{where}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})")
    provider_id = _text(entry, "id", where)
    if not _ID.match(provider_id):
        raise ProviderConfigError(f"{where}: id must be lower-case letters, digits and hyphens (at most 40)")
    return OidcProvider(
        id=provider_id,
        name=_text(entry, "name", where, limit=100),
        issuer=_issuer(_text(entry, "issuer", where, limit=500), where),
        client_id=_text(entry, "client_id", where, limit=500),
        client_secret=_secret(entry, environ, where),
        agencies=_agencies(entry, where),
        scopes=_scopes(entry, where),
        link_by_email=_flag(entry, "link_by_email", where),
    )


def _text(entry: dict, key: str, where: str, *, limit: int = 200) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ProviderConfigError(f"{where}: {key} is missing (a non-empty string)")
    if len(value) > limit:
        raise ProviderConfigError(f"{where}: {key} is longer than {limit} characters")
    return value.strip()


def _issuer(value: str, where: str) -> str:
    """An https URL (plain http only on this machine's loopback, for development and tests)."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ProviderConfigError(f"{where}: issuer must be an https:// URL, got {value!r}")
    if parts.scheme == "http" and not _loopback(parts.hostname):
        raise ProviderConfigError(f"{where}: issuer must use https:// (plain http only on localhost), got {value!r}")
    if parts.query or parts.fragment:
        raise ProviderConfigError(f"{where}: issuer must have no query or fragment, got {value!r}")
    return value


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(entry: dict, environ: Mapping[str, str], where: str) -> str | None:
    if "client_secret" in entry and "client_secret_env" in entry:
        raise ProviderConfigError(f"{where}: give client_secret or client_secret_env, not both")
    if "client_secret_env" in entry:
        name = _text(entry, "client_secret_env", where)
        if not _ENV_NAME.match(name):
            raise ProviderConfigError(f"{where}: client_secret_env must name an environment variable")
        secret = environ.get(name, "").strip()
        if not secret:
            raise ProviderConfigError(f"{where}: client_secret_env names {name}, which is not set")
        return secret
    if "client_secret" in entry:
        secret = entry["client_secret"]
        if not isinstance(secret, str) or not secret.strip():
            raise ProviderConfigError(f"{where}: client_secret must be a non-empty string (or leave it out)")
        return secret.strip()
    return None


def _agencies(entry: dict, where: str) -> tuple[str, ...]:
    names = entry.get("agencies")
    if not isinstance(names, list) or not names or not all(isinstance(n, str) and n.strip() for n in names):
        raise ProviderConfigError(f"{where}: agencies must be a non-empty list of agency names")
    return tuple(name.strip() for name in names)


def _scopes(entry: dict, where: str) -> tuple[str, ...]:
    scopes = entry.get("scopes", list(DEFAULT_SCOPES))
    if not isinstance(scopes, list) or not all(isinstance(s, str) and re.fullmatch(r"[!#-\[\]-~]+", s) for s in scopes):
        raise ProviderConfigError(f"{where}: scopes must be a list of scope names")
    if "openid" not in scopes:
        raise ProviderConfigError(f"{where}: scopes must include openid")
    return tuple(scopes)


def _flag(entry: dict, key: str, where: str) -> bool:
    value = entry.get(key, False)
    if not isinstance(value, bool):
        raise ProviderConfigError(f"{where}: {key} must be true or false")
    return value
