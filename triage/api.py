"""The decisions API: managers record the decision on a referral."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from agencies.api import holds
from agencies.policy import Capability
from core.exceptions import AlreadyDecided, DomainError, NotPermitted
from referrals.api_rules import MinWords, required_when
from referrals.models import Outcome
from referrals.selectors import referrals_visible_to
from referrals.serializer_mixins import CleanTextMixin
from triage.footprint import UNUSUAL_OUTCOMES
from triage.models import Decision
from triage.services.decisions import (
    LEVEL_MAX,
    MIN_FEEDBACK_WORDS,
    MIN_LIVED_EXPERIENCE_CHARS,
    MIN_LIVED_EXPERIENCE_WORDS,
    MIN_RATIONALE_CHARS,
    MIN_RATIONALE_WORDS,
    MIN_REASON_WORDS,
    decide,
)


class DecisionInputSerializer(CleanTextMixin, serializers.Serializer):
    multiline_fields = (
        "rationale",
        "lived_experience_impact",
        "feedback",
        "onward_referrals",
        "late_reason",
        "proceed_reason",
        "threshold_reason",
    )

    outcome = serializers.ChoiceField(
        choices=Outcome.choices, help_text="The outcome decided (census-independent code)."
    )
    threshold_level = serializers.IntegerField(
        min_value=0,
        max_value=LEVEL_MAX,
        help_text="The level of need: the number of one of the levels of the local threshold "
        "document in use (1 to 4 by default).",
    )
    rationale = serializers.CharField(
        max_length=6000,
        validators=[
            MinWords(
                MIN_RATIONALE_WORDS,
                min_chars=MIN_RATIONALE_CHARS,
                message="Explain the decision: what you weighed, and why this outcome "
                f"(at least {MIN_RATIONALE_WORDS} words)",
            )
        ],
        help_text="Why: what was weighed, and why this outcome "
        f"({MIN_RATIONALE_WORDS}+ words, {MIN_RATIONALE_CHARS}+ characters).",
    )
    lived_experience_impact = serializers.CharField(
        max_length=6000,
        required=False,
        allow_blank=True,
        validators=[
            MinWords(
                MIN_LIVED_EXPERIENCE_WORDS,
                min_chars=MIN_LIVED_EXPERIENCE_CHARS,
                message="Say how the child's lived experience informed the decision: what "
                "their day is like and what that means for this outcome (at least "
                f"{MIN_LIVED_EXPERIENCE_WORDS} words)",
            )
        ],
        help_text="How the child's lived experience informed the decision; when given, "
        "with the rationale's substance (8+ words, 40+ characters).",
    )
    feedback = serializers.CharField(
        max_length=6000,
        validators=[
            MinWords(
                MIN_FEEDBACK_WORDS,
                message="Write what the referrer will be told about why, for them to read "
                f"(at least {MIN_FEEDBACK_WORDS} words)",
            )
        ],
        help_text="What the referrer is told about why, written for them to read (4+ "
        "words). Required: the rationale is never sent to the referrer, as it may hold "
        "what another agency shared in confidence.",
    )
    onward_referrals = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        help_text="Onward referrals made, for example to adult services for a parent.",
    )
    late_reason = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        help_text="Why the decision is late; required once the decision is past due.",
    )
    proceed_reason = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        help_text="Why decide now (4+ words); required when a warning applies: the referral "
        "is unallocated, not linked to a child record, has no screening notes, or has "
        "information requests outstanding. The decision's `warnings` say which applied.",
    )
    threshold_reason = serializers.CharField(
        max_length=3000,
        required=False,
        allow_blank=True,
        help_text="Why this outcome at this threshold level (4+ words); required when the "
        "outcome is unusual for the level: at level 1 a section 17 assessment or a "
        "strategy discussion, at level 2 a strategy discussion, at level 3 no further "
        "action or signposting, at level 4 no further action, signposting or early help.",
    )

    # The rules across fields the schema can state. Those that depend on the referral
    # (proceed_reason while a warning applies, late_reason once past due) and on the
    # threshold levels in use are in the fields' descriptions.
    openapi_rules = {
        "allOf": [
            required_when(
                "threshold_reason",
                {
                    "anyOf": [
                        {
                            "required": ["threshold_level", "outcome"],
                            "properties": {
                                "threshold_level": {"enum": [level]},
                                "outcome": {"enum": sorted(outcomes)},
                            },
                        }
                        for level, outcomes in sorted(UNUSUAL_OUTCOMES.items())
                    ]
                },
                MinWords(MIN_REASON_WORDS, message=""),
            )
        ],
        "x-rules": [
            f"threshold_reason ({MIN_REASON_WORDS}+ words) is required when the outcome is "
            "unusual for the threshold level (see threshold_reason)."
        ],
    }


class DecisionOutputSerializer(serializers.ModelSerializer):
    # Composed from the manager's words (at most 6000 characters), the outcome in plain
    # words and the support services in use, so it may be longer than the model's
    # max_length claims for it: no maximum is promised.
    feedback = serializers.CharField(
        read_only=True,
        help_text="What the referrer reads: the outcome in plain words, the manager's "
        "reasons (the `feedback` sent), other support where the threshold is not met.",
    )
    decided_by = serializers.CharField(source="decided_by.display_name", read_only=True)
    threshold_level = serializers.IntegerField(
        source="threshold_level_id", read_only=True, help_text="The threshold level's number."
    )
    screened_by = serializers.CharField(
        source="screened_by.display_name",
        read_only=True,
        default=None,
        help_text="Who screened it (recommended the outcome, or had it allocated); null if nobody.",
    )
    warnings = serializers.SerializerMethodField(
        help_text="What the manager was warned about: `unallocated`, `not_linked`, "
        "`no_notes`, `requests_outstanding`."
    )
    known_at_decision = serializers.JSONField(
        read_only=True,
        help_text="What was known when the decision was made: `warnings`, `notes`, "
        "`requests_answered`, `requests_outstanding`, `linked`, `allocated`, "
        "`earlier_referrals`, `concern_recurs`, `chronic_neglect`, `repeat_pattern`.",
    )

    def get_warnings(self, decision) -> list[str]:
        return list((decision.known_at_decision or {}).get("warnings", []))

    class Meta:
        model = Decision
        fields = [
            "outcome",
            "threshold_level",
            "rationale",
            "lived_experience_impact",
            "onward_referrals",
            "late_reason",
            "proceed_reason",
            "threshold_reason",
            "feedback",
            "screened_by",
            "decided_by",
            "decided_at",
            "warnings",
            "known_at_decision",
        ]


class AlreadyDecidedConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "already_decided"


class ReferralDecision(generics.GenericAPIView):
    """Managers record the decision on a referral."""

    permission_classes = [
        IsAuthenticated,
        holds(Capability.DECIDE, "Only managers record decisions."),
    ]
    serializer_class = DecisionInputSerializer

    @extend_schema(
        summary="Record the decision on a referral",
        description="Managers only: 403 for anyone else, 404 for a referral you may not "
        "see, 409 when the referral has already been decided, 400 naming the fields "
        "that break a rule.",
        request=DecisionInputSerializer,
        responses={
            201: DecisionOutputSerializer,
            400: OpenApiResponse(description="Field-level errors."),
            403: OpenApiResponse(description="Only managers record decisions."),
            404: OpenApiResponse(description="Not found."),
            409: OpenApiResponse(description="Already decided."),
        },
    )
    def post(self, request, pk: int):
        referral = generics.get_object_or_404(referrals_visible_to(request.user), pk=pk)
        serializer = DecisionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            decision = decide(referral_id=referral.pk, by=request.user, **serializer.validated_data)
        except AlreadyDecided as exc:
            raise AlreadyDecidedConflict(str(exc)) from None
        except DomainError as exc:
            raise ValidationError(exc.errors) from None
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(DecisionOutputSerializer(decision).data, status=status.HTTP_201_CREATED)
