from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest

from server.config import REPO_ROOT, ConfigError, Environment, load_settings


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
