from __future__ import annotations

import os
import subprocess
import sys

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from server.audit.chain import verify
from server.audit.models import AuditEvent, AuditOutcome
from server.config import REPO_ROOT
from server.db.engine import unit_of_work
from server.db.migrate import migrate


async def test_every_event_is_chained_to_the_one_before(sessions):
    async with unit_of_work(sessions) as session:
        for n in range(3):
            session.add(AuditEvent(action=f"chain test {n}", outcome=AuditOutcome.allowed, detail={"n": n}))
    async with sessions() as session:
        report = await verify(session)
        last_two = (
            await session.exec(sa.text("SELECT prev_hash, hash FROM audit_event ORDER BY chain_position DESC LIMIT 2"))
        ).all()
    assert report.intact, report.broken_at
    assert last_two[0][0] == last_two[1][1]  # each event's prev_hash is the hash of the event before


async def test_the_check_command_finds_a_tampered_event(scratch_database):
    # given a database whose audit log someone with superuser rights edited behind the triggers' back
    url = await scratch_database("taf_chain_tamper")
    await migrate(url)
    engine = sa.ext.asyncio.create_async_engine(url)
    async with engine.begin() as connection:
        for n in range(5):
            await connection.execute(
                sa.text("INSERT INTO audit_event (at, action, outcome, detail) VALUES (now(), :a, 'allowed', '{}')"),
                {"a": f"event {n}"},
            )
    environ = {**os.environ, "DATABASE_URL": make_url(url).render_as_string(hide_password=False)}

    def check() -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "server", "audit-verify"],
            cwd=REPO_ROOT,
            env=environ,
            capture_output=True,
            text=True,
            timeout=120,
        )

    intact = check()
    async with engine.begin() as connection:
        await connection.execute(sa.text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_no_update_or_delete"))
        await connection.execute(sa.text("UPDATE audit_event SET action = 'nothing happened' WHERE action = 'event 2'"))
        await connection.execute(sa.text("ALTER TABLE audit_event ENABLE TRIGGER audit_event_no_update_or_delete"))
    await engine.dispose()
    # when the check runs, before and after
    tampered = check()
    # then it passes first, and then names the changed event's position and fails
    assert (intact.returncode, "intact: 5 events") == (0, intact.stdout.strip().split("chain ")[1])
    assert tampered.returncode == 1
    assert "BROKEN at positions [3]" in tampered.stdout
