"""The referral form's section about each child: who they are, their diversity (asked,
never defaulted), how to reach them, and the birth-date rules. A draft holds one of these
per child, so it stands apart from the sections in ``referrals.forms``, which re-exports
it."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from referrals.census import Disability, Ethnicity, Gender, Religion
from referrals.form_mixins import GovukFormMixin
from referrals.models import Referral
from referrals.validation import birth_date_errors, normalise_nhs_number, normalise_postcode
from referrals.widgets import DateField

INTERPRETER_ANSWERS = [("yes", "Yes"), ("no", "No"), ("not_known", "Not known")]
INTERPRETER_VALUES = {"yes": True, "no": False, "not_known": None}
FIRST_LANGUAGE_ANSWERS = [
    ("given", "I know their first language"),
    ("not_known", "Not known"),
    ("declined", "Declined (the child or family did not want to say)"),
]
# What is stored in the free-text first language for the two answers without one.
FIRST_LANGUAGE_STORED = {"not_known": "Not known", "declined": "Declined"}


def _model_field(name: str):
    return Referral._meta.get_field(name)


class ChildForm(GovukFormMixin, forms.Form):
    name_errors = True

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
        help_text=(
            "For example, 17 5 2018. Leave blank if you do not know it (say what you know "
            "of their age in your description), or for an unborn baby: give the expected "
            "date below."
        ),
    )
    child_expected_date_of_birth = DateField(
        label="Expected date of birth (unborn babies only)",
        required=False,
        label_for_errors="the expected date of birth",
    )
    child_gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.choices,
        initial=Gender.NOT_KNOWN,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the child's gender, or 'Not known'"},
    )
    # Diversity is asked, not defaulted: nothing is chosen until the referrer chooses,
    # and "not known" and "declined" are answers they give.
    child_ethnicity = forms.ChoiceField(
        label="Ethnicity",
        choices=[("", "Choose the child's ethnicity"), *Ethnicity.choices],
        help_text="Choose 'Not known' if you do not know, or 'Declined' if the child or "
        "family did not want to say.",
        error_messages={"required": "Choose the child's ethnicity, or 'Not known' or 'Declined'"},
    )
    child_first_language_answer = forms.ChoiceField(
        label="What is the child's first language?",
        choices=FIRST_LANGUAGE_ANSWERS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say what the child's first language is, or choose 'Not known' or "
            "'Declined'"
        },
    )
    child_first_language = forms.CharField(
        label="If you know it: the child's first language",
        max_length=60,
        required=False,
        help_text="For example English, Polish, British Sign Language",
    )
    child_interpreter_needed = forms.ChoiceField(
        label="Does the child or family need an interpreter?",
        choices=INTERPRETER_ANSWERS,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether the child or family needs an interpreter, or choose "
            "'Not known'"
        },
    )
    child_religion = forms.ChoiceField(
        label="Religion",
        choices=[("", "Choose the child's religion"), *Religion.choices],
        help_text="Choose 'Not known' if you do not know, or 'Declined' if the child or "
        "family did not want to say.",
        error_messages={"required": "Choose the child's religion, or 'Not known' or 'Declined'"},
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
        return INTERPRETER_VALUES[self.cleaned_data["child_interpreter_needed"]]

    def clean(self):
        cleaned = super().clean()
        answer = cleaned.get("child_first_language_answer")
        if answer == "given":
            if not cleaned.get("child_first_language", "").strip():
                self.add_error("child_first_language", "Enter the child's first language")
        elif answer:
            cleaned["child_first_language"] = FIRST_LANGUAGE_STORED[answer]
        problems = birth_date_errors(
            date_of_birth=cleaned.get("child_date_of_birth"),
            expected_date_of_birth=cleaned.get("child_expected_date_of_birth"),
            today=timezone.localdate(),
        )
        for field, messages in problems.items():
            for message in messages:
                self.add_error(field, message)
        return cleaned
