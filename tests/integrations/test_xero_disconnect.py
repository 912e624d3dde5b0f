"""Disconnecting a Xero account removes every connection its consent created and revokes the grant, unless
another Xero account of Onport still relies on the same Xero user's access (revoking would cut it off too)."""

import pytest

from integrations import services
from integrations.models import XeroAccount, XeroAccountStatus
from integrations.services import xero_client
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(account):
    return MembershipFactory(account=account, role="admin").user


def _connections(xero_sandbox) -> list[dict]:
    return list(xero_sandbox.state()["connections"].values())


def _grants_revoked(xero_sandbox) -> list[bool]:
    return [bool(grant.get("revoked")) for grant in xero_sandbox.state()["grants"].values()]


def test_disconnect_removes_every_connection_of_the_consent_and_revokes_the_grant(
    xero_sandbox, connect_xero, account, admin
):
    # given one consent that allowed both organisations, the Xero account syncing to the UK one
    xero_account = connect_xero(account=account, user=admin, tenant=None)
    assert len({c["tenantId"] for c in _connections(xero_sandbox)}) == 2
    refresh_token = xero_account.refresh_token

    services.xero_account_disconnect(xero_account=xero_account)

    xero_account.refresh_from_db()
    assert xero_account.status == XeroAccountStatus.DISCONNECTED and not xero_account.has_grant
    assert _connections(xero_sandbox) == []
    assert all(_grants_revoked(xero_sandbox))
    status, body = xero_sandbox.token_request({"grant_type": "refresh_token", "refresh_token": refresh_token})
    assert status == 400 and body["error"] == "invalid_grant"
    assert [r["path"] for r in xero_sandbox.requests(path_prefix="/connect/revocation")] == ["/connect/revocation"]


def test_disconnect_leaves_what_another_xero_account_of_the_same_xero_user_uses(
    xero_sandbox, connect_xero, account, admin
):
    # given two Xero accounts connected by the same Xero user, one to each organisation
    uk = connect_xero(account=account, user=admin, name="UK entity", tenant=xero_sandbox.uk_tenant_id)
    au = connect_xero(account=account, user=admin, name="AU entity", tenant=xero_sandbox.au_tenant_id)

    services.xero_account_disconnect(xero_account=uk)

    assert [c["tenantId"] for c in _connections(xero_sandbox)] == [xero_sandbox.au_tenant_id]
    assert not any(_grants_revoked(xero_sandbox))
    au = XeroAccount.objects.get(pk=au.pk)
    assert au.is_ready and xero_client(au).organisation().name  # still works
    assert xero_sandbox.requests(path_prefix="/connect/revocation") == []
