"""Xero's enums grow faster than xero-python: an answer with a value the SDK does not know (an Organisation
Version, a currency) never makes a 500 page. The Organisation is read without the SDK's model (none of those
values matter to choose the Tenant); elsewhere it is a typed error of that one call."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from integrations import services
from integrations.models import XeroAccount
from integrations.xero.errors import XeroUnexpectedAnswer
from integrations.xero.settings_lists import accounts
from tests.factories import MembershipFactory
from tests.fixtures.xero_connect import callback_uri, xero_consent

pytestmark = pytest.mark.django_db
ORGANISATION = "/api.xro/2.0/Organisation"


@pytest.fixture
def consented(account, admin_client_, xero_sandbox) -> XeroAccount:
    xero_account = services.xero_account_create(account=account, name="Main entity")
    start = services.xero_connect_start(xero_account=xero_account, user=admin_client_.user, redirect_uri=callback_uri())
    answer = xero_consent(start)
    return services.xero_connect_complete(
        user=admin_client_.user, state=answer["state"], code=answer["code"], error="", redirect_uri=callback_uri()
    )


@pytest.fixture
def connected(account, xero_sandbox, connect_xero) -> XeroAccount:
    return connect_xero(account=account, user=MembershipFactory(account=account, role="admin").user)


def test_an_organisation_version_unknown_to_the_sdk_does_not_stop_choosing_the_tenant(
    admin_client_, consented, xero_sandbox
):
    tenant = consented.available_tenants[0]
    xero_sandbox.faults(script=["unknown_enum"], methods=["GET"], path_prefix=ORGANISATION)

    response = admin_client_.post(
        reverse("integrations:xero_choose_tenant", args=[consented.pk]), {"tenant": tenant["tenant_id"]}
    )

    assert response.status_code == 302
    [message] = [str(message) for message in get_messages(response.wsgi_request)]
    chosen = XeroAccount.objects.get(pk=consented.pk)
    assert "now syncs to" in message and chosen.tenant_id == tenant["tenant_id"] and chosen.short_code
    assert xero_sandbox.faults()["injected"][-1]["kind"] == "unknown_enum"


def test_the_organisation_and_its_lock_dates_are_read_whatever_its_version(connected, xero_sandbox):
    xero_sandbox.set_lock_dates(connected.tenant_id, period_lock_date="2025-03-31", end_of_year_lock_date="2024-12-31")
    xero_sandbox.faults(script=["unknown_enum"], methods=["GET"], path_prefix=ORGANISATION)

    organisation = services.xero_client(connected).organisation()

    assert organisation.name == connected.tenant_name and organisation.base_currency == "GBP"
    assert organisation.period_lock_date == datetime.date(2025, 3, 31)
    assert organisation.end_of_year_lock_date == datetime.date(2024, 12, 31)


def test_an_answer_the_sdk_cannot_read_is_a_typed_error(connected, xero_sandbox):
    xero_sandbox.faults(script=["unknown_enum"], methods=["GET"], path_prefix="/api.xro/2.0/Accounts")

    with pytest.raises(XeroUnexpectedAnswer, match="could not be read"):
        accounts(services.xero_client(connected))
