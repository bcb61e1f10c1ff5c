"""The categories of information, named once. Every piece of case content has one (consent, refusals and
safeguarding overrides are given per category, and the policy's item rules read it), whichever domain
holds the content: a contribution, an assessment rating, a minutes item, a plan goal, an escalation."""

from __future__ import annotations

from enum import StrEnum


class InformationCategory(StrEnum):
    """What kind of information an item holds; consent and overrides are given per category."""

    health = "health"
    mental_health = "mental_health"
    education = "education"
    police = "police"
    youth_justice = "youth_justice"
    housing = "housing"
    social_care = "social_care"
    substance_misuse = "substance_misuse"
    domestic_abuse = "domestic_abuse"
    family_history = "family_history"
    finance = "finance"
    other = "other"
