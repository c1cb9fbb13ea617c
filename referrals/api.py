"""The referrals API: thin views over ``referrals.services`` and ``referrals.selectors``."""

from __future__ import annotations

import hashlib
import json

from django.db import IntegrityError, transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, PermissionDenied, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from agencies.policy import Capability, can, may_refer
from audit.models import AccessLog
from audit.services import log_access
from referrals.models import Channel, IdempotencyRecord, Referral
from referrals.parsers import MAX_JSON_BYTES, BoundedJSONParser
from referrals.selectors import referrals_for_listing
from referrals.serializers import ReferralInputSerializer, ReferralSerializer
from referrals.services import (
    CHILD_FIELDS,
    CONTACT_FIELDS,
    DETAIL_FIELDS,
    NotPermitted,
    ReferralError,
    submit_referrals,
)

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY_MAX = 255


class IdempotencyKeyReused(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was already used with a different request body. "
        "Send a new key for a new referral."
    )
    default_code = "idempotency_key_reused"


class MayRefer(BasePermission):
    """Anyone signed in may ask to read (the selector decides what they see); only those
    who refer, or record referrals for callers, may post."""

    message = "Your role cannot make referrals."

    def has_permission(self, request, view) -> bool:
        if request.method != "POST":
            return True
        return may_refer(request.user)


def _idempotency_key(request) -> str | None:
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if key is not None and not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX:
        raise ValidationError(
            {IDEMPOTENCY_HEADER: [f"Must be 1 to {IDEMPOTENCY_KEY_MAX} characters long."]}
        )
    return key


def _fingerprint(body) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _recorded(*, user, key: str) -> IdempotencyRecord | None:
    return IdempotencyRecord.objects.filter(user=user, key=key).select_related("referral").first()


def _replayed(record: IdempotencyRecord, fingerprint: str) -> Referral:
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    return record.referral


def _submit(request, data: dict) -> Referral:
    channel, on_behalf = Channel.API, {}
    if can(request.user, Capability.RECORD_ON_BEHALF):
        channel = data.get("channel", Channel.API)
        on_behalf = {
            "received_at": data.get("received_at"),
            "caller_type": data.get("caller_type", ""),
            "caller_agency": data.get("caller_agency"),
        }
    try:
        [referral] = submit_referrals(
            by=request.user,
            children=[{f: data[f] for f in CHILD_FIELDS if f in data}],
            details={f: data[f] for f in DETAIL_FIELDS if f in data},
            concerns=data["concerns"],
            household=data.get("household", []),
            contact={f: data[f] for f in CONTACT_FIELDS if f in data},
            channel=channel,
            **on_behalf,
        )
    except ReferralError as exc:
        raise ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field: messages
                for field, messages in exc.errors.items()
            }
        ) from None
    except NotPermitted as exc:
        raise PermissionDenied(str(exc)) from None
    return referral


def _submit_once(request, data: dict, *, key: str, fingerprint: str) -> tuple[Referral, bool]:
    """Submit, recording the key in the same transaction, so that a retry finds it.
    Returns the referral and whether it was made by an earlier request."""
    try:
        with transaction.atomic():
            referral = _submit(request, data)
            IdempotencyRecord.objects.create(
                user=request.user, key=key, fingerprint=fingerprint, referral=referral
            )
    except IntegrityError:
        # A request with the same key committed between our look-up and our insert: its
        # referral is the answer, and ours has been rolled back.
        record = _recorded(user=request.user, key=key)
        if record is None:
            raise
        return _replayed(record, fingerprint), True
    return referral, False


class ReferralList(generics.ListAPIView):
    """Referrals the caller may see, most urgent first; and a new referral."""

    serializer_class = ReferralSerializer
    permission_classes = [IsAuthenticated, MayRefer]
    parser_classes = [BoundedJSONParser]

    def get_queryset(self):
        return referrals_for_listing(self.request.user).order_by(
            "-immediate_risk", "decision_due_at", "pk"
        )

    @extend_schema(
        summary="List referrals",
        description="The referrals you may see: your own as a referrer, your agency's as an "
        "agency lead, all of them as a screener, manager or auditor. Immediate risk first, "
        "then by when a decision is due.",
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
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Any unique string up to 255 characters, for example a UUID, "
                "chosen by you for this referral.",
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
        body = request.data
        if key is not None:
            fingerprint = _fingerprint(body)
            record = _recorded(user=request.user, key=key)
            if record is not None:
                return self._created(_replayed(record, fingerprint), replayed=True)
        serializer = ReferralInputSerializer(data=body, context={"request": request})
        serializer.is_valid(raise_exception=True)
        if key is None:
            return self._created(_submit(request, serializer.validated_data))
        referral, replayed = _submit_once(
            request, serializer.validated_data, key=key, fingerprint=fingerprint
        )
        return self._created(referral, replayed=replayed)

    def _created(self, referral: Referral, *, replayed: bool = False) -> Response:
        data = ReferralSerializer(referral, context=self.get_serializer_context()).data
        headers = {"Idempotent-Replayed": "true"} if replayed else {}
        return Response(data, status=status.HTTP_201_CREATED, headers=headers)


class ReferralDetail(generics.RetrieveAPIView):
    serializer_class = ReferralSerializer

    def get_queryset(self):
        return referrals_for_listing(self.request.user)

    @extend_schema(
        summary="Get a referral",
        description="404 for a referral that does not exist or that you may not see.",
        responses={200: ReferralSerializer, 404: OpenApiResponse(description="Not found.")},
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        log_access(request=request, kind=AccessLog.Kind.REFERRAL, object_id=kwargs["pk"])
        return response
