"""HTML for the consent screen and the identity error page (a look-alike of Xero's)."""

from __future__ import annotations

from html import escape
from string import Template

SCOPE_DESCRIPTIONS = {
    "openid": "Know who you are in Xero",
    "profile": "View your name and profile",
    "email": "View your email address",
    "offline_access": "Stay connected to your Xero data after you close the app",
    "accounting.transactions": "View and manage your business transactions",
    "accounting.transactions.read": "View your business transactions",
    "accounting.invoices": "View and manage your invoices, bills and credit notes",
    "accounting.invoices.read": "View your invoices, bills and credit notes",
    "accounting.payments": "View and manage your payments",
    "accounting.payments.read": "View your payments",
    "accounting.contacts": "View and manage your contacts",
    "accounting.contacts.read": "View your contacts",
    "accounting.settings": "View and manage your organisation settings",
    "accounting.settings.read": "View your organisation settings (chart of accounts, tax rates, currencies)",
    "accounting.attachments": "View and manage your attachments",
    "accounting.attachments.read": "View your attachments",
    "accounting.reports.read": "View your reports",
    "accounting.journals.read": "View your general ledger",
}

PAGE = Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>$title</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;background:#f4f6f8;margin:0;color:#1e3145}
header{background:#13b5ea;color:#fff;padding:14px 24px;font-weight:600;font-size:20px}
main{max-width:520px;margin:32px auto;background:#fff;border-radius:8px;padding:28px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:20px;margin:0 0 16px} ul{padding-left:20px} li{margin:4px 0}
fieldset{border:1px solid #d6dde3;border-radius:6px;margin:16px 0;padding:12px 16px}
legend{font-weight:600;padding:0 4px} label{display:block;margin:6px 0}
.actions{display:flex;gap:12px;margin-top:20px}
button{font-size:15px;padding:10px 18px;border-radius:4px;border:1px solid #13b5ea;cursor:pointer}
button.primary{background:#13b5ea;color:#fff} button.secondary{background:#fff;color:#13b5ea}
.error{background:#fdecea;border:1px solid #f5c2c0;padding:10px;border-radius:4px;margin-bottom:12px}
.note{color:#5c6b7a;font-size:13px} .sandbox{color:#fff;opacity:.8;font-size:13px;font-weight:400}
</style></head>
<body><header>xero <span class="sandbox">sandbox</span></header><main>$body</main></body></html>
""")

CONSENT = Template("""<h1>$app_name wants to access your Xero data</h1>
$error
<p>$app_name will be able to:</p>
<ul>$scopes</ul>
<form method="post" action="$action">
<input type="hidden" name="consent_request_id" value="$request_id">
<fieldset><legend>Organisations</legend>$organisations</fieldset>
$thirty_minutes
<p class="note">Signed in as $user_email. You can disconnect at any time in Xero under Connected Apps.</p>
<div class="actions">
<button type="submit" name="action" value="allow" class="primary">Allow access</button>
<button type="submit" name="action" value="cancel" class="secondary">Cancel</button>
</div></form>
""")


def describe_scope(scope: str) -> str:
    return SCOPE_DESCRIPTIONS.get(scope, f"Use {scope}")


def consent_page(*, app_name: str, scopes: list[str], organisations: list[tuple[str, str]], request_id: str,
                 action: str, user_email: str, offline: bool, error: str | None = None,
                 checked_tenants: set[str] | None = None) -> str:
    scope_items = "".join(f"<li>{escape(describe_scope(scope))}</li>" for scope in scopes if scope not in {"openid"})
    if not offline:
        scope_items += "<li>Access your data for 30 minutes (no ongoing access)</li>"
    org_boxes = "".join(
        f'<label><input type="checkbox" name="tenant" value="{escape(tenant_id)}"'
        f'{" checked" if checked_tenants is None or tenant_id in checked_tenants else ""}> {escape(name)}</label>'
        for tenant_id, name in organisations
    )
    thirty_minutes = (
        '<label><input type="checkbox" name="thirty_minutes" value="1"> Only allow access for 30 minutes</label>'
    )
    body = CONSENT.substitute(
        app_name=escape(app_name), scopes=scope_items, action=escape(action), request_id=escape(request_id),
        organisations=org_boxes, thirty_minutes=thirty_minutes, user_email=escape(user_email),
        error=f'<div class="error" role="alert">{escape(error)}</div>' if error else "",
    )
    return PAGE.substitute(title=f"Connect {escape(app_name)} to Xero", body=body)


def error_page(title: str, message: str) -> str:
    body = f'<h1>{escape(title)}</h1><div class="error" role="alert">{escape(message)}</div>'
    return PAGE.substitute(title=escape(title), body=body)
