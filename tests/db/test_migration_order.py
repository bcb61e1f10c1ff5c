"""Migration files are numbered in the order they apply, so that the folder listing reads as the chain."""

from __future__ import annotations

import re
from pathlib import Path

from alembic.script import ScriptDirectory

from server.db.migrate import alembic_config

NUMBERED = re.compile(r"^(\d{4})_\w+\.py$")


def migration_scripts() -> list:
    return list(ScriptDirectory.from_config(alembic_config("postgresql://")).walk_revisions())


def number(script) -> int:
    match = NUMBERED.match(Path(script.path).name)
    assert match, f"{Path(script.path).name}: a migration's file name starts with its four-digit number"
    return int(match.group(1))


def test_the_chain_starts_at_the_baseline_and_does_not_branch():
    scripts = migration_scripts()
    bases = [script.revision for script in scripts if script.down_revision is None]
    heads = [script.revision for script in scripts if not script.nextrev]
    assert bases == ["0001_baseline"]
    assert len(heads) == 1, f"more than one head: {heads}"


def test_each_file_is_numbered_after_the_one_it_follows():
    by_revision = {script.revision: script for script in migration_scripts()}
    for script in by_revision.values():
        if script.down_revision is not None:
            previous = by_revision[script.down_revision]
            assert number(script) > number(previous), (
                f"{Path(script.path).name} follows {Path(previous.path).name}: number it after it"
            )
