"""The page that asks why, before a closed record is opened (break the glass). Thin: the
rules are in ``referrals.break_glass``; which discussions and challenges are closed, in
``triage.selectors``.

A reason is given for a referral (or a child's record) and holds for it in the session:
a strategy discussion or a challenge is opened with a reason for its referral, so one
reason covers the referral and everything that hangs from it for the grant's minutes.
The history pages (``oversight.views``) ask here too, and a reason given there brings
the manager back to the history they asked for.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from agencies.policy import Capability, capability_required
from audit.models import AccessLog
from core.numbers import whole_number
from referrals import break_glass
from referrals.models import Child, Referral
from triage import chronology_links, selectors
from triage.forms import BreakGlassForm

# Where a granted reason takes the user: the page they asked for, by name, never a URL
# taken from the request. Each reason page offers its own: a value it does not know
# falls back to the record's own page.
_REFERRAL_THEN = {
    "referral": "triage:referral",
    "decision": "triage:decide",
    "history": "history:referral",
    # Convening a strategy discussion about it.
    "convene": "strategy:convene",
    # The history of the referral's decision: reached by the decision's id.
    "decision-history": "history:decision",
}
_CHILD_THEN = {"chronology": "children:chronology", "history": "history:child"}
_DISCUSSION_THEN = {
    "discussion": "strategy:detail",
    "print": "strategy:print",
    "attendees": "strategy:attendees",
    "history": "history:discussion",
}
_CHALLENGE_THEN = {"challenge": "challenges:detail", "history": "history:challenge"}
_HISTORIES = {"history", "decision-history"}


def _of_history(then: str, what: str) -> str:
    return f"the history of {what}" if then in _HISTORIES else what


def _page(
    request,
    *,
    action: str,
    what: str,
    then: str,
    form=None,
    status: int = 200,
    carry: dict | None = None,
) -> HttpResponse:
    """The reason page in place of the record: nothing of the record but its reference
    (or the child's id) is shown. ``carry``: what it sends on to the record's page; its
    back link goes where the record's page would have gone back to (``next``), if anywhere
    but the queue."""
    carry = carry or {}
    back = chronology_links.back_to(request, carry.get("next")) or (
        reverse("triage:queue"),
        "Back to the queue",
    )
    return render(
        request,
        "triage/break_glass.html",
        {
            "form": form or BreakGlassForm(),
            "hide_errors": form is None,
            "action": action,
            "then": then,
            "what": what,
            "carry": sorted(carry.items()),
            "back_url": back[0],
            "back_text": back[1],
        },
        status=status,
    )


def chronology_carry(request: HttpRequest, child, source) -> dict[str, str]:
    """What a child's chronology was opened with (``source``: the GET of the chronology,
    or the POST of its reason page) that the chronology would take: ``referral``, one of
    the child's own referrals, and ``next``, a page its back link names. Nothing else."""
    carry = {}
    referral_id = whole_number(source.get("referral", ""))
    if (
        referral_id is not None
        and Referral.objects.filter(pk=referral_id, child_id=child.pk).exists()
    ):
        carry["referral"] = str(referral_id)
    target = chronology_links.accepted_next(request, source.get("next"))
    if target:
        carry["next"] = target
    return carry


def _record_what(kind: str, record, then: str) -> str:
    if then == "decision-history":
        return f"the history of the decision on {break_glass.describe(kind, record)}"
    return _of_history(then, break_glass.describe(kind, record))


def reason_page(
    request: HttpRequest,
    *,
    kind: str,
    record,
    then: str,
    form=None,
    status: int = 200,
    carry: dict | None = None,
) -> HttpResponse:
    """The reason page for a referral or a child's record (``then``: one of the choices
    of the referral's or the child's; ``carry``: what the page it leads to is opened
    with, each value one that page accepts)."""
    action = (
        reverse("triage:break-glass", args=[record.pk])
        if kind == AccessLog.Kind.REFERRAL
        else reverse("children:break-glass", args=[record.pk])
    )
    return _page(
        request,
        action=action,
        what=_record_what(kind, record, then),
        then=then,
        form=form,
        status=status,
        carry=carry,
    )


def _discussion_what(discussion, then: str) -> str:
    return _of_history(
        then, f"a strategy discussion about referral {discussion.referral.reference}"
    )


def _challenge_what(challenge, then: str) -> str:
    return _of_history(then, f"a challenge about referral {challenge.referral.reference}")


def discussion_reason_page(
    request: HttpRequest, discussion, *, then: str, status: int = 200
) -> HttpResponse:
    """``status`` 403 for a change posted without the reason: nothing is changed."""
    return _page(
        request,
        action=reverse("strategy:break-glass", args=[discussion.pk]),
        what=_discussion_what(discussion, then),
        then=then,
        status=status,
    )


def challenge_reason_page(
    request: HttpRequest, challenge, *, then: str = "challenge"
) -> HttpResponse:
    return _page(
        request,
        action=reverse("challenges:break-glass", args=[challenge.pk]),
        what=_challenge_what(challenge, then),
        then=then,
    )


def discussion_asks(request, discussion) -> bool:
    """Whether a strategy discussion's pages ask for a reason first."""
    return break_glass.asks(
        request,
        kind=AccessLog.Kind.REFERRAL,
        object_id=discussion.referral_id,
        closed=lambda: selectors.discussion_is_closed(discussion, now=timezone.now()),
    )


def challenge_asks(request, challenge) -> bool:
    """Whether a challenge's page asks for a reason first."""
    return break_glass.asks(
        request,
        kind=AccessLog.Kind.REFERRAL,
        object_id=challenge.referral_id,
        closed=lambda: selectors.challenge_is_closed(challenge, now=timezone.now()),
    )


def _then(request, choices: dict[str, str], default: str) -> str:
    then = request.POST.get("then", "")
    return then if then in choices else default


def _grant(request, *, kind: str, record, form, detail: dict | None = None) -> None:
    break_glass.break_glass(
        request=request,
        kind=kind,
        record=record,
        reason=form.cleaned_data["reason"],
        detail=detail,
    )
    break_glass.hold(request, kind=kind, object_id=record.pk)


def _grant_record(
    request, *, kind: str, record, choices: dict[str, str], default_then: str
) -> HttpResponse:
    then = _then(request, choices, default_then)
    target, detail = record.pk, {}
    if then == "decision-history":
        decision = getattr(record, "decision", None)
        if decision is None:  # nothing decided: nothing to return to but the referral
            then = default_then
        else:
            target, detail = decision.pk, {"decision": decision.pk}
    if then in _HISTORIES:
        detail["view"] = "history"
    # The chronology keeps the referral it was opened from and the page it goes back to.
    carry = chronology_carry(request, record, request.POST) if then == "chronology" else {}
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        return reason_page(
            request, kind=kind, record=record, then=then, form=form, status=400, carry=carry
        )
    _grant(request, kind=kind, record=record, form=form, detail=detail)
    response = redirect(choices[then], target)
    if carry:
        response["Location"] += "?" + urlencode(carry)
    return response


def _require_breaks_glass(user) -> None:
    # Auditors read closed records without a reason: they have no glass to break.
    if not break_glass.applies_to(user):
        raise PermissionDenied


@capability_required(Capability.VIEW_ALL_REFERRALS)
@require_POST
def referral_reason(request: HttpRequest, referral_id: int) -> HttpResponse:
    _require_breaks_glass(request.user)
    try:
        referral = selectors.referral_for_screening(request.user, referral_id)
    except Referral.DoesNotExist:
        raise Http404 from None
    return _grant_record(
        request,
        kind=AccessLog.Kind.REFERRAL,
        record=referral,
        choices=_REFERRAL_THEN,
        default_then="referral",
    )


@capability_required(Capability.VIEW_ALL_REFERRALS)
@require_POST
def child_reason(request: HttpRequest, child_id: int) -> HttpResponse:
    _require_breaks_glass(request.user)
    try:
        child = Child.objects.only("pk").get(pk=child_id)
    except Child.DoesNotExist:
        raise Http404 from None
    return _grant_record(
        request,
        kind=AccessLog.Kind.CHILD,
        record=child,
        choices=_CHILD_THEN,
        default_then="chronology",
    )


def grant_for_referral_of(request, item, *, kind: str) -> HttpResponse:
    """The POST of the reason page for a strategy discussion (``kind`` "discussion") or a
    challenge ("challenge"), once its view has decided access: the reason is for the
    referral it is about (logged against the referral, naming the item in the log's
    detail; held for the referral), then on to the item's page."""
    _require_breaks_glass(request.user)
    if kind == "discussion":
        choices, default, named = _DISCUSSION_THEN, "discussion", "strategy_discussion"
        action, describe = reverse("strategy:break-glass", args=[item.pk]), _discussion_what
    else:
        choices, default, named = _CHALLENGE_THEN, "challenge", "challenge"
        action, describe = reverse("challenges:break-glass", args=[item.pk]), _challenge_what
    then = _then(request, choices, default)
    form = BreakGlassForm(request.POST)
    if not form.is_valid():
        what = describe(item, then)
        return _page(request, action=action, what=what, then=then, form=form, status=400)
    detail = {named: item.pk, **({"view": "history"} if then in _HISTORIES else {})}
    _grant(request, kind=AccessLog.Kind.REFERRAL, record=item.referral, form=form, detail=detail)
    return redirect(choices[then], item.pk)
