"""One structured log line per request to Xero (the sandbox, over HTTP), and never a token in any of them."""

import logging

import pytest

from integrations.models import XeroAccount
from integrations.xero.client import XeroClient
from integrations.xero.errors import XeroRateLimited
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def xero_account(xero_sandbox, connect_xero, account):
    return connect_xero(account=account, user=MembershipFactory(account=account).user, tenant=xero_sandbox.uk_tenant_id)


def _xero_records(caplog):
    return [record for record in caplog.records if record.name == "onport.xero"]


def _secrets(xero_account: XeroAccount) -> list[str]:
    xero_account.refresh_from_db()
    return [value for value in (xero_account.access_token, xero_account.refresh_token) if value]


def test_each_call_is_one_record_with_organisation_call_status_duration_and_budgets(xero_account, caplog):
    with caplog.at_level(logging.INFO, logger="onport.xero"):
        XeroClient(xero_account).organisation()

    [record] = _xero_records(caplog)
    assert record.xero_account_id == xero_account.pk and record.tenant_id == xero_account.tenant_id
    assert (record.method, record.path, record.status) == ("GET", "/api.xro/2.0/Organisation", 200)
    assert record.duration_ms > 0
    assert record.min_limit_remaining >= 0 and record.day_limit_remaining >= 0 and record.app_min_limit_remaining >= 0
    assert not hasattr(record, "retry_after")


def test_a_429_records_retry_after_and_the_limit_and_no_record_holds_a_token(xero_account, xero_sandbox, caplog):
    xero_sandbox.faults(script=["429"], path_prefix="/api.xro/2.0/Organisation")

    with caplog.at_level(logging.INFO, logger="onport.xero"), pytest.raises(XeroRateLimited):
        XeroClient(xero_account).organisation()

    [record] = _xero_records(caplog)
    assert record.status == 429 and record.levelno == logging.WARNING
    assert record.retry_after == "1" and record.rate_limit_problem == "minute"
    for secret in _secrets(xero_account):
        assert all(secret not in f"{r.getMessage()} {vars(r)}" for r in caplog.records)


def test_query_values_stay_out_of_the_logged_path(xero_account, caplog):
    client = XeroClient(xero_account)
    with caplog.at_level(logging.INFO, logger="onport.xero"):
        client.call(
            lambda: client.accounting.get_contacts(xero_account.tenant_id, where='Name=="Acme Packaging Ltd"', page=1),
            tenant_id=xero_account.tenant_id,
        )

    [record] = _xero_records(caplog)
    assert record.path == "/api.xro/2.0/Contacts" and "Acme" not in record.getMessage()


def test_a_token_refresh_is_logged_without_the_tokens(xero_account, xero_sandbox, caplog):
    xero_sandbox.expire_access_tokens()  # the next call is refused (401), refreshes once and retries
    before = _secrets(xero_account)

    with caplog.at_level(logging.INFO, logger="onport.xero"):
        XeroClient(xero_account).organisation()

    calls = [(record.method, record.path, record.status) for record in _xero_records(caplog)]
    assert ("GET", "/api.xro/2.0/Organisation", 401) in calls and calls[-1] == ("GET", "/api.xro/2.0/Organisation", 200)
    assert ("POST", "/connect/token", 200) in calls
    for secret in before + _secrets(xero_account):
        assert all(secret not in f"{r.getMessage()} {vars(r)}" for r in caplog.records)
