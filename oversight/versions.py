"""Every version of a record and of the records that belong to it, read from
django-simple-history's tables, with who made it, when, and what changed in words an
auditor reads: field labels, choices by their labels, users by username, agencies by
name, long text as before and after.

A history page is made of ``Source``s: one tracked model and which of its history rows
belong to the record (a referral's own rows, its screening notes', its decision's...).
Their versions are put in one time order and paged; only the page's rows, and the row
before each, are read in full.
"""

from __future__ import annotations

import bisect
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.paginator import Page, Paginator
from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format

from agencies.census import SOURCE_OF_REFERRAL
from agencies.models import Role, User
from referrals.census import Disability
from referrals.models import Outcome
from triage.models import Section47Outcome

PAGE_SIZE = 50

CREATED, CHANGED, REMOVED = "+", "~", "-"
ACTIONS = {CREATED: "Created", CHANGED: "Changed", REMOVED: "Removed"}

NOT_SET = "Not set"

# Labels clearer than a field's own name, by field name (the same name means the same
# thing on every model here).
LABELS = {
    "worry": "What the referrer is worried about",
    "lived_experience": "The child's lived experience",
    "child_voice": "The child's voice",
    "voice_worries": "Three houses: worries",
    "voice_good_things": "Three houses: good things",
    "voice_dreams": "Three houses: dreams",
    "new_or_pattern": "New, or part of a pattern",
    "history_and_pattern": "History and pattern",
    "working_well": "What is working well",
    "what_should_happen": "What the referrer thinks should happen",
    "consent_not_sought_reason": "Why consent was not sought",
    "other_professionals": "Other professionals involved",
    "immediate_risk": "Immediate risk",
    "source_of_referral": "Source of referral (census code)",
    "assigned_to": "Allocated to",
    "assigned_at": "Allocated at",
    "child": "Child record",
    "child_nhs_number": "Child's NHS number",
    "nhs_number": "NHS number",
    "child_date_of_birth": "Child's date of birth",
    "child_expected_date_of_birth": "Child's expected date of birth",
    "child_disabilities": "Child's disabilities",
    "child_interpreter_needed": "Child needs an interpreter",
    "interpreter_needed": "Needs an interpreter",
    "section47_outcome": "Section 47 outcome",
    "no_enquiry_reason": "Why no section 47 enquiry",
    "missing_members_reason": "Why police, social care or health were missing",
    "minutes_circulated_at": "Minutes circulated to professionals",
    "minutes_to_family_at": "Minutes sent to the family",
    "known_at_decision": "Known at the decision",
    "lived_experience_impact": "What the child's lived experience means for the decision",
    "owner_user": "Owner (Front Door user)",
    "outcome_changed_from": "Section 47 outcome changed from",
    "outcome_changed_to": "Section 47 outcome changed to",
}

# Fields that hold a choice's value without declaring the choices.
VALUE_CHOICES = {
    "recommended_outcome": dict(Outcome.choices),
    "outcome_changed_from": dict(Section47Outcome.choices),
    "outcome_changed_to": dict(Section47Outcome.choices),
    # In words, with the code a census return uses: "Schools (2A)".
    "source_of_referral": {code: f"{words} ({code})" for code, words in SOURCE_OF_REFERRAL.items()},
}
DISABILITY_FIELDS = {"disabilities", "child_disabilities"}


# --- What a page is made of -------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One tracked model's history rows that belong to the record shown."""

    model: type[models.Model]
    label: str
    rows: Callable[[models.QuerySet], models.QuerySet]
    # Fields not worth repeating on every version (the link to the record shown).
    hide: tuple[str, ...] = ()
    # Records that belong to the one shown are told apart by number ("Screening note
    # 12"); the record itself is not.
    numbered: bool = True

    @property
    def history(self) -> models.QuerySet:
        return self.rows(self.model.history.all())


@dataclass
class Change:
    label: str
    before: str
    after: str
    long: bool = False


@dataclass
class Version:
    at: datetime
    label: str
    object_id: int
    action: str
    username: str
    role: str
    reason: str
    changes: list[Change] = field(default_factory=list)
    first_kept: bool = False  # a change with no earlier version to compare with

    @property
    def action_label(self) -> str:
        return ACTIONS.get(self.action, self.action)


@dataclass(frozen=True)
class _Key:
    at: datetime
    source: int
    history_id: int
    object_id: int


def versions_page(sources: list[Source], page_number) -> Page:
    """The page ``page_number`` of every version of ``sources``, oldest first; its
    ``object_list`` holds ``Version``s."""
    keys = []
    for index, source in enumerate(sources):
        rows = source.history.values_list("history_date", "history_id", "id")
        keys.extend(_Key(at, index, history_id, object_id) for at, history_id, object_id in rows)
    keys.sort(key=lambda k: (k.at, k.source, k.history_id))

    # The version before each, of the same object: what a change is measured against.
    previous: dict[_Key, _Key] = {}
    last: dict[tuple[int, int], _Key] = {}
    for key in keys:
        earlier = last.get((key.source, key.object_id))
        if earlier is not None:
            previous[key] = earlier
        last[(key.source, key.object_id)] = key

    page = Paginator(keys, PAGE_SIZE).get_page(page_number)
    shown = list(page.object_list)
    wanted = defaultdict(set)
    for key in shown:
        wanted[key.source].add(key.history_id)
        if key in previous:
            wanted[key.source].add(previous[key].history_id)
    rows = {}
    for index, ids in wanted.items():
        for row in sources[index].history.filter(history_id__in=ids):
            rows[(index, row.history_id)] = row

    values = _Values()
    people = _People()
    drafts = []
    for key in shown:
        source = sources[key.source]
        row = rows[(key.source, key.history_id)]
        before = previous.get(key)
        old = rows[(key.source, before.history_id)] if before else None
        raw = _raw_changes(source, row, old)
        values.want(raw)
        people.want(row.history_user_id)
        drafts.append((key, source, row, old, raw))
    values.load()
    people.load()

    versions = []
    for key, source, row, old, raw in drafts:
        username, role = people.at(row.history_user_id, row.history_date)
        versions.append(
            Version(
                at=row.history_date,
                label=f"{source.label} {key.object_id}" if source.numbered else source.label,
                object_id=key.object_id,
                action=row.history_type,
                username=username,
                role=role,
                reason=row.history_change_reason or "",
                changes=[
                    Change(
                        label=_label(f),
                        before=values.display(f, before_value) if old is not None else "",
                        after=values.display(f, after_value),
                        long=_is_long(f),
                    )
                    for f, before_value, after_value in raw
                ],
                first_kept=old is None and row.history_type == CHANGED,
            )
        )
    page.object_list = versions
    return page


def _shown_fields(source: Source) -> list[models.Field]:
    hidden = {"id", *source.hide}
    return [f for f in source.model.history.model.tracked_fields if f.name not in hidden]


def _raw_changes(source: Source, row, old) -> list[tuple[models.Field, object, object]]:
    """(field, old value, new value) for each field that changed; on a first version
    every field with a value; on a removal none (the version before shows what it
    held)."""
    if row.history_type == REMOVED:
        return []
    changes = []
    for f in _shown_fields(source):
        new = getattr(row, f.attname)
        if old is None:
            if not _empty(new):
                changes.append((f, None, new))
            continue
        before = getattr(old, f.attname)
        if before != new:
            changes.append((f, before, new))
    return changes


def _label(f: models.Field) -> str:
    text = LABELS.get(f.name) or str(f.verbose_name)
    return text[:1].upper() + text[1:]


def _is_long(f: models.Field) -> bool:
    return isinstance(f, models.TextField) or (
        isinstance(f, models.JSONField) and f.name not in DISABILITY_FIELDS
    )


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


# --- Values in words --------------------------------------------------------------------


def _user_name(user: User) -> str:
    return user.username


def _child_record(child) -> str:
    # A child is named by record number, never by name, wherever the page points at one.
    return f"Child record {child.pk}"


RELATED_DISPLAY: dict[str, Callable[[models.Model], str]] = {
    "agencies.user": _user_name,
    "agencies.agency": lambda agency: agency.name,
    "referrals.child": _child_record,
    "referrals.referral": lambda referral: referral.reference,
    "referrals.submission": lambda submission: f"Submission {submission.pk}",
}


class _Values:
    """Turns stored values into words; related rows are read once for the page."""

    def __init__(self) -> None:
        self.wanted: dict[tuple[type[models.Model], str], set] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], str], dict] = {}

    def want(self, raw) -> None:
        for f, before, after in raw:
            if isinstance(f, models.ForeignKey):
                key = (f.related_model, f.target_field.attname)
                self.wanted[key].update(v for v in (before, after) if v is not None)

    def load(self) -> None:
        for (model, to_field), values in self.wanted.items():
            rows = model._base_manager.filter(**{f"{to_field}__in": values})
            self.found[(model, to_field)] = {getattr(r, to_field): r for r in rows}

    def display(self, f: models.Field, value) -> str:
        if _empty(value):
            return NOT_SET
        if isinstance(f, models.ForeignKey):
            related = self.found.get((f.related_model, f.target_field.attname), {}).get(value)
            if related is None:
                return f"{f.related_model._meta.verbose_name.capitalize()} {value} (removed)"
            show = RELATED_DISPLAY.get(f.related_model._meta.label_lower, str)
            return show(related)
        if f.name in DISABILITY_FIELDS and isinstance(value, list):
            labels = dict(Disability.choices)
            return "; ".join(str(labels.get(code, code)) for code in value)
        if f.choices:
            return str(dict(f.flatchoices).get(value, value))
        if f.name in VALUE_CHOICES:
            return str(VALUE_CHOICES[f.name].get(value, value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, datetime):
            return date_format(timezone.localtime(value), "D j M Y, H:i")
        if isinstance(value, date):
            return date_format(value, "D j M Y")
        if isinstance(f, models.JSONField):
            return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)
        return str(value)


class _People:
    """Who made each version: the username and the role they held then (the user's own
    history says), or the system where no one signed in made it."""

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.timeline: dict[int, tuple[list[datetime], list[tuple[str, str]]]] = {}

    def want(self, user_id) -> None:
        if user_id is not None:
            self.ids.add(user_id)

    def load(self) -> None:
        by_user: dict[int, list] = defaultdict(list)
        rows = (
            User.history.filter(id__in=self.ids)
            .order_by("id", "history_date", "history_id")
            .values_list("id", "history_date", "username", "role")
        )
        for user_id, at, username, role in rows:
            by_user[user_id].append((at, (username, role)))
        for user in User.objects.filter(pk__in=self.ids - set(by_user)):
            by_user[user.pk].append((user.date_joined, (user.username, user.role)))
        for user_id, entries in by_user.items():
            self.timeline[user_id] = ([at for at, _ in entries], [who for _, who in entries])

    def at(self, user_id, at) -> tuple[str, str]:
        if user_id is None:
            return "The system", ""
        if user_id not in self.timeline:
            return f"User {user_id} (removed)", ""
        dates, who = self.timeline[user_id]
        # The last state at or before the version; before the user's first kept state
        # (demo data dated in the past), the first.
        index = max(bisect.bisect_right(dates, at) - 1, 0)
        username, role = who[index]
        return username, _role_label(role)


def _role_label(role: str) -> str:
    try:
        return str(Role(role).label)
    except ValueError:
        return role
