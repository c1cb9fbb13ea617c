from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies.policy import Capability, can, may_refer
from audit.models import AccessLog
from audit.services import log_list
from core.numbers import whole_number
from referrals import coaching as coaching_rules
from referrals import drafts, forms
from referrals.forms import ChildForm
from referrals.models import Submission
from referrals.selectors import referrals_visible_to
from referrals.services import too_many_children_message


def referral_form_view(view):
    """Sign-in and the right to refer; and, if the session times out while the user is
    typing, what they sent is kept in their draft (see SessionTimeoutMiddleware)."""

    @login_required
    def wrapped(request, *args, **kwargs):
        if not may_refer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    saver = getattr(view, "save_on_timeout", None)

    def save_on_timeout(request, user, *args, **kwargs):
        # The same rule as the view: only someone who may refer keeps a draft.
        if not may_refer(user):
            raise Http404
        saver(request, user, *args, **kwargs)

    wrapped.__name__ = view.__name__
    wrapped.save_on_timeout = save_on_timeout if saver else None
    return wrapped


# A "Change" link on "check your answers" carries ?return=check, and the page it opens
# comes back to the check page once its answers are valid (not on to the next section).
RETURN_TO_CHECK = "return=check"


def _returning_to_check(request) -> bool:
    return request.GET.get("return") == "check"


def _change_link(url: str) -> str:
    return f"{url}?{RETURN_TO_CHECK}"


def _page_url(draft, page: str) -> str:
    if page == drafts.CHILDREN:
        return reverse("referrals:children", args=[draft.pk])
    if page == "check":
        return reverse("referrals:check", args=[draft.pk])
    return reverse("referrals:section", args=[draft.pk, page])


def _back_url(request, draft, page: str) -> str:
    """The back link: the step before this one (GOV.UK's back link goes to the previous
    page), the drafts list before the first, and the check page for a change made from
    it, where the referrer came from."""
    if page != "check" and _returning_to_check(request):
        return reverse("referrals:check", args=[draft.pk])
    if page == "child" and draft.data.get("children"):
        return _page_url(draft, drafts.CHILDREN)
    previous = drafts.previous_page(draft, drafts.CHILDREN if page == "child" else page)
    return _page_url(draft, previous) if previous else reverse("referrals:start")


def _context(draft, **extra) -> dict:
    return {
        "draft": draft,
        "immediate_risk": drafts.has_immediate_risk(draft),
        "on_behalf": draft.data.get("on_behalf", False),
        **extra,
    }


@referral_form_view
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        draft = drafts.start_draft(by=request.user)
        return redirect(_page_url(draft, drafts.flow_for(draft)[0]))
    return render(
        request,
        "referrals/start.html",
        {
            "open_drafts": drafts.open_drafts(request.user)[:10],
            "on_behalf": not can(request.user, Capability.SUBMIT_REFERRAL),
            "retention_days": settings.DRAFT_RETENTION_DAYS,
        },
    )


def _save_section_on_timeout(request, user, draft_id, slug):
    draft = drafts.get_draft(user=user, draft_id=draft_id)
    if slug in {s.slug for s in drafts.sections_for(draft)}:
        drafts.save_section(draft, slug, request.POST)


def _refused(form, refusal: drafts.DraftRefused | None) -> None:
    """Put a draft's refusal at the top of a (validated) form's errors."""
    for texts in refusal.errors.values() if refusal else ():
        for text in texts:
            form.add_error(None, text)


def _coached(form, prompts) -> dict:
    """Per coached field of this form: its prompts and where the referrer may explain."""
    coached = {}
    for field, explanation in forms.EXPLANATIONS.items():
        if field in form.fields:
            coached[field] = {
                # A refused placeholder is the field's error message already.
                "prompts": [p for p in prompts if p.field == field and not p.refused],
                "explanation": form[explanation],
            }
    return coached


@require_http_methods(["GET", "POST"])
def section(request: HttpRequest, draft_id: int, slug: str) -> HttpResponse:
    draft = drafts.get_draft(user=request.user, draft_id=draft_id)
    current = drafts.section_by_slug(draft, slug)
    formset = None
    coached = slug in drafts.COACHED_SECTIONS
    prompts = []
    coaching_interrupt = False
    if request.method == "POST":
        try:
            drafts.save_section(draft, slug, request.POST)
            refusal = None
        except drafts.DraftRefused as exc:
            refusal = exc  # nothing stored: the page shows what was sent, and why
        form = current.form_class(request.POST)
        valid = form.is_valid() and refusal is None
        _refused(form, refusal)
        if current is drafts.FAMILY:
            formset = (
                forms.HouseholdFormSet(request.POST, prefix=drafts.HOUSEHOLD_PREFIX)
                if refusal
                else drafts.household_formset(draft)
            )
            valid = formset.is_valid() and valid
        if coached and refusal is None:
            drafts.record_shown_keys(draft, drafts.shown_while_typing(request.POST))
            prompts = drafts.coaching_prompts(draft, slug=slug)
            # Without JavaScript the referrer first sees the prompts here: once, and
            # never when the child may be in danger now (prompts never hold that up).
            coaching_interrupt = (
                valid
                and bool(drafts.unseen(draft, [p for p in prompts if not p.refused]))
                and not drafts.has_immediate_risk(draft)
            )
            drafts.record_shown(draft, prompts)
        if valid and not coaching_interrupt:
            if _returning_to_check(request):
                return redirect("referrals:check", draft.pk)
            return redirect(_page_url(draft, drafts.next_page(draft, slug)))
        show_errors = not valid
    else:
        form = drafts.bound_form(draft, current, user=request.user)
        show_errors = False
        if coached and drafts.stored(draft, slug) is not None:
            prompts = [p for p in drafts.coaching_prompts(draft, slug=slug) if not p.refused]
            drafts.record_shown(draft, prompts)
    if current is drafts.FAMILY and formset is None:
        formset = drafts.household_formset(draft)
    return render(
        request,
        [f"referrals/section_{slug.replace('-', '_')}.html", "referrals/section.html"],
        _context(
            draft,
            form=form,
            formset=formset,
            section=current,
            hide_errors=not show_errors,
            back_url=_back_url(request, draft, slug),
            flow=drafts.flow_for(draft),
            coached=_coached(form, prompts) if coached else {},
            coaching_prompts=[p for p in prompts if not p.refused],
            coaching_interrupt=coaching_interrupt,
            coaching_url=reverse("referrals:coaching", args=[draft.pk, slug]) if coached else "",
        ),
    )


@referral_form_view
@require_POST
def coaching(request: HttpRequest, draft_id: int, slug: str) -> HttpResponse:
    """The prompts for the section being typed, as fragments htmx swaps in beside each
    field (out of band), and the page's list of prompts shown so far, which the
    section's POST records. Writes nothing."""
    draft = drafts.get_draft(user=request.user, draft_id=draft_id)
    if slug not in drafts.COACHED_SECTIONS:
        raise Http404
    current = drafts.section_by_slug(draft, slug)
    # Read, never stored: over-long text is cut to its field's maximum for the prompts.
    posted = drafts.section_input(slug, request.POST, truncate=True)
    prompts = drafts.coaching_prompts(draft, posted=posted, slug=slug)
    fields = [f for f in forms.EXPLANATIONS if f in current.form_class.base_fields]
    return render(
        request,
        "referrals/_coaching_fragments.html",
        {
            "fields": [
                {"name": f, "prompts": [p for p in prompts if p.field == f]} for f in fields
            ],
            # A placeholder shown while typing is a hint; it is recorded when refused.
            "shown": " ".join(drafts.shown_while_typing(request.POST, prompts)),
        },
    )


section.save_on_timeout = _save_section_on_timeout
section = referral_form_view(section)


@referral_form_view
@require_http_methods(["GET", "POST"])
def children(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = drafts.get_draft(user=request.user, draft_id=draft_id)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action.startswith("remove-"):
            index = whole_number(action.removeprefix("remove-"))
            if index is None:
                raise Http404
            drafts.remove_child(draft, index)
            messages.success(request, "Child removed from this referral")
            return redirect(_page_url(draft, drafts.CHILDREN))
        if action == "add":
            if not drafts.may_add_child(draft):
                return _children_page(request, draft, too_many=True)
            return redirect("referrals:child", draft.pk, "new")
        if not draft.data.get("children"):
            return render(
                request,
                "referrals/children.html",
                _context(
                    draft,
                    children=[],
                    no_children_error=True,
                    back_url=_back_url(request, draft, drafts.CHILDREN),
                ),
                status=200,
            )
        return redirect(_page_url(draft, drafts.next_page(draft, drafts.CHILDREN)))
    if not draft.data.get("children"):
        return redirect("referrals:child", draft.pk, "new")
    return _children_page(request, draft)


def _children_page(request, draft, *, too_many: bool = False) -> HttpResponse:
    forms_ = drafts.child_forms(draft)
    rows = []
    for index, form in enumerate(forms_):
        form.is_valid()
        rows.append(
            {
                "index": index,
                "form": form,
                "name": " ".join(
                    filter(
                        None, [form.data.get("child_first_name"), form.data.get("child_last_name")]
                    )
                )
                or f"Child {index + 1}",
            }
        )
    return render(
        request,
        "referrals/children.html",
        _context(
            draft,
            children=rows,
            may_add_child=drafts.may_add_child(draft),
            max_children=settings.MAX_CHILDREN_PER_REFERRAL,
            too_many_error=too_many_children_message() if too_many else "",
            back_url=_back_url(request, draft, drafts.CHILDREN),
        ),
    )


def _save_child_on_timeout(request, user, draft_id, index):
    position = None if index == "new" else whole_number(index)
    if index != "new" and position is None:
        raise Http404
    draft = drafts.get_draft(user=user, draft_id=draft_id)
    drafts.save_child(draft, position, request.POST)


def _child_action(request, draft, position) -> str:
    url = reverse("referrals:child", args=[draft.pk, position])
    return _change_link(url) if _returning_to_check(request) else url


@require_http_methods(["GET", "POST"])
def child(request: HttpRequest, draft_id: int, index: str) -> HttpResponse:
    draft = drafts.get_draft(user=request.user, draft_id=draft_id)
    stored_children = draft.data.get("children", [])
    if index == "new":
        position = None
    else:
        # ASCII digits, and not thousands of them (core.numbers): else no such child.
        position = whole_number(index)
        if position is None or position >= len(stored_children):
            raise Http404
    if request.method == "POST":
        try:
            position = drafts.save_child(draft, position, request.POST)
        except drafts.DraftRefused as exc:
            # Nothing stored: the page shows what was sent, and why.
            form = ChildForm(request.POST)
            form.is_valid()
            _refused(form, exc)
            return render(
                request,
                "referrals/child.html",
                _context(
                    draft,
                    form=form,
                    position=position,
                    hide_errors=False,
                    action_url=_child_action(request, draft, index),
                    back_url=_back_url(request, draft, "child"),
                ),
            )
        form = ChildForm(request.POST)
        if form.is_valid():
            if _returning_to_check(request):
                return redirect("referrals:check", draft.pk)
            return redirect(_page_url(draft, drafts.CHILDREN))
        # Saved as typed: the page is now this child's own, so a retry edits it.
        return render(
            request,
            "referrals/child.html",
            _context(
                draft,
                form=form,
                position=position,
                hide_errors=False,
                action_url=_child_action(request, draft, position),
                back_url=_back_url(request, draft, "child"),
            ),
        )
    if position is None:
        form = ChildForm()
    else:
        form = ChildForm(drafts.as_querydict(stored_children[position]))
    return render(
        request,
        "referrals/child.html",
        _context(
            draft,
            form=form,
            position=position,
            hide_errors=True,
            action_url=_child_action(request, draft, index),
            back_url=_back_url(request, draft, "child"),
        ),
    )


child.save_on_timeout = _save_child_on_timeout
child = referral_form_view(child)


@referral_form_view
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, draft_id: int) -> HttpResponse:
    sent = drafts.sent_submission(user=request.user, draft_id=draft_id)
    if sent is not None:
        # Sent already (a double click, or the back button): show what was sent.
        return redirect("referrals:submitted", sent.pk)
    draft = drafts.get_draft(user=request.user, draft_id=draft_id)
    if request.method == "POST":
        submission, problems = drafts.submit_draft(draft_id=draft.pk, by=request.user)
        if submission is not None:
            return redirect("referrals:submitted", submission.pk)
    else:
        problems = None
    cleaned, found = drafts.check_draft(draft, user=request.user)
    summary = []
    for index, form in enumerate(drafts.child_forms(draft)):
        if form.is_valid():
            summary.append(
                {
                    "title": f"Child: {form.cleaned_data['child_first_name']} "
                    f"{form.cleaned_data['child_last_name']}",
                    "page": _change_link(reverse("referrals:child", args=[draft.pk, index])),
                    "rows": drafts.summary_rows(form),
                }
            )
    for current in drafts.sections_for(draft):
        form = drafts.bound_form(draft, current, user=request.user)
        if drafts.stored(draft, current.slug) is not None and form.is_valid():
            rows = drafts.summary_rows(form)
            if current is drafts.FAMILY:
                people = [
                    f"{m['name']} ({m['relationship']})"
                    + (f": {m['known_risk']}" if m.get("known_risk") else "")
                    for m in cleaned["household"]
                ]
                rows.append(("Household", "; ".join(people) or "Not given"))
            summary.append(
                {
                    "title": current.title,
                    "page": _change_link(_page_url(draft, current.slug)),
                    "rows": rows,
                }
            )
    problem_list = [
        {"message": p.message, "url": _page_url(draft, p.page)} for p in (problems or found)
    ]
    prompts = [p for p in drafts.coaching_prompts(draft) if not p.refused]
    drafts.record_shown(draft, prompts)
    prompt_list = [
        {
            "field": coaching_rules.FIELD_NAMES[p.field],
            "message": p.message,
            "rule": p.rule,
            "url": _page_url(draft, drafts.FIELD_PAGES[p.field]) + f"#id_{p.field}",
        }
        for p in prompts
    ]
    return render(
        request,
        "referrals/check.html",
        _context(
            draft,
            summary=summary,
            problems=problem_list,
            show_problems=problems is not None or bool(found),
            prompts=prompt_list,
            back_url=_back_url(request, draft, "check"),
        ),
        status=200,
    )


@login_required
@require_GET
def submitted(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = get_object_or_404(Submission, pk=submission_id, submitted_by=request.user)
    referrals = list(
        referrals_visible_to(request.user).filter(submission=submission).order_by("reference")
    )
    log_list(
        request=request,
        kind=AccessLog.Kind.REFERRAL_LIST,
        ids={"referrals": [r.pk for r in referrals]},
    )
    return render(
        request,
        "referrals/submitted.html",
        {
            "referrals": referrals,
            "immediate_risk": any(r.immediate_risk for r in referrals),
        },
    )
