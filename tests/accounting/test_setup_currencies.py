"""Setup > Accounting › Currencies: the organisation's currencies (live, or as last read), the rate source, and
Onport's rates — admins only, another account's rate answers 404, a bad input says what is wrong."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounting.setup.models import AccountingSettings, CurrencyRateSource, ExchangeRate
from integrations.models import XeroAccount

pytestmark = pytest.mark.django_db

PAGE = reverse("accounting:setup_currencies")
ADD = reverse("accounting:setup_exchange_rate_create")
SOURCE = reverse("accounting:setup_currency_source")


def test_only_admins_open_the_page_or_change_anything(books, finance_client, viewer_client):
    for client in (finance_client, viewer_client):
        assert client.get(PAGE).status_code == 403
        assert client.post(SOURCE, {"source": "onport"}).status_code == 403
        assert client.post(ADD, {"currency": "EUR", "rate_date": "2026-12-01", "rate": "1.17"}).status_code == 403
    assert not ExchangeRate.objects.exists()


def test_the_page_shows_the_base_and_enabled_currencies_live(books, admin_client_):
    books.sandbox.set_currency(books.xero_account.tenant_id, "USD", enabled=False)

    page = admin_client_.get(PAGE + "?reload=1")

    currencies = page.context["currencies"]
    assert currencies.live and currencies.base == "GBP"
    assert [code for code, _ in currencies.enabled] == ["EUR", "GBP"]
    assert XeroAccount.objects.get(pk=books.xero_account.pk).enabled_currencies == ["EUR", "GBP"]  # the copy kept
    html = page.content.decode()
    assert 'id="base-currency">GBP<' in html and "Euro" in html
    assert (
        reverse("accounting:setup_currencies")
        in admin_client_.get(reverse("accounting:setup_accounting")).content.decode()
    )


def test_when_xero_is_unreachable_the_stored_copy_is_shown_saying_so(books, admin_client_):
    books.sandbox.faults(probabilities={"503_before": 1.0})

    page = admin_client_.get(PAGE + "?reload=1")

    assert page.status_code == 200
    currencies = page.context["currencies"]
    assert not currencies.live and [code for code, _ in currencies.enabled] == ["EUR", "GBP", "USD"]
    assert 'id="currencies-unavailable"' in page.content.decode()


def test_an_admin_chooses_the_rate_source(books, admin_client_):
    response = admin_client_.post(SOURCE, {"source": "onport"})

    assert response.status_code == 302
    assert AccountingSettings.objects.get(pk=books.settings.pk).currency_rate_source == CurrencyRateSource.ONPORT
    assert admin_client_.post(SOURCE, {"source": "bank"}).status_code == 400


def test_an_admin_adds_lists_and_deletes_a_rate(books, admin_client_):
    response = admin_client_.post(ADD, {"currency": "eur", "rate_date": "2026-12-01", "rate": "1.165432"})

    assert response.status_code == 302
    rate = ExchangeRate.objects.get()
    assert (rate.account_id, rate.base_currency, rate.currency) == (books.settings.account_id, "GBP", "EUR")
    assert (rate.rate_date, rate.rate) == (datetime.date(2026, 12, 1), Decimal("1.165432"))
    assert "1 GBP = 1.165432 EUR" in admin_client_.get(PAGE).content.decode()

    response = admin_client_.post(reverse("accounting:setup_exchange_rate_delete", args=[rate.pk]))
    assert response.status_code == 302 and not ExchangeRate.objects.exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"currency": "EUR", "rate_date": "2026-12-01", "rate": "0"}, "rate", "The rate must be more than 0."),
        ({"currency": "EUR", "rate_date": "2026-12-01", "rate": "-1.2"}, "rate", "The rate must be more than 0."),
        ({"currency": "EUR", "rate_date": "2026-12-01", "rate": "abc"}, "rate", "Give the rate as a number"),
        ({"currency": "EUR", "rate_date": "2026-12-01", "rate": "1.1234567"}, "rate", "at most 6 decimal places"),
        (
            {"currency": "EUR", "rate_date": "2026-12-01", "rate": "1000000000000"},
            "rate",
            "a rate below 1,000,000,000,000",
        ),
        ({"currency": "EURO", "rate_date": "2026-12-01", "rate": "1.1"}, "currency", "3-letter code"),
        ({"currency": "E1R", "rate_date": "2026-12-01", "rate": "1.1"}, "currency", "3-letter code"),
        ({"currency": "GBP", "rate_date": "2026-12-01", "rate": "1.1"}, "currency", "base currency"),
        ({"currency": "AUD", "rate_date": "2026-12-01", "rate": "1.1"}, "currency", "has not enabled AUD in Xero"),
        ({"currency": "EUR", "rate_date": "1 Dec", "rate": "1.1"}, "rate_date", "YYYY-MM-DD"),
        ({"currency": "EUR", "rate_date": "", "rate": "1.1"}, "rate_date", "Give the day the rate applies from."),
    ],
)
def test_a_bad_rate_is_refused_in_plain_words(books, admin_client_, data, field, message):
    response = admin_client_.post(ADD, data)

    assert response.status_code == 400
    assert message in " ".join(response.context["rate_form"].errors[field])
    assert not ExchangeRate.objects.exists()


def test_a_second_rate_on_the_same_day_is_refused(books, admin_client_):
    data = {"currency": "EUR", "rate_date": "2026-12-01", "rate": "1.1"}
    admin_client_.post(ADD, data)

    response = admin_client_.post(ADD, {**data, "rate": "1.2"})

    assert response.status_code == 400
    assert "There is already a rate for EUR from 1 Dec 2026" in response.content.decode()
    assert ExchangeRate.objects.get().rate == Decimal("1.1")


def test_another_accounts_rate_and_a_missing_one_answer_404(books, admin_client_, other_account):
    theirs = ExchangeRate.objects.create(
        account=other_account, base_currency="GBP", currency="EUR", rate_date=datetime.date(2026, 1, 1), rate=1
    )

    for rate_id in (theirs.pk, theirs.pk + 1000):
        assert admin_client_.post(reverse("accounting:setup_exchange_rate_delete", args=[rate_id])).status_code == 404
    assert ExchangeRate.objects.filter(pk=theirs.pk).exists()
    assert f'id="rate-{theirs.pk}"' not in admin_client_.get(PAGE).content.decode()  # not listed either


def test_the_page_reads_many_rates_in_a_fixed_number_of_queries(books, admin_client_, django_assert_max_num_queries):
    admin_client_.get(PAGE)  # Xero's lists read and cached
    for day in range(1, 21):
        ExchangeRate.objects.create(
            account=books.settings.account,
            base_currency="GBP",
            currency="EUR" if day % 2 else "USD",
            rate_date=datetime.date(2026, 11, day),
            rate=Decimal("1.1") + day,
        )

    with django_assert_max_num_queries(12):
        page = admin_client_.get(PAGE)

    assert len(page.context["rates"]) == 20
