"""Locked out after wrong passwords, a person resets their password from the page and logs in at once."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "harbour-lantern-58"


def _reset_link() -> str:
    assert len(mail.outbox) == 1
    return next(line for line in mail.outbox[0].body.splitlines() if line.startswith("http"))


def test_forgot_password_from_the_login_page(page, login, live_server, settings, account):
    settings.PUBLIC_BASE_URL = live_server.url
    user = MembershipFactory(account=account, user=UserFactory(email="ann@retail.test")).user

    page.goto("/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()

    page.goto(_reset_link())
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    expect(page.get_by_role("heading", name="Your new password is set")).to_be_visible()

    login(page, user.email, NEW_PASSWORD)
    expect(page.get_by_text("Demo Retail")).to_be_visible()


def test_a_locked_out_person_resets_their_password_and_logs_in(page, login, live_server, settings, account):
    settings.PUBLIC_BASE_URL = live_server.url
    user = MembershipFactory(account=account, user=UserFactory(email="ann@retail.test")).user

    # five wrong passwords: the page says logging in is paused, and how to get back in
    page.goto("/login/")
    for _ in range(5):
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill("wrong-password")
        page.get_by_role("button", name="Log in").click()
        if page.get_by_role("heading", name="Login paused").is_visible():
            break
    expect(page.get_by_role("heading", name="Login paused")).to_be_visible()
    expect(page.get_by_text("Wait 15 minutes")).to_be_visible()

    page.get_by_role("link", name="Reset your password").click()
    page.get_by_label("Email").fill(user.email)
    page.get_by_role("button", name="Email me a link").click()
    page.goto(_reset_link())
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set password").click()
    page.get_by_role("link", name="Log in").click()

    login(page, user.email, NEW_PASSWORD)
    expect(page.get_by_text("Demo Retail")).to_be_visible()
