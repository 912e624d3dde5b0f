"""Integrations > Xero: a Xero account made by mistake is renamed or removed, never one with history in Xero."""

import pytest
from django.urls import reverse

from accounting.sync.models import AccountingSync
from accounting.sync.outbox import drain
from accounting.sync.services import sync_request
from integrations.models import XeroAccount
from integrations.services import xero_account_create, xero_account_disconnect
from tests.factories import invoice_create, order_create

pytestmark = pytest.mark.django_db


def _post(client, view, xero_account, **data):
    return client.post(reverse(f"integrations:{view}", args=[xero_account.pk]), data, follow=True)


def test_an_admin_renames_a_xero_account_and_a_taken_name_is_refused(admin_client_, account):
    mistake = xero_account_create(account=account, name="Main entty")
    xero_account_create(account=account, name="Test organisation")

    page = _post(admin_client_, "xero_account_rename", mistake, name="  Main   entity ").content.decode()
    assert "Renamed to “Main entity”." in page
    page = _post(admin_client_, "xero_account_rename", mistake, name="test ORGANISATION").content.decode()
    assert "You already have a Xero account with this name. The name was not changed." in page
    page = _post(admin_client_, "xero_account_rename", mistake, name="x" * 101).content.decode()
    assert "The name was not changed." in page
    assert XeroAccount.objects.get(pk=mistake.pk).name == "Main entity"


def test_a_xero_account_made_by_mistake_is_removed(admin_client_, account):
    mistake = xero_account_create(account=account, name="Duplicate")

    page = _post(admin_client_, "xero_account_remove", mistake).content.decode()

    assert "Xero account “Duplicate” removed." in page
    assert not XeroAccount.objects.filter(pk=mistake.pk).exists()


def test_a_connected_chosen_or_used_xero_account_is_not_removed(books, linked_vendor, admin_client_):
    xero_account = books.xero_account
    page = _post(admin_client_, "xero_account_remove", xero_account).content.decode()
    assert "Disconnect it first" in page

    sync_request(invoice=invoice_create(order=order_create(vendor=linked_vendor)))
    drain(xero_account_id=xero_account.pk)
    assert AccountingSync.objects.get().xero_id
    xero_account_disconnect(xero_account=xero_account)
    page = _post(admin_client_, "xero_account_remove", xero_account).content.decode()
    assert "Setup › Accounting syncs to it" in page

    books.settings.xero_account = None
    books.settings.save()
    page = _post(admin_client_, "xero_account_remove", xero_account).content.decode()
    assert "it can be renamed, not removed." in page
    assert XeroAccount.objects.filter(pk=xero_account.pk).exists()


@pytest.mark.parametrize("name", ["xero_account_rename", "xero_account_remove"])
def test_only_the_accounts_admins_rename_or_remove(name, account, other_account, admin_client_, finance_client):
    foreign = xero_account_create(account=other_account, name="Theirs")
    own = xero_account_create(account=account, name="Ours")

    assert admin_client_.post(reverse(f"integrations:{name}", args=[foreign.pk]), {"name": "x"}).status_code == 404
    assert finance_client.post(reverse(f"integrations:{name}", args=[own.pk]), {"name": "x"}).status_code == 403
    assert XeroAccount.objects.get(pk=foreign.pk).name == "Theirs" and XeroAccount.objects.filter(pk=own.pk).exists()
