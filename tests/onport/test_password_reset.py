"""Password reset by email (Django's views): one email with a working link, the same answer for unknown emails,
and a new password lifts a login lockout."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from axes.models import AccessAttempt
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "ann@retail.test"
NEW_PASSWORD = "harbour-lantern-58"


@pytest.fixture
def ann(account):
    return MembershipFactory(account=account, user=UserFactory(email=EMAIL)).user


def _ask_for_link(client, email, capture, **extra):
    with capture(execute=True):  # the email is queued to go after the commit
        return client.post(reverse("password_reset"), {"email": email}, **extra)


def _link_in(message) -> str:
    return re.search(r"^(http\S+)$", message.body, re.MULTILINE).group(1)


def _set_new_password(client, link: str, password: str = NEW_PASSWORD):
    """Follow the emailed link like a browser: Django swaps the token for a session and redirects."""
    page = client.get(urlsplit(link).path, follow=True)
    assert page.status_code == 200
    assert "Set a new password" in page.content.decode()
    return client.post(page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def _log_in(client, password, ip="127.0.0.1"):
    return client.post(reverse("login"), {"username": EMAIL, "password": password}, REMOTE_ADDR=ip)


def test_the_login_page_links_to_the_reset(client):
    html = client.get(reverse("login")).content.decode()

    assert "Forgot your password?" in html
    assert reverse("password_reset") in html


def test_a_reset_sends_one_email_whose_link_sets_a_new_password(
    client, ann, settings, django_capture_on_commit_callbacks
):
    settings.PUBLIC_BASE_URL = "https://onport.example.com"

    # when Ann asks for a link (the Host header is the attacker's: the link must not use it)
    response = _ask_for_link(client, " Ann@Retail.test ", django_capture_on_commit_callbacks, HTTP_HOST="evil.test")

    # then one email, from Onport, to her, with a link to Onport
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert message.subject == "Set a new Onport password"
    link = _link_in(message)
    assert link.startswith("https://onport.example.com/password-reset/")
    assert "evil.test" not in message.body
    assert "1 hour" in message.body

    # when she follows it and sets a new password
    done = _set_new_password(Client(), link)

    # then she logs in with the new one, not the old one
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    assert _log_in(Client(), PASSWORD).status_code == 200
    assert _log_in(Client(), NEW_PASSWORD).url == reverse("home")


def test_the_link_works_once(client, ann, django_capture_on_commit_callbacks):
    _ask_for_link(client, EMAIL, django_capture_on_commit_callbacks)
    link = _link_in(mail.outbox[0])
    _set_new_password(Client(), link)

    again = Client().get(urlsplit(link).path, follow=True)

    assert "This link no longer works" in again.content.decode()


def test_an_unknown_email_gets_the_same_answer_and_no_email(client, ann, django_capture_on_commit_callbacks):
    known = _ask_for_link(client, EMAIL, django_capture_on_commit_callbacks)
    mail.outbox.clear()

    unknown = _ask_for_link(Client(), "nobody@retail.test", django_capture_on_commit_callbacks)

    assert (unknown.status_code, unknown.url) == (known.status_code, known.url)
    assert mail.outbox == []
    page = client.get(unknown.url).content.decode()
    assert "If that address belongs to an Onport user" in page


def test_a_new_password_lifts_the_lockout(client, ann, django_capture_on_commit_callbacks):
    # given Ann locked out from two addresses
    for ip in ("127.0.0.1", "203.0.113.5"):
        for _ in range(5):
            _log_in(client, "wrong-password", ip=ip)
    assert _log_in(client, PASSWORD).status_code == 429

    # when she resets her password
    _ask_for_link(client, EMAIL, django_capture_on_commit_callbacks)
    _set_new_password(Client(), _link_in(mail.outbox[0]))

    # then the new password logs her in at once, from either address
    assert not AccessAttempt.objects.filter(username=EMAIL).exists()
    assert _log_in(Client(), NEW_PASSWORD).url == reverse("home")


def test_a_weak_new_password_is_refused_in_plain_words(client, ann, django_capture_on_commit_callbacks):
    _ask_for_link(client, EMAIL, django_capture_on_commit_callbacks)

    response = _set_new_password(Client(), _link_in(mail.outbox[0]), password="password")

    assert response.status_code == 200
    assert "too common" in response.content.decode()
