"""Log filters for Django's own loggers."""

import logging


class ForbiddenWithoutTraceback(logging.Filter):
    """A 403 (a role that may not do something) is a warning line, not a traceback: Django logs the
    PermissionDenied with its stack, which buries real errors in the logs."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info, record.exc_text = None, None
        return True
