"""The endpoint Xero's webhook posts to: signed right → kept and answered 200 with an empty body at once (the
reading back happens in the background); signed wrong → 401. No login: the signature is the credential."""

import logging

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from accounting.reconcile.webhooks import webhook_events_receive
from integrations.xero.webhooks import MAX_BODY_BYTES, SIGNATURE_HEADER, BadPayload, events_of, signature_valid

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def xero_webhook(request):
    length = request.headers.get("Content-Length") or "0"
    if not length.isdigit() or int(length) > MAX_BODY_BYTES:
        return HttpResponse(status=413 if length.isdigit() else 400)
    body = request.body
    if not signature_valid(body, request.headers.get(SIGNATURE_HEADER, ""), settings.XERO_WEBHOOK_KEY):
        return HttpResponse(status=401)
    try:
        events = events_of(body)
    except BadPayload as error:
        logger.warning("Xero webhook payload not understood: %s", error)
        return HttpResponse(status=200)  # signed by Xero: a 4xx would only have it sent again for 24 h
    webhook_events_receive(events=events)
    return HttpResponse(status=200)
