"""Integrations: the index lists what Onport connects to."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("client_fixture", ["admin_client_", "finance_client", "viewer_client"])
def test_integrations_index_lists_xero(request, client_fixture):
    client = request.getfixturevalue(client_fixture)

    response = client.get(reverse("integrations:integration_list"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Xero</strong>" in html
    assert "Exports your dropship and replenishment purchase invoices to Xero" in html
    # Integrations > Xero is managed by admins only
    assert (reverse("integrations:xero_account_list") in html) == (client_fixture == "admin_client_")


def test_integrations_index_links_to_no_page_that_does_not_exist(admin_client_):
    html = admin_client_.get(reverse("integrations:integration_list")).content.decode()

    links = set(re.findall(r'href="(/[^"]*)"', html))
    for link in links:
        assert admin_client_.get(link).status_code in (200, 302), link


@pytest.mark.parametrize("client_fixture", ["finance_client", "viewer_client"])
def test_only_admins_open_integrations_xero(request, client_fixture):
    client = request.getfixturevalue(client_fixture)

    assert client.get(reverse("integrations:xero_account_list")).status_code == 403


def test_integrations_index_is_read_only(viewer_client):
    response = viewer_client.post(reverse("integrations:integration_list"))

    assert response.status_code == 405
