"""The referral form's sections. Each section is a plain form; the draft keeps what the
user typed in each, valid or not, and the service applies the rules on submission."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from agencies.models import Agency
from core.exceptions import DomainError
from referrals.census import (
    CallerType,
    ConcernCategory,
    Disability,
    Ethnicity,
    Gender,
    Religion,
)
from referrals.models import NARRATIVE_MAX, Channel, ParentalConsent, Referral
from referrals.validation import birth_date_errors, normalise_nhs_number, normalise_postcode
from referrals.widgets import DateField, local_datetime

YES_NO = [("yes", "Yes"), ("no", "No")]


def _model_field(name: str):
    return Referral._meta.get_field(name)


class GovukFormMixin:
    """Adds GOV.UK classes to widgets, by widget type, and puts a service's DomainError
    on the form: each message beside its field, or at the top where no field matches."""

    # service error key -> form field, where they differ
    error_fields: dict[str, str] = {}
    # cleaned name -> (date field, time field): a date and a typed time read together as
    # one moment in UK local time (widgets.local_datetime), e.g. {"due_at": ("due_date",
    # "due_time")}; absent from cleaned_data while either is missing or unreadable
    moments: dict[str, tuple[str, str]] = {}

    def clean(self):
        cleaned = super().clean()
        for name, (date_field, time_field) in self.moments.items():
            moment = local_datetime(self, date_field=date_field, time_field=time_field)
            if moment is not None:
                cleaned[name] = moment
        return cleaned

    def add_domain_errors(self, error: DomainError) -> None:
        for key, messages in error.errors.items():
            name = self.error_fields.get(key, key)
            for message in messages:
                self.add_error(name if name in self.fields else None, message)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            css = {
                forms.Textarea: "govuk-textarea",
                forms.Select: "govuk-select",
                forms.TextInput: "govuk-input",
                forms.EmailInput: "govuk-input",
            }
            for kind, klass in css.items():
                if type(widget) is kind:
                    widget.attrs.setdefault("class", klass)
            if isinstance(widget, forms.Textarea):
                widget.attrs.setdefault("rows", 6)


class ReceivedForm(GovukFormMixin, forms.Form):
    """Staff only: a referral made by phone or email, recorded on the caller's behalf."""

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
            if received_at > timezone.now():
                self.add_error("received_time", "The time received cannot be in the future")
            else:
                cleaned["received_at"] = received_at
        return cleaned


class ChildForm(GovukFormMixin, forms.Form):
    child_first_name = forms.CharField(
        label="First name",
        max_length=100,
        error_messages={"required": "Enter the child's first name, or 'Unborn' for an unborn baby"},
    )
    child_last_name = forms.CharField(
        label="Last name",
        max_length=100,
        error_messages={"required": "Enter the child's last name"},
    )
    child_other_names = forms.CharField(
        label="Other names (optional)",
        max_length=200,
        required=False,
        help_text="Names the child is also known by, or previous names",
    )
    child_date_of_birth = DateField(
        label="Date of birth",
        required=False,
        label_for_errors="the date of birth",
        help_text="For example, 17 5 2018. Leave blank for an unborn baby.",
    )
    child_expected_date_of_birth = DateField(
        label="Expected date of birth (unborn babies only)",
        required=False,
        label_for_errors="the expected date of birth",
    )
    child_gender = forms.ChoiceField(
        label="Gender", choices=Gender.choices, initial=Gender.NOT_KNOWN, widget=forms.RadioSelect
    )
    child_ethnicity = forms.ChoiceField(
        label="Ethnicity", choices=Ethnicity.choices, initial=Ethnicity.NOBT
    )
    child_first_language = forms.CharField(
        label="First language (optional)", max_length=60, required=False
    )
    child_interpreter_needed = forms.ChoiceField(
        label="Does the child or family need an interpreter?",
        choices=YES_NO,
        initial="no",
        widget=forms.RadioSelect,
    )
    child_religion = forms.ChoiceField(
        label="Religion", choices=Religion.choices, initial=Religion.NOT_KNOWN
    )
    child_disabilities = forms.MultipleChoiceField(
        label="Disability (optional)",
        choices=Disability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    child_address = forms.CharField(
        label="Address (optional)",
        max_length=400,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    child_postcode = forms.CharField(
        label="Postcode (optional)",
        max_length=10,
        required=False,
        validators=_model_field("child_postcode").validators,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10"}),
    )
    child_school = forms.CharField(
        label="School or nursery (optional)", max_length=200, required=False
    )
    child_nhs_number = forms.CharField(
        label="NHS number (optional)",
        max_length=14,
        required=False,
        validators=_model_field("child_nhs_number").validators,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}
        ),
    )

    def clean_child_postcode(self):
        return normalise_postcode(self.cleaned_data["child_postcode"])

    def clean_child_nhs_number(self):
        return normalise_nhs_number(self.cleaned_data["child_nhs_number"])

    def clean_child_interpreter_needed(self):
        return self.cleaned_data["child_interpreter_needed"] == "yes"

    def clean(self):
        cleaned = super().clean()
        problems = birth_date_errors(
            date_of_birth=cleaned.get("child_date_of_birth"),
            expected_date_of_birth=cleaned.get("child_expected_date_of_birth"),
            today=timezone.localdate(),
        )
        for field, messages in problems.items():
            for message in messages:
                self.add_error(field, message)
        return cleaned


class ConcernsForm(GovukFormMixin, forms.Form):
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

    def clean_immediate_risk(self):
        return self.cleaned_data["immediate_risk"] == "yes"


class ChildWorldForm(GovukFormMixin, forms.Form):
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
    child_voice = forms.CharField(
        label="What has the child said?",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea,
        help_text=(
            "In their own words where you can. If you could not ask them, say why: for "
            "example a baby, a child who does not speak, or it was not safe to ask."
        ),
        error_messages={"required": "Say what the child has said, or why it could not be gathered"},
    )
    history_and_pattern = forms.CharField(
        label="Is this new, or part of a pattern? (optional)",
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea,
        help_text="What has happened before, how often, and what has been tried.",
    )
    working_well = forms.CharField(
        label="What is working well? (optional)",
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea,
        help_text="Strengths in the family and around the child, and who the child trusts.",
    )


class FamilyForm(GovukFormMixin, forms.Form):
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
