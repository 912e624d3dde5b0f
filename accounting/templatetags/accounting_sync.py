from django import template

from accounting.sync import fixes
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


@register.inclusion_tag("accounting/sync/fix.html", takes_context=True)
def sync_fix(context, sync, compact: bool = False):
    """What went wrong with a document, from the catalogue of Xero's refusals when it knows it: what happened,
    what to do and the link to where (for this reader's role), what happens after. Else the words as they came."""
    request = context.get("request")
    readers = context.render_context
    if "sync_fix_reader" not in readers:
        readers["sync_fix_reader"] = fixes.Reader.load(account=request.account, membership=request.membership)
    reader = readers["sync_fix_reader"]
    return {
        "sync": sync,
        "fix": fixes.fix_for(sync, reader=reader),
        "compact": compact,
        "can_finance": reader.can_finance,
        "csrf_token": context.get("csrf_token"),
    }
