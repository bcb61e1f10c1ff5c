from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from server.audit.models import AuditEvent, AuditOutcome
from server.db.engine import unit_of_work


@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_event SET action = 'tampered'", "DELETE FROM audit_event", "TRUNCATE audit_event"],
)
async def test_the_audit_log_cannot_be_changed_or_deleted(sessions, statement):
    async with unit_of_work(sessions) as session:
        session.add(AuditEvent(action="test", outcome=AuditOutcome.allowed))
    with pytest.raises(DBAPIError, match=r"append-only|cannot truncate"):
        async with unit_of_work(sessions) as session:
            await session.exec(sa.text(statement))
