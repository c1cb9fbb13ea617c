"""Forms for information requests. They parse what was typed; the rules (who, which
agency, a due time in the future) are the service's, in triage/services/information.py."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.forms.boundfield import BoundField
from django.utils import timezone

from referrals.forms import GovukFormMixin
from referrals.widgets import DateField
from triage.services.information import (
    ANSWER_MAX,
    QUESTION_MAX,
    default_due_at,
    partner_agencies,
)

QUESTION_HINT = (
    "Ask what they know about the child and household: contact, concerns, attendance, "
    "health, offending"
)


class GovukBoundField(BoundField):
    """Points aria-describedby at the ids _components/field.html gives a field's hint,
    character count and errors (Django's own default names ids the template lacks)."""

    @property
    def aria_describedby(self):
        if self.field.widget.attrs.get("aria-describedby") or not self.auto_id:
            return None
        ids = []
        if self.help_text:
            ids.append(f"{self.auto_id}-hint")
        if _has_character_count(self.field):
            ids.append(f"{self.auto_id}-info")
        if self.errors:
            ids.append(f"{self.auto_id}-error")
        return " ".join(ids)


def _has_character_count(field) -> bool:
    return isinstance(field.widget, forms.Textarea) and bool(getattr(field, "max_length", None))


class InformationForm(GovukFormMixin, forms.Form):
    """GOV.UK markup, character counts on long text, and a service's DomainError shown
    against the form's own fields."""

    bound_field_class = GovukBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if _has_character_count(field):
                classes = field.widget.attrs.get("class", "govuk-textarea")
                field.widget.attrs["class"] = f"{classes} govuk-js-character-count"


class InformationRequestForm(InformationForm):
    """A screener's request to a partner agency. Prefixed, because it sits on the
    screening page beside other forms."""

    moments = {"due_at": ("due_date", "due_time")}

    prefix = "ir"
    error_fields = {"due_at": "due_date"}

    agency = forms.ModelChoiceField(
        label="Agency to ask",
        queryset=partner_agencies(),
        empty_label="Select an agency",
        error_messages={
            "required": "Select the agency to send the request to",
            "invalid_choice": "Select an active partner agency to send the request to",
        },
    )
    question = forms.CharField(
        label="Question",
        max_length=QUESTION_MAX,
        help_text=QUESTION_HINT,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the question for the partner agency"},
    )
    due_date = DateField(
        label="Date the answer is due",
        label_for_errors="the date the answer is due",
        help_text="For example, 27 11 2026",
    )
    due_time = forms.CharField(
        label="Time the answer is due",
        max_length=8,
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time the answer is due"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )

    def __init__(
        self,
        *args,
        referral=None,
        now: datetime | None = None,
        initial_due_at: datetime | None = None,
        **kwargs,
    ):
        """The due time offered is ``initial_due_at``, or else the default for
        ``referral`` at ``now``."""
        super().__init__(*args, **kwargs)
        if initial_due_at is None and referral is not None:
            initial_due_at = default_due_at(referral, now or timezone.now())
        if initial_due_at is not None:
            due = timezone.localtime(initial_due_at)
            self.fields["due_date"].initial = due.date()
            self.fields["due_time"].initial = due.strftime("%H:%M")
            # The boxes hold numbers: the hint says which day of the week they make.
            offered = f"Offered: {due:%A} {due.day} {due:%B %Y}"
            self.fields["due_date"].help_text = f"{offered}. For example, 27 11 2026"


class AnswerForm(InformationForm):
    answer = forms.CharField(
        label="Your answer",
        max_length=ANSWER_MAX,
        help_text=(
            "What your agency knows about the child and household, and when you last had "
            "contact. If you hold nothing about them, say so."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter your answer"},
    )
