"""Filters for a referrer's or an agency lead's list of referrals (Your referrals), from
the query string. A value that cannot be applied is reported by name, not ignored in
silence; the valid filters still apply."""

from __future__ import annotations

import html

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_filters.fields import ModelChoiceField, ModelChoiceIterator

from agencies.models import User
from referrals.selectors import ClockFilter, clock_filter


class PlainSelect(forms.Select):
    """A select whose options are written out directly rather than through a template
    each: the same HTML as Django's, for a list as long as a police force's people
    (hundreds, or over a thousand at national scale), where rendering an option template
    per person was half of My referrals' time, and an option through format_html was
    still most of it."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = "\n".join(
            f'<option value="{html.escape(key)}"{" selected" if key in chosen else ""}>'
            f"{_escaped(label)}</option>"
            for key, label in ((str(v), label) for v, label in self.choices)
        )
        attributes = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        body = mark_safe(options)  # noqa: S308 - each option's texts escaped above
        return format_html("<select{}>\n{}\n</select>", flatatt(attributes), body)


def _escaped(text) -> str:
    """As Django's conditional_escape (what format_html does to an argument), for a
    plain string without its lazy-text wrapper: a thousand options a page."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def person_label(first_name: str, last_name: str, username: str) -> str:
    """agencies.models.User.display_name from its columns: the full name, or the
    username when there is none."""
    return f"{first_name} {last_name}".strip() or username


class PeopleByName(ModelChoiceIterator):
    """A ModelChoiceField's choices from the people's ids and names alone (one query of
    four columns), not a user object each through a server-side cursor: an option a
    person, over a thousand of them for the biggest police force."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if self.field.null_label is not None:
            yield (self.field.null_value, self.field.null_label)
        rows = self.queryset.values_list("pk", "first_name", "last_name", "username")
        for pk, first_name, last_name, username in rows:
            yield (pk, person_label(first_name, last_name, username))


class PersonChoiceField(ModelChoiceField):
    iterator = PeopleByName


class PersonFilter(django_filters.ModelChoiceFilter):
    """A choice of one of the people in ``queryset`` (users), each named by their
    display name."""

    field_class = PersonChoiceField


class MyReferralsFilter(django_filters.FilterSet):
    clock = django_filters.ChoiceFilter(
        choices=ClockFilter.choices,
        method="filter_clock",
        empty_label="Any",
        label="Decision",
    )
    referred_by = PersonFilter(
        field_name="referrer",
        queryset=User.objects.none(),
        empty_label="Anyone",
        label="Referred by",
        widget=PlainSelect,
    )

    def __init__(self, *args, now=None, agency_wide=False, agency_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.now = now or timezone.now()
        if agency_wide and agency_id:
            # Only the lead's own agency's people can be chosen: another id is "not one
            # of the available choices", named in the error summary.
            self.filters["referred_by"].queryset = User.objects.filter(
                agency_id=agency_id
            ).order_by("first_name", "last_name", "pk")
        else:
            # A referrer sees only their own: there is no one else to choose.
            self.filters.pop("referred_by")
        for field in self.form.fields.values():
            if isinstance(field.widget, forms.Select):
                field.widget.attrs["class"] = "govuk-select"

    def filter_clock(self, queryset, name, value):
        return queryset.filter(clock_filter(value, now=self.now)) if value else queryset

    @property
    def is_filtered(self) -> bool:
        return self.form.is_valid() and any(self.form.cleaned_data.values())

    def errors_by_label(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for each value that could not be applied."""
        return [
            (field.auto_id, field.label, error) for field in self.form for error in field.errors
        ]
