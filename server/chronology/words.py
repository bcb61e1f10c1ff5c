"""The words of the chronology's descriptions: codes in plain English, never the codes themselves.

Each way of describing an entry holds its wording once, as data, and writes it two ways from that data: in
Python (`describe(codes)`, for the service's entries and the CSV export) and in SQL (`describe.sql(codes)`,
for the compiled FamilyChronology, server/chronology/compiled_api.py). tests/chronology checks that both
write the same words for the same codes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from string import Formatter

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql.elements import ColumnElement

from server.team.models import TeamRole


def plain(code: str | None) -> str:
    """A code in plain English: `child_protection_plan` -> "child protection plan"."""
    return WORDS.get(code or "", (code or "").replace("_", " "))


WORDS = {
    "lead_professional": "lead professional",
    "contributor": "team member",
    "referral_childrens_social_care": "referral to children's social care",
    "referral_police": "referral to the police",
    "managed_within_plan": "managed within the plan",
    "none": "no statutory status (early help)",
    "accept_for_service": "accepted for a service",
    "no_change": "no change",
    "step_up": "step up",
    "step_down": "step down",
    "defer": "deferred",
    "true": "yes",
    "false": "no",
}

Codes = Sequence[ColumnElement]


def table(words: dict[str, str]) -> ColumnElement:
    """A table of words as a jsonb constant written into the statement's text. PostgreSQL reads it once, when it
    plans the statement, and finds a code in it by binary search; sent as a parameter cast to JSON, its text was
    parsed again at every look-up, several per entry (-0.9 ms of FamilyChronology's 5.2 ms statement,
    bench/README.md "The chronology's words as constants"). The words are the code's own, never a user's."""
    text = json.dumps(words, sort_keys=True)
    return sa.cast(sa.literal_column("'" + text.replace("'", "''") + "'"), JSONB)


def looked_up(words: ColumnElement, code: ColumnElement) -> ColumnElement:
    """The words a table gives a code; null when it gives none."""
    return sa.func.jsonb_extract_path_text(words, code)


def plain_sql(code: ColumnElement) -> ColumnElement:
    """plain(code) in SQL."""
    given = sa.func.coalesce(code, sa.literal(""))
    return sa.func.coalesce(looked_up(table(WORDS), given), sa.func.replace(given, "_", " "))


def _written(template: str, values: Sequence[ColumnElement]) -> ColumnElement:
    """template.format(*values) in SQL, for templates of `{}` fields in order."""
    pieces: list[ColumnElement] = []
    taken = iter(values)
    for text, name, _spec, _conversion in Formatter().parse(template):
        if text:
            pieces.append(sa.literal(text))
        if name is not None:
            pieces.append(next(taken))
    return sa.func.concat(*pieces) if pieces else sa.literal("")


def _present(code: ColumnElement) -> ColumnElement:
    """Python's truth of a code's text: neither null nor empty."""
    return sa.func.coalesce(code, sa.literal("")) != ""


@dataclass(frozen=True)
class Sentence:
    """Every code in plain English in a template: "Level {}; outcome: {}"."""

    template: str = ""

    def __call__(self, codes: list[str | None]) -> str:
        return self.template.format(*(plain(code) for code in codes))

    def sql(self, codes: Codes) -> ColumnElement:
        return _written(self.template, [plain_sql(code) for code in codes])


@dataclass(frozen=True)
class Parts:
    """Each code that has a value, in plain English in its own template, joined: "Outcome: ...; young person ..."."""

    between: str
    templates: tuple[str, ...]

    def __call__(self, codes: list[str | None]) -> str:
        shown = [template.format(plain(code)) for template, code in zip(self.templates, codes, strict=False) if code]
        return self.between.join(shown)

    def sql(self, codes: Codes) -> ColumnElement:
        shown = [
            sa.case((_present(code), _written(template, [plain_sql(code)])), else_=sa.null())
            for template, code in zip(self.templates, codes, strict=False)
        ]
        return sa.func.concat_ws(sa.literal(self.between), *shown)


@dataclass(frozen=True)
class Named:
    """The first code by a table of its own (`otherwise` when the table has not got it), then the second code
    as it is, in `detail`, when it has a value: "Became the lead professional (school nurse)"."""

    words: dict[str, str]
    otherwise: str
    detail: str

    def __call__(self, codes: list[str | None]) -> str:
        first, second = codes
        said = self.words.get(first or "", self.otherwise)
        return said + self.detail.format(second) if second else said

    def sql(self, codes: Codes) -> ColumnElement:
        first, second = codes
        found = looked_up(table(self.words), sa.func.coalesce(first, sa.literal("")))
        said = sa.func.coalesce(found, sa.literal(self.otherwise))
        more = sa.case((_present(second), _written(self.detail, [second])), else_=sa.literal(""))
        return sa.func.concat(said, more)


@dataclass(frozen=True)
class Counted:
    """The first code as it is, in `template`, then the second by a table of its own, in `detail`, when the table
    has it: "6-month check: still at home"."""

    template: str
    words: dict[str, str] = field(default_factory=dict)
    detail: str = ""

    def __call__(self, codes: list[str | None]) -> str:
        first, second = codes
        found = self.words.get(second or "", "")
        return self.template.format(first) + (self.detail.format(found) if found else "")

    def sql(self, codes: Codes) -> ColumnElement:
        first, second = codes
        found = looked_up(table(self.words), sa.func.coalesce(second, sa.literal("")))
        # Python writes a missing first code as "None"
        said = _written(self.template, [sa.func.coalesce(first, sa.literal("None"))])
        more = sa.case((_present(found), _written(self.detail, [found])), else_=sa.literal(""))
        return sa.func.concat(said, more)


Describer = Sentence | Parts | Named | Counted


def sentence(template: str) -> Sentence:
    return Sentence(template)


NOTHING = Sentence("")

closure = Parts("; ", ("Outcome: {}", "young person {}"))

team_joined = Named({TeamRole.lead_professional.value: "Became the lead professional"}, "Joined the team", " ({})")

follow_up = Counted("{}-month check", {"true": "still at home", "false": "no longer at home"}, ": {}")
