"""POST /api/v1/children/matches/: existing children who may be the child described.

A thin view over ``referrals.matching.find_matches``. Searching for a child is looking
at children's records, so every call by a screener or manager is written to the access
log. The details travel in a JSON body, never in the URL: web servers and proxies log
URLs, and these are children's names and dates of birth. The GET with query parameters
that came first is retired: it answers 405 Method Not Allowed (``Allow: POST,
OPTIONS``) with a message saying to POST, after the same sign-in and role checks, and
never reads or logs what its query string held.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from agencies.api import holds
from agencies.policy import Capability
from audit.models import AccessLog
from audit.services import log_access
from referrals.api_rules import NhsNumber, Postcode, given
from referrals.matching import find_matches
from referrals.models import Child
from referrals.parsers import MAX_JSON_BYTES, BoundedJSONParser
from referrals.serializer_mixins import CleanTextMixin

MAX_MATCHES = 10
PARAMETERS = ("first_name", "last_name", "date_of_birth", "postcode", "nhs_number")
GET_RETIRED = (
    "GET with query parameters is retired: names must not travel in a URL. POST the "
    "details (any of " + ", ".join(PARAMETERS) + ") as a JSON body to this address."
)
NAME_MAX = Child._meta.get_field("first_name").max_length


class ChildMatchRequestSerializer(CleanTextMixin, serializers.Serializer):
    """The child as described: any of these, at least one."""

    first_name = serializers.CharField(
        max_length=NAME_MAX,
        required=False,
        allow_blank=True,
        help_text="The child's first name as given. Nicknames and small typos still match.",
    )
    last_name = serializers.CharField(
        max_length=NAME_MAX,
        required=False,
        allow_blank=True,
        help_text="The child's last name as given. Small typos still match.",
    )
    date_of_birth = serializers.DateField(
        required=False,
        help_text="Date of birth (YYYY-MM-DD). A record with day and month swapped, or "
        "the same day and month a year out, still matches, less strongly.",
    )
    postcode = serializers.CharField(
        max_length=10,
        required=False,
        allow_blank=True,
        validators=[Postcode()],
        help_text="A full postcode, like LS1 4AP; case and spacing do not matter.",
    )
    nhs_number = serializers.CharField(
        max_length=14,
        required=False,
        allow_blank=True,
        validators=[NhsNumber()],
        help_text="A 10-digit NHS number; spaces are allowed. An exact match scores 1.",
    )

    openapi_rules = {
        "anyOf": [
            given("first_name"),
            given("last_name"),
            {"required": ["date_of_birth"]},
            given("postcode", Postcode()),
            given("nhs_number", NhsNumber()),
        ],
        "x-rules": ["At least one of " + ", ".join(PARAMETERS) + " is given and not blank."],
    }

    def validate(self, attrs):
        if not any(attrs.get(name) for name in PARAMETERS):
            raise serializers.ValidationError(
                {
                    api_settings.NON_FIELD_ERRORS_KEY: [
                        "Give at least one of: " + ", ".join(PARAMETERS) + "."
                    ]
                }
            )
        return attrs


class ChildMatchSerializer(serializers.Serializer):
    """An existing child who may be the child described."""

    id = serializers.IntegerField(source="child.pk", help_text="The child record's id.")
    score = serializers.FloatField(
        min_value=0,
        max_value=1,
        help_text="How strongly the details agree, from 0 to 1. 1 is an exact NHS number "
        "match; the other details together can reach 1 only when all of them agree.",
    )
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Which details agreed, in plain English, for example 'Date of birth "
        "matches' or 'Last name similar (Smyth / Smith)'.",
    )
    first_name = serializers.CharField(source="child.first_name", help_text="As recorded.")
    last_name = serializers.CharField(source="child.last_name", help_text="As recorded.")
    date_of_birth = serializers.DateField(
        source="child.date_of_birth", allow_null=True, help_text="As recorded; may be null."
    )
    postcode = serializers.CharField(source="child.postcode", help_text="As recorded.")


class ChildMatches(APIView):
    permission_classes = [
        IsAuthenticated,
        holds(Capability.SCREEN, "Only screeners and managers may search for children."),
    ]
    parser_classes = [BoundedJSONParser]

    @extend_schema(
        operation_id="children_matches",
        summary="Find existing children who may be the child described",
        description="Screeners and managers only. Send the details as a JSON body: any of "
        f"{', '.join(PARAMETERS)} (at least one). Returns at most {MAX_MATCHES} children, "
        "best first, each with a score and the reasons. Nothing is linked to a referral by "
        "this call. Every call is written to the access log. The details never go in the "
        "URL: `GET` with query parameters is retired and answers 405.",
        request=ChildMatchRequestSerializer,
        responses={
            200: OpenApiResponse(
                response=ChildMatchSerializer(many=True),
                description=f"Up to {MAX_MATCHES} children, best first; an empty list when "
                "none is close enough.",
            ),
            400: OpenApiResponse(
                description="No detail given, or a detail is invalid: the body names each "
                "field with its messages; or `detail` names the problem (malformed JSON)."
            ),
            401: OpenApiResponse(description="No valid token or session."),
            403: OpenApiResponse(description="Only screeners and managers may search."),
            413: OpenApiResponse(description=f"The body is over {MAX_JSON_BYTES // 1024} KB."),
            415: OpenApiResponse(description="The body is not application/json."),
        },
    )
    def post(self, request):
        query = ChildMatchRequestSerializer(data=request.data)
        valid = query.is_valid()
        matches = find_matches(**query.validated_data, limit=MAX_MATCHES) if valid else []
        # Every search, even an invalid one, with the children it returned by id: never
        # what was searched for.
        log_access(
            request=request,
            kind=AccessLog.Kind.CHILD_SEARCH,
            object_id=None,
            detail={"children": [m.child.pk for m in matches]},
        )
        if not valid:
            raise ValidationError(query.errors)
        return Response(ChildMatchSerializer(matches, many=True).data)

    def http_method_not_allowed(self, request, *args, **kwargs):
        if request.method == "GET":
            raise MethodNotAllowed(request.method, detail=GET_RETIRED)
        return super().http_method_not_allowed(request, *args, **kwargs)
