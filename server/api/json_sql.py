"""SQL expressions that write values as the generic executor writes them, for compiled reads
(server/api/compiled.py): times as Python's isoformat, cursors as server/pagination.py encodes them."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

EMPTY_LIST = sa.text("'[]'::json")


def iso(timestamp: ColumnElement) -> ColumnElement:
    """A timestamptz as datetime.isoformat() writes an aware UTC datetime (no fraction when it is zero, six
    digits otherwise), which is how Strawberry serialises DateTime."""
    utc = timestamp.op("AT TIME ZONE")(sa.literal("UTC"))
    fraction = sa.case(
        (sa.cast(sa.extract("microseconds", timestamp), sa.BigInteger) % 1_000_000 == 0, sa.literal("")),
        else_=sa.func.to_char(utc, ".US"),
    )
    return sa.func.concat(sa.func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS'), fraction, sa.literal("+00:00"))


def cursor(*parts: ColumnElement) -> ColumnElement:
    """pagination.encode(*key) of text parts: urlsafe base64 of the parts joined by "|". PostgreSQL's base64
    breaks lines every 76 characters; translate drops the breaks and makes it urlsafe."""
    text = sa.func.concat_ws(sa.literal("|"), *parts)
    encoded = sa.func.encode(sa.func.convert_to(text, sa.literal("UTF8")), sa.literal("base64"))
    return sa.func.translate(encoded, sa.literal("+/\n"), sa.literal("-_"))
