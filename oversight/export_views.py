"""Everything held about one child, downloaded by an auditor (a subject access request).
The download is itself written to the access log.

The record is read where lag-tolerant reads go (core.db: the read replica, when one is
configured, so as of a few seconds ago at worst); the access log is written to the
primary, and the row it writes is read back from there into the file."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from agencies.policy import Capability, capability_required
from audit.models import AccessLog
from audit.services import log_access
from core.db import lag_tolerant_reads
from oversight import export
from referrals.models import Child

FORMATS = {"json": "application/json", "csv": "text/csv"}


@capability_required(Capability.EXPORT_CHILD_RECORD)
@require_GET
def child_export(request: HttpRequest, child_id: int) -> HttpResponse:
    chosen = request.GET.get("format", "json")
    if chosen not in FORMATS:
        return HttpResponse(
            "format: choose json or csv", status=400, content_type="text/plain; charset=utf-8"
        )
    with lag_tolerant_reads():
        try:
            child = Child.objects.get(pk=child_id)
        except Child.DoesNotExist:
            raise Http404 from None
        referral_ids = list(child.referrals.values_list("pk", flat=True))
    logged = log_access(
        request=request,
        kind=AccessLog.Kind.CHILD_EXPORT,
        object_id=child.pk,
        detail={"format": chosen, "referrals": referral_ids},
    )
    with lag_tolerant_reads():
        record = export.child_record(child, logged=logged)
    body = export.as_json(record) if chosen == "json" else export.as_csv(record)
    response = HttpResponse(body, content_type=f"{FORMATS[chosen]}; charset=utf-8")
    # The file is named by the record's number, never the child's name.
    response["Content-Disposition"] = f'attachment; filename="child-{child.pk}.{chosen}"'
    response["Cache-Control"] = "no-store"
    return response
