"""The challenges API: the referral's referrer or their agency lead raises a challenge to
its decision; everyone who may follow challenges lists them, scoped as the pages are."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import APIException, NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from agencies.policy import Capability, can
from core.exceptions import DomainError, InvalidState, NotPermitted
from referrals.models import Referral
from referrals.selectors import referrals_visible_to
from triage.models import Challenge
from triage.services.challenges import (
    challenges_visible_to,
    ensure_challengeable,
    raise_challenge,
)


class ChallengeInputSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=6000,
        help_text="Why you disagree with the decision, and what you think should happen "
        "for the child (5+ words).",
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

    class Meta:
        model = Challenge
        fields = [
            "id",
            "referral",
            "reference",
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
    """The referral's referrer or their agency lead challenges its decision."""

    serializer_class = ChallengeInputSerializer

    @extend_schema(
        summary="Challenge the decision on a referral",
        description="The referral's referrer or their agency lead: 403 for other roles, "
        "404 for a referral you may not see, 409 when the referral has not been decided "
        "or its decision is already being challenged, 400 naming the field that breaks a "
        "rule.",
        request=ChallengeInputSerializer,
        responses={
            201: ChallengeSerializer,
            400: OpenApiResponse(description="Field-level errors."),
            403: OpenApiResponse(description="Only referrers and agency leads raise challenges."),
            404: OpenApiResponse(description="Not found."),
            409: OpenApiResponse(description="Not decided, or already being challenged."),
        },
    )
    def post(self, request, pk: int):
        if not can(request.user, Capability.RAISE_CHALLENGE):
            raise PermissionDenied("Only the referrer or their agency lead may raise a challenge.")
        referral = generics.get_object_or_404(referrals_visible_to(request.user), pk=pk)
        try:
            # The state first: a body cannot make an undecided referral challengeable.
            ensure_challengeable(referral)
        except InvalidState as exc:
            raise ChallengeConflict(str(exc)) from None
        serializer = ChallengeInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            challenge = raise_challenge(
                referral_id=referral.pk, by=request.user, **serializer.validated_data
            )
        except InvalidState as exc:
            raise ChallengeConflict(str(exc)) from None
        except DomainError as exc:
            raise ValidationError(exc.errors) from None
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None
        except Referral.DoesNotExist:
            raise NotFound from None
        return Response(ChallengeSerializer(challenge).data, status=status.HTTP_201_CREATED)


class ChallengeList(generics.ListAPIView):
    """Challenges you may follow: referrers their own referrals', agency leads their
    agency's, managers and auditors all; 403 for other roles."""

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

    def get_queryset(self):
        return challenges_visible_to(self.request.user).select_related("referral", "stage")
