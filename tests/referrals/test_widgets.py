"""The long select writes the same select as Django's own widget, faster."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from referrals.widgets import DateField, LongSelect

CHOICES = [("", "All agencies"), (1, "Ash & Elm School"), (2, '<b>"Quoted"</b> Police'), (30, "X")]


class Plain(forms.Form):
    agency = forms.TypedChoiceField(required=False, coerce=int, choices=CHOICES)


class Long(forms.Form):
    agency = forms.TypedChoiceField(required=False, coerce=int, choices=CHOICES, widget=LongSelect)


@pytest.mark.parametrize("data", [{}, {"agency": "2"}, {"agency": "3"}, {"agency": "30"}])
def test_the_long_select_renders_as_djangos_select_does(data):
    plain, long = Plain(data or None), Long(data or None)
    if data:
        plain.is_valid(), long.is_valid()

    expected = str(plain["agency"]).replace('name="agency"', 'name="agency" class="govuk-select"')

    assert parse_html(str(long["agency"])) == parse_html(expected)


def test_the_chosen_option_is_selected_and_labels_are_escaped():
    html = str(Long({"agency": "2"})["agency"])

    assert (
        '<option value="2" selected>&lt;b&gt;&quot;Quoted&quot;&lt;/b&gt; Police</option>' in html
    )
    assert '<option value="1">' in html


class WithDate(forms.Form):
    due = DateField(label_for_errors="the due date")


@pytest.mark.parametrize(
    ("day", "month", "year"), [("9" * 30, "1", "2026"), ("1", "9" * 30, "2026"), ("0", "0", "0000")]
)
def test_a_date_out_of_every_range_is_not_a_real_date_not_a_server_error(day, month, year):
    form = WithDate({"due_day": day, "due_month": month, "due_year": year})

    assert form.errors == {"due": ["The due date must be a real date"]}
