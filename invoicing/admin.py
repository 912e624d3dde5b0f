"""Staff views of orders and invoices: for support, read-mostly. Changes go through the app's services."""

from django.contrib import admin

from invoicing.models import (
    InvoiceAdjustment,
    InvoiceEvent,
    PurchaseInvoice,
    PurchaseInvoiceLine,
    PurchaseOrder,
    PurchaseOrderLine,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fields = ["sku", "product_name", "quantity", "unit_cost", "tax_rate"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["number", "account", "vendor", "kind", "ordered_on"]
    list_filter = ["kind"]
    search_fields = ["number", "sales_order_reference", "vendor__name", "account__name"]
    list_select_related = ["account", "vendor"]
    inlines = [PurchaseOrderLineInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PurchaseInvoiceLineInline(ReadOnlyInline):
    model = PurchaseInvoiceLine
    fields = [
        "kind",
        "sku",
        "description",
        "quantity",
        "unit_cost",
        "tax_rate",
        "net_amount",
        "tax_amount",
        "gross_amount",
    ]


class InvoiceAdjustmentInline(ReadOnlyInline):
    model = InvoiceAdjustment
    fields = ["kind", "amount", "reason", "created_by", "created_at"]
    readonly_fields = ["created_at"]


class InvoiceEventInline(ReadOnlyInline):
    model = InvoiceEvent
    fields = ["created_at", "actor", "action", "message"]
    readonly_fields = ["created_at"]


@admin.register(PurchaseInvoice)
class PurchaseInvoiceAdmin(admin.ModelAdmin):
    list_display = ["number", "account", "vendor", "kind", "status", "issue_date", "total", "currency"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "vendor__name", "order__number", "account__name"]
    list_select_related = ["account", "vendor"]
    inlines = [PurchaseInvoiceLineInline, InvoiceAdjustmentInline, InvoiceEventInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
