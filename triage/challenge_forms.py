"""Forms for challenges: raising one, and a manager's response, escalation and
resolution."""

from __future__ import annotations

from django import forms

from referrals.forms import GovukFormMixin
from referrals.models import NARRATIVE_MAX, Outcome
from triage.forms import threshold_choices
from triage.models import Resolution, Section47Outcome


class RaiseChallengeForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why do you disagree with the decision?",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Say what you think the decision missed or got wrong, and what you think "
        "should happen for the child. Include anything new you know since you referred.",
        error_messages={"required": "Say why you disagree with the decision"},
    )

    def __init__(self, *args, on_discussion: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if on_discussion:
            field = self.fields["reason"]
            field.label = "Why do you disagree with the strategy discussion's outcome?"
            field.help_text = (
                "Say what you think the discussion missed or got wrong, and what you think "
                "should happen for the child. Include anything new you know since."
            )
            field.error_messages["required"] = (
                "Say why you disagree with the strategy discussion's outcome"
            )


class RespondForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Response",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The person who raised the challenge reads this. Leave out anything "
        "shared in confidence.",
        error_messages={"required": "Write the response"},
    )


class ReplyForm(GovukFormMixin, forms.Form):
    text = forms.CharField(
        label="Add to your challenge",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="New information since you raised it, or why the answer so far does not "
        "settle it. The front door's manager for this stage is told.",
        error_messages={"required": "Write what you want to add"},
    )

    def for_someone_elses(self) -> ReplyForm:
        """Worded for an agency lead adding to a colleague's challenge: not theirs."""
        # The bound field too: a form already validated keeps the label it was read with.
        self.fields["text"].label = self["text"].label = "Add to this challenge"
        self.fields["text"].help_text = self["text"].help_text = (
            "New information since it was raised, or why the answer so far does not "
            "settle it. The front door's manager for this stage is told."
        )
        return self


class EscalateForm(GovukFormMixin, forms.Form):
    reason = forms.CharField(
        label="Why is it being escalated?",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The person who raised the challenge reads this.",
        error_messages={"required": "Say why it is escalated"},
    )
    # The stage the page showed: the same form sent twice (a double click) escalates once.
    from_stage = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=32767,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": "Escalate it from the challenge's page: the stage it is at is missing",
            "min_value": "Escalate it from the challenge's page: the stage it is at is missing",
            "max_value": "Escalate it from the challenge's page: the stage it is at is missing",
        },
    )


class ResolveForm(GovukFormMixin, forms.Form):
    resolution = forms.ChoiceField(
        label="Resolution",
        choices=Resolution.choices,
        widget=forms.RadioSelect,
        help_text="Upheld: the challenge was right, and what follows is agreed without "
        "changing the decision. Decision changed: the new decision is recorded as an "
        "amendment beside the original. Not upheld: the decision stands, and the reasons "
        "say why.",
        error_messages={"required": "Choose how the challenge is resolved"},
    )
    reasons = forms.CharField(
        label="Reasons",
        max_length=NARRATIVE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The person who raised the challenge reads these. Leave out anything "
        "shared in confidence.",
        error_messages={"required": "Give the reasons, for the person who raised it"},
    )
    outcome = forms.ChoiceField(
        label="New outcome (only if the decision is changed)",
        choices=[("", "Choose an outcome"), *Outcome.choices],
        required=False,
        widget=forms.Select,
    )
    threshold_level = forms.TypedChoiceField(
        label="New threshold level (only if the decision is changed)",
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.Select,
    )
    rationale = forms.CharField(
        label="Rationale for the new decision (only if it is changed)",
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    feedback = forms.CharField(
        label="What to tell the referrer about the new decision (only if it is changed)",
        max_length=NARRATIVE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # A challenge to a strategy discussion's outcome changes that outcome instead.
    section47_outcome = forms.ChoiceField(
        label="New section 47 outcome (only if it is changed)",
        choices=[("", "Choose an outcome"), *Section47Outcome.choices],
        required=False,
        widget=forms.Select,
    )
    no_enquiry_reason = forms.CharField(
        label="Why there is no section 47 enquiry (only for that outcome)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold_level"].choices = [
            ("", "Choose a level"),
            *threshold_choices(),
        ]
