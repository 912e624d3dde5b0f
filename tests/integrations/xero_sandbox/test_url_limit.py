"""Xero answers a bare 404 to a URL longer than about 2,000 characters; the sandbox does the same."""

from __future__ import annotations

import uuid

import pytest
from xero_python.exceptions import NotFoundException

ACCOUNTING = "/api.xro/2.0"


def _ids_path(length: int) -> str:
    """A GET /Invoices path whose path + query is exactly `length` characters."""
    path = f"{ACCOUNTING}/Invoices?IDs="
    ids = ",".join(str(uuid.uuid4()) for _ in range(60))
    return (path + ids)[:length]


def test_a_url_longer_than_2000_characters_answers_a_bare_404(xero_sandbox, xero, uk):
    token = xero.token["access_token"]
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": uk}

    status, body, response_headers = xero_sandbox.http("GET", _ids_path(2001), headers=headers)
    at_limit, _, _ = xero_sandbox.http("GET", _ids_path(2000).rstrip(","), headers=headers)

    assert status == 404 and "json" not in response_headers.get("Content-Type", "")
    assert "cannot be found" in body
    assert at_limit == 200


def test_the_sdk_sees_a_not_found_for_a_long_lookup(xero, uk):
    with pytest.raises(NotFoundException):
        xero.accounting.get_invoices(uk, i_ds=[str(uuid.uuid4()) for _ in range(60)])
