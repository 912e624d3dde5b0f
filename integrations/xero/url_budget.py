"""Xero answers 404 to a URL longer than about 2,000 characters (XERO.md §11), so lookups that put lists in
the URL (`IDs=`, `ContactIDs=`, `InvoiceNumbers=`, `where` with OR-ed ids) are split into calls that fit.

Lengths are measured as the SDK sends them: the full URL with the query percent-encoded by `urlencode`.
"""

from collections.abc import Callable, Sequence
from urllib.parse import urlencode

from django.conf import settings

MAX_URL_LENGTH = 2000
MARGIN = 150  # room for a longer host, a page number, or an encoding we did not foresee
ACCOUNTING_PATH = "/api.xro/2.0"


def url_length(path: str, params: dict[str, str]) -> int:
    """Characters of the URL the SDK builds for `path` (e.g. "/Invoices") with these query parameters."""
    query = urlencode({name: value for name, value in params.items() if value})
    return len(f"{settings.XERO_API_BASE}{ACCOUNTING_PATH}{path}?{query}")


def fits(path: str, params: dict[str, str]) -> bool:
    return url_length(path, params) <= MAX_URL_LENGTH - MARGIN


def chunked(values: Sequence[str], *, fit: Callable[[list[str]], bool]) -> list[list[str]]:
    """`values` split in order into the fewest consecutive chunks for which `fit(chunk)` holds.

    A value too long to fit even alone gets a chunk of its own (Xero's 404 then tells the caller).
    """
    chunks: list[list[str]] = []
    current: list[str] = []
    for value in values:
        if current and not fit([*current, value]):
            chunks.append(current)
            current = []
        current.append(value)
    if current:
        chunks.append(current)
    return chunks


def any_of(template: str, values: Sequence[str]) -> str:
    """`where` text matching any of the values: any_of('Invoice.InvoiceID==Guid("{}")', ids)."""
    return " OR ".join(template.format(value) for value in values)
