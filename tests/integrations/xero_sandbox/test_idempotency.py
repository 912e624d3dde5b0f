"""Idempotency-Key: replays, mismatches, concurrent repeats, scope and window."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from xero_python.exceptions import AccountingBadRequestException

from .builders import bill, bills, line


def bill_count(sandbox, tenant) -> int:
    return len(sandbox.state(tenant)["orgs"][tenant]["invoices"])


def test_a_repeat_with_the_same_key_replays_the_first_response(xero_sandbox, xero, uk, acme):
    first = xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False, idempotency_key="sync-1-v1")
    second = xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False, idempotency_key="sync-1-v1")

    assert second.invoices[0].invoice_id == first.invoices[0].invoice_id
    assert bill_count(xero_sandbox, uk) == 1
    writes = [r for r in xero_sandbox.requests(path_prefix="/api.xro/2.0/Invoices") if r["method"] == "PUT"]
    assert [r["idempotent_replay"] for r in writes] == [False, True]
    assert writes[0]["response_json"] == writes[1]["response_json"]


def test_the_same_key_with_a_different_request_is_refused(xero_sandbox, xero, uk, acme):
    xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False, idempotency_key="k-1")

    with pytest.raises(AccountingBadRequestException) as refused:
        changed = bills(bill(acme, lines=[line(unit_amount="11.00")]))
        xero.accounting.create_invoices(uk, changed, summarize_errors=False, idempotency_key="k-1")

    assert "already used for a different request" in refused.value.reason
    assert bill_count(xero_sandbox, uk) == 1


def test_validation_errors_are_replayed_too(xero_sandbox, xero, uk, acme):
    bad = bills(bill(acme, lines=[line(account_code="090")]))
    first = xero.accounting.create_invoices(uk, bad, summarize_errors=False, idempotency_key="bad-1")
    xero_sandbox.set_account_status(uk, "090", "ARCHIVED")  # nothing the replay could notice
    second = xero.accounting.create_invoices(uk, bad, summarize_errors=False, idempotency_key="bad-1")

    assert first.invoices[0].has_errors and second.invoices[0].validation_errors == first.invoices[0].validation_errors


def test_a_concurrent_repeat_waits_for_the_first_and_gets_its_answer(xero_sandbox, xero_sandbox_session, uk, acme):
    token = xero_sandbox.connect()
    xero_sandbox.faults(latency_ms=300)

    def create(_):
        client = xero_sandbox.sdk(token)  # one ApiClient per thread, as the SDK requires
        created = client.accounting.create_invoices(
            uk, bills(bill(acme)), summarize_errors=False, idempotency_key="race-1"
        )
        return created.invoices[0].invoice_id

    with ThreadPoolExecutor(max_workers=2) as pool:
        ids = list(pool.map(create, range(2)))

    assert ids[0] == ids[1] and bill_count(xero_sandbox, uk) == 1


def test_keys_are_per_organisation(xero_sandbox, xero, uk):
    au = xero_sandbox.au_tenant_id
    for tenant in (uk, au):
        supplier = xero_sandbox.seeded_contact_id(tenant, "Cobalt Freight")
        xero.accounting.create_invoices(tenant, bills(bill(supplier)), idempotency_key="shared")

    assert bill_count(xero_sandbox, uk) == bill_count(xero_sandbox, au) == 1


def test_keys_expire_after_the_window(xero_sandbox, xero, uk, acme):
    xero_sandbox.configure(idempotency_window=0.2)
    xero.accounting.create_invoices(uk, bills(bill(acme)), idempotency_key="short")
    time.sleep(0.3)
    xero.accounting.create_invoices(uk, bills(bill(acme)), idempotency_key="short")

    assert bill_count(xero_sandbox, uk) == 2
