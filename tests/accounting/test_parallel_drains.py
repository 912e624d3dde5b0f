"""Several batches of one organisation in flight at once, through real Celery worker processes and the
Redis broker, each batch leased on its own: every bill still created exactly once."""

import signal
import subprocess
import time
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.db import connection

from accounting.sync.models import AccountingSync
from accounting.sync.services import sync_request_many
from onport.celery import app as celery_app
from tests.fixtures.workers import celery_worker_argv
from tests.factories import VendorFactory, invoice_create, order_create
from tests.fixtures.accounting import books_ready
from tests.integrations.test_xero_token_concurrency import _worker_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row leases (SKIP LOCKED) are tested on PostgreSQL"),
    pytest.mark.skipif(not settings.REDIS_URL, reason="the broker, the budgets and the drain slots live in Redis"),
]


def _most_in_flight(requests: list[dict]) -> int:
    spans = []
    for request in requests:
        ended = datetime.fromisoformat(request["time"])
        spans.append((ended - timedelta(milliseconds=request["duration_ms"]), ended))
    return max(sum(1 for start, end in spans if start <= moment < end) for moment, _ in spans)


@pytest.fixture
def celery_workers(monkeypatch):
    """Start `celery worker` processes on the test database; yields a function that starts them."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)  # queued drains go to the Redis broker
    celery_app.control.purge()
    started = []

    def start(processes: int, concurrency: int, queues: str = "celery,xero-urgent", **environment: str) -> None:
        env = {
            **_worker_env(),
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "REDIS_URL": settings.REDIS_URL,
            "XERO_CONCURRENT_CALLS": "5",
            "XERO_CALLS_PER_MINUTE": "600",
            **environment,
        }
        for index in range(processes):
            command = celery_worker_argv(name=f"test{len(started)}", concurrency=concurrency, queues=queues)
            started.append(
                subprocess.Popen(
                    command,
                    env=env,
                    cwd=settings.BASE_DIR,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            )

    yield start
    for worker in started:
        worker.send_signal(signal.SIGTERM)
    for worker in started:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    celery_app.control.purge()


def _wait_until_synced(invoices, seconds: float) -> set[str]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        states = set(AccountingSync.objects.filter(invoice__in=invoices).values_list("state", flat=True))
        if states == {"synced"}:
            return states
        time.sleep(0.25)
    return states


def test_one_organisation_s_batches_go_several_at_once_and_each_bill_exactly_once(books, account, celery_workers):
    vendor = VendorFactory(account=account)
    books.link(vendor)
    invoices = [invoice_create(order=order_create(vendor=vendor, lines=[(1, "1.00")])) for _ in range(300)]
    books.sandbox.faults(latency_ms=1500)  # Xero takes its time over each batch
    celery_workers(processes=2, concurrency=3)

    sync_request_many(account=account, invoices=invoices, actor=books.admin)  # queues one drain

    assert _wait_until_synced(invoices, 120) == {"synced"}
    puts = [r for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices") if r["method"] == "PUT"]
    assert len(puts) == 6 and sorted(len(r["json"]["Invoices"]) for r in puts) == [50] * 6
    assert _most_in_flight(puts) >= 3  # not one at a time
    assert _most_in_flight(puts) <= 5  # and never beyond Xero's five
    bills = books.bills()
    assert len(bills) == 300 and len({bill["Url"] for bill in bills}) == 300
    assert len({r["headers"]["Idempotency-Key"] for r in puts}) == 6


def test_a_person_s_sync_is_sent_by_the_urgent_worker_while_another_customer_s_backlog_holds_the_others(
    books, account, other_account, xero_sandbox, connect_xero, celery_workers
):
    vendor = VendorFactory(account=account)
    books.link(vendor)
    backlog = [invoice_create(order=order_create(vendor=vendor, lines=[(1, "1.00")])) for _ in range(250)]
    other = books_ready(xero_sandbox, connect_xero, other_account)
    other_vendor = VendorFactory(account=other_account)
    contact = other.link(other_vendor, "Cobalt Freight").contact_id  # the two accounts share a sandbox organisation
    [urgent] = [invoice_create(order=order_create(vendor=other_vendor, lines=[(1, "9.00")]))]
    books.sandbox.faults(latency_ms=1500)
    # one background worker, kept busy by the backlog for as long as it lasts; one worker for people
    celery_workers(processes=1, concurrency=1, queues="celery", XERO_DRAIN_TURN_SECONDS="600")
    celery_workers(processes=1, concurrency=1, queues="xero-urgent")

    sync_request_many(account=account, invoices=backlog, automatic=True)
    started = AccountingSync.objects.filter(invoice__in=backlog, state="synced")
    deadline = time.monotonic() + 120
    while not started.exists() and time.monotonic() < deadline:  # the backlog's first batch is in Xero
        time.sleep(0.1)
    assert started.exists()
    sync_request_many(account=other_account, invoices=[urgent], actor=other.admin)

    assert _wait_until_synced([urgent], 60) == {"synced"}
    backlog_left = AccountingSync.objects.filter(invoice__in=backlog).exclude(state="synced").count()
    assert backlog_left > 0  # the person did not wait for another customer's backlog
    assert _wait_until_synced(backlog, 120) == {"synced"}
    urgent_put = [
        r
        for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices")
        if r["method"] == "PUT" and r["json"]["Invoices"][0]["Contact"]["ContactID"] == contact
    ]
    assert len(urgent_put) == 1 and len(urgent_put[0]["json"]["Invoices"]) == 1  # sent on its own
