"""The first-run checklist's steps, what each says is missing, and the contact import that starts with the Tenant."""

from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.setup.checklist import first_run_checklist
from accounting.setup.models import AccountingSettings, TaxRateMapping
from integrations.models import ContactImportState, XeroAccount, XeroContactImport
from tests.factories import VendorFactory, invoice_create, order_create
from tests.fixtures.xero_connect import xero_consent
from tests.invoicing.test_payments_paging import bill_rows

pytestmark = pytest.mark.django_db


def _steps(account) -> list[tuple[str, bool, str]]:
    return [(step.title, step.done, step.detail) for step in first_run_checklist(account=account).steps]


def test_a_new_account_has_every_step_to_do_with_a_link_to_each(account, admin_client_):
    VendorFactory(account=account)

    checklist = first_run_checklist(account=account)

    assert checklist.done_count == 0 and not checklist.complete
    assert [step.link for step in checklist.steps] == [
        "/integrations/xero/new/",
        "/integrations/xero/",
        "/integrations/xero/",
        "/setup/accounting/",
        "/contacts/",
        "/setup/accounting/",
        "/contacts/payments/",
    ]
    page = admin_client_.get(reverse("integrations:xero_account_list")).content.decode()
    assert "Getting started with Xero: 0 of 7 done" in page and "<details open>" in page


def test_each_step_says_what_is_missing(books, account, other_account):
    # given: Xero connected and chosen, codes set, 20 % mapped, but a 5 % order and one of two vendors unlinked
    linked, unlinked = VendorFactory(account=account), VendorFactory(account=account)
    books.link(linked)
    order_create(vendor=unlinked, tax_rate="5.00")
    VendorFactory(account=other_account)
    XeroContactImport.objects.create(account=account, xero_account=books.xero_account, state=ContactImportState.FAILED)

    steps = _steps(account)

    assert steps[0][1] and steps[1] == ("Choose the Tenant", True, "Syncs to Onport Demo (UK).")
    assert steps[2] == ("Import the contacts from Xero", False, "The last import did not finish: import again.")
    assert steps[3] == ("Code the bills in Setup > Accounting", False, "Choose a tax type for 5%.")
    assert steps[4] == ("Link vendors to their Xero contacts", False, "1 of 2 vendors linked to a Xero contact.")
    assert steps[5][1] is False and steps[6][1] is False

    # when: the rest is done
    TaxRateMapping.objects.create(
        account=account, xero_account=books.xero_account, rate=Decimal("5.00"), tax_type="RRINPUT"
    )
    books.link(unlinked, "Cobalt Freight")
    XeroContactImport.objects.create(account=account, xero_account=books.xero_account, state=ContactImportState.DONE)
    AccountingSettings.objects.filter(account=account).update(auto_sync_replenishment=True)
    invoice = invoice_create(order=order_create(vendor=linked))
    bill_rows(account, {invoice: "synced"})
    invoice.syncs.update(xero_id="bill-1", xero_url="https://go.xero.com/bill-1")

    # then: all seven are done, and the first bill links to Xero
    checklist = first_run_checklist(account=account)
    assert checklist.complete and checklist.steps[6].link == "https://go.xero.com/bill-1"
    assert checklist.steps[6].detail == f"{invoice.number} is in Xero."


def test_another_accounts_xero_accounts_and_bills_do_not_count(
    account, other_account, admin_client_, django_assert_max_num_queries
):
    XeroAccount.objects.create(account=other_account, name="Theirs", tenant_id="t", access_token="x")
    theirs = invoice_create(order=order_create(vendor=VendorFactory(account=other_account)))
    bill_rows(other_account, {theirs: "synced"})

    with django_assert_max_num_queries(20):
        page = admin_client_.get(reverse("integrations:xero_account_list")).content.decode()

    assert "Getting started with Xero: 0 of 7 done" in page and theirs.number not in page


def test_choosing_the_tenant_starts_the_contact_import_once(
    xero_sandbox, admin_client_, account, django_capture_on_commit_callbacks
):
    xero_account = XeroAccount.objects.create(account=account, name="Main entity")
    response = admin_client_.post(reverse("integrations:xero_connect", args=[xero_account.pk]))
    admin_client_.get(reverse("integrations:xero_callback"), xero_consent(response["Location"]))
    tenant = XeroAccount.objects.get(pk=xero_account.pk).available_tenants[0]["tenant_id"]

    with django_capture_on_commit_callbacks(execute=True):
        chosen = admin_client_.post(
            reverse("integrations:xero_choose_tenant", args=[xero_account.pk]), {"tenant": tenant}, follow=True
        )
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_.post(reverse("integrations:xero_choose_tenant", args=[xero_account.pk]), {"tenant": tenant})

    assert "Its contacts are being imported, so vendors can be linked to them." in chosen.content.decode()
    [contact_import] = XeroContactImport.objects.filter(xero_account=xero_account)
    assert contact_import.state == ContactImportState.DONE and contact_import.contacts_seen > 0
