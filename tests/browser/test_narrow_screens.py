"""At 390 px (a phone), the pages people use every day fit the screen: nothing scrolls sideways but a table's
own scroll box."""

import pytest

from tests.factories import MembershipFactory, VendorFactory, invoice_create, order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    if (el.closest('.table-wrap')) return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.right > width + 1;
  }).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8)};
}"""


def test_daily_pages_do_not_scroll_sideways_at_390_px(browser, live_server, settings, login, books, account):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    vendor = VendorFactory(account=account, name="Acme Packaging International Supplies")
    books.link(vendor, "Acme Packaging Ltd")
    invoice = invoice_create(order=order_create(vendor=vendor, lines=[(2, "12.50")]))
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844}, locale="en-GB")
    page = context.new_page()
    login(page, MembershipFactory(account=account, role="admin").user.email)
    pages = [
        "/contacts/payments/",
        invoice.get_absolute_url(),
        "/accounting/sync-log/",
        "/setup/accounting/",
        books.xero_account.get_absolute_url(),
        "/orders/",
        "/contacts/",
        f"/contacts/{vendor.pk}/settings/tax/",
    ]
    found = {}
    for path in pages:
        page.goto(path)
        measured = page.evaluate(OVERFLOW)
        if measured["scroll"] > measured["width"]:
            found[path] = measured
    context.close()
    assert found == {}
