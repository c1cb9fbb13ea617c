"""The referrals API's shapes: what a client sends and what it gets back.

Field lengths, codes and validators come from the models; the rules about what a
referral must contain live in ``referrals.services``, which both the form and the API
call. Every field carries a description for the schema at /api/schema/.
"""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from agencies.census import SOURCE_OF_REFERRAL
from agencies.models import Agency
from agencies.policy import reads_referrer_feedback
from core.clock import ClockState, read_clock
from referrals.api_rules import (
    Answer,
    BirthDate,
    ExpectedBirthDate,
    NhsNumber,
    Postcode,
    required_unless_given,
    required_when,
)
from referrals.census import CallerType, ConcernCategory, Disability
from referrals.models import Channel, HouseholdMember, Outcome, ParentalConsent, Referral, Status
from referrals.serializer_mixins import CleanTextMixin, FieldsBuiltOnce
from referrals.services import (
    CHILD_FIELDS,
    CONTACT_FIELDS,
    DETAIL_FIELDS,
    HOUSEHOLD_FIELDS,
    VOICE_HOUSE_FIELDS,
)
from referrals.validation import normalise_nhs_number, normalise_postcode

STAFF_ONLY = "Screeners and managers only; ignored for everyone else."

HELP = {
    "id": "The referral's id, for /api/v1/referrals/{id}/.",
    "reference": "The reference to quote, for example FD-2026-000123.",
    "status": "Where the referral is: received, screening, awaiting decision or decided.",
    "received_at": "When the front door received the referral (ISO 8601). The 24-hour "
    "decision clock runs from this time.",
    "decision_due_at": (
        "When a decision is due: 24 hours after received_at by default, or one working "
        "day where the front door has chosen that policy."
    ),
    "decided_at": "When a manager decided; null until then.",
    "outcome": "The decision's outcome; null until decided.",
    "is_overdue": "True when no decision has been made and decision_due_at has passed.",
    "feedback": "What the front door tells the referrer about the decision. Shown to the "
    "referrer and their agency's lead once decided; null otherwise.",
    "agency": "The referring agency's name; null for a member of the public.",
    "source_of_referral": "The DfE children-in-need census source-of-referral code.",
    "child_first_name": "The child's first name; 'Unborn' for an unborn baby.",
    "child_last_name": "The child's last name.",
    "child_other_names": "Other names the child is known by, or previous names.",
    "child_date_of_birth": "Date of birth (YYYY-MM-DD), today or earlier. Leave out when it "
    "is not known, or for an unborn baby (give child_expected_date_of_birth).",
    "child_expected_date_of_birth": "An unborn baby's expected date of birth (YYYY-MM-DD), "
    "within the next 10 months. Give this or child_date_of_birth, not both.",
    "child_gender": "CIN census gender code: 1 male, 2 female, 9 indeterminate, 0 not known.",
    "child_ethnicity": "CIN census ethnicity code: REFU when the child or family declined "
    "to say, NOBT when not known. Optional for API clients: when left out it is NOBT (not "
    "known), as before.",
    "child_first_language": "The child's first language; 'Not known' or 'Declined' where "
    "so. Optional: when left out it is blank, meaning not asked.",
    "child_interpreter_needed": "Whether the child or family needs an interpreter: true, "
    "false, or null for not known. Optional: when left out it is null (not known); it was "
    "false before the referral form began to ask.",
    "child_religion": "The child's religion: not_known or declined where so. Optional: "
    "when left out it is not_known, as before.",
    "child_disabilities": "CIN census disability codes; NONE for no disability.",
    "child_address": "Where the child lives.",
    "child_postcode": "The child's postcode, like LS1 4AP.",
    "child_school": "The child's school or nursery.",
    "child_nhs_number": "The child's 10-digit NHS number; spaces are allowed.",
    "concerns": "The kinds of concern: at least one.",
    "worry": "Specifically what you are worried about for the child: what happened or what "
    "you saw, when, and what it means for the child. Required; a placeholder such as "
    "'n/a' or a word or two is refused.",
    "lived_experience": "What a day is like for the child. Required; a placeholder such as "
    "'n/k' or a word or two is refused.",
    "child_voice": "What the child has said, or why it could not be gathered. Required "
    "unless one of the three houses (voice_worries, voice_good_things, voice_dreams) is "
    "given. A placeholder such as 'n/a', 'n/k' or a word or two is refused.",
    "voice_worries": "The three houses: the house of worries, what the child worries "
    "about, in their own words. Optional.",
    "voice_good_things": "The three houses: the house of good things, in the child's own "
    "words. Optional.",
    "voice_dreams": "The three houses: the house of dreams, what the child hopes for, in "
    "their own words. Optional.",
    "new_or_pattern": "Is this new, or part of a pattern? new, pattern or dont_know. "
    "Optional for API clients: when left out it is not_asked (the web form requires an "
    "answer).",
    "history_and_pattern": "What has happened before, how often, and what has been tried.",
    "working_well": "What is working well for the child and family.",
    "what_should_happen": "What you think needs to happen.",
    "parental_consent": "Whether the parents know about and agree to the referral.",
    "consent_not_sought_reason": "Why consent was not sought; required when "
    "parental_consent is not_sought.",
    "immediate_risk": "True if the child may be in danger now. Call 999 or the duty line as "
    "well: a referral is not an emergency call.",
    "other_professionals": "Other professionals involved with the child or family.",
    "household": "The people in the child's household.",
    "referrer_name": "Who is referring. Defaults to your own name.",
    "referrer_role": "Their job title. Defaults to your own.",
    "referrer_organisation": "Their organisation. Defaults to your agency.",
    "referrer_phone": "A phone number the front door can call back on. Defaults to your own.",
    "referrer_email": "An email address for the referrer. Defaults to your own.",
    "channel": f"How the referral reached the front door: phone, email or api. {STAFF_ONLY} "
    "Defaults to api.",
    "caller_type": f"Who made the referral. {STAFF_ONLY} Defaults to professional.",
    "caller_agency": f"The id of the caller's agency, for a professional caller. {STAFF_ONLY}",
}
INPUT_RECEIVED_AT = (
    "When the front door received the referral (ISO 8601), never in the future and no "
    "longer ago than the front door allows (7 days by default, "
    "FRONTDOOR_RECEIVED_AT_MAX_AGE_DAYS); the 24-hour clock runs from it. "
    f"{STAFF_ONLY} For everyone else the server sets it to the time of the request."
)
HOUSEHOLD_HELP = {
    "name": "The person's name.",
    "relationship": "Their relationship to the child, for example mother.",
    "date_of_birth": "Their date of birth (YYYY-MM-DD), if known.",
    "lives_with_child": "Whether they live with the child.",
    "known_risk": "Any known risk, for example an adult subject to a court order.",
}


def _help(fields, texts=HELP) -> dict:
    return {field: {"help_text": texts[field]} for field in fields}


def _with_validators(extra_kwargs: dict, **rules) -> dict:
    """A model field's validators replaced by a rule that also states itself in the
    schema (referrals.api_rules)."""
    for field, rule in rules.items():
        extra_kwargs[field]["validators"] = [rule]
    return extra_kwargs


class HouseholdMemberSerializer(FieldsBuiltOnce, CleanTextMixin, serializers.ModelSerializer):
    class Meta:
        model = HouseholdMember
        fields = HOUSEHOLD_FIELDS
        extra_kwargs = _help(HOUSEHOLD_FIELDS, HOUSEHOLD_HELP)


class ReferralInputSerializer(FieldsBuiltOnce, CleanTextMixin, serializers.ModelSerializer):
    """One child's referral, as a partner agency (or a screener taking a call) sends it."""

    concerns = serializers.ListField(
        child=serializers.ChoiceField(choices=ConcernCategory.choices),
        min_length=1,
        max_length=len(ConcernCategory),
        help_text=HELP["concerns"],
    )
    child_disabilities = serializers.ListField(
        child=serializers.ChoiceField(choices=Disability.choices),
        max_length=len(Disability),
        required=False,
        help_text=HELP["child_disabilities"],
    )
    # Wider than the model's 10 characters so that "943 476 5919" is accepted as typed.
    child_nhs_number = serializers.CharField(
        max_length=14,
        required=False,
        allow_blank=True,
        validators=[NhsNumber()],
        help_text=HELP["child_nhs_number"],
    )
    household = HouseholdMemberSerializer(
        many=True, required=False, max_length=30, help_text=HELP["household"]
    )
    received_at = serializers.DateTimeField(required=False, help_text=INPUT_RECEIVED_AT)
    channel = serializers.ChoiceField(
        choices=[(c.value, c.label) for c in (Channel.PHONE, Channel.EMAIL, Channel.API)],
        required=False,
        help_text=HELP["channel"],
    )
    caller_type = serializers.ChoiceField(
        choices=CallerType.choices, required=False, help_text=HELP["caller_type"]
    )
    caller_agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text=HELP["caller_agency"],
    )

    class Meta:
        model = Referral
        fields = (
            *CHILD_FIELDS,
            "concerns",
            *DETAIL_FIELDS,
            "household",
            *CONTACT_FIELDS,
            "received_at",
            "channel",
            "caller_type",
            "caller_agency",
        )
        extra_kwargs = _with_validators(
            _help((*CHILD_FIELDS, *DETAIL_FIELDS, *CONTACT_FIELDS)),
            child_postcode=Postcode(),
            child_date_of_birth=BirthDate(),
            child_expected_date_of_birth=ExpectedBirthDate(),
            worry=Answer("worry"),
            lived_experience=Answer("lived_experience"),
            child_voice=Answer("child_voice"),
        )

    # The rules across fields, as the schema states them.
    openapi_rules = {
        "allOf": [
            {
                "not": {
                    "required": ["child_date_of_birth", "child_expected_date_of_birth"],
                    "properties": {
                        "child_date_of_birth": {"type": "string"},
                        "child_expected_date_of_birth": {"type": "string"},
                    },
                }
            },
            required_unless_given("child_voice", *VOICE_HOUSE_FIELDS),
            required_when(
                "consent_not_sought_reason",
                {
                    "required": ["parental_consent"],
                    "properties": {"parental_consent": {"enum": [ParentalConsent.NOT_SOUGHT]}},
                },
            ),
        ],
        "x-rules": [
            "Give child_date_of_birth or child_expected_date_of_birth, not both.",
            "child_voice is required unless one of voice_worries, voice_good_things or "
            "voice_dreams is given.",
            "consent_not_sought_reason is required when parental_consent is not_sought.",
        ],
    }

    def validate_child_nhs_number(self, value: str) -> str:
        return normalise_nhs_number(value)

    def validate_child_postcode(self, value: str) -> str:
        return normalise_postcode(value)


class ReferralSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """A referral as its referrer, their agency's lead and the front door see it."""

    concerns = serializers.ListField(
        child=serializers.ChoiceField(choices=ConcernCategory.choices),
        source="concern_categories",
        read_only=True,
        help_text="The kinds of concern.",
    )
    agency = serializers.CharField(
        source="agency.name", read_only=True, allow_null=True, help_text=HELP["agency"]
    )
    source_of_referral = serializers.ChoiceField(
        choices=list(SOURCE_OF_REFERRAL.items()),
        read_only=True,
        help_text=HELP["source_of_referral"],
    )
    decided_at = serializers.DateTimeField(
        source="decision.decided_at", read_only=True, allow_null=True, help_text=HELP["decided_at"]
    )
    outcome = serializers.ChoiceField(
        source="decision.outcome",
        choices=Outcome.choices,
        read_only=True,
        allow_null=True,
        help_text=HELP["outcome"],
    )
    is_overdue = serializers.SerializerMethodField(help_text=HELP["is_overdue"])
    feedback = serializers.SerializerMethodField(help_text=HELP["feedback"])

    class Meta:
        model = Referral
        fields = (
            "id",
            "reference",
            "status",
            "received_at",
            "decision_due_at",
            "decided_at",
            "outcome",
            "is_overdue",
            "feedback",
            "immediate_risk",
            "concerns",
            "child_first_name",
            "child_last_name",
            "child_date_of_birth",
            "child_expected_date_of_birth",
            "agency",
            "source_of_referral",
        )
        read_only_fields = fields
        extra_kwargs = _help(
            (
                "id",
                "reference",
                "status",
                "received_at",
                "decision_due_at",
                "immediate_risk",
                "child_first_name",
                "child_last_name",
                "child_date_of_birth",
                "child_expected_date_of_birth",
            )
        )

    def get_is_overdue(self, referral: Referral) -> bool:
        if referral.status == Status.DECIDED:
            return False
        now = self.context.get("now") or timezone.now()
        clock = read_clock(due_at=referral.decision_due_at, now=now)
        return clock.state is ClockState.OVERDUE

    def get_feedback(self, referral: Referral) -> str | None:
        decision = getattr(referral, "decision", None)
        request = self.context.get("request")
        # Referrers and agency leads see the feedback meant for them; the front door
        # sees the whole decision elsewhere. The selector has already scoped which
        # referrals this user sees at all.
        if decision is None or request is None:
            return None
        if "reads_feedback" in self.context:
            reads = self.context["reads_feedback"]
        else:
            reads = reads_referrer_feedback(request.user)
        if not reads:
            return None
        amendments = self.context.get("amendments")
        if amendments is None:
            return decision.current.feedback
        amended = amendments.get(referral.pk)
        return amended.feedback if amended is not None else decision.feedback

    def to_representation(self, referral: Referral) -> dict:
        """What DRF's field-by-field representation of the fields above gives (a test
        holds the two equal), written out directly: through DRF's machinery a page of
        fifty cost about as much as the rest of the request. A list passes in the
        context what it read for its page's rows at once: ``concerns`` and
        ``amendments`` by referral id (referrals.selectors), ``now`` and
        ``reads_feedback``; without them each referral reads its own."""
        decision = getattr(referral, "decision", None)
        agency = referral.agency
        concerns = self.context.get("concerns")
        return {
            "id": referral.pk,
            "reference": referral.reference,
            "status": referral.status,
            "received_at": _datetime(referral.received_at),
            "decision_due_at": _datetime(referral.decision_due_at),
            "decided_at": _datetime(decision.decided_at) if decision is not None else None,
            "outcome": decision.outcome if decision is not None else None,
            "is_overdue": self.get_is_overdue(referral),
            "feedback": self.get_feedback(referral),
            "immediate_risk": bool(referral.immediate_risk),
            "concerns": (
                list(concerns.get(referral.pk, ()))
                if concerns is not None
                else referral.concern_categories
            ),
            "child_first_name": referral.child_first_name,
            "child_last_name": referral.child_last_name,
            "child_date_of_birth": _date(referral.child_date_of_birth),
            "child_expected_date_of_birth": _date(referral.child_expected_date_of_birth),
            "agency": agency.name if agency is not None else None,
            "source_of_referral": referral.source_of_referral,
        }


def _datetime(value):
    """As DRF's DateTimeField writes an aware datetime (ISO 8601 in the current time
    zone, UTC as Z)."""
    if not value:
        return None
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _date(value):
    return value.isoformat() if value else None
