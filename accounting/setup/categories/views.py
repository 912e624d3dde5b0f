"""Setup > Accounting › Product categories (admins only): one page, a form per task posting to its own URL; a
refused post shows the page again with the reason beside what was refused."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounting.setup.categories import selectors, services
from accounting.setup.categories.forms import CategoryCodesForm, CategoryNameForm, SkusForm
from accounting.setup.selectors import accounting_settings_read
from integrations.xero_lists import xero_lists_for_page
from onport.permissions import account_required

PAGE = "accounting:setup_categories"


def _codes_form(request, settings, categories, *, data=None, reload=False) -> tuple[CategoryCodesForm, str]:
    """The codes form with Xero's live list (cached a few minutes), or without it when Xero is unreachable."""
    lists, unavailable = xero_lists_for_page(xero_account=settings.xero_account, fresh=reload)
    codes = {category.pk: category.account_code for category in categories if category.account_code}
    return CategoryCodesForm(data, categories=categories, codes=codes, lists=lists), unavailable


def _page(request, *, status=200, codes_form=None, unavailable="", **forms):
    settings = accounting_settings_read(account=request.account)
    categories = selectors.product_categories_list(account=request.account, xero_account=settings.xero_account)
    if codes_form is None:
        codes_form, unavailable = _codes_form(request, settings, categories, reload=bool(request.GET.get("reload")))
    seen = selectors.skus_uncategorised(account=request.account)
    context = {
        "settings": settings,
        "categories": categories,
        "create_form": forms.get("create_form") or CategoryNameForm(),
        "rename_form": forms.get("rename_form"),
        "renaming": forms.get("renaming"),
        "skus_form": forms.get("skus_form") or SkusForm(categories=categories, seen=seen),
        "skus_offered_max": selectors.SKUS_OFFERED,
        "codes_form": codes_form,
        "unavailable": unavailable,
    }
    return render(request, "accounting/setup_categories.html", context, status=status)


@account_required("admin")
@require_GET
def setup_categories(request):
    """Product categories, the SKUs in each, and the account code each category's bill lines get."""
    return _page(request)


@account_required("admin")
@require_POST
def setup_category_create(request):
    form = CategoryNameForm(request.POST)
    if form.is_valid():
        try:
            category = services.product_category_create(account=request.account, name=form.cleaned_data["name"])
        except services.CategoryRefused as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(request, f"Category '{category.name}' added: put SKUs in it below.")
            return redirect(PAGE)
    return _page(request, status=400, create_form=form)


@account_required("admin")
@require_POST
def setup_category_rename(request, category_id: int):
    category = selectors.product_category_get(account=request.account, category_id=category_id)
    old = category.name
    form = CategoryNameForm(request.POST)
    if form.is_valid():
        try:
            services.product_category_rename(category=category, name=form.cleaned_data["name"])
        except services.CategoryRefused as refused:
            form.add_error("name", refused.message)
        else:
            messages.success(request, f"Category '{old}' is now '{category.name}'.")
            return redirect(PAGE)
    return _page(request, status=400, rename_form=form, renaming=category_id)


@account_required("admin")
@require_POST
def setup_category_delete(request, category_id: int):
    category = selectors.product_category_get(account=request.account, category_id=category_id)
    count = services.product_category_delete(category=category)
    messages.success(
        request,
        f"Category '{category.name}' deleted. Its {count} SKU{'s' if count != 1 else ''} now "
        f"{'have' if count != 1 else 'has'} no category: {'their' if count != 1 else 'its'} lines get the default code.",
    )
    return redirect(PAGE)


@account_required("admin")
@require_POST
def setup_category_skus(request):
    categories = selectors.product_categories_list(account=request.account)
    seen = selectors.skus_uncategorised(account=request.account)
    form = SkusForm(request.POST, categories=categories, seen=seen)
    if form.is_valid():
        category = form.chosen_category()
        try:
            assigned = services.products_assign(account=request.account, category=category, skus=form.skus())
        except services.CategoryRefused as refused:
            form.add_error(None, refused.message)
        else:
            messages.success(request, _assigned_words(category.name if category else "", assigned))
            return redirect(PAGE)
    return _page(request, status=400, skus_form=form)


def _assigned_words(category: str, assigned: services.SkusAssigned) -> str:
    if not category:
        taken = ", ".join(f"{sku} (from '{old}')" for sku, old in assigned.moved.items())
        return f"Taken out of their category: {taken}." if taken else "None of these SKUs was in a category."
    words = []
    if assigned.added:
        words.append(f"Added to '{category}': {', '.join(assigned.added)}.")
    if assigned.moved:
        moved = ", ".join(f"{sku} (from '{old}')" for sku, old in assigned.moved.items())
        words.append(f"Moved to '{category}': {moved}.")
    if assigned.already:
        words.append(f"Already in '{category}': {', '.join(assigned.already)}.")
    return " ".join(words)


@account_required("admin")
@require_POST
def setup_category_codes(request):
    settings = accounting_settings_read(account=request.account)
    categories = selectors.product_categories_list(account=request.account, xero_account=settings.xero_account)
    form, unavailable = _codes_form(request, settings, categories, data=request.POST)
    if form.lists is None:
        form.add_error(None, unavailable or "Choose the Xero account in Setup > Accounting first: codes come from it.")
    elif form.is_valid():
        try:
            requeued = services.category_codes_update(settings=settings, codes=form.to_codes())
        except services.CategoryCodesRefused as refused:
            form.add_refusal(refused)
        else:
            again = f" {requeued} waiting bill{'s' if requeued != 1 else ''} go to Xero again." if requeued else ""
            messages.success(request, f"Account codes of product categories saved.{again}")
            return redirect(PAGE)
    return _page(request, status=400, codes_form=form, unavailable=unavailable)
