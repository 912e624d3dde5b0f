from django.core.exceptions import ValidationError


class InvoicingError(ValidationError):
    """A request the invoicing rules refuse; the message is written for a finance person."""
