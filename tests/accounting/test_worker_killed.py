"""A real `celery worker` SIGKILLed while Xero holds its batch (the bills land in Xero after the worker is gone):
another worker finishes, and every invoice is exactly one bill — the dead batch adopted, not sent again.

benchmarks/chaos.py does this at scale with random faults; this is its short, deterministic version for the suite.
The workers use Redis databases of their own (broker, drain slots and budgets: REDIS_DBS), emptied before and after,
so a dead worker's unacknowledged message and held locks cannot reach another test.
"""

import os
import signal
import subprocess
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings
from django.db import connection

from accounting.sync.models import AccountingSync, SyncEvent, SyncState
from accounting.sync.tasks import xero_drain
from onport.celery import app as celery_app
from tests.accounting.test_drain_lock import _requested
from tests.fixtures.workers import celery_worker_argv
from tests.factories import invoice_create, order_create
from tests.integrations.test_xero_token_concurrency import _worker_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row leases (SKIP LOCKED) are tested on PostgreSQL"),
    pytest.mark.skipif(not settings.REDIS_URL, reason="the broker, the drain slots and the budgets live in Redis"),
]

REDIS_DBS = (5, 6)  # the workers' broker, and their REDIS_URL (drain slots, rate limits)
HELD_MS = 3000  # how long Xero holds each request before answering: the worker dies well within it


def _redis_db(db: int) -> str:
    parts = urlsplit(settings.REDIS_URL)
    return urlunsplit((parts.scheme, parts.netloc, f"/{db}", "", ""))


def _until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if found := condition():
            return found
        time.sleep(0.1)
    raise AssertionError(f"waited {seconds} s for {what}")


@pytest.fixture
def workers(monkeypatch):
    """start() → a `celery worker` process (one pool process) on the test database and the dedicated Redis dbs;
    send(xero_account_id) queues a drain for them."""
    broker, shared = (_redis_db(db) for db in REDIS_DBS)
    for url in (broker, shared):
        redis.Redis.from_url(url).flushdb()
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    env = {
        **_worker_env(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_BROKER_URL": broker,
        "REDIS_URL": shared,
        "XERO_CONCURRENT_CALLS": "5",
        "SYNC_LEASE_SECONDS": "2",
        "XERO_DRAIN_LOCK_SECONDS": "30",
        "XERO_TIMEOUT_SECONDS": "30",
    }
    started: list[subprocess.Popen] = []

    class Workers:
        @staticmethod
        def start(name: str) -> subprocess.Popen:
            command = celery_worker_argv(name=name, concurrency=1)
            worker = subprocess.Popen(
                command,
                env=env,
                cwd=settings.BASE_DIR,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )  # its own process group
            started.append(worker)
            return worker

        @staticmethod
        def send(xero_account_id: int) -> None:
            with celery_app.connection_for_write(broker) as broker_connection:
                xero_drain.apply_async((xero_account_id,), connection=broker_connection, priority=4)

    yield Workers
    for worker in started:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
    for worker in started:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    for url in (broker, shared):
        redis.Redis.from_url(url).flushdb()


def test_a_worker_killed_mid_batch_leaves_every_invoice_exactly_one_bill(books, linked_vendor, workers):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor, lines=[(1, "1.00")])) for _ in range(80)]
    _requested(books, invoices)  # 80 pending rows: two batches (50 + 30)
    rows = AccountingSync.objects.filter(invoice__in=invoices)
    books.sandbox.faults(latency_ms=HELD_MS)  # Xero holds the first batch while the worker waits for its answer

    # given: a worker that leased a batch and sent it (its key is stamped just before the request)
    doomed = workers.start("doomed")
    workers.send(books.xero_account.pk)
    in_flight = _until(
        lambda: list(rows.filter(state=SyncState.SENDING).exclude(idempotency_key="")),
        30,
        "the worker to lease its first batch",
    )
    [key] = {row.idempotency_key for row in in_flight}
    running = books.sandbox.server.sandbox.idempotency._in_flight  # the requests Xero is working on (by key)
    _until(lambda: any(scope.endswith(f"|{key}") for scope in tuple(running)), 15, "Xero to receive the batch")

    # when: it is killed, pool and all, before the answer comes
    os.killpg(doomed.pid, signal.SIGKILL)
    doomed.wait(timeout=10)
    # Xero goes on and creates the batch's bills; nobody hears the answer
    _until(lambda: len(books.bills()) == len(in_flight), 15, "Xero to create the dead worker's bills")
    books.sandbox.faults(clear=True)
    assert len(in_flight) == 50 and rows.filter(state=SyncState.SENDING).count() == 50  # nobody saved the answer

    # and another worker drains (the lease has expired: the dead batch's outcome is unknown, looked up first)
    workers.start("survivor")
    workers.send(books.xero_account.pk)
    _until(lambda: set(rows.values_list("state", flat=True)) == {SyncState.SYNCED}, 40, "every row to be synced")

    # then: every invoice is exactly one bill in Xero: none missing, none twice
    bills = books.bills()
    urls = [bill["Url"] for bill in bills]
    assert len(bills) == 80 and len(set(urls)) == 80
    assert set(rows.values_list("xero_id", flat=True)) == {bill["InvoiceID"] for bill in bills}
    # the dead batch was adopted, not sent again: its invoices went to Xero once, in the request the worker died in
    adopted = SyncEvent.objects.filter(sync__in=in_flight, message__startswith="Found the bill").count()
    assert adopted == 50
    puts = [r for r in books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices") if r["method"] == "PUT"]
    sent = [bill["Url"] for put in puts for bill in put["json"]["Invoices"]]
    assert sorted(sent) == sorted(urls)
    assert puts[0]["headers"]["Idempotency-Key"] == key  # stamped on the rows before the request left
