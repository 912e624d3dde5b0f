"""Validators shared by the apps' models."""

from django.core.exceptions import ValidationError

CONTROL_CHARACTERS = (
    "Use letters, digits, spaces and punctuation only: no line breaks, tabs or other control characters."
)


def has_control_characters(value: str) -> bool:
    return any(not char.isprintable() and char != " " for char in value)


def no_control_characters(value: str) -> None:
    """Names end up in email headers, bank files and Xero: a line break or other control character in one is
    never meant, and in a header it would be an injection."""
    if has_control_characters(value):
        raise ValidationError(CONTROL_CHARACTERS, code="control_characters")
