"""The history pages: every version of a referral, a child's record, a decision, a
strategy discussion or a challenge, for managers and auditors. Thin: the capability is
checked first, then the record is found (404), the view is written to the access log and
the page of versions rendered."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.policy import Capability, capability_required
from audit.services import log_access
from oversight import records
from oversight.versions import versions_page


def _history_page(request: HttpRequest, find, pk: int) -> HttpResponse:
    try:
        history = find(pk)
    except records.NoSuchRecord:
        raise Http404 from None
    page = versions_page(history.sources, request.GET.get("page"))
    log_access(
        request=request,
        kind=history.log_kind,
        object_id=history.log_object_id,
        detail={"view": "history", "page": page.number, **history.log_detail},
    )
    return render(request, "oversight/history.html", {"history": history, "page": page})


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def referral_history(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _history_page(request, records.referral, referral_id)


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def child_history(request: HttpRequest, child_id: int) -> HttpResponse:
    return _history_page(request, records.child, child_id)


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def decision_history(request: HttpRequest, decision_id: int) -> HttpResponse:
    return _history_page(request, records.decision, decision_id)


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def discussion_history(request: HttpRequest, discussion_id: int) -> HttpResponse:
    return _history_page(request, records.discussion, discussion_id)


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def challenge_history(request: HttpRequest, challenge_id: int) -> HttpResponse:
    return _history_page(request, records.challenge, challenge_id)
