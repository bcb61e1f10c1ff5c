"""The retention schedule is read at start-up, and a bad line stops start-up with a message naming it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from server.app import create_app
from server.config import REPO_ROOT, ConfigError, load_settings
from server.retention.schedule import CountedFrom, RecordKind, load_schedule

HEADER = "record,counted_from,years,at_least_years_after_closure,basis"
GOOD = [f"{kind.value},child_25,0,6,DOB+25" for kind in RecordKind]


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "retention_schedule.csv"
    path.write_text("# a comment\n" + "\n".join(lines) + "\n")
    return path


def test_the_default_schedule_names_every_kind_of_record():
    schedule = load_schedule(REPO_ROOT / "policies" / "retention_schedule.csv")
    assert {rule.record for rule in schedule.rules} == set(RecordKind)
    assert schedule.rule(RecordKind.contribution).counted_from is CountedFrom.child_25
    assert schedule.rule(RecordKind.consent).counted_from is CountedFrom.closure
    assert all(rule.at_least_years_after_closure == 6 for rule in schedule.rules)


BAD = [
    ("unknown kind", [HEADER, *GOOD, "minutes,closure,6,6,x"], "line 11: record must be one of"),
    ("unknown start", [HEADER, "family_record,birth,6,6,x", *GOOD[1:]], "line 3: counted_from must be one of"),
    ("negative years", [HEADER, "family_record,closure,-1,6,x", *GOOD[1:]], "line 3: years must be a whole number"),
    ("years not a number", [HEADER, "family_record,closure,six,6,x", *GOOD[1:]], "years must be a whole number"),
    ("too many years", [HEADER, "family_record,closure,101,6,x", *GOOD[1:]], "from 0 to 100"),
    ("no basis", [HEADER, "family_record,closure,6,6,", *GOOD[1:]], "line 3: basis cannot be empty"),
    ("too few values", [HEADER, "family_record,closure,6", *GOOD[1:]], "line 3: expected 5 values"),
    ("a kind twice", [HEADER, *GOOD, GOOD[0]], "more than one line for family_record"),
    ("a kind missing", [HEADER, *GOOD[:-1]], "no line for consent"),
    ("wrong header", ["kind,from,years,min,basis", *GOOD], "line 2: the header must be"),
    ("empty", [], "no header line"),
]


@pytest.mark.parametrize(("case", "lines", "message"), BAD, ids=[row[0] for row in BAD])
def test_a_bad_line_is_refused_with_its_line_number(tmp_path, case, lines, message):
    with pytest.raises(ConfigError, match=message):
        load_schedule(write(tmp_path, lines))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="cannot be read"):
        load_schedule(tmp_path / "nowhere.csv")


def test_a_bad_schedule_stops_the_app_from_starting(tmp_path, settings):
    path = write(tmp_path, [HEADER, *GOOD[:-1]])
    with pytest.raises(ConfigError, match="no line for consent"):
        create_app(replace(settings, retention_schedule=path))


def test_the_schedule_is_configured_by_TAF_RETENTION_SCHEDULE(tmp_path):
    path = write(tmp_path, [HEADER, *GOOD])
    assert load_settings({}).retention_schedule_path == REPO_ROOT / "policies" / "retention_schedule.csv"
    assert load_settings({"TAF_RETENTION_SCHEDULE": str(path)}).retention_schedule_path == path
