"""Forms that create money or Xero documents do it once per submit.

Each such form carries a one-time token (`SubmitOnceField`). The service claims it inside its own transaction: a
second submit of the same form waits on the first's unique index entry and, once the first commits, is told
where the result is (`AlreadySubmitted`); if the first failed and rolled back, the second simply does the work.
"""

import datetime
import secrets

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone

from onport.errors import ApplicationError
from onport.models import Account, SubmitToken

TOKEN_LENGTH = 64
KEPT_FOR = datetime.timedelta(days=7)  # a page left open longer than this is submitted as new


class AlreadySubmitted(ApplicationError):
    def __init__(self, result_url: str):
        super().__init__("This was already submitted, so nothing was done twice.")
        self.result_url = result_url


def submit_token_new() -> str:
    return secrets.token_urlsafe(32)


def submit_claim(*, account: Account, token: str) -> SubmitToken | None:
    """Claim the form's token in the caller's transaction; AlreadySubmitted when its work was done before.
    Without a token (a client that sends none) there is nothing to claim."""
    token = (token or "")[:TOKEN_LENGTH]
    if not token:
        return None
    try:
        with transaction.atomic():
            return SubmitToken.objects.create(account=account, token=token)
    except IntegrityError:
        first = SubmitToken.objects.filter(account=account, token=token).values_list("result_url", flat=True).first()
        raise AlreadySubmitted(first or "") from None


def submit_done(claim: SubmitToken | None, *, result) -> None:
    if claim is not None:
        claim.result_url = result.get_absolute_url()
        claim.save(update_fields=["result_url"])


def submit_tokens_prune() -> int:
    deleted, _ = SubmitToken.objects.filter(created_at__lt=timezone.now() - KEPT_FOR).delete()
    return deleted


def already_submitted(request, done: AlreadySubmitted, *, fallback: str):
    """The view's answer to a second submit: where the first one's result is, said plainly."""
    messages.info(request, done.message)
    return redirect(done.result_url or fallback)
