"""The /_sandbox endpoints used by tests and the demo."""

from __future__ import annotations

import json
import time

import pytest

from tests.fixtures.xero_sandbox import SandboxHTTPError

from .builders import bill, bills


def test_bulk_contacts_for_import_benchmarks(xero_sandbox, xero, uk):
    started = time.monotonic()
    result = xero_sandbox.bulk_contacts(uk, 10000)
    page = xero.accounting.get_contacts(uk, page=101, page_size=100)

    assert result["created"] == 10000 and time.monotonic() - started < 10
    assert page.pagination.item_count == 10029 and len(page.contacts) == 29


def test_grants_connect_each_organisation_with_tokens_of_its_own(xero_sandbox):
    # given two more organisations, connected in one set-up call
    copies = xero_sandbox.admin("POST", "organisations", {"copies": 2})["tenants"]

    issued = xero_sandbox.admin("POST", "grants", {"tenants": copies})["grants"]

    # then each token pair sees its own organisation only, and rotates on its own
    first, second = (xero_sandbox.sdk(xero_sandbox.sdk_token(grant)) for grant in issued)
    assert [(c.tenant_id, str(c.id)) for c in first.identity.get_connections()] == [
        (copies[0], issued[0]["connection_id"])
    ]
    assert [c.tenant_id for c in second.identity.get_connections()] == [copies[1]]
    assert first.accounting.get_organisations(copies[0]).organisations[0].short_code == issued[0]["short_code"]
    first.api_client.refresh_oauth2_token()
    second.api_client.refresh_oauth2_token()
    assert first.token["refresh_token"] != issued[0]["refresh_token"] != issued[1]["refresh_token"]
    assert issued[0]["access_token"] not in json.dumps(xero_sandbox.requests())


def test_grants_refuse_unknown_tenants_and_scopes(xero_sandbox):
    with pytest.raises(SandboxHTTPError) as tenant:
        xero_sandbox.admin("POST", "grants", {"tenants": ["00000000-0000-0000-0000-000000000000"]})
    with pytest.raises(SandboxHTTPError) as scope:
        xero_sandbox.admin("POST", "grants", {"tenants": [xero_sandbox.uk_tenant_id], "scope": "everything"})

    assert tenant.value.status == 404 and scope.value.status == 400 and xero_sandbox.state()["grants"] == {}


def test_reset_restores_the_seed_and_the_start_up_settings(xero_sandbox, xero, uk, acme):
    xero.accounting.create_invoices(uk, bills(bill(acme)))
    xero_sandbox.configure(rate_per_minute=1)

    xero_sandbox.reset()

    state = xero_sandbox.state()
    assert state["orgs"][uk]["invoices"] == {} and state["grants"] == {} and xero_sandbox.requests() == []
    assert xero_sandbox.admin("GET", "config")["rate_per_minute"] == 60


def test_unknown_settings_and_faults_are_refused(xero_sandbox):
    with pytest.raises(SandboxHTTPError) as setting:
        xero_sandbox.configure(rate_per_hour=5)
    with pytest.raises(SandboxHTTPError) as fault:
        xero_sandbox.faults(script=["explode"])

    assert setting.value.status == 400 and "rate_per_hour" in setting.value.body["error"]
    assert fault.value.status == 400


def test_consent_checks_client_redirect_and_tenants(xero_sandbox):
    with pytest.raises(SandboxHTTPError):
        xero_sandbox.consent(client_id="someone-else")
    with pytest.raises(SandboxHTTPError):
        xero_sandbox.consent(redirect_uri="https://evil.example/cb")
    with pytest.raises(SandboxHTTPError) as tenant:
        xero_sandbox.consent(tenants=["00000000-0000-0000-0000-000000000000"])

    assert tenant.value.status == 404


def test_request_log_never_holds_secrets(xero_sandbox, xero, uk):
    xero.api_client.refresh_oauth2_token()
    xero.accounting.get_organisations(uk)

    log = json.dumps(xero_sandbox.requests())
    assert xero.token["access_token"] not in log and xero.token["refresh_token"] not in log
    assert xero_sandbox.client_secret not in log
    api_call = xero_sandbox.requests(path_prefix="/api.xro")[-1]
    assert api_call["headers"]["Authorization"] == "Bearer …" and api_call["headers"]["xero-tenant-id"] == uk
    assert api_call["client_id"] == xero_sandbox.client_id and api_call["status"] == 200


def test_state_can_be_narrowed_to_one_tenant(xero_sandbox, uk):
    assert list(xero_sandbox.state(uk)["orgs"]) == [uk]


def test_invoice_status_can_be_forced_like_a_user_in_xero(xero_sandbox, xero, uk, acme):
    created = xero.accounting.create_invoices(uk, bills(bill(acme))).invoices[0]

    xero_sandbox.set_invoice_status(uk, created.invoice_id, "VOIDED")

    voided = xero.accounting.get_invoice(uk, created.invoice_id).invoices[0]
    assert (voided.status, voided.amount_due) == ("VOIDED", 0)  # as in Xero: nothing owed on a voided bill


def test_copies_of_the_uk_organisation_have_their_own_books_and_limits_and_share_the_app_s_minute(xero_sandbox, acme):
    copies = xero_sandbox.admin("POST", "organisations", {"copies": 2})["tenants"]
    uk, first, second = xero_sandbox.uk_tenant_id, *copies
    xero = xero_sandbox.sdk(xero_sandbox.connect(tenants=[uk, *copies]), retries=False)
    xero_sandbox.configure(rate_per_minute=2, app_rate_per_minute=3)
    xero.accounting.create_invoices(first, bills(bill(acme)))  # the UK organisation's contacts, the same ids

    names = [xero.accounting.get_organisations(tenant).organisations[0].name for tenant in (first, second)]
    with pytest.raises(Exception) as refused:
        xero.accounting.get_organisations(uk)  # the app's fourth call this minute, the UK organisation's first

    assert names == ["Onport Demo (UK) 2", "Onport Demo (UK) 3"]
    invoices = {tenant: _org_state(xero_sandbox, tenant)["invoices"] for tenant in (uk, first, second)}
    assert [len(invoices[tenant]) for tenant in (uk, first, second)] == [0, 1, 0]
    assert refused.value.status == 429
    assert xero_sandbox.requests(path_prefix="/api.xro")[-1]["rate_limit_problem"] == "appminute"


def _org_state(xero_sandbox, tenant_id):
    state = xero_sandbox.state(tenant_id)
    return state["orgs"][tenant_id] if "orgs" in state else state
