"""What operators see of the drains: a log line per batch, and /metrics after real syncs through the sandbox."""

import datetime
import logging

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from accounting.sync.models import AccountingSync
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request, sync_request_many
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db
TOKEN = "test-metrics-token"


@pytest.fixture
def scrape(settings):
    settings.METRICS_TOKEN = TOKEN

    def scrape() -> dict[tuple[str, tuple], float]:
        response = Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return scrape


def _value(samples, name: str, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_drain_logs_one_line_per_batch_with_its_outcome_and_no_token(books, linked_vendor, caplog):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor)) for _ in range(2)]
    sync_request_many(account=linked_vendor.account, invoices=invoices, actor=books.admin)

    with caplog.at_level(logging.INFO):
        drain(xero_account_id=books.xero_account.pk)

    [batch] = [
        r
        for r in caplog.records
        if r.name == "onport.sync" and getattr(r, "phase", "") == "send" and r.outbox == "bills"
    ]
    assert (batch.xero_account_id, batch.tenant_id, batch.account_id) == (
        books.xero_account.pk,
        books.xero_account.tenant_id,
        books.xero_account.account_id,
    )
    assert batch.rows == 2 and batch.outcome == "synced" and batch.states == {"synced": 2} and batch.duration_ms > 0
    [summary] = [
        r for r in caplog.records if r.name == "onport.sync" and r.getMessage().startswith("outbox drain outbox=bills ")
    ]
    assert summary.synced == 2 and summary.batches == 1
    puts = [r for r in caplog.records if r.name == "onport.xero" and r.method == "PUT" and r.path.endswith("/Invoices")]
    assert len(puts) == 1 and puts[0].status == 200
    books.xero_account.refresh_from_db()
    assert all(books.xero_account.access_token not in f"{r.getMessage()} {vars(r)}" for r in caplog.records)


def test_metrics_count_xero_calls_and_bills_synced_after_a_real_sync(books, linked_vendor, scrape):
    before = scrape()
    sync_request(invoice=invoice_create(order=order_create(vendor=linked_vendor)), actor=books.admin)

    drain(xero_account_id=books.xero_account.pk)

    after = scrape()
    calls = {"method": "PUT", "status_class": "2xx"}
    assert _value(after, "onport_xero_calls_total", **calls) >= _value(before, "onport_xero_calls_total", **calls) + 1
    synced = {"outbox": "bills", "kind": "bill", "reason": "created"}
    assert (
        _value(after, "onport_outbox_synced_total", **synced)
        == _value(before, "onport_outbox_synced_total", **synced) + 1
    )
    assert any(name.startswith("django_http_requests") for name, _ in after)  # django-prometheus' middleware


def test_a_429_is_counted_by_the_limit_xero_named(books, linked_vendor, scrape):
    before = scrape()
    sync_request(invoice=invoice_create(order=order_create(vendor=linked_vendor)))
    books.sandbox.faults(script=["429"], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")

    drain(xero_account_id=books.xero_account.pk)

    after = scrape()
    name = "onport_xero_rate_limited_total"
    assert _value(after, name, limit="minute") == _value(before, name, limit="minute") + 1


def test_outbox_gauges_show_the_due_rows_and_how_long_the_oldest_waited(books, linked_vendor, scrape):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor)) for _ in range(3)]
    sync_request_many(account=linked_vendor.account, invoices=invoices, actor=books.admin)
    later = AccountingSync.objects.get(invoice=invoices[2])
    later.next_attempt_at = timezone.now() + datetime.timedelta(minutes=5)  # not due yet
    later.save(update_fields=["next_attempt_at"])
    AccountingSync.objects.filter(invoice=invoices[0]).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=2)
    )

    samples = scrape()
    assert _value(samples, "onport_outbox_due_rows", outbox="bills") == 2
    assert 120 <= _value(samples, "onport_outbox_oldest_due_age_seconds", outbox="bills") < 180
    assert _value(samples, "onport_outbox_due_rows", outbox="bill-payments") == 0

    drain(xero_account_id=books.xero_account.pk)

    samples = scrape()
    assert _value(samples, "onport_outbox_due_rows", outbox="bills") == 0
    assert _value(samples, "onport_outbox_oldest_due_age_seconds", outbox="bills") == 0
