"""Setup: the account and its team, for admins only."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_admins_see_the_account_and_its_team(admin_client_, account, other_account):
    MembershipFactory(account=account, role="viewer", user=UserFactory(email="vera@retail.test"))
    MembershipFactory(account=other_account, role="admin", user=UserFactory(email="stranger@other.test"))

    response = admin_client_.get(reverse("accounting:setup_index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Demo Retail" in html and "Advance" in html  # name and plan
    assert "vera@retail.test" in html and "Viewer" in html
    assert admin_client_.user.email in html
    assert "stranger@other.test" not in html


@pytest.mark.parametrize("client_fixture", ["finance_client", "viewer_client"])
def test_setup_is_for_admins_only(request, client_fixture):
    client = request.getfixturevalue(client_fixture)

    assert client.get(reverse("accounting:setup_index")).status_code == 403
    assert client.post(reverse("accounting:setup_index")).status_code == 403


def test_setup_links_to_setup_accounting(admin_client_):
    html = admin_client_.get(reverse("accounting:setup_index")).content.decode()

    assert "Team" in html
    assert reverse("accounting:setup_accounting") in html and "No Xero account chosen yet." in html
