from django import template

from accounting.setup.checklist import first_run_checklist

register = template.Library()


@register.inclusion_tag("accounting/first_run_checklist.html", takes_context=True)
def first_run_checklist_card(context):
    """Integrations > Xero: what is left between connecting Xero and the first bill."""
    return {"checklist": first_run_checklist(account=context["request"].account)}
