"""Xero's enums grow faster than xero-python: an answer with a value the SDK does not know (an Organisation
Version, a currency) is a typed error of that one call, never a 500 page."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from integrations import services
from integrations.models import XeroAccount
from integrations.xero.errors import XeroUnexpectedAnswer
from tests.factories import MembershipFactory
from tests.fixtures.xero_connect import callback_uri, xero_consent

pytestmark = pytest.mark.django_db


@pytest.fixture
def consented(account, admin_client_, xero_sandbox) -> XeroAccount:
    xero_account = services.xero_account_create(account=account, name="Main entity")
    start = services.xero_connect_start(xero_account=xero_account, user=admin_client_.user, redirect_uri=callback_uri())
    answer = xero_consent(start)
    return services.xero_connect_complete(user=admin_client_.user, state=answer["state"], code=answer["code"], error="",
                                          redirect_uri=callback_uri())


def test_an_organisation_version_unknown_to_the_sdk_does_not_break_choosing_the_tenant(admin_client_, consented, xero_sandbox):
    tenant = consented.available_tenants[0]
    xero_sandbox.faults(script=["unknown_enum"], methods=["GET"], path_prefix="/api.xro/2.0/Organisation")

    response = admin_client_.post(reverse("integrations:xero_choose_tenant", args=[consented.pk]), {"tenant": tenant["tenant_id"]})

    assert response.status_code == 302
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    assert "Xero could not confirm the organisation" in message and "could not be read" in message


def test_an_unreadable_answer_is_a_typed_error(account, xero_sandbox, connect_xero):
    admin = MembershipFactory(account=account, role="admin").user
    xero_account = connect_xero(account=account, user=admin)
    xero_sandbox.faults(script=["unknown_enum"], methods=["GET"], path_prefix="/api.xro/2.0/Organisation")

    with pytest.raises(XeroUnexpectedAnswer, match="could not be read"):
        services.xero_client(xero_account).organisation()
