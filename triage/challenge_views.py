"""Challenges: the referrer (or their agency lead) raises one and follows it; managers
see the open ones by stage, respond, escalate and resolve. Thin: parse, call one service
or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.policy import Capability, can, capability_required
from audit.models import AccessLog
from audit.services import log_access, log_list
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.models import Referral
from triage import break_glass_views
from triage import challenge_forms as forms
from triage.list_filters import ChallengeFilter
from triage.models import Challenge, ChallengeStatus, Decision, StrategyDiscussion
from triage.services import challenges
from triage.services.challenges import (
    challengeable_discussions_for,
    challenges_visible_to,
    is_involved_professional,
    may_act_at_stage,
    next_stage,
    referrals_challengeable_by,
)


@capability_required(Capability.VIEW_ALL_CHALLENGES)
@require_GET
def challenge_list(request: HttpRequest) -> HttpResponse:
    """Open challenges, by stage, the soonest due first."""
    now = timezone.now()
    open_challenges = (
        Challenge.objects.filter(status=ChallengeStatus.OPEN)
        .select_related("referral", "stage", "owner", "raised_by", "referral__agency")
        .order_by("stage__order", "stage_due_at")
    )
    filters = ChallengeFilter(request.GET or None, queryset=open_challenges, now=now)
    open_challenges = filters.qs
    stages: dict = {}
    for challenge in open_challenges:
        stages.setdefault(challenge.stage, []).append(challenge)
    shown = [c for group in stages.values() for c in group]
    log_list(
        request=request,
        kind=AccessLog.Kind.CHALLENGE_LIST,
        ids={
            "challenges": [c.pk for c in shown],
            "referrals": list(dict.fromkeys(c.referral_id for c in shown)),
        },
    )
    return render(
        request,
        "triage/challenges/list.html",
        {
            "stages": stages,
            "now": now,
            "total": sum(len(v) for v in stages.values()),
            "filters": filters,
        },
    )


@capability_required(Capability.RAISE_CHALLENGE)
@require_http_methods(["GET", "POST"])
def raise_challenge(request: HttpRequest, referral_id: int) -> HttpResponse:
    """Challenge the decision on a referral."""
    referral = referrals_challengeable_by(request.user).filter(pk=referral_id).first()
    if referral is None:
        raise Http404
    decision = Decision.objects.filter(referral=referral).first()
    if decision is None:
        return render(
            request,
            "triage/challenges/not_decided.html",
            {
                "referral": referral,
                "back_url": _back_url(request.user),
                "back_text": _back_text(request.user),
            },
            status=409,
        )
    open_one = challenges_visible_to(request.user).filter(
        decision=decision, status=ChallengeStatus.OPEN
    )
    return _raise(request, referral, open_one, decision=decision.current)


@capability_required(Capability.RAISE_CHALLENGE)
@require_http_methods(["GET", "POST"])
def raise_on_discussion(request: HttpRequest, discussion_id: int) -> HttpResponse:
    """Challenge the section 47 outcome of a strategy discussion about a referral the
    user may see; the referrer is shown the outcome only, never the minutes."""
    discussion = (
        challengeable_discussions_for(request.user)
        .select_related("referral")
        .filter(pk=discussion_id)
        .first()
    )
    if discussion is None:
        raise Http404
    open_one = challenges_visible_to(request.user).filter(
        discussion=discussion, status=ChallengeStatus.OPEN
    )
    return _raise(request, discussion.referral, open_one, discussion=discussion)


def _raise(request, referral, open_one, *, decision=None, discussion=None) -> HttpResponse:
    if open_one.exists():
        messages.info(request, "This is already being challenged: here is where it is")
        return redirect("challenges:detail", open_one.first().pk)
    form = forms.RaiseChallengeForm(
        request.POST if request.method == "POST" else None, on_discussion=discussion is not None
    )
    if request.method == "POST" and form.is_valid():
        try:
            challenge = challenges.raise_challenge(
                referral_id=referral.pk,
                by=request.user,
                reason=form.cleaned_data["reason"],
                discussion_id=discussion.pk if discussion else None,
            )
        except NotPermitted:
            raise PermissionDenied from None
        except (Referral.DoesNotExist, StrategyDiscussion.DoesNotExist):
            raise Http404 from None
        except InvalidState as exc:
            messages.error(request, str(exc))
            return redirect(_back_url(request.user))
        except DomainError as exc:
            form.add_domain_errors(exc)
        else:
            messages.success(request, f"Challenge raised on {referral.reference}")
            return redirect("challenges:detail", challenge.pk)
    return render(
        request,
        "triage/challenges/raise.html",
        {
            "referral": referral,
            "decision": decision,
            "discussion": discussion,
            "form": form,
            "back_url": _back_url(request.user),
            "back_text": _back_text(request.user),
            "show_feedback": not is_involved_professional(request.user),
        },
        status=400 if form.is_bound else 200,
    )


def _back_url(user) -> str:
    """Where someone who raises challenges follows them: Your referrals, or, for a
    partner agency's practitioner, their information requests (with their challenges)."""
    return reverse("requests:list" if is_involved_professional(user) else "referrals:mine")


def _back_text(user) -> str:
    """Named as the page it leads to is headed: an agency lead's list is their agency's."""
    if is_involved_professional(user):
        return "Back to your information requests"
    if can(user, Capability.VIEW_AGENCY_REFERRALS):
        return "Back to your agency's referrals"
    return "Back to your referrals"


def _challenge_or_404(request, challenge_id: int) -> Challenge:
    if not (
        can(request.user, Capability.VIEW_ALL_CHALLENGES)
        or can(request.user, Capability.RAISE_CHALLENGE)
    ):
        raise PermissionDenied
    challenge = (
        challenges_visible_to(request.user)
        .select_related(
            "referral",
            "decision",
            "discussion",
            "stage",
            "owner",
            "raised_by",
            "resolved_by",
            "amendment",
            "referral__agency",
        )
        .filter(pk=challenge_id)
        .first()
    )
    if challenge is None:
        raise Http404
    return challenge


def _render_detail(request, challenge: Challenge, *, status: int = 200, **bound):
    """The challenge's page, for its GET and for the re-render of a form with errors: a
    closed one asks for the reason first (managers), either way."""
    if break_glass_views.challenge_asks(request, challenge):
        return break_glass_views.challenge_reason_page(request, challenge)
    log_access(request=request, kind=AccessLog.Kind.CHALLENGE, object_id=challenge.pk)
    manages = challenge.is_open and may_act_at_stage(challenge, request.user)
    own = challenge.raised_by_id == request.user.pk  # or a colleague's, for an agency lead
    reply_form = bound.get("reply_form") or forms.ReplyForm()
    context = {
        "challenge": challenge,
        "responses": challenge.responses.select_related("by", "stage"),
        "decision": challenge.decision,
        "discussion": challenge.discussion,
        "head_of_service_stage": challenge.is_open
        and can(request.user, Capability.MANAGE_CHALLENGES)
        and not manages,
        "manages": manages,
        "staff": can(request.user, Capability.VIEW_ALL_CHALLENGES),
        "back_url": _back_url(request.user),
        "back_text": _back_text(request.user),
        "show_feedback": not is_involved_professional(request.user),
        "overdue": challenge.is_open and challenge.stage_due_at <= timezone.now(),
        "next_stage": next_stage(challenge.stage) if manages else None,
        "replies": challenge.is_open and can(request.user, Capability.RAISE_CHALLENGE),
        "reply_form": reply_form if own else reply_form.for_someone_elses(),
        "respond_form": bound.get("respond_form") or forms.RespondForm(),
        "escalate_form": bound.get("escalate_form") or forms.EscalateForm(),
        "resolve_form": bound.get("resolve_form") or forms.ResolveForm(),
        "form": next(iter(bound.values()), None),  # for the error summary
    }
    return render(request, "triage/challenges/detail.html", context, status=status)


@require_GET
def challenge_detail(request: HttpRequest, challenge_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    return _render_detail(request, _challenge_or_404(request, challenge_id))


@login_required
@require_POST
def break_glass_reason(request: HttpRequest, challenge_id: int) -> HttpResponse:
    """The reason for opening a closed challenge: access to it first, as its page."""
    challenge = _challenge_or_404(request, challenge_id)
    return break_glass_views.grant_for_referral_of(request, challenge, kind="challenge")


def _manage(request, challenge_id: int, form, form_name: str, run, success: str):
    challenge = _challenge_or_404(request, challenge_id)
    # Refused before the form is read: a resolved challenge takes nothing more, at the
    # head of service's stage another manager may not act, and the last stage is the
    # last, whatever was sent.
    replies = form_name == "reply_form"
    if not challenge.is_open:
        messages.error(
            request,
            "This challenge has been resolved"
            + (": raise a new one if you disagree" if replies else ""),
        )
        return redirect("challenges:detail", challenge.pk)
    if not replies and not may_act_at_stage(challenge, request.user):
        raise PermissionDenied
    if form_name == "escalate_form" and next_stage(challenge.stage) is None:
        messages.error(request, "This challenge is at the last stage: resolve it")
        return redirect("challenges:detail", challenge.pk)
    if not form.is_valid():
        return _render_detail(request, challenge, status=400, **{form_name: form})
    try:
        run(form.cleaned_data)
    except NotPermitted:
        raise PermissionDenied from None
    except Challenge.DoesNotExist:
        raise Http404 from None
    except InvalidState as exc:
        messages.error(request, str(exc))
    except DomainError as exc:
        form.add_domain_errors(exc)
        return _render_detail(request, challenge, status=400, **{form_name: form})
    else:
        messages.success(request, success(challenge) if callable(success) else success)
    return redirect("challenges:detail", challenge.pk)


@capability_required(Capability.MANAGE_CHALLENGES)
@require_POST
def respond(request: HttpRequest, challenge_id: int) -> HttpResponse:
    return _manage(
        request,
        challenge_id,
        forms.RespondForm(request.POST),
        "respond_form",
        lambda data: challenges.respond(challenge_id=challenge_id, by=request.user, **data),
        "Response recorded",
    )


@capability_required(Capability.RAISE_CHALLENGE)
@require_POST
def reply(request: HttpRequest, challenge_id: int) -> HttpResponse:
    return _manage(
        request,
        challenge_id,
        forms.ReplyForm(request.POST),
        "reply_form",
        lambda data: challenges.reply(challenge_id=challenge_id, by=request.user, **data),
        lambda challenge: (
            f"Added to {'your' if challenge.raised_by_id == request.user.pk else 'the'} "
            "challenge: the front door has been told"
        ),
    )


@capability_required(Capability.MANAGE_CHALLENGES)
@require_POST
def escalate(request: HttpRequest, challenge_id: int) -> HttpResponse:
    return _manage(
        request,
        challenge_id,
        forms.EscalateForm(request.POST),
        "escalate_form",
        lambda data: challenges.escalate(challenge_id=challenge_id, by=request.user, **data),
        "Challenge escalated to the next stage",
    )


@capability_required(Capability.MANAGE_CHALLENGES)
@require_POST
def resolve(request: HttpRequest, challenge_id: int) -> HttpResponse:
    return _manage(
        request,
        challenge_id,
        forms.ResolveForm(request.POST),
        "resolve_form",
        lambda data: challenges.resolve(challenge_id=challenge_id, by=request.user, **data),
        "Challenge resolved: the person who raised it has been told",
    )
