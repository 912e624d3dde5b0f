"""The demo organisations every sandbox starts with (and returns to on reset).

Ids are uuid5 of stable names, so tests, fixtures and the demo can rely on them across runs.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

NAMESPACE = uuid.UUID("5f1d7a52-8c3e-4c55-9a57-0b1e8a9c3d21")
SEEDED_AT = datetime(2025, 1, 15, 9, 0, tzinfo=timezone.utc)


def stable_id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


UK_TENANT_ID = stable_id("org", "uk")
AU_TENANT_ID = stable_id("org", "au")
SANDBOX_USER_ID = stable_id("user", "demo")

# (TaxType, Name, rate %, expenses?, revenue?, ReportTaxType, Status)
UK_TAX_RATES = [
    ("INPUT2", "20% (VAT on Expenses)", "20", True, False, "INPUT", "ACTIVE"),
    ("OUTPUT2", "20% (VAT on Income)", "20", False, True, "OUTPUT", "ACTIVE"),
    ("RRINPUT", "5% (VAT on Expenses)", "5", True, False, "INPUT", "ACTIVE"),
    ("ZERORATEDINPUT", "Zero Rated Expenses", "0", True, False, "INPUT", "ACTIVE"),
    ("ZERORATEDOUTPUT", "Zero Rated Income", "0", False, True, "OUTPUT", "ACTIVE"),
    ("EXEMPTINPUT", "Exempt Expenses", "0", True, False, "EXEMPTINPUT", "ACTIVE"),
    ("EXEMPTOUTPUT", "Exempt Income", "0", False, True, "EXEMPTOUTPUT", "ACTIVE"),
    ("NONE", "No VAT", "0", True, True, "NONE", "ACTIVE"),
    ("INPUT", "17.5% (VAT on Expenses)", "17.5", True, False, "INPUT", "DELETED"),
]
AU_TAX_RATES = [
    ("INPUT", "GST on Expenses", "10", True, False, "INPUT", "ACTIVE"),
    ("OUTPUT", "GST on Income", "10", False, True, "OUTPUT", "ACTIVE"),
    ("EXEMPTEXPENSES", "GST Free Expenses", "0", True, False, "EXEMPTEXPENSES", "ACTIVE"),
    ("EXEMPTOUTPUT", "GST Free Income", "0", False, True, "EXEMPTOUTPUT", "ACTIVE"),
    ("INPUTTAXED", "Input Taxed", "0", True, True, "INPUTTAXED", "ACTIVE"),
    ("BASEXCLUDED", "BAS Excluded", "0", True, True, "BASEXCLUDED", "ACTIVE"),
    ("GSTONIMPORTS", "GST on Imports", "0", True, False, "GSTONIMPORTS", "ACTIVE"),
]

# (Code, Name, Type, Class, default TaxType key, extras)
CHART_OF_ACCOUNTS: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
    ("090", "Business Bank Account", "BANK", "ASSET", "none", {"BankAccountType": "BANK"}),
    ("091", "Business Savings Account", "BANK", "ASSET", "none", {"BankAccountType": "BANK"}),
    # Xero does not require a code on a bank account: payments must name it by AccountID.
    ("092", "Business Card Account", "BANK", "ASSET", "none", {"BankAccountType": "CREDITCARD", "Code": None}),
    ("200", "Sales", "REVENUE", "REVENUE", "output", {}),
    ("300", "Purchases", "DIRECTCOSTS", "EXPENSE", "input", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE", "input", {}),
    ("400", "Advertising", "OVERHEADS", "EXPENSE", "input", {}),
    ("425", "Freight & Courier", "OVERHEADS", "EXPENSE", "input", {}),
    ("429", "General Expenses", "OVERHEADS", "EXPENSE", "input", {}),
    ("461", "Printing & Stationery", "OVERHEADS", "EXPENSE", "input", {"Status": "ARCHIVED"}),
    ("610", "Accounts Receivable", "CURRENT", "ASSET", "none", {"SystemAccount": "DEBTORS"}),
    ("630", "Inventory", "INVENTORY", "ASSET", "input", {}),
    ("710", "Office Equipment", "FIXED", "ASSET", "input", {}),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "none", {"SystemAccount": "CREDITORS"}),
    ("820", "{tax_name}", "CURRLIAB", "LIABILITY", "none", {"SystemAccount": "GST"}),
    ("860", "Rounding", "CURRLIAB", "LIABILITY", "none", {"SystemAccount": "ROUNDING"}),
    ("881", "Owner Funds Introduced", "EQUITY", "EQUITY", "none", {"EnablePaymentsToAccount": True}),
]

SUPPLIER_NAMES = [
    "Acme Packaging Ltd", "Bright Lights Wholesale", "Cobalt Freight", "Delta Textiles",
    "Evergreen Paper Co", "Fjord Outdoor Supply", "Granite Home Goods", "Harbour Ceramics",
    "Iris Cosmetics", "Juniper Kitchenware", "Kestrel Electronics", "Linden Furniture",
    "Meridian Footwear", "Northwind Traders", "Northwind Trading Co", "Orchard Organics",
    "Pioneer Tools", "Quartz Lighting", "Riverside Printing", "Saffron Spice Merchants",
    "Tidewater Candles", "Umbra Eyewear", "Vantage Sports", "Willow Baby Goods",
    "Xenon Audio", "Yarrow Garden Supplies", "Zephyr Bikes", "Atlas Couriers",
    "Beacon Stationery", "Old Mill Supplies",
]
ARCHIVED_SUPPLIER = "Old Mill Supplies"

ORGANISATIONS: dict[str, dict[str, Any]] = {
    UK_TENANT_ID: {
        "key": "uk", "Name": "Onport Demo (UK)", "LegalName": "Onport Demo UK Ltd", "ShortCode": "!uK7dQ",
        "BaseCurrency": "GBP", "CountryCode": "GB", "Version": "UK", "Timezone": "GMTSTANDARDTIME",
        "DefaultPurchasesTax": "Tax Exclusive", "DefaultSalesTax": "Tax Exclusive",
        "TaxNumber": "GB 123 4567 89", "FinancialYearEndMonth": 3, "tax_rates": UK_TAX_RATES,
        "input_tax": "INPUT2", "output_tax": "OUTPUT2", "tax_name": "VAT", "currencies": ["GBP", "EUR", "USD"],
        "rates": {"EUR": "1.1700", "USD": "1.2700"}, "email_domain": "example.co.uk",
    },
    AU_TENANT_ID: {
        "key": "au", "Name": "Onport Demo (AU)", "LegalName": "Onport Demo Pty Ltd", "ShortCode": "!a9XkP",
        "BaseCurrency": "AUD", "CountryCode": "AU", "Version": "AU", "Timezone": "AUSEASTERNSTANDARDTIME",
        "DefaultPurchasesTax": "Tax Inclusive", "DefaultSalesTax": "Tax Inclusive",
        "TaxNumber": "53 004 085 616", "FinancialYearEndMonth": 6, "tax_rates": AU_TAX_RATES,
        "input_tax": "INPUT", "output_tax": "OUTPUT", "tax_name": "GST", "currencies": ["AUD", "USD"],
        "rates": {"USD": "0.6500"}, "email_domain": "example.com.au",
    },
}
CURRENCY_NAMES = {"GBP": "British Pound", "EUR": "Euro", "USD": "United States Dollar", "AUD": "Australian Dollar"}

# Xero: "a maximum of two ACTIVE tracking categories and four tracking categories total (ACTIVE and ARCHIVED)".
MAX_ACTIVE_TRACKING_CATEGORIES = 2
MAX_TRACKING_CATEGORIES = 4
TOO_MANY_ACTIVE_TRACKING_CATEGORIES = (f"An organisation can have at most {MAX_ACTIVE_TRACKING_CATEGORIES} active "
                                       "tracking categories; archive one first.")
# (category Name, Status, [(option Name, Status), …])
TRACKING_CATEGORIES: list[tuple[str, str, list[tuple[str, str]]]] = [
    ("Sales channel", "ACTIVE", [("Online", "ACTIVE"), ("Marketplace", "ACTIVE"), ("Wholesale", "ACTIVE")]),
    ("Region", "ACTIVE", [("North", "ACTIVE"), ("South", "ACTIVE"), ("West", "ARCHIVED")]),
    ("Old brand", "ARCHIVED", [("Classic", "ACTIVE"), ("Heritage", "ACTIVE")]),
]


def build_organisations() -> dict[str, dict[str, Any]]:
    """Fresh per-tenant data: {tenant_id: {"organisation", "accounts", "tax_rates", …}}."""
    return {tenant_id: _build_org(tenant_id, spec) for tenant_id, spec in ORGANISATIONS.items()}


def _build_org(tenant_id: str, spec: dict[str, Any]) -> dict[str, Any]:
    organisation = {
        "OrganisationID": tenant_id, "APIKey": "", "Name": spec["Name"], "LegalName": spec["LegalName"],
        "PaysTax": True, "Version": spec["Version"], "OrganisationType": "COMPANY",
        "BaseCurrency": spec["BaseCurrency"], "CountryCode": spec["CountryCode"], "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE", "TaxNumber": spec["TaxNumber"],
        "FinancialYearEndDay": 31 if spec["FinancialYearEndMonth"] == 3 else 30,
        "FinancialYearEndMonth": spec["FinancialYearEndMonth"], "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1", "DefaultSalesTax": spec["DefaultSalesTax"],
        "DefaultPurchasesTax": spec["DefaultPurchasesTax"], "PeriodLockDate": None, "EndOfYearLockDate": None,
        "CreatedDateUTC": SEEDED_AT - timedelta(days=400), "Timezone": spec["Timezone"],
        "OrganisationEntityType": "COMPANY", "ShortCode": spec["ShortCode"], "Class": "STANDARD",
        "Edition": "BUSINESS", "LineOfBusiness": "Retail", "Addresses": [], "Phones": [], "ExternalLinks": [],
        "PaymentTerms": {"Bills": {"Day": 20, "Type": "OFFOLLOWINGMONTH"}},
    }
    return {
        "organisation": organisation,
        "tax_rates": {rate[0]: _tax_rate(*rate) for rate in spec["tax_rates"]},
        "accounts": {account["AccountID"]: account for account in _accounts(spec)},
        "currencies": [{"Code": code, "Description": CURRENCY_NAMES[code]} for code in spec["currencies"]],
        "currency_rates": {code: Decimal(rate) for code, rate in spec["rates"].items()},
        "contacts": {contact["ContactID"]: contact for contact in _contacts(spec)},
        "tracking_categories": {category["TrackingCategoryID"]: category for category in _tracking_categories(spec)},
        "invoices": {}, "credit_notes": {}, "payments": {}, "history": {}, "attachments": {},
    }


def _tax_rate(tax_type: str, name: str, rate: str, expenses: bool, revenue: bool, report: str,
              status: str) -> dict[str, Any]:
    percent = Decimal(rate)
    return {
        "Name": name, "TaxType": tax_type, "Status": status, "ReportTaxType": report,
        "TaxComponents": [{"Name": "Tax", "Rate": percent, "IsCompound": False, "IsNonRecoverable": False}],
        "CanApplyToAssets": expenses, "CanApplyToEquity": expenses, "CanApplyToExpenses": expenses,
        "CanApplyToLiabilities": expenses, "CanApplyToRevenue": revenue,
        "DisplayTaxRate": percent, "EffectiveRate": percent,
    }


def _tracking_categories(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Shaped like the spec's TrackingCategory / TrackingOption (no UpdatedDateUTC: Xero has none for them)."""
    categories = [{
        "TrackingCategoryID": stable_id(spec["key"], "tracking-category", name), "Name": name, "Status": status,
        "Options": [{"TrackingOptionID": stable_id(spec["key"], "tracking-option", name, option), "Name": option,
                     "Status": option_status} for option, option_status in options],
    } for name, status, options in TRACKING_CATEGORIES]
    check_tracking_limits(categories)
    return categories


def check_tracking_limits(categories: Any) -> None:
    """Raise ValueError when `categories` break Xero's limits (two active, four in all)."""
    categories = list(categories)
    if sum(category["Status"] == "ACTIVE" for category in categories) > MAX_ACTIVE_TRACKING_CATEGORIES:
        raise ValueError(TOO_MANY_ACTIVE_TRACKING_CATEGORIES)
    if len(categories) > MAX_TRACKING_CATEGORIES:
        raise ValueError(f"An organisation can have at most {MAX_TRACKING_CATEGORIES} tracking categories.")


def _accounts(spec: dict[str, Any]) -> list[dict[str, Any]]:
    no_tax = "NONE" if spec["key"] == "uk" else "BASEXCLUDED"
    tax_for = {"input": spec["input_tax"], "output": spec["output_tax"], "none": no_tax}
    accounts = []
    for index, (code, name, kind, account_class, tax_key, extras) in enumerate(CHART_OF_ACCOUNTS):
        account = {
            "AccountID": stable_id(spec["key"], "account", code), "Code": code,
            "Name": name.format(tax_name=spec["tax_name"]), "Status": "ACTIVE", "Type": kind,
            "TaxType": tax_for[tax_key], "Class": account_class, "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": account_class == "EXPENSE", "ReportingCode": "", "HasAttachments": False,
            "UpdatedDateUTC": SEEDED_AT + timedelta(minutes=index), "AddToWatchlist": False,
            "SystemAccount": None,  # the spec: non-system accounts may have "" or null; Xero sends null
        }
        if kind == "BANK":
            account["CurrencyCode"] = spec["BaseCurrency"]
            account["BankAccountNumber"] = f"{spec['key'].upper()}-0{code}-{index:04d}"
        account.update(extras)
        accounts.append(account)
    return accounts


def _contacts(spec: dict[str, Any]) -> list[dict[str, Any]]:
    contacts = []
    for index, name in enumerate(SUPPLIER_NAMES):
        slug = "".join(char for char in name.lower() if char.isalnum())[:18]
        tax_number = (
            f"GB{100000000 + index * 7919:09d}" if spec["key"] == "uk" else f"{51000000000 + index * 104729:011d}"
        )
        contacts.append({
            "ContactID": stable_id(spec["key"], "contact", name), "ContactStatus": "ACTIVE", "Name": name,
            "FirstName": "", "LastName": "", "EmailAddress": f"accounts@{slug}.{spec['email_domain']}",
            "ContactPersons": [], "BankAccountDetails": "", "TaxNumber": tax_number,
            "AccountsPayableTaxType": spec["input_tax"], "DefaultCurrency": spec["BaseCurrency"],
            "Addresses": [{"AddressType": "POBOX", "AddressLine1": f"{index + 1} Supply Street",
                           "City": "London" if spec["key"] == "uk" else "Sydney", "PostalCode": f"{1000 + index}",
                           "Country": spec["CountryCode"]}],
            "Phones": [{"PhoneType": "DEFAULT", "PhoneNumber": f"555-{index:04d}"}],
            "IsSupplier": True, "IsCustomer": False, "HasAttachments": False, "HasValidationErrors": False,
            "UpdatedDateUTC": SEEDED_AT + timedelta(minutes=index),
        })
    contacts[0]["FirstName"], contacts[0]["LastName"] = "Ada", "Stone"
    if spec["key"] == "uk":
        contacts[3]["DefaultCurrency"] = "EUR"
        contacts[10]["DefaultCurrency"] = "USD"
    archived = next(contact for contact in contacts if contact["Name"] == ARCHIVED_SUPPLIER)
    archived["ContactStatus"] = "ARCHIVED"
    return contacts


def bulk_contacts(org_key: str, start: int, count: int, prefix: str, currency: str) -> list[dict[str, Any]]:
    """Many plain supplier contacts, for import benchmarks."""
    created = []
    for number in range(start, start + count):
        name = f"{prefix} {number:05d}"
        created.append({
            "ContactID": stable_id(org_key, "bulk-contact", name), "ContactStatus": "ACTIVE", "Name": name,
            "EmailAddress": f"bills+{number:05d}@bulk.example", "TaxNumber": f"BULK{number:07d}",
            "DefaultCurrency": currency, "ContactPersons": [], "Addresses": [], "Phones": [],
            "IsSupplier": True, "IsCustomer": False, "HasAttachments": False, "HasValidationErrors": False,
        })
    return created


def copy_tenant_id(number: int) -> str:
    """The tenant id of the `number`th copy of the UK organisation (1, 2, …)."""
    return stable_id("org", f"uk-copy-{number}")


def organisation_copies(count: int) -> dict[str, dict[str, Any]]:
    """`count` more organisations like the UK one, for runs across many organisations: the same chart,
    tax rates, contacts and tracking categories (with the UK organisation's ids), their own tenant ids, names
    and limits."""
    uk = ORGANISATIONS[UK_TENANT_ID]
    return {
        copy_tenant_id(number): _build_org(copy_tenant_id(number),
                                           {**uk, "Name": f"{uk['Name']} {number + 1}", "ShortCode": f"!uk{number:04d}"})
        for number in range(1, count + 1)
    }


def org_key(tenant_id: str) -> str:
    return ORGANISATIONS.get(tenant_id, {}).get("key", tenant_id)

