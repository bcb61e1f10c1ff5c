"""The notification burst's data (bench/notifications_burst.py): families of one lead professional and ten
contributors each, every family active and every team its own people, in five agencies; for each family the
staff its lead will add to the team (newcomers); a sign-in for everyone on a team. Written with COPY on the
same writer as the main data set."""

from __future__ import annotations

import asyncpg

from bench.data.people import AGENCY_COLUMNS, FAMILY_COLUMNS, MEMBERSHIP_COLUMNS, USER_COLUMNS
from bench.data.sessions import COLUMNS as TOKEN_COLUMNS
from bench.data.sessions import token_rows
from bench.data.writer import Writer

AGENCIES = 5


async def write_teams(dsn: str, *, families: int, team: int, newcomers: int, seed: int = 2026) -> list[dict]:
    """`families` teams of `team` workers, the first the lead; per family: its id, its workers' ids and
    tokens (in team order) and the ids of `newcomers` staff not on it."""
    connection = await asyncpg.connect(dsn)
    try:
        writer = Writer(connection, seed)
        made = writer.now
        agencies = [writer.new_id() for _ in range(AGENCIES)]
        rows = [(agency, f"Bench agency {i} {agency.hex[:6]}", "other", made) for i, agency in enumerate(agencies)]
        await writer.copy("agency", AGENCY_COLUMNS, rows)
        shapes = []
        for f in range(families):
            workers = [(writer.new_id(), agencies[(f + i) % AGENCIES]) for i in range(team)]
            joining = [(writer.new_id(), agencies[f % AGENCIES]) for _ in range(newcomers)]
            shapes.append((writer.new_id(), workers, joining))
        families_rows = [
            (family, f"B{family.hex[:12]}", f"Bench family {f}", "active", "targeted", made, None, 1, made)
            for f, (family, _, _) in enumerate(shapes)
        ]
        await writer.copy("family", FAMILY_COLUMNS, families_rows)
        staff = [user for _, workers, joining in shapes for user in workers + joining]
        user_rows = [
            (user, f"{user.hex}@bench.example", "Bench worker", "staff", "practitioner", agency, True, made)
            for user, agency in staff
        ]
        await writer.copy("app_user", USER_COLUMNS, user_rows)
        roles = ["lead_professional"] + ["contributor"] * (team - 1)
        memberships = [
            (writer.new_id(), family, agency, user, role, "x", "", "", made, None, None, made)
            for family, workers, _ in shapes
            for (user, agency), role in zip(workers, roles, strict=True)
        ]
        await writer.copy("team_membership", MEMBERSHIP_COLUMNS, memberships)
        tokens, token_table = token_rows([user for _, workers, _ in shapes for user, _ in workers], hours=2)
        await writer.copy("session_token", TOKEN_COLUMNS, token_table)
    finally:
        await connection.close()
    return [
        {
            "id": str(family),
            "users": [str(user) for user, _ in workers],
            "tokens": [tokens[user] for user, _ in workers],
            "newcomers": [str(user) for user, _ in joining],
        }
        for family, workers, joining in shapes
    ]
