"""Filters for the challenges list and the strategy discussions list, from the query
string: each narrows a list to what a dashboard count counts (triage.lateness), and a
value that is not valid is reported by name, not ignored in silence."""

from __future__ import annotations

import copy
from functools import lru_cache
from html import escape

import django_filters
from django import forms
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.utils import timezone
from django.utils.safestring import mark_safe
from django_filters.fields import ChoiceField as FilterChoiceField

from triage import lateness
from triage.models import DiscussionAction, DiscussionKind, EscalationStage


class QuickSelect(forms.Select):
    """A select written out in Python rather than through a template per option: the
    same HTML as Django's ``select.html`` for one choice without option groups. Its
    options are written once for each list of choices and kept (``_options``): writing
    the queue's 600 agencies took a fifth of the page's instructions, and the list seldom
    changes; a changed list (an agency added or renamed) is a list of its own, written
    afresh. With option groups or a multiple choice it renders as Django's own.

    A choice list that can give its (value, text) pairs as one tuple itself, flat and
    with every text a str (``listed()``: triage.forms.CompiledChoices, the rows as the
    database cursor gave them), is taken as it is: going through its 600 agencies three
    times in Python, to make the same tuple, was a twentieth of the queue page."""

    def render(self, name, value, attrs=None, renderer=None):
        listed_by_itself = getattr(self.choices, "listed", None)
        if listed_by_itself is not None and not self.allow_multiple_selected:
            listed = listed_by_itself()
        else:
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


class FixedChoiceField(FilterChoiceField):
    """django-filter's ChoiceField, copied for each form more cheaply: Django deep-copies
    every field of a form for each request, and a ChoiceField's copy walked its list of
    choices pair by pair (the queue's statuses and concerns: a third of the cost of
    copying the queue's form). The pairs are of fixed words and lazy labels, which a deep
    copy gives back unchanged, so the copy has the same pairs in a list of its own (in a
    choice iterator of its own, bound to the copy), as the deep copy made."""

    def __deepcopy__(self, memo):
        result = forms.Field.__deepcopy__(self, memo)
        iterator = copy.copy(self._choices)
        iterator.field = result
        iterator.choices = list(iterator.choices)
        result._choices = iterator
        return result


class FixedChoiceFilter(django_filters.ChoiceFilter):
    """A ChoiceFilter of fixed choices (FixedChoiceField)."""

    field_class = FixedChoiceField


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

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, now=None):
        # As django-filter's BaseFilterSet.__init__, except for how this request's filters
        # are copied from the class's: not one deepcopy of them all, which copied every
        # queryset, choice list and widget class in them (a sixteenth of the queue page's
        # CPU), but each filter copied itself (``_own_copy``). None of the filters here
        # keeps anything of a request but what the copy gives it its own of.
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        self.filters = {name: _own_copy(f) for name, f in self.base_filters.items()}
        for filter_ in self.filters.values():
            filter_.model = queryset.model
            filter_.parent = self
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


def _own_copy(base: django_filters.Filter) -> django_filters.Filter:
    """A request's copy of one of a filter set's filters: a shallow copy, with what a
    request may change made its own: ``extra`` (a filter whose queryset is a callable
    writes the request's queryset into it) and the FilterMethod that calls the filter
    set's method (which must find this request's filter set, ``parent``, not the class's
    filter). What is left shared (the queryset, the choices, the widget) is only read."""
    own = copy.copy(base)
    own.extra = dict(base.extra)
    # A field the class's filter made (``Filter.field`` keeps it) is made afresh, from
    # this request's ``extra``, as the deep copy gave each request a copy of its own.
    own.__dict__.pop("_field", None)
    if base.method is not None:
        own.method = base.method  # the setter makes a FilterMethod bound to ``own``
    return own


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
