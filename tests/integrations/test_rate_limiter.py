"""Xero's per-organisation limits, shared by worker processes through Redis."""

import json
import os
import subprocess
import sys
import time
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
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "onport.settings_test",
        "REDIS_URL": settings.REDIS_URL,
        "XERO_CALLS_PER_MINUTE": "8",
        "XERO_RATE_WINDOW_SECONDS": "2",
        "XERO_CONCURRENT_CALLS": "2",
    }
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.integrations.limiter_worker", tenant, "10", "0.05"],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
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


# -- the app-wide minute and the day, shared with what is kept for people ------------------------------


def _spend(tenant: str, calls: int, share=None) -> None:
    from integrations.xero.ratelimit import URGENT

    for _ in range(calls):
        with RateLimiter(tenant, share or URGENT).slot(max_wait=0):
            pass


@pytest.fixture
def budgets(store):
    """Both stores of the budgets obey the same rules (each test below sets the pace it is about)."""
    store.XERO_APP_PACE_SLICES = 1  # one slice: the whole window, no pacing within it
    return store


def test_the_app_wide_minute_is_shared_by_every_organisation(budgets):
    budgets.XERO_APP_CALLS_PER_MINUTE, budgets.XERO_RATE_WINDOW_SECONDS = 4, 30
    for index in range(4):
        _spend(f"test-{uuid.uuid4()}", 1)  # four organisations, one call each: the app's minute is used

    with pytest.raises(XeroRateLimited):
        _spend(f"test-{uuid.uuid4()}", 1)


def test_background_calls_leave_part_of_the_app_minute_to_people(budgets):
    from integrations.xero.ratelimit import share_for_background

    budgets.XERO_APP_CALLS_PER_MINUTE, budgets.XERO_APP_RESERVE, budgets.XERO_RATE_WINDOW_SECONDS = 5, 2, 30
    backfill = share_for_background(backfill=True)
    _spend(f"test-{uuid.uuid4()}", 3, backfill)

    with pytest.raises(XeroRateLimited):
        _spend(f"test-{uuid.uuid4()}", 1, backfill)
    _spend(f"test-{uuid.uuid4()}", 2)  # a person's sync still goes


def _try(tenant: str, share) -> bool:
    """One call without waiting: True if it got a slot."""
    try:
        _spend(tenant, 1, share)
    except XeroRateLimited:
        return False
    return True


def test_a_person_waiting_for_the_app_minute_goes_before_background_calls(budgets):
    from integrations.xero.ratelimit import URGENT, share_for_background

    budgets.XERO_APP_CALLS_PER_MINUTE, budgets.XERO_APP_RESERVE = 2, 0
    budgets.XERO_RATE_WINDOW_SECONDS, budgets.XERO_RATE_WINDOW_MARGIN = 1.5, 0  # more than a busy machine's pause
    backfill = share_for_background(backfill=True)
    _spend(f"test-{uuid.uuid4()}", 2, backfill)  # the app's minute is used by a backlog
    assert not _try(f"test-{uuid.uuid4()}", URGENT)  # a person's sync has to wait, and says so
    time.sleep(1.7)  # the backlog's calls leave the window

    assert not _try(f"test-{uuid.uuid4()}", backfill)  # the freed call is the person's
    assert _try(f"test-{uuid.uuid4()}", URGENT)
    assert _try(f"test-{uuid.uuid4()}", backfill)  # nobody waits any more: the backlog goes on


def test_a_person_waiting_for_the_organisation_s_minute_goes_before_its_backlog(budgets):
    from integrations.xero.ratelimit import URGENT, share_for_background

    budgets.XERO_CALLS_PER_MINUTE, budgets.XERO_RATE_WINDOW_SECONDS, budgets.XERO_RATE_WINDOW_MARGIN = 2, 1.5, 0
    tenant, other = f"test-{uuid.uuid4()}", f"test-{uuid.uuid4()}"
    backfill = share_for_background(backfill=True)
    _spend(tenant, 2, backfill)
    assert not _try(tenant, URGENT)
    time.sleep(1.7)

    assert not _try(tenant, backfill)
    assert _try(other, backfill)  # another organisation's backlog is not held up by this person
    assert _try(tenant, URGENT)
    assert _try(tenant, backfill)


def test_a_free_call_of_the_app_minute_goes_to_the_waiting_organisation_that_had_fewest(budgets):
    from integrations.xero.ratelimit import share_for_background

    budgets.XERO_APP_CALLS_PER_MINUTE, budgets.XERO_APP_RESERVE = 3, 0
    budgets.XERO_RATE_WINDOW_SECONDS, budgets.XERO_RATE_WINDOW_MARGIN = 3, 0
    backfill = share_for_background(backfill=True)
    busy, quiet = f"test-{uuid.uuid4()}", f"test-{uuid.uuid4()}"
    _spend(busy, 1, backfill)
    time.sleep(1.5)
    _spend(busy, 2, backfill)  # one organisation's backlog has the app's minute
    assert not _try(quiet, backfill)  # another one's waits, with none of the minute's calls so far
    time.sleep(1.9)  # the backlog's first call leaves the window

    assert not _try(busy, backfill)  # the free call is the other organisation's turn
    assert _try(quiet, backfill)
    assert not _try(busy, backfill)  # and the minute is full again


def test_backlogs_spread_the_app_minute_over_the_window_and_people_do_not_wait_for_that(budgets):
    from integrations.xero.ratelimit import URGENT, share_for_background

    budgets.XERO_APP_CALLS_PER_MINUTE, budgets.XERO_APP_RESERVE = 24, 0
    budgets.XERO_APP_PACE_SLICES = 12  # 2 calls in each twelfth of the window (2 s: more than a busy machine's pause)
    budgets.XERO_RATE_WINDOW_SECONDS, budgets.XERO_RATE_WINDOW_MARGIN = 24, 0
    backfill = share_for_background(backfill=True)
    _spend(f"test-{uuid.uuid4()}", 2, backfill)

    assert not _try(f"test-{uuid.uuid4()}", backfill)  # a third in the same second would be a burst
    assert _try(f"test-{uuid.uuid4()}", URGENT)  # a person is not paced
    time.sleep(2.3)
    assert _try(f"test-{uuid.uuid4()}", backfill)


def test_an_app_wide_block_stops_every_organisation(budgets):
    RateLimiter(f"test-{uuid.uuid4()}").block(30, app_wide=True)

    with pytest.raises(XeroRateLimited) as blocked:
        _spend(f"test-{uuid.uuid4()}", 1)

    assert 28 < blocked.value.retry_after <= 30


def test_a_backfill_stops_short_of_the_day_limit_and_people_still_get_through(budgets):
    from integrations.xero.ratelimit import DAY_KEPT, share_for_background

    budgets.XERO_CALLS_PER_DAY, budgets.XERO_DAY_RESERVE = 20, 10
    tenant = f"test-{uuid.uuid4()}"
    _spend(tenant, 10, share_for_background(backfill=True))

    with pytest.raises(XeroRateLimited) as kept:
        _spend(tenant, 1, share_for_background(backfill=True))
    _spend(tenant, 8, share_for_background(backfill=False))  # automatic syncs keep a fifth of the reserve
    with pytest.raises(XeroRateLimited):
        _spend(tenant, 1, share_for_background(backfill=False))
    _spend(tenant, 2)  # and a person's sync takes the last of it

    assert kept.value.problem == DAY_KEPT
    assert 22 * 3600 < kept.value.retry_after <= 24 * 3600  # the calls of this hour leave the day tomorrow
    assert RateLimiter(tenant).day_usage().used == 20 and RateLimiter(tenant).day_usage().left == 0


@needs_redis
def test_xero_s_day_count_corrects_ours():
    tenant = f"test-{uuid.uuid4()}"
    _spend(tenant, 2)
    limiter = RateLimiter(tenant)

    limiter.observe({"day": limiter.day_limit - 30})  # Xero counts 30 calls today (another app, an earlier run)

    assert limiter.day_usage().used == 30


@needs_redis
def test_an_app_wide_429_from_xero_pauses_every_organisation(xero_sandbox, connect_xero, account, settings):
    from integrations.xero.client import XeroClient
    from integrations.xero.sandbox import seed
    from tests.factories import MembershipFactory

    admin = MembershipFactory(account=account).user
    uk = connect_xero(account=account, user=admin, tenant=seed.UK_TENANT_ID)
    xero_sandbox.configure(rate_window_seconds=0.5)
    time.sleep(0.6)
    XeroClient(uk).organisation()  # the sandbox's windows forget the connecting calls and count this one
    xero_sandbox.configure(app_rate_per_minute=1, rate_window_seconds=30)
    with pytest.raises(XeroRateLimited) as refused:
        XeroClient(uk).organisation()  # Xero: the app's minute is used (X-Rate-Limit-Problem: appminute)
    asked = len(xero_sandbox.requests(path_prefix="/api.xro"))

    with pytest.raises(XeroRateLimited) as waiting:  # another organisation waits too, without asking Xero
        XeroClient(uk, max_wait=1).organisation(seed.AU_TENANT_ID)

    assert refused.value.problem == "appminute"
    assert waiting.value.retry_after > 1
    assert len(xero_sandbox.requests(path_prefix="/api.xro")) == asked


@needs_redis
def test_xero_s_minute_count_corrects_ours_until_the_window_passes(settings):
    settings.XERO_CALLS_PER_MINUTE, settings.XERO_RATE_WINDOW_SECONDS, settings.XERO_RATE_WINDOW_MARGIN = 10, 2, 0
    tenant = f"test-{uuid.uuid4()}"
    _spend(tenant, 1)
    RateLimiter(tenant).observe({"minute": 2})  # Xero counts 8 calls this minute: 2 are left

    _spend(tenant, 2)
    with pytest.raises(XeroRateLimited) as waiting:
        _spend(tenant, 1)
    assert 0 < waiting.value.retry_after <= 2
    time.sleep(2.1)
    _spend(tenant, 10)  # the window passed: the whole minute again
