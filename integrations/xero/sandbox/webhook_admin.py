"""/_sandbox/webhooks… : the app's webhook as set in Xero's developer portal, and test actions on it (admin.py lists them)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from werkzeug.wrappers import Request, Response

from .admin import AdminError, body_of
from .formats import to_debug
from .runtime import Sandbox, json_response
from .webhooks import payload as webhook_payload


def webhooks(sandbox: Sandbox, request: Request) -> Response:
    if request.method == "GET":
        return json_response(to_debug(sandbox.webhooks.snapshot(int(request.args.get("since", 0)))))
    body = body_of(request)
    try:
        subscription = sandbox.webhooks.subscribe(client_id=body.get("client_id") or sandbox.config.clients[0].client_id,
                                                  url=str(body.get("url", "")), key=str(body.get("key", "")),
                                                  categories=body.get("categories"))
    except ValueError as error:
        raise AdminError(str(error)) from None
    return json_response(subscription.public())


def _subscription(sandbox: Sandbox, body: dict[str, Any]):
    client_id = body.get("client_id") or sandbox.config.clients[0].client_id
    subscription = sandbox.webhooks.subscriptions.get(client_id)
    if subscription is None:
        raise AdminError(f"no webhook for {client_id}", 404)
    return subscription


def webhook_action(sandbox: Sandbox, request: Request, action: str) -> Response:
    hub, body = sandbox.webhooks, body_of(request)
    if action == "remove":
        return json_response({"removed": hub.unsubscribe(body.get("client_id") or sandbox.config.clients[0].client_id)})
    if action == "idle":
        return json_response({"idle": hub.idle(float(body.get("timeout", 10)))})
    subscription = _subscription(sandbox, body)
    if action == "intent":
        return json_response(hub.intent(subscription.client_id).public())
    if action == "forge":
        last = next((d for d in reversed(hub.deliveries) if d.kind == "events" and d.events), None)
        events = body.get("events") or (json.loads(last.body)["events"] if last else [])
        forged = webhook_payload(events, first=1, last=max(len(events), 1))
        return json_response(to_debug(asdict(hub.post(subscription, forged, kind="forged", key="forged-key",
                                                      expected=401, events=len(events)))))
    earlier = hub.delivery(int(body.get("delivery", 0)))
    if earlier is None:
        raise AdminError("no such delivery", 404)
    replay = hub.post(subscription, earlier.body.encode(), kind="replay", key=subscription.key, events=earlier.events)
    return json_response(to_debug(asdict(replay)))
