"""Xero's per-organisation limits, shared by worker processes through Redis."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from integrations.xero.errors import XeroRateLimited
from integrations.xero.ratelimit import RateLimiter

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="the shared rate limit lives in Redis (set REDIS_URL)")


@needs_redis
def test_two_worker_processes_share_one_budget_per_organisation():
    tenant = f"test-{uuid.uuid4()}"
    env = {
        **os.environ, "DJANGO_SETTINGS_MODULE": "onport.settings_test", "REDIS_URL": settings.REDIS_URL,
        "XERO_CALLS_PER_MINUTE": "8", "XERO_RATE_WINDOW_SECONDS": "2", "XERO_CONCURRENT_CALLS": "2",
    }
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.integrations.limiter_worker", tenant, "10", "0.05"],
                         env=env, cwd=settings.BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]
    held = sorted(span for stdout, stderr in outputs for span in json.loads(stdout or "[]"))

    assert len(held) == 20, outputs
    starts = [start for start, _ in held]
    # never more than 8 calls in any 2-second window, across both processes
    assert max(sum(1 for other in starts if start <= other < start + 2) for start in starts) <= 8
    # never more than 2 calls in flight at once
    assert max(sum(1 for s, e in held if s <= start < e) for start in starts) <= 2
    # and the budget was used, not wasted: 20 calls at 8 per 2 s take a little over 4 s
    assert 4 <= starts[-1] - starts[0] < 12


@needs_redis
def test_retry_after_blocks_every_worker_for_that_organisation(settings):
    tenant = f"test-{uuid.uuid4()}"
    RateLimiter(tenant).block(30)

    with pytest.raises(XeroRateLimited) as blocked:
        with RateLimiter(tenant).slot(max_wait=1):
            pass

    assert 28 < blocked.value.retry_after <= 30


def test_without_redis_the_budget_still_holds_within_the_process(settings):
    settings.REDIS_URL, settings.XERO_CALLS_PER_MINUTE, settings.XERO_RATE_WINDOW_SECONDS = "", 3, 30
    tenant = f"test-{uuid.uuid4()}"
    for _ in range(3):
        with RateLimiter(tenant).slot(max_wait=0):
            pass

    with pytest.raises(XeroRateLimited):
        with RateLimiter(tenant).slot(max_wait=0.5):
            pass


@needs_redis
def test_the_client_stays_inside_the_sandbox_limit(xero_sandbox, connect_xero, account, settings):
    from integrations.xero.client import XeroClient
    from tests.factories import MembershipFactory

    xero_account = connect_xero(account=account, user=MembershipFactory(account=account).user)
    xero_sandbox.configure(rate_per_minute=5, rate_window_seconds=2)
    # a margin over the sandbox window for the time a request takes to arrive (the machine may be busy)
    settings.XERO_CALLS_PER_MINUTE, settings.XERO_RATE_WINDOW_SECONDS = 5, 2.6
    client = XeroClient(xero_account)

    for _ in range(12):
        client.organisation()

    answered = xero_sandbox.requests(path_prefix="/api.xro")
    assert len(answered) >= 12 and all(r["status"] == 200 for r in answered)
