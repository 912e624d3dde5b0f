from django import template

from accounting.sync.views import panel_context

register = template.Library()


@register.inclusion_tag("accounting/sync/panel.html", takes_context=True)
def invoice_sync_panel(context, invoice):
    """The invoice page's sync panel: state, View in Xero, what went wrong, history."""
    return {"invoice": invoice, "request": context.get("request"), **panel_context(invoice)}


@register.filter
def bill_of(bills: dict, invoice_id: int):
    """The invoice's bill row from a list page's `bills` (selectors.bill_states), or None."""
    return bills.get(invoice_id)
