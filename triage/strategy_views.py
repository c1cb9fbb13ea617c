"""Strategy discussion pages: a manager convenes one for a referral (the attendee list's
membership warnings update in place with htmx, and show on submit without it), then
records decisions, actions, the section 47 outcome, seeing the child and the minutes.
Managers, screeners and auditors read them; every view is in the access log."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agencies.policy import Capability, can, capability_required
from audit.models import AccessLog
from audit.services import log_access
from core.exceptions import DomainError, InvalidState
from core.numbers import whole_number
from core.text import clean_text
from referrals import break_glass
from referrals.selectors import referrals_visible_to
from triage import break_glass_views
from triage import strategy_forms as forms
from triage.models import DiscussionAction
from triage.services import strategy
from triage.strategy_membership import CORE_MEMBERSHIP, WARNING_TEXT


def _referral_or_404(request, referral_id: int):
    return get_object_or_404(referrals_visible_to(request.user), pk=referral_id)


def _discussion_or_404(request, discussion_id: int, *, to_record: bool = False):
    """The discussion, for those who may read discussions (404 for everyone else, as
    for a referral they may not see); 403 for a reader who may not record."""
    discussion = _discussion_in_scope(request, discussion_id)
    if to_record and not can(request.user, Capability.CONVENE_STRATEGY):
        raise PermissionDenied
    return discussion


def _discussion_in_scope(request, discussion_id: int):
    return get_object_or_404(
        strategy.discussions_visible_to(request.user).prefetch_related(
            "attendees__agency",
            "decisions__recorded_by",
            "actions__agency",
            "contributions__agency",
        ),
        pk=discussion_id,
    )


def _closed_referral_asks(request, referral, *, then: str = "convene"):
    """The reason page in place of convening about a closed referral, or None: a page
    (GET) asks as the referral's own page does; a POST made without the reason (the
    form could not have been shown) is refused, 403, and changes nothing."""
    if not break_glass.needs_reason(request, kind=AccessLog.Kind.REFERRAL, record=referral):
        return None
    return break_glass_views.reason_page(
        request,
        kind=AccessLog.Kind.REFERRAL,
        record=referral,
        then=then,
        status=403 if request.method == "POST" else 200,
    )


def _closed_discussion_asks(request, discussion, *, then: str = "discussion"):
    """As ``_closed_referral_asks``, for a closed strategy discussion: its changes need
    the reason its page needs, before anything of it is read or written."""
    if not break_glass_views.discussion_asks(request, discussion):
        return None
    return break_glass_views.discussion_reason_page(
        request, discussion, then=then, status=403 if request.method == "POST" else 200
    )


def _warnings_context(referral, rows, held_at=None) -> dict:
    usable = [r for r in rows if r.get("agency") is not None]
    codes = strategy.warnings_for(referral=referral, attendees=usable, held_at=held_at)
    return {
        "warnings": [{"code": str(c), "text": WARNING_TEXT[c]} for c in codes],
        "core_missing": bool(CORE_MEMBERSHIP.intersection(codes)),
        "referring_agency": referral.agency,
        "referrer_invited": referral.agency_id is None
        or any(r.get("agency") and r["agency"].pk == referral.agency_id for r in rows),
    }


@require_http_methods(["GET", "POST"])
@capability_required(Capability.CONVENE_STRATEGY)
def convene(request: HttpRequest, referral_id: int) -> HttpResponse:
    referral = _referral_or_404(request, referral_id)
    if asks := _closed_referral_asks(request, referral):
        return asks
    if request.method == "POST":
        form = forms.ConveneForm(request.POST)
        formset = forms.attendee_formset(request.POST)
        formset.is_valid()
        rows = forms.attendee_rows(formset)
        checking = request.POST.get("action") == "check"
        if form.is_valid() and not checking:
            try:
                discussion = strategy.convene_discussion(
                    referral_id=referral.pk,
                    by=request.user,
                    kind=form.cleaned_data["kind"],
                    held_at=form.cleaned_data.get("held_at"),
                    format=form.cleaned_data["format"],
                    attendees=rows,
                    missing_members_reason=form.cleaned_data["missing_members_reason"],
                )
            except DomainError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, "Discussion recorded. Now record its decisions.")
                return redirect("strategy:detail", discussion.pk)
        if checking:
            # "Check attendees": show the warnings and a spare row, save nothing.
            initial = [
                {
                    "agency": r["agency"],
                    "role": r["role"],
                    "name": r["name"],
                    "attended": "yes" if r["attended"] else "no",
                }
                for r in rows
            ]
            formset = forms.attendee_formset(initial=initial, spare=1, rows=0)
            form = forms.ConveneForm(request.POST)
            form.is_valid()
            hide_errors = True
        else:
            hide_errors = False
        status = 200 if checking else 400
    else:
        log_access(request=request, kind=AccessLog.Kind.REFERRAL, object_id=referral.pk)
        form = forms.ConveneForm()
        initial = []
        if referral.agency_id:
            initial.append({"agency": referral.agency, "attended": "yes"})
        formset = forms.attendee_formset(initial=initial)
        rows = []
        hide_errors = True
        status = 200
    return render(
        request,
        "triage/strategy/convene.html",
        {
            "referral": referral,
            "form": form,
            "formset": formset,
            "hide_errors": hide_errors,
            "kind_guidance": forms.KIND_GUIDANCE,
            **_warnings_context(referral, rows),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def change_attendees(request: HttpRequest, discussion_id: int) -> HttpResponse:
    """Change who is recorded as invited and who attended, with the same warnings."""
    discussion = _discussion_or_404(request, discussion_id, to_record=True)
    if asks := _closed_discussion_asks(request, discussion, then="attendees"):
        return asks
    referral = discussion.referral
    error = ""
    reason = discussion.missing_members_reason
    if request.method == "POST":
        formset = forms.attendee_formset(request.POST)
        formset.is_valid()
        rows = forms.attendee_rows(formset)
        # Cleaned as every form's text is (core.text): a NUL was a server error here.
        reason = clean_text(request.POST.get("missing_members_reason", ""), multiline=True)
        if request.POST.get("action") != "check":
            try:
                strategy.change_attendees(
                    discussion_id=discussion.pk,
                    by=request.user,
                    attendees=rows,
                    missing_members_reason=reason,
                )
            except DomainError as exc:
                error = " ".join(m for messages_ in exc.errors.values() for m in messages_)
            else:
                messages.success(request, "Attendees changed")
                return redirect("strategy:detail", discussion.pk)
        initial = [{**r, "attended": "yes" if r["attended"] else "no"} for r in rows]
    else:
        rows = [
            {"agency": a.agency, "role": a.role, "name": a.name, "attended": a.attended}
            for a in discussion.attendees.select_related("agency")
        ]
        initial = [{**r, "attended": "yes" if r["attended"] else "no"} for r in rows]
    return render(
        request,
        "triage/strategy/attendees.html",
        {
            "discussion": discussion,
            "referral": referral,
            "formset": forms.attendee_formset(initial=initial, spare=1, rows=0),
            "error": error,
            "reason": reason,
            **_warnings_context(referral, rows, discussion.held_at),
        },
        status=400 if error else 200,
    )


@require_POST
@capability_required(Capability.CONVENE_STRATEGY)
def warnings(request: HttpRequest, referral_id: int) -> HttpResponse:
    """The membership warnings for the attendee rows posted: the fragment htmx swaps in
    while the list is edited. Saves nothing."""
    referral = _referral_or_404(request, referral_id)
    if asks := _closed_referral_asks(request, referral):
        return asks
    formset = forms.attendee_formset(request.POST)
    formset.is_valid()
    return render(
        request,
        "triage/strategy/_warnings.html",
        _warnings_context(referral, forms.attendee_rows(formset)),
    )


@require_http_methods(["GET"])
@login_required
def detail(request: HttpRequest, discussion_id: int) -> HttpResponse:
    return _render_detail(request, _discussion_or_404(request, discussion_id))


@require_POST
@login_required
def break_glass_reason(request: HttpRequest, discussion_id: int) -> HttpResponse:
    """The reason for opening a closed discussion: access to it first, as its pages."""
    discussion = _discussion_or_404(request, discussion_id)
    return break_glass_views.grant_for_referral_of(request, discussion, kind="discussion")


def _render_detail(request, discussion, status=200, **forms_given) -> HttpResponse:
    """The discussion's page, for its GET and for the re-render of a form with errors:
    a closed discussion asks for the reason first, either way."""
    if break_glass_views.discussion_asks(request, discussion):
        return break_glass_views.discussion_reason_page(request, discussion, then="discussion")
    log_access(request=request, kind=AccessLog.Kind.STRATEGY_DISCUSSION, object_id=discussion.pk)
    outcome_initial = {
        "section47_outcome": discussion.section47_outcome or None,
        "no_enquiry_reason": discussion.no_enquiry_reason,
        "child_views": discussion.child_views,
        "advocate_offered": discussion.advocate_offered or None,
    }
    context = {
        "discussion": discussion,
        "referral": discussion.referral,
        "may_record": can(request.user, Capability.CONVENE_STRATEGY),
        "warnings": [
            {"code": str(c), "text": WARNING_TEXT[c]}
            for c in strategy.discussion_warnings(discussion)
        ],
        # Each with the newest row of its kind the page shows: sent twice, added once.
        "decision_form": forms.DecisionForm(initial=_newest(discussion.decisions)),
        "contribution_form": forms.ContributionForm(initial=_newest(discussion.contributions)),
        "action_form": forms.ActionForm(initial=_newest(discussion.actions)),
        "minutes_form": forms.MinutesForm(),
        "outcome_form": forms.OutcomeForm(initial=outcome_initial),
        "seen_form": forms.ChildSeenForm(),
        "hide_errors": status == 200,
        "now": timezone.now(),
        **forms_given,
    }
    return render(request, "triage/strategy/detail.html", context, status=status)


def _newest(rows) -> dict:
    """The form's ``last_seen``: the id of the newest of the rows the page shows (the
    discussion's, prefetched), 0 for none."""
    return {"last_seen": max((row.pk for row in rows.all()), default=0)}


def _record(form_class, form_name: str, call):
    """A POST that records one part of a discussion: parse, call the service, go back
    to the discussion; or show the page again with the errors beside the fields."""

    @require_POST
    @login_required
    def view(request: HttpRequest, discussion_id: int) -> HttpResponse:
        discussion = _discussion_or_404(request, discussion_id, to_record=True)
        if asks := _closed_discussion_asks(request, discussion):
            return asks
        form = form_class(request.POST)
        if form.is_valid():
            try:
                message = call(request, discussion, form.cleaned_data)
            except strategy.AlreadyRecorded as exc:
                # The same form sent twice: recorded once, and said so, not an error page.
                messages.info(request, str(exc))
                return redirect("strategy:detail", discussion.pk)
            except DomainError as exc:
                form.add_domain_errors(exc)
            else:
                messages.success(request, message)
                return redirect("strategy:detail", discussion.pk)
        return _render_detail(request, discussion, status=400, **{form_name: form})

    return view


def _add_decision(request, discussion, data) -> str:
    strategy.add_decision(
        discussion_id=discussion.pk,
        by=request.user,
        decision=data["decision"],
        rationale=data["rationale"],
        last_seen=data.get("last_seen"),
    )
    return "Decision recorded"


def _add_contribution(request, discussion, data) -> str:
    strategy.add_contribution(
        discussion_id=discussion.pk,
        by=request.user,
        agency_id=data["agency"].pk,
        information=data["information"],
        last_seen=data.get("last_seen"),
    )
    return "Information recorded"


def _add_action(request, discussion, data) -> str:
    strategy.add_action(
        discussion_id=discussion.pk,
        by=request.user,
        description=data["description"],
        owner=data["owner"],
        agency_id=data["agency"].pk,
        due_at=data.get("due_at"),
        owner_user_id=data["owner_user"].pk if data.get("owner_user") else None,
        last_seen=data.get("last_seen"),
    )
    return "Action recorded"


def _minutes(request, discussion, data) -> str:
    to_family = data["to"] == "family"
    strategy.record_minutes_circulated(
        discussion_id=discussion.pk,
        by=request.user,
        to_professionals_at=None if to_family else data.get("sent_at"),
        to_family_at=data.get("sent_at") if to_family else None,
    )
    return "Minutes recorded as circulated to " + ("the family" if to_family else "professionals")


def _outcome(request, discussion, data) -> str:
    strategy.record_outcome(
        discussion_id=discussion.pk,
        by=request.user,
        section47_outcome=data["section47_outcome"],
        no_enquiry_reason=data["no_enquiry_reason"],
        see_child_by=data.get("see_child_by"),
        child_views=data["child_views"],
        advocate_offered=data["advocate_offered"],
    )
    return "Outcome recorded"


def _child_seen(request, discussion, data) -> str:
    strategy.record_child_seen(
        discussion_id=discussion.pk,
        by=request.user,
        child_seen_at=data.get("child_seen_at"),
        child_seen_by=data["seen_by"],
        joint_visit=data["joint_visit"] == "yes",
    )
    return "Visit recorded"


add_decision = _record(forms.DecisionForm, "decision_form", _add_decision)
add_contribution = _record(forms.ContributionForm, "contribution_form", _add_contribution)
add_action = _record(forms.ActionForm, "action_form", _add_action)
minutes = _record(forms.MinutesForm, "minutes_form", _minutes)
outcome = _record(forms.OutcomeForm, "outcome_form", _outcome)
child_seen = _record(forms.ChildSeenForm, "seen_form", _child_seen)


@require_POST
@login_required
def action_done(request: HttpRequest, discussion_id: int) -> HttpResponse:
    discussion = _discussion_or_404(request, discussion_id, to_record=True)
    if asks := _closed_discussion_asks(request, discussion):
        return asks
    # ASCII digits, and not thousands of them (core.numbers): "²" passes str.isdigit()
    # and int() refuses past 4,300 digits, each once a server error here.
    action_id = whole_number(request.POST.get("action", ""))
    if action_id is None:
        raise SuspiciousOperation("No action named")
    action = get_object_or_404(DiscussionAction, pk=action_id, discussion=discussion)
    try:
        strategy.complete_action(action_id=action.pk, by=request.user)
    except InvalidState as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, "Action recorded as done")
    return redirect("strategy:detail", discussion.pk)


@require_http_methods(["GET"])
@login_required
def print_minutes(request: HttpRequest, discussion_id: int) -> HttpResponse:
    discussion = _discussion_or_404(request, discussion_id)
    if break_glass_views.discussion_asks(request, discussion):
        return break_glass_views.discussion_reason_page(request, discussion, then="print")
    log_access(request=request, kind=AccessLog.Kind.STRATEGY_DISCUSSION, object_id=discussion.pk)
    return render(
        request,
        "triage/strategy/print.html",
        {
            "discussion": discussion,
            "referral": discussion.referral,
            "warnings": [
                {"code": str(c), "text": WARNING_TEXT[c]}
                for c in strategy.discussion_warnings(discussion)
            ],
        },
    )
