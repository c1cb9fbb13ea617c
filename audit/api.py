"""The access log as the API's list views write it."""

from __future__ import annotations

from audit.models import AccessLog
from audit.services import log_list


class AccessLoggedList:
    """A DRF list view that writes one access-log row per page it returns, naming by id
    what the page showed. Set ``access_kind`` and, when the rows are not referrals,
    override ``access_ids``."""

    access_kind: AccessLog.Kind = AccessLog.Kind.REFERRAL_LIST

    def access_ids(self, objects) -> dict[str, list[int]]:
        return {"referrals": [o.pk for o in objects]}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._shown = list(page) if page is not None else None
        return page

    def list(self, request, *args, **kwargs):
        self._shown = None
        response = super().list(request, *args, **kwargs)
        shown = self._shown if self._shown is not None else list(self.get_queryset())
        log_list(request=request, kind=self.access_kind, ids=self.access_ids(shown))
        return response
