from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pytest

from server.config import REPO_ROOT, ConfigError, Environment, Settings, body_bytes_for_import, load_settings


def test_defaults_are_safe_for_development():
    settings = load_settings({})
    assert settings.database_url is None  # the embedded database
    assert settings.environment is Environment.development
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)


def test_the_read_period_after_closure_is_90_days_unless_configured():
    assert load_settings({}).closed_read_period == timedelta(days=90)
    assert load_settings({"TAF_CLOSED_READ_DAYS": "30"}).closed_read_period == timedelta(days=30)


def test_a_plain_postgresql_url_is_given_the_asyncpg_driver():
    settings = load_settings({"DATABASE_URL": "postgresql://taf:secret@db:5432/taf"})
    assert settings.database_url == "postgresql+asyncpg://taf:secret@db:5432/taf"


@pytest.mark.parametrize(
    ("environ", "names"),
    [
        ({"DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"DATABASE_URL": "mysql://u:supersecret@h/db"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u:supersecret@h:5432/"}, "DATABASE_URL"),
        ({"TAF_PORT": "eighty"}, "TAF_PORT"),
        ({"TAF_PORT": "70000"}, "TAF_PORT"),
        ({"TAF_ENV": "staging"}, "TAF_ENV"),
        ({"TAF_DEMO_DATA": "maybe"}, "TAF_DEMO_DATA"),
        ({"TAF_CLOSED_READ_DAYS": "-1"}, "TAF_CLOSED_READ_DAYS"),
    ],
)
def test_a_bad_value_names_the_variable_and_hides_secrets(environ, names):
    with pytest.raises(ConfigError) as raised:
        load_settings(environ)
    assert names in str(raised.value)
    assert "supersecret" not in str(raised.value)


def test_the_command_line_reports_a_bad_setting_without_a_traceback():
    environ = {**os.environ, "DATABASE_URL": "mysql://u:supersecret@h/db"}
    result = subprocess.run(
        [sys.executable, "-m", "server", "migrate"],
        cwd=REPO_ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr and "supersecret" not in result.stderr


def test_production_requires_demo_data_to_be_asked_for():
    assert load_settings({"TAF_ENV": "production"}).demo_data is False
    assert load_settings({"TAF_ENV": "production", "TAF_DEMO_DATA": "1"}).demo_data is True


def test_the_request_body_limit_carries_the_largest_import_file_escaped_by_default():
    # The import file travels as a JSON string: escaping can double it (issue 20).
    settings = load_settings({})
    assert settings.import_max_bytes == 900_000
    assert settings.max_body_bytes == body_bytes_for_import(900_000) == 2 * 900_000 + 16_384
    assert (settings.max_body_bytes, settings.import_max_bytes) == (
        Settings(database_url=None).max_body_bytes,
        Settings(database_url=None).import_max_bytes,
    )
    larger = load_settings({"TAF_IMPORT_MAX_BYTES": "2000000"})
    assert larger.max_body_bytes == 4_016_384
    # a small import limit does not lower the body limit below its own default
    assert load_settings({"TAF_IMPORT_MAX_BYTES": "10000"}).max_body_bytes == 1_000_000


@pytest.mark.parametrize(
    "environ",
    [
        {"TAF_MAX_BODY_BYTES": "1000000"},  # the old default, with the default import limit
        {"TAF_MAX_BODY_BYTES": "2000000", "TAF_IMPORT_MAX_BYTES": "1000000"},
    ],
)
def test_a_body_limit_that_cannot_carry_an_import_file_is_a_configuration_error(environ):
    with pytest.raises(ConfigError) as raised:
        load_settings(environ)
    message = str(raised.value)
    assert "TAF_MAX_BODY_BYTES" in message and "TAF_IMPORT_MAX_BYTES" in message and "at least" in message
    with pytest.raises(ConfigError):
        Settings(database_url=None, max_body_bytes=100_000, import_max_bytes=60_000)


def test_a_body_limit_that_carries_the_import_file_is_accepted():
    settings = load_settings({"TAF_MAX_BODY_BYTES": "116384", "TAF_IMPORT_MAX_BYTES": "50000"})
    assert (settings.max_body_bytes, settings.import_max_bytes) == (116_384, 50_000)


POLICE = {
    "id": "police",
    "name": "Northbridge Police",
    "issuer": "https://login.police.example/taf",
    "client_id": "taf-northbridge",
    "client_secret_env": "TAF_POLICE_SECRET",
    "agencies": ["Northbridge Police"],
}


def test_sign_in_services_come_from_a_json_list_or_a_file(tmp_path):
    environ = {"TAF_OIDC_PROVIDERS": json.dumps([POLICE]), "TAF_POLICE_SECRET": "s3cret-value"}
    [police] = load_settings(environ).oidc_providers
    assert (police.id, police.client_secret, police.link_by_email) == ("police", "s3cret-value", False)
    assert police.scopes == ("openid", "email", "profile")
    assert police.discovery_url == "https://login.police.example/taf/.well-known/openid-configuration"
    assert "s3cret" not in repr(police)

    listed = tmp_path / "providers.json"
    listed.write_text(json.dumps([{**POLICE, "link_by_email": True}]))
    environ = {"TAF_OIDC_PROVIDERS_FILE": str(listed), "TAF_POLICE_SECRET": "s3cret-value"}
    assert load_settings(environ).oidc_providers[0].link_by_email is True
    assert load_settings({}).oidc_providers == ()


@pytest.mark.parametrize(
    ("providers", "words"),
    [
        ("[{not json", "not valid JSON"),
        (json.dumps(POLICE), "must be a JSON list"),
        (json.dumps([{**POLICE, "client_id": ""}]), "client_id is missing"),
        (json.dumps([{k: v for k, v in POLICE.items() if k != "issuer"}]), "issuer is missing"),
        (json.dumps([{**POLICE, "issuer": "login.police.example"}]), "issuer must be an https:// URL"),
        (json.dumps([{**POLICE, "issuer": "http://login.police.example"}]), "must use https://"),
        (json.dumps([{**POLICE, "id": "Police Force"}]), "id must be lower-case"),
        (json.dumps([{**POLICE, "agencies": []}]), "agencies must be a non-empty list"),
        (json.dumps([{**POLICE, "clientid": "x"}]), "unknown setting 'clientid'"),
        (json.dumps([{**POLICE, "scopes": ["email"]}]), "scopes must include openid"),
        (json.dumps([{**POLICE, "link_by_email": "yes"}]), "link_by_email must be true or false"),
        (json.dumps([{**POLICE, "client_secret_env": "TAF_MISSING"}]), "TAF_MISSING, which is not set"),
        (json.dumps([POLICE, {**POLICE, "issuer": "https://other.example"}]), "the same id 'police'"),
        (json.dumps([{**POLICE, "client_secret": "supersecret"} | {"client_secret_env": "X"}]), "not both"),
    ],
)
def test_a_malformed_sign_in_service_stops_start_up_naming_it(providers, words):
    environ = {"TAF_OIDC_PROVIDERS": providers, "TAF_POLICE_SECRET": "supersecret"}
    with pytest.raises(ConfigError) as raised:
        load_settings(environ)
    assert words in str(raised.value)
    assert "TAF_OIDC_PROVIDERS" in str(raised.value)
    assert "supersecret" not in str(raised.value)


def test_an_unreadable_providers_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match="TAF_OIDC_PROVIDERS_FILE: cannot read"):
        load_settings({"TAF_OIDC_PROVIDERS_FILE": str(tmp_path / "missing.json")})
