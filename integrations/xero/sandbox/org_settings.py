"""Read-only settings endpoints: Organisation, Accounts, TaxRates, Currencies, TrackingCategories."""

from __future__ import annotations

from werkzeug.wrappers import Response

from .accounting import ApiContext, envelope, not_found, query_documents
from .tracking import categories_of, render_category


def get_organisation(ctx: ApiContext) -> Response:
    return envelope(ctx, "Organisations", [ctx.organisation])


def get_accounts(ctx: ApiContext) -> Response:
    accounts = query_documents(ctx, list(ctx.org["accounts"].values()), default_order="Code")
    return envelope(ctx, "Accounts", accounts)


def get_account(ctx: ApiContext, account_id: str) -> Response:
    account = ctx.org["accounts"].get(account_id.lower())
    if account is None:
        raise not_found()
    return envelope(ctx, "Accounts", [account])


def get_tax_rates(ctx: ApiContext) -> Response:
    rates = query_documents(ctx, list(ctx.org["tax_rates"].values()), default_order="Name", modified_key=None)
    tax_type = ctx.arg("TaxType")
    if tax_type:
        rates = [rate for rate in rates if rate["TaxType"] == tax_type]
    return envelope(ctx, "TaxRates", rates)


def get_currencies(ctx: ApiContext) -> Response:
    currencies = query_documents(ctx, list(ctx.org["currencies"]), default_order="Code", modified_key=None)
    return envelope(ctx, "Currencies", currencies)


def get_tracking_categories(ctx: ApiContext) -> Response:
    """Active categories with their active options; includeArchived=true adds the archived ones of both."""
    archived = ctx.flag("includeArchived")
    categories = [render_category(category, archived_options=archived) for category in categories_of(ctx).values()
                  if archived or category["Status"] == "ACTIVE"]
    categories = query_documents(ctx, categories, default_order="Name", modified_key=None)
    return envelope(ctx, "TrackingCategories", categories)


def get_tracking_category(ctx: ApiContext, tracking_category_id: str) -> Response:
    """One category whatever its status (the spec's example answers a DELETED one), every option with its status."""
    category = categories_of(ctx).get(tracking_category_id.lower())
    if category is None:
        raise not_found()
    return envelope(ctx, "TrackingCategories", [render_category(category, archived_options=True)])
