"""Answers with values the SDK does not know yet: Xero's enums grow (XERO.md §11: Organisation.Version
gained *ONRAMP members; currencies are added), and xero-python raises ValueError on a value it does not list.

The `unknown_enum` fault applies the request, then answers with such values in every document:
`CurrencyCode` a currency newer than the SDK, and the Organisation's `Version` an edition it lacks.
"""

from __future__ import annotations

import json
from typing import Any

from werkzeug.wrappers import Response

UNKNOWN_CURRENCY = "XCG"  # the Caribbean guilder (2025), not in xero-python's CurrencyCode
UNKNOWN_VERSION = "CAONRAMP"  # an edition xero-python's Organisation.version does not list
DOCUMENT_FIELDS = {"CurrencyCode": UNKNOWN_CURRENCY}
ORGANISATION_FIELDS = {"Version": UNKNOWN_VERSION}


def with_unknown_enums(response: Response) -> Response:
    """The same answer, its documents carrying values unknown to the SDK (non-JSON answers unchanged)."""
    if response.mimetype != "application/json":
        return response
    body = json.loads(response.get_data() or b"null")
    if not isinstance(body, dict):
        return response
    for collection, documents in body.items():
        if isinstance(documents, list):
            for document in documents:
                _surprise(document, ORGANISATION_FIELDS if collection == "Organisations" else DOCUMENT_FIELDS)
    response.set_data(json.dumps(body))
    return response


def _surprise(document: Any, fields: dict[str, str]) -> None:
    if isinstance(document, dict):
        document.update(fields)
