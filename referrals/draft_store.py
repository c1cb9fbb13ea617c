"""What a referral draft keeps of a POST, cleaned and bounded, and the one way its data is
written: under a row lock, refused whole when over a bound (referrals.drafts says why)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from django import forms as django_forms
from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.datastructures import MultiValueDict

from core.exceptions import DomainError
from core.text import clean_text
from referrals import forms
from referrals.draft_sections import FAMILY, FORM_SECTIONS
from referrals.form_mixins import is_multiline
from referrals.models import NARRATIVE_MAX, ReferralDraft


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
        found[key] = Bound(label, limit, values, is_multiline(field))
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


def write_draft(draft: ReferralDraft, change, *, bounded: bool = False):
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
