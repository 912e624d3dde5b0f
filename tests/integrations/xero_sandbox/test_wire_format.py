"""Xero's JSON on the wire, checked over raw HTTP: request date formats, envelope, /Date()/ answers."""

from __future__ import annotations

import re
import urllib.error
import urllib.request

import pytest

MS_DATE = re.compile(r"^/Date\(\d+\+0000\)/$")


@pytest.fixture
def api(xero_sandbox):
    token = xero_sandbox.connect()["access_token"]

    def call(method: str, path: str, body=None, tenant: str | None = None):
        headers = {
            "Authorization": f"Bearer {token}",
            "xero-tenant-id": tenant or xero_sandbox.uk_tenant_id,
            "Accept": "application/json",
        }
        return xero_sandbox.http(method, f"/api.xro/2.0{path}", json_body=body, headers=headers)

    return call


@pytest.mark.parametrize(
    "date_value", ["2025-03-01", "2025-03-01T00:00:00", "/Date(1740787200000)/", "/Date(1740787200000+0000)/"]
)
def test_request_dates_in_every_format_xero_accepts(api, acme, date_value):
    box = {"Description": "Box", "Quantity": 1, "UnitAmount": 10, "AccountCode": "300"}
    body = {
        "Invoices": [
            {
                "Type": "ACCPAY",
                "Contact": {"ContactID": acme},
                "Date": date_value,
                "DueDate": date_value,
                "LineItems": [box],
            }
        ]
    }

    status, answer, _ = api("PUT", "/Invoices?summarizeErrors=false", body)

    invoice = answer["Invoices"][0]
    assert status == 200 and invoice["DateString"] == "2025-03-01T00:00:00"
    assert invoice["Date"] == "/Date(1740787200000+0000)/" and invoice["DueDate"] == invoice["Date"]


def test_answers_use_xeros_envelope_and_types(api, acme):
    body = {
        "Type": "ACCPAY",
        "Contact": {"ContactID": acme},
        "Date": "2025-03-01",  # a bare element is accepted too
        "LineItems": [{"Description": "Box", "Quantity": 1, "UnitAmount": 10.5, "AccountCode": "300"}],
    }

    status, answer, headers = api("POST", "/Invoices", body)

    assert status == 200 and set(answer) == {"Id", "Status", "ProviderName", "DateTimeUTC", "Invoices"}
    assert answer["Status"] == "OK" and answer["ProviderName"] == "Onport" and MS_DATE.match(answer["DateTimeUTC"])
    invoice = answer["Invoices"][0]
    assert (invoice["Total"], invoice["TotalTax"], invoice["LineItems"][0]["LineAmount"]) == (12.6, 2.1, 10.5)
    assert MS_DATE.match(invoice["UpdatedDateUTC"]) and invoice["Status"] == "DRAFT"
    assert headers["Content-Type"].startswith("application/json")


def test_paths_and_query_names_are_case_insensitive(api):
    status, answer, _ = api("GET", "/contacts?SEARCHTERM=cobalt&page=1")

    assert status == 200 and [c["Name"] for c in answer["Contacts"]] == ["Cobalt Freight"]


def test_unreadable_json_is_a_post_data_error(xero_sandbox):
    token = xero_sandbox.connect()["access_token"]
    headers = {
        "Authorization": f"Bearer {token}",
        "xero-tenant-id": xero_sandbox.uk_tenant_id,
        "Content-Type": "application/json",
    }
    request = urllib.request.Request(
        f"{xero_sandbox.accounting_url}/Invoices", data=b"{nope", method="PUT", headers=headers
    )

    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request)

    assert refused.value.code == 400 and b"PostDataInvalidException" in refused.value.read()
