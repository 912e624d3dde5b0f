"""Setup > Accounting › Product categories (admins only): categories, the SKUs in each, and each category's account
code, checked against the sandbox organisation's live lists so that no code Xero would refuse is saved."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounting.setup.categories import services
from accounting.setup.models import AccountingSettings, CategoryAccountCode
from invoicing.models import Product, ProductCategory
from tests.factories import VendorFactory, order_create

pytestmark = pytest.mark.django_db

PAGE = reverse("accounting:setup_categories")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the lists are cached per Xero account, and ids repeat between tests


def _category(account, name: str, skus=()) -> ProductCategory:
    category = services.product_category_create(account=account, name=name)
    if skus:
        services.products_assign(account=account, category=category, skus=list(skus))
    return category


# -- services -----------------------------------------------------------------------------------------------


def test_create_trims_the_name_and_refuses_a_second_with_the_same_name(account, other_account):
    category = services.product_category_create(account=account, name="  Apparel   and  shoes ")

    with pytest.raises(services.CategoryRefused) as refused:
        services.product_category_create(account=account, name="apparel AND shoes")
    theirs = services.product_category_create(account=other_account, name="Apparel and shoes")  # another account's

    assert category.name == "Apparel and shoes" and theirs.account == other_account
    assert refused.value.message == "There is already a category named 'Apparel and shoes': choose another name."
    assert ProductCategory.objects.for_account(account).count() == 1


def test_rename_refuses_an_empty_or_taken_name(account):
    apparel, homeware = _category(account, "Apparel"), _category(account, "Homeware")

    for name, said in (("  ", "Give the category a name."), ("HOMEWARE", "already a category named 'Homeware'")):
        with pytest.raises(services.CategoryRefused, match=said):
            services.product_category_rename(category=apparel, name=name)
    services.product_category_rename(category=homeware, name="Home & garden")

    assert sorted(ProductCategory.objects.values_list("name", flat=True)) == ["Apparel", "Home & garden"]


def test_a_sku_in_another_category_moves_and_the_result_says_from_where(account):
    apparel = _category(account, "Apparel", ["TEE-1", "TEE-2"])
    shoes = _category(account, "Shoes")

    assigned = services.products_assign(account=account, category=shoes, skus=["TEE-2", " BOOT-1 ", "BOOT-1", ""])

    assert assigned == services.SkusAssigned(added=["BOOT-1"], moved={"TEE-2": "Apparel"}, already=[])
    assert dict(Product.objects.values_list("sku", "category__name")) == {
        "BOOT-1": "Shoes",
        "TEE-1": "Apparel",
        "TEE-2": "Shoes",
    }
    # and taking a SKU out keeps it, without a category
    out = services.products_assign(account=account, category=None, skus=["TEE-1"])
    assert out.moved == {"TEE-1": "Apparel"} and Product.objects.get(sku="TEE-1").category is None
    assert apparel.products.count() == 0


def test_skus_and_categories_belong_to_one_account(account, other_account):
    ours = _category(account, "Apparel", ["TEE-1"])
    theirs = _category(other_account, "Apparel", ["TEE-1"])  # the same SKU, another account: its own product

    with pytest.raises(services.CategoryRefused, match="your own categories"):
        services.products_assign(account=account, category=theirs, skus=["TEE-2"])

    assert Product.objects.filter(sku="TEE-1").count() == 2
    assert Product.objects.get(account=account, sku="TEE-1").category == ours
    assert not Product.objects.filter(sku="TEE-2").exists()


def test_deleting_a_category_keeps_its_skus_without_one(account):
    apparel = _category(account, "Apparel", ["TEE-1"])

    assert services.product_category_delete(category=apparel) == 1
    assert Product.objects.get(sku="TEE-1").category is None


# -- the page -----------------------------------------------------------------------------------------------


@pytest.fixture
def chosen(books, account):
    """Setup > Accounting with the UK sandbox organisation, and purchase orders with SKU-1 … SKU-3."""
    order_create(vendor=VendorFactory(account=account), lines=((1, "1.00"), (1, "2.00"), (1, "3.00")))
    return books


@pytest.mark.parametrize("client_fixture", ["finance_client", "viewer_client"])
def test_the_page_is_for_admins_only(request, client_fixture, account):
    client = request.getfixturevalue(client_fixture)
    category = _category(account, "Apparel")

    assert client.get(PAGE).status_code == 403
    assert client.post(reverse("accounting:setup_category_create"), {"name": "Shoes"}).status_code == 403
    assert client.post(reverse("accounting:setup_category_delete", args=[category.pk])).status_code == 403
    assert list(ProductCategory.objects.values_list("name", flat=True)) == ["Apparel"]


def test_setup_accounting_links_to_the_page(admin_client_, chosen):
    html = admin_client_.get(reverse("accounting:setup_accounting")).content.decode()
    assert f'href="{PAGE}" id="setup-categories-link">Product categories</a>' in html


def test_another_accounts_category_answers_404(admin_client_, account, other_account):
    theirs = _category(other_account, "Apparel")

    renamed = admin_client_.post(reverse("accounting:setup_category_rename", args=[theirs.pk]), {"name": "Mine"})
    deleted = admin_client_.post(reverse("accounting:setup_category_delete", args=[theirs.pk]))
    missing = admin_client_.post(reverse("accounting:setup_category_delete", args=[theirs.pk + 1000]))

    assert (renamed.status_code, deleted.status_code, missing.status_code) == (404, 404, 404)
    assert ProductCategory.objects.get(pk=theirs.pk).name == "Apparel"


def test_another_accounts_category_cannot_receive_skus(admin_client_, account, other_account):
    _category(account, "Apparel")
    theirs = _category(other_account, "Apparel")

    response = admin_client_.post(reverse("accounting:setup_category_skus"), {"category": theirs.pk, "typed": "X-1"})

    assert response.status_code == 400 and not Product.objects.exists()


def test_an_admin_adds_a_category_and_a_taken_name_is_explained(admin_client_, account):
    added = admin_client_.post(reverse("accounting:setup_category_create"), {"name": "Apparel"}, follow=True)
    taken = admin_client_.post(reverse("accounting:setup_category_create"), {"name": "apparel"})

    assert "Category &#x27;Apparel&#x27; added" in added.content.decode()
    assert taken.status_code == 400
    assert "There is already a category named &#x27;Apparel&#x27;: choose another name." in taken.content.decode()


def test_the_page_offers_uncategorised_skus_and_says_which_moved(admin_client_, chosen, account):
    apparel, shoes = _category(account, "Apparel", ["SKU-1"]), _category(account, "Shoes")

    page = admin_client_.get(PAGE).content.decode()
    saved = admin_client_.post(
        reverse("accounting:setup_category_skus"),
        {"category": shoes.pk, "seen": ["SKU-2"], "typed": "SKU-1\r\nNEW-9\r\n"},
        follow=True,
    )

    assert 'value="SKU-2"' in page and 'value="SKU-3"' in page and 'value="SKU-1"' not in page  # SKU-1 has one
    html = saved.content.decode()
    assert "Added to &#x27;Shoes&#x27;: SKU-2, NEW-9." in html
    assert "Moved to &#x27;Shoes&#x27;: SKU-1 (from &#x27;Apparel&#x27;)." in html
    assert sorted(shoes.products.values_list("sku", flat=True)) == ["NEW-9", "SKU-1", "SKU-2"]
    assert not apparel.products.exists()


def test_an_admin_chooses_each_categorys_code_from_xeros_list(admin_client_, chosen, account):
    apparel, shoes = _category(account, "Apparel"), _category(account, "Shoes")

    page = admin_client_.get(PAGE).content.decode()
    saved = admin_client_.post(
        reverse("accounting:setup_category_codes"), {f"code_{apparel.pk}": "310", f"code_{shoes.pk}": ""}
    )

    assert "310 – Cost of Goods Sold" in page and 'value="461"' not in page  # archived: not offered
    assert saved.status_code == 302
    assert dict(CategoryAccountCode.objects.values_list("category__name", "account_code")) == {"Apparel": "310"}
    assert CategoryAccountCode.objects.get().xero_account == chosen.xero_account
    # and "the default" clears a saved code again
    admin_client_.post(reverse("accounting:setup_category_codes"), {f"code_{apparel.pk}": ""})
    assert not CategoryAccountCode.objects.exists()


@pytest.mark.parametrize(
    "code,explained",
    [
        ("461", "is archived in Xero, so Xero would refuse bills coded to it"),
        ("090", "is a bank account"),
        ("200", "is an income account"),
        ("999", "There is no account 999 in Onport Demo (UK)"),
    ],
)
def test_a_code_xero_would_refuse_is_not_saved_and_says_why(admin_client_, chosen, account, code, explained):
    apparel, shoes = _category(account, "Apparel"), _category(account, "Shoes")

    response = admin_client_.post(
        reverse("accounting:setup_category_codes"), {f"code_{apparel.pk}": "310", f"code_{shoes.pk}": code}
    )

    html = response.content.decode()
    assert response.status_code == 400 and explained in html and "Nothing was saved" in html
    assert f'<option value="{code}" selected>{code} – refused by Xero</option>' in html
    assert not CategoryAccountCode.objects.exists()  # not even Apparel's good one


def test_the_list_is_read_afresh_when_saving(admin_client_, chosen, account):
    apparel = _category(account, "Apparel")
    admin_client_.get(PAGE)  # the page offered 310 (now cached as active)
    chosen.sandbox.set_account_status(chosen.xero_account.tenant_id, "310", "ARCHIVED")

    response = admin_client_.post(reverse("accounting:setup_category_codes"), {f"code_{apparel.pk}": "310"})

    assert response.status_code == 400 and "is archived in Xero" in response.content.decode()
    assert not CategoryAccountCode.objects.exists()


def test_when_xero_is_unreachable_saved_codes_are_shown_read_only(admin_client_, chosen, account):
    apparel = _category(account, "Apparel")
    CategoryAccountCode.objects.create(
        account=account, xero_account=chosen.xero_account, category=apparel, account_code="310"
    )
    chosen.sandbox.faults(probabilities={"503_before": 1.0})

    page = admin_client_.get(PAGE)
    posted = admin_client_.post(reverse("accounting:setup_category_codes"), {f"code_{apparel.pk}": "630"})

    html = page.content.decode()
    assert "Xero could not be reached" in html and "<dt>Apparel</dt><dd>310</dd>" in html
    assert 'name="code_' not in html
    assert posted.status_code == 400 and "Xero could not be reached" in posted.content.decode()
    assert CategoryAccountCode.objects.get().account_code == "310"


def test_without_a_xero_account_the_page_says_where_to_choose_it(admin_client_, account):
    AccountingSettings.objects.create(account=account)
    _category(account, "Apparel")

    html = admin_client_.get(PAGE).content.decode()

    assert "Choose the Xero account in" in html and 'name="code_' not in html


def test_the_page_reads_a_fixed_number_of_queries(admin_client_, chosen, account, django_assert_max_num_queries):
    _category(account, "First", ["A-1"])
    admin_client_.get(PAGE)  # Xero's list read once (then cached)
    with CaptureQueriesContext(connection) as one:
        admin_client_.get(PAGE)
    for index in range(15):
        _category(account, f"Category {index}", [f"C{index}-1", f"C{index}-2"])

    with django_assert_max_num_queries(len(one)):
        html = admin_client_.get(PAGE).content.decode()

    assert html.count('name="code_') == 16
