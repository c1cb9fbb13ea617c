"""The performance pages' choice of period and filters: read from the query string,
every mistake named beside its field."""

from __future__ import annotations

from datetime import date, timedelta

from django import forms

from agencies.census import AgencyType
from agencies.models import Agency
from referrals.forms import GovukFormMixin
from referrals.widgets import DateField, LongSelect
from reporting.performance import MAX_DAYS, Period, default_period


class PeriodForm(GovukFormMixin, forms.Form):
    """From and to dates (whole London weeks are shown: the first date's week to the
    last date's), an agency type and an agency. All optional: the default is the last
    12 weeks, every agency."""

    agency_type = forms.ChoiceField(
        label="Agency type", required=False, choices=[("", "All types"), *AgencyType.choices]
    )
    agency = forms.TypedChoiceField(
        label="Agency", required=False, coerce=int, empty_value=None, choices=[], widget=LongSelect
    )

    def __init__(self, *args, today: date, agencies=None, with_type: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        # Declared here because "from" is a keyword: the query string says from_day ...
        self.fields = {
            "from": DateField(
                label="From", label_for_errors="the from date", required=False,
                help_text="For example, 6 4 2026",
            ),
            "to": DateField(
                label="To", label_for_errors="the to date", required=False,
                help_text="For example, 28 6 2026",
            ),
            **({"agency_type": self.fields["agency_type"]} if with_type else {}),
            "agency": self.fields["agency"],
        }  # fmt: skip
        agencies = Agency.objects.all() if agencies is None else agencies
        self.fields["agency"].choices = [
            ("", "All agencies"),
            *agencies.order_by("name").values_list("pk", "name"),
        ]
        self.fields["agency"].error_messages["invalid_choice"] = "Choose an agency from the list"
        if with_type:
            self.fields["agency_type"].error_messages["invalid_choice"] = (
                "Choose an agency type from the list"
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if "from" in self.errors or "to" in self.errors:
            return cleaned
        default = default_period(self.today)
        start = start or (end - timedelta(weeks=12) + timedelta(days=1) if end else default.first)
        end = end or self.today
        if end > self.today + timedelta(days=7):
            self.add_error("to", "The to date must be no later than next week")
        elif start > end:
            self.add_error("to", "The to date must be the same as or after the from date")
        elif (end - start).days > MAX_DAYS:
            self.add_error(
                "from", "The period must be 2 years or shorter: choose a later from date"
            )
        else:
            cleaned["period"] = Period.covering(start, end)
        return cleaned
