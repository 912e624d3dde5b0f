"""Exactly once under real concurrency: worker processes and request threads on PostgreSQL."""

import subprocess
import sys
import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from accounting.sync.models import AccountingSync
from accounting.sync.services import sync_request, sync_request_many
from onport.celery import app as celery_app
from onport.celery import filesystem_broker_folders
from tests.factories import VendorFactory, invoice_create, order_create
from tests.integrations.test_xero_token_concurrency import _worker_env

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and SKIP LOCKED are tested on PostgreSQL"),
]


def test_two_worker_processes_draining_at_once_create_each_bill_once(books, account, monkeypatch):
    vendor = VendorFactory(account=account)
    books.link(vendor)
    invoices = [invoice_create(order=order_create(vendor=vendor, lines=[(1, "1.00")])) for _ in range(120)]
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)  # the queued drain goes to the broker
    filesystem_broker_folders()
    sync_request_many(account=account, invoices=invoices)
    env = {**_worker_env(), "REDIS_URL": ""}  # no shared drain lock: only the row leases keep them apart

    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.accounting.drain_worker", str(books.xero_account.pk)],
            env=env,
            cwd=settings.BASE_DIR,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]

    synced = [int(out.split("synced=")[1].split()[0]) for out, _ in outputs]
    assert sum(synced) == 120, outputs
    assert len(books.bills()) == 120
    assert len({bill["Url"] for bill in books.bills()}) == 120
    assert set(AccountingSync.objects.values_list("state", flat=True)) == {"synced"}


def test_manual_and_automatic_requests_at_the_same_moment_share_one_row(books, account):
    vendor = VendorFactory(account=account)
    books.link(vendor)
    invoice = invoice_create(order=order_create(vendor=vendor))
    barrier, errors = threading.Barrier(6), []

    def request(automatic):
        try:
            barrier.wait()
            sync_request(invoice=invoice, automatic=automatic)
        except Exception as error:  # collected and asserted on
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=request, args=(index % 2 == 0,)) for index in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AccountingSync.objects.filter(invoice=invoice).count() == 1
    assert len(books.bills()) == 1, list(AccountingSync.objects.values("state", "last_error"))
