"""The queue, the screening page and the decision screen. Thin: parse, call one service
or selector, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.policy import Capability, can, capability_required, require
from audit.models import AccessLog
from audit.services import log_access, log_list
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals import break_glass
from referrals.models import Child, Outcome, Referral, Status
from referrals.selectors import coaching_explanations
from triage import break_glass_views, footprint, forms, queue_markup, selectors
from triage.models import Decision, ThresholdLevel
from triage.requests_views import information_requests_context
from triage.services import decisions, screening
from triage.services.information import requests_for_referral

QUEUE_PAGE_SIZE = 50


@capability_required(Capability.VIEW_QUEUE)
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    queryset = selectors.queue_for(request.user)
    filters = forms.QueueFilter(request.GET or None, queryset=queryset, request=request, now=now)
    page = Paginator(filters.qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    # Whether any filter narrows the queue: the form's changed_data cannot say, as an
    # unticked checkbox reads as changed from its empty initial value.
    is_filtered = filters.form.is_valid() and any(
        value not in (None, "", False) for value in filters.form.cleaned_data.values()
    )
    shown = selectors.queue_rows(selectors.page_referrals(page))
    log_list(
        request=request, kind=AccessLog.Kind.REFERRAL_LIST, ids={"referrals": [r.pk for r in shown]}
    )
    rows = [
        {
            "referral": referral,
            "flags": selectors.repeat_flags(referral),
            "unallocated_too_long": selectors.is_unallocated_too_long(
                referral, now=now, minutes=settings.UNALLOCATED_FLAG_MINUTES
            ),
        }
        for referral in shown
    ]
    query = request.GET.copy()
    query.pop("page", None)
    writer = queue_markup.RowWriter(now=now, unallocated_minutes=settings.UNALLOCATED_FLAG_MINUTES)
    return render(
        request,
        "triage/queue.html",
        {
            "filters": filters,
            "page": page,
            "rows": rows,
            "rows_html": writer.rows(rows),
            "now": now,
            "query": query.urlencode(),
            "is_filtered": is_filtered,
            "unallocated_minutes": settings.UNALLOCATED_FLAG_MINUTES,
        },
    )


def _referral_or_404(request, referral_id: int) -> Referral:
    try:
        return selectors.referral_for_screening(request.user, referral_id)
    except Referral.DoesNotExist:
        raise Http404 from None


def _render_referral(request, referral_id: int, *, status: int = 200, **bound) -> HttpResponse:
    """The screening page, for its GET and for the re-render of an action's invalid form:
    both need the page's own capability, so an error page never shows more than the GET
    would to the same user."""
    from referrals import matching

    require(request.user, Capability.VIEW_ALL_REFERRALS)
    referral = _referral_or_404(request, referral_id)
    if break_glass.needs_reason(request, kind=AccessLog.Kind.REFERRAL, record=referral):
        return break_glass_views.reason_page(
            request, kind=AccessLog.Kind.REFERRAL, record=referral, then="referral"
        )
    user = request.user
    is_open = referral.status != Status.DECIDED
    matches = (
        matching.matches_for_referral(referral)
        if is_open and referral.child_id is None and can(user, Capability.SCREEN)
        else []
    )
    # The page offers the children the matching found: the log names them by id.
    log_access(
        request=request,
        kind=AccessLog.Kind.REFERRAL,
        object_id=referral.pk,
        detail={"children": [m.child.pk for m in matches]} if matches else None,
    )
    decision = getattr(referral, "decision", None)
    quality = getattr(referral, "quality", None)
    # The one form an action re-renders with its errors, summarised at the top.
    error_form = next(iter(bound.values()), None)
    context = {
        "referral": referral,
        "flags": selectors.repeat_flags(referral),
        "earlier": selectors.child_referrals_in_window(referral),
        "matches": matches,
        "decision": decision,
        "amendments": decision.amendments.select_related("amended_by", "threshold_level")
        if decision
        else [],
        "is_open": is_open,
        "now": timezone.now(),
        "can_screen": is_open and can(user, Capability.SCREEN),
        "can_allocate": is_open and can(user, Capability.ALLOCATE),
        "can_decide": is_open and can(user, Capability.DECIDE),
        "can_amend": decision is not None and can(user, Capability.DECIDE),
        "can_convene": can(user, Capability.CONVENE_STRATEGY),
        "discussions": referral.strategy_discussions.order_by("-held_at")
        if can(user, Capability.VIEW_STRATEGY_DISCUSSIONS)
        else [],
        "allocate_form": bound.get("allocate_form")
        or forms.AllocateForm(initial={"assigned_to": referral.assigned_to_id}),
        "note_form": bound.get("note_form") or forms.NoteForm(),
        "quality_form": bound.get("quality_form")
        or forms.QualityForm(initial=_quality_initial(quality)),
        "recommend_form": bound.get("recommend_form")
        or forms.RecommendForm(
            initial={"outcome": referral.recommended_outcome, "rationale": referral.recommendation}
        ),
        "amend_form": bound.get("amend_form") or (forms.AmendForm() if decision else None),
        "can_unlink": referral.child_id is not None and can(user, Capability.SCREEN),
        "unlink_form": bound.get("unlink_form") or forms.UnlinkChildForm(),
        "hide_errors": not bound,
        "error_form": error_form,
        "error_form_first_id": next(iter(error_form)).auto_id if error_form else None,
        "coaching": coaching_explanations(user, referral.pk),
    }
    context.update(information_requests_context(user=user, referral=referral, now=context["now"]))
    return render(request, "triage/referral.html", context, status=status)


def _quality_initial(quality) -> dict | None:
    if quality is None:
        return None
    return {name: getattr(quality, name) for name, _ in quality.RUBRIC} | {
        "comment": quality.comment
    }


@capability_required(Capability.VIEW_ALL_REFERRALS)
@require_GET
def referral_detail(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _render_referral(request, referral_id)


def screening_action(capability: Capability):
    """A POST-only action of the screening page, guarded by the capability it needs
    before anything else runs (403 without it, for any method or body)."""

    def decorator(view):
        return capability_required(capability)(require_POST(view))

    return decorator


def _action(
    request, referral_id: int, run, *, success: str, form_name: str | None = None, form=None
) -> HttpResponse:
    """Run a screening service for a POST and come back to the referral page, with the
    outcome as a message; invalid input re-renders the page with what was typed.

    A closed record is changed only once the reason for opening it is given, as it is
    read: a POST made without one (the page could not have been shown) is answered with
    the reason page and changes nothing."""
    referral = _referral_or_404(request, referral_id)
    if break_glass.needs_reason(request, kind=AccessLog.Kind.REFERRAL, record=referral):
        return break_glass_views.reason_page(
            request, kind=AccessLog.Kind.REFERRAL, record=referral, then="referral", status=403
        )
    if form is not None and not form.is_valid():
        return _render_referral(request, referral_id, status=400, **{form_name: form})
    try:
        run()
    except NotPermitted:
        raise PermissionDenied from None
    except InvalidState as exc:
        messages.error(request, str(exc))
    except DomainError as exc:
        if form is not None:
            form.add_domain_errors(exc)
            return _render_referral(request, referral_id, status=400, **{form_name: form})
        messages.error(request, " ".join(" ".join(v) for v in exc.errors.values()))
    else:
        messages.success(request, success)
    return redirect("triage:referral", referral_id)


@screening_action(Capability.SCREEN)
def claim(request, referral_id):
    return _action(
        request,
        referral_id,
        lambda: screening.claim(referral_id=referral_id, by=request.user),
        success="You have claimed this referral",
    )


@screening_action(Capability.ALLOCATE)
def allocate(request, referral_id):
    form = forms.AllocateForm(request.POST)
    return _action(
        request,
        referral_id,
        lambda: screening.allocate(
            referral_id=referral_id, by=request.user, to=form.cleaned_data["assigned_to"]
        ),
        success="Referral allocated",
        form_name="allocate_form",
        form=form,
    )


@screening_action(Capability.SCREEN)
def add_note(request, referral_id):
    form = forms.NoteForm(request.POST)
    return _action(
        request,
        referral_id,
        lambda: screening.add_note(
            referral_id=referral_id, by=request.user, text=form.cleaned_data["text"]
        ),
        success="Note added",
        form_name="note_form",
        form=form,
    )


@screening_action(Capability.SCREEN)
def rate_quality(request, referral_id):
    form = forms.QualityForm(request.POST)
    return _action(
        request,
        referral_id,
        lambda: screening.rate_quality(
            referral_id=referral_id, by=request.user, **form.cleaned_data
        ),
        success="Referral quality recorded",
        form_name="quality_form",
        form=form,
    )


@screening_action(Capability.SCREEN)
def link_child(request, referral_id):
    _referral_or_404(request, referral_id)
    try:
        child_id = int(request.POST.get("child", ""))
        Child.objects.only("pk").get(pk=child_id)
    except (ValueError, Child.DoesNotExist):
        messages.error(request, "Choose a child record to link")
        return redirect("triage:referral", referral_id)
    return _action(
        request,
        referral_id,
        lambda: screening.link_child(referral_id=referral_id, child_id=child_id, by=request.user),
        success="Referral linked to the child's record",
    )


@screening_action(Capability.SCREEN)
def unlink_child(request, referral_id):
    form = forms.UnlinkChildForm(request.POST)
    return _action(
        request,
        referral_id,
        lambda: screening.unlink_child(
            referral_id=referral_id, by=request.user, reason=form.cleaned_data["reason"]
        ),
        success="The link to the child's record has been removed",
        form_name="unlink_form",
        form=form,
    )


@screening_action(Capability.SCREEN)
def create_child(request, referral_id):
    return _action(
        request,
        referral_id,
        lambda: screening.create_child_from_referral(referral_id=referral_id, by=request.user),
        success="New child record created and linked",
    )


@screening_action(Capability.RECOMMEND)
def recommend(request, referral_id):
    form = forms.RecommendForm(request.POST)
    return _action(
        request,
        referral_id,
        lambda: screening.recommend(
            referral_id=referral_id,
            by=request.user,
            outcome=form.cleaned_data["outcome"],
            rationale=form.cleaned_data["rationale"],
        ),
        success="Recommendation recorded: the referral is awaiting a manager's decision",
        form_name="recommend_form",
        form=form,
    )


@capability_required(Capability.DECIDE)
@require_http_methods(["GET", "POST"])
def decide(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    if referral.status == Status.DECIDED:
        if request.method == "GET" and getattr(referral, "decision", None):
            if break_glass.needs_reason(request, kind=AccessLog.Kind.REFERRAL, record=referral):
                return break_glass_views.reason_page(
                    request, kind=AccessLog.Kind.REFERRAL, record=referral, then="decision"
                )
            # After deciding, the decision page shows the decision and its footprint.
            log_access(request=request, kind=AccessLog.Kind.REFERRAL, object_id=referral.pk)
            return render(
                request,
                "triage/decided.html",
                {"referral": referral, "decision": referral.decision},
            )
        messages.info(request, f"{referral.reference} has already been decided")
        return redirect("triage:referral", referral_id)
    now = timezone.now()
    late = decisions.decision_is_late(referral, now=now)
    counts = footprint.screening_counts(referral.pk)
    warnings = footprint.decision_warnings(
        referral=referral,
        notes=counts["notes"],
        requests_outstanding=counts["requests_outstanding"],
    )
    if request.method == "POST":
        form = forms.DecisionForm(request.POST, late=late, warned=bool(warnings))
        if form.is_valid():
            try:
                decisions.decide(referral_id=referral.pk, by=request.user, **form.cleaned_data)
            except InvalidState as exc:
                messages.error(
                    request,
                    f"{exc}. Nothing you entered was saved; the decision "
                    "already recorded is shown below.",
                )
                return redirect("triage:referral", referral_id)
            except DomainError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(
                    request,
                    f"Decision recorded for {referral.reference}. The referrer will be told.",
                )
                if form.cleaned_data["outcome"] == Outcome.STRATEGY_S47:
                    # A section 47 decision leads straight to the strategy discussion.
                    return redirect("strategy:convene", referral.pk)
                return redirect("triage:queue")
        hide_errors = False
    else:
        form = forms.DecisionForm(
            late=late,
            warned=bool(warnings),
            initial={"outcome": referral.recommended_outcome or None},
        )
        hide_errors = True
    # The form and its re-render after an error both show the referral.
    log_access(request=request, kind=AccessLog.Kind.REFERRAL, object_id=referral.pk)
    return render(
        request,
        "triage/decide.html",
        {
            "referral": referral,
            "form": form,
            "late": late,
            "warnings": warnings,
            "screened_by": referral.recommended_by or referral.assigned_to,
            "hide_errors": hide_errors,
            "flags": selectors.repeat_flags(referral),
            "earlier": selectors.child_referrals_in_window(referral),
            "levels": ThresholdLevel.objects.filter(is_active=True),
            # What partners answered and what screening found, beside the decision.
            "information_requests": list(requests_for_referral(referral.pk)),
            "coaching": coaching_explanations(request.user, referral.pk),
            "now": now,
        },
        status=400 if request.method == "POST" else 200,
    )


@screening_action(Capability.DECIDE)
def amend(request, referral_id):
    referral = _referral_or_404(request, referral_id)
    decision = Decision.objects.filter(referral=referral).first()
    if decision is None:
        raise Http404
    form = forms.AmendForm(request.POST)
    return _action(
        request,
        referral_id,
        lambda: decisions.amend_decision(
            decision_id=decision.pk, by=request.user, **form.cleaned_data
        ),
        success="Amendment recorded beside the original decision",
        form_name="amend_form",
        form=form,
    )
