"""Xero accounts: connect (consent, Tenant), keep the grant alive, disconnect, and say when to reconnect."""

import datetime
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone

from integrations.currencies import xero_account_currencies_read
from integrations.models import XeroAccount, XeroAccountStatus, XeroAuthorization
from integrations.xero import oauth
from integrations.xero.client import XeroClient, connections_for_new_grant
from integrations.xero.errors import XeroAuthError, XeroError, XeroNotFound
from onport.models import Account, Membership, Role
from onport.errors import ApplicationError
from onport.mail import mail_later, one_line

logger = logging.getLogger(__name__)

STATE_SALT = "onport.xero.state"
STATE_MAX_AGE = 15 * 60
KEEPALIVE_AFTER = datetime.timedelta(days=7)


class ConnectError(ApplicationError):
    """Connecting did not work; the message says why and what to do. The previous connection is intact."""


def xero_client(xero_account: XeroAccount, *, max_wait: float = 30.0) -> XeroClient:
    """A Xero client for one job; when Xero stops accepting the grant, the account is marked reconnect-needed."""
    return XeroClient(xero_account, max_wait=max_wait, on_auth_error=_reconnect_needed)


def _reconnect_needed(xero_account_id: int, problem: str) -> None:
    xero_account_mark_reconnect_needed(xero_account_id=xero_account_id, problem=problem)


NAME_TAKEN = "You already have a Xero account with this name."


def xero_account_create(*, account: Account, name: str) -> XeroAccount:
    """A new Xero account; ValidationError on its name, also when another admin took the name a moment ago."""
    xero_account = XeroAccount(account=account, name=name.strip())
    xero_account.full_clean()
    try:
        with transaction.atomic():
            xero_account.save()
    except IntegrityError as race:  # the same name saved between the check and the insert
        raise ValidationError({"name": NAME_TAKEN}) from race
    return xero_account


def xero_connect_start(*, xero_account: XeroAccount, user, redirect_uri: str) -> str:
    """Xero's consent URL for this Xero account, with a signed single-use state bound to user and accounts."""
    verifier, challenge = oauth.pkce_pair() if settings.XERO_PKCE else ("", None)
    authorization = XeroAuthorization.objects.create(
        account=xero_account.account,
        xero_account=xero_account,
        user=user,
        nonce=secrets.token_urlsafe(32),
        code_verifier=verifier,
    )
    state = signing.dumps(
        {"n": authorization.nonce, "u": user.pk, "a": xero_account.account_id, "x": xero_account.pk}, salt=STATE_SALT
    )
    return oauth.authorize_url(state=state, redirect_uri=redirect_uri, code_challenge=challenge)


def _authorization_consume(*, user, state: str) -> XeroAuthorization:
    try:
        payload = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.SignatureExpired:
        raise ConnectError("The Xero sign-in took too long. Press Connect again.")
    except signing.BadSignature:
        raise ConnectError("This Xero sign-in link is not valid. Press Connect again.")
    with transaction.atomic():
        authorization = (
            XeroAuthorization.objects.select_for_update()
            .select_related("xero_account")
            .filter(nonce=payload.get("n"))
            .first()
        )
        if (
            authorization is None
            or authorization.user_id != user.pk
            or authorization.account_id != payload.get("a")
            or authorization.xero_account_id != payload.get("x")
        ):
            raise ConnectError("This Xero sign-in was not started by you. Press Connect again.")
        if authorization.completed_at:
            raise ConnectError("This Xero sign-in was already used. Press Connect again.")
        is_admin = Membership.objects.filter(user=user, account_id=authorization.account_id, role=Role.ADMIN).exists()
        if not is_admin:
            raise ConnectError("Only admins of the account can connect Xero.")
        authorization.completed_at = timezone.now()
        authorization.save(update_fields=["completed_at"])
    return authorization


def xero_connect_complete(*, user, state: str, code: str, error: str, redirect_uri: str) -> XeroAccount:
    """Finish the consent: exchange the code, list the organisations it allowed, store the grant."""
    authorization = _authorization_consume(user=user, state=state)
    if error or not code:
        _authorization_outcome(authorization, "cancelled" if error == "access_denied" else f"error: {error}")
        raise ConnectError("The connection was cancelled in Xero. Nothing changed.")
    try:
        tokens = oauth.token_exchange(
            code=code, redirect_uri=redirect_uri, code_verifier=authorization.code_verifier or None
        )
        connections = connections_for_new_grant(tokens, auth_event_id=tokens.auth_event_id)
    except XeroError as failure:
        _authorization_outcome(authorization, f"failed: {failure.message}")
        raise ConnectError("Xero did not accept the sign-in (it may have expired). Press Connect again.") from failure
    if not connections:
        _authorization_outcome(authorization, "no organisation")
        raise ConnectError("No Xero organisation was allowed. Press Connect again and tick at least one.")
    with transaction.atomic():
        xero_account = XeroAccount.objects.select_for_update().get(pk=authorization.xero_account_id)
        xero_account.available_tenants = [
            {"tenant_id": c.tenant_id, "tenant_name": c.tenant_name, "connection_id": c.id} for c in connections
        ]
        kept = next((c for c in connections if c.tenant_id == xero_account.tenant_id), None)
        if kept is None:
            xero_account.tenant_id = xero_account.tenant_name = xero_account.short_code = xero_account.base_currency = (
                ""
            )
            xero_account.enabled_currencies, xero_account.currencies_read_at = [], None
        xero_account.connection_id = kept.id if kept else ""
        xero_account.access_token = tokens.access_token
        xero_account.refresh_token = tokens.refresh_token
        xero_account.token_expires_at = tokens.expires_at
        xero_account.scopes = tokens.scopes
        xero_account.auth_event_id = tokens.auth_event_id
        xero_account.status = XeroAccountStatus.CONNECTED
        xero_account.connected_at = xero_account.token_refreshed_at = timezone.now()
        xero_account.connected_by = user
        xero_account.problem = ""
        xero_account.save()
        _authorization_outcome(authorization, "connected")
    return xero_account


def _authorization_outcome(authorization: XeroAuthorization, outcome: str) -> None:
    authorization.outcome = outcome[:200]
    authorization.save(update_fields=["outcome"])


def xero_account_choose_tenant(*, xero_account: XeroAccount, tenant_id: str) -> XeroAccount:
    """Confirm the organisation (Tenant) this Xero account syncs to; checked live against Xero."""
    offered = {tenant["tenant_id"]: tenant for tenant in xero_account.available_tenants}
    if tenant_id not in offered:
        raise ConnectError("Choose one of the organisations you allowed in Xero.")
    client = xero_client(xero_account)
    try:
        live = {connection.tenant_id: connection for connection in client.connections()}
        if tenant_id not in live:
            raise ConnectError(
                f"{offered[tenant_id]['tenant_name']} is no longer connected in Xero. Press Connect again."
            )
        organisation = client.organisation(tenant_id)
    except XeroError as failure:
        raise ConnectError(f"Xero could not confirm the organisation: {failure.message}") from failure
    xero_account.refresh_from_db()
    xero_account.tenant_id = tenant_id
    xero_account.tenant_name = live[tenant_id].tenant_name
    xero_account.connection_id = live[tenant_id].id
    xero_account.short_code = organisation.short_code
    xero_account.base_currency = organisation.base_currency
    xero_account.period_lock_date = organisation.period_lock_date
    xero_account.end_of_year_lock_date = organisation.end_of_year_lock_date
    xero_account.checked_at = timezone.now()
    xero_account.save(
        update_fields=[
            "tenant_id",
            "tenant_name",
            "connection_id",
            "short_code",
            "base_currency",
            "period_lock_date",
            "end_of_year_lock_date",
            "checked_at",
            "updated_at",
        ]
    )
    try:  # one cheap call: the preflight then knows at once which currencies the organisation takes
        xero_account_currencies_read(client=client)
    except XeroError:  # not known for this organisation yet: nothing is held for its currency until it is read
        xero_account.enabled_currencies, xero_account.currencies_read_at = [], None
        xero_account.save(update_fields=["enabled_currencies", "currencies_read_at"])
    return xero_account


def xero_lock_dates_read(*, xero_account: XeroAccount) -> XeroAccount:
    """Read Xero's lock dates again (a bill was refused for its date, or someone is about to re-date one)."""
    organisation = xero_client(xero_account, max_wait=10.0).organisation()
    XeroAccount.objects.filter(pk=xero_account.pk).update(
        period_lock_date=organisation.period_lock_date, end_of_year_lock_date=organisation.end_of_year_lock_date
    )
    xero_account.period_lock_date = organisation.period_lock_date
    xero_account.end_of_year_lock_date = organisation.end_of_year_lock_date
    return xero_account


def xero_account_disconnect(*, xero_account: XeroAccount) -> XeroAccount:
    """Remove in Xero every connection of this grant that no other Xero account of Onport uses, revoke the
    grant once none does, and forget it; the Xero account and its history stay."""
    if xero_account.has_grant:
        try:
            _xero_grant_end(xero_account)
        except XeroAuthError:
            pass  # Xero had already ended the grant: nothing is left there to remove
        except XeroError as failure:
            raise ConnectError(f"Xero did not confirm the disconnection: {failure.message} Try again.") from failure
    xero_account.refresh_from_db()
    xero_account.access_token = xero_account.refresh_token = ""
    xero_account.token_expires_at = None
    xero_account.available_tenants = []
    xero_account.connection_id = ""
    xero_account.status = XeroAccountStatus.DISCONNECTED
    xero_account.save()
    return xero_account


def _xero_grant_end(xero_account: XeroAccount) -> None:
    """The connections a token sees are all of its Xero user's connections to Onport, and revoking ends
    every one of them: what another Xero account of ours uses is kept, and then the grant is not revoked."""
    client = xero_client(xero_account)
    connections = client.connections()
    in_use = _connections_used_elsewhere(xero_account, [connection.id for connection in connections])
    for connection in connections:
        if connection.id not in in_use:
            try:
                client.connection_delete(connection.id)
            except XeroNotFound:
                pass  # already gone on Xero's side
    if not in_use and xero_account.refresh_token:
        oauth.token_revoke(refresh_token=xero_account.refresh_token)


def _connections_used_elsewhere(xero_account: XeroAccount, connection_ids: list[str]) -> set[str]:
    """Which of these connections another Xero account of Onport (any customer) syncs to or was offered."""
    if not connection_ids:
        return set()
    offered = Q(connection_id__in=connection_ids)
    for connection_id in connection_ids:
        offered |= Q(available_tenants__contains=[{"connection_id": connection_id}])
    live = [XeroAccountStatus.CONNECTED, XeroAccountStatus.RECONNECT_NEEDED]
    others = XeroAccount.objects.exclude(pk=xero_account.pk).filter(offered, status__in=live)
    used = set()
    for other in others.only("connection_id", "available_tenants"):
        used |= {other.connection_id} | {tenant.get("connection_id") for tenant in other.available_tenants}
    return used & set(connection_ids)


def xero_account_mark_reconnect_needed(*, xero_account_id: int, problem: str) -> None:
    """Xero refused our grant: pause this Xero account and tell the admins (once per breakage)."""
    with transaction.atomic():
        xero_account = XeroAccount.objects.select_for_update().select_related("account").get(pk=xero_account_id)
        if xero_account.status == XeroAccountStatus.RECONNECT_NEEDED:
            return
        xero_account.status = XeroAccountStatus.RECONNECT_NEEDED
        xero_account.problem = problem
        xero_account.save(update_fields=["status", "problem", "updated_at"])
        transaction.on_commit(lambda: _email_admins_reconnect(xero_account))


def _email_admins_reconnect(xero_account: XeroAccount) -> None:
    admins = Membership.objects.filter(account=xero_account.account, role=Role.ADMIN).select_related("user")
    name = one_line(xero_account.name)
    link = f"{settings.PUBLIC_BASE_URL}{xero_account.get_absolute_url()}"
    mail_later(
        subject=f"Reconnect Xero: {name}",
        message=(
            f"Onport can no longer reach Xero for {name} ({xero_account.tenant_name or 'no organisation'}).\n\n"
            f"{xero_account.problem}\n\nSyncing to this organisation is paused; nothing is lost. "
            f"Reconnect here and it resumes:\n{link}\n"
        ),
        recipients=[membership.user.email for membership in admins if membership.user.email],
        what=f"reconnect Xero account {xero_account.pk}",
    )


def xero_account_keepalive(*, xero_account: XeroAccount) -> XeroAccount:
    """Refresh an idle grant long before its 60-day expiry and check the organisation is still connected."""
    client = xero_client(xero_account)
    if (
        xero_account.refresh_token
        and (xero_account.token_refreshed_at or timezone.now()) < timezone.now() - KEEPALIVE_AFTER
    ):
        xero_account = client.refresh_now()
    tenants = {connection.tenant_id for connection in client.connections()}
    if xero_account.tenant_id and xero_account.tenant_id not in tenants:
        xero_account_mark_reconnect_needed(
            xero_account_id=xero_account.pk,
            problem=f"Onport was disconnected from {xero_account.tenant_name} in Xero.",
        )
    XeroAccount.objects.filter(pk=xero_account.pk).update(checked_at=timezone.now())
    return xero_account


class XeroAccountRefused(ApplicationError):
    """A rename or removal the Xero account cannot take; the message says why in plain words."""


def xero_account_rename(*, xero_account: XeroAccount, name: str) -> XeroAccount:
    name = " ".join((name or "").split())
    if not name:
        raise XeroAccountRefused("Give the Xero account a name.")
    taken = XeroAccount.objects.for_account(xero_account.account).filter(name__iexact=name).exclude(pk=xero_account.pk)
    if taken.exists():
        raise XeroAccountRefused(NAME_TAKEN)
    xero_account.name = name
    try:
        xero_account.full_clean(exclude=["account"], validate_unique=False)
        with transaction.atomic():
            xero_account.save(update_fields=["name", "updated_at"])
    except ValidationError as invalid:
        raise XeroAccountRefused(" ".join(invalid.messages)) from invalid
    except IntegrityError as race:  # the same name saved a moment ago by someone else
        raise XeroAccountRefused(NAME_TAKEN) from race
    return xero_account


def xero_account_remove(*, xero_account: XeroAccount) -> None:
    """Remove a Xero account made by mistake: never one that is connected, chosen in Setup > Accounting, or that
    has sent anything to Xero (its history is the books' history)."""
    from accounting.setup.models import AccountingSettings  # accounting depends on integrations, not back

    if xero_account.has_grant:
        raise XeroAccountRefused("Disconnect it first: Onport still holds a connection to Xero for it.")
    if AccountingSettings.objects.filter(xero_account=xero_account).exists():
        raise XeroAccountRefused("Setup › Accounting syncs to it: choose another Xero account there first.")
    try:
        with transaction.atomic():
            xero_account.delete()
    except ProtectedError as used:
        raise XeroAccountRefused(
            "It has sent bills, payments or payout runs to Xero, and their history stays with "
            "it: it can be renamed, not removed."
        ) from used
