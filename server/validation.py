"""Small input checks shared by the services; each failure names the field in the API's words."""

from __future__ import annotations

from enum import StrEnum

from server.errors import BadUserInput


def required_text(value: str, field: str, limit: int) -> str:
    text = value.strip()
    if not text:
        raise BadUserInput(f"{field} cannot be empty.", field=field)
    return optional_text(text, field, limit)


def optional_text(value: str, field: str, limit: int) -> str:
    text = value.strip()
    if len(text) > limit:
        raise BadUserInput(f"{field} can be at most {limit} characters.", field=field)
    return text


def chosen_categories(categories: list[StrEnum]) -> list[str]:
    if not categories:
        raise BadUserInput("Choose at least one category of information.", field="categories")
    return sorted({category.value for category in categories})
