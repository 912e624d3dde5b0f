"""Fault injection: latency, 503 before/after the write, dropped connections, scripted and random."""

from __future__ import annotations

import time

import pytest
import urllib3
from xero_python.exceptions import HTTPStatusException, RateLimitException

from .builders import bill, bills

INVOICES = "/api.xro/2.0/Invoices"


def bill_count(sandbox, tenant) -> int:
    return len(sandbox.state(tenant)["orgs"][tenant]["invoices"])


@pytest.mark.parametrize("configure", ["faults", "configure"])
def test_latency_is_added(xero_sandbox, xero, uk, configure):
    getattr(xero_sandbox, configure)(latency_ms=250)
    started = time.monotonic()

    xero.accounting.get_organisations(uk)

    assert time.monotonic() - started >= 0.25


def test_503_before_writes_nothing(xero_sandbox, xero, uk, acme):
    xero_sandbox.faults(script=["503_before"], methods=["PUT"], path_prefix=INVOICES)

    with pytest.raises(HTTPStatusException) as unavailable:
        xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False, idempotency_key="a-1")

    assert unavailable.value.status == 503 and bill_count(xero_sandbox, uk) == 0
    retried = xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False, idempotency_key="a-1")
    assert retried.invoices[0].invoice_id and bill_count(xero_sandbox, uk) == 1


def test_503_after_writes_and_an_idempotent_retry_gets_the_original_answer(xero_sandbox, xero, uk, acme):
    xero_sandbox.faults(script=["503_after"], methods=["PUT"], path_prefix=INVOICES)

    with pytest.raises(HTTPStatusException) as unavailable:
        xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False, idempotency_key="b-1")
    retried = xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False, idempotency_key="b-1")

    assert unavailable.value.status == 503 and bill_count(xero_sandbox, uk) == 1
    stored_id = next(iter(xero_sandbox.state(uk)["orgs"][uk]["invoices"]))
    assert retried.invoices[0].invoice_id == stored_id


def test_503_after_then_a_naive_retry_duplicates_the_bill(xero_sandbox, xero, uk, acme):
    xero_sandbox.faults(script=["503_after"], methods=["PUT"], path_prefix=INVOICES)

    with pytest.raises(HTTPStatusException):
        xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False)
    xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False)

    assert bill_count(xero_sandbox, uk) == 2


@pytest.mark.parametrize("fault, written", [("drop_before", 0), ("drop_after", 1)])
def test_dropped_connection_on_post(xero_sandbox, xero, uk, acme, fault, written):
    xero_sandbox.faults(script=[fault], methods=["POST"], path_prefix=INVOICES)

    with pytest.raises(urllib3.exceptions.ProtocolError):
        xero.accounting.update_or_create_invoices(uk, bills(bill(acme)), summarize_errors=False)

    assert bill_count(xero_sandbox, uk) == written
    logged = _last_request_when_logged(xero_sandbox, INVOICES)
    # A drop before the body is read can leave the server unable to log it at all (ClientDisconnected).
    assert logged is None or logged["dropped"] is True


def test_urllib3_silently_retries_a_dropped_put(xero_sandbox, xero, uk, acme):
    """xero-python's urllib3 retries PUT (an idempotent HTTP method) after a drop: without a key, two bills."""
    xero_sandbox.faults(script=["drop_after"], methods=["PUT"], path_prefix=INVOICES)
    xero.accounting.create_invoices(uk, bills(bill(acme)), summarize_errors=False)
    xero_sandbox.faults(script=["drop_after"], methods=["PUT"], path_prefix=INVOICES)
    replayed = xero.accounting.create_invoices(
        uk, bills(bill(acme, number="KEYED")), summarize_errors=False, idempotency_key="c-1"
    )

    numbers = sorted(i["InvoiceNumber"] for i in xero_sandbox.state(uk)["orgs"][uk]["invoices"].values())
    assert numbers == ["KEYED", "PI-0001", "PI-0001"]
    assert replayed.invoices[0].invoice_number == "KEYED"


def test_scripted_faults_match_method_and_path_and_ok_lets_one_through(xero_sandbox, xero, uk, acme):
    xero_sandbox.faults(script=["ok", "503_before"], methods=["PUT"], path_prefix=INVOICES)

    xero.accounting.get_invoices(uk)  # a GET: not matched
    xero.accounting.create_invoices(uk, bills(bill(acme)))  # "ok"
    with pytest.raises(HTTPStatusException):
        xero.accounting.create_invoices(uk, bills(bill(acme)))

    assert xero_sandbox.admin("GET", "faults")["script"] == []


def test_scripted_429(xero_sandbox, uk):
    xero = xero_sandbox.sdk(xero_sandbox.connect(), retries=False)
    xero_sandbox.faults(script=["429"])

    with pytest.raises(RateLimitException) as limited:
        xero.accounting.get_organisations(uk)

    assert limited.value.rate_limit == "minute" and limited.value.headers["Retry-After"] == "1"


def test_random_faults_are_repeatable_with_a_seed(xero_sandbox, xero, uk):
    def outcomes() -> list[int]:
        xero_sandbox.faults(probabilities={"503_before": 0.5}, seed=42)
        results = []
        for _ in range(12):
            try:
                xero.accounting.get_organisations(uk)
                results.append(200)
            except HTTPStatusException as error:
                results.append(error.status)
        return results

    first, second = outcomes(), outcomes()

    assert first == second and 503 in first and 200 in first


def test_a_lost_refresh_response_is_recovered_within_the_grace_period(xero_sandbox):
    xero = xero_sandbox.sdk(xero_sandbox.connect())
    old = dict(xero.token)
    xero_sandbox.faults(script=["503_after"], path_prefix="/connect/token")

    with pytest.raises(HTTPStatusException):
        xero.api_client.refresh_oauth2_token()  # rotated in the sandbox, answer lost
    xero.holder["token"] = old
    recovered = xero.api_client.refresh_oauth2_token()

    assert recovered["refresh_token"] != old["refresh_token"]
    assert xero.accounting.get_organisations(xero_sandbox.uk_tenant_id).organisations


def _last_request_when_logged(xero_sandbox, path_prefix):
    """The server logs a dropped request just after closing the socket: give it a moment."""
    for _ in range(100):
        logged = xero_sandbox.requests(path_prefix=path_prefix)
        if logged:
            return logged[-1]
        time.sleep(0.02)
    return None
