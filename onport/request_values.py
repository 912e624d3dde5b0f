"""Reading values people (or anyone) put in a URL or a form, without a 500 and without an open redirect."""

from django.utils.http import url_has_allowed_host_and_scheme


def ids_from(values) -> list[int]:
    """The positive whole numbers among `values` ("12", " 7 "); anything else ("²", "1e3", NUL bytes) is ignored.

    `str.isdigit()` accepts "²", which `int()` refuses: only ASCII digits count here.
    """
    ids = []
    for value in values:
        text = str(value).strip()
        if text.isascii() and text.isdigit() and len(text) <= 18:
            ids.append(int(text))
    return ids


def safe_next(request, value: str | None, *, default: str) -> str:
    """`value` when it is a path on this site, else `default` (never another site or a javascript: URL)."""
    if (
        value
        and "\x00" not in value
        and url_has_allowed_host_and_scheme(
            value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return value
    return default


def clean_text(value: str | None, *, max_length: int) -> str:
    """A single-line text value without NUL bytes (PostgreSQL refuses them), cut to `max_length`."""
    return (value or "").replace("\x00", "").strip()[:max_length]
