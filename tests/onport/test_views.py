"""The platform pages: log in, log out, the account switcher, the navigation, 403 and 404."""

import pytest
from django.test import Client
from django.urls import reverse

from onport.middleware import SESSION_ACCOUNT_KEY
from tests.factories import PASSWORD, AccountFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_asks_for_email_and_password(client):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert ">Email</label>" in html
    assert ">Password</label>" in html


def test_login_with_email_lands_on_orders(client, account):
    membership = MembershipFactory(account=account, user=UserFactory(email="ann@retail.test"))

    response = client.post(reverse("login"), {"username": "  Ann@Retail.test ", "password": PASSWORD}, follow=True)

    assert response.redirect_chain[-1][0] == reverse("invoicing:order_list")
    assert response.context["user"] == membership.user
    assert "Demo Retail" in response.content.decode()


def test_login_with_wrong_password_says_so_and_keeps_the_email(client, account):
    MembershipFactory(account=account, user=UserFactory(email="ann@retail.test"))

    response = client.post(reverse("login"), {"username": "ann@retail.test", "password": "wrong"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "That email and password do not match" in html
    assert 'value="ann@retail.test"' in html
    assert not response.context["user"].is_authenticated


def test_logout_is_a_post(admin_client_):
    response = admin_client_.post(reverse("logout"))

    assert response.status_code == 302
    assert admin_client_.get(reverse("invoicing:order_list")).status_code == 302  # back to the login page


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("invoicing:order_list"),
        reverse("invoicing:invoice_list"),
        reverse("contacts:vendor_list"),
        reverse("integrations:integration_list"),
        reverse("accounting:setup_index"),
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_user_without_an_account_sees_a_plain_message(client):
    user = UserFactory(email="lonely@retail.test")
    client.force_login(user)

    response = client.get(reverse("invoicing:order_list"))

    assert response.status_code == 403
    assert "not a member of any account" in response.content.decode()


def test_navigation_as_users_know_it(admin_client_):
    html = admin_client_.get(reverse("invoicing:order_list")).content.decode()

    for label, url in [
        ("Orders", reverse("invoicing:order_list")),
        ("Vendors", reverse("contacts:vendor_list")),
        ("Payments", reverse("invoicing:invoice_list")),
        ("Integrations", reverse("integrations:integration_list")),
        ("Setup", reverse("accounting:setup_index")),
    ]:
        assert f'href="{url}"' in html and f">{label}</a>" in html, label
    assert ">Contacts<" in html
    assert "Admin" in html  # the role shown next to the account


@pytest.mark.parametrize("client_fixture", ["finance_client", "viewer_client"])
def test_setup_is_in_the_navigation_of_admins_only(request, client_fixture):
    client = request.getfixturevalue(client_fixture)

    html = client.get(reverse("invoicing:order_list")).content.decode()

    assert reverse("accounting:setup_index") not in html
    assert ">Integrations</a>" in html


@pytest.fixture
def two_account_user(account):
    """A finance user of Demo Retail who is also admin of a second account."""
    second = AccountFactory(name="Second Shop")
    membership = MembershipFactory(account=account, role="finance", user=UserFactory(email="two@retail.test"))
    MembershipFactory(account=second, role="admin", user=membership.user)
    client = Client()
    client.force_login(membership.user)
    return client, second


def test_the_account_switcher_shows_every_account(two_account_user):
    client, second = two_account_user

    html = client.get(reverse("invoicing:order_list")).content.decode()

    assert f'action="{reverse("account_switch")}"' in html
    assert ">Demo Retail</option>" in html and ">Second Shop</option>" in html


def test_switching_account_changes_the_acting_account_and_role(two_account_user, account):
    client, second = two_account_user

    response = client.post(reverse("account_switch"), {"account": second.id}, follow=True)

    assert response.status_code == 200
    assert response.context["current_account"] == second
    assert client.session[SESSION_ACCOUNT_KEY] == second.id
    assert response.context["can_admin"]  # admin in the second account, finance in the first


def test_switching_to_an_account_you_are_not_a_member_of_is_not_found(two_account_user, other_account):
    client, _ = two_account_user

    assert client.post(reverse("account_switch"), {"account": other_account.id}).status_code == 404
    assert client.post(reverse("account_switch"), {"account": "nonsense"}).status_code == 404
    assert SESSION_ACCOUNT_KEY not in client.session


def test_a_single_account_user_has_no_switcher(admin_client_):
    html = admin_client_.get(reverse("invoicing:order_list")).content.decode()

    assert reverse("account_switch") not in html
    assert "Demo Retail" in html


def test_unknown_pages_are_friendly(admin_client_):
    response = admin_client_.get("/no-such-page/")

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_forbidden_pages_say_why(finance_client):
    response = finance_client.get(reverse("accounting:setup_index"))

    assert response.status_code == 403
    html = response.content.decode()
    assert "You can't do that" in html
    assert "Finance" in html
