"""The referral form's sections. Each section is a plain form; the draft keeps what the
user typed in each, valid or not, and the service applies the rules on submission. The
section about each child is in ``referrals.child_form`` (re-exported here, where the
drafts and views look for every section); the mixins that every app's forms share are in
``referrals.form_mixins``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from agencies.models import Agency
from referrals import coaching
from referrals.census import CallerType, ConcernCategory
from referrals.child_form import ChildForm  # noqa: F401 (re-exported: see above)
from referrals.form_mixins import GovukFormMixin
from referrals.models import HOUSE_MAX, NARRATIVE_MAX, Channel, ParentalConsent, PatternAnswer
from referrals.validation import RECEIVED_IN_FUTURE, received_at_error
from referrals.widgets import DateField, local_datetime

YES_NO = [("yes", "Yes"), ("no", "No")]
EXPLANATION_MAX = 2000


def explanation_field(name: str) -> forms.CharField:
    """Where the referrer says why they cannot answer a coaching prompt for a field."""
    return forms.CharField(
        label=f"{coaching.FIELD_NAMES[name]}: if you cannot add more, say why (optional)",
        max_length=EXPLANATION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CoachedFormMixin:
    """Refuses placeholders ("n/a", "n/k", a word or two) in the child-focused fields,
    naming the field; every other coaching rule is a prompt, never an error."""

    def clean(self):
        cleaned = super().clean()
        for name in coaching.REFUSE_PLACEHOLDERS_IN:
            text = cleaned.get(name)
            if name in self.fields and text and coaching.is_placeholder(text, field=name):
                self.add_error(name, coaching.placeholder_message(name, text))
        return cleaned


class ReceivedForm(GovukFormMixin, forms.Form):
    """Staff only: a referral made by phone or email, recorded on the caller's behalf."""

    name_errors = True

    channel = forms.ChoiceField(
        label="How was it received?",
        choices=[(Channel.PHONE, "Phone call"), (Channel.EMAIL, "Email")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how the referral was received"},
    )
    received_date = DateField(
        label="Date received",
        label_for_errors="the date it was received",
        help_text="For example, 27 11 2026",
    )
    received_time = forms.CharField(
        label="Time received",
        max_length=8,
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": "Enter the time it was received"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )
    caller_type = forms.ChoiceField(
        label="Who made the referral?",
        choices=CallerType.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select who made the referral"},
    )
    caller_agency = forms.ModelChoiceField(
        label="Their agency (professionals only)",
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="Not listed or not a professional",
    )
    referrer_name = forms.CharField(
        label="Caller's name",
        max_length=200,
        required=False,
        help_text="Leave blank for an anonymous caller",
    )
    referrer_role = forms.CharField(
        label="Their role or relationship to the child", max_length=200, required=False
    )
    referrer_phone = forms.CharField(label="Phone number", max_length=40, required=False)
    referrer_email = forms.EmailField(label="Email address", required=False)

    def clean(self):
        cleaned = super().clean()
        received_at = local_datetime(self, date_field="received_date", time_field="received_time")
        if received_at is not None:
            problem = received_at_error(
                received_at, now=timezone.now(), max_age=settings.RECEIVED_AT_MAX_AGE
            )
            if problem == RECEIVED_IN_FUTURE:
                self.add_error("received_time", problem)
            elif problem:
                self.add_error("received_date", problem)
            else:
                cleaned["received_at"] = received_at
        return cleaned


class ConcernsForm(CoachedFormMixin, GovukFormMixin, forms.Form):
    name_errors = True

    concerns = forms.MultipleChoiceField(
        label="What kinds of concern are there?",
        choices=ConcernCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
        error_messages={"required": "Select at least one kind of concern"},
    )
    worry = forms.CharField(
        label="What specifically are you worried about for the child?",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea,
        help_text=(
            "Describe what has happened or what you have seen, when, and what it means for "
            "the child. Be specific: 'came to school with a bruise on her cheek on Monday and "
            "said her stepdad hit her' says more than 'concerns about physical abuse'."
        ),
        error_messages={"required": "Say specifically what you are worried about for the child"},
    )
    immediate_risk = forms.ChoiceField(
        label="Is the child at risk of immediate harm?",
        choices=YES_NO,
        widget=forms.RadioSelect,
        help_text="For example, the child is afraid to go home tonight, or has been hurt today.",
        error_messages={"required": "Say whether the child is at risk of immediate harm"},
    )
    worry_explanation = explanation_field("worry")

    def clean_immediate_risk(self):
        return self.cleaned_data["immediate_risk"] == "yes"


class ChildWorldForm(CoachedFormMixin, GovukFormMixin, forms.Form):
    name_errors = True

    lived_experience = forms.CharField(
        label="What is a day like for the child?",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea,
        help_text=(
            "Their lived experience: who gets them up, whether they eat, how they get to "
            "school, who looks after them, what happens in the evening and at night."
        ),
        error_messages={"required": "Describe what a day is like for the child"},
    )
    lived_experience_explanation = explanation_field("lived_experience")
    child_voice = forms.CharField(
        label="What has the child said?",
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea,
        help_text=(
            "In their own words where you can. If you could not ask them, say why: for "
            "example a baby, a child who does not speak, or it was not safe to ask. You "
            "can use the three houses below instead, or as well."
        ),
    )
    child_voice_explanation = explanation_field("child_voice")
    voice_worries = forms.CharField(
        label="House of worries",
        max_length=HOUSE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the child worries about, in their own words.",
    )
    voice_good_things = forms.CharField(
        label="House of good things",
        max_length=HOUSE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What is good in the child's life, in their own words.",
    )
    voice_dreams = forms.CharField(
        label="House of dreams",
        max_length=HOUSE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the child hopes for, in their own words.",
    )
    new_or_pattern = forms.ChoiceField(
        label="Is this new, or part of a pattern?",
        choices=[c for c in PatternAnswer.choices if c[0] != PatternAnswer.NOT_ASKED],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether this is new or part of a pattern, or choose 'Don't know'"
        },
    )
    history_and_pattern = forms.CharField(
        label="What has happened before? (optional)",
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea,
        help_text="What has happened before, how often, and what has been tried.",
    )
    history_and_pattern_explanation = explanation_field("history_and_pattern")

    def clean(self):
        cleaned = super().clean()
        houses = [cleaned.get(name, "").strip() for name in VOICE_HOUSES]
        if (
            not cleaned.get("child_voice", "").strip()
            and not any(houses)
            and "child_voice" not in self.errors
        ):
            self.add_error(
                "child_voice",
                "Say what the child has said, or why it could not be gathered",
            )
        return cleaned

    working_well = forms.CharField(
        label="What is working well? (optional)",
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea,
        help_text="Strengths in the family and around the child, and who the child trusts.",
    )


VOICE_HOUSES = ("voice_worries", "voice_good_things", "voice_dreams")
EXPLANATIONS = {
    "worry": "worry_explanation",
    "lived_experience": "lived_experience_explanation",
    "child_voice": "child_voice_explanation",
    "history_and_pattern": "history_and_pattern_explanation",
}


class FamilyForm(GovukFormMixin, forms.Form):
    name_errors = True

    parental_consent = forms.ChoiceField(
        label="Do the parents or carers know about this referral?",
        choices=ParentalConsent.choices,
        widget=forms.RadioSelect,
        help_text=(
            "You should usually tell parents and seek their agreement, unless doing so "
            "would put the child at greater risk."
        ),
        error_messages={
            "required": "Say whether the parents know about and agree to this referral"
        },
    )
    consent_not_sought_reason = forms.CharField(
        label="If consent was not sought, why not?",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("parental_consent") == ParentalConsent.NOT_SOUGHT
            and not cleaned.get("consent_not_sought_reason", "").strip()
        ):
            self.add_error("consent_not_sought_reason", "Say why consent was not sought")
        return cleaned


class HouseholdMemberForm(GovukFormMixin, forms.Form):
    name_errors = True

    name = forms.CharField(label="Name", max_length=200, required=False)
    relationship = forms.CharField(
        label="Relationship to the child",
        max_length=100,
        required=False,
        help_text="For example mother, stepfather",
    )
    lives_with_child = forms.ChoiceField(
        label="Lives with the child?", choices=YES_NO, initial="yes", required=False
    )
    known_risk = forms.CharField(
        label="Any known risk (optional)",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="For example, subject to a court order or bail conditions",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("name") and not cleaned.get("relationship"):
            self.add_error("relationship", "Enter their relationship to the child")
        if cleaned.get("relationship") and not cleaned.get("name"):
            self.add_error("name", "Enter their name, or 'not known'")
        cleaned["lives_with_child"] = cleaned.get("lives_with_child", "yes") != "no"
        return cleaned

    @property
    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("name") or self.cleaned_data.get("relationship"))


HouseholdFormSet = forms.formset_factory(
    HouseholdMemberForm, extra=0, max_num=12, validate_max=True
)
HOUSEHOLD_ROWS = 4


class NextStepsForm(GovukFormMixin, forms.Form):
    name_errors = True

    what_should_happen = forms.CharField(
        label="What do you think needs to happen? (optional)",
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea,
        help_text="Your own analysis: what support or action you think the child needs.",
    )
    other_professionals = forms.CharField(
        label="Which other professionals are involved? (optional)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Name, role and agency, for example GP, health visitor, school, probation.",
    )


class ContactForm(GovukFormMixin, forms.Form):
    name_errors = True

    referrer_name = forms.CharField(
        label="Your name", max_length=200, error_messages={"required": "Enter your name"}
    )
    referrer_role = forms.CharField(
        label="Your role", max_length=200, error_messages={"required": "Enter your role"}
    )
    referrer_phone = forms.CharField(
        label="Phone number",
        max_length=40,
        help_text="A number the front door can reach you on today",
        error_messages={"required": "Enter a phone number the front door can reach you on"},
    )
    referrer_email = forms.EmailField(
        label="Email address", error_messages={"required": "Enter your email address"}
    )
