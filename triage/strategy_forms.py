"""Forms for strategy discussions. They parse what was typed; the rules (who must be
there, a rationale for every decision) are the service's, in triage/services/strategy.py."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from agencies.models import Agency
from referrals.form_mixins import CleanTextFormMixin
from referrals.widgets import DateField
from triage.information_forms import InformationForm
from triage.models import (
    AdvocateOffered,
    AttendeeRole,
    DiscussionFormat,
    DiscussionKind,
    Section47Outcome,
)
from triage.services.strategy import action_owner_users

KIND_GUIDANCE = {
    DiscussionKind.STRATEGY_DISCUSSION: (
        "When there is reasonable cause to suspect the child is suffering, or likely to "
        "suffer, significant harm (section 47): police, children's social care and health "
        "decide whether to start enquiries and how."
    ),
    DiscussionKind.MASH_MEETING: (
        "To share what agencies know so that the front door can decide what the child "
        "needs. It is not a strategy discussion and cannot start section 47 enquiries."
    ),
}

ATTENDED_CHOICES = [("yes", "Attended"), ("no", "Invited, did not attend")]


def _time_field(label: str, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=8,
        required=required,
        help_text="24-hour clock, for example 14:05",
        error_messages={"required": f"Enter the {label.lower()}"},
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-5"}),
    )


class ConveneForm(InformationForm):
    moments = {"held_at": ("held_date", "held_time")}

    error_fields = {"held_at": "held_date"}

    kind = forms.ChoiceField(
        label="What kind of meeting is it?",
        choices=DiscussionKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select a strategy discussion or a MASH meeting"},
    )
    held_date = DateField(
        label="Date it was held",
        label_for_errors="the date it was held",
        help_text="For example, 27 11 2026",
    )
    held_time = _time_field("Time it was held")
    format = forms.ChoiceField(
        label="How was it held?",
        choices=DiscussionFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how it was held"},
    )
    missing_members_reason = forms.CharField(
        label="Why is the discussion going on without them?",
        required=False,
        max_length=2000,
        help_text="Needed when police, children's social care or health did not attend.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            now = timezone.localtime()
            self.fields["held_date"].initial = now.date()
            self.fields["held_time"].initial = now.strftime("%H:%M")


class AttendeeForm(CleanTextFormMixin, forms.Form):
    """One row of the attendee list; a row left empty is ignored."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        empty_label="Select an agency",
        widget=forms.Select(attrs={"class": "govuk-select govuk-!-width-full"}),
    )
    role = forms.ChoiceField(
        choices=[("", "Select a role"), *AttendeeRole.choices],
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select govuk-!-width-full"}),
    )
    name = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "govuk-input", "autocomplete": "off"}),
    )
    attended = forms.ChoiceField(
        choices=ATTENDED_CHOICES,
        initial="yes",
        widget=forms.Select(attrs={"class": "govuk-select govuk-!-width-full"}),
    )

    def row(self) -> dict | None:
        data = self.cleaned_data
        # A name the field refused (too long) is still what was typed: it goes on to the
        # service, which refuses it naming the row. Dropped here, the row was lost
        # without a word and the rest saved as if it had never been typed.
        name = data.get("name")
        if name is None:
            name = self.data.get(self.add_prefix("name"), "")
        if not (data.get("agency") or data.get("role") or name.strip() or self.errors):
            return None
        return {
            "agency": data.get("agency"),
            "role": data.get("role"),
            "name": name,
            # A value not offered (a tampered or missing answer) is None, which the service
            # refuses naming the row, rather than read as "did not attend".
            "attended": {"yes": True, "no": False}.get(data.get("attended")),
        }


AttendeeFormSet = forms.formset_factory(AttendeeForm, extra=0, max_num=40, absolute_max=40)


def attendee_formset(data=None, *, initial=None, spare: int = 1, rows: int = 4):
    """The attendee rows: at least ``rows``, and ``spare`` empty ones to fill in."""
    initial = list(initial or [])
    formset = AttendeeFormSet(data, prefix="att", initial=initial)
    if data is None:
        formset.extra = max(spare, rows - len(initial))
    return formset


def attendee_rows(formset) -> list[dict]:
    """The filled-in rows of a bound formset (invalid rows give what could be read)."""
    rows = []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data"):
            form.is_valid()
        row = form.row()
        if row is not None:
            rows.append(row)
    return rows


def _last_seen_field(element_id: str) -> forms.IntegerField:
    """The id of the newest row of its kind the page showed (0 for none): the same form
    sent twice (a double click, the browser sending it again) adds one row, not two
    (triage.services.strategy_records). ``element_id``: its own, as two forms on the page
    carry one."""
    problem = "Record it from the discussion's page: what the page showed is missing"
    return forms.IntegerField(
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        widget=forms.HiddenInput(attrs={"id": element_id}),
        error_messages={"invalid": problem, "min_value": problem, "max_value": problem},
    )


class DecisionForm(InformationForm):
    decision = forms.CharField(
        label="Decision",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter the decision"},
    )
    rationale = forms.CharField(
        label="Rationale",
        max_length=6000,
        help_text="Why: what was weighed, and why this was decided.",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the rationale: why this was decided"},
    )
    last_seen = _last_seen_field("decision-last-seen")


class ContributionForm(InformationForm):
    prefix = "info"  # beside the action form's own "agency" on the same page

    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.filter(is_active=True),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency that shared it"},
    )
    information = forms.CharField(
        label="What they shared",
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter what the agency shared"},
    )
    last_seen = _last_seen_field("information-last-seen")


class ActionForm(InformationForm):
    moments = {"due_at": ("due_date", "due_time")}

    error_fields = {"due_at": "due_date"}

    description = forms.CharField(
        label="Action",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter the action agreed"},
    )
    owner = forms.CharField(
        label="Owner",
        max_length=200,
        help_text="Name and role, for example 'Sam Lee, health visitor'.",
        error_messages={"required": "Enter who owns the action"},
    )
    agency = forms.ModelChoiceField(
        label="Owner's agency",
        queryset=Agency.objects.filter(is_active=True),
        empty_label="Select an agency",
        error_messages={"required": "Select the owner's agency"},
    )
    owner_user = forms.ModelChoiceField(
        label="Front Door user to alert when it is overdue (optional)",
        help_text="Managers, screeners and auditors; the managers are alerted in any case.",
        queryset=None,
        required=False,
        empty_label="Nobody: the managers are alerted",
    )
    due_date = DateField(
        label="Date it is due",
        label_for_errors="the date it is due",
        help_text="For example, 27 11 2026",
    )
    due_time = _time_field("Time it is due")
    last_seen = _last_seen_field("action-last-seen")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_user"].queryset = action_owner_users().order_by(
            "first_name", "last_name"
        )
        self.fields["owner_user"].label_from_instance = lambda u: (
            f"{u.display_name} ({u.get_role_display()})"
        )


class MinutesForm(InformationForm):
    moments = {"sent_at": ("sent_date", "sent_time")}

    error_fields = {"minutes_circulated_at": "sent_date", "minutes_to_family_at": "sent_date"}

    to = forms.ChoiceField(
        label="Who were the minutes circulated to?",
        choices=[("professionals", "Professionals"), ("family", "The family")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who the minutes went to"},
    )
    sent_date = DateField(
        label="Date sent",
        label_for_errors="the date they were sent",
        help_text="For example, 27 11 2026",
    )
    sent_time = _time_field("Time sent")


class OutcomeForm(InformationForm):
    moments = {"see_child_by": ("see_by_date", "see_by_time")}

    error_fields = {"see_child_by": "see_by_date"}

    section47_outcome = forms.ChoiceField(
        label="Section 47 outcome",
        choices=Section47Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the section 47 outcome"},
    )
    no_enquiry_reason = forms.CharField(
        label="If there is no section 47 enquiry, why not?",
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    see_by_date = DateField(
        label="The child must be seen by (date)",
        label_for_errors="the date the child must be seen by",
        required=False,
        help_text="For example, 27 11 2026",
    )
    see_by_time = _time_field("Time the child must be seen by", required=False)
    child_views = forms.CharField(
        label="The child's views",
        required=False,
        max_length=6000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    advocate_offered = forms.ChoiceField(
        label="For an older child: was an advocate offered?",
        choices=AdvocateOffered.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class ChildSeenForm(InformationForm):
    moments = {"child_seen_at": ("seen_date", "seen_time")}

    error_fields = {"child_seen_at": "seen_date", "child_seen_by": "seen_by"}

    seen_date = DateField(
        label="Date the child was seen",
        label_for_errors="the date the child was seen",
        help_text="For example, 27 11 2026",
    )
    seen_time = _time_field("Time the child was seen")
    seen_by = forms.CharField(
        label="Seen by", max_length=200, error_messages={"required": "Enter who saw the child"}
    )
    joint_visit = forms.ChoiceField(
        label="Was it a joint visit with the police?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether it was a joint visit"},
    )
