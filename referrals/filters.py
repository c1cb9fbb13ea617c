"""Filters for a referrer's or an agency lead's list of referrals (Your referrals), from
the query string. A value that cannot be applied is reported by name, not ignored in
silence; the valid filters still apply."""

from __future__ import annotations

import django_filters
from django import forms
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from agencies.models import User
from referrals.selectors import ClockFilter, clock_filter


class PlainSelect(forms.Select):
    """A select whose options are written out directly rather than through a template
    each: the same HTML as Django's, for a list as long as a police force's people
    (hundreds, or thousands at national scale), where rendering an option template per
    person was half of My referrals' time."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (key, " selected" if key in chosen else "", label)
                for key, label in ((str(v), label) for v, label in self.choices)
            ),
        )
        attributes = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        return format_html("<select{}>\n{}\n</select>", flatatt(attributes), options)


class MyReferralsFilter(django_filters.FilterSet):
    clock = django_filters.ChoiceFilter(
        choices=ClockFilter.choices,
        method="filter_clock",
        empty_label="Any",
        label="Decision",
    )
    referred_by = django_filters.ModelChoiceFilter(
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
        if "referred_by" in self.form.fields:
            self.form.fields["referred_by"].label_from_instance = lambda u: u.display_name
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
