"""The challenges API: the referral's referrer or their agency lead raises a challenge to
its decision; everyone who may follow challenges lists them, scoped as the pages are."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from agencies.policy import Capability, can
from audit.api import AccessLoggedList
from audit.models import AccessLog
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.api_rules import MinWords
from referrals.models import Referral
from referrals.serializer_mixins import CleanTextMixin
from triage.models import Challenge, StrategyDiscussion
from triage.services.challenges import (
    MIN_REASON_WORDS,
    challenges_visible_to,
    ensure_challengeable,
    ensure_discussion_challengeable,
    raise_challenge,
    referrals_challengeable_by,
)


class ChallengeInputSerializer(CleanTextMixin, serializers.Serializer):
    multiline_fields = ("reason",)

    reason = serializers.CharField(
        max_length=6000,
        validators=[
            MinWords(
                MIN_REASON_WORDS,
                message=f"Say why you disagree (at least {MIN_REASON_WORDS} words)",
            )
        ],
        help_text="Why you disagree with the decision (or the discussion's outcome), and "
        "what you think should happen for the child (5+ words).",
    )
    discussion = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text="To challenge the section 47 outcome of a strategy discussion about this "
        "referral instead of its decision: the discussion's id.",
    )


class ChallengeSerializer(serializers.ModelSerializer):
    referral = serializers.IntegerField(source="referral_id", read_only=True)
    reference = serializers.CharField(source="referral.reference", read_only=True)
    stage = serializers.IntegerField(
        source="stage.order", read_only=True, help_text="The escalation stage's number, from 1."
    )
    stage_name = serializers.CharField(source="stage.name", read_only=True)
    status = serializers.ChoiceField(
        choices=Challenge.Status.choices, read_only=True, help_text="`open` or `resolved`."
    )
    subject = serializers.ChoiceField(
        choices=[("decision", "decision"), ("discussion", "discussion")],
        read_only=True,
        help_text="What is challenged: the referral's `decision`, or a strategy "
        "`discussion`'s section 47 outcome.",
    )
    discussion = serializers.IntegerField(
        source="discussion_id",
        read_only=True,
        allow_null=True,
        help_text="The discussion whose outcome is challenged; null for a decision.",
    )

    class Meta:
        model = Challenge
        fields = [
            "id",
            "referral",
            "reference",
            "subject",
            "discussion",
            "stage",
            "stage_name",
            "stage_due_at",
            "status",
            "raised_at",
            "resolution",
            "resolved_at",
        ]
        extra_kwargs = {
            "resolution": {
                "help_text": "`upheld`, `decision_changed` or `not_upheld`; empty while open."
            }
        }


class ChallengeConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "cannot_challenge"


class ReferralChallenges(generics.GenericAPIView):
    """The referral's referrer, their agency lead or another professional involved (a
    partner agency asked for information about it, or at its discussion) challenges its
    decision, or the section 47 outcome of a strategy discussion about it."""

    serializer_class = ChallengeInputSerializer

    @extend_schema(
        summary="Challenge the decision on a referral, or a discussion's outcome",
        description="The referral's referrer or their agency lead, or a partner agency's "
        "practitioner whose agency was asked for information about it or attended its "
        "discussion: 403 for other roles, 404 for a referral you may not challenge (or a "
        "`discussion` that is not about it), 409 "
        "when the referral has not been decided, the discussion has no section 47 outcome "
        "yet, or it is already being challenged; 400 naming the field that breaks a rule.",
        request=ChallengeInputSerializer,
        responses={
            201: ChallengeSerializer,
            400: OpenApiResponse(description="Field-level errors."),
            403: OpenApiResponse(
                description="Only referrers, agency leads and partners raise challenges."
            ),
            404: OpenApiResponse(description="Not found."),
            409: OpenApiResponse(description="Not decided, or already being challenged."),
        },
    )
    def post(self, request, pk: int):
        if not can(request.user, Capability.RAISE_CHALLENGE):
            raise PermissionDenied(
                "Only the referrer, their agency lead or another professional involved may "
                "raise a challenge."
            )
        referral = generics.get_object_or_404(referrals_challengeable_by(request.user), pk=pk)
        serializer = ChallengeInputSerializer(data=request.data)
        discussion_id = _discussion_asked_for(request.data)
        try:
            # The state first: a body cannot make an undecided referral challengeable.
            if discussion_id is None:
                ensure_challengeable(referral)
            else:
                ensure_discussion_challengeable(referral, discussion_id)
        except InvalidState as exc:
            raise ChallengeConflict(str(exc)) from None
        except StrategyDiscussion.DoesNotExist:
            raise NotFound("No such strategy discussion about this referral.") from None
        serializer.is_valid(raise_exception=True)
        try:
            challenge = raise_challenge(
                referral_id=referral.pk,
                by=request.user,
                reason=serializer.validated_data["reason"],
                discussion_id=serializer.validated_data.get("discussion"),
            )
        except InvalidState as exc:
            raise ChallengeConflict(str(exc)) from None
        except DomainError as exc:
            raise ValidationError(exc.errors) from None
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None
        except (Referral.DoesNotExist, StrategyDiscussion.DoesNotExist):
            raise NotFound from None
        return Response(ChallengeSerializer(challenge).data, status=status.HTTP_201_CREATED)


def _discussion_asked_for(data) -> int | None:
    """The discussion id the body names, when it names a valid one; anything else is
    left to the serializer's 400."""
    value = data.get("discussion") if hasattr(data, "get") else None
    # A JSON whole number only: "1" (text) or true is the serializer's 400, not an id.
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if value >= 1 else None


class ChallengeList(AccessLoggedList, generics.ListAPIView):
    """Challenges you may follow: referrers their own referrals', agency leads their
    agency's, partners those they raised, managers and auditors all; 403 for other
    roles."""

    serializer_class = ChallengeSerializer

    @extend_schema(
        summary="List challenges",
        responses={200: ChallengeSerializer(many=True), 403: OpenApiResponse()},
    )
    def get(self, request, *args, **kwargs):
        if not (
            can(request.user, Capability.VIEW_ALL_CHALLENGES)
            or can(request.user, Capability.RAISE_CHALLENGE)
        ):
            raise PermissionDenied("Your role does not follow challenges.")
        return super().get(request, *args, **kwargs)

    access_kind = AccessLog.Kind.CHALLENGE_LIST

    def access_ids(self, objects):
        return {
            "challenges": [c.pk for c in objects],
            "referrals": list(dict.fromkeys(c.referral_id for c in objects)),
        }

    def get_queryset(self):
        return challenges_visible_to(self.request.user).select_related("referral", "stage")
