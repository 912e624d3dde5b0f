"""An automatic sync that needs a person emails admins and finance once; a person's own sync does not."""

import pytest

from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request, sync_request_many
from tests.factories import MembershipFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_xero(books):
    """Xero will refuse bills: the products' account 300 is archived there (Onport's lists don't know yet)."""
    books.sandbox.set_account_status(books.xero_account.tenant_id, "300", "ARCHIVED")
    return books


def _issued(vendor, count=1):
    return [invoice_create(order=order_create(vendor=vendor, lines=[(1, "10.00")])) for _ in range(count)]


def test_automatic_syncs_xero_refused_send_one_email_naming_each(
    refusing_xero, linked_vendor, account, mailoutbox, django_capture_on_commit_callbacks
):
    books = refusing_xero
    finance = MembershipFactory(account=account, role="finance").user
    MembershipFactory(account=account, role="viewer")
    invoices = _issued(linked_vendor, 3)
    for invoice in invoices:
        sync_request(invoice=invoice, automatic=True)

    with django_capture_on_commit_callbacks(execute=True):
        drain(xero_account_id=books.xero_account.pk)

    assert set(AccountingSync.objects.values_list("state", flat=True)) == {SyncState.FAILED}
    [mail] = mailoutbox
    assert sorted(mail.to) == sorted([books.admin.email, finance.email])
    assert mail.subject == f"3 invoices did not reach Xero ({account.name})"
    for invoice in invoices:
        assert f"- {invoice.number} (Acme Packaging): Xero no longer accepts account 300 on bills" in mail.body
        assert f"{invoice.get_absolute_url()}\n" in mail.body  # its page says what to do, for the reader's role
    assert "/accounting/sync-log/?state=failed" in mail.body

    with django_capture_on_commit_callbacks(execute=True):
        drain(xero_account_id=books.xero_account.pk)  # they wait for a person: nothing is sent, nobody is told again
    assert len(mailoutbox) == 1


def test_a_persons_own_sync_accounting_sends_no_email(
    refusing_xero, linked_vendor, account, mailoutbox, django_capture_on_commit_callbacks
):
    sync_request_many(account=account, invoices=_issued(linked_vendor), actor=refusing_xero.admin)

    with django_capture_on_commit_callbacks(execute=True):
        drain(xero_account_id=refusing_xero.xero_account.pk)

    assert AccountingSync.objects.get().state == SyncState.FAILED
    assert mailoutbox == []
