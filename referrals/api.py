"""The referrals API: thin views over ``referrals.services`` and ``referrals.selectors``."""

from __future__ import annotations

import hashlib
import json
import re

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from agencies.policy import may_refer, reads_referrer_feedback
from audit.api import AccessLoggedList
from audit.models import AccessLog
from audit.services import log_access
from referrals import break_glass, break_glass_api
from referrals.models import Referral
from referrals.pagination import ReferralCursorPagination
from referrals.parsers import MAX_JSON_BYTES, BoundedJSONParser
from referrals.selectors import (
    concerns_by_referral,
    latest_amendments,
    referrals_for_api_detail,
    referrals_for_api_list,
)
from referrals.serializers import ReferralInputSerializer, ReferralSerializer
from referrals.services import (
    IdempotencyKeyReused,
    NotPermitted,
    ReferralError,
    referral_for_key,
    submit_api_referral,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 255


class IdempotencyKeyConflict(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "idempotency_key_reused"


class MayRefer(BasePermission):
    """Anyone signed in may ask to read (the selector decides what they see); only those
    who refer, or record referrals for callers, may post."""

    message = "Your role cannot make referrals."

    def has_permission(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return may_refer(request.user)


# C0 controls (NUL among them, which PostgreSQL cannot store at all), DEL and C1.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def _idempotency_key(request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {IDEMPOTENCY_HEADER: [f"Must be 1 to {IDEMPOTENCY_KEY_MAX} characters long."]}
        )
    # Refused, not stripped: the key is the client's to compare, so a changed key would
    # never match its retry.
    if key is not None and _CONTROL.search(key):
        raise ValidationError({IDEMPOTENCY_HEADER: ["Must not contain control characters."]})
    return key


def _fingerprint(body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _as_validation_error(exc: ReferralError) -> ValidationError:
    return ValidationError(
        {
            api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field: messages
            for field, messages in exc.errors.items()
        }
    )


class ReferralList(AccessLoggedList, generics.ListAPIView):
    """Referrals the caller may see, newest first, in keyset pages; and a new referral."""

    serializer_class = ReferralSerializer
    pagination_class = ReferralCursorPagination
    permission_classes = [IsAuthenticated, MayRefer]
    parser_classes = [BoundedJSONParser]
    openapi_links = {
        "POST": {
            "201": {
                name: {"operationId": operation, "parameters": {"id": "$response.body#/id"}}
                for name, operation in (
                    ("GetReferral", "referrals_retrieve"),
                    ("DecideReferral", "referrals_decision_create"),
                    ("ChallengeReferral", "referrals_challenges_create"),
                )
            }
        }
    }

    def get_queryset(self):
        # The order is the paginator's (newest first), which the indexes on received_at
        # serve for each scope.
        return referrals_for_api_list(self.request.user)

    def page_filter(self):
        """Closed referrals are left out for screeners and managers: row by row, as the
        paginator reads them, within its budget (a page deep in the history, where
        nearly every referral is closed, reads no more than that)."""
        return break_glass.not_closed(
            user=self.request.user, closed=break_glass.closed_referrals(now=timezone.now())
        )

    def paginate_queryset(self, queryset):
        """The page's rows, and what the serializer shows of them beyond their own
        columns, read for those rows only: their concerns and, for those who read the
        feedback, their decisions' amendments (two queries, not a prefetch's per-row
        querysets)."""
        rows = super().paginate_queryset(queryset)
        ids = [referral.pk for referral in rows]
        reads_feedback = reads_referrer_feedback(self.request.user)
        self._listed = {
            "now": timezone.now(),
            "reads_feedback": reads_feedback,
            "concerns": concerns_by_referral(ids),
            "amendments": latest_amendments(
                [r.pk for r in rows if getattr(r, "decision", None) is not None]
                if reads_feedback
                else []
            ),
        }
        return rows

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **getattr(self, "_listed", {})}

    @extend_schema(
        summary="List referrals",
        description="The referrals you may see: your own as a referrer, your agency's as an "
        "agency lead, all of them as a screener, manager or auditor. Newest first (by "
        "`received_at`, then `id`), 50 a page: follow `next` for older referrals and "
        "`previous` for newer ones; there is no total. Screeners and managers are not shown closed "
        "referrals (decided more than `FRONTDOOR_BREAK_GLASS_CLOSED_AFTER_DAYS` ago, the "
        f"child with nothing open): `GET /api/v1/referrals/{{id}}/` with a "
        f"`{break_glass_api.HEADER}` header opens one. Their page reads at most "
        f"{ReferralCursorPagination.budget:,} referrals beyond its cursor, closed or not, so "
        "deep in the history, where nearly every referral is closed, a page may hold fewer "
        "than 50 referrals, or none, and still have a `next`, which goes on after the last "
        "referral the page read: follow `next` until it is null, which it is only at the end "
        "(and `previous` likewise to the start).",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        summary="Make a referral",
        description="One child per referral. Send the same Idempotency-Key again (with the "
        "same body) to retry safely: you get the first referral back, never a second.",
        request=ReferralInputSerializer,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX},
                OpenApiParameter.HEADER,
                description=f"Any unique string of 1 to {IDEMPOTENCY_KEY_MAX} characters, for "
                "example a UUID, chosen by you for this referral (an empty one, or one with a "
                "control character, is a 400).",
            )
        ],
        responses={
            201: ReferralSerializer,
            400: OpenApiResponse(
                description="Invalid input: the body names each field with its messages, "
                "or `detail` names the problem (for example malformed JSON)."
            ),
            401: OpenApiResponse(description="No valid token or session."),
            403: OpenApiResponse(description="Your role cannot make referrals."),
            413: OpenApiResponse(description=f"The body is over {MAX_JSON_BYTES // 1024} KB."),
            415: OpenApiResponse(description="The body is not application/json."),
            422: OpenApiResponse(
                description="The Idempotency-Key was already used with a different body."
            ),
        },
    )
    def post(self, request, *args, **kwargs):
        key = _idempotency_key(request)
        fingerprint = _fingerprint(request.data) if key is not None else ""
        try:
            referral, replayed = self._submit(request, key=key, fingerprint=fingerprint)
        except IdempotencyKeyReused as exc:
            raise IdempotencyKeyConflict(str(exc)) from None
        except ReferralError as exc:
            raise _as_validation_error(exc) from None
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from None
        return self._created(referral, replayed=replayed)

    def _submit(self, request, *, key: str | None, fingerprint: str) -> tuple[Referral, bool]:
        """The new referral, or the one an earlier request with the key made.

        Nearly every key is new, so it is not looked up first: the key's row is written
        in the referral's transaction, and a key already taken (a retry, or a request
        that raced this one) rolls that back and answers with the earlier referral
        (``submit_api_referral``). A body refused here may be a retry of one taken
        before (an expected date of birth or a received time has gone stale since), so
        the key is looked up then, and its referral is the answer."""
        try:
            serializer = ReferralInputSerializer(data=request.data, context={"request": request})
            serializer.is_valid(raise_exception=True)
            return submit_api_referral(
                by=request.user, data=serializer.validated_data, key=key, fingerprint=fingerprint
            )
        except (ValidationError, ReferralError):
            earlier = (
                referral_for_key(by=request.user, key=key, fingerprint=fingerprint)
                if key is not None
                else None
            )
            if earlier is None:
                raise
            return earlier, True

    def _created(self, referral: Referral, *, replayed: bool = False) -> Response:
        data = ReferralSerializer(referral, context=self.get_serializer_context()).data
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)


class ReferralDetail(generics.RetrieveAPIView):
    serializer_class = ReferralSerializer

    def get_queryset(self):
        return referrals_for_api_detail(self.request.user)

    @extend_schema(
        summary="Get a referral",
        description="404 for a referral that does not exist or that you may not see. A "
        "closed referral (decided more than `FRONTDOOR_BREAK_GLASS_CLOSED_AFTER_DAYS` ago, "
        "its child with nothing open) is outside a screener's or a manager's usual work: "
        f"send your reason in the `{break_glass_api.HEADER}` header with each request for "
        "it (403 without; 400 when it is empty, too thin or too long). Auditors, and "
        "referrers and agency leads for their own referrals, need none.",
        parameters=[break_glass_api.PARAMETER],
        responses={
            200: ReferralSerializer,
            400: break_glass_api.INVALID_400,
            403: break_glass_api.REQUIRED_403,
            404: OpenApiResponse(description="Not found."),
        },
    )
    def get(self, request, *args, **kwargs):
        # Access first (the selector: 404 outside the caller's scope), then break the
        # glass, then the record.
        referral = self.get_object()
        broken = break_glass_api.reason_for(
            request,
            kind=AccessLog.Kind.REFERRAL,
            record=referral,
            closed=lambda: break_glass.referral_is_closed(referral, now=timezone.now()),
        )
        if not broken:
            log_access(request=request, kind=AccessLog.Kind.REFERRAL, object_id=referral.pk)
        return Response(self.get_serializer(referral).data)
