"""Assessments and reviews as case content: what the sharing rules read of each piece.

An assessment's narrative (strengths, needs, the child's and the family's views, protective factors,
resilience indicators) is the assessing agency's content in the assessment's category. Each risk
rating is the assessing agency's content in its factor's category (policies/assessment_factors.csv),
so a refusal of mental health withholds a mental health rating wherever it sits. A review's summary and
its progress notes are the author's agency's content in the review's category. None of them is shared
with the whole team by agreement, and none is ever shown to the family (policies/README.md). What the
team coordinates around (the stage, the date, the level of need; a review's date and outcome scores)
is not content: whoever sees the family's assessments sees it.
"""

from __future__ import annotations

from server.access.categories import InformationCategory
from server.access.facts import ItemFacts
from server.access.rules import ContentColumns
from server.assessment.models import Assessment, AssessmentRating, Review

# An assessment's narrative and a review's summary: the author's agency's content, with a third-party flag.
Written = Assessment | Review


def written_facts(row: Written) -> ItemFacts:
    return ItemFacts(
        owning_agency_id=row.owning_agency_id,
        category=InformationCategory(row.category).value,
        third_party=row.contains_third_party_identities,
    )


def written_columns(model: type[Written]) -> ContentColumns:
    table = model.__table__.c  # type: ignore[attr-defined]
    return ContentColumns(
        owning_agency_id=table.owning_agency_id,
        category=table.category,
        third_party=table.contains_third_party_identities,
    )


def rating_facts(row: AssessmentRating) -> ItemFacts:
    return ItemFacts(owning_agency_id=row.owning_agency_id, category=InformationCategory(row.category).value)


def rating_columns() -> ContentColumns:
    table = AssessmentRating.__table__.c
    return ContentColumns(owning_agency_id=table.owning_agency_id, category=table.category)
