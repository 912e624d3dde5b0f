from django.contrib import admin

from contacts.models import Vendor


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "kind", "currency", "payment_terms_days"]
    list_filter = ["kind", "currency"]
    search_fields = ["name", "email", "account__name"]
    list_select_related = ["account"]
    readonly_fields = ["created_at", "updated_at"]
