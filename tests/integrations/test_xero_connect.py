"""Connecting Xero through Onport's services, against the sandbox over real HTTP with xero-python."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail, signing
from django.db import connection
from django.utils import timezone

from integrations import services
from integrations.models import XeroAccount, XeroAccountStatus
from integrations.services import ConnectError, xero_client
from integrations.xero import oauth
from integrations.xero.errors import XeroAuthError
from tests.factories import MembershipFactory
from tests.fixtures.xero_connect import callback_uri, xero_consent
from tests.fixtures.flaky_mail import refuse_next

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(account):
    return MembershipFactory(account=account, role="admin", user__email="boss@demo.test").user


def _start(xero_account, user):
    return services.xero_connect_start(xero_account=xero_account, user=user, redirect_uri=callback_uri())


def _complete(user, answer):
    return services.xero_connect_complete(
        user=user,
        state=answer.get("state", ""),
        code=answer.get("code", ""),
        error=answer.get("error", ""),
        redirect_uri=callback_uri(),
    )


def test_connect_lists_the_consented_organisations_and_stores_the_chosen_tenant(xero_sandbox, account, admin):
    xero_account = services.xero_account_create(account=account, name="Main entity")

    answer = xero_consent(_start(xero_account, admin))
    xero_account = _complete(admin, answer)

    assert xero_account.status == XeroAccountStatus.CONNECTED
    offered = {tenant["tenant_name"] for tenant in xero_account.available_tenants}
    assert len(offered) >= 2
    tenant = xero_account.available_tenants[0]
    chosen = services.xero_account_choose_tenant(xero_account=xero_account, tenant_id=tenant["tenant_id"])
    assert (chosen.tenant_id, chosen.tenant_name) == (tenant["tenant_id"], tenant["tenant_name"])
    assert chosen.short_code and len(chosen.base_currency) == 3
    assert chosen.is_ready and "offline_access" in chosen.scopes


def test_tokens_are_unreadable_in_the_database(connect_xero, account, admin):
    xero_account = connect_xero(account=account, user=admin)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM integrations_xeroaccount WHERE id = %s", [xero_account.pk]
        )
        stored_access, stored_refresh = cursor.fetchone()

    assert xero_account.access_token and xero_account.refresh_token
    assert xero_account.access_token not in stored_access and xero_account.refresh_token not in stored_refresh
    assert stored_access.startswith("gAAAA")  # a Fernet token


def test_forged_state_is_refused_and_the_previous_connection_stays(connect_xero, account, admin):
    xero_account = connect_xero(account=account, user=admin)
    url = _start(xero_account, admin)
    answer = xero_consent(url)
    forged = signing.dumps({"n": "guess", "u": admin.pk, "a": account.pk, "x": xero_account.pk}, salt="other")

    with pytest.raises(ConnectError, match="not valid"):
        _complete(admin, {**answer, "state": forged})

    xero_account.refresh_from_db()
    assert xero_account.is_ready


def test_replayed_state_is_refused(xero_sandbox, account, admin):
    xero_account = services.xero_account_create(account=account, name="Main entity")
    answer = xero_consent(_start(xero_account, admin))
    _complete(admin, answer)

    with pytest.raises(ConnectError, match="already used"):
        _complete(admin, answer)


def test_state_of_another_user_is_refused(xero_sandbox, account, admin):
    intruder = MembershipFactory(account=account, role="admin").user
    xero_account = services.xero_account_create(account=account, name="Main entity")
    answer = xero_consent(_start(xero_account, admin))

    with pytest.raises(ConnectError, match="not started by you"):
        _complete(intruder, answer)


def test_cancelled_consent_keeps_the_previous_connection(connect_xero, account, admin):
    xero_account = connect_xero(account=account, user=admin)
    tenant_before = xero_account.tenant_id

    answer = xero_consent(_start(xero_account, admin), allow=False)

    assert answer["error"] == "access_denied"
    with pytest.raises(ConnectError, match="cancelled"):
        _complete(admin, answer)
    xero_account.refresh_from_db()
    assert xero_account.tenant_id == tenant_before and xero_account.is_ready


def test_expired_code_gets_a_clear_message(xero_sandbox, account, admin):
    xero_sandbox.configure(code_ttl=0)
    xero_account = services.xero_account_create(account=account, name="Main entity")
    answer = xero_consent(_start(xero_account, admin))

    with pytest.raises(ConnectError, match="did not accept the sign-in"):
        _complete(admin, answer)
    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.NOT_CONNECTED


def test_a_tenant_that_disappeared_cannot_be_chosen(xero_sandbox, account, admin):
    xero_account = services.xero_account_create(account=account, name="Main entity")
    xero_account = _complete(admin, xero_consent(_start(xero_account, admin)))
    gone = xero_account.available_tenants[0]
    xero_sandbox.disconnect_tenant(gone["tenant_id"])

    with pytest.raises(ConnectError, match="no longer connected"):
        services.xero_account_choose_tenant(xero_account=xero_account, tenant_id=gone["tenant_id"])


def test_expired_access_token_is_refreshed_once_with_rotation(xero_sandbox, connect_xero, account, admin):
    xero_sandbox.configure(token_ttl=2, refresh_grace_seconds=0)
    xero_account = connect_xero(account=account, user=admin)
    first_refresh_token = xero_account.refresh_token
    XeroAccount.objects.filter(pk=xero_account.pk).update(token_expires_at=timezone.now())

    xero_client(XeroAccount.objects.get(pk=xero_account.pk)).organisation()
    xero_client(XeroAccount.objects.get(pk=xero_account.pk)).organisation()

    xero_account.refresh_from_db()
    assert xero_account.refresh_token != first_refresh_token
    refreshes = [r for r in xero_sandbox.requests() if r["path"] == "/connect/token" and r["status"] == 200]
    assert len(refreshes) == 2  # the code exchange, then exactly one refresh


def test_invalid_grant_pauses_the_account_and_emails_the_admins(
    xero_sandbox, connect_xero, account, admin, django_capture_on_commit_callbacks
):
    xero_sandbox.configure(refresh_grace_seconds=0)
    xero_account = connect_xero(account=account, user=admin)
    # given the refresh token was used elsewhere (rotated away), so Xero refuses it
    client = xero_client(xero_account)
    client.refresh_now()
    XeroAccount.objects.filter(pk=xero_account.pk).update(
        refresh_token=xero_account.refresh_token, token_expires_at=timezone.now()
    )

    with pytest.raises(XeroAuthError), django_capture_on_commit_callbacks(execute=True):
        xero_client(XeroAccount.objects.get(pk=xero_account.pk)).organisation()

    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.RECONNECT_NEEDED
    assert "reconnect" in xero_account.problem.lower()
    assert [message.subject for message in mail.outbox] == ["Reconnect Xero: Main entity"]
    assert admin.email in mail.outbox[0].to


def test_a_tenant_disconnected_in_xero_needs_reconnect(xero_sandbox, connect_xero, account, admin):
    xero_account = connect_xero(account=account, user=admin)
    xero_sandbox.disconnect_tenant(xero_account.tenant_id)

    with pytest.raises(XeroAuthError, match="disconnected"):
        xero_client(xero_account).organisation()

    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.RECONNECT_NEEDED and not xero_account.is_ready


def test_thirty_minute_access_says_when_it_ends_then_asks_to_reconnect(xero_sandbox, connect_xero, account, admin):
    xero_account = connect_xero(account=account, user=admin, thirty_minutes=True)

    assert xero_account.is_timed_access and not xero_account.refresh_token
    assert xero_account.access_ends_at > timezone.now() + datetime.timedelta(minutes=20)
    XeroAccount.objects.filter(pk=xero_account.pk).update(token_expires_at=timezone.now())

    with pytest.raises(XeroAuthError, match="30-minute access"):
        xero_client(XeroAccount.objects.get(pk=xero_account.pk)).organisation()
    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.RECONNECT_NEEDED


def test_reconnect_after_reconnect_needed_resumes_with_the_same_tenant(xero_sandbox, connect_xero, account, admin):
    xero_account = connect_xero(account=account, user=admin)
    services.xero_account_mark_reconnect_needed(xero_account_id=xero_account.pk, problem="Xero refused the grant.")

    again = connect_xero(account=account, user=admin, tenant=xero_account.tenant_id)

    assert again.pk == xero_account.pk and again.is_ready and again.problem == ""


def test_disconnect_deletes_the_connection_in_xero_and_keeps_the_history(xero_sandbox, connect_xero, account, admin):
    xero_account = connect_xero(account=account, user=admin)
    connection_id = xero_account.connection_id

    services.xero_account_disconnect(xero_account=xero_account)

    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.DISCONNECTED and not xero_account.has_grant
    assert xero_account.tenant_name  # history stays
    deletes = {r["path"].lower() for r in xero_sandbox.requests() if r["method"] == "DELETE"}
    assert f"/connections/{connection_id}" in deletes  # with every other connection of the consent
    assert not xero_sandbox.state()["connections"]


def test_keepalive_refreshes_an_idle_grant_and_checks_the_connection(xero_sandbox, connect_xero, account, admin):
    xero_account = connect_xero(account=account, user=admin)
    XeroAccount.objects.filter(pk=xero_account.pk).update(
        token_refreshed_at=timezone.now() - datetime.timedelta(days=20)
    )
    before = xero_account.refresh_token

    services.xero_account_keepalive(xero_account=XeroAccount.objects.get(pk=xero_account.pk))

    xero_account.refresh_from_db()
    assert xero_account.refresh_token != before and xero_account.checked_at is not None
    xero_sandbox.disconnect_tenant(xero_account.tenant_id)
    services.xero_account_keepalive(xero_account=xero_account)
    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.RECONNECT_NEEDED
    assert "disconnected" in xero_account.problem


def test_the_consent_asks_only_for_what_onport_uses(settings):
    settings.XERO_LEGACY_SCOPES = False
    asked = parse_qs(urlsplit(oauth.authorize_url(state="s", redirect_uri=callback_uri(), code_challenge=None)).query)
    assert asked["scope"][0].split() == [
        "offline_access",
        "accounting.invoices",
        "accounting.payments",
        "accounting.contacts",
        "accounting.settings.read",
        "accounting.attachments",
    ]


def test_a_mail_failure_never_replaces_the_xero_error(
    xero_sandbox, connect_xero, account, admin, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2  # nothing listens: refused
    xero_account = connect_xero(account=account, user=admin)
    XeroAccount.objects.filter(pk=xero_account.pk).update(name="Main\r\nBcc: someone@evil.example")
    xero_sandbox.disconnect_tenant(xero_account.tenant_id)

    with pytest.raises(XeroAuthError), django_capture_on_commit_callbacks(execute=True):
        xero_client(XeroAccount.objects.get(pk=xero_account.pk)).organisation()

    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.RECONNECT_NEEDED


def test_the_reconnect_email_a_mail_server_refused_goes_when_it_takes_mail_again(
    xero_sandbox, connect_xero, account, admin, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.fixtures.flaky_mail.FlakyEmailBackend"
    refuse_next(1)
    xero_account = connect_xero(account=account, user=admin)
    xero_sandbox.disconnect_tenant(xero_account.tenant_id)

    with pytest.raises(XeroAuthError), django_capture_on_commit_callbacks(execute=True):
        xero_client(XeroAccount.objects.get(pk=xero_account.pk)).organisation()

    assert XeroAccount.objects.get(pk=xero_account.pk).status == XeroAccountStatus.RECONNECT_NEEDED
    [message] = mail.outbox
    assert message.subject == f"Reconnect Xero: {xero_account.name}" and message.to == [admin.email]


def test_a_xero_account_name_with_line_breaks_cannot_add_mail_headers(
    xero_sandbox, connect_xero, account, admin, django_capture_on_commit_callbacks
):
    xero_account = connect_xero(account=account, user=admin)
    XeroAccount.objects.filter(pk=xero_account.pk).update(name="Main\r\nBcc: someone@evil.example")
    xero_sandbox.disconnect_tenant(xero_account.tenant_id)

    with pytest.raises(XeroAuthError), django_capture_on_commit_callbacks(execute=True):
        xero_client(XeroAccount.objects.get(pk=xero_account.pk)).organisation()

    [message] = mail.outbox
    assert message.subject == "Reconnect Xero: Main Bcc: someone@evil.example" and message.bcc == []
