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
    reject_nul(text, field)
    if len(text) > limit:
        raise BadUserInput(f"{field} can be at most {limit} characters.", field=field)
    return text


def plain_line(value: str, field: str, limit: int) -> str:
    """Optional words on one line, shown as they are (for example to a family): no line breaks or other
    control characters, and no markup."""
    text = optional_text(value, field, limit)
    if any(ord(char) < 32 or ord(char) == 127 for char in text) or "<" in text or ">" in text:
        raise BadUserInput(f"{field} must be plain words on one line, without < or >.", field=field)
    return text


def chosen_categories(categories: list[StrEnum]) -> list[str]:
    if not categories:
        raise BadUserInput("Choose at least one category of information.", field="categories")
    return sorted({category.value for category in categories})


def reject_nul(value: str, field: str) -> str:
    """PostgreSQL text cannot hold the NUL character: refuse it as bad input rather than fail later."""
    if "\x00" in value:
        raise BadUserInput(f"{field} contains a character that is not allowed (NUL).", field=field)
    return value
