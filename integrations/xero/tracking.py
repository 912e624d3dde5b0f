"""The organisation's tracking categories (Xero's "Region", "Sales channel"…) and their options.

Read with the archived ones, so a saved choice that Xero has archived since can be named and flagged before a
bill is refused for it.
"""

from dataclasses import dataclass

from integrations.xero.client import XeroClient
from integrations.xero.sdk import request_timeout
from integrations.xero.values import text

ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class TrackingOption:
    option_id: str
    name: str
    status: str  # ACTIVE | ARCHIVED

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE


@dataclass(frozen=True)
class TrackingCategory:
    category_id: str
    name: str
    status: str  # ACTIVE | ARCHIVED
    options: tuple[TrackingOption, ...]

    @property
    def is_active(self) -> bool:
        return self.status == ACTIVE

    def option(self, option_id: str) -> TrackingOption | None:
        return next((option for option in self.options if option.option_id == option_id.lower()), None)


def tracking_categories(client: XeroClient) -> list[TrackingCategory]:
    """Every tracking category of the organisation, archived ones included, with all their options."""
    tenant_id = client.xero_account.tenant_id
    result = client.call(
        lambda: client.accounting.get_tracking_categories(
            tenant_id, include_archived=True, _request_timeout=request_timeout()
        ),
        tenant_id=tenant_id,
    )
    return [
        TrackingCategory(
            category_id=str(row.tracking_category_id or "").lower(),
            name=text(row.name),
            status=text(row.status) or ACTIVE,
            options=tuple(
                TrackingOption(
                    option_id=str(option.tracking_option_id or "").lower(),
                    name=text(option.name),
                    status=text(option.status) or ACTIVE,
                )
                for option in row.options or []
            ),
        )
        for row in result.tracking_categories or []
    ]
