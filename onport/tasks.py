import logging
import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import BadHeaderError, send_mail

logger = logging.getLogger(__name__)
MAIL_MAX_RETRIES = 8  # about 4 hours of a mail server outage: 1, 2, 4 … 64 minutes apart


@shared_task(bind=True, acks_late=True, max_retries=MAIL_MAX_RETRIES)
def mail_send_task(self, *, subject: str, message: str, recipients: list[str], what: str) -> None:
    try:
        send_mail(subject=subject, message=message, from_email=settings.DEFAULT_FROM_EMAIL, recipient_list=recipients)
    except BadHeaderError:
        logger.error("email refused for its headers, not sent", extra={"mail": what})
    except (smtplib.SMTPException, OSError) as problem:
        if self.request.retries >= self.max_retries:
            logger.error("email not sent after %s tries", self.request.retries + 1, extra={"mail": what})
            return
        logger.warning("email not sent, tried again later: %s", type(problem).__name__, extra={"mail": what})
        raise self.retry(countdown=60 * 2**self.request.retries, exc=problem)


@shared_task
def submit_tokens_prune_task() -> int:
    from onport.submits import submit_tokens_prune

    return submit_tokens_prune()
