"""Information requests: partners' pages (their agency's requests, and answering one) and
the screener's send action. Thin: parse, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.policy import Capability, capability_required
from audit.models import AccessLog
from audit.services import log_access, log_list
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals import break_glass
from referrals.models import Referral
from referrals.selectors import household_as_given, referrals_visible_to
from triage import break_glass_views
from triage.information_forms import AnswerForm, InformationRequestForm
from triage.services.challenges import challenge_options, challenges_visible_to
from triage.services.information import (
    REQUEST_DUE_SOON,
    answer_information_request,
    may_send_information_request,
    requests_for_partner,
    requests_for_referral,
    send_information_request,
)

PAGE_SIZE = 25


def information_requests_context(*, user, referral: Referral, now) -> dict:
    """What ``_components/information_requests.html`` needs, for the screening page:
    ``context.update(information_requests_context(user=..., referral=..., now=...))``."""
    may_send = may_send_information_request(user, referral)
    return {
        "referral": referral,
        "now": now,
        "information_requests_due_soon_at": now + REQUEST_DUE_SOON,
        "information_requests": list(requests_for_referral(referral.pk)),
        "information_request_form": (
            InformationRequestForm(referral=referral, now=now) if may_send else None
        ),
    }


@capability_required(Capability.ANSWER_INFORMATION_REQUESTS)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    requests = requests_for_partner(request.user)
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    my_challenges = list(
        challenges_visible_to(request.user)
        .filter(raised_by=request.user)
        .select_related("referral", "stage")
        .order_by("-raised_at")[:20]
    )
    log_list(
        request=request,
        kind=AccessLog.Kind.REQUEST_LIST,
        ids={
            "information_requests": [r.pk for r in items],
            "referrals": list(
                dict.fromkeys(
                    [r.referral_id for r in items] + [c.referral_id for c in my_challenges]
                )
            ),
        },
    )
    counts = requests.filter(answered_at__isnull=True).aggregate(
        open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lte=now))
    )
    return render(
        request,
        "requests/list.html",
        {
            "page": page,
            "open_requests": [r for r in items if not r.is_answered],
            "answered_requests": [r for r in items if r.is_answered],
            "counts": counts,
            "now": now,
            "due_soon_at": now + REQUEST_DUE_SOON,
            "my_challenges": my_challenges,
        },
    )


@capability_required(Capability.ANSWER_INFORMATION_REQUESTS)
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    # Another agency's request is not found, whatever its id.
    information_request = get_object_or_404(requests_for_partner(request.user), pk=request_id)
    log_access(
        request=request, kind=AccessLog.Kind.REFERRAL, object_id=information_request.referral_id
    )
    form = None
    if not information_request.is_answered:
        form = AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            answer_information_request(
                request_id=information_request.pk,
                by=request.user,
                answer=form.cleaned_data["answer"],
            )
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_domain_errors(error)
        except InvalidState as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"Your answer about {information_request.referral.reference} has been sent "
                "to the front door",
            )
            return redirect("requests:list")
    now = timezone.now()
    # The form again with its errors: 400, as every other triage form answers.
    refused = request.method == "POST" and form is not None and bool(form.errors)
    return render(
        request,
        "requests/detail.html",
        {
            "information_request": information_request,
            "referral": information_request.referral,
            # The people the question is about, as the referrer named them; nothing else
            # of the referral (what the referrer wrote stays with the front door).
            "household": household_as_given(information_request.referral_id),
            "form": form,
            "now": now,
            "due_soon_at": now + REQUEST_DUE_SOON,
            **challenge_options(user=request.user, referral=information_request.referral),
        },
        status=400 if refused else 200,
    )


def _back_url(request: HttpRequest, referral: Referral) -> str:
    """Where to go after sending: a safe ``next`` from the form, else the screening page."""
    candidate = request.POST.get("next", "")
    # A path on this site only: ``redirect`` takes anything else without a slash ("zzz")
    # for a URL name, and one that names none was a server error after the request was sent.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("triage:referral", args=[referral.pk])


@capability_required(Capability.SCREEN)
@require_POST
def send(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = get_object_or_404(referrals_visible_to(request.user), pk=referral_id)
    # A closed referral takes nothing without the reason its page asks for: the page
    # this form is on could not have been shown, and its re-render names the child.
    if break_glass.needs_reason(request, kind=AccessLog.Kind.REFERRAL, record=referral):
        return break_glass_views.reason_page(
            request, kind=AccessLog.Kind.REFERRAL, record=referral, then="referral", status=403
        )
    now = timezone.now()
    form = InformationRequestForm(request.POST, referral=referral, now=now)
    back = _back_url(request, referral)
    if form.is_valid():
        try:
            information_request = send_information_request(
                referral_id=referral.pk,
                by=request.user,
                agency_id=form.cleaned_data["agency"].pk,
                question=form.cleaned_data["question"],
                due_at=form.cleaned_data.get("due_at"),
            )
        except NotPermitted:
            raise PermissionDenied from None
        except DomainError as error:
            form.add_domain_errors(error)
        except InvalidState as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, f"Information request sent to {information_request.agency.name}"
            )
            return redirect(back)
    # The form again with its errors: 400, as every other triage form answers.
    return render(
        request,
        "requests/send.html",
        {"form": form, "referral": referral, "next": back},
        status=400,
    )
