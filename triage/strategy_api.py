"""The strategy discussions API: managers record discussions and change who attended
and when the minutes went out; managers, screeners and auditors read them. Each answer
carries the membership warning codes, recomputed from the attendees."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from agencies.policy import Capability, can
from audit.api import AccessLoggedList
from audit.models import AccessLog
from audit.services import log_access
from core.exceptions import DomainError, NotPermitted
from referrals import break_glass, break_glass_api
from referrals.api_rules import NotInFuture
from referrals.models import Referral
from referrals.pagination import KeysetPagination
from referrals.parsers import BoundedJSONParser
from referrals.serializer_mixins import CleanTextMixin
from triage import moments, selectors
from triage.models import (
    AgencyContribution,
    Attendee,
    AttendeeRole,
    DiscussionAction,
    DiscussionDecision,
    DiscussionFormat,
    DiscussionKind,
    StrategyDiscussion,
)
from triage.services import strategy
from triage.strategy_membership import MembershipWarning

# Not in the future, as the service says too (triage.moments): stated in the schema.
HELD_NOT_IN_FUTURE = NotInFuture(
    grace=moments.CLOCK_SKEW, message=moments.in_future(moments.HELD), name="discussion-held-at"
)
MINUTES_NOT_IN_FUTURE = NotInFuture(
    grace=moments.CLOCK_SKEW, message=moments.in_future(moments.MINUTES_CIRCULATED)
)


class AttendeeSerializer(CleanTextMixin, serializers.Serializer):
    # Within an id's range: the agencies are looked up by ``in_bulk``, and an id past a
    # 64-bit integer was a server error there on SQLite.
    agency = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="The agency's id (GET /api/v1/agencies/)."
    )
    role = serializers.ChoiceField(choices=AttendeeRole.choices)
    name = serializers.CharField(max_length=strategy.NAME_MAX)
    attended = serializers.BooleanField(help_text="False for those invited who did not attend.")


class AttendeeOutputSerializer(serializers.Serializer):
    """An attendee as the answers show one: the input's shape, without its rules."""

    agency = serializers.IntegerField(help_text="The agency's id (GET /api/v1/agencies/).")
    role = serializers.ChoiceField(choices=AttendeeRole.choices)
    name = serializers.CharField()
    attended = serializers.BooleanField(help_text="False for those invited who did not attend.")


class ActionSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="agency_id", read_only=True)

    class Meta:
        model = DiscussionAction
        fields = ["id", "description", "owner", "agency", "due_at", "done_at"]


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DiscussionDecision
        fields = ["id", "decision", "rationale", "recorded_at"]


class ContributionSerializer(serializers.ModelSerializer):
    agency = serializers.IntegerField(source="agency_id", read_only=True)

    class Meta:
        model = AgencyContribution
        fields = ["id", "agency", "information"]


class DiscussionSerializer(serializers.ModelSerializer):
    referral = serializers.IntegerField(source="referral_id", read_only=True)
    attendees = serializers.SerializerMethodField()
    actions = ActionSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)
    information_shared = ContributionSerializer(source="contributions", many=True, read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = StrategyDiscussion
        fields = [
            "id",
            "referral",
            "kind",
            "format",
            "held_at",
            "attendees",
            "warnings",
            "missing_members_reason",
            "information_shared",
            "decisions",
            "minutes_due_at",
            "minutes_circulated_at",
            "minutes_to_family_at",
            "section47_outcome",
            "see_child_by",
            "child_seen_at",
            "actions",
        ]

    @extend_schema_field(AttendeeOutputSerializer(many=True))
    def get_attendees(self, discussion):
        return _current_attendees(discussion)

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=MembershipWarning))
    )
    def get_warnings(self, discussion) -> list[str]:
        return [str(w) for w in strategy.discussion_warnings(discussion)]


class DiscussionCreateSerializer(CleanTextMixin, serializers.Serializer):
    multiline_fields = ("missing_members_reason",)

    referral = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=DiscussionKind.choices)
    held_at = serializers.DateTimeField(
        validators=[HELD_NOT_IN_FUTURE],
        help_text="When the discussion was held: not in the future (a few minutes' leeway "
        "for clocks), and not before the referral was received (its `received_at`); 400 "
        "otherwise.",
    )
    format = serializers.ChoiceField(
        choices=DiscussionFormat.choices, default=DiscussionFormat.MEETING
    )
    attendees = AttendeeSerializer(many=True, allow_empty=True)
    missing_members_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why the discussion went on without police, social care or health: "
        "required when the warnings include `no_police`, `no_social_care` or `no_health`.",
    )


class DiscussionUpdateSerializer(CleanTextMixin, serializers.Serializer):
    multiline_fields = ("missing_members_reason",)

    attendees = AttendeeSerializer(many=True, required=False)
    missing_members_reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        help_text="Why the discussion went on without police, social care or health: "
        "required when the attendees leave one of them out and none is recorded yet, and "
        "cannot be emptied while one of them is still missing.",
    )
    minutes_circulated_at = serializers.DateTimeField(
        required=False,
        validators=[MINUTES_NOT_IN_FUTURE],
        help_text="When the minutes went to the professionals: not in the future (a few "
        "minutes' leeway for clocks), and not before the discussion was held (its "
        "`held_at`); 400 otherwise.",
    )
    minutes_to_family_at = serializers.DateTimeField(
        required=False,
        validators=[MINUTES_NOT_IN_FUTURE],
        help_text="When the minutes went to the family: not in the future (a few minutes' "
        "leeway for clocks), and not before the discussion was held (its `held_at`); 400 "
        "otherwise.",
    )

    openapi_rules = {
        "anyOf": [
            {"required": [name]}
            for name in (
                "attendees",
                "missing_members_reason",
                "minutes_circulated_at",
                "minutes_to_family_at",
            )
        ],
        "x-rules": ["At least one of the fields is sent."],
    }

    def validate(self, data):
        if not data:
            raise serializers.ValidationError(
                {
                    "attendees": [
                        "Send the attendees, missing_members_reason, minutes_circulated_at "
                        "or minutes_to_family_at to change"
                    ]
                }
            )
        return data


def _visible(user):
    return strategy.discussions_visible_to(user).prefetch_related(
        Prefetch("attendees", queryset=Attendee.objects.select_related("agency")),
        "actions",
        "decisions",
        "contributions",
    )


def _current_attendees(discussion) -> list[dict]:
    return [
        {"agency": a.agency_id, "role": a.role, "name": a.name, "attended": a.attended}
        for a in discussion.attendees.all()
    ]


def _as_400(exc: DomainError) -> ValidationError:
    return ValidationError(exc.errors)


DESCRIPTION = (
    "`warnings` lists the membership codes: `no_police`, `no_social_care`, `no_health`, "
    "`paediatrician_only_health`, `school_absent`."
)


class DiscussionCursorPagination(KeysetPagination):
    """Newest first by when the discussion was held (``held_at``, then ``id``). A page
    for a screener or a manager, who are not shown closed discussions, reads at most
    ``budget`` discussions beyond its position."""

    ordering = ("-held_at", "-id")
    example_path = "/api/v1/strategy-discussions/"
    budget = 1000


@extend_schema_view(
    get=extend_schema(
        summary="List strategy discussions",
        description="Managers, screeners and auditors; 403 for anyone else. Newest first "
        "(by `held_at`, then `id`), 50 a page: follow `next` for older discussions and "
        "`previous` for newer ones; there is no total. Screeners "
        "and managers are not shown closed discussions (held, and their referral decided, "
        "more than `FRONTDOOR_BREAK_GLASS_CLOSED_AFTER_DAYS` ago, its child with nothing "
        f"open): `GET /{{id}}/` with a `{break_glass_api.HEADER}` header opens one. Their "
        f"page reads at most {DiscussionCursorPagination.budget:,} discussions beyond its "
        "cursor, closed or not, so deep in the history a page may hold fewer than 50, or "
        "none, and still have a `next`, which goes on after the last discussion the page "
        "read: follow `next` until it is null, which it is only at the end. " + DESCRIPTION,
        responses={200: DiscussionSerializer(many=True), 403: OpenApiResponse()},
    )
)
class DiscussionList(AccessLoggedList, generics.ListAPIView):
    serializer_class = DiscussionSerializer
    pagination_class = DiscussionCursorPagination
    parser_classes = [BoundedJSONParser]
    access_kind = AccessLog.Kind.DISCUSSION_LIST
    openapi_links = {
        "POST": {
            "201": {
                name: {
                    "operationId": operation,
                    "parameters": {"discussion_id": "$response.body#/id"},
                }
                for name, operation in (
                    ("GetDiscussion", "strategy_discussions_retrieve"),
                    ("ChangeDiscussion", "strategy_discussions_partial_update"),
                )
            }
        }
    }

    def access_ids(self, objects):
        return {
            "discussions": [d.pk for d in objects],
            "referrals": list(dict.fromkeys(d.referral_id for d in objects)),
        }

    def get_queryset(self):
        # The order is the paginator's (newest first), which discussion_list_order_idx
        # serves.
        return _visible(self.request.user)

    def page_filter(self):
        """Closed discussions are left out for screeners and managers: row by row, as the
        paginator reads them, within its budget. Each discussion read costs a look at its
        referral, decision and child's open referrals, which the budget bounds; the list
        does not build the set of every open discussion's referral
        (``selectors.open_discussions``), which costs the same whatever the page past
        the closed line, about 0.2 s on the national data."""
        return break_glass.not_closed(
            user=self.request.user, closed=selectors.closed_discussions(now=timezone.now())
        )

    def list(self, request, *args, **kwargs):
        if not can(request.user, Capability.VIEW_STRATEGY_DISCUSSIONS):
            raise PermissionDenied("Your role cannot read strategy discussions.")
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Record a strategy discussion",
        description="Managers only (403 otherwise). 400 names the fields that break a rule; "
        "404 for a referral that does not exist. About a closed referral (decided more "
        "than `FRONTDOOR_BREAK_GLASS_CLOSED_AFTER_DAYS` ago, its child with nothing open), "
        f"send your reason in the `{break_glass_api.HEADER}` header (403 without; 400 "
        "when it is empty, too thin or too long). " + DESCRIPTION,
        request=DiscussionCreateSerializer,
        parameters=[break_glass_api.PARAMETER],
        responses={
            201: DiscussionSerializer,
            400: OpenApiResponse(
                description="Field-level errors, or a "
                f"`{break_glass_api.HEADER}` header that is empty, too thin or too long."
            ),
            403: OpenApiResponse(
                description="Only managers record discussions; or the referral is closed "
                f"and no `{break_glass_api.HEADER}` header was sent."
            ),
            404: OpenApiResponse(description="No such referral."),
        },
    )
    def post(self, request, *args, **kwargs):
        if not can(request.user, Capability.CONVENE_STRATEGY):
            raise PermissionDenied("Only managers record strategy discussions.")
        serializer = DiscussionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        referral = generics.get_object_or_404(Referral.objects.all(), pk=data["referral"])
        # About a closed referral, the reason its GET needs (403 without; nothing written).
        break_glass_api.reason_for(
            request,
            kind=AccessLog.Kind.REFERRAL,
            record=referral,
            closed=lambda: break_glass.referral_is_closed(referral, now=timezone.now()),
        )
        try:
            discussion = strategy.convene_discussion(
                referral_id=referral.pk,
                by=request.user,
                kind=data["kind"],
                held_at=data["held_at"],
                format=data["format"],
                attendees=data["attendees"],
                missing_members_reason=data["missing_members_reason"],
            )
        except DomainError as exc:
            raise _as_400(exc) from None
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None
        body = DiscussionSerializer(_visible(request.user).get(pk=discussion.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


BREAK_GLASS = (
    "A discussion about a closed referral (decided more than "
    "`FRONTDOOR_BREAK_GLASS_CLOSED_AFTER_DAYS` ago, its child with nothing open), held "
    "longer ago than that, is outside a screener's or a manager's usual work: send your "
    f"reason in the `{break_glass_api.HEADER}` header with each request for it (403 "
    "without; 400 when it is empty, too thin or too long). Auditors need none. "
)


@extend_schema_view(
    get=extend_schema(
        summary="Read a strategy discussion",
        description="Managers, screeners and auditors; 404 for anyone else. "
        + BREAK_GLASS
        + DESCRIPTION,
        parameters=[break_glass_api.PARAMETER],
        responses={
            200: DiscussionSerializer,
            400: break_glass_api.INVALID_400,
            403: break_glass_api.REQUIRED_403,
            404: OpenApiResponse(),
        },
    )
)
class DiscussionDetail(generics.RetrieveAPIView):
    serializer_class = DiscussionSerializer
    parser_classes = [BoundedJSONParser]
    lookup_url_kwarg = "discussion_id"

    def get_queryset(self):
        return _visible(self.request.user)

    def _break_glass(self, request, discussion) -> bool:
        """After access, before anything of the discussion is read out or changed."""
        return break_glass_api.reason_for(
            request,
            kind=AccessLog.Kind.REFERRAL,
            record=discussion.referral,
            closed=lambda: selectors.discussion_is_closed(discussion, now=timezone.now()),
            detail={"strategy_discussion": discussion.pk},
        )

    def retrieve(self, request, *args, **kwargs):
        discussion = self.get_object()
        self._break_glass(request, discussion)
        log_access(
            request=request,
            kind=AccessLog.Kind.STRATEGY_DISCUSSION,
            object_id=discussion.pk,
        )
        return Response(self.get_serializer(discussion).data)

    @extend_schema(
        summary="Change attendees, the reason for missing members, or when the minutes "
        "were circulated",
        description="Managers only: 404 for anyone who may not read it, 403 for readers "
        "who may not change it; the warnings are recomputed, and attendees that leave out "
        "police, social care or health need `missing_members_reason`, which cannot then be "
        "emptied while they are still missing (400 otherwise). " + BREAK_GLASS + DESCRIPTION,
        request=DiscussionUpdateSerializer,
        parameters=[break_glass_api.PARAMETER],
        responses={
            200: DiscussionSerializer,
            400: OpenApiResponse(
                description="Field-level errors, or a "
                f"`{break_glass_api.HEADER}` header that is empty, too thin or too long."
            ),
            403: OpenApiResponse(
                description="Only managers change discussions; or the discussion is "
                f"closed and no `{break_glass_api.HEADER}` header was sent."
            ),
            404: OpenApiResponse(description="Not found."),
        },
    )
    def patch(self, request, *args, **kwargs):
        discussion = self.get_object()
        if not can(request.user, Capability.CONVENE_STRATEGY):
            raise PermissionDenied("Only managers change strategy discussions.")
        self._break_glass(request, discussion)
        serializer = DiscussionUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            if "attendees" in data or "missing_members_reason" in data:
                strategy.change_attendees(
                    discussion_id=discussion.pk,
                    by=request.user,
                    attendees=data.get("attendees", _current_attendees(discussion)),
                    missing_members_reason=data.get("missing_members_reason"),
                )
            if "minutes_circulated_at" in data or "minutes_to_family_at" in data:
                strategy.record_minutes_circulated(
                    discussion_id=discussion.pk,
                    by=request.user,
                    to_professionals_at=data.get("minutes_circulated_at"),
                    to_family_at=data.get("minutes_to_family_at"),
                )
        except DomainError as exc:
            raise _as_400(exc) from None
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None
        return Response(DiscussionSerializer(_visible(request.user).get(pk=discussion.pk)).data)
