"""Xero answers JSON null for optional strings the spec allows to be null (an ordinary account's
SystemAccount); xero-python turns that null into the string "None". Onport reads it as empty."""

import pytest
from django.core.cache import cache

from accounting.setup.models import AccountingSettings
from accounting.sync.models import AccountingSync, SyncState
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from integrations.models import VendorXeroLink
from tests.factories import VendorFactory, invoice_create, order_create

pytestmark = pytest.mark.django_db
URL = "/setup/accounting/"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def test_an_organisation_answering_null_system_accounts_can_be_set_up_and_synced(
    admin_client_, connect_xero, account, xero_sandbox
):
    # given an organisation whose ordinary accounts answer "SystemAccount": null
    uk = connect_xero(account=account, user=admin_client_.user, tenant=xero_sandbox.uk_tenant_id)
    accounts = xero_sandbox.state(uk.tenant_id)["orgs"][uk.tenant_id]["accounts"].values()
    assert next(a for a in accounts if a["Code"] == "300")["SystemAccount"] is None
    vendor = VendorFactory(account=account)
    invoice = invoice_create(order=order_create(vendor=vendor, tax_rate="20.00"))
    AccountingSettings.objects.create(account=account, xero_account=uk)

    # when the admin opens Setup > Accounting and saves the codes Xero offers
    html = admin_client_.get(URL).content.decode()
    saved = admin_client_.post(
        URL,
        {
            "line_amount_type": "Exclusive",
            "bill_status": "DRAFT",
            "due_date_from_terms": "on",
            "product_account_code": "300",
            "shipping_account_code": "425",
            "tax_20_00": "INPUT2",
        },
    )

    # then the codes were offered and saved, and the invoice syncs
    assert "300 – Purchases" in html and "425 – Freight &amp; Courier" in html
    assert saved.status_code == 302, saved.content.decode()[:2000]
    contact_id = xero_sandbox.seeded_contact_id(uk.tenant_id, "Acme Packaging Ltd")
    VendorXeroLink.objects.create(
        vendor=vendor, xero_account=uk, account=account, contact_id=contact_id, contact_name="Acme Packaging Ltd"
    )
    sync_request(invoice=invoice)
    drain(xero_account_id=uk.pk)
    assert AccountingSync.objects.get(invoice=invoice).state == SyncState.SYNCED
