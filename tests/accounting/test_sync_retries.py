"""What a drain sends when Xero asks it to wait or to show another token, asserted on what the sandbox received:
the Idempotency-Key of each write, the shared block after a 429, and the refresh after a 401."""

import datetime
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from accounting.outbox.models import Reason
from accounting.sync.inputs import invoice_url
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request, sync_request_many
from integrations.models import XeroAccount, XeroAccountStatus
from integrations.services import xero_client
from integrations.xero.client import XeroClient
from integrations.xero.ratelimit import RateLimiter
from invoicing import services as invoicing
from tests.factories import MembershipFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db

needs_redis = pytest.mark.skipif(not settings.REDIS_URL, reason="the shared block lives in Redis (set REDIS_URL)")


def _drain(books):
    return drain(xero_account_id=books.xero_account.pk)


def _last_id(books) -> int:
    return max((r["id"] for r in books.sandbox.requests()), default=0)


def _writes(books, since: int = 0, method: str = "PUT") -> list[dict]:
    received = books.sandbox.requests(path_prefix="/api.xro/2.0/Invoices", since=since)
    return [r for r in received if r["method"] == method]


# -- Idempotency-Key ------------------------------------------------------------------------------------------


def test_each_batch_of_bills_carries_its_own_idempotency_key_the_one_its_rows_keep(books, linked_vendor):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor, lines=[(1, "2.00")])) for _ in range(60)]
    sync_request_many(account=linked_vendor.account, invoices=invoices)

    _drain(books)

    puts = _writes(books)
    keys = [put["headers"].get("Idempotency-Key", "") for put in puts]
    assert len(puts) == 2 and all(key.startswith("onport-bills-") for key in keys) and len(set(keys)) == 2
    for put, key in zip(puts, keys):  # each row keeps the key of the request that carried its bill
        rows = AccountingSync.objects.filter(idempotency_key=key).select_related("invoice")
        assert {invoice_url(row.invoice) for row in rows} == {bill["Url"] for bill in put["json"]["Invoices"]}


def test_a_changed_bill_is_posted_with_an_idempotency_key_of_its_own(books, linked_vendor):
    order = order_create(vendor=linked_vendor)
    invoice = invoice_create(order=order)
    sync_request(invoice=invoice)
    _drain(books)
    lines = list(order.lines.all())
    invoicing.invoice_change_lines(
        invoice=invoice, quantities={lines[0].id: 1, lines[1].id: 2}, shipping=Decimal("5.00"), reason="Short shipped"
    )

    sync_request(invoice=invoice)
    _drain(books)

    [put], [post] = _writes(books), _writes(books, method="POST")
    assert post["headers"]["Idempotency-Key"].startswith("onport-bills-")
    assert post["headers"]["Idempotency-Key"] != put["headers"]["Idempotency-Key"]


def test_every_write_of_a_bill_s_life_carries_an_idempotency_key_of_its_own(
    books, linked_vendor, django_capture_on_commit_callbacks
):
    books.settings.bill_status = "AUTHORISED"
    books.settings.adjustments_enabled_by_staff = books.settings.sync_adjustments = True
    books.settings.save()
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    seen = _last_id(books)

    # the bill, a credit note allocated to it, then both voided
    sync_request(invoice=invoice)
    _drain(books)
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.adjustment_add(invoice=invoice, kind="credit", amount=Decimal("5.00"), reason="Damaged")
    with django_capture_on_commit_callbacks(execute=True):
        invoicing.invoice_void(invoice=invoice, reason="Ordered twice")

    writes = [r for r in books.sandbox.requests(path_prefix="/api.xro", since=seen) if r["method"] in ("PUT", "POST")]
    kinds = {(r["method"], r["path"].split("/")[3], r["path"].rsplit("/", 1)[-1] == "Allocations") for r in writes}
    assert kinds >= {
        ("PUT", "Invoices", False),
        ("PUT", "CreditNotes", False),
        ("PUT", "CreditNotes", True),
        ("POST", "CreditNotes", False),
        ("POST", "Invoices", False),
    }, kinds
    keys = [r["headers"].get("Idempotency-Key", "") for r in writes]
    assert all(key.startswith("onport-") for key in keys), [(r["method"], r["path"]) for r in writes]
    assert len(set(keys)) == len(keys)  # no two writes share one


# -- 401: refresh once, retry the same request ------------------------------------------------------------------


def test_a_401_refreshes_the_token_once_and_resends_the_same_batch_with_the_same_key(books, linked_vendor):
    invoices = [invoice_create(order=order_create(vendor=linked_vendor)) for _ in range(3)]
    sync_request_many(account=linked_vendor.account, invoices=invoices)
    books.sandbox.expire_access_tokens()  # Xero refuses the token Onport still holds as good for half an hour
    seen = _last_id(books)

    report = _drain(books)

    received = [(r["method"], r["path"], r["status"]) for r in books.sandbox.requests(since=seen)]
    assert received == [
        ("PUT", "/api.xro/2.0/Invoices", 401),
        ("POST", "/connect/token", 200),
        ("PUT", "/api.xro/2.0/Invoices", 200),
    ]
    refused, accepted = _writes(books, since=seen)
    assert refused["headers"]["Idempotency-Key"] == accepted["headers"]["Idempotency-Key"]  # the same batch, again
    assert refused["json"] == accepted["json"]
    assert report.synced == 3 and len(books.bills()) == 3
    assert set(AccountingSync.objects.values_list("state", flat=True)) == {SyncState.SYNCED}
    xero_account = XeroAccount.objects.get(pk=books.xero_account.pk)
    assert xero_account.token_refreshed_at is not None and xero_account.status != XeroAccountStatus.RECONNECT_NEEDED


def test_a_401_whose_refresh_xero_refuses_pauses_the_rows_and_asks_for_a_reconnect(books, linked_vendor):
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    # given: the refresh token Onport holds was rotated away (used elsewhere), and Xero will not take it again
    books.sandbox.configure(refresh_grace_seconds=0)
    old_refresh_token = XeroAccount.objects.get(pk=books.xero_account.pk).refresh_token
    xero_client(XeroAccount.objects.get(pk=books.xero_account.pk)).refresh_now()
    XeroAccount.objects.filter(pk=books.xero_account.pk).update(refresh_token=old_refresh_token)
    books.sandbox.expire_access_tokens()
    seen = _last_id(books)

    _drain(books)

    received = [(r["method"], r["path"], r["status"]) for r in books.sandbox.requests(since=seen)]
    assert received == [("PUT", "/api.xro/2.0/Invoices", 401), ("POST", "/connect/token", 400)]  # no second PUT
    sync = AccountingSync.objects.get(invoice=invoice)
    assert (sync.state, sync.reason) == (SyncState.PAUSED, Reason.RECONNECT)
    assert "reconnect" in sync.last_error.lower()
    xero_account = XeroAccount.objects.get(pk=books.xero_account.pk)
    assert xero_account.status == XeroAccountStatus.RECONNECT_NEEDED and not xero_account.is_ready
    assert books.bills() == []


# -- 429: the organisation waits out Retry-After, in every worker, and no other organisation does -------------


@needs_redis
def test_a_429_blocks_that_organisation_until_retry_after_has_passed_and_no_other(
    books, linked_vendor, connect_xero, other_account, settings
):
    settings.XERO_DRAIN_MAX_WAIT = 0  # a blocked drain gives up at once (it would otherwise sleep the block out)
    invoice = invoice_create(order=order_create(vendor=linked_vendor))
    sync_request(invoice=invoice)
    books.sandbox.faults(script=["429"], methods=["PUT"], path_prefix="/api.xro/2.0/Invoices")  # Retry-After: 1
    uk, au = RateLimiter(books.xero_account.tenant_id), RateLimiter(books.sandbox.au_tenant_id)
    blocked_key = uk.keys[2]

    asked = time.time()
    _drain(books)

    # then: the organisation is blocked, for every worker, from the moment Xero said to the end of Retry-After
    blocked_until = float(uk.redis.get(blocked_key))
    assert asked + 0.5 < blocked_until < time.time() + 1.01
    assert au.redis.get(au.keys[2]) is None
    sync = AccountingSync.objects.get(invoice=invoice)
    assert (sync.state, sync.reason) == (SyncState.PENDING, Reason.RATE_LIMITED)

    # when: the row is due again while Xero's Retry-After has not passed (here moved a minute out: a slow machine
    # must not outrun it)
    uk.redis.set(blocked_key, time.time() + 60, ex=65)
    AccountingSync.objects.update(next_attempt_at=timezone.now())
    seen = _last_id(books)
    waiting = _drain(books)

    # then: nothing reaches Xero for this organisation, and the drain comes back when the block ends
    assert books.sandbox.requests(since=seen) == []
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.PENDING
    assert waiting.retry_at is not None and waiting.retry_at > timezone.now() + datetime.timedelta(seconds=50)
    # another organisation is not blocked
    au_account = connect_xero(
        account=other_account, user=MembershipFactory(account=other_account).user, tenant=books.sandbox.au_tenant_id
    )
    seen = _last_id(books)
    XeroClient(au_account).organisation()
    assert [(r["path"], r["status"]) for r in books.sandbox.requests(since=seen)] == [
        ("/api.xro/2.0/Organisation", 200)
    ]

    # when: Retry-After has passed
    uk.redis.set(blocked_key, time.time() - 1, ex=5)
    AccountingSync.objects.update(next_attempt_at=timezone.now())
    seen = _last_id(books)
    done = _drain(books)

    assert [(r["method"], r["status"]) for r in _writes(books, since=seen)] == [("PUT", 200)]
    assert done.synced == 1 and len(books.bills()) == 1
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.SYNCED
