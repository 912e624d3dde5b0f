"""Rate limits per app and organisation: minute (sliding window), day, concurrency; headers on every call."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from xero_python.exceptions import RateLimitException


@pytest.fixture
def xero(xero_sandbox):
    """Without urllib3's retries: by default it would sleep out Retry-After and try again."""
    return xero_sandbox.sdk(xero_sandbox.connect(), retries=False)


def organisation_headers(xero, tenant) -> dict[str, str]:
    _, status, headers = xero.accounting.get_organisations(tenant, _return_http_data_only=False)
    assert status == 200
    return dict(headers)


def test_every_response_carries_the_remaining_limits(xero, uk):
    headers = organisation_headers(xero, uk)

    assert headers["X-MinLimit-Remaining"] == "59" and headers["X-DayLimit-Remaining"] == "4999"
    assert headers["X-AppMinLimit-Remaining"] == "9999"


def test_minute_limit_gives_429_with_retry_after_then_recovers(xero_sandbox, xero, uk):
    xero_sandbox.configure(rate_per_minute=3, rate_window_seconds=1)
    remaining = [organisation_headers(xero, uk)["X-MinLimit-Remaining"] for _ in range(3)]

    with pytest.raises(RateLimitException) as limited:
        xero.accounting.get_organisations(uk)

    assert remaining == ["2", "1", "0"]
    assert limited.value.rate_limit == "minute" and limited.value.headers["Retry-After"] == "1"
    time.sleep(float(limited.value.headers["Retry-After"]))
    assert organisation_headers(xero, uk)["X-MinLimit-Remaining"] == "2"


def test_limits_are_per_organisation(xero_sandbox, xero, uk):
    xero_sandbox.configure(rate_per_minute=1)
    xero.accounting.get_organisations(uk)

    with pytest.raises(RateLimitException):
        xero.accounting.get_organisations(uk)
    assert xero.accounting.get_organisations(xero_sandbox.au_tenant_id).organisations


def test_day_limit(xero_sandbox, xero, uk):
    xero_sandbox.configure(day_limit=2)
    xero.accounting.get_organisations(uk)
    xero.accounting.get_organisations(uk)

    with pytest.raises(RateLimitException) as limited:
        xero.accounting.get_organisations(uk)

    assert limited.value.rate_limit == "day" and int(limited.value.headers["Retry-After"]) > 86000


def test_concurrent_limit(xero_sandbox, uk):
    token = xero_sandbox.connect()
    xero_sandbox.configure(concurrent_limit=2)
    xero_sandbox.faults(latency_ms=400)

    def call(_):
        try:
            xero_sandbox.sdk(token, retries=False).accounting.get_organisations(uk)
            return "ok"
        except RateLimitException as limited:
            assert "Retry-After" not in limited.headers
            return limited.rate_limit

    with ThreadPoolExecutor(max_workers=4) as pool:
        outcomes = sorted(pool.map(call, range(4)))

    assert outcomes == ["concurrent", "concurrent", "ok", "ok"]


def test_by_default_the_sdk_sleeps_out_retry_after_and_retries_gets(xero_sandbox, uk):
    """urllib3 under xero-python retries GET/PUT on 429 + Retry-After (up to 3 times) before the app sees it."""
    xero = xero_sandbox.sdk(xero_sandbox.connect())  # SDK defaults
    xero_sandbox.configure(rate_per_minute=1, rate_window_seconds=1)
    xero.accounting.get_organisations(uk)
    started = time.monotonic()

    xero.accounting.get_organisations(uk)  # 429, Retry-After: 1 → slept, retried, succeeded

    assert time.monotonic() - started >= 0.9
    assert [r["status"] for r in xero_sandbox.requests(path_prefix="/api.xro")][-2:] == [429, 200]
