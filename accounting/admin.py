"""Staff (the support team) switch on adjustment sync per account; the rest is the admins' Setup > Accounting."""

from django.contrib import admin

from accounting.setup.models import AccountingSettings
from accounting.setup.services import adjustment_sync_allow


@admin.register(AccountingSettings)
class AccountingSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "account",
        "xero_account",
        "auto_sync_dropship",
        "auto_sync_replenishment",
        "adjustments_enabled_by_staff",
        "sync_adjustments",
    ]
    list_filter = ["adjustments_enabled_by_staff", "auto_sync_dropship", "auto_sync_replenishment"]
    search_fields = ["account__name"]
    list_select_related = ["account", "xero_account"]
    fields = [
        "account",
        "xero_account",
        "adjustments_enabled_by_staff",
        "sync_adjustments",
        "auto_sync_dropship",
        "auto_sync_replenishment",
        "product_account_code",
        "shipping_account_code",
        "line_amount_type",
        "bill_status",
        "due_date_from_terms",
        "updated_at",
    ]
    # Support only decides whether adjustments may sync; the customer's admins set everything else.
    readonly_fields = [name for name in fields if name != "adjustments_enabled_by_staff"]

    def has_add_permission(self, request) -> bool:
        return False  # created with the account's first visit to Setup > Accounting

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        adjustment_sync_allow(settings=obj, allowed=obj.adjustments_enabled_by_staff)
