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
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from django import forms as django_forms
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from agencies.models import Agency
from agencies.policy import may_refer, refers_on_behalf
from core.exceptions import DomainError
from core.text import clean_text
from referrals import coaching, forms
from referrals.models import NARRATIVE_MAX, Channel, CoachingPrompt, ReferralDraft
from referrals.services import ReferralError, submit_referrals, too_many_children_message

logger = logging.getLogger("frontdoor.referrals")


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    form_class: type
    staff_only: bool = False
    referrer_only: bool = False


RECEIVED = Section("received", "How the referral was received", forms.ReceivedForm, staff_only=True)
CONCERNS = Section("concerns", "Concerns", forms.ConcernsForm)
CHILD_WORLD = Section("child-world", "The child's world", forms.ChildWorldForm)
FAMILY = Section("family", "Family and household", forms.FamilyForm)
NEXT_STEPS = Section("next-steps", "What needs to happen", forms.NextStepsForm)
CONTACT = Section("your-details", "Your contact details", forms.ContactForm, referrer_only=True)
FORM_SECTIONS = [RECEIVED, CONCERNS, CHILD_WORLD, FAMILY, NEXT_STEPS, CONTACT]
CHILDREN = "children"


def sections_for(draft: ReferralDraft) -> list[Section]:
    on_behalf = draft.data.get("on_behalf", False)
    return [
        s
        for s in FORM_SECTIONS
        if not (s.staff_only and not on_behalf) and not (s.referrer_only and on_behalf)
    ]


def flow_for(draft: ReferralDraft) -> list[str]:
    """The order of pages: sections with the children's page after 'received'."""
    slugs = [s.slug for s in sections_for(draft)]
    position = 1 if slugs and slugs[0] == RECEIVED.slug else 0
    return slugs[:position] + [CHILDREN] + slugs[position:] + ["check"]


def next_page(draft: ReferralDraft, slug: str) -> str:
    flow = flow_for(draft)
    return flow[flow.index(slug) + 1]


def section_by_slug(draft: ReferralDraft, slug: str) -> Section:
    for section in sections_for(draft):
        if section.slug == slug:
            return section
    raise Http404


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


# --- What a draft keeps of a POST: the form's own keys, cleaned and bounded ------------


class DraftRefused(DomainError):
    """Input a draft will not store (a field too long, too many children, too much in
    all); ``errors`` maps the field to a message naming it. Nothing of the request is
    stored, and what was saved before is kept."""


# A choice, an agency's id, a part of a date, a formset's count: never longer than this.
SHORT_VALUE_MAX = 100
HOUSEHOLD_PREFIX = "household"


@dataclass(frozen=True)
class Bound:
    label: str
    max_chars: int
    max_values: int = 1
    multiline: bool = False


def _bounds(form_class, *, prefix: str = "", label_prefix: str = "") -> dict[str, Bound]:
    """The POST keys a form reads, each with its bound: a text field's own max_length, a
    short bound for choices, ids and the parts of a date."""
    found = {}
    for name, field in form_class.base_fields.items():
        key = f"{prefix}{name}"
        label = label_prefix + str(field.label or name).removesuffix(" (optional)")
        widget = field.widget
        if isinstance(widget, django_forms.MultiWidget):
            for suffix in widget.widgets_names:
                found[key + suffix] = Bound(label, SHORT_VALUE_MAX)
            continue
        if isinstance(field, django_forms.CharField):
            limit = field.max_length or NARRATIVE_MAX
        else:
            limit = SHORT_VALUE_MAX
        values = len(field.choices) if getattr(widget, "allow_multiple_selected", False) else 1
        found[key] = Bound(label, limit, values, forms.is_multiline(field))
    return found


@cache
def _section_bounds(slug: str) -> dict[str, Bound]:
    section = next((s for s in FORM_SECTIONS if s.slug == slug), None)
    if section is None:
        raise Http404
    found = _bounds(section.form_class)
    if section is FAMILY:
        management = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
        for name in management:
            found[f"{HOUSEHOLD_PREFIX}-{name}"] = Bound("Household", SHORT_VALUE_MAX)
        for row in range(forms.HouseholdFormSet.max_num):
            found.update(
                _bounds(
                    forms.HouseholdMemberForm,
                    prefix=f"{HOUSEHOLD_PREFIX}-{row}-",
                    label_prefix=f"Person {row + 1}: ",
                )
            )
    return found


@cache
def _child_bounds() -> dict[str, Bound]:
    return _bounds(forms.ChildForm)


def read_input(post, bounds: dict[str, Bound], *, truncate: bool = False) -> dict:
    """What a draft keeps of ``post``: the keys in ``bounds`` (the rest, such as the CSRF
    token and the buttons, are dropped), each value cleaned (core.text) and checked
    against its bound. A field's last value is the one its form reads, so only that is
    kept, except for a multiple choice. Over a bound raises DraftRefused naming the
    field, or, with ``truncate`` (for reading only: the coaching prompts), cuts it."""
    kept: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    for key in post:
        bound = bounds.get(key)
        if bound is None:
            continue
        if hasattr(post, "getlist"):
            values = post.getlist(key)
        else:
            value = post[key]
            values = list(value) if isinstance(value, list | tuple) else [value]
        values = [clean_text(str(v), multiline=bound.multiline) for v in values]
        values = values[-1:] if bound.max_values == 1 else values
        if len(values) > bound.max_values:
            if not truncate:
                errors[key] = [f"{bound.label}: choose at most {bound.max_values}"]
            values = values[: bound.max_values]
        longest = max((len(v) for v in values), default=0)
        if longest > bound.max_chars:
            if not truncate:
                errors[key] = [
                    f"{bound.label}: {bound.max_chars:,} characters at most (you entered "
                    f"{longest:,}). Nothing on this page was saved: shorten it and save again"
                ]
            values = [v[: bound.max_chars] for v in values]
        kept[key] = values
    if errors:
        raise DraftRefused(errors)
    return kept


def section_input(slug: str, post, *, truncate: bool = False) -> dict:
    return read_input(post, _section_bounds(slug), truncate=truncate)


def as_querydict(raw: dict[str, list[str]]) -> MultiValueDict:
    return MultiValueDict({key: list(values) for key, values in raw.items()})


def _size(data: dict) -> int:
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")))


def _write(draft: ReferralDraft, change, *, bounded: bool = False):
    """Apply ``change`` to the draft's current data under a row lock, and save it: two
    tabs saving different pages of one draft at once must not undo each other (a copy
    read before the other saved would write its stale pages back). ``draft`` is brought
    up to date too. ``bounded``: refuse (DraftRefused, nothing written) when the draft
    would then hold more than settings.MAX_DRAFT_CHARACTERS. A draft sent (or deleted)
    since it was read is not written to: Http404, as for any draft no longer open, so a
    page saved in another tab cannot put what was typed back into a sent draft."""
    with transaction.atomic():
        try:
            current = (
                ReferralDraft.objects.select_for_update()
                .filter(submission__isnull=True)
                .get(pk=draft.pk)
            )
        except ReferralDraft.DoesNotExist:
            raise Http404 from None
        result = change(current.data)
        if bounded and _size(current.data) > settings.MAX_DRAFT_CHARACTERS:
            raise DraftRefused(
                {
                    "__all__": [
                        "This referral is too long to keep: its pages together may hold "
                        f"{settings.MAX_DRAFT_CHARACTERS:,} characters at most. Nothing on "
                        "this page was saved: shorten what you wrote and save again"
                    ]
                }
            )
        current.updated_at = timezone.now()
        current.save(update_fields=["data", "updated_at"])
    draft.data, draft.updated_at = current.data, current.updated_at
    return result


def save_section(draft: ReferralDraft, slug: str, post) -> None:
    """Keep what was posted on a section's page (bounded first: see ``read_input``)."""
    raw = section_input(slug, post)

    def change(data: dict) -> None:
        data.setdefault("sections", {})[slug] = raw

    _write(draft, change, bounded=True)


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

    return _write(draft, change, bounded=True)


def may_add_child(draft: ReferralDraft) -> bool:
    return len(draft.data.get("children", [])) < settings.MAX_CHILDREN_PER_REFERRAL


def remove_child(draft: ReferralDraft, index: int) -> None:
    def change(data: dict) -> None:
        children = data.get("children", [])
        if 0 <= index < len(children):
            children.pop(index)

    _write(draft, change)


def stored(draft: ReferralDraft, slug: str) -> dict | None:
    return draft.data.get("sections", {}).get(slug)


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


# --- Coaching: the prompts for what is written, and the record of those shown ---------

COACHED_SECTIONS = {CONCERNS.slug, CHILD_WORLD.slug}


def _first(raw: dict | None, name: str) -> str:
    values = (raw or {}).get(name) or [""]
    return values[0] or ""


def coaching_agency_type(draft: ReferralDraft) -> str | None:
    """The agency type the prompts are worded for: the referrer's own agency, or for a
    call recorded by the front door, the caller's agency where one was given."""
    if not draft.data.get("on_behalf", False):
        agency = draft.owner.agency
        return agency.type if agency else None
    agency_id = _first(stored(draft, RECEIVED.slug), "caller_agency")
    if agency_id.isdigit():
        return Agency.objects.filter(pk=int(agency_id)).values_list("type", flat=True).first()
    return None


def coaching_prompts(
    draft: ReferralDraft, *, posted: dict | None = None, slug: str | None = None
) -> list[coaching.Prompt]:
    """The prompts for the referral as written so far: for the fields of section ``slug``
    only (with ``posted``, the raw input being typed, in place of what is saved), or for
    every coached field."""
    concerns = stored(draft, CONCERNS.slug)
    world = stored(draft, CHILD_WORLD.slug)
    if slug == CONCERNS.slug and posted is not None:
        concerns = posted
    if slug == CHILD_WORLD.slug and posted is not None:
        world = posted
    texts = {
        coaching.WORRY: _first(concerns, "worry"),
        coaching.LIVED_EXPERIENCE: _first(world, "lived_experience"),
        coaching.CHILD_VOICE: _first(world, "child_voice"),
        coaching.HISTORY: _first(world, "history_and_pattern"),
    }
    if slug == CONCERNS.slug:
        fields: tuple[str, ...] = (coaching.WORRY,)
    elif slug == CHILD_WORLD.slug:
        fields = (coaching.LIVED_EXPERIENCE, coaching.CHILD_VOICE, coaching.HISTORY)
    else:
        fields = coaching.COACHED_FIELDS
    names = tuple(_first(child, "child_first_name") for child in draft.data.get("children", []))
    return coaching.coach(
        texts,
        agency_type=coaching_agency_type(draft),
        child_names=names,
        pattern=_first(world, "new_or_pattern"),
        voice_houses=tuple(_first(world, name) for name in forms.VOICE_HOUSES),
        fields=fields,
    )


def unseen(draft: ReferralDraft, prompts: list[coaching.Prompt]) -> list[coaching.Prompt]:
    shown = draft.data.get("coaching", {})
    return [p for p in prompts if p.key not in shown]


def shown_while_typing(post, prompts: list[coaching.Prompt] = ()) -> list[str]:
    """The prompt keys the page has shown while the referrer typed: those the page
    carried in its ``coaching_shown`` field (unknown keys dropped) and ``prompts``.
    The live endpoint hands them back to the page rather than writing the draft, so a
    keystroke's request never contends with "Save and continue" for the draft's row;
    the section's POST records them."""
    known = {f"{f}:{r}" for f in coaching.COACHED_FIELDS for r in coaching.RULES}
    keys = [k for k in (post.get("coaching_shown") or "").split() if k in known]
    keys += [p.key for p in prompts if not p.refused]
    return list(dict.fromkeys(keys))


def record_shown(draft: ReferralDraft, prompts: list[coaching.Prompt]) -> None:
    """Note in the draft when each prompt was first shown to the referrer; written to
    referrals.CoachingPrompt when the referral is sent."""
    record_shown_keys(draft, [p.key for p in prompts])


def record_shown_keys(draft: ReferralDraft, keys: list[str]) -> None:
    if all(key in draft.data.get("coaching", {}) for key in keys):
        return
    now = timezone.now().isoformat()

    def change(data: dict) -> None:
        record = data.setdefault("coaching", {})
        for key in keys:
            record.setdefault(key, {"shown_at": now})

    _write(draft, change)


def _explanations(draft: ReferralDraft) -> dict[str, str]:
    raw = {**(stored(draft, CONCERNS.slug) or {}), **(stored(draft, CHILD_WORLD.slug) or {})}
    return {
        field: _first(raw, name).strip()[: forms.EXPLANATION_MAX]
        for field, name in forms.EXPLANATIONS.items()
    }


def record_coaching(draft: ReferralDraft, referrals) -> None:
    """At submission: one CoachingPrompt per prompt shown, for each child's referral,
    with what became of it. A prompt that still fires but was never recorded as shown
    (the check page shows every prompt, so this is rare) counts as shown now."""
    final = coaching_prompts(draft)
    record_shown(draft, [p for p in final if not p.refused])
    still = {p.key for p in final}
    explanations = _explanations(draft)
    agency_type = coaching_agency_type(draft) or ""
    rows = []
    for key, entry in draft.data.get("coaching", {}).items():
        field, rule = key.split(":", 1)
        outcome = coaching.outcome(key, still_shown=still, explanations=explanations)
        for referral in referrals:
            rows.append(
                CoachingPrompt(
                    referral=referral,
                    field=field,
                    rule=rule,
                    agency_type=agency_type,
                    shown_at=datetime.fromisoformat(entry["shown_at"]),
                    outcome=outcome,
                    explanation=explanations[field] if outcome == coaching.EXPLAINED else "",
                )
            )
    CoachingPrompt.objects.bulk_create(rows)


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
