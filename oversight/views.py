"""The history pages: every version of a referral, a child's record, a decision, a
strategy discussion or a challenge, for managers and auditors. Thin: the capability is
checked first, then the record is found (404), then break the glass: a closed record
asks a manager for the reason first, as the record's own page does (the referral's for a
referral or a decision, the chronology's for a child, the discussion's, the
challenge's), on the reason pages of ``triage.break_glass_views``, which bring them back
here. Auditors read without one. Only then is the view written to the access log and
the page of versions rendered."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from agencies.policy import Capability, capability_required
from audit.models import AccessLog
from audit.services import log_access
from oversight import records
from oversight.versions import versions_page
from referrals import break_glass
from referrals.models import Child, Referral
from triage import break_glass_views
from triage.models import Challenge, Decision, StrategyDiscussion

# Asked once the record is found: the reason page to show in its place, or None.
Ask = Callable[[HttpRequest, records.Found], HttpResponse | None]


def _history_page(request: HttpRequest, model, pk: int, ask: Ask, build) -> HttpResponse:
    try:
        found = records.find(model, pk)
    except records.NoSuchRecord:
        raise Http404 from None
    if break_glass.applies_to(request.user):
        if not found.live:
            # Removed since: nothing can be in hand about it, and it has no page of its
            # own to give a reason on. The auditors read it.
            raise PermissionDenied
        asked = ask(request, found)
        if asked is not None:
            return asked
    history = build(found)
    page = versions_page(history.sources, request.GET.get("page"))
    log_access(
        request=request,
        kind=history.log_kind,
        object_id=history.log_object_id,
        detail={"view": "history", "page": page.number, **history.log_detail},
    )
    return render(request, "oversight/history.html", {"history": history, "page": page})


def _ask_for_referral(request, referral: Referral, *, then: str) -> HttpResponse | None:
    kind = AccessLog.Kind.REFERRAL
    if break_glass.needs_reason(request, kind=kind, record=referral):
        return break_glass_views.reason_page(request, kind=kind, record=referral, then=then)
    return None


def _ask_referral(request, found) -> HttpResponse | None:
    return _ask_for_referral(request, found.record, then="history")


def _ask_decision(request, found) -> HttpResponse | None:
    # A decision is part of its referral's record: the referral's rule, and its reason.
    return _ask_for_referral(request, found.record.referral, then="decision-history")


def _ask_child(request, found) -> HttpResponse | None:
    kind = AccessLog.Kind.CHILD
    if break_glass.needs_reason(request, kind=kind, record=found.record):
        return break_glass_views.reason_page(
            request, kind=kind, record=found.record, then="history"
        )
    return None


def _ask_discussion(request, found) -> HttpResponse | None:
    if break_glass_views.discussion_asks(request, found.record):
        return break_glass_views.discussion_reason_page(request, found.record, then="history")
    return None


def _ask_challenge(request, found) -> HttpResponse | None:
    if break_glass_views.challenge_asks(request, found.record):
        return break_glass_views.challenge_reason_page(request, found.record, then="history")
    return None


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def referral_history(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _history_page(request, Referral, referral_id, _ask_referral, records.referral)


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def child_history(request: HttpRequest, child_id: int) -> HttpResponse:
    return _history_page(request, Child, child_id, _ask_child, records.child)


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def decision_history(request: HttpRequest, decision_id: int) -> HttpResponse:
    return _history_page(request, Decision, decision_id, _ask_decision, records.decision)


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def discussion_history(request: HttpRequest, discussion_id: int) -> HttpResponse:
    return _history_page(
        request, StrategyDiscussion, discussion_id, _ask_discussion, records.discussion
    )


@capability_required(Capability.VIEW_HISTORY)
@require_GET
def challenge_history(request: HttpRequest, challenge_id: int) -> HttpResponse:
    return _history_page(request, Challenge, challenge_id, _ask_challenge, records.challenge)
