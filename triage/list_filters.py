"""Filters for the challenges list and the strategy discussions list, from the query
string: each narrows a list to what a dashboard count counts (triage.lateness), and a
value that is not valid is reported by name, not ignored in silence."""

from __future__ import annotations

from functools import lru_cache
from html import escape

import django_filters
from django import forms
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.safestring import mark_safe

from triage import lateness
from triage.models import DiscussionAction, DiscussionKind, EscalationStage


class QuickSelect(forms.Select):
    """A select written out in Python rather than through a template per option: the
    same HTML as Django's ``select.html`` for one choice without option groups. Its
    options are written once for each list of choices and kept (``_options``): writing
    the queue's 600 agencies took a fifth of the page's instructions, and the list seldom
    changes; a changed list (an agency added or renamed) is a list of its own, written
    afresh. With option groups or a multiple choice it renders as Django's own."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = [choice for choice in self.choices]  # not list(): its len() is a COUNT
        if self.allow_multiple_selected or any(
            isinstance(label, (list, tuple)) for _, label in choices
        ):
            return super().render(name, value, attrs, renderer)
        # The labels as text (a lazy label is read in the active language).
        listed = tuple((key, text if type(text) is str else str(text)) for key, text in choices)
        chosen = self.format_value(value)
        if len(chosen) == 1:
            # The first option of the chosen value marked, as Django's select marks it
            # (escape() leaves no "<" in a label: the tag matches at an option's start).
            tag = f'<option value="{escape(chosen[0])}"'
            options = _options(listed).replace(f"{tag}>", f"{tag} selected>", 1)
        else:
            options = _options(listed, chosen=frozenset(chosen))
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(  # noqa: S308 - every name, value and label is escaped (_options)
            f'<select name="{escape(name)}"{attributes}>{options}</select>'
        )


@lru_cache(maxsize=32)
def _options(choices: tuple, chosen: frozenset = frozenset()) -> str:
    """The options of a select, every value and label escaped; the first whose value is
    in ``chosen`` selected, as Django's select.html does. Kept for the last lists asked
    for: the same choices give the same text."""
    options = []
    for option_value, label in choices:
        text = "" if option_value is None else str(option_value)
        selected = " selected" if text in chosen else ""
        options.append(f'<option value="{escape(text)}"{selected}>{escape(str(label))}</option>')
        if selected:
            chosen = frozenset()  # the first match only
    return "".join(options)


class QuickCheckbox(forms.CheckboxInput):
    """A checkbox written out in Python rather than through Django's input.html and
    attrs.html: the same HTML, but the queue has five on every page, and their templates
    cost more than its fifty rows."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]  # checked, as Django's
        value = widget["value"]
        value = "" if value is None else f' value="{escape(str(value))}"'
        return mark_safe(  # noqa: S308 - the name, the value and every attribute are escaped
            f'<input type="{widget["type"]}" name="{escape(name)}"{value}'
            f"{_attributes(widget['attrs'])}>"
        )


def _attributes(attrs: dict) -> str:
    """A widget's attributes as Django's attrs.html writes them, in their order."""
    return "".join(
        f" {escape(key)}" if value is True else f' {escape(key)}="{escape(str(value))}"'
        for key, value in attrs.items()
        if value is not False and value is not None
    )


class ClockFilterSet(django_filters.FilterSet):
    """A filter set whose clock filters all read one moment, ``now``, so "overdue" and
    "due soon" never overlap, with GOV.UK classes on its widgets."""

    def __init__(self, *args, now=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "govuk-select"
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "govuk-checkboxes__input"

    def get_form_class(self):
        """The form class, made once for each filter set class: django-filter makes it
        afresh on every request, from a copy of each filter with a new field for each (a
        fiftieth of the queue page's instructions). No filter here takes a callable
        queryset, so no field depends on the request and one class serves them all (a
        filter set with such a filter gets a class of its own each time, as before). Each
        request's form still has fields of its own (a form copies its class's fields),
        which ``__init__`` may change."""
        cls = type(self)
        if any(callable(getattr(f, "queryset", None)) for f in cls.base_filters.values()):
            return super().get_form_class()  # a choice list that depends on the request
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            form_class = super().get_form_class()
            cls._form_class = form_class
        return form_class

    @property
    def checkboxes(self) -> list:
        """The form's checkboxes (its "Show only" choices), in their order."""
        return [field for field in self.form if isinstance(field.field.widget, forms.CheckboxInput)]

    @property
    def is_filtered(self) -> bool:
        return self.form.is_valid() and any(
            value not in (None, "", False) for value in self.form.cleaned_data.values()
        )

    def errors_by_label(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for each value that could not be applied."""
        return [
            (field.auto_id, field.label, error) for field in self.form for error in field.errors
        ]


class ChallengeFilter(ClockFilterSet):
    stage = django_filters.ModelChoiceFilter(
        queryset=EscalationStage.objects.all(), empty_label="Any stage", label="Stage"
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", widget=forms.CheckboxInput, label="Past its stage's timescale"
    )

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(lateness.challenge_past_timescale(self.now)) if value else queryset


def overdue_actions_count(now) -> Coalesce:
    """Annotation: how many of a discussion's actions are overdue (lateness.action_overdue).
    A subquery, not a join and GROUP BY: counted for the rows a page shows only, so the
    list's index gives its newest rows without reading the rest."""
    late = (
        DiscussionAction.objects.filter(lateness.action_overdue(now), discussion_id=OuterRef("pk"))
        .order_by()
        .values("discussion_id")
        .annotate(late=Count("pk"))
        .values("late")
    )
    return Coalesce(Subquery(late, output_field=IntegerField()), 0)


class StrategyFilter(ClockFilterSet):
    kind = django_filters.ChoiceFilter(
        choices=DiscussionKind.choices, empty_label="Any kind", label="Kind"
    )
    minutes_overdue = django_filters.BooleanFilter(
        method="filter_minutes_overdue", widget=forms.CheckboxInput, label="Minutes overdue"
    )
    actions_overdue = django_filters.BooleanFilter(
        method="filter_actions_overdue", widget=forms.CheckboxInput, label="Actions overdue"
    )
    child_not_seen = django_filters.BooleanFilter(
        method="filter_child_not_seen",
        widget=forms.CheckboxInput,
        label="Child not seen by the time agreed",
    )

    def filter_minutes_overdue(self, queryset, name, value):
        return queryset.filter(lateness.minutes_overdue(self.now)) if value else queryset

    def filter_actions_overdue(self, queryset, name, value):
        if not value:
            return queryset
        late = DiscussionAction.objects.filter(lateness.action_overdue(self.now)).filter(
            discussion_id=OuterRef("pk")
        )
        return queryset.filter(Exists(late))

    def filter_child_not_seen(self, queryset, name, value):
        return queryset.filter(lateness.child_not_seen_in_time(self.now)) if value else queryset
