from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounting.setup import selectors, tracking
from accounting.setup.tracking_forms import TrackingRuleForm
from contacts.selectors import vendor_list
from onport.permissions import account_required


def _categories(settings):
    """Xero's tracking categories (read now, which refreshes Onport's copy) or, when Xero is unreachable, the copy."""
    if settings.xero_account is None:
        return [], ""
    try:
        return tracking.tracking_copy_refresh(xero_account=settings.xero_account), ""
    except tracking.TrackingUnavailable as error:
        return tracking.tracking_copy(xero_account=settings.xero_account), error.message


@account_required("admin")
@require_http_methods(["GET", "POST"])
def setup_tracking(request):
    """Setup > Accounting › Tracking: which option of each Xero tracking category a bill's lines get."""
    settings = selectors.accounting_settings_read(account=request.account)
    vendors = list(vendor_list(account=request.account))
    data = request.POST if request.method == "POST" else None
    form, status = TrackingRuleForm(data, vendors=vendors), 200
    if request.method == "POST":
        if form.is_valid():
            try:
                rule = tracking.tracking_rule_save(settings=settings, data=form.to_input())
            except tracking.TrackingRuleRefused as refused:
                form.add_error(None, refused.message)
            except tracking.TrackingUnavailable as unavailable_now:
                form.add_error(None, f"{unavailable_now.message} Nothing was saved.")
            else:
                messages.success(
                    request, f"Saved: {rule.category_name} is “{rule.option_name}” for {tracking.rule_words(rule)}."
                )
                return redirect("accounting:setup_tracking")
        status = 400
    categories, unavailable = _categories(settings)
    form.offer(categories)
    rules = tracking.tracking_rules(xero_account=settings.xero_account) if settings.xero_account else []
    context = {
        "settings": settings,
        "form": form,
        "unavailable": unavailable,
        "overview": tracking.tracking_overview(categories=categories, rules=rules),
        "seen": tracking.tracking_values_seen(account=request.account),
        "active_count": sum(1 for category in categories if category.is_active),
    }
    return render(request, "accounting/setup_tracking.html", context, status=status)


@account_required("admin")
@require_POST
def setup_tracking_rule_delete(request, rule_id: int):
    tracking.tracking_rule_delete(account=request.account, rule_id=rule_id)
    messages.success(request, "Tracking rule deleted.")
    return redirect("accounting:setup_tracking")
