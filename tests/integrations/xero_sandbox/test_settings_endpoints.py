"""Organisation, Accounts, TaxRates and Currencies of the two seeded organisations."""

from __future__ import annotations

from integrations.xero.sandbox import seed


def test_organisations_differ_in_currency_and_country(xero, xero_sandbox):
    uk = xero.accounting.get_organisations(xero_sandbox.uk_tenant_id).organisations[0]
    au = xero.accounting.get_organisations(xero_sandbox.au_tenant_id).organisations[0]

    assert (uk.name, uk.base_currency.value, uk.country_code.value) == ("Onport Demo (UK)", "GBP", "GB")
    assert (au.name, au.base_currency.value, au.country_code.value) == ("Onport Demo (AU)", "AUD", "AU")
    assert uk.short_code.startswith("!") and uk.organisation_status == "ACTIVE"
    assert uk.organisation_id == seed.UK_TENANT_ID
    assert uk.period_lock_date is None and uk.timezone.value == "GMTSTANDARDTIME"


def test_lock_dates_are_visible_once_set(xero, xero_sandbox, uk):
    xero_sandbox.set_lock_dates(uk, period_lock_date="2025-01-31", end_of_year_lock_date="2024-12-31")

    organisation = xero.accounting.get_organisations(uk).organisations[0]

    assert str(organisation.period_lock_date) == "2025-01-31"
    assert str(organisation.end_of_year_lock_date) == "2024-12-31"


def test_accounts_filter_by_status_type_and_class(xero, uk):
    active = xero.accounting.get_accounts(uk, where='Status=="ACTIVE"').accounts
    banks = xero.accounting.get_accounts(uk, where='Type=="BANK"').accounts
    expenses = xero.accounting.get_accounts(uk, where='Class=="EXPENSE" AND Status=="ACTIVE"').accounts

    assert "461" not in {a.code for a in active}
    assert [a.code for a in banks] == [None, "090", "091"] and banks[1].name == "Business Bank Account"
    assert banks[0].name == "Business Card Account"  # Xero bank accounts need no code
    assert {a.code for a in expenses} == {"300", "310", "400", "425", "429"}
    payable = next(a for a in active if a.code == "800")
    assert payable.system_account == "CREDITORS" and payable.type.value == "CURRLIAB"


def test_tax_rates_say_where_they_apply(xero, xero_sandbox, uk):
    uk_rates = {r.tax_type: r for r in xero.accounting.get_tax_rates(uk).tax_rates}
    au_rates = {r.tax_type: r for r in xero.accounting.get_tax_rates(xero_sandbox.au_tenant_id).tax_rates}

    assert uk_rates["INPUT2"].can_apply_to_expenses and uk_rates["INPUT2"].effective_rate == 20
    assert not uk_rates["OUTPUT2"].can_apply_to_expenses and uk_rates["OUTPUT2"].can_apply_to_revenue
    assert au_rates["INPUT"].display_tax_rate == 10 and not au_rates["OUTPUT"].can_apply_to_expenses
    assert {"INPUTTAXED", "BASEXCLUDED", "EXEMPTEXPENSES"} <= set(au_rates)


def test_currencies_are_the_enabled_ones(xero, xero_sandbox, uk):
    assert [c.code.value for c in xero.accounting.get_currencies(uk).currencies] == ["EUR", "GBP", "USD"]
    au_currencies = xero.accounting.get_currencies(xero_sandbox.au_tenant_id).currencies
    assert [c.code.value for c in au_currencies] == ["AUD", "USD"]
