"""The page that asks why, before a closed record is opened (break the glass). Thin: the
rules are in ``triage.break_glass``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from agencies.policy import Capability, breaks_glass_for_closed_records, capability_required
from audit.models import AccessLog
from referrals.models import Child, Referral
from triage import break_glass, selectors
from triage.forms import BreakGlassForm

# Where a granted reason takes the user: the page they asked for, by name, never a URL
# taken from the request.
_THEN = {
    "referral": "triage:referral",
    "decision": "triage:decide",
    "chronology": "children:chronology",
}


def reason_page(
    request: HttpRequest, *, kind: str, record, then: str, form=None, status: int = 200
) -> HttpResponse:
    """The reason page in place of the record: nothing of the record but its reference
    (or the child's id) is shown."""
    action = (
        reverse("triage:break-glass", args=[record.pk])
        if kind == AccessLog.Kind.REFERRAL
        else reverse("children:break-glass", args=[record.pk])
    )
    return render(
        request,
        "triage/break_glass.html",
        {
            "form": form or BreakGlassForm(),
            "hide_errors": form is None,
            "action": action,
            "then": then,
            "what": break_glass.describe(kind, record),
        },
        status=status,
    )


def _grant(request, *, kind: str, record, default_then: str) -> HttpResponse:
    then = request.POST.get("then", "")
    if then not in _THEN:
        then = default_then
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        return reason_page(request, kind=kind, record=record, then=then, form=form, status=400)
    break_glass.break_glass(
        request=request, kind=kind, record=record, reason=form.cleaned_data["reason"]
    )
    return redirect(_THEN[then], record.pk)


def _require_breaks_glass(user) -> None:
    # Auditors read closed records without a reason: they have no glass to break.
    if not breaks_glass_for_closed_records(user):
        raise PermissionDenied


@capability_required(Capability.VIEW_ALL_REFERRALS)
@require_POST
def referral_reason(request: HttpRequest, referral_id: int) -> HttpResponse:
    _require_breaks_glass(request.user)
    try:
        referral = selectors.referral_for_screening(request.user, referral_id)
    except Referral.DoesNotExist:
        raise Http404 from None
    return _grant(request, kind=AccessLog.Kind.REFERRAL, record=referral, default_then="referral")


@capability_required(Capability.VIEW_ALL_REFERRALS)
@require_POST
def child_reason(request: HttpRequest, child_id: int) -> HttpResponse:
    _require_breaks_glass(request.user)
    try:
        child = Child.objects.only("pk").get(pk=child_id)
    except Child.DoesNotExist:
        raise Http404 from None
    return _grant(request, kind=AccessLog.Kind.CHILD, record=child, default_then="chronology")
