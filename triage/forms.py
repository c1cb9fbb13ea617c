"""Forms for screening and deciding. Rules live in the services; these parse input."""

from __future__ import annotations

from functools import partial

import django_filters
from django import forms
from django.conf import settings
from django.db import connections
from django.forms.models import ModelChoiceIterator
from django_filters.fields import ModelChoiceField as FilterModelChoiceField

from agencies import list_version
from agencies.models import Agency, Role
from agencies.policy import allocatable_users
from referrals import break_glass
from referrals.census import ConcernCategory
from referrals.forms import GovukFormMixin
from referrals.models import NARRATIVE_MAX, Outcome, Status
from triage import footprint, lateness, selectors
from triage.list_filters import ClockFilterSet, FixedChoiceFilter, QuickCheckbox, QuickSelect
from triage.models import QualityRating, ThresholdLevel

# The choice lists' statements, compiled once a process: (iterator class, alias) -> (SQL,
# parameters).
_CHOICE_STATEMENTS: dict[tuple[type, str], tuple[str, tuple]] = {}
# The lists as last read, kept by this process: (iterator class, alias) -> (the lists'
# version they were read under, their rows).
_KEPT_ROWS: dict[tuple[type, str], tuple[str, tuple]] = {}


class CompiledChoices(ModelChoiceIterator):
    """A model choice list read as rows of ``columns`` with no model built for each, by a
    statement compiled once a process for each database (the queue's lists are read on
    every page; compiling them cost more than running them). For one fixed queryset of
    agencies or staff, a subclass: the statement is kept by class, not by queryset (each
    is QueueFilter's own). Not agencies.compiled_reads: the parameters are the queryset's
    own fixed values, not markers, and the rows stay tuples, with no converters.

    Given the version of the lists (agencies.list_version), the rows are kept by the
    process and read again only when the version changes, which every saved agency and
    listed user's change does (the queue showed the same 600 agencies on every page, a
    statement each time); so an agency added or renamed, or a screener added or made
    inactive, shows at the next page, in every process. With no version (None) they are
    read afresh."""

    columns: tuple[str, ...] = ()

    def __init__(self, field, version: str | None = None):
        super().__init__(field)
        self.version = version

    def rows(self) -> tuple:
        alias = self.queryset.db
        key = (type(self), alias)
        if self.version is not None:
            kept = _KEPT_ROWS.get(key)
            if kept is not None and kept[0] == self.version:
                return kept[1]
        statement = _CHOICE_STATEMENTS.get(key)
        if statement is None:
            query = self.queryset.values_list(*self.columns).query
            sql, params = query.get_compiler(using=alias).as_sql()
            statement = _CHOICE_STATEMENTS[key] = (sql, tuple(params))
        with connections[alias].cursor() as cursor:
            cursor.execute(*statement)
            rows = tuple(cursor.fetchall())
        if self.version is not None:
            _KEPT_ROWS[key] = (self.version, rows)
        return rows

    def listed(self) -> tuple:
        """The choices as (value, text) pairs, flat, every text a str: what QuickSelect
        writes its options from (and keeps them by). Through ``iter()``: tuple() would ask
        the iterator's len() first, which is a COUNT statement."""
        return tuple(iter(self))


class NameChoices(CompiledChoices):
    """The agencies as (id, name) pairs: the queue's agency filter lists every agency
    (600 at national scale) on every page."""

    columns = ("pk", "name")

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.rows()

    def listed(self) -> tuple:
        """The rows are (id, name) pairs already: one tuple of them, with no Python loop
        over the 600 (the same pairs ``__iter__`` gives)."""
        rows = self.rows()
        if self.field.empty_label is None:
            return rows
        return (("", str(self.field.empty_label)), *rows)


class StaffChoices(CompiledChoices):
    """Users as "Name (role)"."""

    columns = ("pk", "first_name", "last_name", "username", "role")

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        roles = dict(Role.choices)
        for pk, first_name, last_name, username, role in self.rows():
            name = f"{first_name} {last_name}".strip() or username  # User.display_name
            yield (pk, f"{name} ({str(roles.get(role, role)).lower()})")


class CompiledChoiceField(FilterModelChoiceField):
    """django-filter's ModelChoiceField for a list read by CompiledChoices, copied for each
    form without copying its queryset twice (Django's copy calls ``queryset.all()``, and
    its setter again, a third of the cost of copying the queue's form). The queryset is
    never read itself here: CompiledChoices compiles it once a process and reads by its
    own statement, and a submitted value is checked through ``queryset.get()``, a new
    queryset; so every copy may share it."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)  # as ModelChoiceField's, less .all()
        result._queryset = self._queryset
        result.widget.choices = result.choices
        return result


class CompiledChoiceFilter(django_filters.ModelChoiceFilter):
    """A model choice filter whose list QueueFilter reads by CompiledChoices."""

    field_class = CompiledChoiceField


class QueueFilter(ClockFilterSet):
    status = FixedChoiceFilter(
        choices=[(s.value, s.label) for s in Status if s != Status.DECIDED],
        empty_label="Any status",
        widget=QuickSelect,
    )
    agency = CompiledChoiceFilter(
        queryset=Agency.objects.all(), empty_label="Any agency", widget=QuickSelect
    )
    concern = FixedChoiceFilter(
        choices=ConcernCategory.choices,
        method="filter_concern",
        empty_label="Any concern",
        widget=QuickSelect,
    )
    mine = django_filters.BooleanFilter(
        method="filter_mine", widget=QuickCheckbox, label="Allocated to me"
    )
    unallocated = django_filters.BooleanFilter(
        method="filter_unallocated", widget=QuickCheckbox, label="Unallocated"
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", widget=QuickCheckbox, label="Overdue"
    )
    due_soon = django_filters.BooleanFilter(
        method="filter_due_soon", widget=QuickCheckbox, label="Due soon"
    )
    unallocated_flagged = django_filters.BooleanFilter(
        method="filter_unallocated_flagged",
        widget=QuickCheckbox,
        label="Unallocated past the flag time",
    )
    assigned_to = CompiledChoiceFilter(
        queryset=allocatable_users().order_by("first_name", "last_name"),
        empty_label="Anyone",
        label="Allocated to",
        widget=QuickSelect,
    )

    def filter_concern(self, queryset, name, value):
        # From the concern bits in the queue's index (selectors.HasConcern).
        return queryset.filter(selectors.HasConcern(value))

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assigned_to=self.request.user) if value else queryset

    def filter_unallocated(self, queryset, name, value):
        return queryset.filter(assigned_to__isnull=True) if value else queryset

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(lateness.decision_overdue(self.now)) if value else queryset

    def filter_due_soon(self, queryset, name, value):
        return queryset.filter(lateness.decision_due_soon(self.now)) if value else queryset

    def filter_unallocated_flagged(self, queryset, name, value):
        return queryset.filter(lateness.unallocated_past_flag(self.now)) if value else queryset

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One version for both lists, read once a page (a round trip to the shared cache);
        # none where the cache is each process's own (CACHE_SHARED): read afresh there.
        version = list_version.current() if settings.CACHE_SHARED else None
        for name, iterator in (("agency", NameChoices), ("assigned_to", StaffChoices)):
            field = self.form.fields[name]
            field.iterator = partial(iterator, version=version)
            field.widget.choices = field.choices


class ScreeningPageForm(GovukFormMixin, forms.Form):
    """A form of the screening page, which holds several: each has its own ids
    (``<id_prefix>-<field>``), so that two fields of one name (the amendment's reason and
    the unlinking's) do not share one and the error summary's link finds its own."""

    id_prefix = ""
    # Several forms on one page, one error summary: each message names its field.
    name_errors = True

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}-%s")
        super().__init__(*args, **kwargs)


class AllocateForm(ScreeningPageForm):
    id_prefix = "allocate"
    assigned_to = forms.ModelChoiceField(
        label="Allocate to",
        queryset=allocatable_users().order_by("first_name", "last_name"),
        empty_label="Choose a screener or manager",
        error_messages={"required": "Choose a screener or manager"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].label_from_instance = lambda u: (
            f"{u.display_name} ({u.get_role_display().lower()})"
        )


class NoteForm(ScreeningPageForm):
    id_prefix = "note"

    text = forms.CharField(
        label="Add a screening note",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you found out, who you spoke to, what you did.",
        error_messages={"required": "Write the note"},
    )


class QualityForm(ScreeningPageForm):
    id_prefix = "quality"

    comment = forms.CharField(
        label="Comment for the referrer's agency (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in reversed(QualityRating.RUBRIC):
            self.fields = {name: forms.BooleanField(label=label, required=False), **self.fields}
        for name, _ in QualityRating.RUBRIC:
            self.fields[name].widget.attrs["class"] = "govuk-checkboxes__input"


class RecommendForm(ScreeningPageForm):
    id_prefix = "recommend"

    outcome = forms.ChoiceField(
        label="Recommended outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a recommended outcome"},
    )
    rationale = forms.CharField(
        label="Why?",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say why you recommend this outcome"},
    )


def threshold_choices():
    return [
        (level.level, f"Level {level.level}: {level.name}")
        for level in ThresholdLevel.objects.filter(is_active=True)
    ]


class UnlinkChildForm(ScreeningPageForm):
    id_prefix = "unlink"

    reason = forms.CharField(
        label="Why is this link wrong?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, which details do not match. The referral leaves this child's "
        "chronology; the removal and your reason stay on it.",
        error_messages={"required": "Say why the link is wrong"},
    )


class DecisionForm(GovukFormMixin, forms.Form):
    # In the order the page shows them, so the error summary lists them in that order:
    # the reason to go on sits under the warnings, above the choice.
    proceed_reason = forms.CharField(
        label="Why decide now?",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Say why the decision cannot wait for what is missing.",
        error_messages={"required": "Say why you are deciding now"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an outcome"},
    )
    threshold_level = forms.TypedChoiceField(
        label="Threshold level",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a threshold level"},
    )
    threshold_reason = forms.CharField(
        label="If the outcome is unusual for the level, why? (optional otherwise)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rationale = forms.CharField(
        label="Rationale",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you weighed and why this outcome: risks, strengths, history, and what "
        "other agencies told us.",
        error_messages={"required": "Explain the decision"},
    )
    lived_experience_impact = forms.CharField(
        label="How did the child's lived experience inform this decision?",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Say how the child's lived experience informed the decision"},
    )
    feedback = forms.CharField(
        label="What to tell the referrer about why",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sent to the referrer with the outcome. Write it for them to read, and "
        "leave out anything another agency told us in confidence.",
        error_messages={"required": "Write what the referrer will be told about why"},
    )
    onward_referrals = forms.CharField(
        label="Onward referrals made (optional)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example to adult mental health or substance-misuse services for a parent.",
    )
    late_reason = forms.CharField(
        label="Why is this decision late?",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, late: bool = False, warned: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold_level"].choices = threshold_choices()
        names = dict(ThresholdLevel.objects.values_list("level", "name"))
        self.fields["threshold_reason"].help_text = "Needs a reason: " + "; ".join(
            f"at level {number} ({names.get(number, 'not in use')}), "
            + " or ".join(label.lower() for label in labels)
            for number, labels in footprint.unusual_combinations()
            if number in names
        )
        if warned:
            self.fields["proceed_reason"].required = True
        else:
            del self.fields["proceed_reason"]
        if not late:
            del self.fields["late_reason"]
        else:
            self.fields["late_reason"].required = True
            self.fields["late_reason"].error_messages["required"] = "The decision is late: say why"


class AmendForm(ScreeningPageForm):
    id_prefix = "amend"

    outcome = forms.ChoiceField(label="Outcome", choices=Outcome.choices, widget=forms.RadioSelect)
    threshold_level = forms.TypedChoiceField(
        label="Threshold level", coerce=int, widget=forms.RadioSelect
    )
    rationale = forms.CharField(
        label="Rationale", max_length=NARRATIVE_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    feedback = forms.CharField(
        label="What to tell the referrer about why",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent to the referrer. Leave out anything shared in confidence.",
        error_messages={"required": "Write what the referrer will be told about why"},
    )
    reason = forms.CharField(
        label="Why is the decision being amended?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the decision is being amended"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold_level"].choices = threshold_choices()


class BreakGlassForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why do you need to open this closed record?",
        max_length=break_glass.REASON_MAX_CHARS,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="For example, the new concern or the request that brings you to it. Your "
        "reason is kept in the access log and the auditors are told.",
        error_messages={"required": break_glass.REASON_REQUIRED},
    )

    def clean_reason(self):
        # The same rules as the API's Break-Glass-Reason header.
        try:
            return break_glass.clean_reason(self.cleaned_data["reason"])
        except break_glass.InvalidReason as exc:
            raise forms.ValidationError(str(exc)) from None
