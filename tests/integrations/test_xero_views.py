"""Integrations > Xero pages: roles, tenancy, and the connect flow through the views."""

import pytest
from django.urls import reverse

from integrations import services
from integrations.models import XeroAccount, XeroAccountStatus
from tests.fixtures.xero_connect import xero_consent

pytestmark = pytest.mark.django_db

ID_URLS = ["xero_account_detail", "xero_account_status", "xero_connect", "xero_choose_tenant", "xero_disconnect"]
POST_URLS = {"xero_connect", "xero_choose_tenant", "xero_disconnect"}


@pytest.fixture
def xero_account(account):
    return services.xero_account_create(account=account, name="Main entity")


def _request(client, name, pk=None):
    url = reverse(f"integrations:{name}", args=[pk] if pk else [])
    return client.post(url) if name in POST_URLS else client.get(url)


@pytest.mark.parametrize("name", ID_URLS)
def test_another_accounts_xero_account_answers_404(admin_client_, other_account, name):
    foreign = services.xero_account_create(account=other_account, name="Their entity")

    assert _request(admin_client_, name, foreign.pk).status_code == 404
    assert _request(admin_client_, name, 999_999).status_code == 404


@pytest.mark.parametrize("client_fixture", ["finance_client", "viewer_client"])
@pytest.mark.parametrize("name", ["xero_account_list", "xero_account_create", *ID_URLS])
def test_only_admins_manage_xero(request, client_fixture, xero_account, name):
    client = request.getfixturevalue(client_fixture)
    pk = xero_account.pk if name in ID_URLS else None

    assert _request(client, name, pk).status_code == 403


def test_new_xero_account_asks_for_a_name_and_refuses_a_duplicate(admin_client_, xero_account):
    url = reverse("integrations:xero_account_create")

    duplicate = admin_client_.post(url, {"name": "main entity"})
    created = admin_client_.post(url, {"name": "Test organisation"})

    assert "You already have a Xero account with this name." in duplicate.content.decode()
    assert created.status_code == 302
    page = admin_client_.get(reverse("integrations:xero_account_list")).content.decode()
    assert "+ New Xero account" in page and "Test organisation" in page and "Main entity" in page


def test_connect_through_the_views_then_choose_the_tenant(xero_sandbox, admin_client_, xero_account):
    # given the admin presses Connect (the page opens this in a new tab)
    response = admin_client_.post(reverse("integrations:xero_connect", args=[xero_account.pk]))
    assert response.status_code == 302 and response["Location"].startswith(xero_sandbox.base_url)

    # when Xero's consent is allowed and Xero sends the admin back
    answer = xero_consent(response["Location"])
    callback = admin_client_.get(reverse("integrations:xero_callback"), answer)

    # then the consent tab says what comes next and links back (no redirect into a second copy of the app)
    callback_page = callback.content.decode()
    assert callback.status_code == 200 and "Next: choose the Tenant" in callback_page
    assert f'data-xero-connected="{xero_account.pk}"' in callback_page
    assert f'href="{xero_account.get_absolute_url()}"' in callback_page
    # and the Xero account is connected and offers the Tenant field
    page = admin_client_.get(xero_account.get_absolute_url()).content.decode()
    assert ">connected<" in page and 'name="tenant"' in page
    tenant = XeroAccount.objects.get(pk=xero_account.pk).available_tenants[1]
    admin_client_.post(
        reverse("integrations:xero_choose_tenant", args=[xero_account.pk]), {"tenant": tenant["tenant_id"]}
    )
    xero_account.refresh_from_db()
    assert xero_account.tenant_name == tenant["tenant_name"] and xero_account.is_ready
    page = admin_client_.get(xero_account.get_absolute_url()).content.decode()
    assert xero_account.short_code in page and xero_account.access_token not in page


def test_forged_callback_says_so_plainly(xero_sandbox, admin_client_):
    response = admin_client_.get(reverse("integrations:xero_callback"), {"state": "forged", "code": "abc"})

    assert response.status_code == 400
    assert "This Xero sign-in link is not valid. Press Connect again." in response.content.decode()


def test_cancelled_consent_is_explained(xero_sandbox, admin_client_, xero_account):
    response = admin_client_.post(reverse("integrations:xero_connect", args=[xero_account.pk]))

    answer = xero_consent(response["Location"], allow=False)
    callback = admin_client_.get(reverse("integrations:xero_callback"), answer)

    assert "The connection was cancelled in Xero. Nothing changed." in callback.content.decode()


def test_status_poll_answers_204_until_something_changes(admin_client_, xero_account):
    url = reverse("integrations:xero_account_status", args=[xero_account.pk])
    page = admin_client_.get(xero_account.get_absolute_url()).content.decode()
    version = page.split("status/?since=")[1].split('"')[0]

    unchanged = admin_client_.get(url, {"since": version})
    XeroAccount.objects.filter(pk=xero_account.pk).update(status=XeroAccountStatus.RECONNECT_NEEDED)
    changed = admin_client_.get(url, {"since": version})

    assert unchanged.status_code == 204
    assert changed.status_code == 200 and "reconnect needed" in changed.content.decode()


def test_reconnect_needed_banner_shows_to_admins_on_every_page(admin_client_, finance_client, xero_account):
    services.xero_account_mark_reconnect_needed(xero_account_id=xero_account.pk, problem="Xero refused the grant.")
    banner = "needs reconnecting before invoices can sync"

    assert banner in admin_client_.get(reverse("invoicing:order_list")).content.decode()
    assert banner in admin_client_.get(reverse("contacts:vendor_list")).content.decode()
    assert banner not in finance_client.get(reverse("invoicing:order_list")).content.decode()


def test_disconnect_through_the_view(xero_sandbox, connect_xero, admin_client_, account):
    xero_account = connect_xero(account=account, user=admin_client_.user)

    response = admin_client_.post(reverse("integrations:xero_disconnect", args=[xero_account.pk]), follow=True)

    assert "is disconnected from Xero. Its history is kept." in response.content.decode()
    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.DISCONNECTED


def test_a_new_xero_account_name_with_a_line_break_is_refused_in_words(admin_client_, account):
    response = admin_client_.post(reverse("integrations:xero_account_create"), {"name": "Main\r\nBcc: x@evil.example"})

    assert response.status_code == 400
    assert "no line breaks, tabs or other control characters" in response.content.decode()
    assert not XeroAccount.objects.filter(account=account).exists()
