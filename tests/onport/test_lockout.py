"""Login throttling (django-axes) on /login/ and /staff/login/: the lockout, its page, and how it ends."""

import datetime

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from axes.models import AccessAttempt
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

EMAIL = "ann@retail.test"


@pytest.fixture
def ann(account):
    return MembershipFactory(account=account, user=UserFactory(email=EMAIL)).user


def _log_in(client, password, *, email=EMAIL, ip="127.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def _staff_log_in(client, password, *, email=EMAIL, ip="127.0.0.1"):
    return client.post(
        reverse("admin:login"), {"username": email, "password": password, "next": "/staff/"}, REMOTE_ADDR=ip
    )


def _fail(client, times, **kwargs):
    return [_log_in(client, "wrong-password", **kwargs).status_code for _ in range(times)]


def _is_logged_in(response) -> bool:
    return response.status_code == 302 and response.url == reverse("home")


def test_five_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page(client, ann):
    # given four wrong passwords, each answered as a mismatch
    assert _fail(client, 4) == [200, 200, 200, 200]

    # when the fifth is wrong too, and then the right one comes
    fifth = _log_in(client, "wrong-password")
    right = _log_in(client, PASSWORD)

    # then both get the lockout page, in plain words, with axes' status
    for response in (fifth, right):
        assert response.status_code == 429
        html = response.content.decode()
        assert "Login paused" in html
        assert "Wait 15 minutes" in html
        assert reverse("password_reset") in html
        assert "Onport support" in html
    assert "_auth_user_id" not in client.session


def test_the_staff_admin_login_locks_out_too(client, account):
    staff = UserFactory(email="staff@onport.test", is_staff=True, is_superuser=True)

    statuses = [_staff_log_in(client, "wrong-password", email=staff.email).status_code for _ in range(5)]
    right = _staff_log_in(client, PASSWORD, email=staff.email)

    assert statuses == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert "Login paused" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_app_and_the_admin_share_the_count(client, ann):
    _fail(client, 3)
    [_staff_log_in(client, "wrong-password") for _ in range(2)]

    assert _log_in(client, PASSWORD).status_code == 429


def test_a_colleague_at_the_same_address_is_not_locked_out(client, account, ann):
    _fail(client, 6)
    bob = MembershipFactory(account=account, user=UserFactory(email="bob@retail.test")).user

    assert _is_logged_in(_log_in(Client(), PASSWORD, email=bob.email))


def test_one_username_is_locked_from_anywhere_after_twenty_failures(client, ann):
    # given 19 wrong passwords from 5 addresses, no address reaching its own limit of 5
    for n in range(4):
        assert _fail(client, 4, ip=f"203.0.113.{n}") == [200] * 4
    assert _fail(client, 3, ip="203.0.113.9") == [200] * 3

    # when the 20th comes from yet another address
    twentieth = _log_in(client, "wrong-password", ip="192.0.2.1")

    # then it locks the username: the right password is refused from a new address too
    response = _log_in(Client(), PASSWORD, ip="198.51.100.7")
    assert twentieth.status_code == 429
    assert response.status_code == 429
    assert "Login paused" in response.content.decode()


def test_nineteen_failures_from_anywhere_still_let_the_right_password_in(client, ann):
    for n in range(4):
        _fail(client, 4, ip=f"203.0.113.{n}")
    _fail(client, 3, ip="203.0.113.9")

    assert _is_logged_in(_log_in(Client(), PASSWORD, ip="198.51.100.7"))


def _age_attempts(minutes: int) -> None:
    """Time travel: the failures happened `minutes` ago."""
    for attempt in AccessAttempt.objects.all():
        attempt.attempt_time -= datetime.timedelta(minutes=minutes)
        attempt.save(update_fields=["attempt_time"])


def test_the_lockout_lasts_the_cool_off_then_ends(client, ann):
    _fail(client, 5)

    _age_attempts(14)
    assert _log_in(client, PASSWORD).status_code == 429  # still paused; this try starts the 15 minutes again

    _age_attempts(16)
    assert _is_logged_in(_log_in(client, PASSWORD))


def test_the_cool_off_is_a_setting(client, ann, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=1)
    _fail(client, 5)

    assert "Wait 1 minute " in _log_in(client, PASSWORD).content.decode()
    _age_attempts(2)
    assert _is_logged_in(_log_in(client, PASSWORD))


def test_staff_unlock_with_the_management_command(client, ann):
    _fail(client, 5)

    call_command("axes_reset_username", EMAIL)

    assert _is_logged_in(_log_in(client, PASSWORD))


def test_staff_unlock_by_deleting_the_access_attempt_in_the_admin(client, ann):
    _fail(client, 5)
    staff = Client()
    staff.force_login(UserFactory(email="staff@onport.test", is_staff=True, is_superuser=True))
    attempt = AccessAttempt.objects.get(username=EMAIL)

    listing = staff.get(reverse("admin:axes_accessattempt_changelist"))
    deleted = staff.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    assert EMAIL in listing.content.decode()
    assert deleted.status_code == 302
    assert _is_logged_in(_log_in(client, PASSWORD))


def test_a_successful_login_resets_the_count(client, ann):
    _fail(client, 4)
    assert _is_logged_in(_log_in(client, PASSWORD))
    client.post(reverse("logout"))

    assert _fail(client, 4) == [200] * 4
    assert _is_logged_in(_log_in(client, PASSWORD))


def test_an_unknown_email_is_locked_out_like_a_known_one(client, db):
    """The lockout page must not tell which emails have a login."""
    statuses = _fail(client, 5, email="nobody@retail.test")

    assert statuses == [200, 200, 200, 200, 429]


def test_behind_the_proxy_the_address_it_adds_is_counted(client, account, settings):
    """Every request comes from the proxy's address; the last X-Forwarded-For entry is the client's."""
    settings.TRUST_PROXY_HEADERS = True
    MembershipFactory(account=account, user=UserFactory(email=EMAIL))
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    # a guesser writing other addresses to the left of the header still counts as its own address
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": EMAIL, "password": "wrong-password"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.66",
            **proxy,
        )

    # then the person, through the same proxy from their own address, logs in
    response = Client().post(
        reverse("login"), {"username": EMAIL, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy
    )
    assert _is_logged_in(response)
    assert AccessAttempt.objects.get().ip_address == "203.0.113.66"


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, ann, settings):
    settings.TRUST_PROXY_HEADERS = False
    for n in range(5):
        client.post(
            reverse("login"), {"username": EMAIL, "password": "wrong-password"}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )

    assert _log_in(client, PASSWORD).status_code == 429
