"""Referral drafts: what the user typed in each section, kept on the server as they go.

A draft stores the raw input of every section, valid or not, so nothing typed is lost on
a validation error or a session timeout. The forms are rebuilt from it to check and to
submit; the service applies the rules.

Raw, but bounded before it is stored (``read_input``): only the keys the page's form
reads are kept, each value cleaned of control and invisible characters (core.text) and
no longer than its field's maximum; a draft names at most
``settings.MAX_CHILDREN_PER_REFERRAL`` children and holds at most
``settings.MAX_DRAFT_CHARACTERS`` in all. Input over a bound is refused whole
(``DraftRefused``, naming the field), and what was saved before is kept.

Kept no longer than needed: once the referral is sent the draft is emptied, keeping only
its link to the submission (so a second "Send" leads to the same referrals); a draft
not sent is deleted ``settings.DRAFT_RETENTION_DAYS`` after it was last saved
(``purge_unsent_drafts``, nightly from beat). Drafts are not history-tracked, so no copy
of what was typed survives elsewhere.

The form's pages are defined in ``draft_sections``, the bounding and the locked write in
``draft_store``, the coaching prompts in ``draft_coaching``; this module is the drafts'
one entry point and names what they give (``__all__``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from agencies.policy import may_refer, refers_on_behalf
from referrals import forms
from referrals.draft_coaching import (
    COACHED_SECTIONS,
    coaching_prompts,
    record_coaching,
    record_shown,
    record_shown_keys,
    shown_while_typing,
    unseen,
)
from referrals.draft_sections import (
    CHILD_WORLD,
    CHILDREN,
    CONCERNS,
    CONTACT,
    FAMILY,
    FORM_SECTIONS,
    NEXT_STEPS,
    RECEIVED,
    Section,
    flow_for,
    next_page,
    previous_page,
    section_by_slug,
    sections_for,
    stored,
)
from referrals.draft_store import (
    HOUSEHOLD_PREFIX,
    DraftRefused,
    _child_bounds,
    _section_bounds,
    as_querydict,
    read_input,
    section_input,
    write_draft,
)
from referrals.models import Channel, ReferralDraft
from referrals.services import ReferralError, submit_referrals, too_many_children_message

# What the views, the tasks and the tests use, wherever it is kept.
__all__ = [
    "CHILD_WORLD",
    "CHILDREN",
    "COACHED_SECTIONS",
    "CONCERNS",
    "CONTACT",
    "FAMILY",
    "FIELD_PAGES",
    "FORM_SECTIONS",
    "HOUSEHOLD_PREFIX",
    "NEXT_STEPS",
    "RECEIVED",
    "DraftRefused",
    "Problem",
    "Section",
    "_child_bounds",
    "_section_bounds",
    "as_querydict",
    "bound_form",
    "check_draft",
    "child_forms",
    "coaching_prompts",
    "flow_for",
    "get_draft",
    "has_immediate_risk",
    "household_formset",
    "may_add_child",
    "next_page",
    "previous_page",
    "open_drafts",
    "purge_unsent_drafts",
    "read_input",
    "record_shown",
    "record_shown_keys",
    "remove_child",
    "save_child",
    "save_section",
    "section_by_slug",
    "section_input",
    "sections_for",
    "sent_submission",
    "shown_while_typing",
    "start_draft",
    "stored",
    "submit_draft",
    "summary_rows",
    "unseen",
]

logger = logging.getLogger("frontdoor.referrals")


def start_draft(*, by) -> ReferralDraft:
    if not may_refer(by):
        raise PermissionError
    on_behalf = refers_on_behalf(by)
    return ReferralDraft.objects.create(
        owner=by, data={"on_behalf": on_behalf, "sections": {}, "children": []}
    )


def open_drafts(user):
    return ReferralDraft.objects.filter(owner=user, submission__isnull=True).order_by("-updated_at")


def get_draft(*, user, draft_id: int) -> ReferralDraft:
    """The user's own unsubmitted draft, or 404."""
    try:
        return open_drafts(user).get(pk=draft_id)
    except ReferralDraft.DoesNotExist:
        raise Http404 from None


def sent_submission(*, user, draft_id: int):
    draft = (
        ReferralDraft.objects.filter(pk=draft_id, owner=user, submission__isnull=False)
        .select_related("submission")
        .first()
    )
    return draft.submission if draft else None


def save_section(draft: ReferralDraft, slug: str, post) -> None:
    """Keep what was posted on a section's page (bounded first: see ``read_input``)."""
    raw = section_input(slug, post)

    def change(data: dict) -> None:
        data.setdefault("sections", {})[slug] = raw

    write_draft(draft, change, bounded=True)


def save_child(draft: ReferralDraft, index: int | None, post) -> int:
    """Keep what was posted about one child (``index`` None: a new child, refused past
    settings.MAX_CHILDREN_PER_REFERRAL); returns the child's position."""
    raw = read_input(post, _child_bounds())

    def change(data: dict) -> int:
        children = data.setdefault("children", [])
        if index is None or index >= len(children):
            if len(children) >= settings.MAX_CHILDREN_PER_REFERRAL:
                raise DraftRefused({"children": [too_many_children_message()]})
            children.append(raw)
            return len(children) - 1
        children[index] = raw
        return index

    return write_draft(draft, change, bounded=True)


def may_add_child(draft: ReferralDraft) -> bool:
    return len(draft.data.get("children", [])) < settings.MAX_CHILDREN_PER_REFERRAL


def remove_child(draft: ReferralDraft, index: int) -> None:
    def change(data: dict) -> None:
        children = data.get("children", [])
        if 0 <= index < len(children):
            children.pop(index)

    write_draft(draft, change)


def bound_form(draft: ReferralDraft, section: Section, *, user=None):
    raw = stored(draft, section.slug)
    if raw is None:
        return section.form_class(initial=initial_for(section, user))
    return section.form_class(as_querydict(raw))


def household_formset(draft: ReferralDraft):
    raw = stored(draft, FAMILY.slug)
    if raw is not None and "household-TOTAL_FORMS" in raw:
        return forms.HouseholdFormSet(as_querydict(raw), prefix="household")
    return forms.HouseholdFormSet(prefix="household", initial=[{}] * forms.HOUSEHOLD_ROWS)


def child_forms(draft: ReferralDraft) -> list:
    return [forms.ChildForm(as_querydict(raw)) for raw in draft.data.get("children", [])]


def initial_for(section: Section, user) -> dict:
    if section is CONTACT and user is not None:
        return {
            "referrer_name": user.display_name,
            "referrer_role": user.job_title,
            "referrer_phone": user.phone,
            "referrer_email": user.email,
        }
    return {}


def has_immediate_risk(draft: ReferralDraft) -> bool:
    raw = stored(draft, CONCERNS.slug) or {}
    return raw.get("immediate_risk", [""])[0] == "yes"


# --- Check your answers and submission ------------------------------------------------


@dataclass
class Problem:
    page: str
    message: str


def check_draft(draft: ReferralDraft, *, user) -> tuple[dict, list[Problem]]:
    """Every section's cleaned data, and what is missing or wrong, page by page."""
    problems: list[Problem] = []
    cleaned: dict = {"sections": {}, "children": [], "household": []}
    children = child_forms(draft)
    if not children:
        problems.append(Problem(CHILDREN, "Add the child you are referring"))
    elif len(children) > settings.MAX_CHILDREN_PER_REFERRAL:
        problems.append(Problem(CHILDREN, too_many_children_message()))
    for number, form in enumerate(children, start=1):
        if form.is_valid():
            cleaned["children"].append(form.cleaned_data)
        else:
            problems.append(Problem(CHILDREN, f"Child {number}: {first_error(form)}"))
    for section in sections_for(draft):
        if stored(draft, section.slug) is None:
            problems.append(Problem(section.slug, f"{section.title}: not answered yet"))
            continue
        form = bound_form(draft, section, user=user)
        if form.is_valid():
            cleaned["sections"][section.slug] = form.cleaned_data
        else:
            problems.append(Problem(section.slug, f"{section.title}: {first_error(form)}"))
        if section is FAMILY:
            formset = household_formset(draft)
            if formset.is_valid():
                cleaned["household"] = [
                    f.cleaned_data for f in formset.forms if f.cleaned_data and not f.is_blank
                ]
            else:
                problems.append(Problem(FAMILY.slug, "Household: check the people you listed"))
    return cleaned, problems


def first_error(form) -> str:
    for errors in form.errors.values():
        return str(errors[0])
    return "check your answers"


FIELD_PAGES = {
    "received_at": RECEIVED.slug,
    "concerns": CONCERNS.slug,
    "worry": CONCERNS.slug,
    "lived_experience": CHILD_WORLD.slug,
    "child_voice": CHILD_WORLD.slug,
    "new_or_pattern": CHILD_WORLD.slug,
    "history_and_pattern": CHILD_WORLD.slug,
    "parental_consent": FAMILY.slug,
    "consent_not_sought_reason": FAMILY.slug,
}


@transaction.atomic
def submit_draft(*, draft_id: int, by):
    draft = ReferralDraft.objects.select_for_update().get(pk=draft_id, owner=by)
    if draft.submission_id:
        return draft.submission, []
    cleaned, problems = check_draft(draft, user=by)
    if problems:
        return None, problems
    sections = cleaned["sections"]
    details = {
        **sections[CONCERNS.slug],
        **sections[CHILD_WORLD.slug],
        **sections[FAMILY.slug],
        **sections[NEXT_STEPS.slug],
    }
    concerns = details.pop("concerns")
    received = sections.get(RECEIVED.slug)
    try:
        if received:
            referrals = submit_referrals(
                by=by,
                children=cleaned["children"],
                details=details,
                concerns=concerns,
                household=cleaned["household"],
                contact=received,
                channel=Channel(received["channel"]),
                received_at=received["received_at"],
                caller_type=received["caller_type"],
                caller_agency=received["caller_agency"],
            )
        else:
            referrals = submit_referrals(
                by=by,
                children=cleaned["children"],
                details=details,
                concerns=concerns,
                household=cleaned["household"],
                contact=sections[CONTACT.slug],
                channel=Channel.WEB,
            )
    except ReferralError as exc:
        return None, [
            Problem(FIELD_PAGES.get(field, CHILDREN), " ".join(messages))
            for field, messages in exc.errors.items()
        ]
    record_coaching(draft, referrals)
    # What was typed now lives in the referrals (and their coaching records): the draft
    # keeps only its link to the submission, which is what a second "Send", the back
    # button and the confirmation page need. Nothing reads a sent draft's data.
    draft.submission = referrals[0].submission
    draft.data = {}
    draft.updated_at = timezone.now()
    draft.save(update_fields=["submission", "data", "updated_at"])
    return draft.submission, []


def purge_unsent_drafts(*, now: datetime | None = None) -> int:
    """Delete every draft not sent and not saved for settings.DRAFT_RETENTION_DAYS (the
    referrer has not come back to it); returns how many. One DELETE with the age and
    "not sent" in its WHERE: a draft saved or sent while it runs is checked again by the
    database once its lock is released, and kept. Sent drafts are kept (they hold no
    more than the link to their submission)."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.DRAFT_RETENTION_DAYS)
    deleted, _ = ReferralDraft.objects.filter(
        submission__isnull=True, updated_at__lt=cutoff
    ).delete()
    logger.info(
        "referral drafts purged: %d not sent in %d days", deleted, settings.DRAFT_RETENTION_DAYS
    )
    return deleted


def display_value(field, value) -> str:
    if value in (None, "", []):
        return "Not given"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    choices = dict(getattr(field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(v, v)) for v in value)
    if choices and value in choices:
        return str(choices[value])
    return str(value)


def summary_rows(form) -> list[tuple[str, str]]:
    rows = []
    for name, field in form.fields.items():
        if name in ("received_date", "received_time", "child_first_language_answer"):
            continue
        if name in forms.EXPLANATIONS.values() and not form.cleaned_data.get(name):
            continue
        rows.append((str(field.label), display_value(field, form.cleaned_data.get(name))))
    if "received_at" in form.cleaned_data:
        moment = timezone.localtime(form.cleaned_data["received_at"])
        rows.insert(1, ("Received", f"{moment.day} {moment:%B %Y at %H:%M}"))
    return rows
