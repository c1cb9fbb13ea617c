from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.policy import Capability, can, capability_required
from audit.models import AccessLog
from audit.services import log_access
from referrals import break_glass
from referrals.models import Child
from triage import break_glass_views
from triage.chronology import chronology, page_items


@capability_required(Capability.VIEW_ALL_REFERRALS)
@require_GET
def child_chronology(request: HttpRequest, child_id: int) -> HttpResponse:
    try:
        child = Child.objects.get(pk=child_id)
    except Child.DoesNotExist:
        raise Http404 from None
    if break_glass.needs_reason(request, kind=AccessLog.Kind.CHILD, record=child):
        return break_glass_views.reason_page(
            request, kind=AccessLog.Kind.CHILD, record=child, then="chronology"
        )
    log_access(request=request, kind=AccessLog.Kind.CHILD, object_id=child.pk)
    events = chronology(child)
    # Opened from a referral (``?referral=<id>``): the back link returns to it, not to the
    # queue. Only one of this child's own referrals is accepted.
    came_from = request.GET.get("referral", "")
    back_to = next(
        (
            e.referral
            for e in events
            if e.kind == "referral" and came_from.isdigit() and e.referral.pk == int(came_from)
        ),
        None,
    )
    return render(
        request,
        "triage/chronology.html",
        {
            "child": child,
            "events": page_items(events),
            "referral_count": sum(1 for e in events if e.kind == "referral"),
            "back_to": back_to,
            "can_export": can(request.user, Capability.EXPORT_CHILD_RECORD),
            # A manager may convene a discussion later, from the child's latest referral.
            "convene_for": next((e.referral for e in events if e.kind == "referral"), None)
            if can(request.user, Capability.CONVENE_STRATEGY)
            else None,
        },
    )
